"""`khal-expand-math`: khal's own f32 math library, as plain `arith` ops, for targets without a libm.

GLSL.std.450 (what SPIR-V offers) only approximates: Vulkan lets `sin` be off by 2^-11 absolute, `exp`
by 3 + 2|x| ulp, FMin/FMax pick either operand on NaN, and `Fma` need not be fused. The CPU target calls
libm and CUDA libdevice; this pass gives the SPIR-V target the same accuracy (<= 2 ulp of the
correctly rounded result over the whole f32 range, IEEE special cases exact) by rewriting each `math`
op on f32 (or a vector of f32) into `arith` plus the `math` ops that SPIR-V has exactly
(`sqrt fabs floor roundeven`); an op on f16 runs the same f32 algorithm between `extf` and `truncf`:

- `sin cos tan`: Cody-Waite reduction by pi/2 in four parts for |x| < 2^9; above, an exact
  Payne-Hanek reduction in 32-bit integer arithmetic (a 96-bit window of 2/pi, chosen by the exponent,
  times the 24-bit significand, in 16-bit limbs). The reduced argument is a two-float (hi + lo) and
  the kernels are minimax polynomials on [-pi/4, pi/4] (the structure of FreeBSD's k_sinf/k_cosf).
- `exp exp2`: n = rint(x / ln2) with ln2 in two parts, a minimax polynomial, and 2^n applied in two
  steps so that subnormal results are rounded once.
- `log log2`: the exponent taken by bitcast, the significand reduced to [sqrt(1/2), sqrt(2)), and
  log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)) with s = f / (2 + f) (FreeBSD's e_logf.c/e_log2f.c scheme
  and its published coefficients Lg1..Lg4).
- `tanh`: an odd polynomial below 0.625, 1 - 2 / (exp(2|x|) + 1) above, 1 beyond 9.1.
- `asin acos`: a polynomial on |x| <= 1/2; above, asin(x) = pi/2 - 2 asin(sqrt((1-x)/2)) with the
  square root as a two-float. `atan`: FreeBSD atanf's four breakpoints (1/2, 1, 3/2, inf) with
  two-part constants; `atan2` from atan(min/max) and quadrant constants in two parts.
- `powf`: exp(y log|x|) with log and exp in two-float arithmetic (as SLEEF's powf does), and C99's
  special cases (pow(x, 0) = pow(1, y) = 1, negative x with integer y, zeros and infinities).
- `rsqrt`: 1 / sqrt(x), the division corrected (< 1.5 ulp with a correctly rounded sqrt).
- `fma`: fused exactly, in f32 arithmetic: Dekker's exact product, then Boldo and Melquiond's
  correctly rounded three-term sum (round-to-odd of the two tails, then one rounding), with inputs
  scaled by powers of two so that neither the split nor the product's tail overflows or underflows.
- `arith.minimumf/maximumf` (what `ks.min/max` emit; GLSL's FMin/FMax are undefined on NaN):
  NaN-propagating compare-and-select with -0 < +0; `minnumf/maxnumf`: the non-NaN operand.

Polynomial coefficients are least-squares fits on Chebyshev nodes (scripts/fit_math_coefficients.py),
rounded to f32; the algorithms' structure follows FreeBSD msun, musl and SLEEF (read, not copied).
The arithmetic must not be reassociated: every two-float step relies on IEEE rounding of each op.
`arith` without fastmath flags promises that, but Mesa's NIR (behind naga, which drops SPIR-V's
NoContraction) rewrites `(-a) + (a + b)` to `b`: `opaque` hides the repeated operand of every
two-sum from it. Divisions whose error reaches the result go through `div` (a Newton step on the
exact residual), since Vulkan allows 2.5 ulp for OpFDiv. Vectors are expanded one component at a
time (xDSL's `arith.cmpf` gives a scalar i1 only); sin/cos/tan put the Payne-Hanek reduction under
an `scf.if`, so a GPU runs it only where |x| >= 2^9.

Each algorithm is a function of an emitter (`IREmitter` here, which builds the ops; `EXPANDED` maps
each op to its function): tests/unit/test_expand_math.py runs the very same functions on numpy float32
arrays, over millions of inputs, and through the CPU's LLVM lowering.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xdsl.context import Context
from xdsl.dialects import arith, scf, vector
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    VectorType,
    f32,
    f64,
    i1,
    i32,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

_h = float.fromhex
V = Any  # a value of the emitter: an SSA value in the pass, a numpy array in the tests
INF = math.inf
NAN = math.nan


# ---------------------------------------------------------------- the IR emitter


class IREmitter:
    """Builds `arith`/`math` ops on f32 (ints are i32; a vector type makes vector ints alike, but
    xDSL's comparisons are scalar-only, so the pass uses scalars)."""

    def __init__(self, t: Attribute) -> None:
        self.ops: list[Operation] = []
        self.f = t
        if isinstance(t, VectorType):
            self.i: Attribute = VectorType(i32, t.get_shape())
            self.b: Attribute = VectorType(i1, t.get_shape())
        else:
            self.i, self.b = i32, i1
        self._consts: dict[tuple[str, float | int], SSAValue] = {}

    def _add(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0]

    def _const(self, value: float | int, t: Attribute, elem: Attribute) -> SSAValue:
        key = (str(t), value if not (isinstance(value, float) and math.isnan(value)) else "nan")
        if key in self._consts:  # one constant per value and type: the IR stays readable
            return self._consts[key]  # type: ignore[return-value]
        if isinstance(t, VectorType):
            attr: Attribute = DenseIntOrFPElementsAttr.from_list(t, [value])
        elif isinstance(elem, Float32Type):
            attr = FloatAttr(float(value), elem)
        else:
            attr = IntegerAttr(int(value), elem)  # type: ignore[arg-type]
        result = self._add(arith.ConstantOp(attr, t))
        self._consts[key] = result  # type: ignore[index]
        return result

    def c(self, value: float) -> V:
        """An f32 constant (`value` is rounded to f32); inf and NaN as bitcasts of their bits, since
        naga refuses non-finite float literals ("Float literal is infinite")."""
        if math.isinf(value):
            return self.flt(self.ci(0x7F800000 if value > 0 else -0x800000))
        if math.isnan(value):
            return self.flt(self.ci(0x7FC00000))
        return self._const(float(value), self.f, Float32Type())

    def ci(self, value: int) -> V:
        """An i32 constant (`value` taken modulo 2^32, as a signed number)."""
        value = (value + 2**31) % 2**32 - 2**31
        return self._const(value, self.i, i32)

    def add(self, a: V, b: V) -> V:
        return self._add(arith.AddfOp(a, b))

    def sub(self, a: V, b: V) -> V:
        return self._add(arith.SubfOp(a, b))

    def mul(self, a: V, b: V) -> V:
        return self._add(arith.MulfOp(a, b))

    def div(self, a: V, b: V) -> V:
        return self._add(arith.DivfOp(a, b))

    def neg(self, a: V) -> V:
        return self._add(arith.NegfOp(a))

    def sqrt(self, a: V) -> V:
        return self._add(xmath.SqrtOp(a))

    def fabs(self, a: V) -> V:
        return self._add(xmath.AbsFOp(a))

    def rint(self, a: V) -> V:
        return self._add(xmath.RoundEvenOp(a))

    def floor(self, a: V) -> V:
        return self._add(xmath.FloorOp(a))

    def cmp(self, pred: str, a: V, b: V) -> V:
        """A float comparison (`olt`, `oeq`, `uno`, ... as `arith.cmpf`)."""
        return self._add(arith.CmpfOp(a, b, pred))

    def icmp(self, pred: str, a: V, b: V) -> V:
        return self._add(arith.CmpiOp(a, b, pred))

    def sel(self, c: V, a: V, b: V) -> V:
        return self._add(arith.SelectOp(c, a, b))

    def band(self, a: V, b: V) -> V:
        return self._add(arith.AndIOp(a, b))

    def bor(self, a: V, b: V) -> V:
        return self._add(arith.OrIOp(a, b))

    iand = band
    ior = bor

    def ixor(self, a: V, b: V) -> V:
        return self._add(arith.XOrIOp(a, b))

    def iadd(self, a: V, b: V) -> V:
        return self._add(arith.AddiOp(a, b))

    def isub(self, a: V, b: V) -> V:
        return self._add(arith.SubiOp(a, b))

    def imul(self, a: V, b: V) -> V:
        return self._add(arith.MuliOp(a, b))

    def shl(self, a: V, n: V) -> V:
        return self._add(arith.ShLIOp(a, n))

    def shr(self, a: V, n: V) -> V:
        """Logical shift right."""
        return self._add(arith.ShRUIOp(a, n))

    def sar(self, a: V, n: V) -> V:
        """Arithmetic shift right."""
        return self._add(arith.ShRSIOp(a, n))

    def branch(
        self, cond: V, then: Callable[[], tuple[V, ...]], other: Callable[[], tuple[V, ...]]
    ) -> tuple[V, ...]:
        """`then()` if cond else `other()`, as an `scf.if` (a scalar cond: the pass scalarises vectors).

        A GPU runs only the side its invocations take (both when they diverge)."""
        outer_ops, outer_consts = self.ops, self._consts
        regions, values = [], []
        for fn in (then, other):
            self.ops, self._consts = [], dict(outer_consts)  # the outer constants dominate the region
            vals = fn()
            self.ops.append(scf.YieldOp(*vals))
            regions.append(Region(Block(self.ops)))
            values.append(vals)
        self.ops, self._consts = outer_ops, outer_consts
        op = scf.IfOp(cond, [v.type for v in values[0]], regions[0], regions[1])
        self.ops.append(op)
        return tuple(op.results)

    def bits(self, a: V) -> V:
        return self._add(arith.BitcastOp(a, self.i))

    def flt(self, a: V) -> V:
        return self._add(arith.BitcastOp(a, self.f))


# ---------------------------------------------------------------- two-float building blocks


def opaque(e: Any, a: V, dep: V) -> V:
    """`a`, in a form no optimiser can prove equal to `a`: NaN when `dep` has one NaN payload (a
    `dep` that makes the whole computation NaN anyway).

    Mesa's NIR (lavapipe, RADV, ...) applies `(-a) + (a + b) -> b` and `(a + #b) + #c ->
    a + (#b + #c)` to float ops not marked exact, and SPIR-V's NoContraction does not survive naga;
    those rules turn every two-sum error into 0. They need the same SSA value (or constants) twice:
    this select on a runtime value breaks the match.
    """
    return e.sel(e.icmp("eq", e.bits(dep), e.ci(0x7FC0DEAD)), e.c(NAN), a)


def two_sum(e: Any, a: V, b: V) -> tuple[V, V]:
    """s + t == a + b exactly, s = fl(a + b) (Knuth)."""
    s = e.add(a, b)
    bb = e.sub(s, opaque(e, a, b))
    t = e.add(e.sub(opaque(e, a, b), e.sub(s, opaque(e, bb, b))), e.sub(b, bb))
    return s, t


def fast_two_sum(e: Any, a: V, b: V) -> tuple[V, V]:
    """s + t == a + b exactly when |a| >= |b| (Dekker)."""
    s = e.add(a, b)
    return s, e.sub(b, e.sub(s, opaque(e, a, b)))


def nonfinite(e: Any, a: V) -> V:
    """inf or NaN (with the comparisons every lowering has)."""
    return e.bor(e.cmp("oeq", e.fabs(a), e.c(INF)), e.cmp("uno", a, a))


def split(e: Any, a: V) -> tuple[V, V]:
    """a == h + l with h and l of at most 12 significant bits (Veltkamp; |a| < 2^115)."""
    c = e.mul(e.c(4097.0), a)
    h = e.sub(c, e.sub(c, a))
    return h, e.sub(a, h)


def two_prod(e: Any, a: V, b: V) -> tuple[V, V]:
    """p + t == a * b exactly, p = fl(a * b) (Dekker; no overflow, no underflow of t)."""
    p = e.mul(a, b)
    ah, al = split(e, a)
    bh, bl = split(e, b)
    t = e.add(e.add(e.add(e.sub(e.mul(ah, bh), p), e.mul(ah, bl)), e.mul(al, bh)), e.mul(al, bl))
    return p, t


MAGIC = _h("0x1.8p23")  # 1.5 * 2^23: adding it puts an integer of magnitude < 2^22 in the low bits


def to_int(e: Any, k: V) -> V:
    """The i32 value of an integer-valued float k, |k| < 2^22 (bit arithmetic: arith's casts are
    scalar-only in xDSL, and this needs no conversion instruction)."""
    return e.isub(e.bits(e.add(k, e.c(MAGIC))), e.ci(0x4B400000))


def to_float(e: Any, i: V) -> V:
    """An i32 of magnitude < 2^22 as a float (exact)."""
    return e.sub(e.flt(e.iadd(i, e.ci(0x4B400000))), e.c(MAGIC))


def div(e: Any, a: V, b: V) -> V:
    """a / b to within ~0.5 ulp even where the driver's division is not correctly rounded (Vulkan
    allows 2.5 ulp): one Newton step on the exact residual a - q b. Where the residual's terms could
    overflow or underflow (|a| or |b| beyond 2^+-100) the plain quotient is kept."""
    q = e.div(a, b)
    p, pe = two_prod(e, q, b)
    r = e.sub(e.sub(a, p), pe)
    refined = e.add(q, e.div(r, b))
    aa, ab = e.fabs(a), e.fabs(b)
    safe = e.band(e.cmp("ogt", aa, e.c(_h("0x1p-100"))), e.cmp("olt", aa, e.c(_h("0x1p100"))))
    safe = e.band(safe, e.band(e.cmp("ogt", ab, e.c(_h("0x1p-100"))), e.cmp("olt", ab, e.c(_h("0x1p100")))))
    return e.sel(safe, refined, q)


def poly(e: Any, x: V, coeffs: list[float]) -> V:
    """Horner's scheme: coeffs[0] + coeffs[1] x + ..."""
    r = e.c(coeffs[-1])
    for k in reversed(coeffs[:-1]):
        r = e.add(e.mul(r, x), e.c(k))
    return r


def pow2i(e: Any, n: V) -> V:
    """2^n as f32 for an i32 n in [-126, 127]."""
    return e.flt(e.shl(e.iadd(n, e.ci(127)), e.ci(23)))


def scale(e: Any, x: V, n: V) -> V:
    """x * 2^n for n in [-252, 254], in two exact steps (the second rounds a subnormal result once)."""
    n1 = e.sar(n, e.ci(1))
    return e.mul(e.mul(x, pow2i(e, n1)), pow2i(e, e.isub(n, n1)))


def isnan(e: Any, x: V) -> V:
    return e.cmp("uno", x, x)


def copysign(e: Any, x: V, s: V) -> V:
    """|x| with the sign bit of s."""
    m = e.iand(e.bits(x), e.ci(0x7FFFFFFF))
    return e.flt(e.ior(m, e.iand(e.bits(s), e.ci(-0x80000000))))


def signbit(e: Any, x: V) -> V:
    return e.icmp("slt", e.bits(x), e.ci(0))


def select_chain(e: Any, index: V, values: list[V]) -> V:
    """values[index] (an i32 index in range) as a chain of selects."""
    r = values[-1]
    for k in range(len(values) - 2, -1, -1):
        r = e.sel(e.icmp("eq", index, e.ci(k)), values[k], r)
    return r


# ---------------------------------------------------------------- exp, exp2, log, log2

LOG2E = _h("0x1.715476p0")
LN2_HI, LN2_LO = (
    _h("0x1.62E4p-1"),
    _h("0x1.7F7D1Cp-20"),
)  # ln2 in 16 + 24 bits: n * LN2_HI is exact for |n| < 2^8
LN2_LO2 = _h("0x1.EF357Ap-45")
# e^r = 1 + r + r^2 P(r) on |r| <= ln2/2
EXP_P = [
    0.5,
    0.1666666567325592,
    0.041666265577077866,
    0.00833343155682087,
    0.0013946349499747157,
    0.0001982639223570004,
]
# 2^r = 1 + r Q(r) on |r| <= 1/2
EXP2_Q = [
    0.6931471824645996,
    0.24022650718688965,
    0.055504102259874344,
    0.00961803738027811,
    0.001333407941274345,
    0.00015466917830053717,
    1.5165811419137754e-05,
]


def exp(e: Any, x: V) -> V:
    """e^x (<= 1 ulp); overflow to inf above ln(FLT_MAX), subnormal results rounded once."""
    x = e.sel(e.cmp("ogt", x, e.c(89.0)), e.c(89.0), x)  # NaN passes the clamps and propagates
    x = e.sel(e.cmp("olt", x, e.c(-104.0)), e.c(-104.0), x)
    k = e.rint(e.mul(x, e.c(LOG2E)))
    r = e.sub(e.sub(x, e.mul(k, e.c(LN2_HI))), e.mul(k, e.c(LN2_LO)))
    p = e.add(e.c(1.0), e.add(r, e.mul(e.mul(r, r), poly(e, r, EXP_P))))
    return scale(e, p, to_int(e, k))


def exp2(e: Any, x: V) -> V:
    """2^x (<= 1 ulp); exact at integers."""
    x = e.sel(e.cmp("ogt", x, e.c(129.0)), e.c(129.0), x)
    x = e.sel(e.cmp("olt", x, e.c(-152.0)), e.c(-152.0), x)
    k = e.rint(x)
    r = e.sub(x, k)  # exact
    p = e.add(e.c(1.0), e.mul(r, poly(e, r, EXP2_Q)))
    return scale(e, p, to_int(e, k))


# FreeBSD e_logf.c's published coefficients: log(1+f) = f - hfsq + s (hfsq + R(s^2)), s = f / (2 + f)
LG = [_h("0x1.555554p-1"), _h("0x1.999C26p-2"), _h("0x1.23D3DCp-2"), _h("0x1.F13C4Cp-3")]
INVLN2_HI, INVLN2_LO = _h("0x1.716p0"), -_h("0x1.7135A8p-13")  # 1/ln2 in 12 + 24 bits


def _log_reduce(e: Any, x: V) -> tuple[V, V]:
    """x = 2^k (1 + f), 1 + f in [sqrt(1/2), sqrt(2)): (float(k), f); subnormal x scaled first."""
    tiny = e.cmp("olt", x, e.c(_h("0x1p-126")))
    x = e.sel(tiny, e.mul(x, e.c(_h("0x1p25"))), x)
    ix = e.iadd(e.bits(x), e.ci(0x3F800000 - 0x3F3504F3))
    k = e.isub(e.sar(ix, e.ci(23)), e.ci(127))
    k = e.sel(tiny, e.isub(k, e.ci(25)), k)
    m = e.flt(e.iadd(e.iand(ix, e.ci(0x007FFFFF)), e.ci(0x3F3504F3)))
    return to_float(e, k), e.sub(m, e.c(1.0))


def _log1p_tail(e: Any, f: V) -> tuple[V, V]:
    """(hfsq, s (hfsq + R)): log(1+f) = f - hfsq + tail."""
    s = e.div(f, e.add(e.c(2.0), f))
    z = e.mul(s, s)
    w = e.mul(z, z)
    r = e.add(
        e.mul(z, e.add(e.c(LG[0]), e.mul(w, e.c(LG[2])))), e.mul(w, e.add(e.c(LG[1]), e.mul(w, e.c(LG[3]))))
    )
    hfsq = e.mul(e.mul(e.c(0.5), f), f)
    return hfsq, e.mul(s, e.add(hfsq, r))


def _log_specials(e: Any, x: V, r: V) -> V:
    r = e.sel(e.cmp("oeq", x, e.c(INF)), e.c(INF), r)
    r = e.sel(e.cmp("oeq", x, e.c(0.0)), e.c(-INF), r)
    return e.sel(e.bor(e.cmp("olt", x, e.c(0.0)), isnan(e, x)), e.c(NAN), r)


def log(e: Any, x: V) -> V:
    """ln x (<= 1 ulp)."""
    dk, f = _log_reduce(e, x)
    hfsq, tail = _log1p_tail(e, f)
    r = e.add(e.sub(e.add(tail, e.mul(dk, e.c(LN2_LO))), hfsq), f)
    return _log_specials(e, x, e.add(r, e.mul(dk, e.c(LN2_HI))))


def log2(e: Any, x: V) -> V:
    """log2 x (<= 1 ulp); exact at powers of two."""
    dk, f = _log_reduce(e, x)
    hfsq, tail = _log1p_tail(e, f)
    # hi + lo = f - hfsq + tail with hi of 12 bits, so hi * INVLN2_HI is exact (FreeBSD's e_log2f.c)
    hi = e.flt(e.iand(e.bits(e.sub(f, hfsq)), e.ci(-4096)))
    lo = e.add(e.sub(e.sub(f, hi), hfsq), tail)
    val_hi = e.mul(hi, e.c(INVLN2_HI))
    val_lo = e.add(e.mul(e.add(lo, hi), e.c(INVLN2_LO)), e.mul(lo, e.c(INVLN2_HI)))
    s, t = fast_two_sum(e, dk, val_hi)
    return _log_specials(e, x, e.add(s, e.add(t, val_lo)))


# ---------------------------------------------------------------- sin, cos, tan

TWO_OVER_PI = _h("0x1.45F306p-1")
# pi/2 in four parts for Cody-Waite (12 + 10 + 24 + 24 bits): q * C1 and q * C2 are exact for |q| < 2^12
PIO2_C = [_h("0x1.922p0"), -_h("0x1.2AFp-18"), _h("0x1.0B4612p-34"), -_h("0x1.676734p-60")]
PIO2_H, PIO2_L = _h("0x1.921FB6p0"), -_h("0x1.777A5Cp-25")  # pi/2 as a two-float
PI_H, PI_L = _h("0x1.921FB6p1"), -_h("0x1.777A5Cp-24")
# 2/pi, 32 bits a word, after one word of zeros (so that a window may start before the binary point)
TWO_OVER_PI_WORDS = [0, 0xA2F9836E, 0x4E441529, 0xFC2757D1, 0xF534DDC0, 0xDB629599, 0x3C439041, 0xFE5163AB]
CW_LIMIT = _h("0x1p9")  # Cody-Waite below, Payne-Hanek from here on
# sin y = y + y^3 S(y^2), cos y = 1 - y^2/2 + y^4 C(y^2), tan y = y + y^3 T(y^2) on |y| <= pi/4
SIN_S = [
    -0.1666666716337204,
    0.008333333767950535,
    -0.00019841264293063432,
    2.755536797849345e-06,
    -2.4762172756709333e-08,
]
COS_C = [
    0.0416666679084301,
    -0.0013888889225199819,
    2.480158036632929e-05,
    -2.7555518045119243e-07,
    2.064476145591243e-09,
]
TAN_T = [
    0.3333333432674408,
    0.1333332657814026,
    0.05396990478038788,
    0.021851226687431335,
    0.008975695818662643,
    0.0031814100220799446,
    0.002356004435569048,
    -0.0005437732907012105,
    0.0009408461046405137,
]


def _reduce_small(e: Any, x: V) -> tuple[V, V, V]:
    """x = q pi/2 + (yh + yl), |yh| <= pi/4, for |x| < 2^9 (Cody-Waite, pi/2 in four parts)."""
    k = e.rint(e.mul(x, e.c(TWO_OVER_PI)))
    y1 = e.sub(x, e.mul(k, e.c(PIO2_C[0])))  # exact (Sterbenz)
    s, t = two_sum(e, y1, e.neg(e.mul(k, e.c(PIO2_C[1]))))
    ph, pl = two_prod(e, k, e.c(PIO2_C[2]))
    s, t2 = two_sum(e, s, e.neg(ph))
    lo = e.sub(e.sub(e.add(t, t2), pl), e.mul(k, e.c(PIO2_C[3])))
    yh, yl = fast_two_sum(e, s, lo)
    return to_int(e, k), yh, yl


def _reduce_large(e: Any, ax: V) -> tuple[V, V, V]:
    """ax = q pi/2 + (yh + yl) for finite ax >= 2^9: an exact Payne-Hanek reduction in i32 arithmetic.

    ax = m 2^(ex-23) with m < 2^24. The bits of 2/pi at 2^-p with p <= ex - 25 add multiples of 4 to
    ax * 2/pi, so a 96-bit window W from p = ex - 24 on is enough: ax * 2/pi = m W 2^-94 (mod 4),
    with an error under 2^-70. m W mod 2^96 is computed exactly in 16-bit limbs.
    """
    b = e.bits(ax)
    ex = e.isub(e.shr(b, e.ci(23)), e.ci(127))
    ex = e.sel(e.icmp("slt", ex, e.ci(9)), e.ci(9), ex)  # the lanes that take the other path
    ex = e.sel(e.icmp("sgt", ex, e.ci(127)), e.ci(127), ex)
    m = e.ior(e.iand(b, e.ci(0x7FFFFF)), e.ci(0x800000))
    start = e.iadd(ex, e.ci(7))  # bit index of p = ex - 24 in TWO_OVER_PI_WORDS (p = 1 is bit 32)
    k = e.shr(start, e.ci(5))
    r = e.iand(start, e.ci(31))
    words_ = [e.ci(w) for w in TWO_OVER_PI_WORDS]
    w = [select_chain(e, k, words_[j : j + 5]) for j in range(4)]
    no_shift = e.icmp("eq", r, e.ci(0))
    back = e.isub(e.ci(32), r)
    win = [e.ior(e.shl(w[j], r), e.sel(no_shift, e.ci(0), e.shr(w[j + 1], back))) for j in range(3)]
    mask = e.ci(0xFFFF)
    limbs = []  # least significant first
    for word in reversed(win):
        limbs += [e.iand(word, mask), e.shr(word, e.ci(16))]
    m_limbs = [e.iand(m, mask), e.shr(m, e.ci(16))]
    cols: list[Any] = [None] * 6
    for i, ml in enumerate(m_limbs):
        for j, lj in enumerate(limbs):
            if i + j > 5:
                continue
            p = e.imul(ml, lj)  # < 2^32: exact as an unsigned i32
            for c, part in ((i + j, e.iand(p, mask)), (i + j + 1, e.shr(p, e.ci(16)))):
                if c <= 5:
                    cols[c] = part if cols[c] is None else e.iadd(cols[c], part)
    for c in range(5):
        cols[c + 1] = e.iadd(cols[c + 1], e.shr(cols[c], e.ci(16)))
        cols[c] = e.iand(cols[c], mask)
    top = e.iand(cols[5], mask)  # bits 2^1, 2^0 (the quadrant), then 14 bits of the fraction
    up = e.iand(e.shr(top, e.ci(13)), e.ci(1))  # fraction >= 1/2: round to the next quadrant
    q = e.iadd(e.shr(top, e.ci(14)), up)
    a = e.mul(to_float(e, e.iand(top, e.ci(0x3FFF))), e.c(_h("0x1p-14")))
    a = e.sel(e.icmp("ne", up, e.ci(0)), e.sub(a, e.c(1.0)), a)
    s, t = fast_two_sum(e, a, e.mul(to_float(e, cols[4]), e.c(_h("0x1p-30"))))
    s, t2 = two_sum(e, s, e.mul(to_float(e, cols[3]), e.c(_h("0x1p-46"))))
    t = e.add(e.add(t, t2), e.mul(to_float(e, cols[2]), e.c(_h("0x1p-62"))))
    ph, pl = two_prod(e, s, e.c(PIO2_H))
    pl = e.add(pl, e.add(e.mul(s, e.c(PIO2_L)), e.mul(t, e.c(PIO2_H))))
    yh, yl = fast_two_sum(e, ph, pl)
    return q, yh, yl


def _reduce_large_signed(e: Any, x: V) -> tuple[V, V, V]:
    q, yh, yl = _reduce_large(e, e.fabs(x))
    neg = e.cmp("olt", x, e.c(0.0))
    return e.sel(neg, e.isub(e.ci(0), q), q), e.sel(neg, e.neg(yh), yh), e.sel(neg, e.neg(yl), yl)


def _reduce(e: Any, x: V) -> tuple[V, V, V]:
    """(q, yh, yl): x = q pi/2 + yh + yl, |yh + yl| <= pi/4 (garbage for inf and NaN); the
    Payne-Hanek path (~200 integer ops) only runs for |x| >= 2^9."""
    large = e.cmp("oge", e.fabs(x), e.c(CW_LIMIT))
    return e.branch(large, lambda: _reduce_large_signed(e, x), lambda: _reduce_small(e, x))


def _sin_kernel(e: Any, yh: V, yl: V) -> V:
    z = e.mul(yh, yh)
    return e.add(yh, e.add(yl, e.mul(e.mul(yh, z), poly(e, z, SIN_S))))


def _cos_kernel(e: Any, yh: V, yl: V) -> V:
    # 1 - z/2 loses the low bits of z/2: (1 - w) - hz recovers them exactly (FreeBSD k_cos's trick)
    zh, zl = two_prod(e, yh, yh)
    hz = e.mul(e.c(0.5), zh)
    w = e.sub(e.c(1.0), hz)
    corr = e.sub(e.sub(opaque(e, e.c(1.0), yh), opaque(e, w, yh)), hz)
    tail = e.sub(corr, e.add(e.mul(e.c(0.5), zl), e.mul(yh, yl)))
    return e.add(w, e.add(tail, e.mul(e.mul(zh, zh), poly(e, zh, COS_C))))


def _finite_or_nan(e: Any, x: V, r: V) -> V:
    return e.sel(e.cmp("olt", e.fabs(x), e.c(INF)), r, e.c(NAN))


def _quadrant(e: Any, q: V, values: list[V]) -> V:
    return select_chain(e, e.iand(q, e.ci(3)), values)


def sin(e: Any, x: V) -> V:
    """sin x (<= 1 ulp over the whole f32 range)."""
    q, yh, yl = _reduce(e, x)
    s, c = _sin_kernel(e, yh, yl), _cos_kernel(e, yh, yl)
    r = _quadrant(e, q, [s, c, e.neg(s), e.neg(c)])
    r = e.sel(e.cmp("olt", e.fabs(x), e.c(_h("0x1p-12"))), x, r)  # sin x == x there; keeps -0 and subnormals
    return _finite_or_nan(e, x, r)


def cos(e: Any, x: V) -> V:
    """cos x (<= 1 ulp over the whole f32 range)."""
    q, yh, yl = _reduce(e, x)
    s, c = _sin_kernel(e, yh, yl), _cos_kernel(e, yh, yl)
    return _finite_or_nan(e, x, _quadrant(e, q, [c, e.neg(s), e.neg(c), s]))


def tan(e: Any, x: V) -> V:
    """tan x (<= 2 ulp); -1/tan in odd quadrants with the division corrected by its exact residual."""
    q, yh, yl = _reduce(e, x)
    z = e.mul(yh, yh)
    tail = e.mul(e.mul(yh, z), poly(e, z, TAN_T))
    t0 = e.add(yh, tail)
    # tan(yh + yl) = tan yh + yl (1 + tan^2 yh): the derivative matters near pi/4
    th, tl = fast_two_sum(e, yh, e.add(e.mul(yl, e.add(e.c(1.0), e.mul(t0, t0))), tail))
    r = e.div(e.c(-1.0), th)
    ph, pl = two_prod(e, r, th)
    err = e.add(e.add(e.c(1.0), ph), pl)  # 1 + r th, exactly up to one rounding
    cot = e.add(r, e.mul(r, e.add(err, e.mul(r, tl))))
    odd = e.icmp("ne", e.iand(q, e.ci(1)), e.ci(0))
    res = e.sel(odd, cot, e.add(th, tl))
    res = e.sel(e.cmp("olt", e.fabs(x), e.c(_h("0x1p-12"))), x, res)
    return _finite_or_nan(e, x, res)


# ---------------------------------------------------------------- atan, atan2, asin, acos, tanh

# atan t = t - t^3 A(t^2) on |t| <= 7/16; FreeBSD atanf's breakpoints with atan(c) in two parts
ATAN_A = [
    0.3333333134651184,
    -0.19999848306179047,
    0.14280353486537933,
    -0.11023955792188644,
    0.08360126614570618,
    -0.045047957450151443,
]
ATAN_HI = [0.0, _h("0x1.DAC67p-2"), _h("0x1.921FB6p-1"), _h("0x1.F730BEp-1"), _h("0x1.921FB6p0")]
ATAN_LO = [0.0, _h("0x1.586ED4p-28"), -_h("0x1.777A5Cp-26"), -_h("0x1.AFC12Cp-26"), -_h("0x1.777A5Cp-25")]
ASIN_P = [
    0.1666666716337204,
    0.07499954104423523,
    0.04465875029563904,
    0.030125897377729416,
    0.02453019842505455,
    0.007714425213634968,
    0.034425586462020874,
]
TANH_H = [
    -0.3333333432674408,
    0.13333332538604736,
    -0.05396812781691551,
    0.02186770923435688,
    -0.00884921383112669,
    0.0035270084626972675,
    -0.0012757155345752835,
    0.0003036122361663729,
]


def pick(e: Any, conds: list[V], values: list[V]) -> V:
    """values[i] for the first true conds[i], else values[-1]."""
    r = values[-1]
    for c, v in reversed(list(zip(conds, values, strict=False))):
        r = e.sel(c, v, r)
    return r


def _atan_parts(e: Any, ax: V) -> tuple[V, V]:
    """atan(ax) = hi + lo for ax >= 0 (hi a constant; NaN goes into lo)."""
    conds = [e.cmp("olt", ax, e.c(b)) for b in (7 / 16, 11 / 16, 19 / 16, 39 / 16)]
    c = pick(e, conds, [e.c(v) for v in (0.0, 0.5, 1.0, 1.5, 0.0)])
    big = e.cmp("oge", ax, e.c(39 / 16))
    num = e.sel(big, e.c(-1.0), e.sub(ax, c))  # exact (Sterbenz)
    den = e.sel(big, ax, e.add(e.c(1.0), e.mul(c, ax)))
    t = div(e, num, den)
    z = e.mul(t, t)
    lo = pick(e, conds, [e.c(v) for v in ATAN_LO])
    hi = pick(e, conds, [e.c(v) for v in ATAN_HI])
    return hi, e.add(lo, e.sub(t, e.mul(e.mul(t, z), poly(e, z, ATAN_A))))


def atan(e: Any, x: V) -> V:
    """atan x (<= 1 ulp)."""
    hi, lo = _atan_parts(e, e.fabs(x))
    return copysign(e, e.add(hi, lo), x)


def atan2(e: Any, y: V, x: V) -> V:
    """atan2(y, x) in all four quadrants, with C99's signed zeros and infinities (<= 2 ulp)."""
    ax, ay = e.fabs(x), e.fabs(y)
    swap = e.cmp("ogt", ay, ax)
    r = div(e, e.sel(swap, ax, ay), e.sel(swap, ay, ax))
    inf = e.c(INF)
    r = e.sel(e.band(e.cmp("oeq", ax, inf), e.cmp("oeq", ay, inf)), e.c(1.0), r)
    r = e.sel(e.band(e.cmp("oeq", ax, e.c(0.0)), e.cmp("oeq", ay, e.c(0.0))), e.c(0.0), r)
    hi, lo = _atan_parts(e, r)
    neg = signbit(e, x)
    # result = K +- atan(r): K = 0, pi/2 (swap) or pi (x < 0, no swap), minus when swap xor neg
    kh = e.sel(swap, e.c(PIO2_H), e.sel(neg, e.c(PI_H), e.c(0.0)))
    kl = e.sel(swap, e.c(PIO2_L), e.sel(neg, e.c(PI_L), e.c(0.0)))
    minus = e.ixor(swap, neg)
    hi = e.sel(minus, e.neg(hi), hi)
    lo = e.sel(minus, e.neg(lo), lo)
    s, t = two_sum(e, kh, hi)
    return copysign(e, e.add(s, e.add(t, e.add(kl, lo))), y)


def _asin_big(e: Any, ax: V) -> tuple[V, V]:
    """2 asin(sqrt((1 - ax)/2)) = u + ul for ax in [1/2, 1] (NaN above 1)."""
    z = e.mul(e.sub(e.c(1.0), e.fabs(ax)), e.c(0.5))  # exact
    s = e.sqrt(z)
    ph, pl = two_prod(e, s, s)
    sl = e.div(e.sub(e.sub(z, ph), pl), e.add(s, s))  # sqrt(z) = s + sl to ~2^-48
    sl = e.sel(e.cmp("oeq", z, e.c(0.0)), e.c(0.0), sl)
    u = e.add(s, s)
    ul = e.mul(e.c(2.0), e.add(sl, e.mul(e.mul(s, z), poly(e, z, ASIN_P))))
    return u, ul


def asin(e: Any, x: V) -> V:
    """asin x (<= 1 ulp); NaN outside [-1, 1]."""
    ax = e.fabs(x)
    z = e.mul(x, x)
    small = e.add(x, e.mul(e.mul(x, z), poly(e, z, ASIN_P)))
    u, ul = _asin_big(e, ax)
    h, t = two_sum(e, e.c(PIO2_H), e.neg(u))
    big = copysign(e, e.add(h, e.add(t, e.sub(e.c(PIO2_L), ul))), x)
    return e.sel(e.cmp("ole", ax, e.c(0.5)), small, big)


def acos(e: Any, x: V) -> V:
    """acos x (<= 1 ulp); NaN outside [-1, 1]."""
    ax = e.fabs(x)
    z = e.mul(x, x)
    h, t = two_sum(e, e.c(PIO2_H), e.neg(x))
    small = e.add(h, e.add(t, e.sub(e.c(PIO2_L), e.mul(e.mul(x, z), poly(e, z, ASIN_P)))))
    u, ul = _asin_big(e, ax)
    pos = e.add(u, ul)
    h, t = two_sum(e, e.c(PI_H), e.neg(u))
    neg = e.add(h, e.add(t, e.sub(e.c(PI_L), ul)))
    return e.sel(e.cmp("ole", ax, e.c(0.5)), small, e.sel(e.cmp("ogt", x, e.c(0.0)), pos, neg))


def tanh(e: Any, x: V) -> V:
    """tanh x (<= 2 ulp): a polynomial below 0.625, 1 - 2/(e^2|x| + 1) above."""
    ax = e.fabs(x)
    z = e.mul(x, x)
    small = copysign(e, e.add(x, e.mul(e.mul(x, z), poly(e, z, TANH_H))), x)  # tanh(-0) = -0
    big = e.sub(e.c(1.0), div(e, e.c(2.0), e.add(exp(e, e.add(ax, ax)), e.c(1.0))))
    big = e.sel(e.cmp("ogt", ax, e.c(9.1)), e.c(1.0), big)
    return e.sel(e.cmp("olt", ax, e.c(0.625)), small, copysign(e, big, x))


# ---------------------------------------------------------------- pow

# log(1+f) = 2t + 2t^3/3 + t^5 L(t^2), t = f / (2 + f); e^r = 1 + r + r^2/2 + r^3 E(r)
LOG_L = [
    0.4000000059604645,
    0.2857140302658081,
    0.22224533557891846,
    0.18085157871246338,
    0.17268238961696625,
]
EXP_E = [
    0.1666666716337204,
    0.0416666679084301,
    0.008333271369338036,
    0.0013888819376006722,
    0.00019915055599994957,
    2.4879082047846168e-05,
]
TWO_THIRDS_H, TWO_THIRDS_L = _h("0x1.555556p-1"), _h("-0x1.555556p-26")


def _log_df(e: Any, ax: V) -> tuple[V, V]:
    """ln(ax) = hi + lo to about 2^-44 relative, for finite ax > 0 (the structure of SLEEF's logkf)."""
    dk, f = _log_reduce(e, ax)
    dh, dl = two_sum(e, e.c(2.0), f)
    th = e.div(f, dh)
    ph, pl = two_prod(e, th, dh)
    tl = e.div(e.sub(e.sub(e.sub(f, ph), pl), e.mul(th, dl)), dh)  # t = th + tl
    zh, zl = two_prod(e, th, th)
    zl = e.add(zl, e.mul(e.c(2.0), e.mul(th, tl)))
    ch, cl = two_prod(e, zh, th)  # t^3
    cl = e.add(cl, e.add(e.mul(zl, th), e.mul(zh, tl)))
    c3h, c3l = two_prod(e, ch, e.c(TWO_THIRDS_H))
    c3l = e.add(c3l, e.add(e.mul(cl, e.c(TWO_THIRDS_H)), e.mul(ch, e.c(TWO_THIRDS_L))))
    t5 = e.mul(e.mul(ch, zh), poly(e, zh, LOG_L))
    kh = e.mul(dk, e.c(LN2_HI))  # exact
    klh, kll = two_prod(e, dk, e.c(LN2_LO))
    s, t = two_sum(e, kh, e.add(th, th))
    s, t2 = two_sum(e, s, klh)
    s, t3 = two_sum(e, s, c3h)
    lo = e.add(
        e.add(e.add(t, t2), t3),
        e.add(e.add(kll, e.mul(dk, e.c(LN2_LO2))), e.add(e.add(tl, tl), e.add(c3l, t5))),
    )
    return fast_two_sum(e, s, lo)


def _exp_df(e: Any, h: V, lo: V) -> V:
    """e^(h + lo) rounded once (|h| <= 104)."""
    k = e.rint(e.mul(h, e.c(LOG2E)))
    rh = e.sub(h, e.mul(k, e.c(LN2_HI)))  # exact
    ah, al = two_prod(e, k, e.c(LN2_LO))
    s, t = two_sum(e, rh, e.neg(ah))
    t = e.sub(e.sub(e.add(t, lo), al), e.mul(k, e.c(LN2_LO2)))
    rh, rl = fast_two_sum(e, s, t)
    sh, sl = fast_two_sum(e, e.c(1.0), rh)
    r2 = e.mul(rh, rh)
    tail = e.add(
        e.add(rl, e.mul(rh, rl)), e.add(e.mul(e.c(0.5), r2), e.mul(e.mul(r2, rh), poly(e, rh, EXP_E)))
    )
    return scale(e, e.add(sh, e.add(sl, tail)), to_int(e, k))


def powf(e: Any, x: V, y: V) -> V:
    """x^y = e^(y ln|x|) in two-float arithmetic (<= 1 ulp), with C99's special cases."""
    ax = e.fabs(x)
    lh, ll = _log_df(e, ax)
    zero, inf = e.cmp("oeq", ax, e.c(0.0)), e.cmp("oeq", ax, e.c(INF))
    lh = e.sel(zero, e.c(-INF), e.sel(inf, e.c(INF), lh))
    ll = e.sel(e.bor(zero, inf), e.c(0.0), ll)
    ph, pl = two_prod(e, lh, y)
    pl = e.add(pl, e.mul(ll, y))
    # |x| == 1: the split of a huge y overflows, but x^y is +-1 whatever y is
    pl = e.sel(e.cmp("oeq", lh, e.c(0.0)), e.c(0.0), pl)
    h = e.sel(e.cmp("ogt", ph, e.c(89.0)), e.c(89.0), ph)
    h = e.sel(e.cmp("olt", h, e.c(-104.0)), e.c(-104.0), h)
    r = _exp_df(e, h, pl)
    r = e.sel(e.cmp("ogt", ph, e.c(89.0)), e.c(INF), r)  # the product's tail is NaN when ph is infinite
    r = e.sel(e.cmp("olt", ph, e.c(-104.0)), e.c(0.0), r)
    y_int = e.cmp("oeq", e.floor(y), y)
    half = e.mul(y, e.c(0.5))
    odd = e.band(e.band(y_int, e.cmp("olt", e.fabs(y), e.c(_h("0x1p24")))), e.cmp("une", e.floor(half), half))
    r = e.sel(e.band(signbit(e, x), odd), e.neg(r), r)
    neg_finite = e.band(e.cmp("olt", x, e.c(0.0)), e.cmp("ogt", x, e.c(-INF)))
    r = e.sel(
        e.bor(e.band(neg_finite, e.cmp("une", e.floor(y), y)), e.bor(isnan(e, x), isnan(e, y))), e.c(NAN), r
    )
    one = e.bor(e.cmp("oeq", x, e.c(1.0)), e.cmp("oeq", y, e.c(0.0)))
    one = e.bor(one, e.band(e.cmp("oeq", x, e.c(-1.0)), e.cmp("oeq", e.fabs(y), e.c(INF))))
    return e.sel(one, e.c(1.0), r)


# ---------------------------------------------------------------- fma, rsqrt, min/max


def _round_to_odd_sum(e: Any, a: V, b: V) -> V:
    """a + b rounded to odd: truncated, with the last bit set when inexact (Boldo and Melquiond)."""
    s, t = two_sum(e, a, b)
    bs = e.bits(s)
    even = e.icmp("eq", e.iand(bs, e.ci(1)), e.ci(0))
    inexact = e.cmp("one", t, e.c(0.0))
    step = e.sel(e.ixor(signbit(e, s), signbit(e, t)), e.ci(-1), e.ci(1))  # same signs: grow |s|
    return e.sel(e.band(even, inexact), e.flt(e.iadd(bs, step)), s)


def _frexp(e: Any, x: V) -> tuple[V, V]:
    """(m, n) with x = m 2^n, |m| in [1, 2), for finite nonzero x (subnormals too)."""
    sub = e.cmp("olt", e.fabs(x), e.c(_h("0x1p-126")))
    x1 = e.sel(sub, e.mul(x, e.c(_h("0x1p64"))), x)
    b = e.bits(x1)
    n = e.isub(e.iand(e.shr(b, e.ci(23)), e.ci(0xFF)), e.sel(sub, e.ci(127 + 64), e.ci(127)))
    m = e.flt(e.ior(e.iand(b, e.ci(-0x7F800001)), e.ci(0x3F800000)))
    return m, n


def _clamp_i(e: Any, n: V, lo: int, hi: int) -> V:
    n = e.sel(e.icmp("slt", n, e.ci(lo)), e.ci(lo), n)
    return e.sel(e.icmp("sgt", n, e.ci(hi)), e.ci(hi), n)


def ldexp(e: Any, x: V, n: V) -> V:
    """x 2^n rounded once, for any i32 n (x normalised first, then at most one inexact step)."""
    m, ex = _frexp(e, x)
    total = e.iadd(n, ex)
    s1 = _clamp_i(e, total, -126, 127)
    s2 = _clamp_i(e, e.isub(total, s1), -126, 127)
    r = e.mul(e.mul(m, pow2i(e, s1)), pow2i(e, s2))
    return e.sel(e.cmp("oeq", x, e.c(0.0)), x, r)


def fma(e: Any, a: V, b: V, c: V) -> V:
    """a b + c rounded once, in f32 arithmetic: Dekker's exact product, then the correctly rounded sum
    of three floats by rounding to odd (Boldo and Melquiond 2008, "Emulation of FMA and correctly
    rounded sums: proved algorithms using rounding to odd"). a and b are normalised to [1, 2) and c
    scaled by the inverse power of two, so nothing overflows or underflows; far below a b, c only acts
    as a sticky bit; far above, it is the result. A subnormal result is rounded to odd first, then
    once to its precision: exact below 2^-127 (in [2^-127, 2^-126) a tie can be off by one ulp)."""
    ma, ea = _frexp(e, a)
    mb, eb = _frexp(e, b)
    k = e.iadd(ea, eb)
    c2 = ldexp(e, c, e.isub(e.ci(0), k))
    lost = e.band(e.cmp("oeq", c2, e.c(0.0)), e.cmp("one", c, e.c(0.0)))
    c2 = e.sel(lost, copysign(e, e.c(_h("0x1p-149")), c), c2)  # keep c's sign as the sticky bit
    uh, ul = two_prod(e, ma, mb)
    th, tl = two_sum(e, c2, uh)
    v = _round_to_odd_sum(e, tl, ul)
    r = ldexp(e, e.add(th, v), k)
    r_odd = ldexp(e, _round_to_odd_sum(e, th, v), k)
    r = e.sel(e.cmp("olt", e.fabs(r), e.c(_h("0x1p-126"))), r_odd, r)
    r = e.sel(e.cmp("oeq", e.fabs(c2), e.c(INF)), c, r)
    inf = e.c(INF)
    nonfinite_ab = e.bor(nonfinite(e, a), nonfinite(e, b))
    c_inf = e.cmp("oeq", e.fabs(c), inf)
    plain = e.add(e.mul(a, b), c)  # right wherever a, b or c is 0, inf or NaN, except when c is
    plain = e.sel(
        e.bor(nonfinite_ab, e.cmp("uno", c, c)), plain, e.sel(c_inf, c, plain)
    )  # inf, a b overflows
    ab_zero = e.bor(e.cmp("oeq", a, e.c(0.0)), e.cmp("oeq", b, e.c(0.0)))
    special = e.bor(e.bor(nonfinite_ab, ab_zero), nonfinite(e, c))
    return e.sel(special, plain, r)


def fma_of_halves(e: Any, a: V, b: V, c: V) -> V:
    """a b + c for f16 values held in f32, rounded to odd in f32 so that one more rounding to f16 is
    the correctly rounded fma (p + 2 bits suffice: Boldo and Melquiond). a b is exact in f32 (22
    bits, no overflow) and two_sum's tail is exact; inf and NaN pass through fl(a b + c)."""
    return _round_to_odd_sum(e, e.mul(a, b), c)


def rsqrt(e: Any, x: V) -> V:
    """1 / sqrt(x), within 1.5 ulp even where the driver's sqrt is not correctly rounded (Vulkan only
    asks for about 3 ulp, and the H200's driver gave 3.4 ulp): the sqrt gets one Newton step on the
    exact residual x - s s (where s s cannot overflow or underflow), then the division is corrected;
    rsqrt(+-0) = +-inf, rsqrt(inf) = 0, NaN for x < 0."""
    s = e.sqrt(x)
    p, pe = two_prod(e, s, s)
    refined = e.add(s, e.div(e.sub(e.sub(x, p), pe), e.add(s, s)))
    ax = e.fabs(x)
    safe = e.band(e.cmp("ogt", ax, e.c(_h("0x1p-100"))), e.cmp("olt", ax, e.c(_h("0x1p100"))))
    return div(e, e.c(1.0), e.sel(safe, refined, s))


def minimum(e: Any, a: V, b: V, is_min: bool) -> V:
    """IEEE 754-2019 minimum/maximum (`arith.minimumf/maximumf`, numpy's): NaN if either is NaN,
    and -0 < +0."""
    lt = e.cmp("olt", a, b) if is_min else e.cmp("ogt", a, b)
    # equal operands: the one with the sign bit (min) or without (max); bitwise or/and of the two
    ab, bb = e.bits(a), e.bits(b)
    tie = e.flt(e.ior(ab, bb) if is_min else e.iand(ab, bb))
    r = e.sel(lt, a, e.sel(e.cmp("oeq", a, b), tie, b))
    return e.sel(e.cmp("uno", a, b), e.add(a, b), r)


def minnum(e: Any, a: V, b: V, is_min: bool) -> V:
    """IEEE 754-2008 minNum/maxNum (`arith.minnumf/maxnumf`): the other operand when one is NaN."""
    r = minimum(e, a, b, is_min)
    return e.sel(isnan(e, a), b, e.sel(isnan(e, b), a, r))


# ---------------------------------------------------------------- the pass

_UNARY: dict[type[Operation], Callable[..., V]] = {
    xmath.SinOp: sin,
    xmath.CosOp: cos,
    xmath.TanOp: tan,
    xmath.ExpOp: exp,
    xmath.Exp2Op: exp2,
    xmath.LogOp: log,
    xmath.Log2Op: log2,
    xmath.TanhOp: tanh,
    xmath.AsinOp: asin,
    xmath.AcosOp: acos,
    xmath.AtanOp: atan,
    xmath.RsqrtOp: rsqrt,
}
_BINARY: dict[type[Operation], Callable[..., V]] = {
    xmath.Atan2Op: atan2,
    xmath.PowFOp: powf,
    arith.MinimumfOp: lambda e, a, b: minimum(e, a, b, True),
    arith.MaximumfOp: lambda e, a, b: minimum(e, a, b, False),
    arith.MinnumfOp: lambda e, a, b: minnum(e, a, b, True),
    arith.MaxnumfOp: lambda e, a, b: minnum(e, a, b, False),
}
_TERNARY: dict[type[Operation], Callable[..., V]] = {xmath.FmaOp: fma}
EXPANDED: dict[type[Operation], Callable[..., V]] = {**_UNARY, **_BINARY, **_TERNARY}
"""Every op this pass rewrites (on f32, f16 and their vectors), with the f32 algorithm it becomes."""


def _minimum_f64(e: IREmitter, a: SSAValue, b: SSAValue, is_min: bool, num: bool = False) -> SSAValue:
    """`minimum` (or with `num`, `minnum`) on f64, in f64 ops: GLSL's FMin/FMax are as undefined on
    NaN for f64 as for f32, and the tie of two zeros needs no bitcast (an i64 would need an adapter
    feature): max(+-0, +-0) = a + b is -0 only if both are, min = -((-a) + (-b)) +0 only if both are."""
    add = e._add
    zero = add(arith.ConstantOp(FloatAttr(0.0, f64), f64))
    lt = add(arith.CmpfOp(a, b, "olt" if is_min else "ogt"))
    if is_min:
        both = add(arith.NegfOp(add(arith.AddfOp(add(arith.NegfOp(a)), add(arith.NegfOp(b))))))
    else:
        both = add(arith.AddfOp(a, b))
    tie = add(arith.SelectOp(add(arith.CmpfOp(a, zero, "oeq")), both, a))
    r = add(arith.SelectOp(lt, a, add(arith.SelectOp(add(arith.CmpfOp(a, b, "oeq")), tie, b))))
    r = add(arith.SelectOp(add(arith.CmpfOp(a, b, "uno")), add(arith.AddfOp(a, b)), r))
    if not num:
        return r
    r = add(arith.SelectOp(add(arith.CmpfOp(b, b, "uno")), a, r))
    return add(arith.SelectOp(add(arith.CmpfOp(a, a, "uno")), b, r))


F64_EXPANDED: dict[type[Operation], Callable[..., SSAValue]] = {
    arith.MinimumfOp: lambda e, a, b: _minimum_f64(e, a, b, True),
    arith.MaximumfOp: lambda e, a, b: _minimum_f64(e, a, b, False),
    arith.MinnumfOp: lambda e, a, b: _minimum_f64(e, a, b, True, num=True),
    arith.MaxnumfOp: lambda e, a, b: _minimum_f64(e, a, b, False, num=True),
}
"""The f64 ops this pass rewrites: NaN-propagating min/max (f64 math is the SPIR-V lowering's)."""
F16_ONLY: dict[type[Operation], Callable[..., V]] = {arith.DivfOp: lambda e, a, b: e._add(arith.DivfOp(a, b))}
"""Ops rewritten on f16 only: the H200's Vulkan driver divides f16 3 ulp off (Vulkan allows 2.5); an f32
division (2.5 f32 ulp at worst) rounded to f16 is correctly rounded but for quotients within a few f32
ulp of an f16 midpoint, and then 1 f16 ulp off at most."""
F16_EXPANDED: dict[type[Operation], Callable[..., V]] = {**EXPANDED, xmath.FmaOp: fma_of_halves, **F16_ONLY}
"""The f32 algorithm of each op on f16 (between `extf` and `truncf`)."""


def _is_f32(t: Attribute) -> bool:
    return isinstance(t.element_type if isinstance(t, VectorType) else t, Float32Type)


def _is_f16(t: Attribute) -> bool:
    return isinstance(t.element_type if isinstance(t, VectorType) else t, Float16Type)


class ExpandMathPattern(RewritePattern):
    """One `math` (or NaN-sensitive `arith` min/max) op on f32 into its algorithm's `arith` ops.

    f16 goes through f32: GLSL's f16 functions are as loose as its f32 ones. Each operand is extended
    exactly, the f32 algorithm runs, and the result is rounded once more to f16 (min/max stay exact;
    fma rounds the exact f32 product plus c to odd first, so that the second rounding is correct)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        t = op.results[0].type if op.results else None
        algorithm = EXPANDED.get(type(op)) or (F16_ONLY.get(type(op)) if t and _is_f16(t) else None)
        if algorithm is None or t is None:
            return
        elem = t.element_type if isinstance(t, VectorType) else t
        if not (_is_f32(t) or _is_f16(t) or (elem == f64 and type(op) in F64_EXPANDED)):
            return
        emitter = IREmitter(f32)

        def lane(args: list[SSAValue]) -> SSAValue:
            if elem == f32:
                return algorithm(emitter, *args)
            if elem == f64:
                return F64_EXPANDED[type(op)](emitter, *args)
            wide = [emitter._add(arith.ExtFOp(a, f32)) for a in args]
            return emitter._add(arith.TruncFOp(F16_EXPANDED[type(op)](emitter, *wide), elem))

        if not isinstance(t, VectorType):
            rewriter.replace(op, emitter.ops, [lane(list(op.operands))])
            return
        # xDSL's arith.cmpf/cmpi give a scalar i1 only: a vector goes one component at a time
        lanes = []
        for i in range(t.get_shape()[0]):
            lanes.append(lane([emitter._add(vector.ExtractOp(v, [i], elem)) for v in op.operands]))
        result = emitter._add(vector.BroadcastOp(lanes[0], t))
        for i, value in enumerate(lanes[1:], 1):
            result = emitter._add(vector.InsertOp(value, result, [i]))
        rewriter.replace(op, emitter.ops, [result])


class NonFiniteConstantPattern(RewritePattern):
    """An f32 inf or NaN constant as a bitcast of its bits: naga refuses non-finite float literals
    (`isinf`'s comparison, or hand-written IR, would otherwise not load on wgpu)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, arith.ConstantOp) or not _is_f32(op.result.type):
            return
        attr = op.value
        if isinstance(attr, FloatAttr):
            values = [attr.value.data]
        elif isinstance(attr, DenseIntOrFPElementsAttr):
            values = [float(v) for v in attr.get_values()]
        else:
            return
        if all(math.isfinite(v) for v in values):
            return
        t = op.result.type
        int_t = VectorType(i32, t.get_shape()) if isinstance(t, VectorType) else i32
        bits = [int.from_bytes(struct.pack("<f", v), "little", signed=True) for v in values]
        if isinstance(t, VectorType):
            int_attr: Attribute = DenseIntOrFPElementsAttr.from_list(int_t, bits)  # type: ignore[arg-type]
        else:
            int_attr = IntegerAttr(bits[0], i32)
        const = arith.ConstantOp(int_attr, int_t)
        rewriter.replace(op, [const, cast := arith.BitcastOp(const.result, t)], [cast.result])


@dataclass(frozen=True)
class ExpandMathPass(ModulePass):
    """Rewrite f32/f16 transcendental `math` ops, fma and NaN-propagating min/max into accurate `arith`."""

    name = "khal-expand-math"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(ExpandMathPattern(), apply_recursively=False).rewrite_module(op)
        # the algorithms' own inf/NaN constants are bitcasts already; this catches everyone else's
        PatternRewriteWalker(NonFiniteConstantPattern(), apply_recursively=False).rewrite_module(op)
