"""`convert-khal-to-llvm`: khal's arrays, workgroup memory, atomics and structs to `llvm`.

Input: the CPU-ABI form (`func.func`s, after `khal-cpu-workgroup-loops`), or any `func.func` using
khal ops; ids, barriers, subgroup ops and `khal.print` must be gone (target passes lower them:
`khal-cpu-workgroup-loops`, `convert-khal-print-to-llvm` on the CPU) and are refused.

- Every `!khal.array` parameter of a `func.func` becomes two parameters in place, `(!llvm.ptr data,
  i64 len)`; call sites pass both. The pointer gets `llvm.nocapture`, plus `llvm.readonly` /
  `llvm.writeonly` from the array's access, and `llvm.noalias` with `noalias=true` (only valid
  when the runtime never passes one buffer twice).
- `khal.len` truncates the i64 length to i32. `khal.load`/`store` (and the workgroup forms) are a
  GEP over the element's memory type (index zero-extended: it is a u32) and a load/store of the
  register type with the element's natural alignment: a Vec3 is read as `<3 x float>` from a
  `[3 x float]` slot (12 bytes, align 4), a matrix column by column, a struct as a C-layout struct.
- `khal.workgroup_alloc` becomes an `llvm.alloca` of `[N x T]` (align 16) at the top of the
  function (`workgroup_memory=alloca`, the CPU: one workgroup runs per call), or an internal
  `llvm.mlir.global` in `workgroup_addr_space` (`workgroup_memory=global`, GPUs). With `alloca`, a
  function whose allocations (workgroup arrays and the per-invocation slots of
  `khal-cpu-workgroup-loops`) total more than `max_stack_bytes` takes them from one `malloc`ed block
  instead, freed at every return: a thread's stack (8 MiB for the main thread, often less for others)
  cannot hold a large workgroup's slots. More than `MAX_HEAP_WORKGROUP_BYTES` is a `CompileError`.
- Atomics become `atomicrmw` (float add is `fadd`), `cmpxchg`, and atomic loads/stores, all with
  `atomic_ordering` (default `monotonic`: WGSL's relaxed atomics; barriers and launch boundaries
  order the rest).
- Struct values are C-layout literal structs (vector fields as arrays): `struct_construct/extract/
  insert` are `insertvalue`/`extractvalue` plus array<->vector conversion.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, llvm, scf
from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    DictionaryAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    UnitAttr,
    UnrealizedConversionCastOp,
    VectorType,
    i8,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint, Rewriter

from khal.dialects import khal
from khal.dialects import llvm_ext as llx
from khal.passes.convert_khal_print_to_llvm import PrintLowering
from khal.passes.diagnostics import op_error
from khal.passes.llvm_common import (
    LoweringError,
    align_of,
    constant,
    declare_function,
    extract_value,
    from_llvm,
    icmp,
    insert_value,
    llvm_type,
    memory_to_value,
    memory_type,
    module_of,
    size_of,
    to_llvm,
    undef,
    value_to_memory,
)
from khal.passes.llvm_common import (
    ptr_type as llvm_ptr,
)

_REFUSED = (
    khal.KernelOp,
    khal.GlobalInvocationIdOp,
    khal.LocalInvocationIdOp,
    khal.WorkgroupIdOp,
    khal.NumWorkgroupsOp,
    khal.LocalInvocationIndexOp,
    khal.SubgroupSizeOp,
    khal.SubgroupInvocationIdOp,
    khal.SubgroupReduceOp,
    khal.SubgroupBroadcastFirstOp,
    khal.WorkgroupBarrierOp,
    khal.StorageBarrierOp,
    khal.PrintOp,
)

_RMW_KINDS = {
    khal.AtomicKind.ADD: "add",
    khal.AtomicKind.SUB: "sub",
    khal.AtomicKind.MIN: "min",
    khal.AtomicKind.MAX: "max",
    khal.AtomicKind.UMIN: "umin",
    khal.AtomicKind.UMAX: "umax",
    khal.AtomicKind.AND: "and",
    khal.AtomicKind.OR: "or",
    khal.AtomicKind.XOR: "xor",
    khal.AtomicKind.XCHG: "xchg",
}

_FLOAT_RMW_KINDS = {"add": "fadd", "sub": "fsub", "min": "fmin", "max": "fmax", "xchg": "xchg"}


@dataclass(frozen=True)
class _Options:
    array_addr_space: int
    workgroup_memory: str
    workgroup_addr_space: int
    atomic_ordering: str


# --------------------------------------------------------------------------- array parameters


def _prepend(block: Block, op: Operation) -> None:
    if block.first_op is None:
        block.add_op(op)
    else:
        block.insert_op_before(op, block.first_op)


def _array_cast(ptr: SSAValue, length: SSAValue, array_type: Attribute) -> UnrealizedConversionCastOp:
    return UnrealizedConversionCastOp.get([ptr, length], [array_type])


def _array_parts(array: SSAValue) -> tuple[SSAValue, SSAValue]:
    """The (data pointer, i64 length) that stand for an expanded `!khal.array` value."""
    owner = array.owner
    if isinstance(owner, UnrealizedConversionCastOp) and len(owner.inputs) == 2:
        return owner.inputs[0], owner.inputs[1]
    raise LoweringError(
        f"an array value of type {array.type} does not come from a function parameter: "
        "arrays cannot be stored, selected or passed through control flow"
    )


def _pointer_attrs(t: khal.ArrayType, noalias: bool) -> DictionaryAttr:
    attrs: dict[str, Attribute] = {"llvm.nocapture": UnitAttr()}
    if t.access_kind == khal.Access.READ:
        attrs["llvm.readonly"] = UnitAttr()
    elif t.access_kind == khal.Access.WRITE:
        attrs["llvm.writeonly"] = UnitAttr()
    if noalias:
        attrs["llvm.noalias"] = UnitAttr()
    return DictionaryAttr(attrs)


def _expand_array_params(fn: func.FuncOp, options: _Options, noalias: bool) -> None:
    inputs = list(fn.function_type.inputs)
    if not any(isinstance(t, khal.ArrayType) for t in inputs):
        return
    old_attrs = list(fn.arg_attrs) if fn.arg_attrs is not None else [DictionaryAttr({})] * len(inputs)
    new_inputs: list[Attribute] = []
    new_attrs: list[DictionaryAttr] = []
    ptr_type = llvm_ptr(options.array_addr_space)
    for t, attrs in zip(inputs, old_attrs, strict=True):
        if isinstance(t, khal.ArrayType):
            new_inputs += [ptr_type, i64]
            new_attrs += [
                DictionaryAttr({**attrs.data, **_pointer_attrs(t, noalias).data}),
                DictionaryAttr({}),
            ]
        else:
            new_inputs.append(t)
            new_attrs.append(attrs)
    if fn.body.blocks:
        entry = fn.body.blocks.first
        assert entry is not None
        position = 0
        for arg in tuple(entry.args):
            if not isinstance(arg.type, khal.ArrayType):
                position += 1
                continue
            ptr = entry.insert_arg(ptr_type, position)
            length = entry.insert_arg(i64, position + 1)
            if arg.name_hint:
                ptr.name_hint, length.name_hint = arg.name_hint, f"{arg.name_hint}_len"
            cast = _array_cast(ptr, length, arg.type)
            _prepend(entry, cast)
            arg.replace_all_uses_with(cast.results[0])
            entry.erase_arg(arg)
            position += 2
    fn.function_type = func.FunctionType.from_lists(new_inputs, list(fn.function_type.outputs))
    fn.arg_attrs = ArrayAttr(new_attrs)


def _expand_call(call: func.CallOp) -> None:
    if not any(isinstance(a.type, khal.ArrayType) for a in call.arguments):
        return
    args: list[SSAValue] = []
    for a in call.arguments:
        if isinstance(a.type, khal.ArrayType):
            args += list(_array_parts(a))
        else:
            args.append(a)
    new = func.CallOp(call.callee, args, list(call.result_types))
    new.attributes |= call.attributes
    Rewriter.replace_op(call, new)


# --------------------------------------------------------------------------- memory access


def _base_pointer(memory: SSAValue, ops: list[Operation]) -> SSAValue:
    if isinstance(memory.type, khal.ArrayType):
        return _array_parts(memory)[0]
    return to_llvm(memory, ops, _workgroup_ptr_type(memory))


def _workgroup_ptr_type(memory: SSAValue) -> Attribute:
    owner = memory.owner
    if isinstance(owner, UnrealizedConversionCastOp) and len(owner.inputs) == 1:
        return owner.inputs[0].type
    return llvm.LLVMPointerType()


def _index64(index: SSAValue, ops: list[Operation]) -> SSAValue:
    index = to_llvm(index, ops)
    assert isinstance(index.type, IntegerType)
    width = index.type.width.data
    if width == 64:
        return index
    new: Operation = llvm.ZExtOp(index, i64) if width < 64 else llvm.TruncOp(index, i64)
    ops.append(new)
    return new.results[0]


def _element_address(memory: SSAValue, index: SSAValue, element: Attribute, ops: list[Operation]) -> SSAValue:
    base = _base_pointer(memory, ops)
    gep = llvm.GEPOp.from_mixed_indices(
        base, [_index64(index, ops)], memory_type(element), result_type=base.type, inbounds=True
    )
    ops.append(gep)
    return gep.result


def load_value(addr: SSAValue, t: Attribute, ops: list[Operation]) -> SSAValue:
    """Load a `t` (register form) from an address laid out as `memory_type(t)`."""
    mem = memory_type(t)
    if isinstance(t, VectorType) and t.get_num_dims() == 2:
        value = undef(llvm_type(t), ops)
        col_type = llvm_type(VectorType(t.element_type, [t.get_shape()[1]]))
        for c in range(t.get_shape()[0]):
            gep = llvm.GEPOp(addr, [0, c], mem, result_type=addr.type, inbounds=True)
            load = llvm.LoadOp(gep, col_type, alignment=align_of(mem))
            ops += [gep, load]
            value = insert_value(value, load.dereferenced_value, [c], ops)
        return value
    load = llvm.LoadOp(addr, llvm_type(t), alignment=align_of(mem))
    ops.append(load)
    return load.dereferenced_value


def store_value(value: SSAValue, addr: SSAValue, t: Attribute, ops: list[Operation]) -> None:
    """Store a `t` (register form, already converted) at an address laid out as `memory_type(t)`."""
    mem = memory_type(t)
    if isinstance(t, VectorType) and t.get_num_dims() == 2:
        for c in range(t.get_shape()[0]):
            gep = llvm.GEPOp(addr, [0, c], mem, result_type=addr.type, inbounds=True)
            ops.append(gep)
            ops.append(llx.StoreOp(extract_value(value, [c], ops), gep.result, alignment=align_of(mem)))
        return
    ops.append(llx.StoreOp(value, addr, alignment=align_of(mem)))


class LenLowering(RewritePattern):
    """`khal.len` -> trunc of the i64 length parameter."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: khal.LenOp, rewriter: PatternRewriter, /) -> None:
        _, length = _array_parts(op.array)
        trunc = llvm.TruncOp(length, i32)
        rewriter.replace(op, trunc)


