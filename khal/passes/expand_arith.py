"""`khal-expand-arith`: the language's integer and conversion semantics as plain `arith` ops.

`arith` leaves some cases undefined (poison or UB) that khal defines the same on every target, as
WGSL does. This pass spells them out, like MLIR's `arith-expand`, so that every lowering maps
`arith` one to one:

- integer division and remainder (`divsi remsi divui remui`): a zero divisor, or `INT_MIN / -1`,
  divides by 1 instead (so `a / 0 == a`, `a % 0 == 0`, `INT_MIN / -1 == INT_MIN`); x86's `div`
  would kill the host process with SIGFPE. A constant divisor other than 0 (and -1 when signed)
  needs no guard, so LLVM still turns `x // 4` into shifts.
- `floordivsi ceildivsi ceildivui` (which no lowering maps 1:1) become `divsi`/`remsi` (or `divui`)
  plus a sign correction, guarded as above. The frontend already emits Python's floor `//` and `%`
  that way; these come from hand-written IR.
- shifts (`shli shrsi shrui`): the amount is taken modulo the bit width (a constant amount below
  the width is kept as is).
- float to int (`fptosi fptoui`) saturates: NaN gives 0, values beyond the integer range clamp to
  its ends; `arith` (like C) leaves those poison.
- Python's float `divmod` (`khal.divmodf`, what the frontend emits for float `//` and `%`) becomes
  numpy's `npy_divmod`, built on `arith.remf` (C's `fmod`, exact), so that every target gives
  numpy's `floor_divide`/`remainder` bit for bit, edges included. f16 is computed in f32 and
  rounded back, as numpy does.

Each op is rewritten once (the walker does not revisit the ops it creates).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, vector
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    VectorType,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

from khal.dialects import khal
from khal.dialects.arith_ext import RemFOp

_SIGNED = (arith.DivSIOp, arith.RemSIOp, arith.FloorDivSIOp, arith.CeilDivSIOp)
_DIVISIONS = (arith.DivSIOp, arith.RemSIOp, arith.DivUIOp, arith.RemUIOp)
_SHIFTS = (arith.ShLIOp, arith.ShRSIOp, arith.ShRUIOp)


def element(t: Attribute) -> Attribute:
    """The element type of a vector type; any other type itself."""
    return t.element_type if isinstance(t, VectorType) else t


def _width(t: Attribute) -> int:
    e = element(t)
    if isinstance(e, IndexType):
        return 64
    assert isinstance(e, IntegerType)
    return e.width.data


class Builder:
    """Collects new ops for one rewrite; constants are scalars or vector splats of a given type."""

    def __init__(self) -> None:
        self.ops: list[Operation] = []

    def add(self, op: Operation) -> SSAValue:
        """Append `op`; its (first) result."""
        self.ops.append(op)
        return op.results[0]

    def const(self, value: int | float, t: Attribute) -> SSAValue:
        """A constant `value` of type `t` (a splat when `t` is a vector)."""
        e = element(t)
        v = float(value) if isinstance(e, AnyFloat) else int(value)
        attr: Attribute = FloatAttr(v, e) if isinstance(e, AnyFloat) else IntegerAttr(v, e)
        if isinstance(t, VectorType):
            attr = DenseIntOrFPElementsAttr.from_list(t, [v])
        return self.add(arith.ConstantOp(attr, t))

    def with_operands(self, op: Operation, *operands: SSAValue) -> SSAValue:
        """A copy of `op` (flags and location kept) on new operands."""
        new = op.clone()
        new.operands = operands
        return self.add(new)

    def cmpi(self, pred: str, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.CmpiOp(a, b, pred))

    def cmpf(self, pred: str, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.CmpfOp(a, b, pred))

    def select(self, cond: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.SelectOp(cond, a, b))


def _constant_ints(value: SSAValue) -> list[int] | None:
    """The integer value(s) of `value` when an `arith.constant` defines it, else None."""
    op = value.owner
    if not isinstance(op, arith.ConstantOp):
        return None
    attr = op.value
    if isinstance(attr, IntegerAttr):
        return [attr.value.data]
    if isinstance(attr, DenseIntOrFPElementsAttr) and isinstance(element(value.type), IntegerType):
        return [int(v) for v in attr.get_values()]
    return None


def _signed(value: int, width: int) -> int:
    return value - (1 << width) if value >= 1 << (width - 1) else value


def _divisor_is_safe(b: SSAValue, signed: bool) -> bool:
    """Is `b` a constant that can never trap (not 0, and not -1 for a signed division)?"""
    values = _constant_ints(b)
    if values is None:
        return False
    w = _width(b.type)
    return all(v % (1 << w) != 0 and not (signed and _signed(v % (1 << w), w) == -1) for v in values)


def _safe_divisor(a: SSAValue, b: SSAValue, signed: bool, build: Builder) -> SSAValue:
    """`b`, or 1 where `a / b` would trap: b == 0, or INT_MIN / -1 when signed (WGSL's rule)."""
    t = b.type
    bad = build.cmpi("eq", b, build.const(0, t))
    if signed:
        int_min = build.const(-(1 << (_width(t) - 1)), t)
        overflow = build.add(
            arith.AndIOp(build.cmpi("eq", a, int_min), build.cmpi("eq", b, build.const(-1, t)))
        )
        bad = build.add(arith.OrIOp(bad, overflow))
    return build.select(bad, build.const(1, t), b)


class DivisionPattern(RewritePattern):
    """`divsi remsi divui remui` get a divisor that cannot trap (unless it is a safe constant)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, _DIVISIONS):
            return
        a, b = op.operands
        signed = isinstance(op, _SIGNED)
        if _divisor_is_safe(b, signed):
            return
        build = Builder()
        safe = _safe_divisor(a, b, signed, build)
        result = build.with_operands(op, a, safe)
        rewriter.replace(op, build.ops, [result])


class RoundingDivisionPattern(RewritePattern):
    """`floordivsi ceildivsi ceildivui` as truncating division plus a correction (as arith-expand)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, arith.FloorDivSIOp | arith.CeilDivSIOp | arith.CeilDivUIOp):
            return
        a, b = op.operands
        build = Builder()
        signed = isinstance(op, _SIGNED)
        if not _divisor_is_safe(b, signed):
            b = _safe_divisor(a, b, signed, build)
        t = a.type
        zero, one = build.const(0, t), build.const(1, t)
        if isinstance(op, arith.CeilDivUIOp):
            # a == 0 ? 0 : (a - 1) / b + 1
            q = build.add(arith.DivUIOp(build.add(arith.SubiOp(a, one)), b))
            result = build.select(build.cmpi("eq", a, zero), zero, build.add(arith.AddiOp(q, one)))
        else:
            # q = a / b, r = a % b; step q towards -inf (floor) or +inf (ceil) when r != 0 and the
            # signs of r and b differ (floor) or agree (ceil).
            q = build.add(arith.DivSIOp(a, b))
            r = build.add(arith.RemSIOp(a, b))
            # the signs compared one by one, not as `(r ^ b) < 0`, which NVIDIA's Vulkan driver (580)
            # evaluated inverted (see the frontend's `_floor_divmod`)
            r_nonzero = build.cmpi("ne", r, zero)
            r_neg, b_neg = build.cmpi("slt", r, zero), build.cmpi("slt", b, zero)
            signs_differ = build.add(arith.XOrIOp(r_neg, b_neg))
            if isinstance(op, arith.FloorDivSIOp):
                adjust = build.add(arith.AndIOp(r_nonzero, signs_differ))
                result = build.select(adjust, build.add(arith.SubiOp(q, one)), q)
            else:
                signs_agree = build.cmpi("eq", r_neg, b_neg)
                adjust = build.add(arith.AndIOp(r_nonzero, signs_agree))
                result = build.select(adjust, build.add(arith.AddiOp(q, one)), q)
        rewriter.replace(op, build.ops, [result])


