"""`convert-khal-to-nvvm`: khal's kernels, ids, barriers and subgroup ops to NVVM intrinsics.

Runs after the common prefix, before `convert-khal-to-llvm` (which then lowers arrays, workgroup
memory and atomics with `array_addr_space=1`, `workgroup_memory=global`, `workgroup_addr_space=3`).
A GPU kernel keeps its grid shape: each invocation is one CUDA thread, each workgroup one block.

- Each `khal.kernel` becomes a `func.func` with the same parameters, marked `khal.workgroup_size`
  and `khal.cuda_kernel` (the CUDA target gives it the `ptx_kernel` calling convention).
- Ids read the special registers (`llvm.nvvm.read.ptx.sreg.tid/ctaid/nctaid.*`); the workgroup
  size is a compile-time constant, so `global_invocation_id` is `ctaid * size + tid`.
- `workgroup_barrier` is `barrier0` (`bar.sync 0`); `storage_barrier` is `membar.gl` followed by
  `barrier0`, so that array writes before it are visible to the whole device, as WGSL's is.
- Subgroups are warps of 32. `subgroup_reduce` on 32-bit integers is `redux.sync` (sm_80) over the
  active lanes; on f32 a full warp is a `shfl.sync.bfly` butterfly, a partly active one has every lane
  read each active lane with `shfl.sync.idx` in the same order (either way every lane gets the same bits).
  `subgroup_broadcast_first` reads the lowest active lane. Other types are a located LoweringError.
- `khal.print` is left to `convert-khal-print-to-nvvm` (`vprintf`).

`{virtual_grid=true}` compiles the variant the CUDA runtime launches for `Indirect` grids (and grids
past CUDA's 65535 blocks in y or z): the kernel takes four more parameters, `__grid:
!khal.array<i32, read>` and `__grid_x/y/z: i32`; the workgroup counts are `__grid[0..2]` when
`len(__grid) != 0` (read on the device: an `Indirect` buffer, written by an earlier kernel, say), else
the three values. The body runs in a grid-stride loop over the linear workgroup index, from `ctaid.x`
by `nctaid.x`, so any fixed launch grid covers the logical one; the workgroup ids are that index
unfolded over the counts (x fastest), `num_workgroups` the counts. A grid of more than 2^31-1
workgroups runs none. Where the kernel uses workgroup memory a `barrier0` ends each iteration, so that
no invocation overwrites what a slower one of the same block still reads. The loop's bounds are the
same in every invocation of a block, so barriers in the body stay in uniform control flow.

`{coarsen=N}` (N > 1) runs N workgroups per block, in kernels without barriers, workgroup memory or
subgroup ops whose body is straight-line loads, stores and pure ops, optionally under one `if` (others
are left as they are: they would not gain): the kernel takes one more parameter, `__groups_x: i32`,
the logical workgroup count in x, and the runtime launches ceil(count / N) blocks in x. Block b runs
workgroups b * N + j for j = 0..N-1 (those below `__groups_x`); workgroup j of a block has the same
`tid`, so each workgroup's accesses are coalesced as in the plain kernel. `num_workgroups().x` is
`__groups_x`. A block whose N workgroups all exist and all pass the `if` (the usual `if i < len(a):`
guard) runs them as one straight line: every workgroup's loads up to its first store, then each
workgroup's rest. Each thread then has N workgroups' loads in flight instead of one (what a
bandwidth-bound kernel needs to reach the memory's speed: ptxas does not move a load above a store
that may alias it). Each
invocation still sees its own accesses in program order; only accesses of different workgroups are
reordered, which a data-race-free kernel cannot observe. Other blocks (the grid's last one, or one
where some invocation fails the guard) run the N workgroups one after another in a loop of constant
trip count (LLVM unrolls it), each under its own `group < __groups_x` test.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, llvm, scf
from xdsl.dialects.builtin import (
    DenseArrayBase,
    Float32Type,
    FunctionType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    UnitAttr,
    i1,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter
from xdsl.traits import is_side_effect_free

from khal.dialects import khal
from khal.passes.diagnostics import op_error

WARP_SIZE = 32
CUDA_KERNEL_ATTR = "khal.cuda_kernel"
"""Unit attribute on the `func.func` (then `llvm.func`) that becomes a `ptx_kernel` entry."""

_FULL_MASK = -1  # 0xffffffff as an i32
_SREG = "llvm.nvvm.read.ptx.sreg."


def _intrinsic(name: str, args: list[SSAValue], result: Attribute, ops: list[Operation]) -> SSAValue:
    op = llvm.CallIntrinsicOp(name, args, [result])
    ops.append(op)
    return op.results[0]


def _void_intrinsic(name: str, ops: list[Operation]) -> None:
    ops.append(llvm.CallIntrinsicOp(name, [], []))


def _const(value: int, ops: list[Operation], t: IntegerType = i32) -> SSAValue:
    op = arith.ConstantOp(IntegerAttr(value, t))
    ops.append(op)
    return op.result


def _binop(cls: type[Operation], a: SSAValue, b: SSAValue, ops: list[Operation]) -> SSAValue:
    op = cls(a, b)  # pyright: ignore[reportCallIssue]
    ops.append(op)
    return op.results[0]


# --------------------------------------------------------------------------- ids


def _sreg(register: str, ops: list[Operation]) -> SSAValue:
    return _intrinsic(_SREG + register, [], i32, ops)


@dataclass(frozen=True)
class VirtualGrid:
    """The workgroup ids and counts of a virtual-grid kernel: i32 values that replace the registers."""

    ids: tuple[SSAValue, SSAValue, SSAValue]
    counts: tuple[SSAValue, SSAValue, SSAValue]


def _workgroup_id(dim: str, grid: VirtualGrid | None, ops: list[Operation]) -> SSAValue:
    return _sreg(f"ctaid.{dim}", ops) if grid is None else grid.ids["xyz".index(dim)]


def _id(
    op: Operation, wg_size: tuple[int, int, int], ops: list[Operation], grid: VirtualGrid | None = None
) -> SSAValue:
    """The value of an id op, from special registers (or the virtual grid) and the workgroup size."""
    if isinstance(op, khal.LocalInvocationIndexOp):
        x, y, z = (_sreg(f"tid.{d}", ops) for d in "xyz")
        row = _binop(arith.MuliOp, y, _const(wg_size[0], ops), ops)
        plane = _binop(arith.MuliOp, z, _const(wg_size[0] * wg_size[1], ops), ops)
        return _binop(arith.AddiOp, _binop(arith.AddiOp, x, row, ops), plane, ops)
    if isinstance(op, khal.SubgroupSizeOp):
        return _const(WARP_SIZE, ops)
    if isinstance(op, khal.SubgroupInvocationIdOp):
        return _sreg("laneid", ops)
    assert isinstance(
        op, khal.GlobalInvocationIdOp | khal.LocalInvocationIdOp | khal.WorkgroupIdOp | khal.NumWorkgroupsOp
    )
    dim = op.dim.data.value
    if isinstance(op, khal.LocalInvocationIdOp):
        return _sreg(f"tid.{dim}", ops)
    if isinstance(op, khal.WorkgroupIdOp):
        return _workgroup_id(dim, grid, ops)
    if isinstance(op, khal.NumWorkgroupsOp):
        return _sreg(f"nctaid.{dim}", ops) if grid is None else grid.counts["xyz".index(dim)]
    size = _const(wg_size["xyz".index(dim)], ops)
    block = _binop(arith.MuliOp, _workgroup_id(dim, grid, ops), size, ops)
    return _binop(arith.AddiOp, block, _sreg(f"tid.{dim}", ops), ops)


_ID_OPS = (
    khal.GlobalInvocationIdOp,
    khal.LocalInvocationIdOp,
    khal.WorkgroupIdOp,
    khal.NumWorkgroupsOp,
    khal.LocalInvocationIndexOp,
    khal.SubgroupSizeOp,
    khal.SubgroupInvocationIdOp,
)


# --------------------------------------------------------------------------- subgroups

_REDUX = {
    khal.ReduceKind.ADD: "add",
    khal.ReduceKind.MIN: "min",
    khal.ReduceKind.MAX: "max",
    khal.ReduceKind.UMIN: "umin",
    khal.ReduceKind.UMAX: "umax",
}
_FLOAT_COMBINE: dict[khal.ReduceKind, type[Operation]] = {
    khal.ReduceKind.ADD: arith.AddfOp,
    khal.ReduceKind.MIN: arith.MinimumfOp,
    khal.ReduceKind.MAX: arith.MaximumfOp,
}


def _is_i32(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and t.width.data == 32


def _first_lane(mask: SSAValue, ops: list[Operation]) -> SSAValue:
    zero_undef = llvm.ConstantOp(IntegerAttr(0, i1), i1)
    ops.append(zero_undef)
    return _intrinsic("llvm.cttz.i32", [mask, zero_undef.result], i32, ops)


def _shuffle_idx(mask: SSAValue, value: SSAValue, lane: SSAValue, ops: list[Operation]) -> SSAValue:
    suffix = "f32" if isinstance(value.type, Float32Type) else "i32"
    return _intrinsic(
        f"llvm.nvvm.shfl.sync.idx.{suffix}", [mask, value, lane, _const(31, ops)], value.type, ops
    )


def _float_reduce(kind: khal.ReduceKind, value: SSAValue, mask: SSAValue, ops: list[Operation]) -> SSAValue:
    """Every lane folds the active lanes' values in lane order, starting at the first active one."""
    first = _first_lane(mask, ops)
    start = _shuffle_idx(mask, value, first, ops)
    lower, upper, step = (_const(v, ops) for v in (0, WARP_SIZE, 1))
    body = Block(arg_types=[i32, value.type])
    lane, acc = body.args
    inner: list[Operation] = []
    shifted = _binop(arith.ShRUIOp, mask, lane, inner)
    bit = _binop(arith.AndIOp, shifted, _const(1, inner), inner)
    active = arith.CmpiOp(bit, _const(0, inner), "ne")
    later = arith.CmpiOp(lane, first, "ne")
    inner += [active, later]
    take = _binop(arith.AndIOp, active.result, later.result, inner)
    # The shuffle runs in every lane (shfl.sync must be reached by all lanes in the mask).
    other = _shuffle_idx(mask, value, lane, inner)
    combined = _binop(_FLOAT_COMBINE[kind], acc, other, inner)
    chosen = arith.SelectOp(take, combined, acc)
    inner += [chosen, scf.YieldOp(chosen.result)]
    body.add_ops(inner)
    loop = scf.ForOp(lower, upper, step, [start], body)
    ops.append(loop)
    return loop.results[0]


