"""Shared pieces of the `convert-*-to-llvm` passes: the type converter and value materialisation.

Every lowering pass converts the ops it owns and leaves the rest alone. Where a lowered op meets
a value of a not-yet-converted type (or produces one for a not-yet-converted user) it bridges the
two with `builtin.unrealized_conversion_cast`, as MLIR's partial conversions do; the casts cancel
out in `reconcile-unrealized-casts` at the end of the pipeline. The passes can therefore run in
any order, except that `convert-scf-to-cf` emits arith and must precede `convert-arith-to-llvm`.

Value types (`llvm_type`) and memory types (`memory_type`) differ for vectors and matrices:

| khal / builtin type       | in registers                 | in memory (host layout)        |
| ------------------------- | ---------------------------- | ------------------------------ |
| `index`                   | `i64`                        | -                              |
| `vector<N x T>`           | `vector<N x T>`              | `!llvm.array<N x T>`           |
| `vector<C x R x T>`       | `!llvm.array<C x vector<R x T>>` | `!llvm.array<C x array<R x T>>` |
| `!khal.struct<...>`       | literal struct of the fields' memory types (C layout) | same |
| `!khal.workgroup_array`   | `!llvm.ptr`                  | -                              |

A vector is never addressed through its LLVM vector type in memory (`<3 x float>` occupies 16
bytes there, numpy's Vec3 12): loads and stores use the array type's address and `align` of T.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseArrayBase,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    FunctionType,
    IndexType,
    IntAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    UnrealizedConversionCastOp,
    VectorType,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.rewriter import Rewriter
from xdsl.utils.exceptions import DiagnosticException

from khal.dialects import khal
from khal.dialects import llvm_ext as llx


class LoweringError(DiagnosticException):
    """IR that the LLVM lowerings cannot handle (the message names the op and the reason)."""


# --------------------------------------------------------------------------- types


def ptr_type(addr_space: int = 0) -> llvm.LLVMPointerType:
    """`!llvm.ptr` (address space 0) or `!llvm.ptr<N>`."""
    return llvm.LLVMPointerType(IntAttr(addr_space)) if addr_space else llvm.LLVMPointerType()


def llvm_type(t: Attribute, workgroup_addr_space: int = 0) -> Attribute:
    """The type that holds a value of `t` in LLVM registers (see the module docstring)."""
    if isinstance(t, IndexType):
        return i64
    if isinstance(t, VectorType):
        elem = llvm_type(t.element_type)
        shape = t.get_shape()
        if len(shape) == 1:
            return VectorType(elem, shape)
        if len(shape) == 2:
            return llvm.LLVMArrayType(shape[0], VectorType(elem, [shape[1]]))
        raise LoweringError(f"no LLVM type for {t}: only 1-D vectors and 2-D matrices are supported")
    if isinstance(t, khal.StructType):
        return memory_type(t)
    if isinstance(t, khal.WorkgroupArrayType):
        return ptr_type(workgroup_addr_space)
    if isinstance(t, khal.ArrayType):
        raise LoweringError(f"{t} only exists as a function parameter (convert-khal-to-llvm expands it)")
    if isinstance(t, FunctionType):
        return FunctionType.from_lists(
            [llvm_type(i, workgroup_addr_space) for i in t.inputs],
            [llvm_type(o, workgroup_addr_space) for o in t.outputs],
        )
    if isinstance(t, llvm.LLVMArrayType):
        return llvm.LLVMArrayType(t.size.data, llvm_type(t.type))
    if isinstance(t, llvm.LLVMStructType):
        return llvm.LLVMStructType.from_type_list([llvm_type(f) for f in t.types])
    return t


def memory_type(t: Attribute) -> Attribute:
    """The LLVM type of a `t` stored in memory, laid out as numpy lays it out on the host."""
    if isinstance(t, IntegerType) and t.width.data == 1:
        raise LoweringError("a bool (i1) has no memory layout; store it as i8")
    if isinstance(t, IntegerType | AnyFloat):
        return t
    if isinstance(t, VectorType):
        elem = memory_type(t.element_type)
        shape = t.get_shape()
        if len(shape) == 1:
            return llvm.LLVMArrayType(shape[0], elem)
        if len(shape) == 2:
            return llvm.LLVMArrayType(shape[0], llvm.LLVMArrayType(shape[1], elem))
    if isinstance(t, khal.StructType):
        return llvm.LLVMStructType.from_type_list([memory_type(ft) for _, ft in t.fields])
    if isinstance(t, llvm.LLVMArrayType | llvm.LLVMStructType):
        return t
    raise LoweringError(f"{t} cannot be stored in memory")


def scalar_size(t: Attribute) -> int:
    """Bytes of an integer or float type."""
    if isinstance(t, IntegerType):
        return max(1, (t.width.data + 7) // 8)
    if isinstance(t, Float16Type):
        return 2
    if isinstance(t, Float32Type):
        return 4
    if isinstance(t, Float64Type):
        return 8
    if isinstance(t, llvm.LLVMPointerType):
        return 8
    raise LoweringError(f"no size for {t}")


def align_of(t: Attribute) -> int:
    """Natural (C / numpy aligned) alignment of a memory type."""
    if isinstance(t, llvm.LLVMArrayType):
        return align_of(t.type)
    if isinstance(t, llvm.LLVMStructType):
        return max((align_of(f) for f in t.types), default=1)
    if isinstance(t, VectorType):
        return align_of(t.element_type)
    return scalar_size(t)


def size_of(t: Attribute) -> int:
    """Bytes of a memory type with C layout (struct padding included)."""
    if isinstance(t, llvm.LLVMArrayType):
        return t.size.data * size_of(t.type)
    if isinstance(t, llvm.LLVMStructType):
        offset = 0
        for f in t.types:
            a = align_of(f)
            offset = (offset + a - 1) // a * a + size_of(f)
        a = align_of(t)
        return (offset + a - 1) // a * a
    return scalar_size(t)


def element_type(t: Attribute) -> Attribute:
    """The element of a vector type, or `t` itself."""
    return t.element_type if isinstance(t, VectorType) else t


def is_converted(t: Attribute) -> bool:
    """Whether `t` is already the LLVM type that holds its values."""
    return llvm_type(t) == t


# --------------------------------------------------------------------------- materialisation


def to_llvm(value: SSAValue, ops: list[Operation], target: Attribute | None = None) -> SSAValue:
    """`value` as its LLVM type (a cast when it is not converted yet; looks through casts)."""
    target = target if target is not None else llvm_type(value.type)
    if value.type == target:
        return value
    owner = value.owner
    if isinstance(owner, UnrealizedConversionCastOp) and len(owner.inputs) == 1:
        if owner.inputs[0].type == target:
            return owner.inputs[0]
    cast = UnrealizedConversionCastOp.get([value], [target])
    ops.append(cast)
    return cast.results[0]


def from_llvm(value: SSAValue, original: Attribute, ops: list[Operation]) -> SSAValue:
    """`value` (of an LLVM type) as a value of the not-yet-converted type `original`."""
    if value.type == original:
        return value
    cast = UnrealizedConversionCastOp.get([value], [original])
    ops.append(cast)
    return cast.results[0]


def convert_block_args(block: Block) -> None:
    """Retype the block's arguments to their LLVM types; old users get a cast back."""
    for arg in tuple(block.args):
        new_type = llvm_type(arg.type)
        if new_type == arg.type:
            continue
        old_type = arg.type
        new_arg = Rewriter.replace_value_with_new_type(arg, new_type)
        if not new_arg.uses:
            continue
        uses = list(new_arg.uses)
        cast = UnrealizedConversionCastOp.get([new_arg], [old_type])
        if block.first_op is None:
            block.add_op(cast)
        else:
            block.insert_op_before(cast, block.first_op)
        for use in uses:
            use.operation.operands[use.index] = cast.results[0]


