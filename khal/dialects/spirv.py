"""The `spirv` dialect: the SPIR-V subset khal emits for Vulkan compute (modelled on MLIR's `spirv`).

Names and syntax follow MLIR where that is practical: `spirv.module`, `spirv.GlobalVariable`,
`spirv.func`, `spirv.EntryPoint`, `spirv.ExecutionMode`, one op per instruction (`spirv.IAdd`,
`spirv.Load`, `spirv.AccessChain`, ...), GLSL.std.450 math as `spirv.GL.<Name>`, and structured control
flow as regions: `spirv.mlir.selection` and `spirv.mlir.loop`, whose blocks follow MLIR's rules
(selection: header first, merge block last; loop: entry, header, body..., continue, merge) so that the
binary writer (`khal.targets.spirv_writer`) emits OpSelectionMerge / OpLoopMerge without a structuriser.
These regions yield no values: a value leaves a selection or loop through a Function-storage
`spirv.Variable`; loop-carried values may also be arguments of the loop header (OpPhi).

Scalars and vectors are builtin types: `i1` is OpTypeBool, `iN`/`uiN` are unsigned-signedness ints,
`siN` signed ones (naga reads the signedness bit to tell i32 from u32), `f16/f32/f64`, `vector<NxT>`.
SPIR-V's own types are `!spirv.ptr`, `!spirv.rtarray`, `!spirv.array` and `!spirv.struct`; a function
without results returns void. Layout decorations live in the types (ArrayStride, member Offset, Block),
variable decorations on `spirv.GlobalVariable` (DescriptorSet, Binding, BuiltIn, NonWritable).

An op `spirv.X` is the instruction `OpX` (`spirv.GL.X` is GLSL.std.450's `X`); opcode numbers and
enum values come from `spirv_tables` (generated from the grammar JSON), never from this file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    DenseArrayBase,
    Float32Type,
    FloatAttr,
    FunctionType,
    IntAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    SymbolRefAttr,
    UnitAttr,
    VectorType,
    i1,
    i32,
)
from xdsl.dialects.utils import (
    BitEnumAttribute,
    EnumAttribute,
    parse_func_op_like,
    print_func_op_like,
)
from xdsl.ir import (
    Attribute,
    Block,
    Dialect,
    Operation,
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
    successor_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import AttrParser, Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.traits import (
    HasParent,
    IsolatedFromAbove,
    IsTerminator,
    NoTerminator,
    Pure,
    SymbolOpInterface,
    SymbolTable,
)
from xdsl.utils.exceptions import VerifyException

from khal.dialects.spirv_tables import (
    AddressingModel,
    BuiltIn,
    Capability,
    ExecutionMode,
    ExecutionModel,
    GroupOperation,
    MemoryModel,
    MemorySemantics,
    Scope,
    StorageClass,
)

# --------------------------------------------------------------------------- enum attributes


@irdl_attr_definition
class StorageClassAttr(EnumAttribute[StorageClass], SpacedOpaqueSyntaxAttribute):
    """Where a pointer points: `StorageBuffer`, `Uniform`, `Workgroup`, `Input`, `Function`, ..."""

    name = "spirv.storage_class"


@irdl_attr_definition
class BuiltInAttr(EnumAttribute[BuiltIn], SpacedOpaqueSyntaxAttribute):
    """A builtin variable: `GlobalInvocationId`, `LocalInvocationId`, `SubgroupSize`, ..."""

    name = "spirv.built_in"


@irdl_attr_definition
class CapabilityAttr(EnumAttribute[Capability], SpacedOpaqueSyntaxAttribute):
    """A capability the module declares."""

    name = "spirv.capability"


@irdl_attr_definition
class AddressingModelAttr(EnumAttribute[AddressingModel], SpacedOpaqueSyntaxAttribute):
    """The module's addressing model (`Logical` for Vulkan)."""

    name = "spirv.addressing_model"


@irdl_attr_definition
class MemoryModelAttr(EnumAttribute[MemoryModel], SpacedOpaqueSyntaxAttribute):
    """The module's memory model (`GLSL450` for Vulkan 1.1)."""

    name = "spirv.memory_model"


@irdl_attr_definition
class ExecutionModelAttr(EnumAttribute[ExecutionModel], SpacedOpaqueSyntaxAttribute):
    """An entry point's execution model (`GLCompute`)."""

    name = "spirv.execution_model"


@irdl_attr_definition
class ExecutionModeAttr(EnumAttribute[ExecutionMode], SpacedOpaqueSyntaxAttribute):
    """An execution mode (`LocalSize`)."""

    name = "spirv.execution_mode"


@irdl_attr_definition
class ScopeAttr(EnumAttribute[Scope], SpacedOpaqueSyntaxAttribute):
    """An execution or memory scope (`Workgroup`, `Device`, `Subgroup`, ...)."""

    name = "spirv.scope"


@irdl_attr_definition
class GroupOperationAttr(EnumAttribute[GroupOperation], SpacedOpaqueSyntaxAttribute):
    """How a group non-uniform arithmetic op combines (`Reduce`, `InclusiveScan`, ...)."""

    name = "spirv.group_operation"


@irdl_attr_definition
class MemorySemanticsAttr(BitEnumAttribute[MemorySemantics]):
    """Memory semantics flags: `<AcquireRelease, WorkgroupMemory>`, `<None>` for relaxed."""

    name = "spirv.memory_semantics"
    none_value = "None"


# --------------------------------------------------------------------------- types


def _parse_storage_class(parser: AttrParser) -> StorageClassAttr:
    pos = parser.pos
    name = parser.parse_identifier()
    if name not in StorageClass.__members__:
        parser.raise_error(f"unknown storage class {name}", pos, parser.pos)
    return StorageClassAttr(StorageClass(name))


def _print_stride(printer: Printer, stride: IntAttr) -> None:
    if stride.data:
        printer.print_string(f", stride={stride.data}")


def _parse_stride(parser: AttrParser) -> IntAttr:
    if parser.parse_optional_punctuation(",") is None:
        return IntAttr(0)
    parser.parse_keyword("stride")
    parser.parse_punctuation("=")
    return IntAttr(parser.parse_integer(allow_boolean=False, allow_negative=False))


@irdl_attr_definition
class PointerType(ParametrizedAttribute, TypeAttribute):
    """A pointer into a storage class: `!spirv.ptr<f32, StorageBuffer>`."""

    name = "spirv.ptr"

    pointee: Attribute
    storage_class: StorageClassAttr

    def __init__(self, pointee: Attribute, storage_class: StorageClass | StorageClassAttr):
        if isinstance(storage_class, StorageClass):
            storage_class = StorageClassAttr(storage_class)
        super().__init__(pointee, storage_class)

    @property
    def storage(self) -> StorageClass:
        """The storage class as an enum."""
        return self.storage_class.data

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.pointee)
            printer.print_string(f", {self.storage_class.data}")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            pointee = parser.parse_type()
            parser.parse_punctuation(",")
            storage = _parse_storage_class(parser)
        return [pointee, storage]


@irdl_attr_definition
class RuntimeArrayType(ParametrizedAttribute, TypeAttribute):
    """A runtime-sized array, the last member of a storage buffer block: `!spirv.rtarray<f32, stride=4>`.

    A stride of 0 (not printed) means no ArrayStride decoration.
    """

    name = "spirv.rtarray"

    element_type: Attribute
    stride: IntAttr

    def __init__(self, element_type: Attribute, stride: int = 0):
        super().__init__(element_type, IntAttr(stride))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.element_type)
            _print_stride(printer, self.stride)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            element = parser.parse_type()
            stride = _parse_stride(parser)
        return [element, stride]


@irdl_attr_definition
class ArrayType(ParametrizedAttribute, TypeAttribute):
    """A fixed-size array: `!spirv.array<64 x f32>` (workgroup memory), `<4 x f32, stride=4>` in a block."""

    name = "spirv.array"

    length: IntAttr
    element_type: Attribute
    stride: IntAttr

    def __init__(self, length: int, element_type: Attribute, stride: int = 0):
        super().__init__(IntAttr(length), element_type, IntAttr(stride))

    def verify(self) -> None:
        if self.length.data <= 0:
            raise VerifyException("a spirv.array has at least one element")

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(f"{self.length.data} x ")
            printer.print_attribute(self.element_type)
            _print_stride(printer, self.stride)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            length = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_keyword("x")
            element = parser.parse_type()
            stride = _parse_stride(parser)
        return [IntAttr(length), element, stride]


@irdl_attr_definition
class StructType(ParametrizedAttribute, TypeAttribute):
    """A struct, with member offsets and the Block decoration when it is an interface block.

    `!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>`; `!spirv.struct<(f32, i32)>` has no
    layout (offsets empty).
    """

    name = "spirv.struct"

    members: ArrayAttr[Attribute]
    offsets: ArrayAttr[IntAttr]
    block: IntAttr

    def __init__(self, members: Sequence[Attribute], offsets: Sequence[int] = (), block: bool = False):
        super().__init__(ArrayAttr(members), ArrayAttr([IntAttr(o) for o in offsets]), IntAttr(int(block)))

    @property
    def is_block(self) -> bool:
        """Whether the struct is decorated Block."""
        return bool(self.block.data)

    def verify(self) -> None:
        if self.offsets.data and len(self.offsets) != len(self.members):
            raise VerifyException("a spirv.struct gives an offset to every member or to none")
        if self.is_block and not self.offsets.data:
            raise VerifyException("a Block struct needs member offsets")
        for m in self.members.data[:-1]:
            if isinstance(m, RuntimeArrayType):
                raise VerifyException("only the last member of a spirv.struct may be a runtime array")

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string("(")
            for i, m in enumerate(self.members):
                if i:
                    printer.print_string(", ")
                printer.print_attribute(m)
                if self.offsets.data:
                    printer.print_string(f" [{self.offsets.data[i].data}]")
            printer.print_string(")")
            if self.is_block:
                printer.print_string(", Block")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        def member() -> tuple[Attribute, int | None]:
            t = parser.parse_type()
            if parser.parse_optional_punctuation("[") is None:
                return t, None
            offset = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_punctuation("]")
            return t, offset

        with parser.in_angle_brackets():
            pos = parser.pos
            pairs = parser.parse_comma_separated_list(parser.Delimiter.PAREN, member)
            block = parser.parse_optional_punctuation(",") is not None
            if block:
                parser.parse_keyword("Block")
        offsets = [o for _, o in pairs if o is not None]
        if offsets and len(offsets) != len(pairs):
            parser.raise_error("give an offset to every member or to none", pos, parser.pos)
        return [
            ArrayAttr([t for t, _ in pairs]),
            ArrayAttr([IntAttr(o) for o in offsets]),
            IntAttr(int(block)),
        ]