def _butterfly(kind: khal.ReduceKind, value: SSAValue, ops: list[Operation]) -> SSAValue:
    """A full warp: 5 `shfl.sync.bfly` steps; a+b == b+a, so every lane ends with the same bits."""
    acc = value
    for offset in (16, 8, 4, 2, 1):
        args = [_const(_FULL_MASK, ops), acc, _const(offset, ops), _const(31, ops)]
        other = _intrinsic("llvm.nvvm.shfl.sync.bfly.f32", args, value.type, ops)
        acc = _binop(_FLOAT_COMBINE[kind], acc, other, ops)
    return acc


def _float_subgroup_reduce(
    kind: khal.ReduceKind, value: SSAValue, mask: SSAValue, ops: list[Operation]
) -> SSAValue:
    """The butterfly where the whole warp is active (the common case), else the lane-by-lane fold."""
    full = arith.CmpiOp(mask, _const(_FULL_MASK, ops), "eq")
    ops.append(full)
    fast: list[Operation] = []
    fast.append(scf.YieldOp(_butterfly(kind, value, fast)))
    slow: list[Operation] = []
    slow.append(scf.YieldOp(_float_reduce(kind, value, mask, slow)))
    branch = scf.IfOp(full.result, [value.type], fast, slow)
    ops.append(branch)
    return branch.results[0]