# --------------------------------------------------------------------------- op builders


def constant(value: int | float, t: Attribute, ops: list[Operation]) -> SSAValue:
    """An `llvm.mlir.constant` of a scalar type."""
    attr = FloatAttr(float(value), t) if isinstance(t, AnyFloat) else IntegerAttr(int(value), t)
    op = llvm.ConstantOp(attr, t)
    ops.append(op)
    return op.result


def intrinsic_suffix(t: Attribute) -> str:
    """LLVM's type mangling of an overloaded intrinsic: `f32`, `v4f32`, `i64`, `p0`."""
    if isinstance(t, VectorType):
        return f"v{t.get_shape()[0]}{intrinsic_suffix(t.element_type)}"
    if isinstance(t, IntegerType):
        return f"i{t.width.data}"
    if isinstance(t, Float16Type):
        return "f16"
    if isinstance(t, Float32Type):
        return "f32"
    if isinstance(t, Float64Type):
        return "f64"
    if isinstance(t, llvm.LLVMPointerType):
        space = t.addr_space
        return f"p{space.data if hasattr(space, 'data') else 0}"
    raise LoweringError(f"no intrinsic mangling for {t}")


def call_intrinsic(
    name: str, args: Sequence[SSAValue], result: Attribute | None, ops: list[Operation]
) -> SSAValue | None:
    """`llvm.call_intrinsic` of a fully mangled name (`llvm.smin.v4i32`)."""
    op = llvm.CallIntrinsicOp(name, list(args), [result] if result is not None else [])
    ops.append(op)
    return op.ress


