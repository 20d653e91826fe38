"""`convert-arith-to-llvm`: every `arith` op on scalars and 1-D vectors to the `llvm` dialect, 1:1.

Integer and float binops and casts map one to one; `min*/max*` become `llvm.smin/umin/minnum/
minimum...` intrinsics; `index` becomes `i64`. khal's definitions of what `arith` leaves undefined
(division by zero, shifts by the width or more, float-to-int out of range or NaN) and the rounding
divisions (`floordivsi`, `ceildivsi`, `ceildivui`) are spelled out in `arith` beforehand by
`khal-expand-arith`, in the target-neutral prefix of every pipeline; here a division is `sdiv`,
a shift `shl`, a float-to-int `fptosi` (poison out of range), as in LLVM. No fast-math flag is
added. Matrix constants and selects are left to `convert-vector-to-llvm`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, llvm
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    VectorType,
    i1,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from khal.dialects import llvm_ext as llx
from khal.dialects.arith_ext import RemFOp
from khal.passes.convert_math_to_llvm import fptrunc
from khal.passes.llvm_common import (
    LoweringError,
    binop,
    call_intrinsic,
    constant,
    element_type,
    from_llvm,
    icmp,
    intrinsic_suffix,
    llvm_type,
    splat,
    to_llvm,
)

_INT_BINOPS: dict[type[Operation], type[Operation]] = {
    arith.AddiOp: llvm.AddOp,
    arith.SubiOp: llvm.SubOp,
    arith.MuliOp: llvm.MulOp,
    arith.DivUIOp: llvm.UDivOp,
    arith.DivSIOp: llvm.SDivOp,
    arith.RemUIOp: llvm.URemOp,
    arith.RemSIOp: llvm.SRemOp,
    arith.AndIOp: llvm.AndOp,
    arith.OrIOp: llvm.OrOp,
    arith.XOrIOp: llvm.XOrOp,
    arith.ShLIOp: llvm.ShlOp,
    arith.ShRUIOp: llvm.LShrOp,
    arith.ShRSIOp: llvm.AShrOp,
}

_FLOAT_BINOPS: dict[type[Operation], type[Operation]] = {
    arith.AddfOp: llvm.FAddOp,
    arith.SubfOp: llvm.FSubOp,
    arith.MulfOp: llvm.FMulOp,
    arith.DivfOp: llvm.FDivOp,
    RemFOp: llvm.FRemOp,
}

_MINMAX_INTRINSICS: dict[type[Operation], str] = {
    arith.MinSIOp: "llvm.smin",
    arith.MaxSIOp: "llvm.smax",
    arith.MinUIOp: "llvm.umin",
    arith.MaxUIOp: "llvm.umax",
    arith.MinimumfOp: "llvm.minimum",
    arith.MaximumfOp: "llvm.maximum",
    arith.MinnumfOp: "llvm.minnum",
    arith.MaxnumfOp: "llvm.maxnum",
}

_OVERFLOW_BITS = {"nsw": 1, "nuw": 2}


def _overflow(op: Operation) -> IntegerAttr:
    """arith's `overflow<nsw, nuw>` as llvm's bit set."""
    flags = op.properties.get("overflowFlags")
    bits = 0
    if isinstance(flags, arith.IntegerOverflowAttr):
        for f in flags.data:
            bits |= _OVERFLOW_BITS.get(str(f), 0)
    return IntegerAttr(bits, 32)


class BinaryLowering(RewritePattern):
    """Integer and float binops, one to one."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        if type(op) in _INT_BINOPS:
            lhs, rhs = (to_llvm(v, ops) for v in op.operands)
            target = _INT_BINOPS[type(op)]
            if issubclass(target, llvm.ArithmeticBinOpOverflow):
                new = target(lhs, rhs, overflow=_overflow(op))
            else:
                new = target(lhs, rhs)
        elif type(op) in _FLOAT_BINOPS:
            lhs, rhs = (to_llvm(v, ops) for v in op.operands)
            new = _FLOAT_BINOPS[type(op)](lhs, rhs)
        elif type(op) in _MINMAX_INTRINSICS:
            lhs, rhs = (to_llvm(v, ops) for v in op.operands)
            name = f"{_MINMAX_INTRINSICS[type(op)]}.{intrinsic_suffix(lhs.type)}"
            result = call_intrinsic(name, [lhs, rhs], lhs.type, ops)
            assert result is not None
            rewriter.replace(op, ops, [from_llvm(result, op.results[0].type, ops)])
            return
        else:
            return
        ops.append(new)
        rewriter.replace(op, ops, [from_llvm(new.results[0], op.results[0].type, ops)])


