"""`khal-cpu-workgroup-loops`: a kernel becomes a function that runs a range of whole workgroups.

On a CPU one thread runs every invocation of a workgroup, so barriers become loop fission
(as PoCL does). Each `khal.kernel @k` becomes

    func.func @k(<params...>, %wg_begin, %wg_end, %nwg_x, %nwg_y, %nwg_z : i32)

whose body loops over the linear workgroup ids [wg_begin, wg_end) (linear = x + nwg_x*(y + nwg_y*z)).
Inside, the kernel body is split at every `khal.workgroup_barrier` / `khal.storage_barrier` into
straight-line *pieces*; each piece runs in a loop nest over the local invocation ids (z, y, x with x
innermost, so that LLVM vectorises across invocations).

- `scf.if` / `scf.for` / `scf.while` ops whose body holds a barrier stay at workgroup level: their
  condition, bounds and trip count must be uniform (the same for every invocation of the workgroup),
  else the kernel is rejected with a `CompileError`. Their bodies are split recursively.
- Uniform values are kernel parameters, workgroup ids and counts, constants, `khal.len`, loads from
  `read` arrays at uniform indices (nothing writes those), and effect-free ops (control flow included:
  the frontend's break flags and short-circuits; calls to device functions that touch no memory) of
  uniform values; loop-carried values of
  workgroup-level loops are uniform when both their initial and their yielded values are. Workgroup
  memory loads are never uniform. Top-level uniform ops of a piece are hoisted out of its invocation
  loops and run once per workgroup.
- A per-invocation value that lives across a piece boundary (including loop-carried and result
  values of workgroup-level control flow) is stored in a per-invocation slot, a
  `khal.workgroup_alloc` of workgroup-size elements indexed by the local invocation index, where it
  is defined, and reloaded where it is used. Ids, and short effect-free computations of ids and
  uniform values, are recomputed instead.
- Workgroup memory and slots are allocated once at the top of the function and reused by every
  workgroup the call runs.
- Subgroups have one invocation: `subgroup_size` is 1, `subgroup_invocation_id` 0, and
  `subgroup_reduce` / `subgroup_broadcast_first` return their operand.
- Device functions that use ids, barriers or subgroup ops are inlined into the kernel first.

The function carries `khal.workgroup_size`; array parameters stay `!khal.array` for
`convert-khal-to-llvm`.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import arith, func, scf
from xdsl.dialects.builtin import (
    DenseArrayBase,
    FunctionType,
    IndexType,
    IntegerAttr,
    ModuleOp,
    i1,
    i8,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import IsTerminator

from khal.dialects import khal
from khal.errors import CompileError
from khal.passes.diagnostics import op_error

# The uniformity rules are khal-verify-uniformity's, so that both passes accept the same kernels.
from khal.passes.inline import inline_call
from khal.passes.verify_uniformity import carried, divergent_barrier_error, uniform_values
from khal.passes.verify_uniformity import effect_free as _effect_free
from khal.passes.verify_uniformity import external_operands as _external_operands
from khal.passes.verify_uniformity import is_hoistable as _is_hoistable
from khal.passes.verify_uniformity import pure_functions as _pure_functions

_BARRIERS = (khal.WorkgroupBarrierOp, khal.StorageBarrierOp)
_WG_CONTROL = (scf.IfOp, scf.ForOp, scf.WhileOp)
# Ops whose value differs between the invocations of one workgroup.
_INVOCATION_IDS = (khal.GlobalInvocationIdOp, khal.LocalInvocationIdOp, khal.LocalInvocationIndexOp)
# Ops a device function may not keep after this pass: the CPU ABI has no ids, barriers or subgroups.
_NEEDS_INLINING = (
    *_INVOCATION_IDS,
    *_BARRIERS,
    khal.WorkgroupIdOp,
    khal.NumWorkgroupsOp,
    khal.SubgroupSizeOp,
    khal.SubgroupInvocationIdOp,
    khal.SubgroupReduceOp,
    khal.SubgroupBroadcastFirstOp,
)
_DIMS = ("x", "y", "z")
# A per-invocation value computed by at most this many pure ops from the ids is recomputed, not spilled.
_MAX_REMAT_OPS = 8
# Inlining deeper than this means a call cycle.
_MAX_INLINE_DEPTH = 64


# --------------------------------------------------------------------------- diagnostics


def _error(op: Operation | None, kernel: str, message: str) -> CompileError:
    """A CompileError at `op`'s source location (else an enclosing op's, if known), naming the kernel."""
    return op_error(op, f"{message} (in kernel '{kernel}')")


def _erase(op: Operation) -> None:
    op.detach()
    op.erase()


# --------------------------------------------------------------------------- inlining


def _needs_inlining(callee: func.FuncOp, module: ModuleOp, seen: set[str]) -> bool:
    """Does `callee`, or a function it calls, use ids, barriers or subgroup ops?"""
    name = callee.sym_name.data
    if name in seen:
        return False
    seen.add(name)
    for op in callee.walk():
        if isinstance(op, _NEEDS_INLINING):
            return True
        if isinstance(op, func.CallOp):
            inner = _lookup(module, op.callee.string_value())
            if inner is not None and _needs_inlining(inner, module, seen):
                return True
    return False


def _lookup(module: ModuleOp, name: str) -> func.FuncOp | None:
    for op in module.ops:
        if isinstance(op, func.FuncOp) and op.sym_name.data == name:
            return op
    return None


def _inline_call(call: func.CallOp, callee: func.FuncOp, kernel: str) -> None:
    """Replace `call` by a copy of `callee`'s single-block body (as `khal-inline` does)."""
    if len(callee.body.blocks) != 1:
        raise _error(call, kernel, f"cannot inline '{callee.sym_name.data}': its body is not one block")
    inline_call(call, callee)


