"""`khal-expand-remf`: `arith.remf` on f32 (and f16) as exact integer long division.

For targets whose float remainder is not C's exact `fmod`: Vulkan lets `OpFRem` be
`x - y * trunc(x / y)` (Mesa's lavapipe computes that), wrong once the quotient has more bits than
the mantissa, and NaN for `x % inf`; nor is `fma` fused there, so float tricks do not help. With
`|x| = mx * 2**ex` and `|y| = my * 2**ey` (24-bit integer mantissas), `fmod` is `(mx * 2**(ex - ey)
mod my) * 2**ey`: the integer remainder is taken 8 bits of the exponent gap at a time (`(m << 8)`
stays below 2**32), unrolled and branch-free so that vectors need nothing special; the result,
below 2**24 times a power of two that f32 holds, converts back exactly. f16 is computed in f32 (both
exact, so rounding back is exact too).

f64 (whose 53-bit mantissas would need 128-bit products) is long division by float steps instead:
each step scales `|y|` by a power of two to `bs`, at most 52 bits below `r`, takes `q = floor(r / bs)`
(exact or one too many) and the exact `r - q bs` (representable) as `fma(-q, bs, r)` where `fma` is
fused (CUDA's `fma.rn`), adding `bs` back when `r` went below zero; 41 steps cover every exponent
gap. With `fused_fma=false` (Vulkan promises no fused fma, lavapipe's f64 one rounds twice, and a
driver may contract `a * b + c`) each step is at most 26 bits, so `q < 2**27` times either 26-bit
half of `bs` is exact, and `r - q bh - q bl` takes two exact subtractions (82 steps)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import AnyFloat, ModuleOp, i32, i64
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, PatternRewriteWalker, RewritePattern

from khal.dialects.arith_ext import RemFOp
from khal.passes.expand_arith import Builder, elementwise, half_via_f32, like

_P = 23  # f32's stored mantissa bits
_CHUNK = 8  # exponent-gap bits per step: a 24-bit remainder shifted by 8 fits in 32 bits
_STEPS = -(-253 // _CHUNK)  # the largest gap: biased exponents 254 and 1


def _mantissa_exponent(bits: SSAValue, build: Builder) -> tuple[SSAValue, SSAValue]:
    """(integer mantissa, biased exponent) of a non-negative finite f32 given as bits; subnormals
    have exponent 1 and no implicit bit."""
    t = bits.type
    field = build.add(arith.ShRUIOp(bits, build.const(_P, t)))
    fraction = build.add(arith.AndIOp(bits, build.const((1 << _P) - 1, t)))
    normal = build.cmpi("ne", field, build.const(0, t))
    mantissa = build.select(normal, build.add(arith.OrIOp(fraction, build.const(1 << _P, t))), fraction)
    return mantissa, build.add(arith.MaxSIOp(field, build.const(1, t)))


def _power_of_two(e: SSAValue, f32_t: object, build: Builder) -> SSAValue:
    """2**e as an f32, for -149 <= e <= 127 (subnormal below -126)."""
    t = e.type
    normal_bits = build.add(arith.ShLIOp(build.add(arith.AddiOp(e, build.const(127, t))), build.const(_P, t)))
    e_sub = build.add(arith.MaxSIOp(build.add(arith.AddiOp(e, build.const(149, t))), build.const(0, t)))
    subnormal_bits = build.add(arith.ShLIOp(build.const(1, t), e_sub))
    normal = build.cmpi("sge", e, build.const(-126, t))
    return build.add(arith.BitcastOp(build.select(normal, normal_bits, subnormal_bits), f32_t))


def exact_fmod(a: SSAValue, b: SSAValue, build: Builder) -> SSAValue:
    """`fmod(a, b)` on f32 scalars or vectors, exactly, in integer `arith` ops."""
    ft = a.type
    it = like(ft, i32)
    sign_bit = build.const(-(1 << 31), it)
    a_bits = build.add(arith.BitcastOp(a, it))
    ux = build.add(arith.AndIOp(a_bits, build.const((1 << 31) - 1, it)))
    uy = build.add(arith.AndIOp(build.add(arith.BitcastOp(b, it)), build.const((1 << 31) - 1, it)))
    mx, ex = _mantissa_exponent(ux, build)
    my, ey = _mantissa_exponent(uy, build)
    # y == 0 (invalid, selected away below) must not divide by zero meanwhile
    my = build.select(build.cmpi("eq", my, build.const(0, it)), build.const(1, it), my)
    gap = build.add(arith.MaxSIOp(build.add(arith.SubiOp(ex, ey)), build.const(0, it)))
    m = build.add(arith.RemUIOp(mx, my))
    for _ in range(_STEPS):
        shift = build.add(arith.MinSIOp(gap, build.const(_CHUNK, it)))
        m = build.add(arith.RemUIOp(build.add(arith.ShLIOp(m, shift)), my))
        gap = build.add(arith.SubiOp(gap, shift))
    # m < 2**24 converts exactly; times 2**(ey - 150) the exact result is representable
    scale = _power_of_two(build.add(arith.SubiOp(ey, build.const(150, it))), ft, build)
    magnitude = build.add(arith.MulfOp(build.add(arith.UIToFPOp(m, ft)), scale))
    mag_bits = build.add(arith.BitcastOp(magnitude, it))
    result = build.add(
        arith.BitcastOp(build.add(arith.OrIOp(mag_bits, build.add(arith.AndIOp(a_bits, sign_bit)))), ft)
    )
    # |a| < |b| (b infinite included): a itself
    result = build.select(build.cmpi("ult", ux, uy), a, result)
    # NaN for b == 0, an infinite a, or a NaN operand; made at run time (naga refuses NaN literals)
    inf_bits = build.const(255 << _P, it)
    invalid = build.add(
        arith.OrIOp(
            build.add(arith.OrIOp(build.cmpi("eq", uy, build.const(0, it)), build.cmpi("uge", ux, inf_bits))),
            build.cmpi("ugt", uy, inf_bits),
        )
    )
    nan = build.add(arith.BitcastOp(build.add(arith.OrIOp(ux, build.const(0x7FC00000, it))), ft))
    return build.select(invalid, nan, result)


_P64, _BIAS64 = 52, 1023
_STEPS64 = -(-(2 * _BIAS64 - 1) // _P64) + 1  # the largest exponent gap, p bits a step, one last step
_HALF64 = 26  # bits a step without a fused fma: q < 2**27 times a 26-bit half of bs is exact
_STEPS64_HALF = -(-(2 * _BIAS64 - 1 + _P64) // _HALF64) + 1


def _exponent64(x: SSAValue, build: Builder) -> SSAValue:
    """The biased exponent of an f64 `x >= 0` as an i64, also for subnormals (below 1 there)."""
    it = like(x.type, i64)
    tiny = build.cmpf("olt", x, build.const(2.0 ** (1 - _BIAS64), x.type))
    scaled = build.select(tiny, build.add(arith.MulfOp(x, build.const(2.0 ** (_P64 + 1), x.type))), x)
    field = build.add(arith.ShRUIOp(build.add(arith.BitcastOp(scaled, it)), build.const(_P64, it)))
    shift = build.select(tiny, build.const(_P64 + 1, it), build.const(0, it))
    return build.add(arith.SubiOp(field, shift))


def _power_of_two64(k: SSAValue, ft: Attribute, build: Builder) -> SSAValue:
    """2**k as an f64, for 0 <= k <= 1023."""
    t = k.type
    biased = build.add(arith.AddiOp(k, build.const(_BIAS64, t)))
    return build.add(arith.BitcastOp(build.add(arith.ShLIOp(biased, build.const(_P64, t))), ft))


def _opaque(a: SSAValue, dep: SSAValue, build: Builder) -> SSAValue:
    """`a`, hidden from algebraic rewrites (`dep` where `dep` is NaN, which poisons the result anyway):
    Mesa's NIR folds `c - (c - a)` patterns on float ops not marked exact (expand_math.opaque)."""
    return build.select(build.cmpf("uno", dep, dep), dep, a)