@irdl_attr_definition
class VceAttr(ParametrizedAttribute):
    """Version, capabilities, extensions: `#spirv.vce<v1.3, [Shader], []>`; `requires <...>` on a module."""

    name = "spirv.vce"

    version: IntAttr
    capabilities: ArrayAttr[CapabilityAttr]
    extensions: ArrayAttr[StringAttr]

    def __init__(
        self, version: tuple[int, int], capabilities: Sequence[Capability], extensions: Sequence[str] = ()
    ):
        super().__init__(
            IntAttr(version[0] * 100 + version[1]),
            ArrayAttr([CapabilityAttr(c) for c in capabilities]),
            ArrayAttr([StringAttr(e) for e in extensions]),
        )

    @property
    def major_minor(self) -> tuple[int, int]:
        """The SPIR-V version as (major, minor)."""
        return divmod(self.version.data, 100)

    def print_parameters(self, printer: Printer) -> None:
        major, minor = self.major_minor
        caps = ", ".join(c.data for c in self.capabilities)
        exts = ", ".join(e.data for e in self.extensions)
        printer.print_string(f"<v{major}.{minor}, [{caps}], [{exts}]>")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        def capability() -> CapabilityAttr:
            pos = parser.pos
            name = parser.parse_identifier()
            if name not in Capability.__members__:
                parser.raise_error(f"unknown capability {name}", pos, parser.pos)
            return CapabilityAttr(Capability(name))

        with parser.in_angle_brackets():
            pos = parser.pos
            text = parser.parse_identifier()
            major, _, minor = text.removeprefix("v").partition(".")
            if not (text.startswith("v") and major.isdigit() and minor.isdigit()):
                parser.raise_error("expected a version such as v1.3", pos, parser.pos)
            parser.parse_punctuation(",")
            caps = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, capability)
            parser.parse_punctuation(",")
            exts = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_identifier)
        return [
            IntAttr(int(major) * 100 + int(minor)),
            ArrayAttr(caps),
            ArrayAttr([StringAttr(e) for e in exts]),
        ]


# --------------------------------------------------------------------------- type predicates

TypePredicate = Callable[[Attribute], bool]
"""A test on an operand or result type (`is_int`, `is_float`, ...)."""


def element_type(t: Attribute) -> Attribute:
    """The element type of a vector, or `t` itself."""
    return t.element_type if isinstance(t, VectorType) else t


def is_bool(t: Attribute) -> bool:
    """i1 or a vector of i1."""
    return element_type(t) == i1


def is_int(t: Attribute) -> bool:
    """An integer (not bool) scalar or vector."""
    e = element_type(t)
    return isinstance(e, IntegerType) and e.width.data != 1


def is_float(t: Attribute) -> bool:
    """A float scalar or vector."""
    return isinstance(element_type(t), AnyFloat)


def bool_like(t: Attribute) -> Attribute:
    """The bool type with the shape of `t` (i1 or vector<Nxi1>)."""
    if isinstance(t, VectorType):
        return VectorType(i1, t.get_shape())
    return i1


def _check(op: Operation, pred: TypePredicate, what: str, t: Attribute) -> None:
    if not pred(t):
        raise VerifyException(f"'{op.name}' expects {what}, got {t}")


# --------------------------------------------------------------------------- module-level ops


@irdl_op_definition
class ModuleOp(IRDLOperation):
    """A SPIR-V module: its addressing and memory model, version, capabilities and extensions."""

    name = "spirv.module"

    addressing_model = prop_def(AddressingModelAttr)
    memory_model = prop_def(MemoryModelAttr)
    vce = prop_def(VceAttr)
    body = region_def("single_block")

    traits = traits_def(IsolatedFromAbove(), NoTerminator(), SymbolTable())
    assembly_format = "$addressing_model $memory_model `requires` $vce attr-dict-with-keyword $body"

    def __init__(
        self,
        vce: VceAttr,
        body: Region | None = None,
        addressing_model: AddressingModel = AddressingModel.Logical,
        memory_model: MemoryModel = MemoryModel.GLSL450,
    ):
        super().__init__(
            properties={
                "addressing_model": AddressingModelAttr(addressing_model),
                "memory_model": MemoryModelAttr(memory_model),
                "vce": vce,
            },
            regions=[body or Region(Block())],
        )

    def verify_(self) -> None:
        allowed = (GlobalVariableOp, FuncOp, EntryPointOp, ExecutionModeOp)
        for op in self.body.block.ops:
            if not isinstance(op, allowed):
                raise VerifyException(f"'{op.name}' cannot appear directly in a spirv.module")


@irdl_op_definition
class GlobalVariableOp(IRDLOperation):
    """A module-scope variable with its decorations.

    `spirv.GlobalVariable @a bind(0, 1) NonWritable : !spirv.ptr<!spirv.struct<...>, StorageBuffer>`,
    `spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>`.
    """

    name = "spirv.GlobalVariable"

    sym_name = prop_def(StringAttr)
    type = prop_def(PointerType)
    descriptor_set = opt_prop_def(IntAttr)
    binding = opt_prop_def(IntAttr)
    built_in = opt_prop_def(BuiltInAttr)
    non_writable = opt_prop_def(UnitAttr)

    traits = traits_def(SymbolOpInterface(), HasParent(ModuleOp))

    def __init__(
        self,
        name: str,
        type: PointerType,
        *,
        binding: tuple[int, int] | None = None,
        built_in: BuiltIn | None = None,
        non_writable: bool = False,
    ):
        props: dict[str, Attribute] = {"sym_name": StringAttr(name), "type": type}
        if binding is not None:
            props["descriptor_set"], props["binding"] = IntAttr(binding[0]), IntAttr(binding[1])
        if built_in is not None:
            props["built_in"] = BuiltInAttr(built_in)
        if non_writable:
            props["non_writable"] = UnitAttr()
        super().__init__(properties=props)

    def verify_(self) -> None:
        if (self.descriptor_set is None) != (self.binding is None):
            raise VerifyException("a descriptor set needs a binding and a binding a descriptor set")
        storage = self.type.storage
        if storage == StorageClass.Function:
            raise VerifyException("a Function variable is a spirv.Variable inside a function")
        interface = storage in (StorageClass.StorageBuffer, StorageClass.Uniform)
        if interface != (self.binding is not None):
            raise VerifyException(
                f"a {storage} variable needs bind(set, binding) exactly when it is an interface"
            )
        if interface and not (isinstance(self.type.pointee, StructType) and self.type.pointee.is_block):
            raise VerifyException(f"a {storage} variable points to a Block struct")
        if (self.built_in is not None) != (storage == StorageClass.Input):
            raise VerifyException("Input variables, and only they, are builtins here")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_symbol_name(self.sym_name.data)
        if self.descriptor_set is not None and self.binding is not None:
            printer.print_string(f" bind({self.descriptor_set.data}, {self.binding.data})")
        if self.built_in is not None:
            printer.print_string(f" built_in({self.built_in.data})")
        if self.non_writable is not None:
            printer.print_string(" NonWritable")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.type)

    @classmethod
    def parse(cls, parser: Parser) -> GlobalVariableOp:
        name = parser.parse_symbol_name().data
        binding = built_in = None
        if parser.parse_optional_keyword("bind") is not None:
            parser.parse_punctuation("(")
            ds = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_punctuation(",")
            binding = (ds, parser.parse_integer(allow_boolean=False, allow_negative=False))
            parser.parse_punctuation(")")
        if parser.parse_optional_keyword("built_in") is not None:
            parser.parse_punctuation("(")
            pos = parser.pos
            text = parser.parse_identifier()
            if text not in BuiltIn.__members__:
                parser.raise_error(f"unknown builtin {text}", pos, parser.pos)
            built_in = BuiltIn(text)
            parser.parse_punctuation(")")
        non_writable = parser.parse_optional_keyword("NonWritable") is not None
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        pos = parser.pos
        type = parser.parse_type()
        if not isinstance(type, PointerType):
            parser.raise_error("a spirv.GlobalVariable has a !spirv.ptr type", pos, parser.pos)
        op = cls(name, type, binding=binding, built_in=built_in, non_writable=non_writable)
        op.attributes |= attrs
        return op


@irdl_op_definition
class FuncOp(IRDLOperation):
    """A function: `spirv.func @main() { ... }`; no results means it returns void."""

    name = "spirv.func"

    sym_name = prop_def(StringAttr)
    function_type = prop_def(FunctionType)
    body = region_def()

    traits = traits_def(SymbolOpInterface(), IsolatedFromAbove(), HasParent(ModuleOp))

    def __init__(self, name: str, function_type: FunctionType, body: Region | None = None):
        if body is None:
            body = Region(Block(arg_types=function_type.inputs.data))
        super().__init__(
            properties={"sym_name": StringAttr(name), "function_type": function_type}, regions=[body]
        )

    def verify_(self) -> None:
        if len(self.function_type.outputs) > 1:
            raise VerifyException("a spirv.func returns at most one value")
        if not self.body.blocks:
            raise VerifyException("a spirv.func needs a body")
        entry = self.body.blocks.first
        assert entry is not None
        if tuple(a.type for a in entry.args) != tuple(self.function_type.inputs.data):
            raise VerifyException("the entry block's arguments must match the function type")

    def print(self, printer: Printer) -> None:
        print_func_op_like(
            printer, self.sym_name, self.function_type, self.body, self.attributes,
            reserved_attr_names=("sym_name", "function_type"),
        )  # fmt: skip

    @classmethod
    def parse(cls, parser: Parser) -> FuncOp:
        name, inputs, outputs, body, attrs, _, _ = parse_func_op_like(
            parser, reserved_attr_names=("sym_name", "function_type")
        )
        op = cls(name, FunctionType.from_lists(inputs, outputs), body)
        if attrs is not None:
            op.attributes |= attrs.data
        return op


@irdl_op_definition
class EntryPointOp(IRDLOperation):
    """`spirv.EntryPoint GLCompute @main, [@gid]`: the interface lists the Input/Output variables used."""

    name = "spirv.EntryPoint"

    execution_model = prop_def(ExecutionModelAttr)
    fn = prop_def(SymbolRefAttr)
    interface = prop_def(ArrayAttr[SymbolRefAttr])

    traits = traits_def(HasParent(ModuleOp))
    assembly_format = "$execution_model $fn `,` $interface attr-dict"

    def __init__(self, fn: str, interface: Sequence[str], model: ExecutionModel = ExecutionModel.GLCompute):
        super().__init__(
            properties={
                "execution_model": ExecutionModelAttr(model),
                "fn": SymbolRefAttr(fn),
                "interface": ArrayAttr([SymbolRefAttr(v) for v in interface]),
            }
        )