def _inline_device_functions(kernel: khal.KernelOp, module: ModuleOp) -> set[str]:
    """Inline every call whose callee needs the kernel's ids/barriers; returns the inlined names."""
    name = kernel.sym_name.data
    inlined: set[str] = set()
    for _ in range(_MAX_INLINE_DEPTH):
        calls = [
            (op, callee)
            for op in kernel.walk()
            if isinstance(op, func.CallOp)
            and (callee := _lookup(module, op.callee.string_value())) is not None
            and not callee.is_declaration
            and _needs_inlining(callee, module, set())
        ]
        if not calls:
            return inlined
        for call, callee in calls:
            _inline_call(call, callee, name)
            inlined.add(callee.sym_name.data)
    raise _error(
        kernel, name, "device functions that use barriers or invocation ids call each other in a cycle"
    )


# --------------------------------------------------------------------------- the lowering


def _slot_type(t: Attribute) -> Attribute:
    """The element type a per-invocation slot stores a value of type `t` as."""
    if t == i1:
        return i8
    if isinstance(t, IndexType):
        return i64
    return t


@dataclass
class _Piece:
    """The loop body being built for one piece: its ops, and the values it made available."""

    lowering: _KernelLowering
    ivs: dict[str, SSAValue]
    prologue: list[Operation] = field(default_factory=list[Operation])
    ops: list[Operation] = field(default_factory=list[Operation])
    local: dict[SSAValue, SSAValue] = field(default_factory=dict[SSAValue, SSAValue])
    cached: dict[tuple[str, str], SSAValue] = field(default_factory=dict[tuple[str, str], SSAValue])

    def _emit(self, op: Operation) -> SSAValue:
        self.prologue.append(op)
        return op.results[0]

    def index(self) -> SSAValue:
        """The local invocation index `x + X*(y + Y*z)`, computed once per piece."""
        if ("index", "") not in self.cached:
            low = self.lowering
            value: SSAValue | None = None
            # Horner form from z inwards; dimensions of size 1 add nothing.
            for dim in reversed(_DIMS):
                size = low.wg_size[_DIMS.index(dim)]
                if size == 1:
                    continue
                if value is not None:
                    value = self._emit(arith.MuliOp(value, low.const(size)))
                    value = self._emit(arith.AddiOp(value, self.ivs[dim]))
                else:
                    value = self.ivs[dim]
            if value is not None and value.owner in self.prologue:
                value.name_hint = "lidx"
            self.cached["index", ""] = value if value is not None else low.const(0)
        return self.cached["index", ""]

    def id_value(self, op: Operation) -> SSAValue:
        """The value of an id op for the invocation this piece's loop body runs."""
        low = self.lowering
        if isinstance(op, khal.LocalInvocationIndexOp):
            return self.index()
        assert isinstance(op, khal._IdOp)  # pyright: ignore[reportPrivateUsage]
        dim = op.dim.data.value
        if isinstance(op, khal.LocalInvocationIdOp):
            return self.ivs[dim]
        if isinstance(op, khal.WorkgroupIdOp):
            return low.workgroup_id[dim]
        if isinstance(op, khal.NumWorkgroupsOp):
            return low.num_workgroups[dim]
        assert isinstance(op, khal.GlobalInvocationIdOp)
        key = ("global", dim)
        if key not in self.cached:
            size = low.wg_size[_DIMS.index(dim)]
            if size == 1:
                self.cached[key] = low.workgroup_id[dim]
            else:
                base = self._emit(arith.MuliOp(low.workgroup_id[dim], low.const(size)))
                self.cached[key] = self._emit(arith.AddiOp(base, self.ivs[dim]))
                self.cached[key].name_hint = f"gid_{dim}"
        return self.cached[key]

    def lookup(self, value: SSAValue) -> SSAValue:
        """`value` (of the kernel) as seen inside this piece: local, uniform, or reloaded from its slot."""
        if value in self.local:
            return self.local[value]
        low = self.lowering
        if value in low.uniform_map:
            return low.uniform_map[value]
        if value in low.slot_of:
            load = khal.WorkgroupLoadOp(low.slot_of[value], self.index())
            self.prologue.append(load)
            loaded = load.result
            if loaded.type != value.type:
                loaded = self._emit(_from_slot(loaded, value.type))
            loaded.name_hint = value.name_hint
            self.local[value] = loaded
            return loaded
        if value in low.remat:
            # Cheaper to recompute from the ids than to keep in memory.
            op = value.owner
            assert isinstance(op, Operation)
            if isinstance(op, khal._IdOp | khal._ScalarIdOp):  # pyright: ignore[reportPrivateUsage]
                result = self.id_value(op)
            else:
                new = op.clone(value_mapper={o: self.lookup(o) for o in op.operands})
                self.prologue.append(new)
                result = new.results[op.results.index(value)]  # pyright: ignore[reportArgumentType]
            self.local[value] = result
            return result
        raise AssertionError(f"value {value} has no definition in piece")  # a bug in this pass

    def store(self, value: SSAValue, slot: SSAValue) -> None:
        """Store `value` (already of this piece) into its per-invocation slot."""
        assert isinstance(slot.type, khal.WorkgroupArrayType)
        if value.type != slot.type.element_type:
            cast = _to_slot(value, slot.type.element_type)
            self.ops.append(cast)
            value = cast.results[0]
        self.ops.append(khal.WorkgroupStoreOp(value, slot, self.index()))

    def clone(self, op: Operation) -> None:
        """Copy `op` (a top-level op of the piece) into the loop body, ids replaced."""
        if isinstance(op, khal._IdOp | khal._ScalarIdOp):  # pyright: ignore[reportPrivateUsage]
            self.local[op.results[0]] = self.id_value(op)
            return
        mapper = {operand: self.lookup(operand) for operand in _external_operands(op)}
        new = op.clone(value_mapper=mapper)
        for nested in list(new.walk()):
            if isinstance(nested, khal._IdOp | khal._ScalarIdOp):  # pyright: ignore[reportPrivateUsage]
                nested.results[0].replace_all_uses_with(self.id_value(nested))
                _erase(nested)
        self.ops.append(new)
        for old, result in zip(op.results, new.results, strict=True):
            self.local[old] = result


