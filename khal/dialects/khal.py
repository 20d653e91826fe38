"""The `khal` dialect: what the standard dialects lack to express a compute kernel.

It holds the kernel definition (symbol, workgroup size, typed parameters), invocation ids,
runtime-sized array parameters (load / store / len / atomics), workgroup memory, barriers,
subgroup operations and `print`. Arithmetic is `arith`/`math`, control flow `scf`, device
functions `func`, vectors `vector`. Nothing here assumes a particular target.

Integers are signless, as in `arith`: signedness lives in the operations (`umin` vs `min`),
never in the types.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import auto
from typing import ClassVar

from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    DenseArrayBase,
    FunctionType,
    IntAttr,
    IntegerType,
    StringAttr,
    VectorType,
    i1,
    i32,
    i64,
)
from xdsl.dialects.utils import EnumAttribute
from xdsl.ir import (
    Attribute,
    Block,
    Dialect,
    ParametrizedAttribute,
    Region,
    SpacedOpaqueSyntaxAttribute,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    VarConstraint,
    base,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.traits import (
    HasParent,
    IsolatedFromAbove,
    IsTerminator,
    MemoryAllocEffect,
    MemoryReadEffect,
    MemoryWriteEffect,
    NoMemoryEffect,
    Pure,
    SymbolOpInterface,
)
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.str_enum import StrEnum

# --------------------------------------------------------------------------- enums


class Access(StrEnum):
    """How a kernel uses an array parameter (targets map it to NonWritable, `readonly`, ...)."""

    READ = auto()
    WRITE = auto()
    READ_WRITE = auto()


class Dim(StrEnum):
    """A component of a 3-D invocation id."""

    X = auto()
    Y = auto()
    Z = auto()


class AtomicKind(StrEnum):
    """Read-modify-write kinds. `min`/`max` are signed (or float), `umin`/`umax` unsigned."""

    ADD = auto()
    SUB = auto()
    MIN = auto()
    MAX = auto()
    UMIN = auto()
    UMAX = auto()
    AND = auto()
    OR = auto()
    XOR = auto()
    XCHG = auto()


class ReduceKind(StrEnum):
    """Subgroup reduction kinds. `min`/`max` are signed (or float), `umin`/`umax` unsigned."""

    ADD = auto()
    MIN = auto()
    MAX = auto()
    UMIN = auto()
    UMAX = auto()


@irdl_attr_definition
class DimAttr(EnumAttribute[Dim], SpacedOpaqueSyntaxAttribute):
    """`x`, `y` or `z`."""

    name = "khal.dim"


@irdl_attr_definition
class AtomicKindAttr(EnumAttribute[AtomicKind], SpacedOpaqueSyntaxAttribute):
    """The operation of a `khal.atomic_rmw`."""

    name = "khal.atomic_kind"


@irdl_attr_definition
class ReduceKindAttr(EnumAttribute[ReduceKind], SpacedOpaqueSyntaxAttribute):
    """The operation of a `khal.subgroup_reduce`."""

    name = "khal.reduce_kind"


# --------------------------------------------------------------------------- types


@irdl_attr_definition
class StructType(ParametrizedAttribute, TypeAttribute):
    """A named record of fields: `!khal.struct<"Particle", pos: vector<3xf32>, mass: f32>`.

    Its memory layout is the target's business; the host sees numpy's aligned structured dtype.
    """

    name = "khal.struct"

    struct_name: StringAttr
    field_names: ArrayAttr[StringAttr]
    field_types: ArrayAttr[Attribute]

    def __init__(self, name: str, fields: Sequence[tuple[str, Attribute]]):
        super().__init__(
            StringAttr(name),
            ArrayAttr([StringAttr(n) for n, _ in fields]),
            ArrayAttr([t for _, t in fields]),
        )

    @property
    def fields(self) -> list[tuple[str, Attribute]]:
        """The (name, type) pairs, in declaration order."""
        return [(n.data, t) for n, t in zip(self.field_names, self.field_types, strict=True)]

    def field_index(self, name: str) -> int:
        """The position of field `name`; raises KeyError when there is none."""
        for i, n in enumerate(self.field_names):
            if n.data == name:
                return i
        raise KeyError(name)

    def verify(self) -> None:
        if len(self.field_names) != len(self.field_types):
            raise VerifyException("struct needs one type per field name")
        names = [n.data for n in self.field_names]
        if len(set(names)) != len(names):
            raise VerifyException(f"struct {self.struct_name.data} repeats a field name")
        for t in self.field_types:
            if not is_value_type(t):
                raise VerifyException(f"struct field type {t} is not a scalar, vector or struct")

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string_literal(self.struct_name.data)
            for n, t in self.fields:
                printer.print_string(f", {n}: ")
                printer.print_attribute(t)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            name = parser.parse_str_literal()
            names: list[StringAttr] = []
            types: list[Attribute] = []
            while parser.parse_optional_punctuation(",") is not None:
                names.append(StringAttr(parser.parse_identifier()))
                parser.parse_punctuation(":")
                types.append(parser.parse_type())
        return [StringAttr(name), ArrayAttr(names), ArrayAttr(types)]


@irdl_attr_definition
class ArrayType(ParametrizedAttribute, TypeAttribute):
    """A runtime-sized 1-D buffer parameter: `!khal.array<f32, read>`.

    The element is a scalar, a vector or a struct. The access says how the kernel uses it;
    the frontend starts from `read_write` and `khal-infer-access` narrows it.
    """

    name = "khal.array"

    element_type: Attribute
    access: StringAttr

    def __init__(self, element_type: Attribute, access: Access | str = Access.READ_WRITE):
        super().__init__(element_type, StringAttr(str(access)))

    @property
    def access_kind(self) -> Access:
        """The access as an enum."""
        return Access(self.access.data)

    def with_access(self, access: Access) -> ArrayType:
        """The same array type with another access."""
        return ArrayType(self.element_type, access)

    def verify(self) -> None:
        if not is_value_type(self.element_type):
            raise VerifyException(f"array element {self.element_type} is not a scalar, vector or struct")
        if self.element_type == i1:
            raise VerifyException("an array of i1 has no memory layout; use i8")
        if self.access.data not in {a.value for a in Access}:
            raise VerifyException(f"array access must be read, write or read_write, not {self.access.data}")

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.element_type)
            printer.print_string(f", {self.access.data}")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            element = parser.parse_type()
            access = Access.READ_WRITE.value
            if parser.parse_optional_punctuation(",") is not None:
                access = parser.parse_keyword_in([a.value for a in Access], "array access")
        return [element, StringAttr(access)]


@irdl_attr_definition
class WorkgroupArrayType(ParametrizedAttribute, TypeAttribute):
    """Workgroup (shared) memory of a static size: `!khal.workgroup_array<256 x f32>`."""

    name = "khal.workgroup_array"

    size: IntAttr
    element_type: Attribute

    def __init__(self, element_type: Attribute, size: int):
        super().__init__(IntAttr(size), element_type)

    def verify(self) -> None:
        if self.size.data <= 0:
            raise VerifyException("workgroup array size must be positive")
        if not is_value_type(self.element_type) or self.element_type == i1:
            raise VerifyException(f"workgroup array element {self.element_type} is not storable")

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(f"{self.size.data} x ")
            printer.print_attribute(self.element_type)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            size = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_keyword("x")
            element = parser.parse_type()
        return [IntAttr(size), element]


def is_scalar_type(t: Attribute) -> bool:
    """A signless integer (i1 included) or a float."""
    return isinstance(t, IntegerType | AnyFloat)


def is_value_type(t: Attribute) -> bool:
    """Scalars, vectors (1-D, or 2-D for matrices) of scalars, and structs."""
    if isinstance(t, VectorType):
        return is_scalar_type(t.element_type) and t.get_num_dims() in (1, 2)
    return is_scalar_type(t) or isinstance(t, StructType)


def element_of(memory: Attribute) -> Attribute:
    """The element type of an array or workgroup array."""
    if isinstance(memory, ArrayType | WorkgroupArrayType):
        return memory.element_type
    raise VerifyException(f"expected !khal.array or !khal.workgroup_array, got {memory}")


# --------------------------------------------------------------------------- kernel


@irdl_op_definition
class KernelOp(IRDLOperation):
    """A compute kernel: an entry point with a workgroup size and typed parameters.

    Parameters are block arguments of the body: arrays (`!khal.array`) and uniform values
    (scalars, vectors, structs) passed by value. The body ends with `khal.return`.
    """

    name = "khal.kernel"

    sym_name = prop_def(StringAttr)
    function_type = prop_def(FunctionType)
    workgroup_size = prop_def(DenseArrayBase.constr(i64))
    body = region_def("single_block")

    traits = traits_def(SymbolOpInterface(), IsolatedFromAbove())

    def __init__(
        self,
        name: str,
        param_types: Sequence[Attribute],
        workgroup_size: Sequence[int],
        body: Region | None = None,
    ):
        if body is None:
            body = Region(Block(arg_types=param_types))
        super().__init__(
            properties={
                "sym_name": StringAttr(name),
                "function_type": FunctionType.from_lists(param_types, []),
                "workgroup_size": DenseArrayBase.from_list(i64, list(workgroup_size)),
            },
            regions=[body],
        )

    @property
    def args(self) -> tuple[SSAValue, ...]:
        """The parameters, as SSA values of the body."""
        return self.body.block.args

    @property
    def wg_size(self) -> tuple[int, int, int]:
        """The workgroup size as three ints."""
        x, y, z = self.workgroup_size.get_values()
        return int(x), int(y), int(z)

    def update_param_types(self) -> None:
        """Re-derive `function_type` from the body's arguments (after a pass retypes them)."""
        self.function_type = FunctionType.from_lists([a.type for a in self.args], [])

    def verify_(self) -> None:
        sizes = self.workgroup_size.get_values()
        if len(sizes) != 3 or any(s <= 0 for s in sizes):
            raise VerifyException("workgroup_size must be three positive integers")
        inputs = self.function_type.inputs.data
        if self.function_type.outputs.data:
            raise VerifyException("a kernel returns nothing")
        block = self.body.block
        if tuple(a.type for a in block.args) != tuple(inputs):
            raise VerifyException("kernel parameter types must match the entry block's arguments")
        for t in inputs:
            if not (isinstance(t, ArrayType) or is_value_type(t)):
                raise VerifyException(f"kernel parameter type {t} is not an array, scalar, vector or struct")
        if not isinstance(block.last_op, ReturnOp):
            raise VerifyException("a kernel body must end with khal.return")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_symbol_name(self.sym_name.data)
        printer.print_string("(")
        printer.print_list(self.args, printer.print_block_argument)
        printer.print_string(") workgroup_size(")
        printer.print_list(self.wg_size, lambda s: printer.print_string(str(s)))
        printer.print_string(")")
        if self.attributes:
            printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)

    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name = parser.parse_symbol_name().data
        args = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_argument)
        parser.parse_keyword("workgroup_size")
        pos = parser.pos
        sizes = parser.parse_comma_separated_list(
            parser.Delimiter.PAREN, lambda: parser.parse_integer(allow_boolean=False)
        )
        if len(sizes) != 3:
            parser.raise_error("workgroup_size takes three integers", pos, parser.pos)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        body = parser.parse_region(args)
        op = cls(name, [a.type for a in args], sizes, body)
        if attrs is not None:
            op.attributes |= attrs.data
        return op