@irdl_op_definition
class ExecutionModeOp(IRDLOperation):
    """`spirv.ExecutionMode @main LocalSize [64, 1, 1]`."""

    name = "spirv.ExecutionMode"

    fn = prop_def(SymbolRefAttr)
    execution_mode = prop_def(ExecutionModeAttr)
    values = prop_def(DenseArrayBase.constr(i32))

    traits = traits_def(HasParent(ModuleOp))
    assembly_format = "$fn $execution_mode $values attr-dict"

    def __init__(self, fn: str, mode: ExecutionMode, values: Sequence[int]):
        super().__init__(
            properties={
                "fn": SymbolRefAttr(fn),
                "execution_mode": ExecutionModeAttr(mode),
                "values": DenseArrayBase.from_list(i32, list(values)),
            }
        )

    def verify_(self) -> None:
        if self.execution_mode.data == ExecutionMode.LocalSize and len(self.values) != 3:
            raise VerifyException("LocalSize takes three sizes")


# --------------------------------------------------------------------------- constants, variables, memory


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A scalar constant: `spirv.Constant 1.0 : f32`, `spirv.Constant true`; the writer uniques it."""

    name = "spirv.Constant"

    value = prop_def(base(IntegerAttr) | base(FloatAttr))
    result = result_def()

    traits = traits_def(Pure())

    def __init__(self, value: IntegerAttr | FloatAttr):
        super().__init__(properties={"value": value}, result_types=[value.type])

    def verify_(self) -> None:
        if self.result.type != self.value.type:
            raise VerifyException("a spirv.Constant's type is its value's")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.value)
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        pos = parser.pos
        value = parser.parse_attribute()
        if not isinstance(value, IntegerAttr | FloatAttr):
            parser.raise_error("a spirv.Constant is an integer, float or bool", pos, parser.pos)
        op = cls(value)
        op.attributes |= parser.parse_optional_attr_dict()
        return op


@irdl_op_definition
class AddressOfOp(IRDLOperation):
    """The pointer to a global variable: `spirv.mlir.addressof @a : !spirv.ptr<...>`."""

    name = "spirv.mlir.addressof"

    variable = prop_def(SymbolRefAttr)
    pointer = result_def(PointerType)

    traits = traits_def(Pure())
    assembly_format = "$variable attr-dict `:` type($pointer)"

    def __init__(self, var: GlobalVariableOp):
        super().__init__(properties={"variable": SymbolRefAttr(var.sym_name)}, result_types=[var.type])

    def verify_(self) -> None:
        module = self.parent_op()
        while module is not None and not isinstance(module, ModuleOp):
            module = module.parent_op()
        if module is None:
            return
        var = SymbolTable.lookup_symbol(module, self.variable)
        if not isinstance(var, GlobalVariableOp):
            raise VerifyException(f"{self.variable} is not a spirv.GlobalVariable")
        if var.type != self.pointer.type:
            raise VerifyException(f"{self.variable} has type {var.type}, not {self.pointer.type}")


@irdl_op_definition
class VariableOp(IRDLOperation):
    """A function-local variable, at the start of the function's entry block: `spirv.Variable : !spirv.ptr<f32, Function>`."""  # noqa: E501

    name = "spirv.Variable"

    pointer = result_def(PointerType)
    assembly_format = "attr-dict `:` type($pointer)"

    def __init__(self, type: PointerType):
        super().__init__(result_types=[type])

    def verify_(self) -> None:
        assert isinstance(self.pointer.type, PointerType)
        if self.pointer.type.storage != StorageClass.Function:
            raise VerifyException("a spirv.Variable is in the Function storage class")
        block = self.parent_block()
        func = self.parent_op()
        if not isinstance(func, FuncOp) or block is not func.body.blocks.first:
            raise VerifyException("a spirv.Variable sits in its function's entry block")
        for op in block.ops:
            if op is self:
                break
            if not isinstance(op, VariableOp):
                raise VerifyException("spirv.Variable ops come first in the entry block")


def component_type(t: Attribute) -> Attribute | None:
    """What one index selects from composite `t`: a vector's element, a matrix's (2-D vector's) column,
    an array's element; None for a struct (it depends on the index) or a non-composite."""
    if isinstance(t, VectorType):
        shape = t.get_shape()
        return VectorType(t.element_type, shape[1:]) if len(shape) == 2 else t.element_type
    if isinstance(t, ArrayType | RuntimeArrayType):
        return t.element_type
    return None


def composite_size(t: Attribute) -> int:
    """The number of constituents of a composite type (0 for a non-composite)."""
    if isinstance(t, VectorType):
        return t.get_shape()[0]
    if isinstance(t, StructType):
        return len(t.members)
    if isinstance(t, ArrayType):
        return t.length.data
    return 0


def access_chain_type(base_type: Attribute, indices: Sequence[SSAValue]) -> Attribute:
    """The pointee type an access chain reaches from `base_type` through `indices`.

    A struct needs a constant index (a `spirv.Constant`); arrays, runtime arrays and vectors take any.
    """
    t = base_type
    for index in indices:
        if isinstance(t, StructType):
            owner = index.owner
            if not isinstance(owner, ConstantOp) or not isinstance(owner.value, IntegerAttr):
                raise VerifyException("a struct is indexed by a spirv.Constant integer")
            i = owner.value.value.data
            if not 0 <= i < len(t.members):
                raise VerifyException(f"struct member index {i} out of range")
            t = t.members.data[i]
        elif (component := component_type(t)) is not None:
            t = component
        else:
            raise VerifyException(f"cannot index into {t}")
    return t


@irdl_op_definition
class AccessChainOp(IRDLOperation):
    """`spirv.AccessChain %buf[%c0, %i] : !spirv.ptr<...>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>`."""

    name = "spirv.AccessChain"

    base_ptr = operand_def(PointerType)
    indices = var_operand_def(IntegerType)
    result = result_def(PointerType)

    traits = traits_def(Pure())
    assembly_format = (
        "$base_ptr `[` $indices `]` attr-dict `:` type($base_ptr) `,` type($indices) `->` type($result)"
    )

    def __init__(self, base_ptr: SSAValue, indices: Sequence[SSAValue], result_type: PointerType):
        super().__init__(operands=[base_ptr, indices], result_types=[result_type])

    def verify_(self) -> None:
        bt, rt = self.base_ptr.type, self.result.type
        assert isinstance(bt, PointerType) and isinstance(rt, PointerType)
        if bt.storage_class != rt.storage_class:
            raise VerifyException("an access chain keeps its base's storage class")
        reached = access_chain_type(bt.pointee, self.indices)
        if reached != rt.pointee:
            raise VerifyException(f"the access chain reaches {reached}, not {rt.pointee}")


@irdl_op_definition
class LoadOp(IRDLOperation):
    """`spirv.Load %p : !spirv.ptr<f32, StorageBuffer> -> f32`."""

    name = "spirv.Load"

    ptr = operand_def(PointerType)
    value = result_def()
    assembly_format = "$ptr attr-dict `:` type($ptr) `->` type($value)"

    def __init__(self, ptr: SSAValue):
        assert isinstance(ptr.type, PointerType)
        super().__init__(operands=[ptr], result_types=[ptr.type.pointee])

    def verify_(self) -> None:
        assert isinstance(self.ptr.type, PointerType)
        if self.ptr.type.pointee != self.value.type:
            raise VerifyException(f"loading through {self.ptr.type} gives {self.ptr.type.pointee}")


@irdl_op_definition
class StoreOp(IRDLOperation):
    """`spirv.Store %p, %v : !spirv.ptr<f32, StorageBuffer>, f32`."""

    name = "spirv.Store"

    ptr = operand_def(PointerType)
    value = operand_def()
    assembly_format = "$ptr `,` $value attr-dict `:` type($ptr) `,` type($value)"

    def __init__(self, ptr: SSAValue, value: SSAValue):
        super().__init__(operands=[ptr, value])

    def verify_(self) -> None:
        assert isinstance(self.ptr.type, PointerType)
        if self.ptr.type.pointee != self.value.type:
            raise VerifyException(f"storing {self.value.type} through {self.ptr.type}")


@irdl_op_definition
class ArrayLengthOp(IRDLOperation):
    """The element count of the runtime array that ends a storage buffer block: `spirv.ArrayLength %buf, 0 : ...`."""  # noqa: E501

    name = "spirv.ArrayLength"

    structure = operand_def(PointerType)
    member = prop_def(IntAttr)
    result = result_def(IntegerType(32))

    def __init__(self, structure: SSAValue, member: int):
        super().__init__(operands=[structure], properties={"member": IntAttr(member)}, result_types=[i32])

    def verify_(self) -> None:
        assert isinstance(self.structure.type, PointerType)
        st = self.structure.type.pointee
        i = self.member.data
        if not isinstance(st, StructType) or i != len(st.members) - 1:
            raise VerifyException("spirv.ArrayLength names the last member of a struct")
        if not isinstance(st.members.data[i], RuntimeArrayType):
            raise VerifyException("spirv.ArrayLength needs a runtime array member")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.structure)
        printer.print_string(f", {self.member.data}")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.structure.type)

    @classmethod
    def parse(cls, parser: Parser) -> ArrayLengthOp:
        structure = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        member = parser.parse_integer(allow_boolean=False, allow_negative=False)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        op = cls(parser.resolve_operand(structure, parser.parse_type()), member)
        op.attributes |= attrs
        return op


# --------------------------------------------------------------------------- arithmetic, logic, conversions


class _UnaryOp(IRDLOperation):
    """Result and operand of one type."""

    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = ("an int or int vector", is_int)

    T: ClassVar = VarConstraint("T", AnyAttr())
    operand = operand_def(T)
    result = result_def(T)

    traits = traits_def(Pure())
    assembly_format = "$operand attr-dict `:` type($result)"

    def __init__(self, operand: SSAValue):
        super().__init__(operands=[operand], result_types=[operand.type])

    def verify_(self) -> None:
        _check(self, self.ACCEPTS[1], self.ACCEPTS[0], self.result.type)


