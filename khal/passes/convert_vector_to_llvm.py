"""`convert-vector-to-llvm`: `vector` ops on 1-D vectors and 2-D matrices to the `llvm` dialect.

A 1-D `vector<N x T>` is an LLVM vector; a matrix `vector<C x R x T>` (outer dimension = column) is
`!llvm.array<C x vector<R x T>>`, so a column is one `extractvalue`/`insertvalue`. Supported:
`vector.broadcast` (scalar or column to vector/matrix), `vector.extract`/`vector.insert` with
static or dynamic (`index`) positions (a dynamic column of a matrix is a `select` chain),
`vector.shuffle` (1-D, also of unequal lengths, and of matrix columns), `vector.fma`,
`vector.reduction` (all combining kinds, with or without accumulator), `vector.bitcast`.
Matrix-typed `arith.constant` and `arith.select` are lowered here too (column by column), since
their type is this pass's business.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, llvm, vector
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    VectorType,
    i1,
    i32,
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
from khal.passes.llvm_common import (
    LoweringError,
    call_intrinsic,
    extract_element,
    extract_value,
    from_llvm,
    insert_element,
    insert_value,
    intrinsic_suffix,
    llvm_type,
    select,
    splat,
    to_llvm,
    undef,
)


def _is_matrix(t: Attribute) -> bool:
    return isinstance(t, VectorType) and t.get_num_dims() == 2


def _column_type(t: VectorType) -> VectorType:
    return VectorType(t.element_type, [t.get_shape()[1]])


def _position(p: int | SSAValue, ops: list[Operation]) -> int | SSAValue:
    return p if isinstance(p, int) else to_llvm(p, ops)


def _eq(index: SSAValue, k: int, ops: list[Operation]) -> SSAValue:
    c = llvm.ConstantOp(IntegerAttr(k, index.type), index.type)
    cmp = llvm.ICmpOp(index, c.result, IntegerAttr(llvm.ICmpPredicateFlag.EQ.to_int(), 64))
    ops += [c, cmp]
    return cmp.res


def _get_column(matrix: SSAValue, columns: int, p: int | SSAValue, ops: list[Operation]) -> SSAValue:
    if isinstance(p, int):
        return extract_value(matrix, [p], ops)
    result = extract_value(matrix, [0], ops)
    for k in range(1, columns):
        result = select(_eq(p, k, ops), extract_value(matrix, [k], ops), result, ops)
    return result


def _set_column(
    matrix: SSAValue, columns: int, p: int | SSAValue, column: SSAValue, ops: list[Operation]
) -> SSAValue:
    if isinstance(p, int):
        return insert_value(matrix, column, [p], ops)
    for k in range(columns):
        old = extract_value(matrix, [k], ops)
        matrix = insert_value(matrix, select(_eq(p, k, ops), column, old, ops), [k], ops)
    return matrix


class BroadcastLowering(RewritePattern):
    """`vector.broadcast` of a scalar (or a 1-element vector, or a column) to a vector or matrix."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.BroadcastOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        t = op.vector.type
        src = to_llvm(op.source, ops)
        src_t = op.source.type
        if src_t == t:
            rewriter.replace(op, ops, [op.source])
            return
        if _is_matrix(t):
            col_t = _column_type(t)
            if src_t == col_t:
                column = src
            else:
                scalar = extract_element(src, 0, ops) if isinstance(src_t, VectorType) else src
                column = splat(scalar, llvm_type(col_t), ops)
            value = undef(llvm_type(t), ops)
            for c in range(t.get_shape()[0]):
                value = insert_value(value, column, [c], ops)
        else:
            if isinstance(src_t, VectorType):
                if src_t.get_shape() != (1,):
                    raise LoweringError(f"vector.broadcast from {src_t} to {t} is not supported")
                src = extract_element(src, 0, ops)
            value = splat(src, llvm_type(t), ops)
        rewriter.replace(op, ops, [from_llvm(value, t, ops)])


class ExtractLowering(RewritePattern):
    """`vector.extract`: an element, a column, or an element of a column (static or dynamic)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.ExtractOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        src_t = op.vector.type
        assert isinstance(src_t, VectorType)
        src = to_llvm(op.vector, ops)
        positions = [_position(p, ops) for p in op.get_mixed_position()]
        if not positions:
            rewriter.replace(op, ops, [op.vector])
            return
        if _is_matrix(src_t):
            value = _get_column(src, src_t.get_shape()[0], positions[0], ops)
            if len(positions) == 2:
                value = extract_element(value, positions[1], ops)
        else:
            value = extract_element(src, positions[0], ops)
        rewriter.replace(op, ops, [from_llvm(value, op.result.type, ops)])


class InsertLowering(RewritePattern):
    """`vector.insert`: an element, a column, or an element of a column (static or dynamic)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.InsertOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        t = op.dest.type
        assert isinstance(t, VectorType)
        dest = to_llvm(op.dest, ops)
        src = to_llvm(op.source, ops)
        positions = [_position(p, ops) for p in op.get_mixed_position()]
        if not positions:
            rewriter.replace(op, ops, [op.source])
            return
        if _is_matrix(t):
            columns = t.get_shape()[0]
            if len(positions) == 1:
                value = _set_column(dest, columns, positions[0], src, ops)
            else:
                column = _get_column(dest, columns, positions[0], ops)
                column = insert_element(column, src, positions[1], ops)
                value = _set_column(dest, columns, positions[0], column, ops)
        else:
            value = insert_element(dest, src, positions[0], ops)
        rewriter.replace(op, ops, [from_llvm(value, t, ops)])