class NegfLowering(RewritePattern):
    """`arith.negf` -> `llvm.fneg` (flips the sign bit, also of 0 and NaN)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.NegfOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        new = llvm.FNegOp(to_llvm(op.operand, ops))
        ops.append(new)
        rewriter.replace(op, ops, [from_llvm(new.res, op.result.type, ops)])


def _dense_values(value: DenseIntOrFPElementsAttr) -> list[int | float]:
    return list(value.get_values())


class ConstantLowering(RewritePattern):
    """`arith.constant` -> `llvm.mlir.constant` (scalars, `index`, dense 1-D vectors)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.ConstantOp, rewriter: PatternRewriter, /) -> None:
        t = op.result.type
        if isinstance(t, VectorType) and t.get_num_dims() != 1:
            return  # a matrix: convert-vector-to-llvm builds it column by column
        new_type = llvm_type(t)
        value = op.value
        if isinstance(value, IntegerAttr):
            v = value.value.data
            if new_type == i1:
                v = 1 if v else 0
            attr: Attribute = IntegerAttr(v, new_type)
        elif isinstance(value, FloatAttr):
            attr = FloatAttr(value.value.data, new_type)
        elif isinstance(value, DenseIntOrFPElementsAttr):
            assert isinstance(new_type, VectorType)
            values = _dense_values(value)
            n = new_type.get_shape()[0]
            if len(values) == 1:
                values = values * n
            if new_type.element_type == i1:
                values = [1 if v else 0 for v in values]
            attr = DenseIntOrFPElementsAttr.from_list(new_type, values)
        else:
            raise LoweringError(f"arith.constant: unsupported value {value}")
        ops: list[Operation] = [llvm.ConstantOp(attr, new_type)]
        rewriter.replace(op, ops, [from_llvm(ops[0].results[0], t, ops)])


class CmpiLowering(RewritePattern):
    """`arith.cmpi` -> `llvm.icmp` (same predicate numbering)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.CmpiOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        lhs, rhs = to_llvm(op.lhs, ops), to_llvm(op.rhs, ops)
        new = llvm.ICmpOp(lhs, rhs, IntegerAttr(op.predicate.value.data, 64))
        ops.append(new)
        rewriter.replace(op, ops, [new.res])


class CmpfLowering(RewritePattern):
    """`arith.cmpf` -> `llvm.fcmp` (scalars and vectors; all 16 predicates)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.CmpfOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        lhs, rhs = to_llvm(op.lhs, ops), to_llvm(op.rhs, ops)
        pred = arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data]
        new = llx.FCmpOp(lhs, rhs, {"false": "_false", "true": "_true"}.get(pred, pred))
        ops.append(new)
        rewriter.replace(op, ops, [new.res])