class LoadLowering(RewritePattern):
    """`khal.load` / `khal.workgroup_load` -> GEP + load."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, khal.LoadOp | khal.WorkgroupLoadOp):
            return
        memory = op.array if isinstance(op, khal.LoadOp) else op.memory
        t = op.result.type
        ops: list[Operation] = []
        addr = _element_address(memory, op.index, t, ops)
        value = load_value(addr, t, ops)
        rewriter.replace(op, ops, [from_llvm(value, t, ops)])


class StoreLowering(RewritePattern):
    """`khal.store` / `khal.workgroup_store` -> GEP + store."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, khal.StoreOp | khal.WorkgroupStoreOp):
            return
        memory = op.array if isinstance(op, khal.StoreOp) else op.memory
        t = op.value.type
        ops: list[Operation] = []
        addr = _element_address(memory, op.index, t, ops)
        store_value(to_llvm(op.value, ops), addr, t, ops)
        rewriter.replace(op, ops, [])


@dataclass
class WorkgroupAllocLowering(RewritePattern):
    """`khal.workgroup_alloc` -> an entry-block `llvm.alloca`, or an internal global."""

    options: _Options

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: khal.WorkgroupAllocOp, rewriter: PatternRewriter, /) -> None:
        t = op.result.type
        assert isinstance(t, khal.WorkgroupArrayType)
        storage = llvm.LLVMArrayType(t.size.data, memory_type(t.element_type))
        if self.options.workgroup_memory == "global":
            module = module_of(op)
            name = f"__khal_workgroup_{sum(1 for o in module.ops if isinstance(o, llvm.GlobalOp))}"
            space = self.options.workgroup_addr_space
            glob = llvm.GlobalOp(storage, name, "internal", addr_space=space, alignment=16)
            _prepend(module.body.block, glob)
            addr = llvm.AddressOfOp(name, llvm_ptr(space))
            ops: list[Operation] = [addr]
            rewriter.replace(op, ops, [from_llvm(addr.result, t, ops)])
            return
        if self.options.workgroup_memory != "alloca":
            raise LoweringError(
                f"workgroup_memory must be 'alloca' or 'global', not {self.options.workgroup_memory}"
            )
        entry = _function_entry(op)
        one = llvm.ConstantOp(IntegerAttr(1, i64), i64)
        alloca = llvm.AllocaOp(one.result, storage, alignment=16)
        rewriter.insert([one, alloca], InsertPoint.at_start(entry))
        ops = []
        rewriter.replace(op, ops, [from_llvm(alloca.res, t, ops)])


