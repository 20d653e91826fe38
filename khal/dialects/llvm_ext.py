"""What xDSL 0.74's `llvm` dialect lacks for khal's lowerings, with MLIR's names and syntax.

xDSL has no `fptosi`/`fptoui`/`uitofp`, `extractelement`, atomics (`atomicrmw`, `cmpxchg`,
`fence`), `addrspacecast`; and its `llvm.fcmp`/`llvm.select` refuse vector operands while its
`llvm.store` drops the atomic ordering when printed. The ops here fill those gaps; the ones
that replace xDSL's keep the name (`llvm.fcmp`, `llvm.select`, `llvm.store`) so the printed IR
reads like MLIR's. `LLVMExtended` is xDSL's `llvm` dialect with these ops added or swapped in:
register it under the name `llvm` (instead of xDSL's) to parse IR that uses them.
`khal.targets.llvm` translates every op of it to llvmlite.
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    I1,
    AnyFloatConstr,
    IntegerAttr,
    IntegerType,
    SignlessIntegerConstraint,
    StringAttr,
    UnitAttr,
    VectorType,
    i1,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    VarConstraint,
    base,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import NoMemoryEffect, Pure
from xdsl.utils.exceptions import VerifyException

# LLVM's atomic orderings, numbered as MLIR's `AtomicOrdering` enum.
ORDERINGS: dict[str, int] = {
    "not_atomic": 0,
    "unordered": 1,
    "monotonic": 2,
    "acquire": 4,
    "release": 5,
    "acq_rel": 6,
    "seq_cst": 7,
}
ORDERING_NAMES: dict[int, str] = {v: k for k, v in ORDERINGS.items()}

# `atomicrmw` operations (LLVM's spelling).
ATOMIC_BIN_OPS = (
    "xchg",
    "add",
    "sub",
    "and",
    "nand",
    "or",
    "xor",
    "max",
    "min",
    "umax",
    "umin",
    "fadd",
    "fsub",
    "fmax",
    "fmin",
)

_FLOAT_OR_VECTOR = AnyFloatConstr | VectorType.constr(AnyFloatConstr)
_INT_OR_VECTOR = SignlessIntegerConstraint | VectorType.constr(SignlessIntegerConstraint)


def _parse_ordering(parser: Parser) -> int:
    name = parser.parse_identifier()
    if name not in ORDERINGS or name == "not_atomic":
        parser.raise_error(f"unknown atomic ordering '{name}'")
    return ORDERINGS[name]


def _ordering_name(attr: IntegerAttr) -> str:
    return ORDERING_NAMES[attr.value.data]


# --------------------------------------------------------------------------- casts


class _CastOp(IRDLOperation):
    """A one-operand conversion: `llvm.X %v : T to U`."""

    arg = operand_def()
    res = result_def()
    traits = traits_def(NoMemoryEffect())
    assembly_format = "$arg attr-dict `:` type($arg) `to` type($res)"

    def __init__(self, arg: SSAValue | Operation, res_type: Attribute):
        super().__init__(operands=[arg], result_types=[res_type])


@irdl_op_definition
class FPToSIOp(_CastOp):
    """Float to signed integer, rounding toward zero (poison when out of range)."""

    name = "llvm.fptosi"
    arg = operand_def(_FLOAT_OR_VECTOR)
    res = result_def(_INT_OR_VECTOR)


@irdl_op_definition
class FPToUIOp(_CastOp):
    """Float to unsigned integer, rounding toward zero (poison when out of range)."""

    name = "llvm.fptoui"
    arg = operand_def(_FLOAT_OR_VECTOR)
    res = result_def(_INT_OR_VECTOR)


@irdl_op_definition
class UIToFPOp(_CastOp):
    """Unsigned integer to float, rounding to nearest."""

    name = "llvm.uitofp"
    arg = operand_def(_INT_OR_VECTOR)
    res = result_def(_FLOAT_OR_VECTOR)


@irdl_op_definition
class AddrSpaceCastOp(_CastOp):
    """A pointer in one address space as a pointer in another."""

    name = "llvm.addrspacecast"
    arg = operand_def(llvm.LLVMPointerType)
    res = result_def(llvm.LLVMPointerType)


# --------------------------------------------------------------------------- vectors, compare, select


@irdl_op_definition
class ExtractElementOp(IRDLOperation):
    """Element `position` (a constant or dynamic integer) of a 1-D vector."""

    name = "llvm.extractelement"
    ELEMENT: ClassVar = VarConstraint("ELEMENT", AnyAttr())
    vector = operand_def(VectorType.constr(ELEMENT))
    position = operand_def(SignlessIntegerConstraint)
    res = result_def(ELEMENT)
    traits = traits_def(NoMemoryEffect())
    assembly_format = "$vector `[` $position `:` type($position) `]` attr-dict `:` type($vector)"

    def __init__(self, vector: SSAValue | Operation, position: SSAValue | Operation):
        vtype = SSAValue.get(vector).type
        assert isinstance(vtype, VectorType)
        super().__init__(operands=[vector, position], result_types=[vtype.element_type])

    def verify_(self) -> None:
        assert isinstance(self.vector.type, VectorType)
        if self.vector.type.get_num_dims() != 1:
            raise VerifyException("extractelement needs a 1-D vector")
        if self.res.type != self.vector.type.element_type:
            raise VerifyException("the result type must be the vector's element type")


@irdl_op_definition
class FCmpOp(IRDLOperation):
    """Float comparison of scalars or vectors (xDSL's refuses vectors)."""

    name = "llvm.fcmp"
    T: ClassVar = VarConstraint("T", _FLOAT_OR_VECTOR)
    lhs = operand_def(T)
    rhs = operand_def(T)
    res = result_def(I1 | VectorType.constr(base(IntegerType)))
    predicate = prop_def(IntegerAttr)
    fastmathFlags = prop_def(llvm.FastMathAttr, default_value=llvm.FastMathAttr(None))
    traits = traits_def(Pure())

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation, predicate: str):
        ltype = SSAValue.get(lhs).type
        res = VectorType(i1, ltype.get_shape()) if isinstance(ltype, VectorType) else i1
        super().__init__(
            operands=[lhs, rhs],
            result_types=[res],
            properties={
                "predicate": IntegerAttr(llvm.FCmpPredicateFlag(predicate).to_int(), i64),
                "fastmathFlags": llvm.FastMathAttr(None),
            },
        )

    @property
    def predicate_name(self) -> str:
        """LLVM's spelling: `oeq`, `ult`, `false`, `true`, ..."""
        return llvm.FCmpPredicateFlag.from_int(self.predicate.value.data).value.strip("_")

    @classmethod
    def parse(cls, parser: Parser) -> FCmpOp:
        pred = parser.parse_str_literal()
        lhs = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        rhs = parser.parse_unresolved_operand()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        t = parser.parse_type()
        flag = {"false": "_false", "true": "_true"}.get(pred, pred)
        lhs_v, rhs_v = parser.resolve_operands([lhs, rhs], [t, t], parser.pos)
        op = cls(lhs_v, rhs_v, flag)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f' "{self.predicate_name}" ')
        printer.print_ssa_value(self.lhs)
        printer.print_string(", ")
        printer.print_ssa_value(self.rhs)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.lhs.type)