@irdl_op_definition
class ReturnOp(IRDLOperation):
    """Ends a kernel."""

    name = "khal.return"
    traits = traits_def(IsTerminator(), HasParent(KernelOp))
    assembly_format = "attr-dict"

    def __init__(self):
        super().__init__()


# --------------------------------------------------------------------------- invocation ids


class _IdOp(IRDLOperation):
    """A component of a built-in id; the result is an i32 (u32 in the language)."""

    dim = prop_def(DimAttr)
    result = result_def(i32)
    traits = traits_def(NoMemoryEffect())
    assembly_format = "$dim attr-dict"

    def __init__(self, dim: Dim | str):
        super().__init__(properties={"dim": DimAttr(Dim(dim))}, result_types=[i32])


class _ScalarIdOp(IRDLOperation):
    """A scalar built-in id (i32)."""

    result = result_def(i32)
    traits = traits_def(NoMemoryEffect())
    assembly_format = "attr-dict"

    def __init__(self):
        super().__init__(result_types=[i32])


@irdl_op_definition
class GlobalInvocationIdOp(_IdOp):
    """`workgroup_id * workgroup_size + local_invocation_id`, one component."""

    name = "khal.global_invocation_id"


@irdl_op_definition
class LocalInvocationIdOp(_IdOp):
    """The invocation's position inside its workgroup, one component."""

    name = "khal.local_invocation_id"


