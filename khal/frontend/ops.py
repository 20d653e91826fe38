"""Typed operations of the kernel language: constants, the literal rules, arithmetic, comparisons,
casts, vectors (swizzles, indexing) and matrices (split into column operations).

A mixin of `FunctionCompiler`: every method emits into the compiler's current block.
"""

from __future__ import annotations

import ast
import math
import operator
import sys
from typing import TYPE_CHECKING, Any

from xdsl.dialects import arith, vector
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import FloatAttr, IndexType, IntegerAttr
from xdsl.ir import SSAValue

from khal.dialects import khal as kd
from khal.frontend import fastops as fast
from khal.frontend import types as kt
from khal.frontend.values import Const, LazyVector, Memory, PyObj, Typed, Value, Void

if TYPE_CHECKING:
    from khal.frontend.compiler import FunctionCompiler

    _Base = FunctionCompiler
else:
    _Base = object

_OP_SYMBOL = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
    ast.MatMult: "@", ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
}  # fmt: skip

# Binary operators that map to one arith op, whatever the signedness.
_FLOAT_BINOPS = {ast.Add: fast.AddfOp, ast.Sub: fast.SubfOp, ast.Mult: fast.MulfOp, ast.Div: fast.DivfOp}
_INT_BINOPS = {
    ast.Add: fast.AddiOp,
    ast.Sub: fast.SubiOp,
    ast.Mult: fast.MuliOp,
    ast.BitAnd: fast.AndIOp,
    ast.BitOr: fast.OrIOp,
    ast.BitXor: fast.XOrIOp,
    ast.LShift: fast.ShLIOp,
}

_PY_BINOP = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift, ast.BitOr: operator.or_, ast.BitXor: operator.xor, ast.BitAnd: operator.and_,
}  # fmt: skip

_PY_CMP = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}  # fmt: skip

_CMPF = {ast.Eq: "oeq", ast.NotEq: "une", ast.Lt: "olt", ast.LtE: "ole", ast.Gt: "ogt", ast.GtE: "oge"}
_CMPI_S = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "slt", ast.LtE: "sle", ast.Gt: "sgt", ast.GtE: "sge"}
_CMPI_U = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "ult", ast.LtE: "ule", ast.Gt: "ugt", ast.GtE: "uge"}

SWIZZLE_SETS = ("xyzw", "rgba")


def element_of(t: Any) -> kt.ScalarType | None:
    """The scalar type of a scalar, vector or matrix type."""
    if isinstance(t, kt.ScalarType):
        return t
    if isinstance(t, kt.VectorType | kt.MatrixType):
        return t.element
    return None


# The largest finite value of each float width, and the largest value that still rounds to it
# (round-to-nearest-even overflows at max + half an ulp, exactly: that midpoint rounds to infinity).
_FLOAT_MAX = {16: 65504.0, 32: 3.4028234663852886e38, 64: sys.float_info.max}
_FLOAT_MAX_ROUNDED = {
    16: 65519.99999999999,  # 65520 = 65504 + 16 / 2 rounds to inf
    32: math.nextafter(3.4028235677973366e38, 0.0),  # 3.4028235677973366e38 = max + 2**103 / 2
    64: sys.float_info.max,
}