class ShuffleLowering(RewritePattern):
    """`vector.shuffle` -> `llvm.shufflevector` (1-D) or column moves (matrices)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.ShuffleOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        t1, t2, rt = op.v1.type, op.v2.type, op.result.type
        assert isinstance(t1, VectorType) and isinstance(t2, VectorType) and isinstance(rt, VectorType)
        mask = [max(0, m) for m in op.mask.get_values()]  # -1 (any element): take element 0
        v1, v2 = to_llvm(op.v1, ops), to_llvm(op.v2, ops)
        n1 = t1.get_shape()[0] if t1.get_shape() else 1
        if _is_matrix(rt):
            value = undef(llvm_type(rt), ops)
            for i, m in enumerate(mask):
                col = extract_value(v1, [m], ops) if m < n1 else extract_value(v2, [m - n1], ops)
                value = insert_value(value, col, [i], ops)
        else:
            n2 = t2.get_shape()[0]
            if n1 != n2:
                # shufflevector needs two operands of one type: widen the shorter one.
                n = max(n1, n2)
                v1 = _widen(v1, n, ops)
                v2 = _widen(v2, n, ops)
                mask = [m if m < n1 else m - n1 + n for m in mask]
            shuffle = llvm.ShuffleVectorOp(
                v1, v2, DenseArrayBase.from_list(i32, mask), VectorType(rt.element_type, [len(mask)])
            )
            ops.append(shuffle)
            value = shuffle.res
        rewriter.replace(op, ops, [from_llvm(value, rt, ops)])


def _widen(v: SSAValue, n: int, ops: list[Operation]) -> SSAValue:
    t = v.type
    assert isinstance(t, VectorType)
    k = t.get_shape()[0]
    if k == n:
        return v
    mask = DenseArrayBase.from_list(i32, [min(i, k - 1) for i in range(n)])
    shuffle = llvm.ShuffleVectorOp(v, v, mask, VectorType(t.element_type, [n]))
    ops.append(shuffle)
    return shuffle.res


class FMALowering(RewritePattern):
    """`vector.fma` -> `llvm.fma` (per column for matrices)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.FMAOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        t = op.res.type
        a, b, c = (to_llvm(v, ops) for v in (op.lhs, op.rhs, op.acc))
        if _is_matrix(t):
            value = undef(llvm_type(t), ops)
            for k in range(t.get_shape()[0]):
                cols = [extract_value(v, [k], ops) for v in (a, b, c)]
                name = f"llvm.fma.{intrinsic_suffix(cols[0].type)}"
                col = call_intrinsic(name, cols, cols[0].type, ops)
                assert col is not None
                value = insert_value(value, col, [k], ops)
        else:
            result = call_intrinsic(f"llvm.fma.{intrinsic_suffix(a.type)}", [a, b, c], a.type, ops)
            assert result is not None
            value = result
        rewriter.replace(op, ops, [from_llvm(value, t, ops)])


_REDUCE_INT = {
    "add": ("llvm.vector.reduce.add", llvm.AddOp),
    "mul": ("llvm.vector.reduce.mul", llvm.MulOp),
    "and": ("llvm.vector.reduce.and", llvm.AndOp),
    "or": ("llvm.vector.reduce.or", llvm.OrOp),
    "xor": ("llvm.vector.reduce.xor", llvm.XOrOp),
    "minsi": ("llvm.vector.reduce.smin", "llvm.smin"),
    "maxsi": ("llvm.vector.reduce.smax", "llvm.smax"),
    "minui": ("llvm.vector.reduce.umin", "llvm.umin"),
    "maxui": ("llvm.vector.reduce.umax", "llvm.umax"),
}

_REDUCE_FLOAT = {
    "minnumf": ("llvm.vector.reduce.fmin", "llvm.minnum"),
    "maxnumf": ("llvm.vector.reduce.fmax", "llvm.maxnum"),
    "minimumf": ("llvm.vector.reduce.fminimum", "llvm.minimum"),
    "maximumf": ("llvm.vector.reduce.fmaximum", "llvm.maximum"),
}