@irdl_op_definition
class WorkgroupIdOp(_IdOp):
    """The workgroup's position in the grid, one component."""

    name = "khal.workgroup_id"


@irdl_op_definition
class NumWorkgroupsOp(_IdOp):
    """The number of workgroups of the dispatch, one component."""

    name = "khal.num_workgroups"


@irdl_op_definition
class LocalInvocationIndexOp(_ScalarIdOp):
    """The linearised local id: `x + y * size_x + z * size_x * size_y`."""

    name = "khal.local_invocation_index"


@irdl_op_definition
class SubgroupSizeOp(_ScalarIdOp):
    """The number of invocations of a subgroup (1 on the CPU)."""

    name = "khal.subgroup_size"


@irdl_op_definition
class SubgroupInvocationIdOp(_ScalarIdOp):
    """The invocation's lane inside its subgroup."""

    name = "khal.subgroup_invocation_id"


# --------------------------------------------------------------------------- arrays


def _verify_index(index: SSAValue) -> None:
    if not isinstance(index.type, IntegerType) or index.type == i1:
        raise VerifyException(f"index must be an integer, got {index.type}")


def _verify_memory_element(memory: SSAValue, value_type: Attribute, what: str) -> None:
    element = element_of(memory.type)
    if element != value_type:
        raise VerifyException(f"{what} type {value_type} does not match the element type {element}")


