"""`NumpyEmitter`: the emitter interface of `khal.passes.expand_math`, on numpy float32/int32 arrays.

numpy's float32 operations are IEEE single precision, rounded once each, as `arith` on SPIR-V and
LLVM is: running the pass's algorithms on it measures their accuracy over millions of inputs in a
second, without compiling anything.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

F, I32, U = np.float32, np.int32, np.uint32

_FCMP = {
    "olt": np.less,
    "ole": np.less_equal,
    "ogt": np.greater,
    "oge": np.greater_equal,
    "oeq": np.equal,
}
_ICMP = {
    "eq": np.equal,
    "ne": np.not_equal,
    "slt": np.less,
    "sle": np.less_equal,
    "sgt": np.greater,
    "sge": np.greater_equal,
}


def _i(a: Any) -> np.ndarray:
    return np.asarray(a, I32)


def _u64(a: Any) -> np.ndarray:
    return _i(a).view(U).astype(np.uint64)


def _wrap(a: np.ndarray) -> np.ndarray:
    return (a & 0xFFFFFFFF).astype(U).view(I32)


class NumpyEmitter:
    """The methods of `IREmitter`, evaluated at once on arrays."""

    def c(self, v: float) -> Any:
        return F(v)

    def ci(self, v: int) -> Any:
        return I32((v + 2**31) % 2**32 - 2**31)

    def add(self, a: Any, b: Any) -> Any:
        return np.add(a, b, dtype=F)

    def sub(self, a: Any, b: Any) -> Any:
        return np.subtract(a, b, dtype=F)

    def mul(self, a: Any, b: Any) -> Any:
        return np.multiply(a, b, dtype=F)

    def div(self, a: Any, b: Any) -> Any:
        return np.divide(a, b, dtype=F)

    def neg(self, a: Any) -> Any:
        return np.negative(a, dtype=F)

    def sqrt(self, a: Any) -> Any:
        return np.sqrt(a, dtype=F)

    def fabs(self, a: Any) -> Any:
        return np.abs(np.asarray(a, F))

    def rint(self, a: Any) -> Any:
        return np.rint(np.asarray(a, F))

    def floor(self, a: Any) -> Any:
        return np.floor(np.asarray(a, F))

    def cmp(self, pred: str, a: Any, b: Any) -> Any:
        a, b = np.asarray(a, F), np.asarray(b, F)
        if pred == "uno":
            return np.isnan(a) | np.isnan(b)
        if pred == "one":
            return (a != b) & ~np.isnan(a) & ~np.isnan(b)
        if pred == "une":
            return a != b
        return _FCMP[pred](a, b)

    def icmp(self, pred: str, a: Any, b: Any) -> Any:
        return _ICMP[pred](_i(a), _i(b))

    def sel(self, c: Any, a: Any, b: Any) -> Any:
        return np.where(c, a, b)

    def band(self, a: Any, b: Any) -> Any:
        return np.bitwise_and(a, b)

    def bor(self, a: Any, b: Any) -> Any:
        return np.bitwise_or(a, b)

    iand = band
    ior = bor

    def ixor(self, a: Any, b: Any) -> Any:
        return np.bitwise_xor(a, b)

    def iadd(self, a: Any, b: Any) -> Any:
        return _wrap(_u64(a) + _u64(b))

    def isub(self, a: Any, b: Any) -> Any:
        return _wrap(_u64(a) - _u64(b))

    def imul(self, a: Any, b: Any) -> Any:
        return _wrap(_u64(a) * _u64(b))

    def shl(self, a: Any, n: Any) -> Any:
        return _wrap(_u64(a) << (_u64(n) & 31))

    def shr(self, a: Any, n: Any) -> Any:
        return _wrap(_u64(a) >> (_u64(n) & 31))

    def sar(self, a: Any, n: Any) -> Any:
        return (_i(a) >> (_i(n) & 31)).astype(I32)

    def branch(self, cond: Any, then: Any, other: Any) -> tuple[Any, ...]:
        """Both sides, picked per element."""
        return tuple(np.where(cond, t, o) for t, o in zip(then(), other(), strict=True))

    def bits(self, a: Any) -> Any:
        return np.asarray(a, F).view(I32)

    def flt(self, a: Any) -> Any:
        return _i(a).view(F)


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in float32 ulps (0 when both are NaN, 2^40 when only one is)."""

    def ordered(x: np.ndarray) -> np.ndarray:
        i = np.asarray(x, F).view(I32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)

    a, b = np.asarray(a, F), np.asarray(b, F)
    d = np.abs(ordered(a) - ordered(b))
    return np.where(np.isnan(a) & np.isnan(b), 0, np.where(np.isnan(a) ^ np.isnan(b), 2**40, d))