class _BinaryOp(IRDLOperation):
    """Result and both operands of one type."""

    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = ("an int or int vector", is_int)

    T: ClassVar = VarConstraint("T", AnyAttr())
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)

    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($result)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue):
        super().__init__(operands=[lhs, rhs], result_types=[lhs.type])

    def verify_(self) -> None:
        _check(self, self.ACCEPTS[1], self.ACCEPTS[0], self.result.type)


_FLOAT = ("a float or float vector", is_float)
_BOOL = ("a bool or bool vector", is_bool)


def _int_or_float(t: Attribute) -> bool:
    return is_int(t) or is_float(t)


class _IntBinaryOp(_BinaryOp):
    pass


class _FloatBinaryOp(_BinaryOp):
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _FLOAT


class _FloatUnaryOp(_UnaryOp):
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _FLOAT


class _LogicalBinaryOp(_BinaryOp):
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _BOOL


@irdl_op_definition
class IAddOp(_IntBinaryOp):
    """Integer addition (wrapping)."""

    name = "spirv.IAdd"


@irdl_op_definition
class ISubOp(_IntBinaryOp):
    """Integer subtraction (wrapping)."""

    name = "spirv.ISub"


@irdl_op_definition
class IMulOp(_IntBinaryOp):
    """Integer multiplication (wrapping)."""

    name = "spirv.IMul"


@irdl_op_definition
class SDivOp(_IntBinaryOp):
    """Signed division, rounding toward zero."""

    name = "spirv.SDiv"


@irdl_op_definition
class UDivOp(_IntBinaryOp):
    """Unsigned division."""

    name = "spirv.UDiv"


@irdl_op_definition
class SRemOp(_IntBinaryOp):
    """Signed remainder, the sign of the dividend."""

    name = "spirv.SRem"


@irdl_op_definition
class SModOp(_IntBinaryOp):
    """Signed modulo, the sign of the divisor."""

    name = "spirv.SMod"


@irdl_op_definition
class UModOp(_IntBinaryOp):
    """Unsigned modulo."""

    name = "spirv.UMod"


@irdl_op_definition
class BitwiseAndOp(_IntBinaryOp):
    """Bitwise and."""

    name = "spirv.BitwiseAnd"


@irdl_op_definition
class BitwiseOrOp(_IntBinaryOp):
    """Bitwise or."""

    name = "spirv.BitwiseOr"


@irdl_op_definition
class BitwiseXorOp(_IntBinaryOp):
    """Bitwise exclusive or."""

    name = "spirv.BitwiseXor"


@irdl_op_definition
class ShiftLeftLogicalOp(_IntBinaryOp):
    """Shift left (the shift amount has the operand's type here)."""

    name = "spirv.ShiftLeftLogical"


@irdl_op_definition
class ShiftRightLogicalOp(_IntBinaryOp):
    """Shift right, filling with zeros."""

    name = "spirv.ShiftRightLogical"


@irdl_op_definition
class ShiftRightArithmeticOp(_IntBinaryOp):
    """Shift right, filling with the sign bit."""

    name = "spirv.ShiftRightArithmetic"


@irdl_op_definition
class NotOp(_UnaryOp):
    """Bitwise complement."""

    name = "spirv.Not"


@irdl_op_definition
class SNegateOp(_UnaryOp):
    """Integer negation."""

    name = "spirv.SNegate"


@irdl_op_definition
class FAddOp(_FloatBinaryOp):
    """Float addition."""

    name = "spirv.FAdd"


@irdl_op_definition
class FSubOp(_FloatBinaryOp):
    """Float subtraction."""

    name = "spirv.FSub"


@irdl_op_definition
class FMulOp(_FloatBinaryOp):
    """Float multiplication."""

    name = "spirv.FMul"


@irdl_op_definition
class FDivOp(_FloatBinaryOp):
    """Float division."""

    name = "spirv.FDiv"


@irdl_op_definition
class FRemOp(_FloatBinaryOp):
    """Float remainder, the sign of the dividend."""

    name = "spirv.FRem"


@irdl_op_definition
class FModOp(_FloatBinaryOp):
    """Float modulo, the sign of the divisor."""

    name = "spirv.FMod"


@irdl_op_definition
class FNegateOp(_FloatUnaryOp):
    """Float negation."""

    name = "spirv.FNegate"


@irdl_op_definition
class LogicalAndOp(_LogicalBinaryOp):
    """Boolean and (both sides evaluated)."""

    name = "spirv.LogicalAnd"


@irdl_op_definition
class LogicalOrOp(_LogicalBinaryOp):
    """Boolean or (both sides evaluated)."""

    name = "spirv.LogicalOr"


@irdl_op_definition
class LogicalEqualOp(_LogicalBinaryOp):
    """Boolean equality."""

    name = "spirv.LogicalEqual"


@irdl_op_definition
class LogicalNotEqualOp(_LogicalBinaryOp):
    """Boolean inequality."""

    name = "spirv.LogicalNotEqual"


@irdl_op_definition
class LogicalNotOp(_UnaryOp):
    """Boolean negation."""

    name = "spirv.LogicalNot"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _BOOL


class _BoolResultOp(IRDLOperation):
    """Operands of one type, a bool result of their shape: `spirv.SLessThan %a, %b : i32`."""

    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = ("an int or int vector", is_int)

    operands_ = var_operand_def()
    result = result_def()

    traits = traits_def(Pure())

    def __init__(self, *operands: SSAValue):
        super().__init__(operands=[list(operands)], result_types=[bool_like(operands[0].type)])

    def verify_(self) -> None:
        types = {o.type for o in self.operands_}
        if len(types) != 1:
            raise VerifyException(f"'{self.name}' takes operands of one type")
        (t,) = types
        _check(self, self.ACCEPTS[1], self.ACCEPTS[0], t)
        if self.result.type != bool_like(t):
            raise VerifyException(f"'{self.name}' gives {bool_like(t)}")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_list(self.operands_, printer.print_operand)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.operands_[0].type)

    @classmethod
    def parse(cls, parser: Parser):
        unresolved: list[UnresolvedOperand] = parser.parse_comma_separated_list(
            parser.Delimiter.NONE, parser.parse_unresolved_operand
        )
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        t = parser.parse_type()
        op = cls(*(parser.resolve_operand(u, t) for u in unresolved))
        op.attributes |= attrs
        return op


class _IntCompareOp(_BoolResultOp):
    pass


class _FloatCompareOp(_BoolResultOp):
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _FLOAT


@irdl_op_definition
class IEqualOp(_IntCompareOp):
    """Integer ==."""

    name = "spirv.IEqual"


@irdl_op_definition
class INotEqualOp(_IntCompareOp):
    """Integer !=."""

    name = "spirv.INotEqual"


@irdl_op_definition
class SLessThanOp(_IntCompareOp):
    """Signed <."""

    name = "spirv.SLessThan"


@irdl_op_definition
class SLessThanEqualOp(_IntCompareOp):
    """Signed <=."""

    name = "spirv.SLessThanEqual"


@irdl_op_definition
class SGreaterThanOp(_IntCompareOp):
    """Signed >."""

    name = "spirv.SGreaterThan"


@irdl_op_definition
class SGreaterThanEqualOp(_IntCompareOp):
    """Signed >=."""

    name = "spirv.SGreaterThanEqual"


@irdl_op_definition
class ULessThanOp(_IntCompareOp):
    """Unsigned <."""

    name = "spirv.ULessThan"


@irdl_op_definition
class ULessThanEqualOp(_IntCompareOp):
    """Unsigned <=."""

    name = "spirv.ULessThanEqual"


@irdl_op_definition
class UGreaterThanOp(_IntCompareOp):
    """Unsigned >."""

    name = "spirv.UGreaterThan"


@irdl_op_definition
class UGreaterThanEqualOp(_IntCompareOp):
    """Unsigned >=."""

    name = "spirv.UGreaterThanEqual"


@irdl_op_definition
class FOrdEqualOp(_FloatCompareOp):
    """Ordered float ==."""

    name = "spirv.FOrdEqual"


@irdl_op_definition
class FUnordNotEqualOp(_FloatCompareOp):
    """Unordered float != (true for NaN, like Python's `!=`)."""

    name = "spirv.FUnordNotEqual"


@irdl_op_definition
class FOrdNotEqualOp(_FloatCompareOp):
    """Ordered float !=."""

    name = "spirv.FOrdNotEqual"


@irdl_op_definition
class FOrdLessThanOp(_FloatCompareOp):
    """Ordered float <."""

    name = "spirv.FOrdLessThan"


@irdl_op_definition
class FOrdLessThanEqualOp(_FloatCompareOp):
    """Ordered float <=."""

    name = "spirv.FOrdLessThanEqual"


@irdl_op_definition
class FOrdGreaterThanOp(_FloatCompareOp):
    """Ordered float >."""

    name = "spirv.FOrdGreaterThan"


@irdl_op_definition
class FOrdGreaterThanEqualOp(_FloatCompareOp):
    """Ordered float >=."""

    name = "spirv.FOrdGreaterThanEqual"


@irdl_op_definition
class IsNanOp(_FloatCompareOp):
    """Whether a float is NaN."""

    name = "spirv.IsNan"


@irdl_op_definition
class IsInfOp(_FloatCompareOp):
    """Whether a float is infinite."""

    name = "spirv.IsInf"


@irdl_op_definition
class SelectOp(IRDLOperation):
    """`spirv.Select %c, %a, %b : i1, f32`: both sides are evaluated."""

    name = "spirv.Select"

    T: ClassVar = VarConstraint("T", AnyAttr())
    condition = operand_def()
    true_value = operand_def(T)
    false_value = operand_def(T)
    result = result_def(T)

    traits = traits_def(Pure())
    assembly_format = (
        "$condition `,` $true_value `,` $false_value attr-dict `:` type($condition) `,` type($result)"
    )

    def __init__(self, condition: SSAValue, true_value: SSAValue, false_value: SSAValue):
        super().__init__(operands=[condition, true_value, false_value], result_types=[true_value.type])

    def verify_(self) -> None:
        c = self.condition.type
        if c != i1 and c != bool_like(self.result.type):
            raise VerifyException("spirv.Select's condition is i1 or a bool vector of the result's shape")