# Past this many bytes of workgroup memory and slots per workgroup, a CPU kernel is refused at compile time:
# no GPU could hold that much per workgroup either, and a malloc that large may fail.
MAX_HEAP_WORKGROUP_BYTES = 64 * 1024 * 1024
# Alignment of each allocation carved out of the heap block (malloc's, and the allocas').
_HEAP_ALIGN = 16


def _place_on_heap(fn: func.FuncOp, max_stack_bytes: int) -> None:
    """Carve `fn`'s workgroup allocations out of one malloc'd block when they overflow the stack budget."""
    allocs = [o for o in fn.walk() if isinstance(o, khal.WorkgroupAllocOp)]
    offsets: list[int] = []
    total = 0
    for alloc in allocs:
        t = alloc.result.type
        assert isinstance(t, khal.WorkgroupArrayType)
        offsets.append(total)
        size = t.size.data * size_of(memory_type(t.element_type))
        total += -(-size // _HEAP_ALIGN) * _HEAP_ALIGN
    if total <= max_stack_bytes:
        return
    if total > MAX_HEAP_WORKGROUP_BYTES:
        raise op_error(
            fn,
            f"kernel '{fn.sym_name.data}' needs {total} bytes per workgroup for its workgroup memory and the "
            f"values it keeps across barriers (at most {MAX_HEAP_WORKGROUP_BYTES} on the CPU): use a smaller "
            "workgroup or keep fewer values live across a barrier",
        )
    module = module_of(fn)
    ptr = llvm.LLVMPointerType()
    declare_function(module, "malloc", [i64], ptr)
    declare_function(module, "free", [ptr], llvm.LLVMVoidType())
    ops: list[Operation] = []
    block = llvm.CallOp("malloc", constant(total, i64, ops), return_type=ptr)
    ops += [block, *_abort_if_null(block.returned, fn.sym_name.data, total, module)]  # pyright: ignore
    Rewriter.insert_op(ops, InsertPoint.at_start(fn.body.blocks.first))  # pyright: ignore[reportArgumentType]
    for alloc, offset in zip(allocs, offsets, strict=True):
        gep = llvm.GEPOp.from_mixed_indices(block.returned, [offset], i8, result_type=ptr, inbounds=True)  # pyright: ignore
        cast: list[Operation] = [gep]
        Rewriter.replace_op(alloc, cast, [from_llvm(gep.result, alloc.result.type, cast)])
    for ret in [o for o in fn.walk() if isinstance(o, func.ReturnOp)]:
        Rewriter.insert_op(llvm.CallOp("free", block.returned), InsertPoint.before(ret))  # pyright: ignore


def _abort_if_null(block: SSAValue, kernel: str, size: int, module: ModuleOp) -> list[Operation]:
    """Say so and abort when malloc failed: carrying on would write through a null pointer."""
    ops: list[Operation] = []
    as_int = llvm.PtrToIntOp(block, i64)
    ops.append(as_int)
    failed = icmp("eq", as_int.output, constant(0, i64, ops), ops)
    printer = PrintLowering(module, flush=False)
    text = f"khal: kernel '{kernel}' could not allocate {size} bytes for its workgroup\n"
    then: list[Operation] = []
    message = printer.address(printer.string(text, "__khal_oom_"), then)
    declare_function(module, "printf", [llvm.LLVMPointerType()], i32, variadic=True)
    declare_function(module, "abort", [], llvm.LLVMVoidType())
    then += [llvm.CallOp("printf", message, return_type=i32, variadic_args=0), llvm.CallOp("abort")]
    ops.append(scf.IfOp(failed, [], [*then, scf.YieldOp()]))
    return ops


def _function_entry(op: Operation) -> Block:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, func.FuncOp | llvm.FuncOp):
        parent = parent.parent_op()
    if parent is None or not parent.body.blocks:
        raise LoweringError(
            "khal.workgroup_alloc must be inside a function (run khal-cpu-workgroup-loops first)"
        )
    return parent.body.blocks.first  # type: ignore[return-value]