@irdl_op_definition
class SelectOp(IRDLOperation):
    """`cond ? lhs : rhs` on any first-class type; a vector of i1 selects per element."""

    name = "llvm.select"
    T: ClassVar = VarConstraint("T", AnyAttr())
    cond = operand_def(I1 | VectorType.constr(base(IntegerType)))
    lhs = operand_def(T)
    rhs = operand_def(T)
    res = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$cond `,` $lhs `,` $rhs attr-dict `:` type($cond) `,` type($res)"

    def __init__(self, cond: SSAValue | Operation, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        super().__init__(operands=[cond, lhs, rhs], result_types=[SSAValue.get(lhs).type])

    def verify_(self) -> None:
        ctype = self.cond.type
        if isinstance(ctype, VectorType):
            if ctype.element_type != i1 or not isinstance(self.lhs.type, VectorType):
                raise VerifyException("a vector condition must be vector<Nxi1> selecting vectors")
            if ctype.get_shape() != self.lhs.type.get_shape():
                raise VerifyException("the condition and the operands must have one shape")


# --------------------------------------------------------------------------- memory


@irdl_op_definition
class StoreOp(IRDLOperation):
    """`store` (xDSL's drops the atomic ordering when printed): `llvm.store %v, %p atomic monotonic`."""

    name = "llvm.store"
    value = operand_def()
    ptr = operand_def(llvm.LLVMPointerType)
    alignment = opt_prop_def(IntegerAttr)
    ordering = prop_def(IntegerAttr, default_value=IntegerAttr(0, i64))
    volatile_ = opt_prop_def(UnitAttr)
    nontemporal = opt_prop_def(UnitAttr)

    def __init__(
        self,
        value: SSAValue | Operation,
        ptr: SSAValue | Operation,
        alignment: int | None = None,
        ordering: int = 0,
        volatile: bool = False,
    ):
        props: dict[str, Attribute] = {"ordering": IntegerAttr(ordering, i64)}
        if alignment is not None:
            props["alignment"] = IntegerAttr(alignment, i64)
        if volatile:
            props["volatile_"] = UnitAttr()
        super().__init__(operands=[value, ptr], properties=props)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        if self.volatile_ is not None:
            printer.print_string("volatile ")
        printer.print_ssa_value(self.value)
        printer.print_string(", ")
        printer.print_ssa_value(self.ptr)
        if self.ordering.value.data:
            printer.print_string(f" atomic {_ordering_name(self.ordering)}")
        attrs = dict(self.attributes)
        if self.alignment is not None:
            attrs["alignment"] = self.alignment
        if self.nontemporal is not None:
            attrs["nontemporal"] = self.nontemporal
        printer.print_op_attributes(attrs)
        printer.print_string(" : ")
        printer.print_attribute(self.value.type)
        printer.print_string(", ")
        printer.print_attribute(self.ptr.type)

    @classmethod
    def parse(cls, parser: Parser) -> StoreOp:
        volatile = parser.parse_optional_keyword("volatile") is not None
        value = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        ptr = parser.parse_unresolved_operand()
        ordering = _parse_ordering(parser) if parser.parse_optional_keyword("atomic") else 0
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        value_type = parser.parse_type()
        parser.parse_punctuation(",")
        ptr_type = parser.parse_type()
        align = attrs.pop("alignment", None)
        op = cls(
            parser.resolve_operand(value, value_type),
            parser.resolve_operand(ptr, ptr_type),
            alignment=align.value.data if isinstance(align, IntegerAttr) else None,
            ordering=ordering,
            volatile=volatile,
        )
        if (nt := attrs.pop("nontemporal", None)) is not None:
            op.nontemporal = nt
        op.attributes |= attrs
        return op


@irdl_op_definition
class AtomicRMWOp(IRDLOperation):
    """`atomicrmw`: applies `bin_op` to `*ptr` and `val` atomically; returns the old value."""

    name = "llvm.atomicrmw"
    T: ClassVar = VarConstraint("T", AnyAttr())
    ptr = operand_def(llvm.LLVMPointerType)
    val = operand_def(T)
    res = result_def(T)
    bin_op = prop_def(StringAttr)
    ordering = prop_def(IntegerAttr)
    syncscope = opt_prop_def(StringAttr)
    alignment = opt_prop_def(IntegerAttr)

    def __init__(
        self,
        bin_op: str,
        ptr: SSAValue | Operation,
        val: SSAValue | Operation,
        ordering: str = "monotonic",
        syncscope: str | None = None,
        alignment: int | None = None,
    ):
        props: dict[str, Attribute] = {
            "bin_op": StringAttr(bin_op),
            "ordering": IntegerAttr(ORDERINGS[ordering], i64),
        }
        if syncscope is not None:
            props["syncscope"] = StringAttr(syncscope)
        if alignment is not None:
            props["alignment"] = IntegerAttr(alignment, i64)
        super().__init__(operands=[ptr, val], result_types=[SSAValue.get(val).type], properties=props)

    def verify_(self) -> None:
        if self.bin_op.data not in ATOMIC_BIN_OPS:
            raise VerifyException(f"unknown atomicrmw operation {self.bin_op.data}")
        if self.ordering.value.data not in (2, 4, 5, 6, 7):
            raise VerifyException("atomicrmw needs an ordering of at least monotonic")

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.bin_op.data} ")
        printer.print_ssa_value(self.ptr)
        printer.print_string(", ")
        printer.print_ssa_value(self.val)
        if self.syncscope is not None:
            printer.print_string(" syncscope(")
            printer.print_string_literal(self.syncscope.data)
            printer.print_string(")")
        printer.print_string(f" {_ordering_name(self.ordering)}")
        attrs = dict(self.attributes)
        if self.alignment is not None:
            attrs["alignment"] = self.alignment
        printer.print_op_attributes(attrs)
        printer.print_string(" : ")
        printer.print_attribute(self.ptr.type)
        printer.print_string(", ")
        printer.print_attribute(self.val.type)

    @classmethod
    def parse(cls, parser: Parser) -> AtomicRMWOp:
        bin_op = parser.parse_identifier()
        ptr = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        val = parser.parse_unresolved_operand()
        scope = None
        if parser.parse_optional_keyword("syncscope"):
            parser.parse_punctuation("(")
            scope = parser.parse_str_literal()
            parser.parse_punctuation(")")
        ordering = ORDERING_NAMES[_parse_ordering(parser)]
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ptr_type = parser.parse_type()
        parser.parse_punctuation(",")
        val_type = parser.parse_type()
        align = attrs.pop("alignment", None)
        op = cls(
            bin_op,
            parser.resolve_operand(ptr, ptr_type),
            parser.resolve_operand(val, val_type),
            ordering,
            scope,
            align.value.data if isinstance(align, IntegerAttr) else None,
        )
        op.attributes |= attrs
        return op


