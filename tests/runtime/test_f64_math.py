"""The f64 functions SPIR-V has no instruction for (sin cos tan tanh asin acos atan atan2 pow fma, and
Python's `//` and `%`), run on WebGPU against numpy: within 2 ulp of the correctly rounded result (x87
long double references), exact for fma (Fractions), `//` and `%` (numpy's floor_divide/remainder), over
wide random inputs and IEEE special values. sin/cos/tan over the whole f64 range: both reductions
(Cody-Waite below `spirv_f64_math.TRIG_LIMIT`, Payne-Hanek from it on) and the hardest argument."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
from f64_math_kernels import UNARY_F64, f64_binary, f64_fma, f64_unary

import khal
from khal.passes.spirv_f64_math import TRIG_LIMIT
from khal.runtime.select import available_backends

pytestmark = pytest.mark.skipif("webgpu" not in available_backends(), reason="no WebGPU adapter")

LD = np.longdouble
SPECIALS = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1e-310, -1e-310, 2.2250738585072014e-308,
     1.0, -1.0, 0.5, -0.5, 1.0000000000000002, -1.0000000000000002, 0.9999999999999999, 22.0, -22.0,
     np.pi / 2, -np.pi / 2, np.pi, 1e300, -1e300, 1.7976931348623157e308, 2.0**-30, 3.0],
)  # fmt: skip
REFERENCE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
}


@pytest.fixture(scope="module")
def webgpu() -> khal.Backend:
    from conftest import get_backend

    return get_backend("webgpu")


def ulp_error(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|got - ref| in ulps of the correctly rounded result (ref in long double); 0 where both are the
    same float or both NaN, inf where exactly one is NaN or an infinity differs."""
    rounded = ref.astype(np.float64)
    with np.errstate(all="ignore"):
        d = np.abs(got.astype(LD) - ref) / np.spacing(np.abs(rounded)).astype(LD)
    d = d.astype(np.float64)
    same = (got == rounded) | (np.isnan(got) & np.isnan(rounded))
    return np.where(same, 0.0, np.where(np.isnan(d), np.inf, d))


def wide(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    """Random magnitudes 2**lo .. 2**hi (log-uniform), random signs."""
    return np.exp2(rng.uniform(lo, hi, n)) * rng.choice([-1.0, 1.0], n)


def unary_inputs(rng: np.random.Generator, name: str) -> np.ndarray:
    n = 4000
    if name in ("asin", "acos"):
        x = [rng.uniform(-1, 1, n), wide(rng, n, -60, 0), rng.uniform(0.97, 1.0, n)]
    elif name in ("sin", "cos", "tan"):
        limit = math.log2(TRIG_LIMIT)
        x = [rng.uniform(-10, 10, n), wide(rng, n, -60, limit), wide(rng, n, limit, 1024)]
        # the nearest doubles to multiples of pi/2, where the reduction cancels most
        k = rng.integers(1, 2**20, 1000).astype(LD)
        x.append((k * LD(np.pi) / 2).astype(np.float64))
        x.append(np.array([6381956970095103 * 2.0**797, TRIG_LIMIT, np.nextafter(TRIG_LIMIT, 0)]))
    else:
        x = [rng.uniform(-3, 3, n), wide(rng, n, -60, 10)]
    return np.concatenate([SPECIALS, *x])


def exact_arithmetic_or_skip(backend: khal.Backend, what: str) -> None:
    """These algorithms rely on exact products and sums (double-double, the exact residual of a
    division); a driver without IEEE floats rewrites such expressions (docs/semantics.md, "WebGPU
    without IEEE floats"), so their results have no stated bound there, as for f32 fma, pow, `//`
    and `%` (on the H200: f64 `//` 1 off in 2 of 30,000 quotients near 2^53, pow past 2 ulp)."""
    if not backend.ieee_floats:
        pytest.skip(f"{what}: no stated bound on a driver without IEEE floats ({backend})")


@pytest.mark.parametrize("name", UNARY_F64)
def test_unary_within_2_ulp(webgpu: khal.Backend, rng: np.random.Generator, name: str) -> None:
    x = unary_inputs(rng, name)
    out = np.zeros_like(x)
    khal.launch(f64_unary, len(x), x, out, UNARY_F64.index(name), backend=webgpu)
    with np.errstate(all="ignore"):
        ref = REFERENCE[name](x.astype(LD))
    d = ulp_error(out, ref)
    worst = int(np.argmax(d))
    assert d.max() <= 2, f"{name}({x[worst]!r}) = {out[worst]!r}, want {ref[worst]!r}: {d.max()} ulp"
    zeros = x == 0
    if name != "cos" and name != "acos":  # odd functions keep the sign of zero
        np.testing.assert_array_equal(np.signbit(out[zeros]), np.signbit(x[zeros]))


def test_atan2_within_2_ulp(webgpu: khal.Backend, rng: np.random.Generator) -> None:
    n = 6000
    ey, ex = np.meshgrid(SPECIALS, SPECIALS)
    y = np.concatenate([ey.ravel(), wide(rng, n, -40, 40), rng.uniform(-100, 100, n)])
    x = np.concatenate([ex.ravel(), wide(rng, n, -40, 40), rng.uniform(-100, 100, n)])
    out = np.zeros(4 * len(x))
    khal.launch(f64_binary, len(x), y, x, out, backend=webgpu)
    got = out[0::4]
    with np.errstate(all="ignore"):
        d = ulp_error(got, np.arctan2(y.astype(LD), x.astype(LD)))
    worst = int(np.argmax(d))
    assert d.max() <= 2, f"atan2({y[worst]!r}, {x[worst]!r}) = {got[worst]!r}: {d.max()} ulp"
    zeros = (y == 0) & ~np.isnan(x)
    np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(y[zeros]))