class _ConvertOp(IRDLOperation):
    """`spirv.ConvertFToS %x : f32 to si32`: operand and result of the same shape."""

    SOURCE: ClassVar[tuple[str, TypePredicate]] = _FLOAT
    TARGET: ClassVar[tuple[str, TypePredicate]] = ("an int or int vector", is_int)

    operand = operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$operand attr-dict `:` type($operand) `to` type($result)"

    def __init__(self, operand: SSAValue, result_type: Attribute):
        super().__init__(operands=[operand], result_types=[result_type])

    def verify_(self) -> None:
        _check(self, self.SOURCE[1], self.SOURCE[0], self.operand.type)
        _check(self, self.TARGET[1], self.TARGET[0], self.result.type)
        a, r = self.operand.type, self.result.type
        if isinstance(a, VectorType) != isinstance(r, VectorType) or (
            isinstance(a, VectorType) and isinstance(r, VectorType) and a.get_shape() != r.get_shape()
        ):
            raise VerifyException(f"'{self.name}' keeps the shape: {a} to {r}")


_INT = ("an int or int vector", is_int)


@irdl_op_definition
class ConvertFToSOp(_ConvertOp):
    """Float to signed int, rounding toward zero."""

    name = "spirv.ConvertFToS"


@irdl_op_definition
class ConvertFToUOp(_ConvertOp):
    """Float to unsigned int, rounding toward zero."""

    name = "spirv.ConvertFToU"


@irdl_op_definition
class ConvertSToFOp(_ConvertOp):
    """Signed int to float."""

    name = "spirv.ConvertSToF"
    SOURCE: ClassVar[tuple[str, TypePredicate]] = _INT
    TARGET: ClassVar[tuple[str, TypePredicate]] = _FLOAT


@irdl_op_definition
class ConvertUToFOp(_ConvertOp):
    """Unsigned int to float."""

    name = "spirv.ConvertUToF"
    SOURCE: ClassVar[tuple[str, TypePredicate]] = _INT
    TARGET: ClassVar[tuple[str, TypePredicate]] = _FLOAT


@irdl_op_definition
class SConvertOp(_ConvertOp):
    """Signed int width change (sign-extends)."""

    name = "spirv.SConvert"
    SOURCE: ClassVar[tuple[str, TypePredicate]] = _INT


@irdl_op_definition
class UConvertOp(_ConvertOp):
    """Unsigned int width change (zero-extends)."""

    name = "spirv.UConvert"
    SOURCE: ClassVar[tuple[str, TypePredicate]] = _INT


@irdl_op_definition
class FConvertOp(_ConvertOp):
    """Float width change."""

    name = "spirv.FConvert"
    TARGET: ClassVar[tuple[str, TypePredicate]] = _FLOAT


@irdl_op_definition
class BitcastOp(_ConvertOp):
    """Reinterpret the bits (same total width): also i32 <-> si32 signedness changes."""

    name = "spirv.Bitcast"
    SOURCE: ClassVar[tuple[str, TypePredicate]] = ("an int or float scalar or vector", _int_or_float)
    TARGET: ClassVar[tuple[str, TypePredicate]] = SOURCE


@irdl_op_definition
class CompositeConstructOp(IRDLOperation):
    """`spirv.CompositeConstruct %x, %y, %z : (f32, f32, f32) -> vector<3xf32>`.

    A vector from scalars and smaller vectors, a matrix (`vector<CxRxf32>`) from its columns, a struct
    from its members.
    """

    name = "spirv.CompositeConstruct"

    constituents = var_operand_def()
    result = result_def(base(VectorType) | base(StructType))

    traits = traits_def(Pure())
    assembly_format = "$constituents attr-dict `:` functional-type($constituents, $result)"

    def __init__(self, constituents: Sequence[SSAValue], result_type: VectorType | StructType):
        super().__init__(operands=[constituents], result_types=[result_type])

    def verify_(self) -> None:
        rt = self.result.type
        types = [c.type for c in self.constituents]
        if isinstance(rt, StructType):
            if types != list(rt.members.data):
                raise VerifyException(f"constituents {types} do not build {rt}")
            return
        assert isinstance(rt, VectorType)
        if rt.get_num_dims() == 2:
            if types != [component_type(rt)] * rt.get_shape()[0]:
                raise VerifyException(f"a matrix {rt} is built from its columns")
            return
        count = 0
        for t in types:
            if element_type(t) != rt.element_type or (isinstance(t, VectorType) and t.get_num_dims() != 1):
                raise VerifyException(f"constituent {t} does not build {rt}")
            count += t.get_shape()[0] if isinstance(t, VectorType) else 1
        if count != rt.get_shape()[0]:
            raise VerifyException(f"{count} components do not build {rt}")


def _indexed_type(t: Attribute, indices: Sequence[int]) -> Attribute:
    """The type literal `indices` select from composite `t` (VerifyException when they do not)."""
    for i in indices:
        if not 0 <= i < composite_size(t):
            raise VerifyException(f"index {i} does not select from {t}")
        t = t.members.data[i] if isinstance(t, StructType) else component_type(t)  # pyright: ignore
        assert t is not None
    return t


def _print_indices(printer: Printer, indices: DenseArrayBase) -> None:
    printer.print_string(f"[{', '.join(str(i) for i in indices.get_values())}]")


def _parse_indices(parser: Parser) -> list[int]:
    return parser.parse_comma_separated_list(
        parser.Delimiter.SQUARE, lambda: parser.parse_integer(allow_boolean=False, allow_negative=False)
    )


@irdl_op_definition
class CompositeExtractOp(IRDLOperation):
    """`spirv.CompositeExtract %v[0] : vector<3xi32> -> i32` (literal indices)."""

    name = "spirv.CompositeExtract"

    composite = operand_def()
    indices = prop_def(DenseArrayBase.constr(i32))
    result = result_def()

    traits = traits_def(Pure())

    def __init__(self, composite: SSAValue, indices: Sequence[int], result_type: Attribute):
        super().__init__(
            operands=[composite],
            properties={"indices": DenseArrayBase.from_list(i32, list(indices))},
            result_types=[result_type],
        )

    def verify_(self) -> None:
        t = _indexed_type(self.composite.type, [int(i) for i in self.indices.get_values()])
        if t != self.result.type:
            raise VerifyException(f"the extract gives {t}, not {self.result.type}")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.composite)
        printer.print_string(f"[{', '.join(str(i) for i in self.indices.get_values())}]")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.composite.type)
        printer.print_string(" -> ")
        printer.print_attribute(self.result.type)

    @classmethod
    def parse(cls, parser: Parser) -> CompositeExtractOp:
        composite = parser.parse_unresolved_operand()
        indices = parser.parse_comma_separated_list(
            parser.Delimiter.SQUARE, lambda: parser.parse_integer(allow_boolean=False, allow_negative=False)
        )
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ct = parser.parse_type()
        parser.parse_punctuation("->")
        op = cls(parser.resolve_operand(composite, ct), indices, parser.parse_type())
        op.attributes |= attrs
        return op


@irdl_op_definition
class CompositeInsertOp(IRDLOperation):
    """`spirv.CompositeInsert %x, %v[1] : f32 into vector<3xf32>`: a copy of `%v` with one part replaced."""

    name = "spirv.CompositeInsert"

    T: ClassVar = VarConstraint("T", AnyAttr())
    object = operand_def()
    composite = operand_def(T)
    indices = prop_def(DenseArrayBase.constr(i32))
    result = result_def(T)

    traits = traits_def(Pure())

    def __init__(self, object: SSAValue, composite: SSAValue, indices: Sequence[int]):
        super().__init__(
            operands=[object, composite],
            properties={"indices": DenseArrayBase.from_list(i32, list(indices))},
            result_types=[composite.type],
        )

    def verify_(self) -> None:
        t = _indexed_type(self.composite.type, [int(i) for i in self.indices.get_values()])
        if t != self.object.type:
            raise VerifyException(f"the inserted part is {t}, not {self.object.type}")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.object)
        printer.print_string(", ")
        printer.print_operand(self.composite)
        _print_indices(printer, self.indices)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.object.type)
        printer.print_string(" into ")
        printer.print_attribute(self.composite.type)

    @classmethod
    def parse(cls, parser: Parser) -> CompositeInsertOp:
        obj = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        composite = parser.parse_unresolved_operand()
        indices = _parse_indices(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ot = parser.parse_type()
        parser.parse_keyword("into")
        ct = parser.parse_type()
        op = cls(parser.resolve_operand(obj, ot), parser.resolve_operand(composite, ct), indices)
        op.attributes |= attrs
        return op


@irdl_op_definition
class VectorShuffleOp(IRDLOperation):
    """`spirv.VectorShuffle [2, 1, 0] %a, %b : vector<3xf32>, vector<3xf32> -> vector<3xf32>`.

    Component `i` of the result is component `components[i]` of `%a` followed by `%b`.
    """

    name = "spirv.VectorShuffle"

    vector1 = operand_def(VectorType)
    vector2 = operand_def(VectorType)
    components = prop_def(DenseArrayBase.constr(i32))
    result = result_def(VectorType)

    traits = traits_def(Pure())

    def __init__(self, vector1: SSAValue, vector2: SSAValue, components: Sequence[int]):
        t = vector1.type
        assert isinstance(t, VectorType)
        super().__init__(
            operands=[vector1, vector2],
            properties={"components": DenseArrayBase.from_list(i32, list(components))},
            result_types=[VectorType(t.element_type, [len(components)])],
        )

    def verify_(self) -> None:
        a, b, r = self.vector1.type, self.vector2.type, self.result.type
        assert isinstance(a, VectorType) and isinstance(b, VectorType) and isinstance(r, VectorType)
        if not (a.element_type == b.element_type == r.element_type):
            raise VerifyException("spirv.VectorShuffle keeps the element type")
        total = a.get_shape()[0] + b.get_shape()[0]
        comps = [int(c) for c in self.components.get_values()]
        if len(comps) != r.get_shape()[0] or any(not 0 <= c < total for c in comps):
            raise VerifyException(f"components {comps} do not select {r} from {a}, {b}")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        _print_indices(printer, self.components)
        printer.print_string(" ")
        printer.print_operand(self.vector1)
        printer.print_string(", ")
        printer.print_operand(self.vector2)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.vector1.type)
        printer.print_string(", ")
        printer.print_attribute(self.vector2.type)
        printer.print_string(" -> ")
        printer.print_attribute(self.result.type)

    @classmethod
    def parse(cls, parser: Parser) -> VectorShuffleOp:
        comps = _parse_indices(parser)
        a = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        b = parser.parse_unresolved_operand()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        at = parser.parse_type()
        parser.parse_punctuation(",")
        bt = parser.parse_type()
        parser.parse_punctuation("->")
        pos = parser.pos
        rt = parser.parse_type()
        op = cls(parser.resolve_operand(a, at), parser.resolve_operand(b, bt), comps)
        if op.result.type != rt:
            parser.raise_error(f"expected result type {op.result.type}", pos, parser.pos)
        op.attributes |= attrs
        return op