@irdl_op_definition
class AtomicCmpXchgOp(IRDLOperation):
    """`cmpxchg`: if `*ptr == cmp` store `val`; the result is `{old value, i1 success}`."""

    name = "llvm.cmpxchg"
    T: ClassVar = VarConstraint("T", AnyAttr())
    ptr = operand_def(llvm.LLVMPointerType)
    cmp = operand_def(T)
    val = operand_def(T)
    res = result_def(llvm.LLVMStructType)
    success_ordering = prop_def(IntegerAttr)
    failure_ordering = prop_def(IntegerAttr)
    syncscope = opt_prop_def(StringAttr)
    alignment = opt_prop_def(IntegerAttr)

    def __init__(
        self,
        ptr: SSAValue | Operation,
        cmp: SSAValue | Operation,
        val: SSAValue | Operation,
        success_ordering: str = "monotonic",
        failure_ordering: str = "monotonic",
        syncscope: str | None = None,
    ):
        vtype = SSAValue.get(val).type
        props: dict[str, Attribute] = {
            "success_ordering": IntegerAttr(ORDERINGS[success_ordering], i64),
            "failure_ordering": IntegerAttr(ORDERINGS[failure_ordering], i64),
        }
        if syncscope is not None:
            props["syncscope"] = StringAttr(syncscope)
        super().__init__(
            operands=[ptr, cmp, val],
            result_types=[llvm.LLVMStructType.from_type_list([vtype, i1])],
            properties=props,
        )

    def verify_(self) -> None:
        assert isinstance(self.res.type, llvm.LLVMStructType)
        if list(self.res.type.types) != [self.val.type, i1]:
            raise VerifyException("cmpxchg returns !llvm.struct<(T, i1)>")
        if self.failure_ordering.value.data in (5, 6):
            raise VerifyException("a cmpxchg failure ordering cannot be release or acq_rel")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_list([self.ptr, self.cmp, self.val], printer.print_ssa_value)
        if self.syncscope is not None:
            printer.print_string(" syncscope(")
            printer.print_string_literal(self.syncscope.data)
            printer.print_string(")")
        printer.print_string(
            f" {_ordering_name(self.success_ordering)} {_ordering_name(self.failure_ordering)}"
        )
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.ptr.type)
        printer.print_string(", ")
        printer.print_attribute(self.val.type)

    @classmethod
    def parse(cls, parser: Parser) -> AtomicCmpXchgOp:
        ptr = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        cmp = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        val = parser.parse_unresolved_operand()
        scope = None
        if parser.parse_optional_keyword("syncscope"):
            parser.parse_punctuation("(")
            scope = parser.parse_str_literal()
            parser.parse_punctuation(")")
        success = ORDERING_NAMES[_parse_ordering(parser)]
        failure = ORDERING_NAMES[_parse_ordering(parser)]
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ptr_type = parser.parse_type()
        parser.parse_punctuation(",")
        val_type = parser.parse_type()
        ptr_v, cmp_v, val_v = parser.resolve_operands(
            [ptr, cmp, val], [ptr_type, val_type, val_type], parser.pos
        )
        op = cls(ptr_v, cmp_v, val_v, success, failure, scope)
        op.attributes |= attrs
        return op


