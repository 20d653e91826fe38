"""f64 math for `convert-khal-to-spirv`, in f64 arithmetic: exp, exp2, log, log2, pow, sin, cos, tan,
tanh, asin, acos, atan, atan2 and fma.

GLSL.std.450 defines Exp, Sin & co. only for 16/32-bit floats, and its Fma need not be fused (lavapipe's
f64 Fma rounds twice); a Vulkan driver may also contract `a * b + c`. So an f64 kernel needs its own.

exp/exp2/log/log2 (functions of an `Emitter`, building spirv ops directly) are the classic
fdlibm-style reductions: within a few ulps of numpy's.
exp(x):  n = round(x / ln 2), r = x - n ln2_hi (exact), e^r by its Taylor series to r^13 (error below
         2**-60), times 2**n (exact multiplications), times e^-(n ln2_lo) = 1 - d + d^2 / 2.
log(x):  x = m 2**e with m in [sqrt(1/2), sqrt(2)) found by halving/doubling with powers of two (exact;
         naga has no usable frexp), f = m - 1, s = f / (2 + f), log(1 + f) = 2 atanh(s) by its series.
Edge values follow IEEE (and numpy): exp(+-inf) = inf / 0, exp overflows to inf, log(0) = -inf,
log(x < 0) = NaN, NaN in gives NaN out.

The others (`ALGORITHMS`) are written against the emitter interface of `khal.passes.expand_math`
(`Ops` adapts it to spirv ops; the tests run the same functions on numpy float64), within 2 ulp of the
correctly rounded result (fma: exact), IEEE/C99 special values as numpy:
- exact building blocks: Veltkamp's split (2**27 + 1), Dekker's product, Knuth's two-sum. Each product
  whose rounding matters and each operand a rewrite could cancel goes through `opaque` (a select on a
  runtime value): Mesa's NIR folds `(-a) + (a + b)` and contracts `c - a * b` into an fma on float ops
  not marked exact (naga drops NoContraction), which would zero the error terms.
- sin cos tan: below TRIG_LIMIT = 2**20 pi/2, fdlibm's __ieee754_rem_pio2 medium path (pi/2 = pio2_1 +
  pio2_2 + pio2_3 + pio2_3t, 33 bits each but the last, so n pio2_k is exact for |n| < 2**20; the
  differences as two-sums); from it on, Payne and Hanek's exact reduction in i64 (the significand
  times a 224-bit window of 2/pi chosen by the exponent, 32-bit limbs); then fdlibm's
  __kernel_sin/__kernel_cos/__kernel_tan (their public-domain coefficients). Accurate over the whole
  f64 range, 6381956970095103 * 2**797 (the double nearest a multiple of pi/2) included.
- tanh: the Taylor series (Bernoulli coefficients, computed here) below 1/2; 1 - 2 / (e**2|x| + 1)
  with e**2|x| as a two-float (`exp_dd`) and the division corrected, up to 22; +-1 beyond.
- asin acos atan atan2: fdlibm's e_asin, e_acos, s_atan (breakpoints as selects), e_atan2; where fdlibm
  clears a low word, `high_half` (the Veltkamp half: its square is exact).
- pow: e**(y ln|x|) with ln and exp in two-float arithmetic (expand_math.powf's structure, SLEEF's),
  C99's special cases (negative x with integer y included); the result scaled by `ldexp` (rounded once).
- fma: expand_math.fma's algorithm in f64 (operands normalised to [1, 2) through their i64 bits, Dekker's
  product, Boldo and Melquiond's three-term sum rounded to odd), plus a rounding on the subnormal grid
  itself for results in [2**-1023, 2**-1022), where round-to-odd at 53 bits has one bit too few.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Protocol

from xdsl.dialects.builtin import (
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    i32,
    i64,
)
from xdsl.ir import Operation, SSAValue

from khal.dialects import spirv

F64 = Float64Type()
_LN2_HI = 6.93147180369123816490e-01  # fdlibm's split of ln 2: n * _LN2_HI is exact for |n| < 2**11
_LN2_LO = 1.90821492927058770002e-10
_EXP_TERMS = [1.0 / math.factorial(k) for k in range(14)]
_LOG_TERMS = [2.0 / (2 * k + 1) for k in range(11)]  # 2 atanh(s) = sum 2 s^(2k+1) / (2k+1)


class Emitter(Protocol):
    """What the expansions need from the lowering: append an op and get its result."""

    def emit(self, op: Operation) -> Operation: ...


def _c(b: Emitter, value: float) -> SSAValue:
    """An f64 constant; inf and NaN through their f32 bits (naga refuses such literals)."""
    if math.isfinite(value):
        return b.emit(spirv.ConstantOp(FloatAttr(value, F64))).results[0]
    bits = b.emit(spirv.ConstantOp(IntegerAttr(struct.unpack("<I", struct.pack("<f", value))[0], i32)))
    single = _op(b, spirv.BitcastOp(bits.results[0], Float32Type()))
    return _op(b, spirv.FConvertOp(single, F64))


def _op(b: Emitter, op: Operation) -> SSAValue:
    return b.emit(op).results[0]


def _select(b: Emitter, cond: SSAValue, yes: SSAValue, no: SSAValue) -> SSAValue:
    return _op(b, spirv.SelectOp(cond, yes, no))


def _horner(b: Emitter, x: SSAValue, coefficients: list[float]) -> SSAValue:
    """sum coefficients[k] x^k, by Fma from the highest term."""
    acc = _c(b, coefficients[-1])
    for k in reversed(coefficients[:-1]):
        acc = _op(b, spirv.GLFmaOp(acc, x, _c(b, k)))
    return acc


def _special(b: Emitter, x: SSAValue, result: SSAValue, cases: list[tuple[str, float, float]]) -> SSAValue:
    """`result`, except where `x <pred> bound` (in order, the last wins) it is `value`; NaN x gives NaN."""
    cmp = {">": spirv.FOrdGreaterThanOp, "<": spirv.FOrdLessThanOp, "==": spirv.FOrdEqualOp}
    for pred, bound, value in cases:
        hit = _op(b, cmp[pred](x, _c(b, bound)))
        result = _select(b, hit, _c(b, value), result)
    return _select(b, _op(b, spirv.IsNanOp(x)), x, result)


def _exp_scaled(b: Emitter, n: SSAValue, r: SSAValue) -> SSAValue:
    """e**r * 2**n for a small r and an integral f64 n in [-1080, 1025].

    2**n is applied as exact multiplications by powers of two, one per bit of |n| from the highest:
    lavapipe's f64 Ldexp was off by up to 2e-14 (relative) for large n.
    """
    p = _horner(b, r, _EXP_TERMS)
    negative = _op(b, spirv.FOrdLessThanOp(n, _c(b, 0.0)))
    rest = _op(b, spirv.GLFAbsOp(n))
    one = _c(b, 1.0)
    for bit in range(10, -1, -1):
        step = float(2**bit)
        take = _op(b, spirv.FOrdGreaterThanEqualOp(rest, _c(b, step)))
        rest = _select(b, take, _op(b, spirv.FSubOp(rest, _c(b, step))), rest)
        half = 2.0 ** (2 ** (bit - 1)) if bit == 10 else 2.0 ** (2**bit)  # 2**1024 is no f64: twice 2**512
        up, down = _c(b, half), _c(b, 1 / half)
        factor = _select(b, take, _select(b, negative, down, up), one)
        for _ in range(2 if bit == 10 else 1):
            p = _op(b, spirv.FMulOp(p, factor))
    return p


def _clamped(b: Emitter, x: SSAValue, lo: float, hi: float) -> SSAValue:
    """x limited to [lo, hi] (NaN becomes lo: the callers replace NaN results afterwards)."""
    above = _op(b, spirv.FOrdGreaterThanOp(x, _c(b, hi)))
    x = _select(b, above, _c(b, hi), x)
    inside = _op(b, spirv.FOrdGreaterThanEqualOp(x, _c(b, lo)))
    return _select(b, inside, x, _c(b, lo))


def exp(b: Emitter, x: SSAValue) -> SSAValue:
    """e**x in f64."""
    xc = _clamped(b, x, -746.0, 710.0)
    n = _op(b, spirv.GLRoundEvenOp(_op(b, spirv.FMulOp(xc, _c(b, 1 / math.log(2))))))
    r = _op(b, spirv.GLFmaOp(_op(b, spirv.FNegateOp(n)), _c(b, _LN2_HI), xc))  # exact: n * _LN2_HI is
    # e**(r - d) = e**r (1 - d + d**2 / 2) with d = n * _LN2_LO < 2.1e-7. Not a second Fma(-n, _LN2_LO, r):
    # lavapipe (NIR) folds two Fmas sharing -n into Fma(-n, _LN2_HI + _LN2_LO, x), losing 6e-14.
    d = _op(b, spirv.FMulOp(n, _c(b, _LN2_LO)))
    scaled = _exp_scaled(b, n, r)
    correction = _op(b, spirv.FMulOp(d, _op(b, spirv.GLFmaOp(d, _c(b, 0.5), _c(b, -1.0)))))
    result = _op(b, spirv.GLFmaOp(scaled, correction, scaled))
    return _special(b, x, result, [(">", 709.782712893384, math.inf), ("<", -745.2, 0.0)])


def exp2(b: Emitter, x: SSAValue) -> SSAValue:
    """2**x in f64."""
    xc = _clamped(b, x, -1076.0, 1025.0)
    n = _op(b, spirv.GLRoundEvenOp(xc))
    r = _op(b, spirv.FMulOp(_op(b, spirv.FSubOp(xc, n)), _c(b, math.log(2))))
    return _special(b, x, _exp_scaled(b, n, r), [(">", 1024.0, math.inf), ("<", -1075.0, 0.0)])


def log(b: Emitter, x: SSAValue) -> SSAValue:
    """The natural logarithm in f64."""
    m, e = x, _c(b, 0.0)
    for k in (512, 256, 128, 64, 32, 16, 8, 4, 2, 1):  # exact: scaling by powers of two
        big = _op(b, spirv.FOrdGreaterThanEqualOp(m, _c(b, 2.0**k)))
        m = _select(b, big, _op(b, spirv.FMulOp(m, _c(b, 2.0**-k))), m)
        e = _select(b, big, _op(b, spirv.FAddOp(e, _c(b, float(k)))), e)
    for k in (512, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1):  # 2**-1074 (subnormal) needs 2**1074
        small = _op(b, spirv.FOrdLessThanOp(m, _c(b, 2.0 ** (1 - k))))
        m = _select(b, small, _op(b, spirv.FMulOp(m, _c(b, 2.0**k))), m)
        e = _select(b, small, _op(b, spirv.FSubOp(e, _c(b, float(k)))), e)
    high = _op(b, spirv.FOrdGreaterThanOp(m, _c(b, math.sqrt(2.0))))
    m = _select(b, high, _op(b, spirv.FMulOp(m, _c(b, 0.5))), m)
    e = _select(b, high, _op(b, spirv.FAddOp(e, _c(b, 1.0))), e)
    f = _op(b, spirv.FSubOp(m, _c(b, 1.0)))
    s = _op(b, spirv.FDivOp(f, _op(b, spirv.FAddOp(f, _c(b, 2.0)))))
    z = _op(b, spirv.FMulOp(s, s))
    atanh2 = _op(b, spirv.FMulOp(s, _horner(b, z, _LOG_TERMS)))
    low = _op(b, spirv.GLFmaOp(e, _c(b, _LN2_LO), atanh2))
    result = _op(b, spirv.GLFmaOp(e, _c(b, _LN2_HI), low))
    cases = [(">", 1.7976931348623157e308, math.inf), ("<", 0.0, math.nan), ("==", 0.0, -math.inf)]
    return _special(b, x, result, cases)


def log2(b: Emitter, x: SSAValue) -> SSAValue:
    """log2(x) = log(x) / ln 2 in f64."""
    return _op(b, spirv.FMulOp(log(b, x), _c(b, 1 / math.log(2))))


# ---------------------------------------------------------------- the emitter of the exact algorithms


class Ops:
    """The emitter interface of `khal.passes.expand_math`'s algorithms on f64 spirv values (ints are
    i64, used only by `fma`), so that the same functions run on numpy float64 arrays in the tests."""

    def __init__(self, b: Emitter) -> None:
        self.b = b

    def _f(self, op: Operation) -> SSAValue:
        return _op(self.b, op)

    def c(self, value: float) -> SSAValue:
        return _c(self.b, value)

    def ci(self, value: int) -> SSAValue:
        value = (value + 2**63) % 2**64 - 2**63
        return _op(self.b, spirv.ConstantOp(IntegerAttr(value, i64)))

    def add(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.FAddOp(a, b))

    def sub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.FSubOp(a, b))

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.FMulOp(a, b))

    def div(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.FDivOp(a, b))

    def neg(self, a: SSAValue) -> SSAValue:
        return self._f(spirv.FNegateOp(a))

    def sqrt(self, a: SSAValue) -> SSAValue:
        return self._f(spirv.GLSqrtOp(a))

    def fabs(self, a: SSAValue) -> SSAValue:
        return self._f(spirv.GLFAbsOp(a))

    def rint(self, a: SSAValue) -> SSAValue:
        return self._f(spirv.GLRoundEvenOp(a))

    def floor(self, a: SSAValue) -> SSAValue:
        return self._f(spirv.GLFloorOp(a))

    def cmp(self, pred: str, a: SSAValue, b: SSAValue) -> SSAValue:
        """`olt ole ogt oge oeq one` and `uno` (either operand NaN)."""
        if pred == "uno":
            return self.bor(self._f(spirv.IsNanOp(a)), self._f(spirv.IsNanOp(b)))
        ops = {
            "olt": spirv.FOrdLessThanOp,
            "ole": spirv.FOrdLessThanEqualOp,
            "ogt": spirv.FOrdGreaterThanOp,
            "oge": spirv.FOrdGreaterThanEqualOp,
            "oeq": spirv.FOrdEqualOp,
            "one": spirv.FOrdNotEqualOp,
        }
        return self._f(ops[pred](a, b))

    def icmp(self, pred: str, a: SSAValue, b: SSAValue) -> SSAValue:
        """`eq ne ult ugt` (the algorithms need no signed comparison)."""
        ops = {
            "eq": spirv.IEqualOp,
            "ne": spirv.INotEqualOp,
            "ult": spirv.ULessThanOp,
            "ugt": spirv.UGreaterThanOp,
        }
        return self._f(ops[pred](a, b))

    def sel(self, c: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return _select(self.b, c, a, b)

    def band(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.LogicalAndOp(a, b))

    def bor(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.LogicalOrOp(a, b))

    def bnot(self, a: SSAValue) -> SSAValue:
        return self._f(spirv.LogicalNotOp(a))

    def iand(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.BitwiseAndOp(a, b))

    def ior(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.BitwiseOrOp(a, b))

    def ixor(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.BitwiseXorOp(a, b))

    def iadd(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.IAddOp(a, b))

    def isub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.ISubOp(a, b))

    def imul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._f(spirv.IMulOp(a, b))

    def shl(self, a: SSAValue, n: SSAValue) -> SSAValue:
        return self._f(spirv.ShiftLeftLogicalOp(a, n))

    def shr(self, a: SSAValue, n: SSAValue) -> SSAValue:
        """Logical shift right."""
        return self._f(spirv.ShiftRightLogicalOp(a, n))

    def bits(self, a: SSAValue) -> SSAValue:
        return self._f(spirv.BitcastOp(a, i64))

    def flt(self, a: SSAValue) -> SSAValue:
        return self._f(spirv.BitcastOp(a, F64))

    def itof(self, a: SSAValue) -> SSAValue:
        """An unsigned i64 (< 2**53) as an f64."""
        return self._f(spirv.ConvertUToFOp(a, F64))

    def ftoi(self, a: SSAValue) -> SSAValue:
        """A non-negative integral f64 (< 2**53) as an i64."""
        return self._f(spirv.ConvertFToUOp(a, i64))


# ---------------------------------------------------------------- exact building blocks

V = Any  # a value of the emitter: an SSA value in the lowering, a numpy array in the tests
_h = float.fromhex
_INF, _NAN = math.inf, math.nan
_SPLIT = 2.0**27 + 1  # Veltkamp: 53 bits as two halves of at most 26


def opaque(e: Any, a: V, dep: V) -> V:
    """`a`, in a form no optimiser can prove equal to `a` (`dep` itself where `dep` is NaN, which makes
    the caller's result NaN anyway): Mesa's NIR rewrites `(-a) + (a + b)` to `b` on float ops not marked
    exact (and naga drops SPIR-V's NoContraction), which would turn every two-sum error into 0."""
    return e.sel(e.cmp("uno", dep, dep), dep, a)


def two_sum(e: Any, a: V, b: V) -> tuple[V, V]:
    """s + t == a + b exactly, s = fl(a + b) (Knuth; any magnitudes)."""
    s = e.add(a, b)
    bb = e.sub(s, opaque(e, a, b))
    t = e.add(e.sub(opaque(e, a, b), e.sub(s, opaque(e, bb, b))), e.sub(b, bb))
    return s, t


def fast_two_sum(e: Any, a: V, b: V) -> tuple[V, V]:
    """s + t == a + b exactly when |a| >= |b| (Dekker)."""
    s = e.add(a, b)
    return s, e.sub(b, e.sub(s, opaque(e, a, b)))


def split(e: Any, a: V) -> tuple[V, V]:
    """a == h + l, each of at most 26 significant bits (Veltkamp), for any finite a: beyond 2**995,
    where 2**27 a would overflow, a is split scaled down by 2**-28 (exact there)."""
    big = e.cmp("ogt", e.fabs(a), e.c(2.0**995))
    s = e.sel(big, e.mul(a, e.c(2.0**-28)), a)
    c = opaque(e, e.mul(e.c(_SPLIT), s), a)  # a product no driver may contract into `c - s`
    h = e.sub(c, e.sub(c, opaque(e, s, c)))
    h = e.sel(big, e.mul(h, e.c(2.0**28)), h)
    return h, e.sub(a, h)


def two_prod(e: Any, a: V, b: V) -> tuple[V, V]:
    """p + t == a * b exactly, p = fl(a * b) (Dekker; every partial product is exact, so a contracted
    a * b + c changes nothing). Needs no overflow of a b and no underflow of t. `p` comes out of a
    select: a driver may contract `c - a * b` into an fma (lavapipe did), giving the exact c - a b
    where the caller means c - p and then subtracts t."""
    p = opaque(e, e.mul(a, b), b)
    ah, al = split(e, a)
    bh, bl = split(e, b)
    t = e.add(e.add(e.add(e.sub(e.mul(ah, bh), p), e.mul(ah, bl)), e.mul(al, bh)), e.mul(al, bl))
    return p, t


def div(e: Any, a: V, b: V) -> V:
    """a / b within about 0.5 ulp where the driver's division is not correctly rounded (Vulkan allows
    more): one Newton step on the exact residual a - q b; outside 2**+-500 the plain quotient."""
    q = e.div(a, b)
    p, pe = two_prod(e, q, b)
    refined = e.add(q, e.div(e.sub(e.sub(a, p), pe), b))
    aa, ab = e.fabs(a), e.fabs(b)
    lo, hi = e.c(2.0**-500), e.c(2.0**500)
    safe = e.band(e.cmp("ogt", aa, lo), e.cmp("olt", aa, hi))
    safe = e.band(safe, e.band(e.cmp("ogt", ab, lo), e.cmp("olt", ab, hi)))
    return e.sel(safe, refined, q)


def poly(e: Any, x: V, coeffs: list[float]) -> V:
    """coeffs[0] + coeffs[1] x + ... (Horner, separate multiply and add)."""
    r = e.c(coeffs[-1])
    for k in reversed(coeffs[:-1]):
        r = e.add(e.mul(r, x), e.c(k))
    return r


def isnan(e: Any, x: V) -> V:
    return e.cmp("uno", x, x)


def negative(e: Any, x: V) -> V:
    """The sign bit of a non-NaN x, without integers: -0 too (1 / -0 == -inf)."""
    zero = e.c(0.0)
    return e.bor(e.cmp("olt", x, zero), e.band(e.cmp("oeq", x, zero), e.cmp("olt", e.div(e.c(1.0), x), zero)))


def with_sign(e: Any, m: V, s: V) -> V:
    """m (>= 0) with the sign of s (not NaN)."""
    return e.sel(negative(e, s), e.neg(m), m)


def high_half(e: Any, x: V) -> V:
    """x rounded to 26 significant bits (fdlibm clears the low word instead): its square is exact."""
    return split(e, x)[0]


# ---------------------------------------------------------------- sin, cos, tan

# fdlibm's __ieee754_rem_pio2 medium path: pi/2 in 33-bit pieces, so n pio2_k is exact for |n| < 2**20.
_INVPIO2 = 6.36619772367581382433e-01
_PIO2 = [
    1.57079632673412561417e00,
    6.07710050630396597660e-11,
    2.02226624871116645580e-21,
    8.47842766036889956997e-32,
]
TRIG_LIMIT = 2.0**20 * math.pi / 2
"""Below this sin, cos and tan reduce by Cody-Waite (n pio2_1 is exact); from it on by Payne-Hanek."""
_S = [
    -1.66666666666666324348e-01,
    8.33333333332248946124e-03,
    -1.98412698298579493134e-04,
    2.75573137070700676789e-06,
    -2.50507602534068634195e-08,
    1.58969099521155010221e-10,
]
_C = [
    4.16666666666666019037e-02,
    -1.38888888888741095749e-03,
    2.48015872894767294178e-05,
    -2.75573143513906633035e-07,
    2.08757232129817482790e-09,
    -1.13596475577881948265e-11,
]
_T = [
    3.33333333333334091986e-01,
    1.33333333333201242699e-01,
    5.39682539762260521377e-02,
    2.18694882948595424599e-02,
    8.86323982359930005737e-03,
    3.59207910759131235356e-03,
    1.45620945432529025516e-03,
    5.88041240820264096874e-04,
    2.46463134818469906812e-04,
    7.81794442939557092300e-05,
    7.14072491382608190305e-05,
    -1.85586374855275456654e-05,
    2.59073051863633712884e-05,
]
_PIO4, _PIO4_LO = 7.85398163397448278999e-01, 3.06161699786838301793e-17


def _reduce_medium(e: Any, x: V) -> tuple[V, V, V]:
    """(n mod 4, y0, y1): x = n pi/2 + y0 + y1, |y0 + y1| <~ pi/4, for finite |x| < TRIG_LIMIT.

    fdlibm's __ieee754_rem_pio2 medium path, with pi/2 = pio2_1 + pio2_2 + pio2_3 + pio2_3t: every
    n pio2_k (k <= 3) is exact, x - n pio2_1 is exact (Sterbenz), and the two other subtractions are
    two-sums whose errors join the tail, so no round depends on how much cancelled before."""
    xs = e.sel(e.cmp("olt", e.fabs(x), e.c(_INF)), x, e.c(0.0))  # inf, NaN: replaced later
    n = e.rint(e.mul(xs, e.c(_INVPIO2)))
    r = e.sub(xs, e.mul(n, e.c(_PIO2[0])))
    r, err1 = two_sum(e, r, e.neg(e.mul(n, e.c(_PIO2[1]))))
    r, err2 = two_sum(e, r, e.neg(e.mul(n, e.c(_PIO2[2]))))
    tail = e.sub(e.add(err1, err2), e.mul(n, e.c(_PIO2[3])))
    y0, y1 = two_sum(e, r, tail)
    quarter = e.mul(n, e.c(0.25))
    q = e.mul(e.sub(quarter, e.floor(quarter)), e.c(4.0))  # n mod 4, exact
    return q, y0, y1


def _two_over_pi_limbs(count: int) -> list[int]:
    """The first `count` 32-bit limbs of 2/pi's binary fraction (Machin's formula in integers)."""
    bits = 32 * count + 64

    def atan_inv(n: int) -> int:  # atan(1 / n) * 2**bits
        total, term, k, sign = 0, (1 << bits) // n, 1, 1
        while term:
            total, term, k, sign = total + sign * (term // k), term // (n * n), k + 2, -sign
        return total

    pi = 16 * atan_inv(5) - 4 * atan_inv(239)
    g = (2 << (2 * bits)) // pi  # 2/pi * 2**bits, wrong only in its last few bits
    return [(g >> (bits - 32 * (k + 1))) & 0xFFFFFFFF for k in range(count)]


_WINDOW = 7  # limbs of 2/pi multiplied by the 53-bit significand: 224 bits
_G = _two_over_pi_limbs(31 + _WINDOW)  # window starts up to limb (971 - 2) // 32 = 30
_MASK32 = 0xFFFFFFFF


def _reduce_large(e: Any, ax: V) -> tuple[V, V, V]:
    """(n mod 4, y0, y1) for finite |x| = ax >= TRIG_LIMIT: Payne and Hanek's exact reduction in i64.

    ax = M 2**E (M < 2**53); limbs of 2/pi before limb j = floor((E - 2) / 32) contribute multiples of 4
    to ax 2/pi, so P = M times the 224 bits from limb j on (32-bit limbs, products in i64) holds
    ax 2/pi mod 4 with its binary point at bit s = 32 j + 224 - E (191 <= s <= 256): 2 bits of
    quadrant, then 128 bits of fraction (the bits of 2/pi left out add less than 2**-140)."""
    b = e.bits(ax)
    m = e.ior(e.iand(b, e.ci((1 << 52) - 1)), e.ci(1 << 52))
    ef = e.sub(e.itof(e.shr(b, e.ci(52))), e.c(1075.0))  # E, as an f64
    jf = e.floor(e.mul(e.sub(ef, e.c(2.0)), e.c(1 / 32)))
    jf = e.sel(e.cmp("olt", jf, e.c(0.0)), e.c(0.0), jf)
    window = []
    for i in range(_WINDOW):  # little-endian: window[0] is the least significant limb
        k = _WINDOW - 1 - i
        w = e.ci(_G[k])
        for j in range(1, 31):
            w = e.sel(e.cmp("oeq", jf, e.c(float(j))), e.ci(_G[j + k]), w)
        window.append(w)
    mlimbs = [e.iand(m, e.ci(_MASK32)), e.shr(m, e.ci(32))]
    cols = [e.ci(0) for _ in range(_WINDOW + 2)]
    for a, ma in enumerate(mlimbs):
        for k, wk in enumerate(window):
            prod = e.imul(ma, wk)  # < 2**64: exact as an unsigned i64
            cols[a + k] = e.iadd(cols[a + k], e.iand(prod, e.ci(_MASK32)))
            cols[a + k + 1] = e.iadd(cols[a + k + 1], e.shr(prod, e.ci(32)))
    limbs, carry = [], e.ci(0)
    for col in cols:
        v = e.iadd(col, carry)
        limbs.append(e.iand(v, e.ci(_MASK32)))
        carry = e.shr(v, e.ci(32))
    limbs.append(e.ci(0))
    sf = e.sub(e.add(e.mul(jf, e.c(32.0)), e.c(224.0)), ef)  # 191 <= s <= 256
    limb_f = e.floor(e.mul(sf, e.c(1 / 32)))  # s's limb: 5 to 8
    o = e.ftoi(e.sub(sf, e.mul(limb_f, e.c(32.0))))  # s mod 32

    def bits32(limb: int) -> V:
        """32 bits of P from bit 32 limb + o (o = s mod 32)."""
        pair = e.ior(e.shl(limbs[limb + 1], e.ci(32)), limbs[limb])
        return e.iand(e.shr(pair, o), e.ci(_MASK32))

    def at(offset: int) -> V:
        """32 bits of P from bit s + 32 offset."""
        r = bits32(8 + offset)
        for limb in (7, 6, 5):
            r = e.sel(e.cmp("oeq", limb_f, e.c(float(limb))), bits32(limb + offset), r)
        return r

    q = e.iand(at(0), e.ci(3))
    frac = [at(t) for t in (-1, -2, -3, -4)]  # most significant first
    up = e.icmp("ne", e.iand(frac[0], e.ci(1 << 31)), e.ci(0))  # fraction >= 1/2: n + 1, fraction - 1
    neg = [e.iand(e.ixor(f, e.ci(_MASK32)), e.ci(_MASK32)) for f in frac]
    carry = e.ci(1)
    for t in (3, 2, 1, 0):  # 2**128 - F, limb by limb
        v = e.iadd(neg[t], carry)
        neg[t], carry = e.iand(v, e.ci(_MASK32)), e.shr(v, e.ci(32))
    parts = [e.itof(e.sel(up, nf, f)) for nf, f in zip(neg, frac, strict=True)]
    parts = [e.mul(p, e.c(2.0 ** (-32 * (t + 1)))) for t, p in enumerate(parts)]
    h, lo = two_sum(e, parts[2], parts[3])
    h, t2 = two_sum(e, parts[1], h)
    h, t3 = two_sum(e, parts[0], h)
    lo = e.add(lo, e.add(t2, t3))
    h, lo = e.sel(up, e.neg(h), h), e.sel(up, e.neg(lo), lo)
    p, pe = two_prod(e, h, e.c(_PIO2_HI))
    pe = e.add(pe, e.add(e.mul(h, e.c(_PIO2_LO)), e.mul(lo, e.c(_PIO2_HI))))
    y0, y1 = fast_two_sum(e, p, pe)
    qf = e.itof(e.iand(e.iadd(q, e.sel(up, e.ci(1), e.ci(0))), e.ci(3)))
    return qf, y0, y1


def _reduce(e: Any, x: V) -> tuple[V, V, V]:
    """(n mod 4, y0, y1): x = n pi/2 + y0 + y1, |y0 + y1| <~ pi/4, for any finite x: the medium path
    below TRIG_LIMIT, Payne-Hanek from there on (both computed: selects, no divergence)."""
    ax = e.fabs(x)
    large = e.band(e.cmp("oge", ax, e.c(TRIG_LIMIT)), e.cmp("olt", ax, e.c(_INF)))
    q, y0, y1 = _reduce_medium(e, e.sel(large, e.c(0.0), x))
    lq, ly0, ly1 = _reduce_large(e, e.sel(large, ax, e.c(TRIG_LIMIT)))
    negative_x = e.cmp("olt", x, e.c(0.0))
    lq = e.sel(negative_x, e.sub(e.c(4.0), lq), lq)  # -n mod 4
    lq = e.sel(e.cmp("oeq", lq, e.c(4.0)), e.c(0.0), lq)
    ly0 = e.sel(negative_x, e.neg(ly0), ly0)
    ly1 = e.sel(negative_x, e.neg(ly1), ly1)
    return e.sel(large, lq, q), e.sel(large, ly0, y0), e.sel(large, ly1, y1)


def _ksin(e: Any, x: V, y: V) -> V:
    """fdlibm's __kernel_sin(x, y, 1): sin(x + y) for |x + y| <= pi/4."""
    z = e.mul(x, x)
    v = e.mul(z, x)
    r = poly(e, z, _S[1:])
    inner = e.sub(e.mul(z, e.sub(e.mul(e.c(0.5), y), e.mul(v, r))), y)
    return e.sub(x, e.sub(inner, e.mul(v, e.c(_S[0]))))


def _kcos(e: Any, x: V, y: V) -> V:
    """fdlibm's __kernel_cos(x, y): cos(x + y) for |x + y| <= pi/4."""
    z = e.mul(x, x)
    r = e.mul(z, poly(e, z, _C))
    hz = e.mul(e.c(0.5), z)
    w = e.sub(e.c(1.0), hz)
    one = opaque(e, e.c(1.0), x)
    corr = e.add(e.sub(e.sub(one, w), hz), e.sub(e.mul(z, r), e.mul(x, y)))
    return e.add(w, corr)


def _quadrant(e: Any, q: V, values: list[V]) -> V:
    r = values[3]
    for k in (2, 1, 0):
        r = e.sel(e.cmp("oeq", q, e.c(float(k))), values[k], r)
    return r


def _trig_specials(e: Any, x: V, r: V) -> V:
    """NaN for an infinite or NaN x; x itself for +-0."""
    bad = e.bor(isnan(e, x), e.cmp("oeq", e.fabs(x), e.c(_INF)))
    r = e.sel(bad, e.c(_NAN), r)
    return e.sel(e.cmp("oeq", x, e.c(0.0)), x, r)


def sin(e: Any, x: V) -> V:
    """sin(x) in f64."""
    q, y0, y1 = _reduce(e, x)
    s, c = _ksin(e, y0, y1), _kcos(e, y0, y1)
    return _trig_specials(e, x, _quadrant(e, q, [s, c, e.neg(s), e.neg(c)]))


def cos(e: Any, x: V) -> V:
    """cos(x) in f64; cos(+-0) = 1."""
    q, y0, y1 = _reduce(e, x)
    s, c = _ksin(e, y0, y1), _kcos(e, y0, y1)
    r = _trig_specials(e, x, _quadrant(e, q, [c, e.neg(s), e.neg(c), s]))
    return e.sel(e.cmp("oeq", x, e.c(0.0)), e.c(1.0), r)


def _ktan(e: Any, x: V, y: V, odd: V) -> V:
    """fdlibm's __kernel_tan: tan(x + y), or -1 / tan(x + y) where `odd`, for |x + y| <= pi/4 + ."""
    neg = e.cmp("olt", x, e.c(0.0))
    big = e.cmp("oge", e.fabs(x), e.c(_h("0x1.59428p-1")))  # fdlibm's 0x3FE59428
    # near pi/4: tan(pi/4 - t) = (1 - tan t) / (1 + tan t), with t = pi/4 - |x + y|
    xa, ya = e.sel(neg, e.neg(x), x), e.sel(neg, e.neg(y), y)
    x = e.sel(big, e.add(e.sub(e.c(_PIO4), xa), e.sub(e.c(_PIO4_LO), ya)), x)
    y = e.sel(big, e.c(0.0), y)
    z = e.mul(x, x)
    w = e.mul(z, z)
    r = poly(e, w, _T[1::2])
    v = e.mul(z, poly(e, w, _T[2::2]))
    s = e.mul(z, x)
    r = e.add(y, e.mul(z, e.add(e.mul(s, e.add(r, v)), y)))
    r = e.add(r, e.mul(e.c(_T[0]), s))
    w = e.add(x, r)
    iy = e.sel(odd, e.c(-1.0), e.c(1.0))
    near = e.sub(iy, e.mul(e.c(2.0), e.sub(x, e.sub(e.div(e.mul(w, w), e.add(w, iy)), r))))
    near = e.sel(neg, e.neg(near), near)
    # -1 / (x + r) accurately: w and -1/w rounded to 26 bits, the rest corrected
    zh = high_half(e, w)
    v = e.sub(r, e.sub(zh, x))
    a = e.div(e.c(-1.0), w)
    t = high_half(e, a)
    s = e.add(e.c(1.0), e.mul(t, zh))
    cot = e.add(t, e.mul(a, e.add(s, e.mul(t, v))))
    return e.sel(big, near, e.sel(odd, cot, w))


def tan(e: Any, x: V) -> V:
    """tan(x) in f64."""
    q, y0, y1 = _reduce(e, x)
    odd = e.bor(e.cmp("oeq", q, e.c(1.0)), e.cmp("oeq", q, e.c(3.0)))
    return _trig_specials(e, x, _ktan(e, y0, y1, odd))


# ---------------------------------------------------------------- tanh


def _tanh_series() -> list[float]:
    """The Taylor coefficients of tanh(x) / x - 1 in x^2: 2^2n (2^2n - 1) B_2n / (2n)!, n >= 2."""
    bern = [Fraction(1)]
    for m in range(1, 46):
        bern.append(-sum(math.comb(m + 1, k) * bern[k] for k in range(m)) / (m + 1))
    return [float(4**n * (4**n - 1) * bern[2 * n] / math.factorial(2 * n)) for n in range(2, 23)]


_TANH_SERIES = _tanh_series()  # to x^43: below 2**-60 relative for |x| <= 1/2
_LN2_HI_D, _LN2_LO_D = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_EXPM_TERMS = [1.0 / math.factorial(k) for k in range(2, 18)]


def _pow2_small(e: Any, n: V) -> V:
    """2**n for an integral f64 n in [0, 127], by exact multiplications per bit."""
    f, rest = e.c(1.0), n
    for bit in range(6, -1, -1):
        take = e.cmp("oge", rest, e.c(float(2**bit)))
        rest = e.sel(take, e.sub(rest, e.c(float(2**bit))), rest)
        f = e.mul(f, e.sel(take, e.c(2.0 ** (2**bit)), e.c(1.0)))
    return f


def exp_dd(e: Any, a: V) -> tuple[V, V]:
    """e**a as hi + lo to about 2**-56 relative, for a in [0, 50]."""
    n = e.rint(e.mul(a, e.c(1 / math.log(2))))
    rh = e.sub(a, e.mul(n, e.c(_LN2_HI_D)))  # exact: n ln2_hi is (32-bit constant, n < 2**7)
    rl = e.neg(e.mul(n, e.c(_LN2_LO_D)))
    p = e.mul(e.mul(rh, rh), poly(e, rh, _EXPM_TERMS))  # e**rh - 1 - rh
    s, t = fast_two_sum(e, e.c(1.0), rh)
    # e**(rh + rl) = e**rh (1 + rl + rl**2 / 2) to 2**-80
    lo = e.add(e.add(t, p), e.mul(rl, e.add(e.add(e.c(1.0), rh), e.add(p, e.mul(rl, e.c(0.5))))))
    hi, lo = fast_two_sum(e, s, lo)
    scale = _pow2_small(e, n)
    return e.mul(hi, scale), e.mul(lo, scale)


def tanh(e: Any, x: V) -> V:
    """tanh(x) in f64: its Taylor series below 1/2, 1 - 2 / (e**2|x| + 1) in two-float arithmetic up
    to 22, +-1 beyond."""
    ax = e.fabs(x)
    z = e.mul(x, x)
    small = e.add(x, e.mul(e.mul(x, z), poly(e, z, _TANH_SERIES)))
    a = e.sel(e.cmp("olt", ax, e.c(22.0)), ax, e.c(22.0))  # NaN: 22, replaced below
    eh, el = exp_dd(e, e.add(a, a))
    dh, dt = fast_two_sum(e, eh, e.c(1.0))
    dl = e.add(dt, el)
    q0 = e.div(e.c(2.0), dh)
    p, pe = two_prod(e, q0, dh)
    q1 = e.div(e.sub(e.sub(e.sub(e.c(2.0), p), pe), e.mul(q0, dl)), dh)
    s, t = two_sum(e, e.c(1.0), e.neg(q0))
    big = e.add(s, e.sub(t, q1))
    big = e.sel(e.cmp("oge", ax, e.c(22.0)), e.c(1.0), big)
    r = e.sel(e.cmp("olt", ax, e.c(0.5)), small, with_sign(e, big, x))
    r = e.sel(e.cmp("oeq", x, e.c(0.0)), x, r)  # -0 + (-0 * 0) * P is +0
    return e.sel(isnan(e, x), x, r)


# ---------------------------------------------------------------- atan, atan2, asin, acos

_ATAN_HI = [
    4.63647609000806093515e-01,
    7.85398163397448278999e-01,
    9.82793723247329054082e-01,
    1.57079632679489655800e00,
]
_ATAN_LO = [
    2.26987774529616870924e-17,
    3.06161699786838301793e-17,
    1.39033110312309984516e-17,
    6.12323399573676603587e-17,
]
_AT = [
    3.33333333333329318027e-01,
    -1.99999999998764832476e-01,
    1.42857142725034663711e-01,
    -1.11111104054623557880e-01,
    9.09088713343650656196e-02,
    -7.69187620504482999495e-02,
    6.66107313738753120669e-02,
    -5.83357013379057348645e-02,
    4.97687799461593236017e-02,
    -3.65315727442169155270e-02,
    1.62858201153657823623e-02,
]
_PI, _PI_LO = 3.1415926535897931160e00, 1.2246467991473531772e-16
_PIO2_HI, _PIO2_LO = 1.57079632679489655800e00, 6.12323399573676603587e-17


def _atan_abs(e: Any, ax: V) -> V:
    """atan(ax) for ax >= 0 (inf included): fdlibm's s_atan, its four breakpoints as selects."""
    one, two = e.c(1.0), e.c(2.0)
    ids = [e.cmp("oge", ax, e.c(b)) for b in (0.4375, 0.6875, 1.1875, 2.4375)]
    finite = e.cmp("olt", ax, e.c(_INF))
    t = ax
    t = e.sel(ids[0], div(e, e.sub(e.mul(two, ax), one), e.add(two, ax)), t)
    t = e.sel(ids[1], div(e, e.sub(ax, one), e.add(ax, one)), t)
    t = e.sel(ids[2], div(e, e.sub(ax, e.c(1.5)), e.add(one, e.mul(e.c(1.5), ax))), t)
    t = e.sel(ids[3], e.sel(finite, div(e, e.c(-1.0), ax), e.c(0.0)), t)
    hi, lo = e.c(0.0), e.c(0.0)
    for k in range(4):
        hi = e.sel(ids[k], e.c(_ATAN_HI[k]), hi)
        lo = e.sel(ids[k], e.c(_ATAN_LO[k]), lo)
    z = e.mul(t, t)
    w = e.mul(z, z)
    s1 = e.mul(z, poly(e, w, _AT[0::2]))
    s2 = e.mul(w, poly(e, w, _AT[1::2]))
    ts = e.mul(t, e.add(s1, s2))
    reduced = e.sub(hi, e.sub(e.sub(ts, lo), t))
    return e.sel(ids[0], reduced, e.sub(t, ts))


def atan(e: Any, x: V) -> V:
    """atan(x) in f64."""
    r = with_sign(e, _atan_abs(e, e.fabs(x)), x)
    r = e.sel(e.cmp("oeq", x, e.c(0.0)), x, r)
    return e.sel(isnan(e, x), x, r)


def atan2(e: Any, y: V, x: V) -> V:
    """atan2(y, x) in f64, with C99's (numpy's) zeros, infinities and quadrants."""
    ay, ax = e.fabs(y), e.fabs(x)
    inf = e.c(_INF)
    z = _atan_abs(e, div(e, ay, ax))
    both_inf = e.band(e.cmp("oeq", ay, inf), e.cmp("oeq", ax, inf))
    z = e.sel(both_inf, e.c(_PIO4), z)
    z = e.sel(e.cmp("oeq", ay, e.c(0.0)), e.c(0.0), z)  # also 0 / 0
    left = e.sub(e.c(_PI), e.sub(z, e.c(_PI_LO)))  # pi - z
    left = e.sel(both_inf, e.c(3 * _PIO4), left)
    r = e.sel(negative(e, x), left, z)
    # |y / x| > 2**60 (x == 0 included): pi/2 whatever the sign of x, as fdlibm's e_atan2
    r = e.sel(e.cmp("ogt", ay, e.mul(ax, e.c(2.0**60))), e.c(_PIO2_HI), r)
    r = with_sign(e, r, y)
    return e.sel(e.bor(isnan(e, x), isnan(e, y)), e.add(x, y), r)


_PS = [
    1.66666666666666657415e-01,
    -3.25565818622400915405e-01,
    2.01212532134862925881e-01,
    -4.00555345006794114027e-02,
    7.91534994289814532176e-04,
    3.47933107596021167570e-05,
]
_QS = [
    1.0,
    -2.40339491173441421878e00,
    2.02094576023350569471e00,
    -6.88283971605453293030e-01,
    7.70381505559019352791e-02,
]


def _asin_ratio(e: Any, t: V) -> V:
    """fdlibm's R(t) = p(t) / q(t), asin(x) = x + x R(x^2)."""
    return e.div(e.mul(t, poly(e, t, _PS)), poly(e, t, _QS))


def asin(e: Any, x: V) -> V:
    """asin(x) in f64 (fdlibm's e_asin); NaN outside [-1, 1]."""
    ax = e.fabs(x)
    small = e.add(x, e.mul(x, _asin_ratio(e, e.mul(x, x))))
    t = e.mul(e.sub(e.c(1.0), ax), e.c(0.5))
    r = _asin_ratio(e, t)
    s = e.sqrt(t)
    steep = e.sub(e.c(_PIO2_HI), e.sub(e.mul(e.c(2.0), e.add(s, e.mul(s, r))), e.c(_PIO2_LO)))
    w = high_half(e, s)
    c = e.div(e.sub(t, e.mul(w, w)), e.add(s, w))
    p = e.sub(e.mul(e.mul(e.c(2.0), s), r), e.sub(e.c(_PIO2_LO), e.mul(e.c(2.0), c)))
    q = e.sub(e.c(_PIO4), e.mul(e.c(2.0), w))
    mid = e.sub(e.c(_PIO4), e.sub(p, q))
    big = e.sel(e.cmp("oge", ax, e.c(0.975)), steep, mid)
    big = e.sel(e.cmp("oeq", ax, e.c(1.0)), e.c(_PIO2_HI), big)
    r = e.sel(e.cmp("olt", ax, e.c(0.5)), small, with_sign(e, big, x))
    r = e.sel(e.cmp("ogt", ax, e.c(1.0)), e.c(_NAN), r)
    return e.sel(isnan(e, x), x, r)


def acos(e: Any, x: V) -> V:
    """acos(x) in f64 (fdlibm's e_acos); NaN outside [-1, 1]."""
    ax = e.fabs(x)
    two = e.c(2.0)
    small = e.sub(e.c(_PIO2_HI), e.sub(x, e.sub(e.c(_PIO2_LO), e.mul(x, _asin_ratio(e, e.mul(x, x))))))
    z = e.mul(e.sub(e.c(1.0), ax), e.c(0.5))
    r = _asin_ratio(e, z)
    s = e.sqrt(z)
    left = e.sub(e.c(_PI), e.mul(two, e.add(s, e.sub(e.mul(r, s), e.c(_PIO2_LO)))))
    df = high_half(e, s)
    c = e.div(e.sub(z, e.mul(df, df)), e.add(s, df))
    right = e.mul(two, e.add(df, e.add(e.mul(r, s), c)))
    big = e.sel(e.cmp("olt", x, e.c(0.0)), left, right)
    result = e.sel(e.cmp("olt", ax, e.c(0.5)), small, big)
    result = e.sel(e.cmp("oeq", x, e.c(-1.0)), e.c(_PI), result)
    result = e.sel(e.cmp("oeq", x, e.c(1.0)), e.c(0.0), result)
    result = e.sel(e.cmp("ogt", ax, e.c(1.0)), e.c(_NAN), result)
    return e.sel(isnan(e, x), x, result)


# ---------------------------------------------------------------- fma

_SIGN, _EXP_MASK, _ONE_BITS = -(2**63), 0x7FF << 52, 0x3FF << 52


def _frexp(e: Any, x: V) -> tuple[V, V]:
    """(m, k) with x = m 2**k, |m| in [1, 2), k an integral f64, for finite nonzero x (subnormals too)."""
    sub = e.cmp("olt", e.fabs(x), e.c(2.0**-1022))
    x1 = e.sel(sub, e.mul(x, e.c(2.0**64)), x)
    b = e.bits(x1)
    field = e.itof(e.shr(e.iand(b, e.ci(_EXP_MASK)), e.ci(52)))
    k = e.sub(field, e.sel(sub, e.c(1023.0 + 64), e.c(1023.0)))
    m = e.flt(e.ior(e.iand(b, e.ci(~_EXP_MASK)), e.ci(_ONE_BITS)))
    return m, k


def _pow2(e: Any, k: V) -> V:
    """2**k for an integral f64 k in [-1022, 1023]."""
    return e.flt(e.shl(e.ftoi(e.add(k, e.c(1023.0))), e.ci(52)))


def _clamp(e: Any, k: V, lo: float, hi: float) -> V:
    k = e.sel(e.cmp("olt", k, e.c(lo)), e.c(lo), k)
    return e.sel(e.cmp("ogt", k, e.c(hi)), e.c(hi), k)


def ldexp(e: Any, x: V, k: V) -> V:
    """x 2**k rounded once, for finite x and any integral f64 k (x normalised, then two steps of which
    only the second can be inexact)."""
    m, ex = _frexp(e, x)
    total = e.add(k, ex)
    s1 = _clamp(e, total, -1022.0, 1023.0)
    s2 = _clamp(e, e.sub(total, s1), -1022.0, 1023.0)
    r = e.mul(e.mul(m, _pow2(e, s1)), _pow2(e, s2))
    return e.sel(e.cmp("oeq", x, e.c(0.0)), x, r)


def _round_to_odd_sum(e: Any, a: V, b: V) -> V:
    """a + b rounded to odd: truncated, with the last bit set when inexact (Boldo and Melquiond)."""
    s, t = two_sum(e, a, b)
    bs = e.bits(s)
    even = e.icmp("eq", e.iand(bs, e.ci(1)), e.ci(0))
    inexact = e.cmp("one", t, e.c(0.0))
    away = e.icmp("eq", e.iand(e.ixor(bs, e.bits(t)), e.ci(_SIGN)), e.ci(0))  # same signs: grow |s|
    step = e.sel(away, e.ci(1), e.ci(-1))
    return e.sel(e.band(even, inexact), e.flt(e.iadd(bs, step)), s)


def _nonfinite(e: Any, a: V) -> V:
    return e.bor(e.cmp("oeq", e.fabs(a), e.c(_INF)), isnan(e, a))


def fma(e: Any, a: V, b: V, c: V) -> V:
    """a b + c rounded once, without a fused fma: expand_math.fma's algorithm in f64 (a and b
    normalised to [1, 2), c scaled by the inverse power of two, Dekker's exact product, the three-term
    sum correctly rounded by rounding to odd; a subnormal result rounded to odd first)."""
    ma, ea = _frexp(e, a)
    mb, eb = _frexp(e, b)
    k = e.add(ea, eb)
    c2 = ldexp(e, c, e.neg(k))
    lost = e.band(e.cmp("oeq", c2, e.c(0.0)), e.cmp("one", c, e.c(0.0)))
    c2 = e.sel(lost, with_sign(e, e.c(2.0**-1074), c), c2)  # c only as a sticky bit, with its sign
    uh, ul = two_prod(e, ma, mb)
    th, tl = two_sum(e, c2, uh)
    v = _round_to_odd_sum(e, tl, ul)
    r = ldexp(e, e.add(th, v), k)
    r_odd = ldexp(e, _round_to_odd_sum(e, th, v), k)
    r = e.sel(e.cmp("olt", e.fabs(r), e.c(2.0**-1022)), r_odd, r)
    # In [2**-1023, 2**-1022) rounding to odd at 53 bits leaves one bit over the subnormal's 52: not
    # enough. There the sum is rounded on the subnormal grid itself: C + th + RO(h2 + v), C = +-2**-1022
    # (scaled), puts it in [C, 2C) whose ulp is that grid; subtracting C back is exact. RO never crosses
    # a float, and every tie point is one, so RO(h2 + RO(tl + ul)) rounds like h2 + tl + ul.
    band = e.band(e.cmp("oge", e.fabs(r_odd), e.c(2.0**-1023)), e.cmp("olt", e.fabs(r_odd), e.c(2.0**-1022)))
    big = with_sign(e, _pow2(e, _clamp(e, e.sub(e.c(-1022.0), k), -1022.0, 1023.0)), th)
    h1, h2 = two_sum(e, big, th)
    on_grid = e.sub(e.add(h1, _round_to_odd_sum(e, h2, v)), opaque(e, big, h2))
    r = e.sel(band, ldexp(e, on_grid, k), r)
    r = e.sel(e.cmp("oeq", e.fabs(c2), e.c(_INF)), c, r)
    nonfinite_ab = e.bor(_nonfinite(e, a), _nonfinite(e, b))
    plain = e.add(e.mul(a, b), c)  # right wherever a, b or c is 0, inf or NaN, except an infinite c
    plain = e.sel(
        e.bor(nonfinite_ab, isnan(e, c)), plain, e.sel(e.cmp("oeq", e.fabs(c), e.c(_INF)), c, plain)
    )
    ab_zero = e.bor(e.cmp("oeq", a, e.c(0.0)), e.cmp("oeq", b, e.c(0.0)))
    special = e.bor(e.bor(nonfinite_ab, ab_zero), _nonfinite(e, c))
    return e.sel(special, plain, r)


# ---------------------------------------------------------------- pow


def _ln2_parts() -> tuple[float, float, float]:
    """ln 2 as fdlibm's 32-bit ln2_hi (k ln2_hi exact for |k| < 2**21) plus two more floats."""
    bits = 200
    third = (1 << bits) // 3
    total, term, k = 0, third, 1  # ln 2 = 2 atanh(1/3) = 2 sum 3**-(2k+1) / (2k+1)
    while term:
        total += term // k
        term //= 9
        k += 2
    ln2 = Fraction(2 * total, 1 << bits)
    hi = _LN2_HI_D
    lo = float(ln2 - Fraction(hi))
    return hi, lo, float(ln2 - Fraction(hi) - Fraction(lo))


_LN2_3 = _ln2_parts()
_TWO_THIRDS = (2 / 3, float(Fraction(2, 3) - Fraction(2 / 3)))
_ATANH_TAIL = [2.0 / (2 * k + 5) for k in range(12)]  # 2 atanh(t) - 2t - 2t^3/3 = t^5 sum z^k 2/(2k+5)
_EXP_TAIL = [1.0 / math.factorial(k) for k in range(3, 20)]  # e^r - 1 - r - r^2/2 = r^3 sum r^k/(k+3)!


def _log_dd(e: Any, ax: V) -> tuple[V, V]:
    """ln(ax) = hi + lo to about 2**-65 relative, for finite ax > 0 (SLEEF's two-float structure)."""
    m, k = _frexp(e, ax)
    high = e.cmp("ogt", m, e.c(math.sqrt(2.0)))
    m = e.sel(high, e.mul(m, e.c(0.5)), m)
    k = e.sel(high, e.add(k, e.c(1.0)), k)
    f = e.sub(m, e.c(1.0))  # exact
    dh, dl = two_sum(e, e.c(2.0), f)
    th = e.div(f, dh)
    ph, pl = two_prod(e, th, dh)
    tl = e.div(e.sub(e.sub(e.sub(f, ph), pl), e.mul(th, dl)), dh)  # t = f / (2 + f) = th + tl
    zh, zl = two_prod(e, th, th)
    zl = e.add(zl, e.mul(e.c(2.0), e.mul(th, tl)))
    ch, cl = two_prod(e, zh, th)  # t^3
    cl = e.add(cl, e.add(e.mul(zl, th), e.mul(zh, tl)))
    c3h, c3l = two_prod(e, ch, e.c(_TWO_THIRDS[0]))
    c3l = e.add(c3l, e.add(e.mul(cl, e.c(_TWO_THIRDS[0])), e.mul(ch, e.c(_TWO_THIRDS[1]))))
    t5 = e.mul(e.mul(ch, zh), poly(e, zh, _ATANH_TAIL))
    kh = e.mul(k, e.c(_LN2_3[0]))  # exact
    klh, kll = two_prod(e, k, e.c(_LN2_3[1]))
    s, t = two_sum(e, kh, e.add(th, th))
    s, t2 = two_sum(e, s, klh)
    s, t3 = two_sum(e, s, c3h)
    lo = e.add(
        e.add(e.add(t, t2), t3),
        e.add(e.add(kll, e.mul(k, e.c(_LN2_3[2]))), e.add(e.add(tl, tl), e.add(c3l, t5))),
    )
    return fast_two_sum(e, s, lo)


def _exp_dd_rounded(e: Any, h: V, lo: V) -> V:
    """e**(h + lo) rounded once (subnormal results too), for |h| <= 760."""
    k = e.rint(e.mul(h, e.c(1 / math.log(2))))
    rh = e.sub(h, e.mul(k, e.c(_LN2_3[0])))  # exact
    ah, al = two_prod(e, k, e.c(_LN2_3[1]))
    s, t = two_sum(e, rh, e.neg(ah))
    t = e.sub(e.sub(e.add(t, lo), al), e.mul(k, e.c(_LN2_3[2])))
    rh, rl = fast_two_sum(e, s, t)
    sh, sl = fast_two_sum(e, e.c(1.0), rh)
    r2 = e.mul(rh, rh)
    tail = e.add(
        e.add(rl, e.mul(rh, rl)), e.add(e.mul(e.c(0.5), r2), e.mul(e.mul(r2, rh), poly(e, rh, _EXP_TAIL)))
    )
    return ldexp(e, e.add(sh, e.add(sl, tail)), k)


def powf(e: Any, x: V, y: V) -> V:
    """x**y = e**(y ln|x|) in two-float arithmetic, with C99's (numpy's) special cases: x**0 = 1**y = 1,
    (-1)**+-inf = 1, a negative x to an odd integer keeps its sign, to a non-integer is NaN."""
    ax = e.fabs(x)
    lh, ll = _log_dd(e, e.sel(e.band(e.cmp("ogt", ax, e.c(0.0)), e.cmp("olt", ax, e.c(_INF))), ax, e.c(1.0)))
    zero, inf = e.cmp("oeq", ax, e.c(0.0)), e.cmp("oeq", ax, e.c(_INF))
    lh = e.sel(zero, e.c(-_INF), e.sel(inf, e.c(_INF), lh))
    ll = e.sel(e.bor(zero, inf), e.c(0.0), ll)
    finite_y = e.cmp("olt", e.fabs(y), e.c(2.0**900))  # two_prod's split needs no overflow
    ph = e.mul(lh, y)
    _, pe = two_prod(e, lh, e.sel(finite_y, y, e.c(1.0)))
    pl = e.sel(finite_y, e.add(pe, e.mul(ll, y)), e.c(0.0))
    pl = e.sel(e.cmp("oeq", lh, e.c(0.0)), e.c(0.0), pl)  # |x| == 1
    inside = e.band(e.cmp("ole", ph, e.c(720.0)), e.cmp("oge", ph, e.c(-760.0)))
    r = _exp_dd_rounded(e, e.sel(inside, ph, e.c(0.0)), e.sel(inside, pl, e.c(0.0)))
    r = e.sel(e.cmp("ogt", ph, e.c(720.0)), e.c(_INF), r)
    r = e.sel(e.cmp("olt", ph, e.c(-760.0)), e.c(0.0), r)
    y_int = e.cmp("oeq", e.floor(y), y)
    half = e.mul(y, e.c(0.5))
    odd = e.band(e.band(y_int, e.cmp("olt", e.fabs(y), e.c(2.0**53))), e.cmp("one", e.floor(half), half))
    r = e.sel(e.band(negative(e, x), odd), e.neg(r), r)
    neg_finite = e.band(e.cmp("olt", x, e.c(0.0)), e.cmp("ogt", x, e.c(-_INF)))
    bad = e.bor(e.band(neg_finite, e.bnot(y_int)), e.bor(isnan(e, x), isnan(e, y)))
    r = e.sel(bad, e.c(_NAN), r)
    one = e.bor(e.cmp("oeq", x, e.c(1.0)), e.cmp("oeq", y, e.c(0.0)))
    one = e.bor(one, e.band(e.cmp("oeq", x, e.c(-1.0)), e.cmp("oeq", e.fabs(y), e.c(_INF))))
    return e.sel(one, e.c(1.0), r)


ALGORITHMS: dict[str, Callable[..., Any]] = {
    "math.sin": sin,
    "math.cos": cos,
    "math.tan": tan,
    "math.tanh": tanh,
    "math.asin": asin,
    "math.acos": acos,
    "math.atan": atan,
    "math.atan2": atan2,
    "math.fma": fma,
    "math.powf": powf,
}
"""khal math op name -> its f64 algorithm over an emitter (`Ops` here, numpy float64 in the tests)."""


def _on_spirv(fn: Callable[..., Any]) -> Callable[..., SSAValue]:
    return lambda b, *args: fn(Ops(b), *args)


EXPANSIONS: dict[str, Callable[..., SSAValue]] = {
    "math.exp": exp,
    "math.exp2": exp2,
    "math.log": log,
    "math.log2": log2,
    **{name: _on_spirv(fn) for name, fn in ALGORITHMS.items()},
}
"""khal math op name -> its f64 expansion (the arguments are the op's operands)."""

__all__ = ["ALGORITHMS", "EXPANSIONS", "TRIG_LIMIT", "Emitter", "Ops"]