@irdl_op_definition
class LoadOp(IRDLOperation):
    """Reads element `index` of an array parameter. Out-of-range indices are undefined."""

    name = "khal.load"
    array = operand_def(ArrayType)
    index = operand_def(IntegerType)
    result = result_def()
    traits = traits_def(MemoryReadEffect())
    assembly_format = "$array `[` $index `]` attr-dict `:` type($array) `,` type($index) `->` type($result)"

    def __init__(self, array: SSAValue, index: SSAValue):
        assert isinstance(array.type, ArrayType)
        super().__init__(operands=[array, index], result_types=[array.type.element_type])

    def verify_(self) -> None:
        _verify_index(self.index)
        _verify_memory_element(self.array, self.result.type, "result")


@irdl_op_definition
class StoreOp(IRDLOperation):
    """Writes `value` to element `index` of an array parameter."""

    name = "khal.store"
    value = operand_def()
    array = operand_def(ArrayType)
    index = operand_def(IntegerType)
    traits = traits_def(MemoryWriteEffect())
    assembly_format = (
        "$value `,` $array `[` $index `]` attr-dict `:` type($value) `,` type($array) `,` type($index)"
    )

    def __init__(self, value: SSAValue, array: SSAValue, index: SSAValue):
        super().__init__(operands=[value, array, index])

    def verify_(self) -> None:
        _verify_index(self.index)
        _verify_memory_element(self.array, self.value.type, "stored value")


@irdl_op_definition
class LenOp(IRDLOperation):
    """The element count of an array parameter, as i32 (u32 in the language)."""

    name = "khal.len"
    array = operand_def(ArrayType)
    result = result_def(i32)
    traits = traits_def(NoMemoryEffect())
    assembly_format = "$array attr-dict `:` type($array)"

    def __init__(self, array: SSAValue):
        super().__init__(operands=[array], result_types=[i32])


# --------------------------------------------------------------------------- workgroup memory