def _subgroup(op: khal.SubgroupReduceOp | khal.SubgroupBroadcastFirstOp, ops: list[Operation]) -> SSAValue:
    t = op.value.type
    if not (_is_i32(t) or isinstance(t, Float32Type)):
        raise op_error(op, f"{op.name} on {t} is not supported on cuda yet (only 32-bit integers and f32)")
    mask = _intrinsic("llvm.nvvm.activemask", [], i32, ops)
    if isinstance(op, khal.SubgroupBroadcastFirstOp):
        return _shuffle_idx(mask, op.value, _first_lane(mask, ops), ops)
    kind = op.kind.data
    if _is_i32(t):
        return _intrinsic(f"llvm.nvvm.redux.sync.{_REDUX[kind]}", [op.value, mask], i32, ops)
    if kind not in _FLOAT_COMBINE:
        raise op_error(op, f"subgroup_reduce {kind} on a float is not defined")
    return _float_subgroup_reduce(kind, op.value, mask, ops)


# --------------------------------------------------------------------------- kernels


def _barrier(op: Operation, ops: list[Operation]) -> None:
    if isinstance(op, khal.StorageBarrierOp):
        _void_intrinsic("llvm.nvvm.membar.gl", ops)
    _void_intrinsic("llvm.nvvm.barrier0", ops)