@irdl_op_definition
class FenceOp(IRDLOperation):
    """`fence [syncscope("...")] ordering`."""

    name = "llvm.fence"
    ordering = prop_def(IntegerAttr)
    syncscope = opt_prop_def(StringAttr)

    def __init__(self, ordering: str = "seq_cst", syncscope: str | None = None):
        props: dict[str, Attribute] = {"ordering": IntegerAttr(ORDERINGS[ordering], i64)}
        if syncscope is not None:
            props["syncscope"] = StringAttr(syncscope)
        super().__init__(properties=props)

    def verify_(self) -> None:
        if self.ordering.value.data not in (4, 5, 6, 7):
            raise VerifyException("a fence ordering is acquire, release, acq_rel or seq_cst")

    def print(self, printer: Printer) -> None:
        if self.syncscope is not None:
            printer.print_string(" syncscope(")
            printer.print_string_literal(self.syncscope.data)
            printer.print_string(")")
        printer.print_string(f" {_ordering_name(self.ordering)}")
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> FenceOp:
        scope = None
        if parser.parse_optional_keyword("syncscope"):
            parser.parse_punctuation("(")
            scope = parser.parse_str_literal()
            parser.parse_punctuation(")")
        op = cls(ORDERING_NAMES[_parse_ordering(parser)], scope)
        op.attributes |= parser.parse_optional_attr_dict()
        return op


EXTRA_OPS: tuple[type[IRDLOperation], ...] = (
    FPToSIOp,
    FPToUIOp,
    UIToFPOp,
    AddrSpaceCastOp,
    ExtractElementOp,
    FCmpOp,
    SelectOp,
    StoreOp,
    AtomicRMWOp,
    AtomicCmpXchgOp,
    FenceOp,
)


def _extended() -> Dialect:
    replaced = {op.name for op in EXTRA_OPS}
    ops = [op for op in llvm.LLVM.operations if op.name not in replaced]
    return Dialect("llvm", [*ops, *EXTRA_OPS], list(llvm.LLVM.attributes))


LLVMExtended: Dialect = _extended()
"""xDSL's `llvm` dialect plus the ops of this module (register it as `llvm`)."""
