"""f64 `exp`, `exp2`, `log`, `log2` and `pow` for `convert-khal-to-spirv`, in f64 arithmetic.

GLSL.std.450 defines Exp, Log, Pow & co. only for 16/32-bit floats, so an f64 kernel needs its own.
These are the classic fdlibm-style reductions, written with ops naga and Vulkan take for f64 (FMul,
Fma, RoundEven, selects): results within a few ulps of numpy's (pow: within about 3 |y log x| ulps).
The other transcendental functions (sin, cos, tan, tanh, asin, acos, atan, atan2) compute in f32.

exp(x):  n = round(x / ln 2), r = x - n ln2_hi (exact), e^r by its Taylor series to r^13 (error below
         2**-60), times 2**n (exact multiplications), times e^-(n ln2_lo) = 1 - d + d^2 / 2.
log(x):  x = m 2**e with m in [sqrt(1/2), sqrt(2)) found by halving/doubling with powers of two (exact;
         naga has no usable frexp), f = m - 1, s = f / (2 + f), log(1 + f) = 2 atanh(s) by its series.
Edge values follow IEEE (and numpy): exp(+-inf) = inf / 0, exp overflows to inf, log(0) = -inf,
log(x < 0) = NaN, NaN in gives NaN out.
"""

from __future__ import annotations

import math
import struct
from typing import Protocol

from xdsl.dialects.builtin import (
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    i32,
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


def pow(b: Emitter, x: SSAValue, y: SSAValue) -> SSAValue:
    """x**y = exp(y log x) in f64 (as GLSL's Pow: NaN for x < 0); C99's x**0 == 1**y == 1, even for a
    NaN or infinite y (where y log 1 would be NaN)."""
    result = exp(b, _op(b, spirv.FMulOp(y, log(b, x))))
    zero = _op(b, spirv.FOrdEqualOp(y, _c(b, 0.0)))
    one = _op(b, spirv.FOrdEqualOp(x, _c(b, 1.0)))
    return _select(b, _op(b, spirv.LogicalOrOp(zero, one)), _c(b, 1.0), result)


EXPANSIONS = {"math.exp": exp, "math.exp2": exp2, "math.log": log, "math.log2": log2, "math.powf": pow}
"""khal math op name -> its f64 expansion (the arguments are the op's operands)."""

__all__ = ["EXPANSIONS", "Emitter"]