def _to_slot(value: SSAValue, slot_type: Attribute) -> Operation:
    if isinstance(value.type, IndexType):
        return arith.IndexCastOp(value, slot_type)
    return arith.ExtUIOp(value, slot_type)


def _from_slot(value: SSAValue, t: Attribute) -> Operation:
    if isinstance(t, IndexType):
        return arith.IndexCastOp(value, t)
    return arith.TruncIOp(value, t)


class _KernelLowering:
    """Lowers one kernel (already free of barrier-using calls and subgroup ops) to its CPU function."""

    def __init__(self, kernel: khal.KernelOp, pure_callees: AbstractSet[str] = frozenset()):
        self.kernel = kernel
        self.pure_callees = pure_callees
        self.name = kernel.sym_name.data
        self.wg_size = kernel.wg_size
        self.wg_count = self.wg_size[0] * self.wg_size[1] * self.wg_size[2]
        # Barrier-holding control-flow ops, kept at workgroup level.
        self.wg_ops: dict[Operation, None] = {}  # ordered, so that output is deterministic
        # Piece number of every top-level op of a workgroup-level block (and of each block's terminator).
        self.piece_of: dict[Operation, int] = {}
        self.uniform: set[SSAValue] = set()
        # Per-invocation values cheap to recompute in any piece: ids and short pure chains of them.
        self.remat: set[SSAValue] = set()
        # Loop-carried / result values of workgroup-level ops found not to be uniform.
        self.varying_carried: set[SSAValue] = set()
        # Old uniform value -> its value at workgroup level in the new function.
        self.uniform_map: dict[SSAValue, SSAValue] = {}
        # Old per-invocation value -> the slot (new `khal.workgroup_alloc`) that carries it.
        self.slot_of: dict[SSAValue, SSAValue] = {}
        self.entry = Block(arg_types=[*kernel.function_type.inputs.data, i32, i32, i32, i32, i32])
        self.allocs: list[Operation] = []
        self.constants: dict[tuple[int, Attribute], SSAValue] = {}
        self.workgroup_id: dict[str, SSAValue] = {}
        self.num_workgroups: dict[str, SSAValue] = {}

    # ----------------------------------------------------------------- helpers

    def const(self, value: int, t: Attribute = i32) -> SSAValue:
        """An integer constant, made once at the top of the function."""
        key = (value, t)
        if key not in self.constants:
            op = arith.ConstantOp(IntegerAttr(value, t))
            self.allocs.append(op)
            self.constants[key] = op.result
        return self.constants[key]

    def new_slot(self, t: Attribute, hint: str | None, at: Operation) -> SSAValue:
        """A per-invocation slot for values of type `t` (defined by `at`, where an error points)."""
        element = _slot_type(t)
        if not khal.is_value_type(element):
            raise _error(at, self.name, f"a value of type {t} cannot live across a workgroup barrier")
        alloc = khal.WorkgroupAllocOp(element, self.wg_count)
        alloc.result.name_hint = f"{hint}_slot" if hint else "slot"
        self.allocs.append(alloc)
        return alloc.result

    # ----------------------------------------------------------------- analysis

    def _mark(self, op: Operation) -> bool:
        """Record the barrier-holding ops under `op`; True when `op` holds or is a barrier."""
        found = isinstance(op, _BARRIERS)
        for region in op.regions:
            for block in region.blocks:
                for inner in block.ops:
                    found |= self._mark(inner)
        if found and op.regions and op is not self.kernel:
            if not isinstance(op, _WG_CONTROL):
                raise _error(op, self.name, f"a workgroup barrier inside '{op.name}' is not supported")
            self.wg_ops[op] = None
        return found

    def _wg_blocks(self, op: Operation) -> list[Block]:
        return [block for region in op.regions for block in region.blocks]

    def _partition(self, block: Block, counter: list[int]) -> None:
        """Number the pieces of `block`: a barrier or a workgroup-level op ends the current piece."""
        for op in block.ops:
            if isinstance(op, _BARRIERS):
                counter[0] += 1
            elif op in self.wg_ops:
                # The op's own operands (initial values to store) belong to the piece before it.
                self.piece_of[op] = counter[0]
                counter[0] += 1
                for inner in self._wg_blocks(op):
                    self._partition(inner, counter)
                    counter[0] += 1
            else:
                self.piece_of[op] = counter[0]

    def _compute_uniform(self) -> set[SSAValue]:
        return uniform_values(self.kernel, self.wg_ops.keys(), self.varying_carried, self.pure_callees)

    def analyse(self) -> None:
        """Find the workgroup-level ops, the pieces, the uniform values and the slots."""
        # Workgroup memory is the same for the whole workgroup wherever it is allocated: allocate it first.
        entry = self.kernel.body.block
        allocs = [op for op in self.kernel.walk() if isinstance(op, khal.WorkgroupAllocOp)]
        for alloc in reversed(allocs):  # each goes first: reversed keeps their order
            alloc.detach()
            entry.insert_op_before(alloc, entry.first_op) if entry.first_op else entry.add_op(alloc)
        self._mark(self.kernel)
        self._partition(self.kernel.body.block, [0])
        # Optimistic fixpoint: carried values start uniform and turn varying when a source is.
        while True:
            self.uniform = self._compute_uniform()
            changed = False
            for op in self.wg_ops:
                for values, sources in carried(op):
                    if values[0] in self.varying_carried:
                        continue
                    if not all(s in self.uniform for s in sources):
                        self.varying_carried.update(values)
                        changed = True
            if not changed:
                break
        self._find_rematerialisable()
        self._assign_slots()

    def _use_piece(self, user: Operation) -> int | None:
        while user not in self.piece_of:
            parent = user.parent_op()
            if parent is None:
                return None
            user = parent
        return self.piece_of[user]

    def _find_rematerialisable(self) -> None:
        """Per-invocation values a piece recomputes (from ids and uniform values) instead of reloading."""
        # The pure ops (ids excluded: a piece computes those once) each value would recompute.
        slice_of: dict[SSAValue, frozenset[Operation]] = {}
        for op in self.piece_of:
            if op in self.wg_ops or not op.results:
                continue
            if isinstance(op, _INVOCATION_IDS):
                ops: frozenset[Operation] = frozenset()
            elif not op.regions and not isinstance(op, khal.LoadOp | func.CallOp) and _is_hoistable(op):
                varying = [o for o in op.operands if o not in self.uniform]
                if not all(o in slice_of for o in varying):
                    continue
                ops = frozenset([op]).union(*(slice_of[o] for o in varying))
            else:
                continue
            if len(ops) <= _MAX_REMAT_OPS:
                for result in op.results:
                    slice_of[result] = ops
        self.remat = set(slice_of)

    def _assign_slots(self) -> None:
        # Varying carried values: one slot per group, shared by the values the group ties together.
        for op in self.wg_ops:
            for values, sources in carried(op):
                if values[0] in self.varying_carried:
                    # A while loop's condition forwarding a varying loop value as it is (the usual
                    # case) hands over that value's slot: no copy each iteration.
                    forwarded = (
                        isinstance(op, scf.WhileOp) and len(sources) == 1 and sources[0] in self.slot_of
                    )
                    if forwarded and sources[0].owner is op.before_region.block:  # pyright: ignore
                        slot = self.slot_of[sources[0]]
                    else:
                        slot = self.new_slot(values[0].type, values[0].name_hint, op)
                    for v in values:
                        self.slot_of[v] = slot
        # Per-invocation values used in another piece than their own.
        for op, piece in self.piece_of.items():
            if op in self.wg_ops:
                continue
            for result in op.results:
                if result in self.uniform or result in self.remat:
                    continue
                if any(self._use_piece(use.operation) != piece for use in result.uses):
                    self.slot_of[result] = self.new_slot(result.type, result.name_hint, op)

    # ----------------------------------------------------------------- emission

    def lower(self) -> func.FuncOp:
        """Build the CPU function of the kernel."""
        self.analyse()
        args = self.entry.args
        params = len(self.kernel.args)
        for old, new in zip(self.kernel.args, args[:params], strict=True):
            self.uniform_map[old] = new
            new.name_hint = old.name_hint
        wg_begin, wg_end, *nwg = args[params:]
        for value, hint in zip(args[params:], ("wg_begin", "wg_end", "nwg_x", "nwg_y", "nwg_z"), strict=True):
            value.name_hint = hint
        self.num_workgroups = dict(zip(_DIMS, nwg, strict=True))

        # Workgroup memory: allocated once per call, shared by the pieces of each workgroup in turn.
        memory: list[Operation] = []
        for op in list(self.kernel.walk()):
            if isinstance(op, khal.WorkgroupAllocOp):
                new = khal.WorkgroupAllocOp(op.result.type.element_type, op.result.type.size.data)
                new.result.name_hint = op.result.name_hint
                memory.append(new)
                self.uniform_map[op.result] = new.result

        body = Block(arg_types=[i32])
        wg = body.args[0]
        wg.name_hint = "wg"
        rest = self._emit(arith.DivUIOp(wg, nwg[0]), body)
        self.workgroup_id = {
            "x": self._emit(arith.RemUIOp(wg, nwg[0]), body),
            "y": self._emit(arith.RemUIOp(rest, nwg[1]), body),
            "z": self._emit(arith.DivUIOp(rest, nwg[1]), body),
        }
        for dim, value in self.workgroup_id.items():
            value.name_hint = f"wg_{dim}"
        self.emit_block(self.kernel.body.block, body, [])
        body.add_op(scf.YieldOp())
        loop = scf.ForOp(wg_begin, wg_end, self.const(1), [], body)
        # Drop the workgroup-id ops no piece used (their users count is exact by now).
        for value in [*self.workgroup_id.values(), rest]:
            if not value.uses:
                _erase(value.owner)  # pyright: ignore[reportArgumentType]

        for op in [*memory, *self.allocs]:
            self.entry.add_op(op)
        self.entry.add_op(loop)
        self.entry.add_op(func.ReturnOp())
        function = func.FuncOp(
            self.name,
            FunctionType.from_lists([a.type for a in args], []),
            Region(self.entry),
        )
        function.attributes["khal.workgroup_size"] = DenseArrayBase.from_list(i64, list(self.wg_size))
        function.location = self.kernel.location
        return function

    @staticmethod
    def _emit(op: Operation, block: Block) -> SSAValue:
        block.add_op(op)
        return op.results[0]

    def emit_block(self, block: Block, out: Block, tail: list[tuple[SSAValue, SSAValue]]) -> None:
        """Emit the non-terminator ops of a workgroup-level `block` into `out`.

        `tail` lists (value, slot) stores to run per invocation at the end of the block.
        """
        pending: list[Operation] = []
        for op in block.ops:
            if op is block.last_op and op.has_trait(IsTerminator):
                break
            if isinstance(op, _BARRIERS):
                self.emit_piece(pending, [], out)
                pending = []
            elif op in self.wg_ops:
                self.emit_piece(pending, self._initial_stores(op), out)
                pending = []
                self.emit_wg_op(op, out)
            else:
                pending.append(op)
        self.emit_piece(pending, tail, out)

    def _initial_stores(self, op: Operation) -> list[tuple[SSAValue, SSAValue]]:
        """The stores of varying initial values into their slots, before a workgroup-level loop."""
        if isinstance(op, scf.ForOp):
            pairs = zip(op.body.block.args[1:], op.iter_args, strict=True)
        elif isinstance(op, scf.WhileOp):
            pairs = zip(op.before_region.block.args, op.arguments, strict=True)
        else:
            return []
        return [(init, self.slot_of[arg]) for arg, init in pairs if arg in self.slot_of]

    def emit_piece(self, ops: list[Operation], stores: list[tuple[SSAValue, SSAValue]], out: Block) -> None:
        """Emit one piece: hoisted uniform ops, then a loop nest over the invocations."""
        varying: list[Operation] = []
        for op in ops:
            if op.results and all(r in self.uniform for r in op.results):
                self._hoist(op, out)
            else:
                varying.append(op)
        if not varying and not stores:
            return
        ivs: dict[str, SSAValue] = {
            d: self.const(0) for d, s in zip(_DIMS, self.wg_size, strict=True) if s == 1
        }
        loops: list[tuple[str, Block]] = []
        for dim, size in reversed(list(zip(_DIMS, self.wg_size, strict=True))):
            if size == 1:
                continue
            loop_body = Block(arg_types=[i32])
            loop_body.args[0].name_hint = f"l{dim}"
            ivs[dim] = loop_body.args[0]
            loops.append((dim, loop_body))
        piece = _Piece(self, ivs)
        for op in varying:
            # Ids are made on first use; recomputable values used only by other pieces are made there.
            if not self._made_on_demand(op):
                piece.clone(op)
        for op in varying:
            for result in op.results:
                if result in self.slot_of:
                    piece.store(piece.local[result], self.slot_of[result])
        for value, slot in stores:
            piece.store(piece.lookup(value), slot)
        body_ops = _drop_dead(piece.prologue + piece.ops)
        if not body_ops:
            return  # only ids, which later pieces make for themselves
        if not loops:
            for op in body_ops:
                out.add_op(op)
            return
        inner = loops[-1][1]
        inner.add_ops([*body_ops, scf.YieldOp()])
        # Wrap from the innermost loop outwards: x in y in z.
        for i in range(len(loops) - 1, -1, -1):
            dim, loop_body = loops[i]
            loop = scf.ForOp(
                self.const(0), self.const(self.wg_size[_DIMS.index(dim)]), self.const(1), [], loop_body
            )
            if i == 0:
                out.add_op(loop)
            else:
                loops[i - 1][1].add_ops([loop, scf.YieldOp()])

    def _made_on_demand(self, op: Operation) -> bool:
        if isinstance(op, _INVOCATION_IDS):
            return True
        if not op.results or not all(r in self.remat for r in op.results):
            return False
        piece = self.piece_of[op]
        return all(self._use_piece(use.operation) != piece for r in op.results for use in r.uses)

    def _hoist(self, op: Operation, out: Block) -> None:
        """Run a uniform op once per workgroup."""
        if isinstance(op, khal.WorkgroupIdOp):
            self.uniform_map[op.result] = self.workgroup_id[op.dim.data.value]
            return
        if isinstance(op, khal.NumWorkgroupsOp):
            self.uniform_map[op.result] = self.num_workgroups[op.dim.data.value]
            return
        if isinstance(op, khal.WorkgroupAllocOp):
            return  # already allocated at the top of the function
        new = op.clone(value_mapper={o: self.uniform_map[o] for o in _external_operands(op)})
        for nested in list(new.walk()):
            if isinstance(nested, khal.WorkgroupIdOp | khal.NumWorkgroupsOp) and nested is not new:
                ids = self.workgroup_id if isinstance(nested, khal.WorkgroupIdOp) else self.num_workgroups
                nested.result.replace_all_uses_with(ids[nested.dim.data.value])
                _erase(nested)
        out.add_op(new)
        for old, result in zip(op.results, new.results, strict=True):
            self.uniform_map[old] = result

    def _require_uniform(self, value: SSAValue, op: Operation, what: str) -> SSAValue:
        if value not in self.uniform:
            # khal-verify-uniformity rejects this first in a pipeline; run alone, this pass says the same.
            raise divergent_barrier_error(op, self.name, what)
        return self.uniform_map[value]

    def _yield_values(self, values: list[SSAValue], carried: list[SSAValue]) -> list[SSAValue]:
        """The uniform values among `values` (whose targets are `carried`), as workgroup-level values."""
        return [self.uniform_map[v] for v, c in zip(values, carried, strict=True) if c not in self.slot_of]

    def _tail_stores(
        self, values: list[SSAValue], carried: list[SSAValue]
    ) -> list[tuple[SSAValue, SSAValue]]:
        # A value already in the target slot (a loop value passed on unchanged) needs no store.
        return [
            (v, self.slot_of[c])
            for v, c in zip(values, carried, strict=True)
            if c in self.slot_of and self.slot_of.get(v) is not self.slot_of[c]
        ]

    def _new_block(self, old: Block) -> Block:
        """A block with the uniform arguments of `old` (the varying ones live in slots)."""
        kept = [a for a in old.args if a not in self.slot_of]
        new = Block(arg_types=[a.type for a in kept])
        for a, b in zip(kept, new.args, strict=True):
            self.uniform_map[a] = b
            b.name_hint = a.name_hint
        return new

    def _map_results(self, op: Operation, new: Operation) -> None:
        kept = [r for r in op.results if r not in self.slot_of]
        for a, b in zip(kept, new.results, strict=True):
            self.uniform_map[a] = b
            b.name_hint = a.name_hint

    def emit_wg_op(self, op: Operation, out: Block) -> None:
        """Emit a barrier-holding `scf.if`/`scf.for`/`scf.while` at workgroup level."""
        if isinstance(op, scf.IfOp):
            self._emit_if(op, out)
        elif isinstance(op, scf.ForOp):
            self._emit_for(op, out)
        else:
            assert isinstance(op, scf.WhileOp)
            self._emit_while(op, out)

    def _emit_if(self, op: scf.IfOp, out: Block) -> None:
        cond = self._require_uniform(op.cond, op, "an 'if' condition")
        results = list(op.results)
        regions: list[Region] = []
        for region in (op.true_region, op.false_region):
            if not region.blocks:
                regions.append(Region())
                continue
            old = region.block
            terminator = old.last_op
            assert terminator is not None
            values = list(terminator.operands)
            new = Block()
            self.emit_block(old, new, self._tail_stores(values, results))
            new.add_op(scf.YieldOp(*self._yield_values(values, results)))
            regions.append(Region(new))
        kept = [r.type for r in results if r not in self.slot_of]
        new_if = scf.IfOp(cond, kept, regions[0], regions[1])
        out.add_op(new_if)
        self._map_results(op, new_if)

    def _emit_for(self, op: scf.ForOp, out: Block) -> None:
        what = "the bounds of a loop"
        lb = self._require_uniform(op.lb, op, what)
        ub = self._require_uniform(op.ub, op, what)
        step = self._require_uniform(op.step, op, what)
        old = op.body.block
        carried = list(old.args[1:])
        inits = [
            self.uniform_map[v] for v, c in zip(op.iter_args, carried, strict=True) if c not in self.slot_of
        ]
        new = self._new_block(old)
        yield_op = old.last_op
        assert yield_op is not None
        values = list(yield_op.operands)
        self.emit_block(old, new, self._tail_stores(values, carried))
        new.add_op(scf.YieldOp(*self._yield_values(values, carried)))
        loop = scf.ForOp(lb, ub, step, inits, new)
        out.add_op(loop)
        self._map_results(op, loop)

    def _emit_while(self, op: scf.WhileOp, out: Block) -> None:
        before, after = op.before_region.block, op.after_region.block
        carried = list(before.args)
        inits = [
            self.uniform_map[v] for v, c in zip(op.arguments, carried, strict=True) if c not in self.slot_of
        ]
        condition = before.last_op
        assert isinstance(condition, scf.ConditionOp)
        new_before = self._new_block(before)
        forwarded = list(after.args)
        cond_values = list(condition.args)
        self.emit_block(before, new_before, self._tail_stores(cond_values, forwarded))
        cond = self._require_uniform(condition.condition, op, "a 'while' condition")
        new_before.add_op(scf.ConditionOp(cond, *self._yield_values(cond_values, forwarded)))

        new_after = self._new_block(after)
        yield_op = after.last_op
        assert yield_op is not None
        values = list(yield_op.operands)
        self.emit_block(after, new_after, self._tail_stores(values, carried))
        new_after.add_op(scf.YieldOp(*self._yield_values(values, carried)))
        kept = [r.type for r in op.results if r not in self.slot_of]
        loop = scf.WhileOp(inits, kept, Region(new_before), Region(new_after))
        out.add_op(loop)
        self._map_results(op, loop)