def _kernel_function(kernel: khal.KernelOp) -> func.FuncOp:
    """The kernel as a `func.func` with the same parameters and body (`khal.return` -> `func.return`)."""
    region = Region()
    kernel.body.move_blocks(region)
    function = func.FuncOp(kernel.sym_name.data, kernel.function_type, region)
    function.attributes["khal.workgroup_size"] = DenseArrayBase.from_list(
        i64, kernel.workgroup_size.get_values()
    )
    function.attributes[CUDA_KERNEL_ATTR] = UnitAttr()
    function.location = kernel.location
    for ret in [o for o in function.walk() if isinstance(o, khal.ReturnOp)]:
        Rewriter.replace_op(ret, func.ReturnOp())
    return function


# --------------------------------------------------------------------------- the virtual grid

GRID_PARAMS = ("__grid", "__grid_x", "__grid_y", "__grid_z")
"""The parameters a virtual-grid kernel takes after its own."""
_MAX_WORKGROUPS = 2**31 - 1


def _grid_counts(block: Block, ops: list[Operation]) -> tuple[SSAValue, SSAValue, SSAValue]:
    """Append the `__grid*` parameters; the counts: `__grid[0..2]` if it is not empty, else the values."""
    grid = block.insert_arg(khal.ArrayType(i32, khal.Access.READ), len(block.args))
    values = [block.insert_arg(i32, len(block.args)) for _ in range(3)]
    for arg, name in zip([grid, *values], GRID_PARAMS, strict=True):
        arg.name_hint = name
    length = khal.LenOp(grid)
    given = arith.CmpiOp(length.result, _const(0, ops), "ne")
    ops += [length, given]
    loads: list[Operation] = []
    for i in range(3):
        loads.append(khal.LoadOp(grid, _const(i, loads)))
    loads.append(scf.YieldOp(*(o.results[0] for o in loads if isinstance(o, khal.LoadOp))))
    branch = scf.IfOp(given.result, [i32, i32, i32], loads, [scf.YieldOp(*values)])
    ops.append(branch)
    return branch.results[0], branch.results[1], branch.results[2]


def _wide(value: SSAValue, ops: list[Operation]) -> SSAValue:
    op = arith.ExtUIOp(value, i64)
    ops.append(op)
    return op.result


def _narrow(value: SSAValue, ops: list[Operation]) -> SSAValue:
    op = arith.TruncIOp(value, i32)
    ops.append(op)
    return op.result