class OpsMixin(_Base):
    """Typed IR building blocks used by the statement and expression visitors."""

    # ------------------------------------------------------------------ constants

    def const_ssa(self, value: Any, t: kt.ScalarType, fresh: bool = False) -> SSAValue:
        """An `arith.constant` of scalar type t, reused from this block or an enclosing one."""
        ir = self.ir_type(t)
        if t.is_float:
            value = self.float_fits(value, t)
            key: tuple[Any, ...] = (ir, value.hex())  # hex keeps -0.0 apart from 0.0
        else:
            v = int(value)
            if t.is_unsigned and v >= 1 << (t.bits - 1):
                v -= 1 << t.bits  # signless IR: the two's complement bit pattern
            key = (ir, v)  # by IR type: u32 and i32 constants with one bit pattern are one value
        if not fresh:
            block: Any = self.block
            while block is not None:
                found = self.constants.get(id(block), {}).get(key)
                if found is not None:
                    return found
                block = self.block_parent.get(id(block))
        attr: Any = FloatAttr(float(value), ir) if t.is_float else IntegerAttr(key[1], ir)
        result = self.emit(fast.ConstantOp(attr, ir)).results[0]
        if not fresh:
            self.constants.setdefault(id(self.block), {})[key] = result
        return result

    def float_fits(self, value: Any, t: kt.ScalarType) -> float:
        """`value` as a float of type t, or a CompileError (at the node being compiled) if it overflows.

        A finite literal that rounds to infinity in t (`1e39` as f32, `70000.0` as f16) is an error,
        as an out-of-range int literal is; an infinite or NaN constant (`math.inf`) stays what it is.
        """
        try:
            as_float = float(value)
        except OverflowError:
            raise self.error(self.node, f"the literal {value} does not fit in {t.name}") from None
        if math.isfinite(as_float) and abs(as_float) > _FLOAT_MAX_ROUNDED[t.bits]:
            raise self.error(
                self.node,
                f"the literal {value!r} does not fit in {t.name} (its largest finite value is "
                f"{_FLOAT_MAX[t.bits]!r})",
            )
        return as_float

    def splat(self, value: Any, t: kt.KhalType) -> Typed:
        """A constant of scalar, vector or matrix type t with every element `value`."""
        elem = element_of(t)
        if elem is None:
            raise TypeError(t)
        scalar = self.const_ssa(value, elem)
        if isinstance(t, kt.ScalarType):
            return Typed(scalar, t)
        return Typed(self.emit(fast.BroadcastOp(scalar, self.ir_type(t))).results[0], t)

    def zero(self, t: kt.KhalType) -> Typed:
        """The zero value of any value type (structs: every field zero)."""
        if isinstance(t, kt.StructType):
            fields = [self.to_field(self.zero(ft).ssa, ft) for _, ft in t.fields]
            return Typed(self.emit(kd.StructConstructOp(self.ir_type(t), fields)).results[0], t)
        return self.splat(False if t == kt.bool_ else 0, t)

    def to_field(self, value: SSAValue, t: kt.KhalType) -> SSAValue:
        """A value as stored in a struct field: a bool_ is a byte there, as in numpy's layout."""
        if t != kt.bool_:
            return value
        return self.emit(arith.ExtUIOp(value, self.ir_type(kt.u8))).results[0]

    def from_field(self, value: SSAValue, t: kt.KhalType) -> SSAValue:
        """A struct field's stored value as a value of type t (a byte != 0 for a bool_)."""
        if t != kt.bool_:
            return value
        return self.emit(arith.CmpiOp(value, self.const_ssa(0, kt.u8), "ne")).results[0]

    def check_literal(self, value: Any, t: kt.ScalarType, node: ast.AST) -> Any:
        """A Python literal converted to type t, or a CompileError saying why it does not fit."""
        if isinstance(value, bool):
            if t.is_bool:
                return value
            raise self.error(
                node, f"the bool literal {value} cannot be used as {t.name}; write {t.name}({value})"
            )
        if t.is_bool:
            raise self.error(node, f"the literal {value!r} is not a bool")
        if isinstance(value, float):
            if t.is_float:
                return value
            raise self.error(
                node,
                f"the float literal {value!r} cannot be used as {t.name} "
                "(write an integer, or convert the other side with f32(...))",
            )
        if isinstance(value, int):
            if t.is_float:
                return self.float_fits(value, t)
            if not t.min <= value <= t.max:
                raise self.error(node, f"the literal {value} does not fit in {t.name}")
            return value
        raise self.error(node, f"{value!r} is not a number")

    def materialize(self, value: Value, node: ast.AST | None = None, fresh: bool = False) -> Typed:
        """An SSA value for `value` (literals get their default type: int -> i32, float -> f32)."""
        if isinstance(value, Typed):
            return value
        if isinstance(value, LazyVector):
            comps = [value.component(i).ssa for i in range(value.type.size)]
            return Typed(self.build_vector(comps, value.type), value.type)
        if isinstance(value, Const) and isinstance(value.value, bool | int | float):
            t = value.type or default_type(value.value)
            if t is kt.i32 and not kt.i32.min <= value.value <= kt.i32.max:
                raise self.error(
                    node, f"the literal {value.value} does not fit in i32; write i64({value.value})"
                )
            return Typed(self.const_ssa(value.value, t, fresh), t)
        if isinstance(value, Void):
            raise self.error(node, f"{value.what} returns nothing")
        raise self.error(node, f"{describe(value)} is not a value")

    def build_vector(self, comps: list[SSAValue], t: kt.VectorType) -> SSAValue:
        """A vector from scalar SSA components."""
        acc = self.emit(fast.BroadcastOp(comps[0], self.ir_type(t))).results[0]
        for i, c in enumerate(comps[1:], 1):
            acc = self.emit(fast.InsertOp(c, acc, [i])).results[0]
        return acc

    def elementwise(self, fn: Any, out: kt.KhalType, *values: SSAValue) -> SSAValue:
        """`fn` on scalars, applied per component when the operands are vectors.

        arith's comparisons and select take only scalar i1 conditions in xDSL, so vector compares,
        selects and the floor fix-ups are done one component at a time.
        """
        from xdsl.dialects.builtin import VectorType as IRVector

        first = values[0].type
        if not isinstance(first, IRVector):
            return fn(*values)
        assert isinstance(out, kt.VectorType)
        comps = []
        for i in range(first.get_shape()[0]):
            scalars = [
                self.emit(fast.ExtractOp(v, [i], v.type.element_type)).results[0]  # type: ignore[attr-defined]
                for v in values
            ]
            comps.append(fn(*scalars))
        return self.build_vector(comps, out)

    def coerce(self, value: Value, t: kt.KhalType, node: ast.AST, what: str) -> Value:
        """`value` as type t under the literal rules (no other implicit conversion)."""
        if isinstance(value, Const) and isinstance(value.value, bool | int | float):
            if value.type is not None and value.type != t:
                raise self.error(
                    node, f"expected {t.name} for {what}, got {value.type.name}; write {t.name}(...)"
                )
            if isinstance(t, kt.ScalarType):
                return Const(self.check_literal(value.value, t, node), t)
            raise self.error(node, f"expected {t.name} for {what}, got the literal {value.value!r}")
        vt = value_type(value)
        if vt is None:
            raise self.error(node, f"expected {t.name} for {what}, got {describe(value)}")
        if vt != t:
            raise self.error(node, f"expected {t.name} for {what}, got {tname(vt)}{cast_hint(vt, t)}")
        return value

    def unify_types(self, a: Value, b: Value, node: ast.AST) -> kt.KhalType:
        """The common type of two operands under the literal rules."""
        ta, tb = value_type(a), value_type(b)
        if ta is None and tb is None:
            if isinstance(a, Const) and isinstance(b, Const):
                return default_type(a.value if isinstance(a.value, float) else b.value)
            raise self.error(node, "expected values")
        if ta is None:
            return tb
        if tb is None:
            return ta
        if ta != tb:
            raise self.error(node, f"the two sides have different types, {tname(ta)} and {tname(tb)}")
        return ta

    def truth(self, value: Value, node: ast.AST) -> SSAValue:
        """The i1 truth value of a condition (Python truthiness for numbers)."""
        if isinstance(value, Const):
            return self.const_ssa(bool(value.value), kt.bool_)
        v = self.materialize(value, node)
        t = v.type
        if t == kt.bool_:
            return v.ssa
        if isinstance(t, kt.ScalarType):
            zero = self.const_ssa(0, t)
            if t.is_float:
                return self.emit(arith.CmpfOp(v.ssa, zero, "une")).results[0]
            return self.emit(arith.CmpiOp(v.ssa, zero, "ne")).results[0]
        raise self.error(node, f"a {tname(t)} cannot be used as a condition; compare its components")

    # ------------------------------------------------------------------ binary operators

    def binop(self, op: ast.operator, lhs: Value, rhs: Value, node: ast.AST) -> Value:
        """`lhs op rhs` with the language's type rules."""
        sym = _OP_SYMBOL.get(type(op), "?")
        if isinstance(lhs, Const) and isinstance(rhs, Const) and lhs.type is None and rhs.type is None:
            return self._fold(op, lhs.value, rhs.value, node)
        for v in (lhs, rhs):
            if isinstance(v, Memory | PyObj | Void) or (isinstance(v, Const) and not _is_number(v.value)):
                raise self.error(node, f"{describe(v)} cannot be an operand of '{sym}'")
        if isinstance(op, ast.MatMult):
            return self._matmul(lhs, rhs, node)
        if isinstance(op, ast.Pow):
            return self._pow(lhs, rhs, node)
        lt, rt = value_type(lhs), value_type(rhs)
        # literals take the other side's element type
        if lt is None:
            lhs = Const(self.check_literal(lhs.value, element_of(rt), node), element_of(rt))  # type: ignore
            lt = lhs.type
        if rt is None:
            rhs = Const(self.check_literal(rhs.value, element_of(lt), node), element_of(lt))  # type: ignore
            rt = rhs.type
        if isinstance(lt, kt.MatrixType) or isinstance(rt, kt.MatrixType):
            return self._matrix_binop(op, lhs, rhs, node)
        result_t = self._broadcast_type(lt, rt, sym, node)
        a = self._as_shape(lhs, result_t, node)
        b = self._as_shape(rhs, result_t, node)
        elem = element_of(result_t)
        assert elem is not None
        return Typed(self._arith(op, a, b, elem, result_t, node), result_t)

    def _fold(self, op: ast.operator, a: Any, b: Any, node: ast.AST) -> Value:
        if isinstance(op, ast.Div) and isinstance(a, int) and isinstance(b, int):
            raise self.error(node, "'/' on integers is not allowed; use '//' for integer division")
        if isinstance(op, ast.MatMult):
            raise self.error(node, "'@' needs a matrix")
        try:
            return Const(_PY_BINOP[type(op)](a, b))
        except (ZeroDivisionError, OverflowError, TypeError, ValueError) as e:
            raise self.error(node, f"cannot evaluate this constant expression: {e}") from None

    def _broadcast_type(self, lt: Any, rt: Any, sym: str, node: ast.AST) -> kt.KhalType:
        if lt == rt:
            if isinstance(lt, kt.StructType):
                raise self.error(node, f"'{sym}' is not defined on struct {lt.name}")
            return lt
        if isinstance(lt, kt.VectorType) and rt == lt.element:
            return lt
        if isinstance(rt, kt.VectorType) and lt == rt.element:
            return rt
        raise self.error(node, mismatch_message(lt, rt, sym, node))

    def _as_shape(self, value: Value, t: kt.KhalType, node: ast.AST) -> SSAValue:
        v = self.materialize(value, node)
        if v.type == t:
            return v.ssa
        return self.emit(fast.BroadcastOp(v.ssa, self.ir_type(t))).results[0]

    def _arith(
        self, op: ast.operator, a: SSAValue, b: SSAValue, elem: kt.ScalarType, t: Any, node: ast.AST
    ) -> SSAValue:
        sym = _OP_SYMBOL.get(type(op), "?")
        if elem.is_bool and not isinstance(op, ast.BitAnd | ast.BitOr | ast.BitXor):
            raise self.error(node, f"'{sym}' is not defined on bool; convert with i32(...) first")
        if elem.is_float:
            make = _FLOAT_BINOPS.get(type(op))
            if make is not None:
                return self.emit(make(a, b)).results[0]
            if isinstance(op, ast.FloorDiv | ast.Mod):
                # Python's divmod; khal-expand-arith spells it out (numpy's npy_divmod, on fmod)
                divmod_op = self.emit(kd.DivModFOp(a, b))
                return divmod_op.results[0 if isinstance(op, ast.FloorDiv) else 1]
            raise self.error(node, f"'{sym}' is not defined on floats")
        signed = elem.is_signed
        make = _INT_BINOPS.get(type(op))
        if make is not None:
            return self.emit(make(a, b)).results[0]
        if isinstance(op, ast.Div):
            raise self.error(
                node, "'/' on integers is not allowed; use '//' for integer division (or convert to f32)"
            )
        if isinstance(op, ast.FloorDiv | ast.Mod):
            if not signed:
                make = fast.DivUIOp if isinstance(op, ast.FloorDiv) else fast.RemUIOp
                return self.emit(make(a, b)).results[0]
            return self._floor_divmod(a, b, t, want_div=isinstance(op, ast.FloorDiv))
        if isinstance(op, ast.RShift):
            return self.emit((fast.ShRSIOp if signed else fast.ShRUIOp)(a, b)).results[0]
        raise self.error(node, f"'{sym}' is not supported here")

    def _floor_divmod(self, a: SSAValue, b: SSAValue, t: Any, want_div: bool) -> SSAValue:
        """Python's floored `//` / `%` for signed ints, from truncating divsi/remsi plus a fix-up."""
        if isinstance(t, kt.VectorType):
            return self.elementwise(lambda x, y: self._floor_divmod(x, y, t.element, want_div), t, a, b)
        q = self.emit(fast.DivSIOp(a, b)).results[0]
        r = self.emit(fast.RemSIOp(a, b)).results[0]
        zero = self.splat(0, t).ssa
        # the truncated result is off by one when the remainder is nonzero and its sign differs from b's.
        # Spelled `(r < 0) != (b < 0)`, not `(r ^ b) < 0`: NVIDIA's Vulkan driver (580) evaluated the
        # latter inverted (tests/runtime/test_integer_semantics.py on the H200).
        nonzero = self.emit(arith.CmpiOp(r, zero, "ne")).results[0]
        r_neg = self.emit(arith.CmpiOp(r, zero, "slt")).results[0]
        b_neg = self.emit(arith.CmpiOp(b, zero, "slt")).results[0]
        differ = self.emit(fast.XOrIOp(r_neg, b_neg)).results[0]
        fix = self.emit(fast.AndIOp(nonzero, differ)).results[0]
        if want_div:
            one = self.splat(1, t).ssa
            q1 = self.emit(fast.SubiOp(q, one)).results[0]
            return self.emit(arith.SelectOp(fix, q1, q)).results[0]
        r1 = self.emit(fast.AddiOp(r, b)).results[0]
        return self.emit(arith.SelectOp(fix, r1, r)).results[0]

    def _pow(self, lhs: Value, rhs: Value, node: ast.AST) -> Value:
        lt = value_type(lhs)
        if lt is None:
            raise self.error(node, "'**' with a literal base needs a typed exponent base; write f32(...)")
        elem = element_of(lt)
        if isinstance(rhs, Const) and isinstance(rhs.value, int) and not isinstance(rhs.value, bool):
            if 0 <= rhs.value <= 16 and elem is not None and not elem.is_bool:
                # small integer powers are exact as repeated products (and cheap)
                if rhs.value == 0:
                    return self.splat(1, lt)
                base = self.materialize(lhs, node)
                acc = base.ssa
                for _ in range(rhs.value - 1):
                    acc = self._arith(ast.Mult(), acc, base.ssa, elem, lt, node)
                return Typed(acc, lt)
        if elem is None or not elem.is_float:
            raise self.error(
                node, f"'**' on {tname(lt)} needs a constant exponent in 0..16; convert to f32 for pow"
            )
        if isinstance(rhs, Const) and rhs.value == 0.5:
            return Typed(self.emit(xmath.SqrtOp(self.materialize(lhs, node).ssa)).results[0], lt)
        rhs_v = (
            self.coerce(rhs, lt, node, "the exponent")
            if not isinstance(value_type(rhs), kt.ScalarType) or isinstance(lt, kt.ScalarType)
            else rhs
        )
        b = self._as_shape(rhs_v, lt, node)
        return Typed(self.emit(xmath.PowFOp(self.materialize(lhs, node).ssa, b)).results[0], lt)

    # ------------------------------------------------------------------ matrices

    def columns(self, m: Typed) -> list[SSAValue]:
        """The column vectors of a matrix."""
        assert isinstance(m.type, kt.MatrixType)
        col = self.ir_type(m.type.column)
        return [self.emit(fast.ExtractOp(m.ssa, [c], col)).results[0] for c in range(m.type.size)]

    def from_columns(self, cols: list[SSAValue], t: kt.MatrixType) -> SSAValue:
        """A matrix from its column vectors."""
        acc = self.splat(0.0, t).ssa
        for c, col in enumerate(cols):
            acc = self.emit(fast.InsertOp(col, acc, [c])).results[0]
        return acc

    def _matrix_binop(self, op: ast.operator, lhs: Value, rhs: Value, node: ast.AST) -> Value:
        lt, rt = value_type(lhs), value_type(rhs)
        sym = _OP_SYMBOL.get(type(op), "?")
        if isinstance(lt, kt.MatrixType) and lt == rt and isinstance(op, ast.Add | ast.Sub):
            a, b = self.columns(self.materialize(lhs)), self.columns(self.materialize(rhs))
            cols = [self._arith(op, x, y, lt.element, lt.column, node) for x, y in zip(a, b, strict=True)]
            return Typed(self.from_columns(cols, lt), lt)
        if isinstance(op, ast.Mult | ast.Div):
            m, s, mt = (lhs, rhs, lt) if isinstance(lt, kt.MatrixType) else (rhs, lhs, rt)
            if isinstance(op, ast.Div) and m is rhs:
                raise self.error(node, "a scalar cannot be divided by a matrix")
            assert isinstance(mt, kt.MatrixType)
            if value_type(s) == mt.element:
                sv = self.emit(fast.BroadcastOp(self.materialize(s).ssa, self.ir_type(mt.column))).results[0]
                cols = [
                    self._arith(op, c, sv, mt.element, mt.column, node)
                    for c in self.columns(self.materialize(m))
                ]
                return Typed(self.from_columns(cols, mt), mt)
            if isinstance(op, ast.Mult) and isinstance(value_type(s), kt.MatrixType | kt.VectorType):
                raise self.error(node, "use '@' for matrix products ('*' scales a matrix by a scalar)")
        raise self.error(node, f"'{sym}' is not defined between {tname(lt)} and {tname(rt)}")

    def _matmul(self, lhs: Value, rhs: Value, node: ast.AST) -> Value:
        lt, rt = value_type(lhs), value_type(rhs)
        if isinstance(lt, kt.MatrixType) and isinstance(rt, kt.VectorType) and rt == lt.column:
            cols = self.columns(self.materialize(lhs))
            return Typed(self._mat_vec(cols, self.materialize(rhs).ssa, lt), rt)
        if isinstance(lt, kt.MatrixType) and lt == rt:
            a = self.columns(self.materialize(lhs))
            b = self.columns(self.materialize(rhs))
            return Typed(self.from_columns([self._mat_vec(a, col, lt) for col in b], lt), lt)
        if isinstance(lt, kt.VectorType) and isinstance(rt, kt.MatrixType) and lt == rt.column:
            # row vector times matrix: component c is dot(v, column c)
            v = self.materialize(lhs).ssa
            comps = [self.dot_ssa(v, col, lt) for col in self.columns(self.materialize(rhs))]
            return Typed(self.build_vector(comps, lt), lt)
        raise self.error(node, f"'@' is not defined between {tname(lt)} and {tname(rt)}")

    def _mat_vec(self, cols: list[SSAValue], v: SSAValue, mt: kt.MatrixType) -> SSAValue:
        col_t = self.ir_type(mt.column)
        elem_t = self.ir_type(mt.element)
        acc: SSAValue | None = None
        for c, col in enumerate(cols):
            vc = self.emit(fast.ExtractOp(v, [c], elem_t)).results[0]
            term = self.emit(fast.MulfOp(col, self.emit(fast.BroadcastOp(vc, col_t)).results[0])).results[0]
            acc = term if acc is None else self.emit(fast.AddfOp(acc, term)).results[0]
        assert acc is not None
        return acc

    def dot_ssa(self, a: SSAValue, b: SSAValue, t: kt.VectorType) -> SSAValue:
        """The dot product of two vectors of type t, as a scalar."""
        prod = self._arith(ast.Mult(), a, b, t.element, t, self.src.tree)
        elem_t = self.ir_type(t.element)
        acc = self.emit(fast.ExtractOp(prod, [0], elem_t)).results[0]
        add = arith.AddfOp if t.element.is_float else arith.AddiOp
        for i in range(1, t.size):
            acc = self.emit(add(acc, self.emit(fast.ExtractOp(prod, [i], elem_t)).results[0])).results[0]
        return acc

    # ------------------------------------------------------------------ unary and comparisons

    def unaryop(self, op: ast.unaryop, operand: Value, node: ast.AST) -> Value:
        """`-x`, `+x`, `~x`, `not x`."""
        if isinstance(operand, Const) and operand.type is None:
            fn = {
                ast.USub: operator.neg,
                ast.UAdd: operator.pos,
                ast.Invert: operator.invert,
                ast.Not: operator.not_,
            }
            try:
                return Const(fn[type(op)](operand.value))
            except TypeError as e:
                raise self.error(node, f"cannot evaluate this constant expression: {e}") from None
        if isinstance(op, ast.Not):
            c = self.truth(operand, node)
            return Typed(self.emit(fast.XOrIOp(c, self.const_ssa(True, kt.bool_))).results[0], kt.bool_)
        v = self.materialize(operand, node)
        t = v.type
        elem = element_of(t)
        if elem is None:
            raise self.error(node, f"unary operator on {tname(t)}")
        if isinstance(op, ast.UAdd):
            return v
        if isinstance(t, kt.MatrixType):
            if isinstance(op, ast.USub):
                cols = [self.emit(arith.NegfOp(c)).results[0] for c in self.columns(v)]
                return Typed(self.from_columns(cols, t), t)
            raise self.error(node, "'~' is not defined on matrices")
        if isinstance(op, ast.USub):
            if elem.is_float:
                return Typed(self.emit(arith.NegfOp(v.ssa)).results[0], t)
            if elem.is_bool:
                raise self.error(node, "'-' is not defined on bool")
            return Typed(self.emit(fast.SubiOp(self.splat(0, t).ssa, v.ssa)).results[0], t)
        if elem.is_float:
            raise self.error(node, "'~' is not defined on floats")
        return Typed(
            self.emit(fast.XOrIOp(v.ssa, self.splat(True if elem.is_bool else -1, t).ssa)).results[0], t
        )

    def compare(self, op: ast.cmpop, lhs: Value, rhs: Value, node: ast.AST) -> Value:
        """`lhs < rhs` etc.: a bool (elementwise on vectors: a bool vector)."""
        if type(op) not in _PY_CMP:
            raise self.error(node, f"the comparison '{ast.unparse(node)}' is not supported in a kernel")
        if isinstance(lhs, Const) and isinstance(rhs, Const) and lhs.type is None and rhs.type is None:
            return Const(_PY_CMP[type(op)](lhs.value, rhs.value))
        sym = _OP_SYMBOL[type(op)]
        lt, rt = value_type(lhs), value_type(rhs)
        for v in (lhs, rhs):
            if isinstance(v, Memory | PyObj | Void):
                raise self.error(node, f"{describe(v)} cannot be compared")
        if lt is None:
            lhs = Const(self.check_literal(lhs.value, element_of(rt), node), element_of(rt))  # type: ignore
            lt = lhs.type
        if rt is None:
            rhs = Const(self.check_literal(rhs.value, element_of(lt), node), element_of(lt))  # type: ignore
            rt = rhs.type
        if isinstance(lt, kt.MatrixType | kt.StructType) or isinstance(rt, kt.MatrixType | kt.StructType):
            raise self.error(node, f"'{sym}' is not defined on {tname(lt)}")
        t = self._broadcast_type(lt, rt, sym, node)
        a, b = self._as_shape(lhs, t, node), self._as_shape(rhs, t, node)
        elem = element_of(t)
        assert elem is not None
        rt_ = kt.bool_ if isinstance(t, kt.ScalarType) else kt.vector_of(kt.bool_, t.size)  # type: ignore
        if elem.is_float:
            pred = _CMPF[type(op)]
            r = self.elementwise(lambda x, y: self.emit(arith.CmpfOp(x, y, pred)).results[0], rt_, a, b)
        else:
            pred = (_CMPI_S if elem.is_signed else _CMPI_U)[type(op)]
            r = self.elementwise(lambda x, y: self.emit(arith.CmpiOp(x, y, pred)).results[0], rt_, a, b)
        return Typed(r, rt_)

    # ------------------------------------------------------------------ casts

    def cast(self, value: Value, to: kt.ScalarType | kt.VectorType, node: ast.AST) -> Typed:
        """An explicit conversion `f32(x)`, `u32(x)`, `Vec3(ivec)` (elementwise on vectors)."""
        if (
            isinstance(value, Const)
            and isinstance(value.value, str)
            and element_of(to) in (kt.f16, kt.f32, kt.f64)
        ):
            try:  # float("nan"), f32("inf")
                value = Const(float(value.value))
            except ValueError:
                raise self.error(node, f"{value.value!r} is not a number") from None
        if isinstance(value, Const) and isinstance(value.value, bool | int | float):
            elem = element_of(to)
            assert elem is not None
            v = value.value
            if elem.is_bool:
                v = bool(v)
            elif elem.is_int:
                if isinstance(v, float):
                    v = math.trunc(v)
                if not elem.min <= int(v) <= elem.max:
                    raise self.error(node, f"{v} does not fit in {elem.name}")
                v = int(v)
            else:
                v = self.float_fits(v, elem)
            return self.splat(v, to)
        v = self.materialize(value, node)
        src_elem = element_of(v.type)
        dst_elem = element_of(to)
        same_shape = (isinstance(v.type, kt.ScalarType) and isinstance(to, kt.ScalarType)) or (
            isinstance(v.type, kt.VectorType) and isinstance(to, kt.VectorType) and v.type.size == to.size
        )
        if src_elem is None or dst_elem is None or not same_shape:
            raise self.error(node, f"cannot convert {tname(v.type)} to {to.name}")
        return Typed(self.convert_ssa(v.ssa, src_elem, dst_elem, to), to)

    def convert_ssa(self, x: SSAValue, src: kt.ScalarType, dst: kt.ScalarType, to: kt.KhalType) -> SSAValue:
        """Numeric conversion of a scalar or vector SSA value, element type src -> dst."""
        if src == dst or (src.is_int and dst.is_int and src.bits == dst.bits):
            return x  # i32 <-> u32 share the signless IR type
        if isinstance(to, kt.VectorType):  # xDSL's arith casts are scalar-only
            return self.elementwise(lambda s: self.convert_ssa(s, src, dst, dst), to, x)
        out = self.ir_type(to)
        if dst.is_bool:
            zero = self.splat(0, _reshape(to, src)).ssa
            if src.is_float:
                return self.emit(arith.CmpfOp(x, zero, "une")).results[0]
            return self.emit(arith.CmpiOp(x, zero, "ne")).results[0]
        if src.is_float and dst.is_float:
            cls = arith.ExtFOp if dst.bits > src.bits else arith.TruncFOp
            return self.emit(cls(x, out)).results[0]
        if src.is_float:
            cls = arith.FPToSIOp if dst.is_signed else arith.FPToUIOp
            return self.emit(cls(x, out)).results[0]
        if dst.is_float:
            cls = arith.SIToFPOp if src.is_signed else arith.UIToFPOp
            return self.emit(cls(x, out)).results[0]
        if dst.bits < src.bits:
            return self.emit(arith.TruncIOp(x, out)).results[0]
        cls = arith.ExtSIOp if src.is_signed else arith.ExtUIOp
        return self.emit(cls(x, out)).results[0]

    # ------------------------------------------------------------------ attributes, swizzles, fields

    def attribute(self, base: Value, attr: str, node: ast.AST) -> Value:
        """`base.attr`: a struct field or a vector swizzle."""
        t = value_type(base)
        if isinstance(t, kt.StructType):
            if t.field(attr) is None:
                raise self.error(node, f"struct {t.name} has no field '{attr}'")
            v = self.materialize(base)
            ft = t.field(attr)
            assert ft is not None
            return Typed(self.from_field(self.emit(kd.StructExtractOp(v.ssa, attr)).results[0], ft), ft)
        if isinstance(t, kt.VectorType):
            idx = swizzle_indices(attr, t.size)
            if idx is None:
                raise self.error(node, f"'{attr}' is not a swizzle of {t.name} (use x y z w or r g b a)")
            if len(idx) == 1:
                return self.component(base, idx[0])
            rt = kt.vector_of(t.element, len(idx))
            if isinstance(base, LazyVector):
                return Typed(self.build_vector([base.component(i).ssa for i in idx], rt), rt)
            v = self.materialize(base).ssa
            mask = _i64_array(idx)
            return Typed(self.emit(vector.ShuffleOp(v, v, mask, result_type=self.ir_type(rt))).results[0], rt)
        raise self.error(node, f"{describe(base)} has no attribute '{attr}'")

    def component(self, base: Value, i: int) -> Typed:
        """Component i of a vector value."""
        if isinstance(base, LazyVector):
            return base.component(i)
        v = self.materialize(base)
        assert isinstance(v.type, kt.VectorType)
        elem = v.type.element
        return Typed(self.emit(fast.ExtractOp(v.ssa, [i], self.ir_type(elem))).results[0], elem)

    def insert_attribute(self, base: Value, attr: str, value: Value, node: ast.AST) -> Value:
        """A copy of `base` with `.attr` replaced (struct field or swizzle assignment)."""
        t = value_type(base)
        if isinstance(t, kt.StructType):
            ft = t.field(attr)
            if ft is None:
                raise self.error(node, f"struct {t.name} has no field '{attr}'")
            v = self.materialize(self.coerce(value, ft, node, f"field '{attr}'"))
            s = self.materialize(base)
            return Typed(self.emit(kd.StructInsertOp(self.to_field(v.ssa, ft), s.ssa, attr)).results[0], t)
        if isinstance(t, kt.VectorType):
            idx = swizzle_indices(attr, t.size)
            if idx is None or len(set(idx)) != len(idx):
                raise self.error(node, f"'{attr}' is not an assignable swizzle of {t.name}")
            acc = self.materialize(base).ssa
            if len(idx) == 1:
                comp = self.materialize(self.coerce(value, t.element, node, f"component '{attr}'"))
                return Typed(self.emit(fast.InsertOp(comp.ssa, acc, [idx[0]])).results[0], t)
            src_t = kt.vector_of(t.element, len(idx))
            src = self.materialize(self.coerce(value, src_t, node, f"swizzle '{attr}'"))
            elem_t = self.ir_type(t.element)
            for j, i in enumerate(idx):
                c = self.emit(fast.ExtractOp(src.ssa, [j], elem_t)).results[0]
                acc = self.emit(fast.InsertOp(c, acc, [i])).results[0]
            return Typed(acc, t)
        raise self.error(node, f"cannot assign to '.{attr}' of {describe(base)}")

    # ------------------------------------------------------------------ indexing

    def index_ssa(self, index: Value, node: ast.AST) -> SSAValue:
        """An integer index as an SSA value (narrow ints widened to i32 by their signedness)."""
        if isinstance(index, Const):
            if not isinstance(index.value, int) or isinstance(index.value, bool):
                raise self.error(node, f"an index must be an integer, not {index.value!r}")
            if index.value < 0:
                raise self.error(node, "negative indices are not supported in kernels")
        v = self.materialize(index, node)
        t = v.type
        if not (isinstance(t, kt.ScalarType) and t.is_int):
            raise self.error(node, f"an index must be an integer, not {tname(t)}")
        if t.bits < 32:
            return self.convert_ssa(v.ssa, t, kt.i32 if t.is_signed else kt.u32, kt.i32)
        return v.ssa

    def subscript(self, base: Value, index: Value, node: ast.AST) -> Value:
        """`base[index]` for arrays, workgroup arrays, vectors, matrices and constant tuples."""
        if isinstance(base, Memory):
            i = self.index_ssa(index, node)
            if base.workgroup:
                r = self.emit(kd.WorkgroupLoadOp(base.ssa, i)).results[0]
            else:
                r = self.emit(kd.LoadOp(base.ssa, i)).results[0]
            if base.element == kt.bool_:  # bools live in memory as bytes
                zero = self.const_ssa(0, kt.u8)
                r = self.emit(arith.CmpiOp(r, zero, "ne")).results[0]
            return Typed(r, base.element)
        if isinstance(base, Const) and isinstance(base.value, tuple):
            if not isinstance(index, Const) or not isinstance(index.value, int):
                raise self.error(node, "a compile-time tuple can only be indexed by a constant")
            try:
                return Const(base.value[index.value])
            except IndexError:
                raise self.error(
                    node, f"index {index.value} is out of range for a tuple of {len(base.value)}"
                ) from None
        t = value_type(base)
        if isinstance(t, kt.VectorType | kt.MatrixType):
            size = t.size
            out_t = t.element if isinstance(t, kt.VectorType) else t.column
            if (
                isinstance(index, Const)
                and isinstance(index.value, int)
                and not isinstance(index.value, bool)
            ):
                if not 0 <= index.value < size:
                    raise self.error(node, f"index {index.value} is out of range for {t.name}")
                if isinstance(base, LazyVector):
                    return base.component(index.value)
                v = self.materialize(base)
                return Typed(
                    self.emit(fast.ExtractOp(v.ssa, [index.value], self.ir_type(out_t))).results[0], out_t
                )
            i = self._dyn_index(index, node)
            v = self.materialize(base)
            return Typed(self.emit(fast.ExtractOp(v.ssa, [i], self.ir_type(out_t))).results[0], out_t)
        raise self.error(node, f"{describe(base)} cannot be indexed")

    def _dyn_index(self, index: Value, node: ast.AST) -> SSAValue:
        i = self.index_ssa(index, node)
        return self.emit(arith.IndexCastOp(i, IndexType())).results[0]

    def insert_element(self, base: Value, index: Value, value: Value, node: ast.AST) -> Value:
        """A copy of vector/matrix `base` with element `index` replaced."""
        t = value_type(base)
        if not isinstance(t, kt.VectorType | kt.MatrixType):
            raise self.error(node, f"cannot assign to an element of {describe(base)}")
        out_t = t.element if isinstance(t, kt.VectorType) else t.column
        v = self.materialize(self.coerce(value, out_t, node, "the element"))
        b = self.materialize(base)
        if isinstance(index, Const) and isinstance(index.value, int):
            if not 0 <= index.value < t.size:
                raise self.error(node, f"index {index.value} is out of range for {t.name}")
            pos: Any = index.value
        else:
            pos = self._dyn_index(index, node)
        return Typed(self.emit(fast.InsertOp(v.ssa, b.ssa, [pos])).results[0], t)

    def store_element(self, memory: Memory, index: Value, value: Value, node: ast.AST) -> None:
        """`memory[index] = value`."""
        v = self.materialize(self.coerce(value, memory.element, node, f"an element of '{memory.name}'"), node)
        i = self.index_ssa(index, node)
        ssa = v.ssa
        if memory.element == kt.bool_:
            ssa = self.emit(arith.ExtUIOp(ssa, self.ir_type(kt.u8))).results[0]
        if memory.workgroup:
            self.emit(kd.WorkgroupStoreOp(ssa, memory.ssa, i))
        else:
            self.emit(kd.StoreOp(ssa, memory.ssa, i))