@irdl_op_definition
class WorkgroupAllocOp(IRDLOperation):
    """Workgroup memory shared by the invocations of a workgroup; not zeroed.

    Every invocation of a workgroup that executes it gets the same memory, so it may appear
    anywhere in the kernel; targets hoist it to a per-workgroup allocation.
    """

    name = "khal.workgroup_alloc"
    result = result_def(WorkgroupArrayType)
    # An allocation, not a pure value: two allocs of one type are distinct memory (cse must not merge them).
    traits = traits_def(MemoryAllocEffect())
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, element_type: Attribute, size: int):
        super().__init__(result_types=[WorkgroupArrayType(element_type, size)])

    def verify_(self) -> None:
        parent = self.parent_op()
        # A kernel lowered by khal-cpu-workgroup-loops is a func.func tagged with its workgroup size.
        while parent is not None and not (
            isinstance(parent, KernelOp) or "khal.workgroup_size" in parent.attributes
        ):
            parent = parent.parent_op()
        if parent is None:
            raise VerifyException("workgroup memory can only be allocated inside a khal.kernel")


@irdl_op_definition
class WorkgroupLoadOp(IRDLOperation):
    """Reads element `index` of workgroup memory."""

    name = "khal.workgroup_load"
    memory = operand_def(WorkgroupArrayType)
    index = operand_def(IntegerType)
    result = result_def()
    traits = traits_def(MemoryReadEffect())
    assembly_format = "$memory `[` $index `]` attr-dict `:` type($memory) `,` type($index) `->` type($result)"

    def __init__(self, memory: SSAValue, index: SSAValue):
        assert isinstance(memory.type, WorkgroupArrayType)
        super().__init__(operands=[memory, index], result_types=[memory.type.element_type])

    def verify_(self) -> None:
        _verify_index(self.index)
        _verify_memory_element(self.memory, self.result.type, "result")


@irdl_op_definition
class WorkgroupStoreOp(IRDLOperation):
    """Writes `value` to element `index` of workgroup memory."""

    name = "khal.workgroup_store"
    value = operand_def()
    memory = operand_def(WorkgroupArrayType)
    index = operand_def(IntegerType)
    traits = traits_def(MemoryWriteEffect())
    assembly_format = (
        "$value `,` $memory `[` $index `]` attr-dict `:` type($value) `,` type($memory) `,` type($index)"
    )

    def __init__(self, value: SSAValue, memory: SSAValue, index: SSAValue):
        super().__init__(operands=[value, memory, index])

    def verify_(self) -> None:
        _verify_index(self.index)
        _verify_memory_element(self.memory, self.value.type, "stored value")


# --------------------------------------------------------------------------- barriers


@irdl_op_definition
class WorkgroupBarrierOp(IRDLOperation):
    """Waits for every invocation of the workgroup; orders workgroup-memory accesses."""

    name = "khal.workgroup_barrier"
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "attr-dict"

    def __init__(self):
        super().__init__()


@irdl_op_definition
class StorageBarrierOp(IRDLOperation):
    """Waits for every invocation of the workgroup; orders array (storage) accesses."""

    name = "khal.storage_barrier"
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "attr-dict"

    def __init__(self):
        super().__init__()


# --------------------------------------------------------------------------- atomics

_MEMORY = ArrayType | WorkgroupArrayType


def _verify_atomic_element(memory: SSAValue, value_type: Attribute, float_ok: bool) -> None:
    _verify_memory_element(memory, value_type, "value")
    if isinstance(value_type, IntegerType) and value_type.width.data in (32, 64):
        return
    if float_ok and isinstance(value_type, AnyFloat):
        return
    raise VerifyException(f"atomics need a 32- or 64-bit integer element, not {value_type}")