def _split64(x: SSAValue, build: Builder) -> tuple[SSAValue, SSAValue]:
    """x == h + l, each of at most 26 significant bits (Veltkamp's split by 2**27 + 1), for finite
    0 <= x <= 2**996 (2**27 x must not overflow)."""
    t = x.type
    c = _opaque(build.add(arith.MulfOp(build.const(2.0**27 + 1, t), x)), x, build)  # not contracted
    h = build.add(arith.SubfOp(c, build.add(arith.SubfOp(c, _opaque(x, c, build)))))
    return h, build.add(arith.SubfOp(x, h))


def _residual64(r: SSAValue, q: SSAValue, bs: SSAValue, fused_fma: bool, build: Builder) -> SSAValue:
    """`r - q bs`, exactly (it is representable): `fma(-q, bs, r)` where fma is fused; else, with
    `q < 2**27` (`_step64`'s smaller steps), `bs` split in halves of at most 26 bits makes both
    `q bh` and `q bl` exact, `r - q bh` is exact by Sterbenz, and so is the last subtraction. Every
    product is exact, so a driver that contracts `r - q * bh` into an fma changes nothing."""
    if fused_fma:
        return build.add(xmath.FmaOp(build.add(arith.NegfOp(q)), bs, r))
    # Above 2**990 the split would overflow: bs and r (q > 0: r >= bs) are scaled by 2**-30
    # first, exactly, and the residual back.
    # first, exactly, and the residual back; q == 0 (where r may be too small to scale) keeps r.
    big = build.cmpf("ogt", bs, build.const(2.0**990, r.type))
    scale = build.select(big, build.const(2.0**-30, r.type), build.const(1.0, r.type))
    rs = build.add(arith.MulfOp(r, scale))
    bh, bl = _split64(build.add(arith.MulfOp(bs, scale)), build)
    rs = build.add(arith.SubfOp(rs, build.add(arith.MulfOp(q, bh))))
    q2 = _opaque(q, bl, build)  # else `r - q bh - q bl` may be factored into `r - q (bh + bl)`
    rs = build.add(arith.SubfOp(rs, build.add(arith.MulfOp(q2, bl))))
    rs = build.add(arith.DivfOp(rs, scale))
    return build.select(build.cmpf("oeq", q, build.const(0.0, r.type)), r, rs)