def _unfold(
    linear: SSAValue, counts: tuple[SSAValue, SSAValue, SSAValue], ops: list[Operation]
) -> tuple[SSAValue, SSAValue, SSAValue]:
    """The (x, y, z) workgroup id of linear index `linear` (i64) over `counts` (i64), x fastest."""
    x_count, y_count, _ = counts
    plane = _binop(arith.MuliOp, x_count, y_count, ops)
    z = _binop(arith.DivUIOp, linear, plane, ops)
    rest = _binop(arith.RemUIOp, linear, plane, ops)
    y = _binop(arith.DivUIOp, rest, x_count, ops)
    x = _binop(arith.RemUIOp, rest, x_count, ops)
    return _narrow(x, ops), _narrow(y, ops), _narrow(z, ops)


def _virtualise(function: func.FuncOp) -> VirtualGrid:
    """Run the body of `function` in a grid-stride loop over the workgroups its `__grid*` parameters count."""
    block = function.body.block
    ret = block.last_op
    assert isinstance(ret, func.ReturnOp)
    body_ops = [op for op in block.ops if op is not ret]
    prologue: list[Operation] = [op for op in body_ops if isinstance(op, khal.WorkgroupAllocOp)]
    for op in body_ops:
        op.detach()
    counts = _grid_counts(block, prologue)
    wide = tuple(_wide(c, prologue) for c in counts)
    total = _binop(arith.MuliOp, _binop(arith.MuliOp, wide[0], wide[1], prologue), wide[2], prologue)
    limit = arith.ConstantOp(IntegerAttr(_MAX_WORKGROUPS, i64))
    too_many = arith.CmpiOp(total, limit.result, "ugt")
    zero = arith.ConstantOp(IntegerAttr(0, i64))
    prologue += [limit, too_many, zero]
    upper = arith.SelectOp(too_many.result, zero.result, total)
    prologue.append(upper)
    start = _wide(_sreg("ctaid.x", prologue), prologue)
    step = _wide(_sreg("nctaid.x", prologue), prologue)
    loop_body = Block(arg_types=[i64])
    head: list[Operation] = []
    ids = _unfold(loop_body.args[0], (wide[0], wide[1], wide[2]), head)
    loop_body.add_ops(head)
    loop_body.add_ops([op for op in body_ops if not isinstance(op, khal.WorkgroupAllocOp)])
    tail: list[Operation] = []
    if any(isinstance(op, khal.WorkgroupAllocOp) for top in body_ops for op in top.walk()):
        _void_intrinsic("llvm.nvvm.barrier0", tail)
    loop_body.add_ops([*tail, scf.YieldOp()])
    prologue.append(scf.ForOp(start, upper.result, step, [], loop_body))
    block.insert_ops_before(prologue, ret)
    function.function_type = FunctionType.from_lists([a.type for a in block.args], [])
    return VirtualGrid(ids, counts)


# --------------------------------------------------------------------------- coarsening

GROUPS_PARAM = "__groups_x"
"""The parameter a coarsened kernel takes after its own: the logical workgroup count in x."""

_NOT_COARSENED = (
    khal.WorkgroupBarrierOp,
    khal.StorageBarrierOp,
    khal.WorkgroupAllocOp,
    khal.SubgroupReduceOp,
    khal.SubgroupBroadcastFirstOp,
    khal.SubgroupInvocationIdOp,
    khal.SubgroupSizeOp,
)


_Shape = tuple[list[Operation], SSAValue | None, list[Operation]]
"""A body's fast shape: its top-level ops, the guard of its one `if` (or None), the guarded ops."""


def _coarsen_shape(function: func.FuncOp) -> _Shape | None:
    """The body's fast shape (`_fast_shape`) where coarsening `function` is both valid and worth it,
    else None. Valid: a block may run several workgroups one after another when they never wait for or
    see each other (no barriers, workgroup memory or subgroup ops). Worth it: only the fast path gains
    (more loads in flight), so the body must have its shape; other kernels run as written."""
    if any(isinstance(op, _NOT_COARSENED) for op in function.walk()):
        return None
    block = function.body.block
    return _fast_shape([op for op in block.ops if op is not block.last_op])


_FAST_INNER = (khal.LoadOp, khal.StoreOp)
_UNSAFE_PURE = (
    arith.DivUIOp,
    arith.DivSIOp,
    arith.RemUIOp,
    arith.RemSIOp,
    arith.FloorDivSIOp,
    arith.CeilDivSIOp,
)