@irdl_op_definition
class AtomicRMWOp(IRDLOperation):
    """Atomically applies `kind` to element `index` with `value`; returns the old element.

    `add` also takes f32/f64 elements; the others need integers.
    """

    name = "khal.atomic_rmw"
    kind = prop_def(AtomicKindAttr)
    T: ClassVar = VarConstraint("T", AnyAttr())
    memory = operand_def(_MEMORY)
    index = operand_def(IntegerType)
    value = operand_def(T)
    result = result_def(T)
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = (
        "$kind $memory `[` $index `]` `,` $value attr-dict"
        " `:` type($memory) `,` type($index) `,` type($value)"
    )

    def __init__(self, kind: AtomicKind | str, memory: SSAValue, index: SSAValue, value: SSAValue):
        super().__init__(
            operands=[memory, index, value],
            result_types=[value.type],
            properties={"kind": AtomicKindAttr(AtomicKind(kind))},
        )

    def verify_(self) -> None:
        _verify_index(self.index)
        if self.result.type != self.value.type:
            raise VerifyException("the result type must be the value type")
        float_ok = self.kind.data in (AtomicKind.ADD, AtomicKind.XCHG)
        _verify_atomic_element(self.memory, self.value.type, float_ok)


@irdl_op_definition
class AtomicCmpXchgOp(IRDLOperation):
    """Atomically replaces element `index` by `new` if it equals `expected`; returns the old element."""

    name = "khal.atomic_cmpxchg"
    T: ClassVar = VarConstraint("T", AnyAttr())
    memory = operand_def(_MEMORY)
    index = operand_def(IntegerType)
    expected = operand_def(T)
    new = operand_def(T)
    result = result_def(T)
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = (
        "$memory `[` $index `]` `,` $expected `,` $new attr-dict"
        " `:` type($memory) `,` type($index) `,` type($new)"
    )

    def __init__(self, memory: SSAValue, index: SSAValue, expected: SSAValue, new: SSAValue):
        super().__init__(operands=[memory, index, expected, new], result_types=[new.type])

    def verify_(self) -> None:
        _verify_index(self.index)
        if not (self.expected.type == self.new.type == self.result.type):
            raise VerifyException("expected, new and result must have one type")
        _verify_atomic_element(self.memory, self.new.type, float_ok=False)


@irdl_op_definition
class AtomicLoadOp(IRDLOperation):
    """Atomically reads element `index`."""

    name = "khal.atomic_load"
    memory = operand_def(_MEMORY)
    index = operand_def(IntegerType)
    result = result_def()
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$memory `[` $index `]` attr-dict `:` type($memory) `,` type($index) `->` type($result)"

    def __init__(self, memory: SSAValue, index: SSAValue):
        super().__init__(operands=[memory, index], result_types=[element_of(memory.type)])

    def verify_(self) -> None:
        _verify_index(self.index)
        _verify_atomic_element(self.memory, self.result.type, float_ok=True)


@irdl_op_definition
class AtomicStoreOp(IRDLOperation):
    """Atomically writes element `index`."""

    name = "khal.atomic_store"
    value = operand_def()
    memory = operand_def(_MEMORY)
    index = operand_def(IntegerType)
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = (
        "$value `,` $memory `[` $index `]` attr-dict `:` type($value) `,` type($memory) `,` type($index)"
    )

    def __init__(self, value: SSAValue, memory: SSAValue, index: SSAValue):
        super().__init__(operands=[value, memory, index])

    def verify_(self) -> None:
        _verify_index(self.index)
        _verify_atomic_element(self.memory, self.value.type, float_ok=True)


# --------------------------------------------------------------------------- subgroups


def _verify_scalar_or_vector(t: Attribute) -> None:
    if is_scalar_type(t) and t != i1:
        return
    if isinstance(t, VectorType) and t.get_num_dims() == 1 and is_scalar_type(t.element_type):
        return
    raise VerifyException(f"expected a scalar or a vector, got {t}")


@irdl_op_definition
class SubgroupReduceOp(IRDLOperation):
    """Reduces `value` over the active invocations of the subgroup; every one gets the result."""

    name = "khal.subgroup_reduce"
    T: ClassVar = VarConstraint("T", AnyAttr())
    kind = prop_def(ReduceKindAttr)
    value = operand_def(T)
    result = result_def(T)
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$kind $value attr-dict `:` type($value)"

    def __init__(self, kind: ReduceKind | str, value: SSAValue):
        super().__init__(
            operands=[value],
            result_types=[value.type],
            properties={"kind": ReduceKindAttr(ReduceKind(kind))},
        )

    def verify_(self) -> None:
        _verify_scalar_or_vector(self.value.type)
        if self.result.type != self.value.type:
            raise VerifyException("the result type must be the value type")