# ---------------------------------------------------------------------- helpers


def default_type(value: Any) -> kt.ScalarType:
    """The type of a literal on its own: bool -> bool_, int -> i32, float -> f32."""
    if isinstance(value, bool):
        return kt.bool_
    if isinstance(value, int):
        return kt.i32
    return kt.f32


def value_type(value: Value) -> Any:
    """The khal type of a value (None for an untyped literal or a non-value)."""
    if isinstance(value, Typed | LazyVector):
        return value.type
    if isinstance(value, Const):
        return value.type
    return None


def tname(t: Any) -> str:
    """A type's name for messages."""
    return t.name if isinstance(t, kt.KhalType) else "a literal"


def describe(value: Value) -> str:
    """A value, for messages."""
    if isinstance(value, Memory):
        return f"the array '{value.name}'" if value.name else "an array"
    if isinstance(value, PyObj):
        return f"'{value.name}'"
    if isinstance(value, Void):
        return value.what
    if isinstance(value, Const):
        return repr(value.value)
    return f"a {tname(value_type(value))} value"


def cast_hint(have: Any, want: Any) -> str:
    """`; write f32(...)` when a cast would fix a mismatch."""
    if isinstance(have, kt.ScalarType) and isinstance(want, kt.ScalarType):
        return f"; write {want.name}(...) to convert"
    return ""