class ShiftPattern(RewritePattern):
    """Shift amounts modulo the bit width (WGSL's rule), unless a constant already below it."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, _SHIFTS):
            return
        a, b = op.operands
        width = _width(b.type)
        amounts = _constant_ints(b)
        if amounts is not None and all(0 <= v < width for v in amounts):
            return
        build = Builder()
        masked = build.add(arith.AndIOp(b, build.const(width - 1, b.type)))
        result = build.with_operands(op, a, masked)
        rewriter.replace(op, build.ops, [result])


def _bound(value: int, t: Attribute) -> float:
    """`value` (a power of two, or 0) as a float of type `t`; +-inf where `t` cannot hold it."""
    e = element(t)
    assert isinstance(e, AnyFloat)
    largest = {16: 65504.0, 32: 3.4028234663852886e38}.get(e.bitwidth, math.inf)
    return math.copysign(math.inf, value) if abs(value) > largest else float(value)


class SaturatingCastPattern(RewritePattern):
    """`fptosi`/`fptoui` clamp to the integer range and give 0 for NaN (`llvm.fpto*i.sat`'s result)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, arith.FPToSIOp | arith.FPToUIOp):
            return
        x = op.operands[0]
        t = op.results[0].type
        width = _width(t)
        build = Builder()
        converted = build.with_operands(op, x)
        if isinstance(op, arith.FPToSIOp):
            low, high = -(1 << (width - 1)), (1 << (width - 1)) - 1
        else:
            low, high = 0, (1 << width) - 1
        # `high + 1` and `low` are powers of two (or 0), exact in every float type wide enough to
        # hold them. Between `high` and `high + 1` (and just under `low`) truncation gives the bound
        # itself, so comparing against these exact values gives the saturated result everywhere;
        # `select` never reads the poison `fpto*i` gives out of range.
        too_high = build.cmpf("oge", x, build.const(_bound(high + 1, x.type), x.type))
        result = build.select(too_high, build.const(_signed(high % (1 << width), width), t), converted)
        low_bound = _bound(low, x.type)
        # -inf stands for a bound beyond the type's range: then only -inf itself is too low.
        too_low = build.cmpf("ole" if low_bound == -math.inf else "olt", x, build.const(low_bound, x.type))
        result = build.select(too_low, build.const(low, t), result)
        nan = build.cmpf("uno", x, x)
        result = build.select(nan, build.const(0, t), result)
        rewriter.replace(op, build.ops, [result])


def elementwise(
    build: Builder,
    scalar: Callable[..., Sequence[SSAValue]],
    *operands: SSAValue,
) -> list[SSAValue]:
    """`scalar(build, *operands)`'s results, element by element when the operands are (1-D) vectors.

    xDSL 0.74's `arith.cmpi/cmpf` give only a scalar i1, so expansions that compare work on scalars
    (as the frontend does for vector comparisons)."""
    t = operands[0].type
    if not isinstance(t, VectorType):
        return list(scalar(build, *operands))
    e = t.element_type
    columns: list[Sequence[SSAValue]] = []
    for i in range(t.get_shape()[0]):
        columns.append(scalar(build, *(build.add(vector.ExtractOp(v, [i], e)) for v in operands)))
    results = []
    for k in range(len(columns[0])):
        acc = build.add(vector.BroadcastOp.create(operands=[columns[0][k]], result_types=[t]))
        for i, column in enumerate(columns[1:], 1):
            acc = build.add(vector.InsertOp(column[k], acc, [i]))
        results.append(acc)
    return results


def like(t: Attribute, e: Attribute) -> Attribute:
    """`e`, or a vector of `e` shaped as `t` when `t` is a vector."""
    return VectorType(e, t.get_shape()) if isinstance(t, VectorType) else e


def _zero_with_sign_of(x: SSAValue, build: Builder) -> SSAValue:
    """`copysign(0, x)`: `x`'s sign bit alone (also for -0.0 and NaN)."""
    e = element(x.type)
    assert isinstance(e, AnyFloat)
    bits_t = like(x.type, IntegerType(e.bitwidth))
    bits = build.add(arith.BitcastOp(x, bits_t))
    sign = build.add(arith.AndIOp(bits, build.const(-(1 << (e.bitwidth - 1)), bits_t)))
    return build.add(arith.BitcastOp(sign, x.type))


def _npy_divmod(a: SSAValue, b: SSAValue, build: Builder) -> tuple[SSAValue, SSAValue]:
    """numpy's `npy_divmod(a, b)` (npy_math_internal.h.src), step by step: (a // b, a % b)."""
    t = a.type
    zero, one = build.const(0.0, t), build.const(1.0, t)
    mod = build.add(RemFOp(a, b))
    div = build.add(arith.DivfOp(build.add(arith.SubfOp(a, mod)), b))
    # C's `if (mod)` is true for NaN: "une"
    mod_nonzero = build.cmpf("une", mod, zero)
    signs_differ = build.add(arith.XOrIOp(build.cmpf("olt", b, zero), build.cmpf("olt", mod, zero)))
    fix = build.add(arith.AndIOp(mod_nonzero, signs_differ))
    mod = build.select(fix, build.add(arith.AddfOp(mod, b)), mod)
    div = build.select(fix, build.add(arith.SubfOp(div, one)), div)
    mod = build.select(mod_nonzero, mod, _zero_with_sign_of(b, build))
    # snap the quotient to the nearest integer; a zero one takes the sign of a / b
    floor = build.add(xmath.FloorOp(div))
    round_up = build.cmpf("ogt", build.add(arith.SubfOp(div, floor)), build.const(0.5, t))
    floor = build.select(round_up, build.add(arith.AddfOp(floor, one)), floor)
    ratio = build.add(arith.DivfOp(a, b))
    quotient = build.select(build.cmpf("une", div, zero), floor, _zero_with_sign_of(ratio, build))
    quotient = build.select(build.cmpf("oeq", b, zero), ratio, quotient)
    # Where numpy's result is NaN, say so with integer tests on the operands' bits: a target that
    # assumes no NaN (Mesa's lavapipe without float controls) folds the float tests above.
    a_class, b_class = _FloatClass(a, build), _FloatClass(b, build)
    any_nan = build.add(arith.OrIOp(a_class.nan, b_class.nan))
    nan_quotient = build.add(
        arith.OrIOp(
            any_nan,
            build.add(
                arith.OrIOp(
                    build.add(
                        arith.AndIOp(
                            a_class.inf, build.add(arith.XOrIOp(b_class.zero, _true(b_class.zero, build)))
                        )
                    ),
                    build.add(arith.AndIOp(a_class.zero, b_class.zero)),
                )
            ),
        )
    )
    nan_remainder = build.add(arith.OrIOp(any_nan, build.add(arith.OrIOp(a_class.inf, b_class.zero))))
    nan = a_class.quiet_nan()
    return build.select(nan_quotient, nan, quotient), build.select(nan_remainder, nan, mod)


def _true(like_value: SSAValue, build: Builder) -> SSAValue:
    """An i1 (or vector of i1) true shaped as `like_value`."""
    return build.const(1, like_value.type)


class _FloatClass:
    """Integer tests of a float's bits: NaN, infinite, zero (either sign)."""

    def __init__(self, x: SSAValue, build: Builder) -> None:
        e = element(x.type)
        assert isinstance(e, AnyFloat)
        width = e.bitwidth
        p = {16: 10, 32: 23, 64: 52}[width]
        self.build = build
        self.float_t = x.type
        self.bits_t = like(x.type, IntegerType(width))
        bits = build.add(arith.BitcastOp(x, self.bits_t))
        self.magnitude = build.add(arith.AndIOp(bits, build.const((1 << (width - 1)) - 1, self.bits_t)))
        inf_bits = build.const(((1 << (width - p - 1)) - 1) << p, self.bits_t)
        self.quiet_bits = build.const((((1 << (width - p)) - 1) << (p - 1)), self.bits_t)
        self.nan = build.cmpi("ugt", self.magnitude, inf_bits)
        self.inf = build.cmpi("eq", self.magnitude, inf_bits)
        self.zero = build.cmpi("eq", self.magnitude, build.const(0, self.bits_t))

    def quiet_nan(self) -> SSAValue:
        """A quiet NaN, made at run time (naga refuses NaN literals)."""
        bits = self.build.add(arith.OrIOp(self.magnitude, self.quiet_bits))
        return self.build.add(arith.BitcastOp(bits, self.float_t))


class DivModFPattern(RewritePattern):
    """`khal.divmodf` as numpy's `npy_divmod` in `arith` (f16 through f32, as numpy's half loops)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, khal.DivModFOp):
            return
        build = Builder()
        rewriter.replace(op, build.ops, elementwise(build, half_via_f32(_npy_divmod), *op.operands))


def half_via_f32(
    expansion: Callable[[SSAValue, SSAValue, Builder], Sequence[SSAValue]],
) -> Callable[[Builder, SSAValue, SSAValue], Sequence[SSAValue]]:
    """`expansion` on scalars, computed in f32 (and rounded back) when they are f16."""

    def scalar(build: Builder, a: SSAValue, b: SSAValue) -> Sequence[SSAValue]:
        t = a.type
        if not (isinstance(t, AnyFloat) and t.bitwidth == 16):
            return expansion(a, b, build)
        a, b = build.add(arith.ExtFOp(a, Float32Type())), build.add(arith.ExtFOp(b, Float32Type()))
        return [build.add(arith.TruncFOp(r, t)) for r in expansion(a, b, build)]

    return scalar


@dataclass(frozen=True)
class ExpandArithPass(ModulePass):
    """Spell out khal's definitions of the cases `arith` leaves undefined (see the module docstring)."""

    name = "khal-expand-arith"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier(
                [
                    DivisionPattern(),
                    RoundingDivisionPattern(),
                    ShiftPattern(),
                    SaturatingCastPattern(),
                    DivModFPattern(),
                ]
            ),
            apply_recursively=False,
        ).rewrite_module(op)