@irdl_op_definition
class SubgroupBroadcastFirstOp(IRDLOperation):
    """The value of the subgroup's first active invocation."""

    name = "khal.subgroup_broadcast_first"
    T: ClassVar = VarConstraint("T", AnyAttr())
    value = operand_def(T)
    result = result_def(T)
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$value attr-dict `:` type($value)"

    def __init__(self, value: SSAValue):
        super().__init__(operands=[value], result_types=[value.type])

    def verify_(self) -> None:
        _verify_scalar_or_vector(self.value.type)
        if self.result.type != self.value.type:
            raise VerifyException("the result type must be the value type")


# --------------------------------------------------------------------------- Python arithmetic


@irdl_op_definition
class DivModFOp(IRDLOperation):
    """Python's (and numpy's) float `divmod(lhs, rhs)`: the floored quotient and the remainder.

    The remainder has the sign of `rhs` (a zero one too); `x // 0` is `x / 0` and `x % 0` NaN, as
    numpy's `floor_divide`/`remainder`. `arith` has no floor division on floats: `khal-expand-arith`
    spells this out in `arith`, as numpy's `npy_divmod` computes it.
    """

    name = "khal.divmodf"
    T: ClassVar = VarConstraint("T", AnyAttr())
    lhs = operand_def(T)
    rhs = operand_def(T)
    quotient = result_def(T)
    remainder = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue):
        super().__init__(operands=[lhs, rhs], result_types=[lhs.type, lhs.type])

    def verify_(self) -> None:
        t = self.lhs.type
        if not isinstance(t.element_type if isinstance(t, VectorType) else t, AnyFloat):
            raise VerifyException(f"expected a float or a float vector, got {t}")


# --------------------------------------------------------------------------- struct values


@irdl_op_definition
class StructConstructOp(IRDLOperation):
    """Builds a struct value from one operand per field."""

    name = "khal.struct_construct"
    fields = var_operand_def()
    result = result_def(StructType)
    traits = traits_def(NoMemoryEffect())
    assembly_format = "`(` $fields `)` attr-dict `:` functional-type($fields, $result)"

    def __init__(self, struct_type: StructType, fields: Sequence[SSAValue]):
        super().__init__(operands=[fields], result_types=[struct_type])

    def verify_(self) -> None:
        assert isinstance(self.result.type, StructType)
        expected = [t for _, t in self.result.type.fields]
        if [f.type for f in self.fields] != expected:
            raise VerifyException(f"operands must have the field types ({', '.join(map(str, expected))})")


@irdl_op_definition
class StructExtractOp(IRDLOperation):
    """Reads one field of a struct value."""

    name = "khal.struct_extract"
    field = prop_def(StringAttr)
    struct = operand_def(StructType)
    result = result_def()
    traits = traits_def(NoMemoryEffect())
    assembly_format = "$struct `[` $field `]` attr-dict `:` type($struct) `->` type($result)"

    def __init__(self, struct: SSAValue, field: str):
        assert isinstance(struct.type, StructType)
        field_type = struct.type.fields[struct.type.field_index(field)][1]
        super().__init__(
            operands=[struct], result_types=[field_type], properties={"field": StringAttr(field)}
        )

    def verify_(self) -> None:
        t = self.struct.type
        assert isinstance(t, StructType)
        try:
            index = t.field_index(self.field.data)
        except KeyError:
            raise VerifyException(f"struct {t.struct_name.data} has no field {self.field.data}") from None
        if t.fields[index][1] != self.result.type:
            raise VerifyException("the result type must be the field's type")