@dataclass
class AtomicLowering(RewritePattern):
    """khal atomics -> `atomicrmw` / `cmpxchg` / atomic `load` / `store`."""

    options: _Options

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        ordering = self.options.atomic_ordering
        ops: list[Operation] = []
        if isinstance(op, khal.AtomicRMWOp):
            t = op.value.type
            kind = _RMW_KINDS[op.kind.data]
            if isinstance(t, AnyFloat):
                kind = _FLOAT_RMW_KINDS[kind]
            addr = _element_address(op.memory, op.index, t, ops)
            rmw = llx.AtomicRMWOp(kind, addr, to_llvm(op.value, ops), ordering, alignment=align_of(t))
            ops.append(rmw)
            rewriter.replace(op, ops, [rmw.res])
        elif isinstance(op, khal.AtomicCmpXchgOp):
            t = op.new.type
            addr = _element_address(op.memory, op.index, t, ops)
            failure = {"acq_rel": "acquire", "release": "monotonic"}.get(ordering, ordering)
            xchg = llx.AtomicCmpXchgOp(
                addr, to_llvm(op.expected, ops), to_llvm(op.new, ops), ordering, failure
            )
            ops.append(xchg)
            rewriter.replace(op, ops, [extract_value(xchg.res, [0], ops)])
        elif isinstance(op, khal.AtomicLoadOp):
            t = op.result.type
            addr = _element_address(op.memory, op.index, t, ops)
            load_ordering = {"release": "monotonic", "acq_rel": "acquire"}.get(ordering, ordering)
            load = llvm.LoadOp(addr, t, alignment=align_of(t), ordering=llx.ORDERINGS[load_ordering])
            ops.append(load)
            rewriter.replace(op, ops, [load.dereferenced_value])
        elif isinstance(op, khal.AtomicStoreOp):
            t = op.value.type
            addr = _element_address(op.memory, op.index, t, ops)
            store_ordering = {"acquire": "monotonic", "acq_rel": "release"}.get(ordering, ordering)
            ops.append(
                llx.StoreOp(
                    to_llvm(op.value, ops),
                    addr,
                    alignment=align_of(t),
                    ordering=llx.ORDERINGS[store_ordering],
                )
            )
            rewriter.replace(op, ops, [])