@irdl_op_definition
class DotOp(IRDLOperation):
    """`spirv.Dot %a, %b : vector<3xf32> -> f32`."""

    name = "spirv.Dot"

    T: ClassVar = VarConstraint("T", base(VectorType))
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(AnyFloat)

    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)"

    def verify_(self) -> None:
        if element_type(self.lhs.type) != self.result.type or not is_float(self.result.type):
            raise VerifyException("spirv.Dot takes float vectors and gives their element type")


# --------------------------------------------------------------------------- GLSL.std.450


class _GLOp(IRDLOperation):
    """An OpExtInst of GLSL.std.450: `spirv.GL.X` is the grammar's instruction `X`."""

    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _FLOAT

    T: ClassVar = VarConstraint("T", AnyAttr())
    arguments = var_operand_def(T)
    result = result_def(T)
    ARITY: ClassVar[int] = 1

    traits = traits_def(Pure())
    assembly_format = "$arguments attr-dict `:` type($result)"

    def __init__(self, *arguments: SSAValue):
        super().__init__(operands=[list(arguments)], result_types=[arguments[0].type])

    def verify_(self) -> None:
        if len(self.arguments) != self.ARITY:
            raise VerifyException(f"'{self.name}' takes {self.ARITY} operands")
        _check(self, self.ACCEPTS[1], self.ACCEPTS[0], self.result.type)


class _GLBinaryOp(_GLOp):
    ARITY: ClassVar[int] = 2


class _GLTernaryOp(_GLOp):
    ARITY: ClassVar[int] = 3


_GL_INT = _INT


@irdl_op_definition
class GLSqrtOp(_GLOp):
    """Square root."""

    name = "spirv.GL.Sqrt"


@irdl_op_definition
class GLInverseSqrtOp(_GLOp):
    """1 / sqrt(x)."""

    name = "spirv.GL.InverseSqrt"


@irdl_op_definition
class GLExpOp(_GLOp):
    """e^x."""

    name = "spirv.GL.Exp"


@irdl_op_definition
class GLExp2Op(_GLOp):
    """2^x."""

    name = "spirv.GL.Exp2"


@irdl_op_definition
class GLLogOp(_GLOp):
    """Natural logarithm."""

    name = "spirv.GL.Log"


@irdl_op_definition
class GLLog2Op(_GLOp):
    """Base-2 logarithm."""

    name = "spirv.GL.Log2"


@irdl_op_definition
class GLSinOp(_GLOp):
    """Sine."""

    name = "spirv.GL.Sin"


@irdl_op_definition
class GLCosOp(_GLOp):
    """Cosine."""

    name = "spirv.GL.Cos"


@irdl_op_definition
class GLTanOp(_GLOp):
    """Tangent."""

    name = "spirv.GL.Tan"


@irdl_op_definition
class GLTanhOp(_GLOp):
    """Hyperbolic tangent."""

    name = "spirv.GL.Tanh"


@irdl_op_definition
class GLAsinOp(_GLOp):
    """Arc sine."""

    name = "spirv.GL.Asin"


@irdl_op_definition
class GLAcosOp(_GLOp):
    """Arc cosine."""

    name = "spirv.GL.Acos"


@irdl_op_definition
class GLAtanOp(_GLOp):
    """Arc tangent."""

    name = "spirv.GL.Atan"


@irdl_op_definition
class GLAtan2Op(_GLBinaryOp):
    """atan2(y, x)."""

    name = "spirv.GL.Atan2"


@irdl_op_definition
class GLPowOp(_GLBinaryOp):
    """x^y."""

    name = "spirv.GL.Pow"


@irdl_op_definition
class GLFAbsOp(_GLOp):
    """Float absolute value."""

    name = "spirv.GL.FAbs"


@irdl_op_definition
class GLSAbsOp(_GLOp):
    """Signed int absolute value."""

    name = "spirv.GL.SAbs"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _GL_INT


@irdl_op_definition
class GLFSignOp(_GLOp):
    """Float sign (-1, 0, 1)."""

    name = "spirv.GL.FSign"


@irdl_op_definition
class GLSSignOp(_GLOp):
    """Signed int sign."""

    name = "spirv.GL.SSign"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _GL_INT


@irdl_op_definition
class GLFloorOp(_GLOp):
    """Round down."""

    name = "spirv.GL.Floor"


@irdl_op_definition
class GLCeilOp(_GLOp):
    """Round up."""

    name = "spirv.GL.Ceil"


@irdl_op_definition
class GLRoundEvenOp(_GLOp):
    """Round half to even (Python's `round`)."""

    name = "spirv.GL.RoundEven"


@irdl_op_definition
class GLTruncOp(_GLOp):
    """Round toward zero."""

    name = "spirv.GL.Trunc"


@irdl_op_definition
class GLFractOp(_GLOp):
    """x - floor(x)."""

    name = "spirv.GL.Fract"


@irdl_op_definition
class GLFMinOp(_GLBinaryOp):
    """Float minimum."""

    name = "spirv.GL.FMin"


@irdl_op_definition
class GLFMaxOp(_GLBinaryOp):
    """Float maximum."""

    name = "spirv.GL.FMax"


@irdl_op_definition
class GLSMinOp(_GLBinaryOp):
    """Signed int minimum."""

    name = "spirv.GL.SMin"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _GL_INT


@irdl_op_definition
class GLSMaxOp(_GLBinaryOp):
    """Signed int maximum."""

    name = "spirv.GL.SMax"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _GL_INT


@irdl_op_definition
class GLUMinOp(_GLBinaryOp):
    """Unsigned int minimum."""

    name = "spirv.GL.UMin"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _GL_INT


@irdl_op_definition
class GLUMaxOp(_GLBinaryOp):
    """Unsigned int maximum."""

    name = "spirv.GL.UMax"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _GL_INT


@irdl_op_definition
class GLFClampOp(_GLTernaryOp):
    """clamp(x, lo, hi) for floats."""

    name = "spirv.GL.FClamp"


@irdl_op_definition
class GLSClampOp(_GLTernaryOp):
    """clamp for signed ints."""

    name = "spirv.GL.SClamp"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _GL_INT


@irdl_op_definition
class GLUClampOp(_GLTernaryOp):
    """clamp for unsigned ints."""

    name = "spirv.GL.UClamp"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _GL_INT


@irdl_op_definition
class GLFmaOp(_GLTernaryOp):
    """a * b + c, fused."""

    name = "spirv.GL.Fma"


@irdl_op_definition
class GLFMixOp(_GLTernaryOp):
    """x * (1 - a) + y * a."""

    name = "spirv.GL.FMix"


@irdl_op_definition
class GLStepOp(_GLBinaryOp):
    """0 if x < edge else 1 (operands: edge, x)."""

    name = "spirv.GL.Step"


@irdl_op_definition
class GLNormalizeOp(_GLOp):
    """x / length(x)."""

    name = "spirv.GL.Normalize"


@irdl_op_definition
class GLCrossOp(_GLBinaryOp):
    """Cross product of 3-vectors."""

    name = "spirv.GL.Cross"


class _GLReduceOp(IRDLOperation):
    """A GLSL.std.450 op from float vectors to their element type."""

    ARITY: ClassVar[int] = 1

    arguments = var_operand_def()
    result = result_def(AnyFloat)

    traits = traits_def(Pure())
    assembly_format = "$arguments attr-dict `:` type($arguments) `->` type($result)"

    def verify_(self) -> None:
        if len(self.arguments) != self.ARITY or len({a.type for a in self.arguments}) != 1:
            raise VerifyException(f"'{self.name}' takes {self.ARITY} operands of one type")
        if not is_float(self.arguments[0].type) or element_type(self.arguments[0].type) != self.result.type:
            raise VerifyException(f"'{self.name}' gives the element type of its float operands")


@irdl_op_definition
class GLLengthOp(_GLReduceOp):
    """Euclidean length."""

    name = "spirv.GL.Length"


@irdl_op_definition
class GLDistanceOp(_GLReduceOp):
    """length(a - b)."""

    name = "spirv.GL.Distance"
    ARITY: ClassVar[int] = 2


class _GLConvertOp(IRDLOperation):
    """A GLSL.std.450 op between a 32-bit int and a float vector (the pack/unpack family)."""

    SOURCE: ClassVar[Attribute] = VectorType(Float32Type(), [2])
    TARGET: ClassVar[Attribute] = i32

    arguments = var_operand_def()
    result = result_def()

    traits = traits_def(Pure())
    assembly_format = "$arguments attr-dict `:` type($arguments) `->` type($result)"

    def __init__(self, argument: SSAValue):
        super().__init__(operands=[[argument]], result_types=[self.TARGET])

    def verify_(self) -> None:
        if len(self.arguments) != 1 or _normal_int(self.arguments[0].type) != _normal_int(self.SOURCE):
            raise VerifyException(f"'{self.name}' takes one {self.SOURCE}")
        if _normal_int(self.result.type) != _normal_int(self.TARGET):
            raise VerifyException(f"'{self.name}' gives {self.TARGET}")


def _normal_int(t: Attribute) -> Attribute:
    """i32 for any 32-bit integer type (the pack ops do not care about the signedness bit)."""
    return i32 if isinstance(t, IntegerType) and t.width.data == 32 else t


@irdl_op_definition
class GLPackHalf2x16Op(_GLConvertOp):
    """Two f32 rounded to f16, packed into the low and high halves of a 32-bit int."""

    name = "spirv.GL.PackHalf2x16"


@irdl_op_definition
class GLUnpackHalf2x16Op(_GLConvertOp):
    """The two f16 halves of a 32-bit int, as f32 (exactly)."""

    name = "spirv.GL.UnpackHalf2x16"
    SOURCE: ClassVar[Attribute] = i32
    TARGET: ClassVar[Attribute] = VectorType(Float32Type(), [2])


@irdl_op_definition
class GLLdexpOp(_GLConvertOp):
    """`spirv.GL.Ldexp %x, %e : f64, i32 -> f64`: x * 2**e, exact unless it over- or underflows."""

    name = "spirv.GL.Ldexp"

    def __init__(self, x: SSAValue, exponent: SSAValue):  # pyright: ignore[reportIncompatibleMethodOverride]
        IRDLOperation.__init__(self, operands=[[x, exponent]], result_types=[x.type])

    def verify_(self) -> None:
        if (
            len(self.arguments) != 2
            or not is_float(self.arguments[0].type)
            or not is_int(self.arguments[1].type)
        ):
            raise VerifyException("spirv.GL.Ldexp takes a float and an int exponent")
        if self.result.type != self.arguments[0].type:
            raise VerifyException("spirv.GL.Ldexp gives the type of its float operand")