@irdl_op_definition
class StructInsertOp(IRDLOperation):
    """A copy of a struct value with one field replaced."""

    name = "khal.struct_insert"
    T: ClassVar = VarConstraint("T", base(StructType))
    field = prop_def(StringAttr)
    value = operand_def()
    struct = operand_def(T)
    result = result_def(T)
    traits = traits_def(NoMemoryEffect())
    assembly_format = "$value `,` $struct `[` $field `]` attr-dict `:` type($value) `,` type($struct)"

    def __init__(self, value: SSAValue, struct: SSAValue, field: str):
        super().__init__(
            operands=[value, struct], result_types=[struct.type], properties={"field": StringAttr(field)}
        )

    def verify_(self) -> None:
        t = self.struct.type
        assert isinstance(t, StructType)
        try:
            index = t.field_index(self.field.data)
        except KeyError:
            raise VerifyException(f"struct {t.struct_name.data} has no field {self.field.data}") from None
        if t.fields[index][1] != self.value.type:
            raise VerifyException("the value type must be the field's type")
        if self.result.type != t:
            raise VerifyException("the result type must be the struct type")


# --------------------------------------------------------------------------- print


@irdl_op_definition
class PrintOp(IRDLOperation):
    """Prints a formatted line. `{}` in `format` stands for the next value (scalars and vectors).

    `unsigned` lists the values (by position) whose integers are unsigned: IR integers are
    signless, so without it `u32 4294967295` would print as -1. Printed on the CPU and CUDA;
    dropped on WebGPU.
    """

    name = "khal.print"
    format = prop_def(StringAttr)
    unsigned = opt_prop_def(DenseArrayBase.constr(i64))
    values = var_operand_def()
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$format (`(` $values^ `)` `:` type($values))? (`unsigned` $unsigned^)? attr-dict"

    def __init__(self, format: str, values: Sequence[SSAValue] = (), unsigned: Sequence[int] = ()):
        properties: dict[str, Attribute] = {"format": StringAttr(format)}
        if unsigned:
            properties["unsigned"] = DenseArrayBase.from_list(i64, list(unsigned))
        super().__init__(operands=[values], properties=properties)

    def is_unsigned(self, index: int) -> bool:
        """Is the value at `index` an unsigned integer (or a vector of them)?"""
        return self.unsigned is not None and index in self.unsigned.get_values()

    def verify_(self) -> None:
        holes = self.format.data.count("{}")
        if holes != len(self.values):
            raise VerifyException(f"format has {holes} '{{}}' but {len(self.values)} values are given")
        for v in self.values:
            if v.type != i1:
                _verify_scalar_or_vector(v.type)
        for i in self.unsigned.get_values() if self.unsigned is not None else ():
            if not 0 <= i < len(self.values):
                raise VerifyException(f"unsigned names value {i}, but {len(self.values)} values are given")


# --------------------------------------------------------------------------- dialect

ID_OPS: dict[str, type[IRDLOperation]] = {
    "global_invocation_id": GlobalInvocationIdOp,
    "local_invocation_id": LocalInvocationIdOp,
    "workgroup_id": WorkgroupIdOp,
    "num_workgroups": NumWorkgroupsOp,
}

Khal = Dialect(
    "khal",
    [
        KernelOp,
        ReturnOp,
        GlobalInvocationIdOp,
        LocalInvocationIdOp,
        WorkgroupIdOp,
        NumWorkgroupsOp,
        LocalInvocationIndexOp,
        SubgroupSizeOp,
        SubgroupInvocationIdOp,
        LoadOp,
        StoreOp,
        LenOp,
        WorkgroupAllocOp,
        WorkgroupLoadOp,
        WorkgroupStoreOp,
        WorkgroupBarrierOp,
        StorageBarrierOp,
        AtomicRMWOp,
        AtomicCmpXchgOp,
        AtomicLoadOp,
        AtomicStoreOp,
        SubgroupReduceOp,
        SubgroupBroadcastFirstOp,
        DivModFOp,
        StructConstructOp,
        StructExtractOp,
        StructInsertOp,
        PrintOp,
    ],
    [ArrayType, WorkgroupArrayType, StructType, DimAttr, AtomicKindAttr, ReduceKindAttr],
)