class ReductionLowering(RewritePattern):
    """`vector.reduction` -> `llvm.vector.reduce.*` (float add/mul in order, from the accumulator)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.ReductionOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        v = to_llvm(op.vector, ops)
        vt = v.type
        assert isinstance(vt, VectorType)
        et = vt.element_type
        kind = op.kind.data.value
        acc = to_llvm(op.acc, ops) if op.acc is not None else None
        suffix = intrinsic_suffix(vt)
        if isinstance(et, AnyFloat) and kind in ("add", "mul"):
            if acc is None:
                neutral = -0.0 if kind == "add" else 1.0
                c = llvm.ConstantOp(FloatAttr(neutral, et), et)
                ops.append(c)
                acc = c.result
            name = f"llvm.vector.reduce.f{kind}.{suffix}"
            result = call_intrinsic(name, [acc, v], et, ops)
            assert result is not None
            rewriter.replace(op, ops, [result])
            return
        table = _REDUCE_FLOAT if isinstance(et, AnyFloat) else _REDUCE_INT
        if kind not in table:
            raise LoweringError(f"vector.reduction <{kind}> on {vt} is not supported")
        name, combine = table[kind]
        result = call_intrinsic(f"{name}.{suffix}", [v], et, ops)
        assert result is not None
        if acc is not None:
            if isinstance(combine, str):
                result = call_intrinsic(f"{combine}.{intrinsic_suffix(et)}", [acc, result], et, ops)
                assert result is not None
            else:
                new = combine(acc, result)
                ops.append(new)
                result = new.results[0]
        rewriter.replace(op, ops, [result])


class BitcastLowering(RewritePattern):
    """`vector.bitcast` -> `llvm.bitcast`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.BitcastOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        new = llvm.BitcastOp(to_llvm(op.source, ops), llvm_type(op.result.type))
        ops.append(new)
        rewriter.replace(op, ops, [from_llvm(new.result, op.result.type, ops)])


class MatrixConstantLowering(RewritePattern):
    """A matrix `arith.constant` -> column constants inserted into an undef array."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.ConstantOp, rewriter: PatternRewriter, /) -> None:
        t = op.result.type
        if not _is_matrix(t):
            return
        assert isinstance(t, VectorType) and isinstance(op.value, DenseIntOrFPElementsAttr)
        columns, rows = t.get_shape()
        values = list(op.value.get_values())
        if len(values) == 1:
            values = values * (columns * rows)
        col_t = llvm_type(_column_type(t))
        assert isinstance(col_t, VectorType)
        if col_t.element_type == i1:
            values = [1 if v else 0 for v in values]
        ops: list[Operation] = []
        value = undef(llvm_type(t), ops)
        for c in range(columns):
            attr = DenseIntOrFPElementsAttr.from_list(col_t, values[c * rows : (c + 1) * rows])
            const = llvm.ConstantOp(attr, col_t)
            ops.append(const)
            value = insert_value(value, const.result, [c], ops)
        rewriter.replace(op, ops, [from_llvm(value, t, ops)])


class MatrixSelectLowering(RewritePattern):
    """A matrix `arith.select` (scalar condition) -> `llvm.select` of the arrays."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.SelectOp, rewriter: PatternRewriter, /) -> None:
        t = op.result.type
        if not _is_matrix(t):
            return
        ops: list[Operation] = []
        if op.cond.type != i1:
            raise LoweringError("arith.select on matrices needs a scalar i1 condition")
        sel = llx.SelectOp(to_llvm(op.cond, ops), to_llvm(op.lhs, ops), to_llvm(op.rhs, ops))
        ops.append(sel)
        rewriter.replace(op, ops, [from_llvm(sel.res, t, ops)])


@dataclass(frozen=True)
class ConvertVectorToLLVMPass(ModulePass):
    """Lower `vector` ops (1-D vectors, 2-D matrices as arrays of columns) to the `llvm` dialect."""

    name = "convert-vector-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier(
                [
                    BroadcastLowering(),
                    ExtractLowering(),
                    InsertLowering(),
                    ShuffleLowering(),
                    FMALowering(),
                    ReductionLowering(),
                    BitcastLowering(),
                    MatrixConstantLowering(),
                    MatrixSelectLowering(),
                ]
            ),
            apply_recursively=False,
        ).rewrite_module(op)
        for inner in op.walk():
            if inner.dialect_name() == "vector":
                raise LoweringError(f"convert-vector-to-llvm: {inner.name} is not supported")
            if inner.dialect_name() in ("arith", "math") and any(_is_matrix(r.type) for r in inner.results):
                raise LoweringError(
                    f"{inner.name} on a matrix: arithmetic must be split into column operations"
                )