def _plain(op: Operation) -> bool:
    """An op the fast path may evaluate for any workgroup: no regions, no effects, no UB-prone division."""
    if op.regions or isinstance(op, _UNSAFE_PURE):
        return False
    return isinstance(op, (*_ID_OPS, khal.LenOp)) or is_side_effect_free(op)


def _fast_shape(body_ops: list[Operation]) -> _Shape | None:
    """(top-level ops, guard, guarded ops) when the body is straight-line code, optionally ending in one
    `scf.if` (no results, no else) around straight-line loads, stores and pure ops; else None."""
    guard, top, inner = None, [], body_ops
    last = body_ops[-1] if body_ops else None
    if isinstance(last, scf.IfOp):
        if last.results or last.false_region.blocks:
            return None
        guard, top = last.cond, body_ops[:-1]
        inner = [op for op in last.true_region.block.ops if not isinstance(op, scf.YieldOp)]
        if not all(_plain(op) for op in top):
            return None
    if not all(isinstance(op, _FAST_INNER) or _plain(op) for op in inner):
        return None
    return top, guard, inner


def _copy(
    ops: list[Operation], mapping: dict[SSAValue, SSAValue], wg: tuple[int, int, int], grid: VirtualGrid
) -> list[Operation]:
    """Clones of `ops` under `mapping` (extended with their results), ids lowered for `grid`, nested
    ones (inside an `if` or a loop of the clone) included."""
    out: list[Operation] = []
    for op in ops:
        if isinstance(op, _ID_OPS):
            mapping[op.results[0]] = _id(op, wg, out, grid)
            continue
        clone = op.clone(value_mapper=mapping)
        out.append(clone)
        for inner in [o for o in clone.walk() if isinstance(o, _ID_OPS) and o is not clone]:
            lowered: list[Operation] = []
            Rewriter.replace_op(inner, lowered, [_id(inner, wg, lowered, grid)])
    return out


def _split_at_first_store(ops: list[Operation]) -> tuple[list[Operation], list[Operation]]:
    for i, op in enumerate(ops):
        if isinstance(op, khal.StoreOp):
            return ops[:i], ops[i:]
    return ops, []


def _coarsen(
    function: func.FuncOp,
    factor: int,
    wg: tuple[int, int, int],
    shape: _Shape,
) -> None:
    """Run `factor` consecutive workgroups in x per block: block b runs workgroups `b * factor + j`,
    j = 0..factor-1, those below the `__groups_x` parameter (the logical count).

    Where the body has the fast shape (`_fast_shape`), a block whose `factor` workgroups all exist and
    all pass the guard runs them as one straight line: every workgroup's loads up to its first store,
    then each workgroup's rest in order. Each invocation still sees its own accesses in program order;
    only accesses of different workgroups are reordered, which no data-race-free kernel can observe.
    """
    block = function.body.block
    ret = block.last_op
    assert isinstance(ret, func.ReturnOp)
    body_ops = [op for op in block.ops if op is not ret]
    for op in body_ops:
        op.detach()
    groups = block.insert_arg(i32, len(block.args))
    groups.name_hint = GROUPS_PARAM
    prologue: list[Operation] = []
    first = _binop(arith.MuliOp, _sreg("ctaid.x", prologue), _const(factor, prologue), prologue)
    ids_yz = (_sreg("ctaid.y", prologue), _sreg("ctaid.z", prologue))
    counts_yz = (_sreg("nctaid.y", prologue), _sreg("nctaid.z", prologue))

    def grid_of(group: SSAValue) -> VirtualGrid:
        return VirtualGrid((group, *ids_yz), (groups, *counts_yz))

    # The general path: a loop of constant trip count (LLVM unrolls it), each workgroup guarded.
    general: list[Operation] = []
    lower, upper, step = _const(0, general), _const(factor, general), _const(1, general)
    loop_body = Block(arg_types=[i32])
    head: list[Operation] = []
    group = _binop(arith.AddiOp, first, loop_body.args[0], head)
    inside = arith.CmpiOp(group, groups, "ult")
    head.append(inside)
    mapping: dict[SSAValue, SSAValue] = {}
    copy = _copy(body_ops, mapping, wg, grid_of(group))
    head.append(scf.IfOp(inside.result, [], [*copy, scf.YieldOp()]))
    loop_body.add_ops([*head, scf.YieldOp()])
    general.append(scf.ForOp(lower, upper, step, [], loop_body))
    top, guard, inner = shape
    loads, rests, checks = [], [], []
    for j in range(factor):
        mapping = {}
        group_j = _binop(arith.AddiOp, first, _const(j, prologue), prologue) if j else first
        prologue += _copy(top, mapping, wg, grid_of(group_j))
        exists = arith.CmpiOp(group_j, groups, "ult")
        prologue.append(exists)
        checks.append(exists.result)
        if guard is not None:
            checks.append(mapping.get(guard, guard))
        head_j, rest_j = _split_at_first_store(inner)
        loads += _copy(head_j, mapping, wg, grid_of(group_j))
        rests += _copy(rest_j, mapping, wg, grid_of(group_j))
    every = checks[0]
    for check in checks[1:]:
        every = _binop(arith.AndIOp, every, check, prologue)
    prologue.append(scf.IfOp(every, [], [*loads, *rests, scf.YieldOp()], [*general, scf.YieldOp()]))
    block.insert_ops_before(prologue, ret)
    for op in body_ops:  # every path holds clones: the originals go, with their uses
        op.drop_all_references()
    for op in body_ops:
        op.erase(safe_erase=False)
    function.function_type = FunctionType.from_lists([a.type for a in block.args], [])