def mismatch_message(lt: Any, rt: Any, sym: str, node: ast.AST) -> str:
    """The message for `lhs sym rhs` with different types, naming the cast to write."""
    base = f"type mismatch: {tname(lt)} {sym} {tname(rt)}"
    if isinstance(lt, kt.ScalarType) and isinstance(rt, kt.ScalarType):
        right = ast.unparse(node.right) if isinstance(node, ast.BinOp) else None  # type: ignore[attr-defined]
        if isinstance(node, ast.Compare):
            right = ast.unparse(node.comparators[0])
        left = ast.unparse(node.left) if isinstance(node, ast.BinOp | ast.Compare) else None  # type: ignore
        if rt.is_float and not lt.is_float and left:
            return f"{base}; convert explicitly, e.g. {rt.name}({left})"
        if right:
            return f"{base}; convert explicitly, e.g. {lt.name}({right})"
        return f"{base}; convert one side explicitly with {lt.name}(...) or {rt.name}(...)"
    return base


def swizzle_indices(attr: str, size: int) -> list[int] | None:
    """The component indices of a swizzle like `xy` or `rgba` (None if it is not one)."""
    if not 1 <= len(attr) <= 4:
        return None
    for letters in SWIZZLE_SETS:
        if all(c in letters[:size] for c in attr):
            return [letters.index(c) for c in attr]
    return None


def _is_number(v: Any) -> bool:
    return isinstance(v, bool | int | float)


def _i64_array(values: list[int]) -> Any:
    from xdsl.dialects.builtin import DenseArrayBase, i64

    return DenseArrayBase.from_list(i64, values)


def _reshape(t: kt.KhalType, elem: kt.ScalarType) -> kt.KhalType:
    if isinstance(t, kt.VectorType):
        return kt.vector_of(elem, t.size)
    return elem