def exact_fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """fma in float32, correctly rounded: a b is exact in float64, the sum is rounded to odd at 53 bits,
    then to nearest at 24 bits (53 >= 2 * 24 + 2 makes the double rounding innocuous)."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):
        p = a * b
        s = p + c
        bb = s - p
        err = (p - (s - bb)) + (c - bb)
        bits = s.view(np.int64)
        fix = (err != 0) & ((bits & 1) == 0) & np.isfinite(s)
        step = np.where((err > 0) == (s > 0), 1, -1)
        s = np.where(fix, (bits + step).view(np.float64), s)
        return s.astype(F)


SPECIALS = np.array(
    [
        0.0,
        -0.0,
        np.inf,
        -np.inf,
        np.nan,
        1e-40,
        -1e-40,
        1.4e-45,
        -1.4e-45,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.5,
        -2.5,
        1e30,
        -1e30,
        3.4028235e38,
        -3.4028235e38,
        1.1754944e-38,
        16367173 * 2.0**72,
        8.0,
        0.25,
        88.72284,
        89.0,
        -103.97,
        -150.0,
        128.0,
        2.0**-12,
        2.0**9,
    ],
    F,
)


def random_floats(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    """SPECIALS, n uniform in [lo, hi], n uniform over all finite bit patterns, n denormals."""
    bits = rng.integers(0, 2**32, n, dtype=np.uint64).astype(U).view(F)
    tiny = (rng.uniform(-1, 1, n) * 2.0**-126).astype(F)
    return np.concatenate([SPECIALS, rng.uniform(lo, hi, n).astype(F), bits[np.isfinite(bits)], tiny])


class NumpyEmitter64(NumpyEmitter):
    """The emitter interface of `khal.passes.spirv_f64_math`'s algorithms, on numpy float64/int64."""

    def c(self, v: float) -> Any:
        return np.float64(v)

    def ci(self, v: int) -> Any:
        return np.int64((v + 2**63) % 2**64 - 2**63)

    def add(self, a: Any, b: Any) -> Any:
        return np.add(a, b, dtype=np.float64)

    def sub(self, a: Any, b: Any) -> Any:
        return np.subtract(a, b, dtype=np.float64)

    def mul(self, a: Any, b: Any) -> Any:
        return np.multiply(a, b, dtype=np.float64)

    def div(self, a: Any, b: Any) -> Any:
        return np.divide(a, b, dtype=np.float64)

    def neg(self, a: Any) -> Any:
        return np.negative(a, dtype=np.float64)

    def sqrt(self, a: Any) -> Any:
        return np.sqrt(a, dtype=np.float64)

    def fabs(self, a: Any) -> Any:
        return np.abs(np.asarray(a, np.float64))

    def rint(self, a: Any) -> Any:
        return np.rint(np.asarray(a, np.float64))

    def floor(self, a: Any) -> Any:
        return np.floor(np.asarray(a, np.float64))

    def cmp(self, pred: str, a: Any, b: Any) -> Any:
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        if pred == "uno":
            return np.isnan(a) | np.isnan(b)
        if pred == "one":
            return (a != b) & ~np.isnan(a) & ~np.isnan(b)
        return _FCMP[pred](a, b)

    def bnot(self, a: Any) -> Any:
        return np.logical_not(a)

    def icmp(self, pred: str, a: Any, b: Any) -> Any:
        return _ICMP[pred](np.asarray(a, np.int64), np.asarray(b, np.int64))

    def iadd(self, a: Any, b: Any) -> Any:
        return np.asarray(a, np.int64) + np.asarray(b, np.int64)

    def isub(self, a: Any, b: Any) -> Any:
        return np.asarray(a, np.int64) - np.asarray(b, np.int64)

    def imul(self, a: Any, b: Any) -> Any:
        u = np.multiply(np.asarray(a, np.int64).view(np.uint64), np.asarray(b, np.int64).view(np.uint64))
        return u.view(np.int64)

    def shl(self, a: Any, n: Any) -> Any:
        return np.left_shift(np.asarray(a, np.int64), np.asarray(n, np.int64))

    def shr(self, a: Any, n: Any) -> Any:
        u = np.atleast_1d(np.asarray(a, np.int64)).view(np.uint64)
        r = np.right_shift(u, np.asarray(n, np.int64).astype(np.uint64)).view(np.int64)
        return r if np.ndim(a) or np.ndim(n) else r[0]

    def bits(self, a: Any) -> Any:
        return np.asarray(a, np.float64).view(np.int64)

    def flt(self, a: Any) -> Any:
        return np.asarray(a, np.int64).view(np.float64)

    def itof(self, a: Any) -> Any:
        return np.asarray(a, np.int64).astype(np.float64)

    def ftoi(self, a: Any) -> Any:
        return np.asarray(a, np.float64).astype(np.int64)


def ulp_distance64(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in float64 ulps (0 when both are NaN, 2^60 when only one is)."""

    def ordered(x: np.ndarray) -> np.ndarray:
        i = np.asarray(x, np.float64).view(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFFFFFFFFFF), i).astype(object)

    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d = np.abs(ordered(a) - ordered(b)).astype(np.float64)
    return np.where(np.isnan(a) & np.isnan(b), 0, np.where(np.isnan(a) ^ np.isnan(b), 2.0**60, d))


def exact_fma64(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a b + c in float64, rounded once (Fractions; Python 3.11 has no math.fma): IEEE's special
    cases from numpy's unfused a * b + c, except that a finite a b with an infinite c gives c."""
    a, b, c = (
        np.broadcast_to(np.asarray(v, np.float64), np.broadcast(a, b, c).shape).ravel() for v in (a, b, c)
    )
    out = np.empty(a.shape)
    for i, (x, y, z) in enumerate(zip(a.tolist(), b.tolist(), c.tolist(), strict=True)):
        with np.errstate(all="ignore"):
            plain = float(np.float64(x) * y + z)
        if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
            out[i] = z if math.isfinite(x) and math.isfinite(y) and math.isinf(z) else plain
            continue
        exact = Fraction(x) * Fraction(y) + Fraction(z)
        if exact == 0:
            out[i] = plain  # the sign of an exact zero as IEEE (and one rounding) give it
            continue
        try:
            out[i] = float(exact)  # int / int: correctly rounded, subnormals included
        except OverflowError:
            out[i] = math.inf if exact > 0 else -math.inf
    return out