class SelectLowering(RewritePattern):
    """`arith.select` -> `llvm.select` (a vector condition selects per element)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.SelectOp, rewriter: PatternRewriter, /) -> None:
        t = op.result.type
        if isinstance(t, VectorType) and t.get_num_dims() != 1:
            return  # matrices: convert-vector-to-llvm
        ops: list[Operation] = []
        new = llx.SelectOp(to_llvm(op.cond, ops), to_llvm(op.lhs, ops), to_llvm(op.rhs, ops))
        ops.append(new)
        rewriter.replace(op, ops, [from_llvm(new.res, t, ops)])


def _int_width(t: Attribute) -> int:
    e = element_type(llvm_type(t))
    assert isinstance(e, IntegerType)
    return e.width.data


def _float_width(t: Attribute) -> int:
    e = element_type(t)
    assert isinstance(e, AnyFloat)
    return e.bitwidth


class CastLowering(RewritePattern):
    """Integer, float and index casts."""

    def _fp_to_int(self, op: Operation, signed: bool, ops: list[Operation]) -> SSAValue:
        arg = to_llvm(op.operands[0], ops)
        res_type = llvm_type(op.results[0].type)
        new = (llx.FPToSIOp if signed else llx.FPToUIOp)(arg, res_type)
        ops.append(new)
        return new.res

    def _int_resize(self, arg: SSAValue, res_type: Attribute, signed: bool, ops: list[Operation]) -> SSAValue:
        src, dst = _int_width(arg.type), _int_width(res_type)
        if src == dst:
            return arg
        if src > dst:
            new: Operation = llvm.TruncOp(arg, res_type)
        elif signed:
            new = llvm.SExtOp(arg, res_type)
        else:
            new = llvm.ZExtOp(arg, res_type)
        ops.append(new)
        return new.results[0]

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        if isinstance(op, arith.FPToSIOp | arith.FPToUIOp):
            result = self._fp_to_int(op, isinstance(op, arith.FPToSIOp), ops)
        elif isinstance(op, arith.ExtSIOp | arith.ExtUIOp | arith.TruncIOp | arith.IndexCastOp):
            arg = to_llvm(op.operands[0], ops)
            signed = not isinstance(op, arith.ExtUIOp)
            result = self._int_resize(arg, llvm_type(op.results[0].type), signed, ops)
        elif isinstance(
            op, arith.SIToFPOp | arith.UIToFPOp | arith.ExtFOp | arith.TruncFOp | arith.BitcastOp
        ):
            arg = to_llvm(op.operands[0], ops)
            res_type = llvm_type(op.results[0].type)
            cls: type[Operation] = {
                arith.SIToFPOp: llvm.SIToFPOp,
                arith.UIToFPOp: llx.UIToFPOp,
                arith.ExtFOp: llvm.FPExtOp,
                arith.TruncFOp: llvm.FPTruncOp,
                arith.BitcastOp: llvm.BitcastOp,
            }[type(op)]
            if isinstance(op, arith.ExtFOp | arith.TruncFOp) and _float_width(arg.type) == _float_width(
                res_type
            ):
                result = arg
            elif isinstance(op, arith.TruncFOp):
                result = fptrunc(arg, res_type, ops)  # f64 -> f16 must not call compiler-rt
            else:
                new = cls(arg, res_type)  # type: ignore[call-arg]
                ops.append(new)
                result = new.results[0]
        else:
            return
        rewriter.replace(op, ops, [from_llvm(result, op.results[0].type, ops)])


def _const_like(value: int, t: Attribute, ops: list[Operation]) -> SSAValue:
    """An integer constant of type `t` (a scalar, or a vector splat)."""
    if isinstance(t, VectorType):
        return splat(constant(value, t.element_type, ops), t, ops)
    return constant(value, t, ops)


class ExtendedLowering(RewritePattern):
    """`addui_extended`, `mului_extended`, `mulsi_extended` through wider arithmetic."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, arith.AddUIExtendedOp | arith.MulUIExtendedOp | arith.MulSIExtendedOp):
            return
        ops: list[Operation] = []
        a, b = to_llvm(op.operands[0], ops), to_llvm(op.operands[1], ops)
        t = a.type
        if isinstance(op, arith.AddUIExtendedOp):
            s = binop(llvm.AddOp, a, b, ops)
            rewriter.replace(op, ops, [from_llvm(s, op.results[0].type, ops), icmp("ult", s, a, ops)])
            return
        w = _int_width(t)
        wide_elem = IntegerType(2 * w)
        wide = VectorType(wide_elem, t.get_shape()) if isinstance(t, VectorType) else wide_elem
        ext = llvm.SExtOp if isinstance(op, arith.MulSIExtendedOp) else llvm.ZExtOp
        wa, wb = ext(a, wide), ext(b, wide)
        ops += [wa, wb]
        prod = binop(llvm.MulOp, wa.results[0], wb.results[0], ops)
        low = llvm.TruncOp(prod, t)
        high = llvm.TruncOp(binop(llvm.LShrOp, prod, _const_like(w, wide, ops), ops), t)
        ops += [low, high]
        results = [from_llvm(v.results[0], r.type, ops) for v, r in zip((low, high), op.results, strict=True)]
        rewriter.replace(op, ops, results)


@dataclass(frozen=True)
class ConvertArithToLLVMPass(ModulePass):
    """Lower every `arith` op (scalars and 1-D vectors) to the `llvm` dialect."""

    name = "convert-arith-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier(
                [
                    BinaryLowering(),
                    NegfLowering(),
                    ConstantLowering(),
                    CmpiLowering(),
                    CmpfLowering(),
                    SelectLowering(),
                    CastLowering(),
                    ExtendedLowering(),
                ]
            ),
            apply_recursively=False,
        ).rewrite_module(op)
        for inner in op.walk():
            if isinstance(inner, arith.FloorDivSIOp | arith.CeilDivSIOp | arith.CeilDivUIOp):
                raise LoweringError(f"convert-arith-to-llvm: {inner.name} needs khal-expand-arith first")
            if inner.dialect_name() == "arith" and not _is_matrix_op(inner):
                raise LoweringError(f"convert-arith-to-llvm: {inner.name} is not supported")


def _is_matrix_op(op: Operation) -> bool:
    return any(isinstance(r.type, VectorType) and r.type.get_num_dims() == 2 for r in op.results)