def splat(value: SSAValue, vtype: VectorType, ops: list[Operation]) -> SSAValue:
    """A 1-D vector of `vtype` with every element `value` (insertelement + shufflevector)."""
    undef = llvm.UndefOp(vtype)
    zero = llvm.ConstantOp(IntegerAttr(0, i32), i32)
    ins = llvm.InsertElementOp(undef.res, value, zero.result)
    n = vtype.get_shape()[0]
    shuffle = llvm.ShuffleVectorOp(ins.res, ins.res, DenseArrayBase.from_list(i32, [0] * n), vtype)
    ops += [undef, zero, ins, shuffle]
    return shuffle.res


def extract_element(vector: SSAValue, index: int | SSAValue, ops: list[Operation]) -> SSAValue:
    """Element `index` of a 1-D vector (`index` an int or an integer value)."""
    if isinstance(index, int):
        c = llvm.ConstantOp(IntegerAttr(index, i32), i32)
        ops.append(c)
        index = c.result
    op = llx.ExtractElementOp(vector, index)
    ops.append(op)
    return op.res


def insert_element(
    vector: SSAValue, value: SSAValue, index: int | SSAValue, ops: list[Operation]
) -> SSAValue:
    """`vector` with element `index` replaced by `value`."""
    if isinstance(index, int):
        c = llvm.ConstantOp(IntegerAttr(index, i32), i32)
        ops.append(c)
        index = c.result
    op = llvm.InsertElementOp(vector, value, index)
    ops.append(op)
    return op.res


def extract_value(aggregate: SSAValue, position: Sequence[int], ops: list[Operation]) -> SSAValue:
    """`llvm.extractvalue` with the result type derived from the aggregate type."""
    t = aggregate.type
    for p in position:
        t = t.type if isinstance(t, llvm.LLVMArrayType) else t.types.data[p]
    op = llvm.ExtractValueOp(DenseArrayBase.from_list(i64, list(position)), aggregate, t)
    ops.append(op)
    return op.res