def _step64(r: SSAValue, y: SSAValue, e_y: SSAValue, fused_fma: bool, build: Builder) -> SSAValue:
    """`r` reduced modulo `y * 2**k`, the largest such divisor at most 52 bits below `r` (26 without
    a fused fma: `_residual64`)."""
    t = e_y.type
    gap = build.add(arith.SubiOp(_exponent64(r, build), e_y))
    bits = _P64 if fused_fma else _HALF64
    k = build.add(arith.MaxSIOp(build.add(arith.SubiOp(gap, build.const(bits, t))), build.const(0, t)))
    bs = y
    for _ in range(3):  # 2**k in factors of at most 2**1023 (k < 2100)
        part = build.add(arith.MinSIOp(k, build.const(_BIAS64, t)))
        bs = build.add(arith.MulfOp(bs, _power_of_two64(part, r.type, build)))
        k = build.add(arith.SubiOp(k, part))
    # floor, not trunc (the same here, r / bs >= 0): lavapipe's f64 Trunc dropped the fraction here
    q = build.add(xmath.FloorOp(build.add(arith.DivfOp(r, bs))))
    r = _residual64(r, q, bs, fused_fma, build)
    below = build.cmpf("olt", r, build.const(0.0, r.type))
    return build.select(below, build.add(arith.AddfOp(r, bs)), r)


def exact_fmod64(a: SSAValue, b: SSAValue, build: Builder, fused_fma: bool = True) -> SSAValue:
    """`fmod(a, b)` on f64 scalars or vectors, exactly (without a fused `fma`: `_residual64`)."""
    ft = a.type
    it = like(ft, i64)
    x, y = build.add(xmath.AbsFOp(a)), build.add(xmath.AbsFOp(b))
    e_y = _exponent64(y, build)
    r = x
    for _ in range(_STEPS64 if fused_fma else _STEPS64_HALF):
        r = _step64(r, y, e_y, fused_fma, build)
    a_bits = build.add(arith.BitcastOp(a, it))
    sign = build.add(arith.AndIOp(a_bits, build.const(-(1 << 63), it)))
    r_bits = build.add(arith.BitcastOp(r, it))
    result = build.add(arith.BitcastOp(build.add(arith.OrIOp(r_bits, sign)), ft))
    ux = build.add(arith.AndIOp(a_bits, build.const((1 << 63) - 1, it)))
    b_bits = build.add(arith.BitcastOp(b, it))
    uy = build.add(arith.AndIOp(b_bits, build.const((1 << 63) - 1, it)))
    # |a| < |b| (b infinite included): a itself; NaN for b == 0, an infinite a or a NaN operand
    result = build.select(build.cmpi("ult", ux, uy), a, result)
    inf_bits = build.const(0x7FF << _P64, it)
    bad_a = build.cmpi("uge", ux, inf_bits)
    bad_b = build.add(arith.OrIOp(build.cmpi("eq", uy, build.const(0, it)), build.cmpi("ugt", uy, inf_bits)))
    nan_bits = build.add(arith.OrIOp(ux, build.const(0xFFF << (_P64 - 1), it)))
    nan = build.add(arith.BitcastOp(nan_bits, ft))
    return build.select(build.add(arith.OrIOp(bad_a, bad_b)), nan, result)


@dataclass
class RemFPattern(RewritePattern):
    """`arith.remf` as `exact_fmod` (f16 and f32) or `exact_fmod64`."""

    fused_fma: bool = True

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, RemFOp):
            return
        element = op.operands[0].type
        element = getattr(element, "element_type", element)
        build = Builder()
        fmod = partial(_fmod, fused_fma=self.fused_fma)
        rewriter.replace(op, build.ops, elementwise(build, half_via_f32(fmod), *op.operands))


def _fmod(a: SSAValue, b: SSAValue, build: Builder, fused_fma: bool = True) -> list[SSAValue]:
    e = a.type
    assert isinstance(e, AnyFloat)
    return [exact_fmod64(a, b, build, fused_fma) if e.bitwidth == 64 else exact_fmod(a, b, build)]


@dataclass(frozen=True)
class ExpandRemFPass(ModulePass):
    """`arith.remf` as exact integer long division, for targets whose remainder is not exact."""

    name = "khal-expand-remf"

    fused_fma: bool = True
    """Does the target's `fma` round once? Without it, f64 `remf` takes Dekker's exact products."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(RemFPattern(self.fused_fma), apply_recursively=False).rewrite_module(op)