class UnsignedDivisionPattern(RewritePattern):
    """`divsi`/`remsi` as `divui`/`remui` of the magnitudes, the sign put back (C's truncation rule)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, arith.DivSIOp | arith.RemSIOp):
            return
        a, b = op.operands
        build = Builder()
        zero = build.const(0, a.type)
        a_neg, b_neg = build.cmpi("slt", a, zero), build.cmpi("slt", b, zero)
        # |INT_MIN| is 2**(w-1) read as unsigned, as wanted
        ax = build.select(a_neg, build.add(arith.SubiOp(zero, a)), a)
        bx = build.select(b_neg, build.add(arith.SubiOp(zero, b)), b)
        if isinstance(op, arith.DivSIOp):
            magnitude = build.add(arith.DivUIOp(ax, bx))
            negative = build.add(arith.XOrIOp(a_neg, b_neg))
        else:
            magnitude = build.add(arith.RemUIOp(ax, bx))
            negative = a_neg
        result = build.select(negative, build.add(arith.SubiOp(zero, magnitude)), magnitude)
        rewriter.replace(op, build.ops, [result])


class UnsignedDivisionPass(ModulePass):
    """`khal-unsigned-division`: signed integer division and remainder through unsigned ones.

    For the SPIR-V target: NVIDIA's Vulkan driver (580, through wgpu 0.32's naga) divided negative
    operands wrongly with OpSDiv/OpSRem (`7 % -2` gave 5 on the H200; scripts/diag_div.py), while the
    same values through OpUDiv/OpUMod were right. Runs after `khal-expand-arith`, whose guards leave no
    zero divisor and no `INT_MIN / -1`."""

    name = "khal-unsigned-division"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(UnsignedDivisionPattern(), apply_recursively=False).rewrite_module(op)


def wide_abs(build: Builder, x: SSAValue) -> SSAValue:
    """A wrapping abs of a 64-bit scalar `x` computed on its 32-bit halves: the negation `~hi:~lo + 1`
    with its carry, picked per half where `x` is negative, then put back together (see WrappingAbsPass)."""
    t, t32 = x.type, IntegerType(32)
    negative = build.cmpi("slt", x, build.const(0, t))
    lo = build.add(arith.TruncIOp(x, t32))
    hi = build.add(arith.TruncIOp(build.add(arith.ShRUIOp(x, build.const(32, t))), t32))
    zero = build.const(0, t32)
    neg_lo = build.add(arith.SubiOp(zero, lo))
    carry = build.add(arith.ExtUIOp(build.cmpi("eq", lo, zero), t32))
    neg_hi = build.add(arith.AddiOp(build.add(arith.XOrIOp(hi, build.const(-1, t32))), carry))
    new_hi = build.add(arith.ExtUIOp(build.select(negative, neg_hi, hi), t))
    new_lo = build.add(arith.ExtUIOp(build.select(negative, neg_lo, lo), t))
    return build.add(arith.OrIOp(build.add(arith.ShLIOp(new_hi, build.const(32, t))), new_lo))


class WrappingAbsPattern(RewritePattern):
    """`math.absi` as `x < 0 ? 0 - x : x` (wrapping: |INT_MIN| is INT_MIN); 64-bit on 32-bit halves
    (`wide_abs`, element by element; see WrappingAbsPass)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, xmath.AbsIOp):
            return
        (x,) = op.operands
        build = Builder()
        if _width(x.type) == 64:
            (result,) = elementwise(build, lambda b, v: [wide_abs(b, v)], x)
        else:
            zero = build.const(0, x.type)
            negative = build.cmpi("slt", x, zero)
            result = build.select(negative, build.add(arith.SubiOp(zero, x)), x)
        rewriter.replace(op, build.ops, [result])


class WrappingAbsPass(ModulePass):
    """`khal-wrapping-abs`: integer `abs` as a compare, a wrapping subtraction and a select.

    For the SPIR-V target: GLSL.std.450's SAbs leaves `SAbs(INT_MIN)` undefined, and NVIDIA's compilers
    act on such definitions (ptxas folded `min(abs(x), 0)` to 0 for PTX's `abs`, whose `d = |a|` is the
    same promise: khal/targets/ptx.py `spell_abs`). khal's `abs` wraps, as numpy's does.

    64-bit `abs` is computed on 32-bit halves. NVIDIA's Vulkan driver (580, through naga) took the
    compare-subtract-select of an i64 for a non-negative abs: `abs(INT64_MIN) < 0` was false, so
    `abs(INT64_MIN) // -25` was 1 off on the H200 (the fuzz case case_fde4ac33dbc7). scripts/diag_abs.py
    tried the spellings there: `(x ^ s) - s`, `~x + 1` and a select guarding INT64_MIN failed the same
    way; the halves held. i32 and narrower held in the plain spelling."""

    name = "khal-wrapping-abs"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(WrappingAbsPattern(), apply_recursively=False).rewrite_module(op)