# --------------------------------------------------------------------------- atomics, barriers, subgroups


class _AtomicRMWOp(IRDLOperation):
    """`spirv.AtomicIAdd Device <AcquireRelease|UniformMemory> %p, %v : !spirv.ptr<i32, StorageBuffer>`."""

    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _INT

    memory_scope = prop_def(ScopeAttr)
    semantics = prop_def(MemorySemanticsAttr)
    pointer = operand_def(PointerType)
    value = operand_def()
    result = result_def()

    def __init__(
        self, scope: Scope, semantics: Sequence[MemorySemantics], pointer: SSAValue, value: SSAValue
    ):
        super().__init__(
            operands=[pointer, value],
            properties={"memory_scope": ScopeAttr(scope), "semantics": MemorySemanticsAttr(semantics)},
            result_types=[value.type],
        )

    @classmethod
    def parse(cls, parser: Parser):
        scope = ScopeAttr(ScopeAttr.parse_parameter(parser))
        semantics = MemorySemanticsAttr(MemorySemanticsAttr.parse_parameter(parser))
        ptr = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        value = parser.parse_unresolved_operand()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        pos = parser.pos
        pt = parser.parse_type()
        if not isinstance(pt, PointerType):
            parser.raise_error("expected a !spirv.ptr", pos, parser.pos)
        op = cls(
            scope.data,
            semantics.data,
            parser.resolve_operand(ptr, pt),
            parser.resolve_operand(value, pt.pointee),
        )
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.memory_scope.data} ")
        self.semantics.print_parameter(printer)
        printer.print_string(" ")
        printer.print_list([self.pointer, self.value], printer.print_operand)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.pointer.type)

    def verify_(self) -> None:
        pt = self.pointer.type
        assert isinstance(pt, PointerType)
        if not (pt.pointee == self.value.type == self.result.type):
            raise VerifyException(f"'{self.name}' operates on the pointee type {pt.pointee}")
        _check(self, self.ACCEPTS[1], self.ACCEPTS[0], pt.pointee)
        if isinstance(pt.pointee, VectorType):
            raise VerifyException("atomics act on scalars")


@irdl_op_definition
class AtomicIAddOp(_AtomicRMWOp):
    """Atomic integer add; gives the old value."""

    name = "spirv.AtomicIAdd"


@irdl_op_definition
class AtomicISubOp(_AtomicRMWOp):
    """Atomic integer subtract."""

    name = "spirv.AtomicISub"


@irdl_op_definition
class AtomicSMinOp(_AtomicRMWOp):
    """Atomic signed minimum."""

    name = "spirv.AtomicSMin"


@irdl_op_definition
class AtomicUMinOp(_AtomicRMWOp):
    """Atomic unsigned minimum."""

    name = "spirv.AtomicUMin"


@irdl_op_definition
class AtomicSMaxOp(_AtomicRMWOp):
    """Atomic signed maximum."""

    name = "spirv.AtomicSMax"


@irdl_op_definition
class AtomicUMaxOp(_AtomicRMWOp):
    """Atomic unsigned maximum."""

    name = "spirv.AtomicUMax"


@irdl_op_definition
class AtomicAndOp(_AtomicRMWOp):
    """Atomic bitwise and."""

    name = "spirv.AtomicAnd"


@irdl_op_definition
class AtomicOrOp(_AtomicRMWOp):
    """Atomic bitwise or."""

    name = "spirv.AtomicOr"


@irdl_op_definition
class AtomicXorOp(_AtomicRMWOp):
    """Atomic bitwise xor."""

    name = "spirv.AtomicXor"


@irdl_op_definition
class AtomicExchangeOp(_AtomicRMWOp):
    """Atomic swap."""

    name = "spirv.AtomicExchange"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = ("an int or float", _int_or_float)


@irdl_op_definition
class AtomicFAddEXTOp(_AtomicRMWOp):
    """Atomic float add (SPV_EXT_shader_atomic_float_add, capability AtomicFloat32AddEXT)."""

    name = "spirv.EXT.AtomicFAdd"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _FLOAT


@irdl_op_definition
class AtomicCompareExchangeOp(IRDLOperation):
    """`spirv.AtomicCompareExchange Device <None> <None> %p, %value, %comparator : !spirv.ptr<...>`.

    Stores `value` when the old value equals `comparator`; gives the old value.
    """

    name = "spirv.AtomicCompareExchange"

    T: ClassVar = VarConstraint("T", AnyAttr())
    memory_scope = prop_def(ScopeAttr)
    equal_semantics = prop_def(MemorySemanticsAttr)
    unequal_semantics = prop_def(MemorySemanticsAttr)
    pointer = operand_def(PointerType)
    value = operand_def(T)
    comparator = operand_def(T)
    result = result_def(T)

    assembly_format = (
        "$memory_scope $equal_semantics $unequal_semantics $pointer `,` $value `,` $comparator attr-dict"
        " `:` type($pointer) `,` type($result)"
    )

    def verify_(self) -> None:
        pt = self.pointer.type
        assert isinstance(pt, PointerType)
        if pt.pointee != self.result.type or not is_int(pt.pointee):
            raise VerifyException("spirv.AtomicCompareExchange acts on an integer pointee")


@irdl_op_definition
class AtomicLoadOp(IRDLOperation):
    """`spirv.AtomicLoad Device <None> %p : !spirv.ptr<i32, StorageBuffer> -> i32`."""

    name = "spirv.AtomicLoad"

    memory_scope = prop_def(ScopeAttr)
    semantics = prop_def(MemorySemanticsAttr)
    pointer = operand_def(PointerType)
    result = result_def()

    assembly_format = "$memory_scope $semantics $pointer attr-dict `:` type($pointer) `->` type($result)"

    def verify_(self) -> None:
        pt = self.pointer.type
        assert isinstance(pt, PointerType)
        if pt.pointee != self.result.type or not _int_or_float(pt.pointee):
            raise VerifyException("spirv.AtomicLoad gives the scalar pointee type")


@irdl_op_definition
class AtomicStoreOp(IRDLOperation):
    """`spirv.AtomicStore Device <None> %p, %v : !spirv.ptr<i32, StorageBuffer>, i32`."""

    name = "spirv.AtomicStore"

    memory_scope = prop_def(ScopeAttr)
    semantics = prop_def(MemorySemanticsAttr)
    pointer = operand_def(PointerType)
    value = operand_def()

    assembly_format = (
        "$memory_scope $semantics $pointer `,` $value attr-dict `:` type($pointer) `,` type($value)"
    )

    def verify_(self) -> None:
        pt = self.pointer.type
        assert isinstance(pt, PointerType)
        if pt.pointee != self.value.type or not _int_or_float(pt.pointee):
            raise VerifyException("spirv.AtomicStore stores the scalar pointee type")


@irdl_op_definition
class ControlBarrierOp(IRDLOperation):
    """`spirv.ControlBarrier Workgroup, Workgroup, <AcquireRelease|WorkgroupMemory>`."""

    name = "spirv.ControlBarrier"

    execution_scope = prop_def(ScopeAttr)
    memory_scope = prop_def(ScopeAttr)
    semantics = prop_def(MemorySemanticsAttr)

    assembly_format = "$execution_scope `,` $memory_scope `,` $semantics attr-dict"

    def __init__(self, execution: Scope, memory: Scope, semantics: Sequence[MemorySemantics]):
        super().__init__(
            properties={
                "execution_scope": ScopeAttr(execution),
                "memory_scope": ScopeAttr(memory),
                "semantics": MemorySemanticsAttr(semantics),
            }
        )


@irdl_op_definition
class MemoryBarrierOp(IRDLOperation):
    """`spirv.MemoryBarrier Device, <AcquireRelease|UniformMemory>`."""

    name = "spirv.MemoryBarrier"

    memory_scope = prop_def(ScopeAttr)
    semantics = prop_def(MemorySemanticsAttr)

    assembly_format = "$memory_scope `,` $semantics attr-dict"


class _GroupNonUniformArithmeticOp(IRDLOperation):
    """`spirv.GroupNonUniformIAdd Subgroup Reduce %v : i32`."""

    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _INT

    T: ClassVar = VarConstraint("T", AnyAttr())
    execution_scope = prop_def(ScopeAttr)
    group_operation = prop_def(GroupOperationAttr)
    value = operand_def(T)
    result = result_def(T)

    assembly_format = "$execution_scope $group_operation $value attr-dict `:` type($result)"

    def verify_(self) -> None:
        _check(self, self.ACCEPTS[1], self.ACCEPTS[0], self.result.type)
        if self.execution_scope.data not in (Scope.Subgroup, Scope.Workgroup):
            raise VerifyException("group operations run at Subgroup or Workgroup scope")


@irdl_op_definition
class GroupNonUniformIAddOp(_GroupNonUniformArithmeticOp):
    """Subgroup integer sum."""

    name = "spirv.GroupNonUniformIAdd"


@irdl_op_definition
class GroupNonUniformFAddOp(_GroupNonUniformArithmeticOp):
    """Subgroup float sum."""

    name = "spirv.GroupNonUniformFAdd"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _FLOAT


@irdl_op_definition
class GroupNonUniformSMinOp(_GroupNonUniformArithmeticOp):
    """Subgroup signed minimum."""

    name = "spirv.GroupNonUniformSMin"


@irdl_op_definition
class GroupNonUniformUMinOp(_GroupNonUniformArithmeticOp):
    """Subgroup unsigned minimum."""

    name = "spirv.GroupNonUniformUMin"


@irdl_op_definition
class GroupNonUniformFMinOp(_GroupNonUniformArithmeticOp):
    """Subgroup float minimum."""

    name = "spirv.GroupNonUniformFMin"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _FLOAT


@irdl_op_definition
class GroupNonUniformSMaxOp(_GroupNonUniformArithmeticOp):
    """Subgroup signed maximum."""

    name = "spirv.GroupNonUniformSMax"


@irdl_op_definition
class GroupNonUniformUMaxOp(_GroupNonUniformArithmeticOp):
    """Subgroup unsigned maximum."""

    name = "spirv.GroupNonUniformUMax"


@irdl_op_definition
class GroupNonUniformFMaxOp(_GroupNonUniformArithmeticOp):
    """Subgroup float maximum."""

    name = "spirv.GroupNonUniformFMax"
    ACCEPTS: ClassVar[tuple[str, TypePredicate]] = _FLOAT