# --------------------------------------------------------------------------- structs


class StructLowering(RewritePattern):
    """`struct_construct/extract/insert` -> `insertvalue`/`extractvalue` (+ array<->vector)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        if isinstance(op, khal.StructConstructOp):
            t = op.result.type
            assert isinstance(t, khal.StructType)
            value = undef(llvm_type(t), ops)
            for i, (field, (_, ft)) in enumerate(zip(op.fields, t.fields, strict=True)):
                value = insert_value(value, value_to_memory(to_llvm(field, ops), ft, ops), [i], ops)
            rewriter.replace(op, ops, [from_llvm(value, t, ops)])
        elif isinstance(op, khal.StructExtractOp):
            t = op.struct.type
            assert isinstance(t, khal.StructType)
            i = t.field_index(op.field.data)
            ft = t.fields[i][1]
            value = memory_to_value(extract_value(to_llvm(op.struct, ops), [i], ops), ft, ops)
            rewriter.replace(op, ops, [from_llvm(value, ft, ops)])
        elif isinstance(op, khal.StructInsertOp):
            t = op.struct.type
            assert isinstance(t, khal.StructType)
            i = t.field_index(op.field.data)
            ft = t.fields[i][1]
            field = value_to_memory(to_llvm(op.value, ops), ft, ops)
            value = insert_value(to_llvm(op.struct, ops), field, [i], ops)
            rewriter.replace(op, ops, [from_llvm(value, t, ops)])


class StructSelectLowering(RewritePattern):
    """`arith.select` between struct values -> `llvm.select`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.SelectOp, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op.result.type, khal.StructType):
            return
        ops: list[Operation] = []
        sel = llx.SelectOp(to_llvm(op.cond, ops), to_llvm(op.lhs, ops), to_llvm(op.rhs, ops))
        ops.append(sel)
        rewriter.replace(op, ops, [from_llvm(sel.res, op.result.type, ops)])