def _drop_dead(ops: list[Operation]) -> list[Operation]:
    """`ops` without the side-effect-free ones nothing uses (values that only other pieces needed)."""
    kept: list[Operation] = []
    for op in reversed(ops):
        if op.results and _effect_free(op) and not any(r.uses for r in op.results):
            op.erase()
            continue
        kept.append(op)
    return kept[::-1]


def _drop_subgroups(kernel: khal.KernelOp) -> None:
    """A CPU subgroup is one invocation: size 1, lane 0, reductions and broadcasts are the identity."""
    for op in list(kernel.walk()):
        if isinstance(op, khal.SubgroupReduceOp | khal.SubgroupBroadcastFirstOp):
            op.result.replace_all_uses_with(op.value)
            _erase(op)
        elif isinstance(op, khal.SubgroupSizeOp | khal.SubgroupInvocationIdOp):
            value = 1 if isinstance(op, khal.SubgroupSizeOp) else 0
            const = arith.ConstantOp(IntegerAttr(value, i32))
            parent = op.parent_block()
            assert parent is not None
            parent.insert_op_before(const, op)
            op.result.replace_all_uses_with(const.result)
            _erase(op)


@dataclass(frozen=True)
class CpuWorkgroupLoopsPass(ModulePass):
    """Turn every `khal.kernel` into a `func.func` that runs a range of whole workgroups on one thread."""

    name = "khal-cpu-workgroup-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        inlined: set[str] = set()
        for kernel in [k for k in op.ops if isinstance(k, khal.KernelOp)]:
            inlined |= _inline_device_functions(kernel, op)
            _drop_subgroups(kernel)
            function = _KernelLowering(kernel, _pure_functions(op)).lower()
            op.body.block.insert_op_before(function, kernel)
            _erase(kernel)
        # Device functions inlined for their ids or barriers can not be lowered on their own.
        called = {c.callee.string_value() for c in op.walk() if isinstance(c, func.CallOp)}
        for name in inlined - called:
            callee = _lookup(op, name)
            if callee is not None:
                _erase(callee)


__all__ = ["CpuWorkgroupLoopsPass"]