def _lower_ops(function: func.FuncOp, wg_size: tuple[int, int, int], grid: VirtualGrid | None) -> None:
    for op in list(function.walk()):
        ops: list[Operation] = []
        if isinstance(op, _ID_OPS):
            Rewriter.replace_op(op, ops, [_id(op, wg_size, ops, grid)])
        elif isinstance(op, khal.WorkgroupBarrierOp | khal.StorageBarrierOp):
            _barrier(op, ops)
            Rewriter.replace_op(op, ops, [])
        elif isinstance(op, khal.SubgroupReduceOp | khal.SubgroupBroadcastFirstOp):
            Rewriter.replace_op(op, ops, [_subgroup(op, ops)])


@dataclass(frozen=True)
class ConvertKhalToNVVMPass(ModulePass):
    """Turn each `khal.kernel` into a CUDA kernel function using NVVM intrinsics for ids and warps."""

    name = "convert-khal-to-nvvm"

    virtual_grid: bool = False
    """Compile the grid-stride variant whose workgroup counts come from parameters (see above)."""

    coarsen: int = 1
    """Run this many workgroups (consecutive in x) per block, in kernels that allow it (see above)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in [k for k in op.ops if isinstance(k, khal.KernelOp)]:
            wg = tuple(int(v) for v in kernel.workgroup_size.get_values())
            function = _kernel_function(kernel)
            op.body.block.insert_op_before(function, kernel)
            Rewriter.erase_op(kernel)
            grid = None
            if self.virtual_grid:
                grid = _virtualise(function)
            elif self.coarsen > 1 and (shape := _coarsen_shape(function)) is not None:
                _coarsen(function, self.coarsen, (wg[0], wg[1], wg[2]), shape)
            _lower_ops(function, (wg[0], wg[1], wg[2]), grid)
        for fn in [f for f in op.ops if isinstance(f, func.FuncOp) and CUDA_KERNEL_ATTR not in f.attributes]:
            for inner in fn.walk():
                if isinstance(inner, (*_ID_OPS, khal.WorkgroupBarrierOp, khal.StorageBarrierOp)):
                    raise op_error(inner, f"{inner.name} in a device function that was not inlined")


__all__ = [
    "CUDA_KERNEL_ATTR",
    "GRID_PARAMS",
    "GROUPS_PARAM",
    "WARP_SIZE",
    "ConvertKhalToNVVMPass",
    "VirtualGrid",
]