@irdl_op_definition
class GroupNonUniformBroadcastFirstOp(IRDLOperation):
    """`spirv.GroupNonUniformBroadcastFirst Subgroup %v : f32`: the value of the lowest active invocation."""

    name = "spirv.GroupNonUniformBroadcastFirst"

    T: ClassVar = VarConstraint("T", AnyAttr())
    execution_scope = prop_def(ScopeAttr)
    value = operand_def(T)
    result = result_def(T)

    assembly_format = "$execution_scope $value attr-dict `:` type($result)"


# --------------------------------------------------------------------------- calls and control flow


@irdl_op_definition
class FunctionCallOp(IRDLOperation):
    """`spirv.FunctionCall @f(%a) : (f32) -> f32`."""

    name = "spirv.FunctionCall"

    callee = prop_def(SymbolRefAttr)
    arguments = var_operand_def()
    results_ = var_result_def()

    assembly_format = "$callee `(` $arguments `)` attr-dict `:` functional-type($arguments, $results_)"

    def verify_(self) -> None:
        if len(self.results_) > 1:
            raise VerifyException("a spirv.FunctionCall gives at most one value")


@irdl_op_definition
class ReturnOp(IRDLOperation):
    """Return from a void function."""

    name = "spirv.Return"
    traits = traits_def(IsTerminator())
    assembly_format = "attr-dict"


@irdl_op_definition
class ReturnValueOp(IRDLOperation):
    """`spirv.ReturnValue %v : f32`."""

    name = "spirv.ReturnValue"
    value = operand_def()
    traits = traits_def(IsTerminator())
    assembly_format = "$value attr-dict `:` type($value)"


@irdl_op_definition
class BranchOp(IRDLOperation):
    """`spirv.Branch ^bb1(%x : i32)`; block arguments become OpPhi."""

    name = "spirv.Branch"

    target = successor_def()
    target_operands = var_operand_def()

    traits = traits_def(IsTerminator())
    assembly_format = "$target (`(` $target_operands^ `:` type($target_operands) `)`)? attr-dict"

    def __init__(self, target: Block, *operands: SSAValue):
        super().__init__(operands=[list(operands)], successors=[target])

    def verify_(self) -> None:
        if tuple(o.type for o in self.target_operands) != tuple(a.type for a in self.target.args):
            raise VerifyException("branch operands must match the target block's arguments")


@irdl_op_definition
class BranchConditionalOp(IRDLOperation):
    """`spirv.BranchConditional %c, ^then, ^else` (targets take no arguments here)."""

    name = "spirv.BranchConditional"

    condition = operand_def(i1)
    true_target = successor_def()
    false_target = successor_def()

    traits = traits_def(IsTerminator())
    assembly_format = "$condition `,` $true_target `,` $false_target attr-dict"

    def __init__(self, condition: SSAValue, true_target: Block, false_target: Block):
        super().__init__(operands=[condition], successors=[true_target, false_target])

    def verify_(self) -> None:
        if self.true_target.args or self.false_target.args:
            raise VerifyException("spirv.BranchConditional targets take no block arguments")


@irdl_op_definition
class MergeOp(IRDLOperation):
    """The only op of a selection's or loop's merge block."""

    name = "spirv.mlir.merge"
    traits = traits_def(IsTerminator())
    assembly_format = "attr-dict"


def _merge_block_ok(block: Block) -> bool:
    return isinstance(block.first_op, MergeOp) and block.first_op is block.last_op and not block.args


@irdl_op_definition
class SelectionOp(IRDLOperation):
    """Structured if/else: the first block (the header) ends in a conditional branch; the last block
    (the merge block) holds only `spirv.mlir.merge`; branches to it leave the selection.
    """

    name = "spirv.mlir.selection"
    body = region_def()
    assembly_format = "attr-dict-with-keyword $body"

    def __init__(self, body: Region):
        super().__init__(regions=[body])

    def verify_(self) -> None:
        blocks = list(self.body.blocks)
        if len(blocks) < 2:
            raise VerifyException("a selection has a header and a merge block")
        if not isinstance(blocks[0].last_op, BranchConditionalOp) or blocks[0].args:
            raise VerifyException(
                "a selection's header ends in spirv.BranchConditional and takes no arguments"
            )
        if not _merge_block_ok(blocks[-1]):
            raise VerifyException("a selection's last block holds only spirv.mlir.merge")
        for b in blocks[:-1]:
            if isinstance(b.last_op, MergeOp):
                raise VerifyException("only the merge block ends in spirv.mlir.merge")


@irdl_op_definition
class LoopOp(IRDLOperation):
    """Structured loop: blocks are entry (only a branch to the header), header, body..., continue, merge.

    The header may take block arguments (loop-carried values, OpPhi) and must not hold a nested
    selection or loop (OpLoopMerge belongs in the header block itself); the continue block branches
    back to the header; the merge block holds only `spirv.mlir.merge`.
    """

    name = "spirv.mlir.loop"
    body = region_def()
    assembly_format = "attr-dict-with-keyword $body"

    def __init__(self, body: Region):
        super().__init__(regions=[body])

    def verify_(self) -> None:
        blocks = list(self.body.blocks)
        if len(blocks) < 4:
            raise VerifyException("a loop has entry, header, continue and merge blocks")
        entry, header, cont = blocks[0], blocks[1], blocks[-2]
        if not (isinstance(entry.first_op, BranchOp) and entry.first_op.target is header):
            raise VerifyException("a loop's entry block holds only a branch to the header")
        if any(isinstance(op, SelectionOp | LoopOp) for op in header.ops):
            raise VerifyException("a loop header cannot hold a nested selection or loop")
        if not (isinstance(cont.last_op, BranchOp) and cont.last_op.target is header):
            raise VerifyException("a loop's continue block branches back to the header")
        if not _merge_block_ok(blocks[-1]):
            raise VerifyException("a loop's last block holds only spirv.mlir.merge")


SPIRV = Dialect(
    "spirv",
    [
        ModuleOp,
        GlobalVariableOp,
        FuncOp,
        EntryPointOp,
        ExecutionModeOp,
        ConstantOp,
        AddressOfOp,
        VariableOp,
        AccessChainOp,
        LoadOp,
        StoreOp,
        ArrayLengthOp,
        IAddOp,
        ISubOp,
        IMulOp,
        SDivOp,
        UDivOp,
        SRemOp,
        SModOp,
        UModOp,
        BitwiseAndOp,
        BitwiseOrOp,
        BitwiseXorOp,
        ShiftLeftLogicalOp,
        ShiftRightLogicalOp,
        ShiftRightArithmeticOp,
        NotOp,
        SNegateOp,
        FAddOp,
        FSubOp,
        FMulOp,
        FDivOp,
        FRemOp,
        FModOp,
        FNegateOp,
        LogicalAndOp,
        LogicalOrOp,
        LogicalEqualOp,
        LogicalNotEqualOp,
        LogicalNotOp,
        IEqualOp,
        INotEqualOp,
        SLessThanOp,
        SLessThanEqualOp,
        SGreaterThanOp,
        SGreaterThanEqualOp,
        ULessThanOp,
        ULessThanEqualOp,
        UGreaterThanOp,
        UGreaterThanEqualOp,
        FOrdEqualOp,
        FOrdNotEqualOp,
        FUnordNotEqualOp,
        FOrdLessThanOp,
        FOrdLessThanEqualOp,
        FOrdGreaterThanOp,
        FOrdGreaterThanEqualOp,
        IsNanOp,
        IsInfOp,
        SelectOp,
        ConvertFToSOp,
        ConvertFToUOp,
        ConvertSToFOp,
        ConvertUToFOp,
        SConvertOp,
        UConvertOp,
        FConvertOp,
        BitcastOp,
        CompositeConstructOp,
        CompositeExtractOp,
        CompositeInsertOp,
        VectorShuffleOp,
        DotOp,
        GLSqrtOp,
        GLInverseSqrtOp,
        GLExpOp,
        GLExp2Op,
        GLLogOp,
        GLLog2Op,
        GLSinOp,
        GLCosOp,
        GLTanOp,
        GLTanhOp,
        GLAsinOp,
        GLAcosOp,
        GLAtanOp,
        GLAtan2Op,
        GLPowOp,
        GLFAbsOp,
        GLSAbsOp,
        GLFSignOp,
        GLSSignOp,
        GLFloorOp,
        GLCeilOp,
        GLRoundEvenOp,
        GLTruncOp,
        GLFractOp,
        GLFMinOp,
        GLFMaxOp,
        GLSMinOp,
        GLSMaxOp,
        GLUMinOp,
        GLUMaxOp,
        GLFClampOp,
        GLSClampOp,
        GLUClampOp,
        GLFmaOp,
        GLFMixOp,
        GLStepOp,
        GLNormalizeOp,
        GLCrossOp,
        GLLengthOp,
        GLDistanceOp,
        GLPackHalf2x16Op,
        GLUnpackHalf2x16Op,
        GLLdexpOp,
        AtomicIAddOp,
        AtomicISubOp,
        AtomicSMinOp,
        AtomicUMinOp,
        AtomicSMaxOp,
        AtomicUMaxOp,
        AtomicAndOp,
        AtomicOrOp,
        AtomicXorOp,
        AtomicExchangeOp,
        AtomicFAddEXTOp,
        AtomicCompareExchangeOp,
        AtomicLoadOp,
        AtomicStoreOp,
        ControlBarrierOp,
        MemoryBarrierOp,
        GroupNonUniformIAddOp,
        GroupNonUniformFAddOp,
        GroupNonUniformSMinOp,
        GroupNonUniformUMinOp,
        GroupNonUniformFMinOp,
        GroupNonUniformSMaxOp,
        GroupNonUniformUMaxOp,
        GroupNonUniformFMaxOp,
        GroupNonUniformBroadcastFirstOp,
        FunctionCallOp,
        ReturnOp,
        ReturnValueOp,
        BranchOp,
        BranchConditionalOp,
        MergeOp,
        SelectionOp,
        LoopOp,
    ],
    [
        StorageClassAttr,
        BuiltInAttr,
        CapabilityAttr,
        AddressingModelAttr,
        MemoryModelAttr,
        ExecutionModelAttr,
        ExecutionModeAttr,
        ScopeAttr,
        GroupOperationAttr,
        MemorySemanticsAttr,
        PointerType,
        RuntimeArrayType,
        ArrayType,
        StructType,
        VceAttr,
    ],
)
"""The SPIR-V dialect."""