# --------------------------------------------------------------------------- pass


@dataclass(frozen=True)
class ConvertKhalToLLVMPass(ModulePass):
    """Lower khal's memory, atomics, structs and print to the `llvm` dialect (arrays -> ptr + len)."""

    name = "convert-khal-to-llvm"

    array_addr_space: int = 0
    """Address space of array data pointers (1 = global on NVPTX)."""
    workgroup_memory: str = "alloca"
    """`alloca` (one workgroup per call, the CPU) or `global` (an internal global, GPUs)."""
    max_stack_bytes: int = 64 * 1024
    """With `alloca`: past this many bytes per function, workgroup allocations go to the heap."""
    workgroup_addr_space: int = 0
    """Address space of workgroup globals (3 = shared on NVPTX)."""
    atomic_ordering: str = "monotonic"
    """Ordering of every atomic access (`monotonic` = relaxed, or `seq_cst`, ...)."""
    noalias: bool = False
    """Mark array pointers `noalias` (only if one buffer is never passed twice)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.atomic_ordering not in llx.ORDERINGS or self.atomic_ordering in ("not_atomic", "unordered"):
            raise LoweringError(f"atomic_ordering {self.atomic_ordering} is not an LLVM atomicrmw ordering")
        for inner in op.walk():
            if isinstance(inner, _REFUSED):
                raise LoweringError(
                    f"convert-khal-to-llvm: {inner.name} must be lowered before (by khal-cpu-workgroup-loops "
                    "or convert-khal-print-to-llvm on the CPU, or the GPU target's pass)"
                )
        options = _Options(
            self.array_addr_space, self.workgroup_memory, self.workgroup_addr_space, self.atomic_ordering
        )
        for fn in [o for o in op.walk() if isinstance(o, func.FuncOp)]:
            _expand_array_params(fn, options, self.noalias)
            if self.workgroup_memory == "alloca":
                _place_on_heap(fn, self.max_stack_bytes)
        for call in [o for o in op.walk() if isinstance(o, func.CallOp)]:
            _expand_call(call)
        PatternRewriteWalker(
            GreedyRewritePatternApplier(
                [
                    WorkgroupAllocLowering(options),
                    LenLowering(),
                    LoadLowering(),
                    StoreLowering(),
                    AtomicLowering(options),
                    StructLowering(),
                    StructSelectLowering(),
                ]
            ),
            apply_recursively=False,
        ).rewrite_module(op)
        _erase_dead_array_casts(op)
        for inner in op.walk():
            if inner.dialect_name() == "khal":
                raise LoweringError(f"convert-khal-to-llvm: {inner.name} is not supported")


def _erase_dead_array_casts(module: ModuleOp) -> None:
    for cast in [o for o in module.walk() if isinstance(o, UnrealizedConversionCastOp)]:
        if len(cast.inputs) == 2 and isinstance(cast.results[0].type, khal.ArrayType):
            if cast.results[0].uses:
                user = next(iter(cast.results[0].uses)).operation
                raise LoweringError(f"convert-khal-to-llvm: an array parameter is still used by {user.name}")
            Rewriter.erase_op(cast)