def test_floor_divide_and_remainder_are_numpys(webgpu: khal.Backend, rng: np.random.Generator) -> None:
    exact_arithmetic_or_skip(webgpu, "f64 // and %")
    n = 6000
    bits = rng.integers(-(2**63), 2**63, (2, n), dtype=np.int64).view(np.float64)
    ea, eb = np.meshgrid(SPECIALS, SPECIALS)
    a = np.concatenate([ea.ravel(), bits[0], rng.uniform(-100, 100, n), wide(rng, n, -1074, 1023)])
    b = np.concatenate([eb.ravel(), bits[1], rng.uniform(-8, 8, n), wide(rng, n, -1074, 1023)])
    out = np.zeros(4 * len(a))
    khal.launch(f64_binary, len(a), a, b, out, backend=webgpu)
    with np.errstate(all="ignore"):
        want = [np.floor_divide(a, b), np.remainder(a, b)]
    for k, ref in ((1, want[0]), (2, want[1])):
        got = out[k::4]
        same = (got.view(np.int64) == ref.view(np.int64)) | (np.isnan(got) & np.isnan(ref))
        bad = np.nonzero(~same)[0]
        shown = [(a[i], b[i], got[i], ref[i]) for i in bad[:4]]
        assert bad.size == 0, f"{'//' if k == 1 else '%'}: {bad.size} differ (a, b, got, want): {shown}"


def test_pow_within_2_ulp(webgpu: khal.Backend, rng: np.random.Generator) -> None:
    """pow over wide |x| and y (y ln|x| up to the overflow and subnormal edges), negative x with
    integer y, and C99's special cases (numpy's np.power)."""
    exact_arithmetic_or_skip(webgpu, "f64 pow")
    n = 6000
    ex, ey = np.meshgrid(SPECIALS, SPECIALS)
    ints = rng.integers(-60, 60, n).astype(np.float64)
    x = [ex.ravel(), rng.uniform(0, 100, n), np.abs(wide(rng, n, -1074, 1023)), rng.uniform(0.99, 1.01, n)]
    y = [ey.ravel(), rng.uniform(-8, 8, n), rng.uniform(-1, 1, n), rng.uniform(-30000, 30000, n)]
    x, y = np.concatenate([*x, rng.uniform(-4, 4, n)]), np.concatenate([*y, ints])
    out = np.zeros(4 * len(x))
    khal.launch(f64_binary, len(x), x, y, out, backend=webgpu)
    got = out[3::4]
    with np.errstate(all="ignore"):
        d = ulp_error(got, np.power(x.astype(LD), y.astype(LD)))
    worst = int(np.argmax(d))
    assert d.max() <= 2, f"pow({x[worst]!r}, {y[worst]!r}) = {got[worst]!r}: {d.max()} ulp"


def exact_fma(a: float, b: float, c: float) -> float:
    """a b + c rounded once (Fractions), IEEE's special cases as numpy gives them."""
    with np.errstate(all="ignore"):
        plain = float(np.float64(a) * b + c)
    if not all(map(math.isfinite, (a, b, c))):
        return c if math.isfinite(a) and math.isfinite(b) and math.isinf(c) else plain
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        return plain
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def test_fma_is_exact(webgpu: khal.Backend, rng: np.random.Generator) -> None:
    n = 3000
    bits = rng.integers(-(2**63), 2**63, (3, n), dtype=np.int64).view(np.float64)
    a0, b0 = rng.standard_normal(n), rng.standard_normal(n)
    cancel = -a0 * b0 * (1 + rng.standard_normal(n) * 1e-12)  # a b + c cancels to a few bits
    big = wide(rng, n, 500, 530), wide(rng, n, 480, 500), bits[2]  # a b beyond the f64 range
    ia, ib = rng.integers(2**26, 2**27, (2, n))
    ea = rng.integers(-560, -500, n)
    tie_a = ia * np.exp2(ea.astype(np.float64))  # 54-bit products near 2**-1023: subnormal ties
    tie_b = ib * np.exp2((-1075 - ea + rng.integers(-2, 2, n)).astype(np.float64))
    tie_c = np.where(rng.random(n) < 0.5, 0.0, -np.exp2(rng.integers(-1074, -1030, n).astype(np.float64)))
    s = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 5e-324, 1.7976931348623157e308, 3.0])
    sa, sb, sc = (v.ravel() for v in np.meshgrid(s, s, s))
    a = np.concatenate([bits[0], a0, big[0], tie_a, sa])
    b = np.concatenate([bits[1], b0, big[1], tie_b, sb])
    c = np.concatenate([bits[2], cancel, big[2], tie_c, sc])
    out = np.zeros_like(a)
    khal.launch(f64_fma, len(a), a, b, c, out, backend=webgpu)
    want = np.array([exact_fma(*v) for v in zip(a.tolist(), b.tolist(), c.tolist(), strict=True)])
    same = (out.view(np.int64) == want.view(np.int64)) | (np.isnan(out) & np.isnan(want))
    bad = np.nonzero(~same)[0]
    assert bad.size == 0, [(a[i], b[i], c[i], out[i], want[i]) for i in bad[:4]]