def insert_value(
    aggregate: SSAValue, value: SSAValue, position: Sequence[int], ops: list[Operation]
) -> SSAValue:
    """`llvm.insertvalue`."""
    op = llvm.InsertValueOp(DenseArrayBase.from_list(i64, list(position)), aggregate, value)
    ops.append(op)
    return op.res


def binop(cls: Callable[..., Operation], lhs: SSAValue, rhs: SSAValue, ops: list[Operation]) -> SSAValue:
    """A two-operand llvm op of class `cls`."""
    op = cls(lhs, rhs)
    ops.append(op)
    return op.results[0]


def icmp(pred: str, lhs: SSAValue, rhs: SSAValue, ops: list[Operation]) -> SSAValue:
    """`llvm.icmp <pred>` (`pred` as in LLVM: eq, ne, slt, ult, ...)."""
    op = llvm.ICmpOp(lhs, rhs, IntegerAttr(llvm.ICmpPredicateFlag(pred).to_int(), 64))
    ops.append(op)
    return op.res


def select(cond: SSAValue, a: SSAValue, b: SSAValue, ops: list[Operation]) -> SSAValue:
    """`llvm.select` (scalar or vector condition)."""
    op = llx.SelectOp(cond, a, b)
    ops.append(op)
    return op.res


def undef(t: Attribute, ops: list[Operation]) -> SSAValue:
    """`llvm.mlir.undef` of type `t`."""
    op = llvm.UndefOp(t)
    ops.append(op)
    return op.res


def memory_to_value(mem: SSAValue, t: Attribute, ops: list[Operation]) -> SSAValue:
    """Turn the memory form of a `t` (arrays for vectors) into its register form."""
    if isinstance(t, VectorType) and len(t.get_shape()) == 1:
        vec = undef(llvm_type(t), ops)
        for i in range(t.get_shape()[0]):
            vec = insert_element(vec, extract_value(mem, [i], ops), i, ops)
        return vec
    if isinstance(t, VectorType):
        col_type = VectorType(t.element_type, [t.get_shape()[1]])
        mat = undef(llvm_type(t), ops)
        for c in range(t.get_shape()[0]):
            col = memory_to_value(extract_value(mem, [c], ops), col_type, ops)
            mat = insert_value(mat, col, [c], ops)
        return mat
    return mem


def value_to_memory(value: SSAValue, t: Attribute, ops: list[Operation]) -> SSAValue:
    """Turn the register form of a `t` into its memory form (vectors become arrays)."""
    if isinstance(t, VectorType) and len(t.get_shape()) == 1:
        arr = undef(memory_type(t), ops)
        for i in range(t.get_shape()[0]):
            arr = insert_value(arr, extract_element(value, i, ops), [i], ops)
        return arr
    if isinstance(t, VectorType):
        col_type = VectorType(t.element_type, [t.get_shape()[1]])
        arr = undef(memory_type(t), ops)
        for c in range(t.get_shape()[0]):
            col = value_to_memory(extract_value(value, [c], ops), col_type, ops)
            arr = insert_value(arr, col, [c], ops)
        return arr
    return value


def module_of(op: Operation) -> ModuleOp:
    """The outermost `builtin.module` holding `op`."""
    top = op.get_toplevel_object()
    if not isinstance(top, ModuleOp):
        raise LoweringError(f"{op.name} is not inside a builtin.module")
    return top


def declare_function(
    module: ModuleOp, name: str, inputs: Sequence[Attribute], output: Attribute, variadic: bool = False
) -> llvm.FuncOp:
    """The `llvm.func` declaration `name` in `module`, created (external) at the top if missing."""
    for op in module.ops:
        if isinstance(op, llvm.FuncOp) and op.sym_name.data == name:
            return op
    func = llvm.FuncOp(
        name, llvm.LLVMFunctionType(list(inputs), output, variadic), linkage=llvm.LinkageAttr("external")
    )
    block = module.body.block
    if block.first_op is None:
        block.add_op(func)
    else:
        block.insert_op_before(func, block.first_op)
    return func
