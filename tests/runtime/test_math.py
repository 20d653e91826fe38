"""Every `khal.std` math function against numpy's float32 results: within 2 ulp for the transcendental
functions, exact where IEEE or numpy define the result exactly; inputs are random plus 0, -0, inf, nan
and denormals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from runtime_kernels import BINARY, UNARY, math_binary, math_classify, math_ternary, math_unary, math_vectors

import khal

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
    ],
    np.float32,
)


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in units in the last place of float32 (0 when both are nan, or equal infinities)."""

    def ordered(x: np.ndarray) -> np.ndarray:
        i = x.astype(np.float32).view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)

    d = np.abs(ordered(a) - ordered(b))
    both_nan = np.isnan(a) & np.isnan(b)
    one_nan = np.isnan(a) ^ np.isnan(b)
    return np.where(both_nan, 0, np.where(one_nan, 2**40, d))


def inputs(rng: np.random.Generator, name: str) -> np.ndarray:
    domains = {
        "asin": (-1, 1),
        "acos": (-1, 1),
        "exp": (-87, 88),
        "exp2": (-126, 127),
        "tanh": (-10, 10),
        "sin": (-100, 100),
        "cos": (-100, 100),
        "tan": (-10, 10),
        "log": (0, 1e6),
        "log2": (0, 1e6),
        "sqrt": (0, 1e6),
        "rsqrt": (0, 1e6),
    }
    lo, hi = domains.get(name, (-1000, 1000))
    x = rng.uniform(lo, hi, 3000).astype(np.float32)
    tiny = (rng.uniform(-1, 1, 100) * 1e-39).astype(np.float32)  # denormals
    return np.concatenate([SPECIALS, tiny, x])


F = np.float32
REFERENCE = {
    "sqrt": np.sqrt,
    "rsqrt": lambda x: (1 / np.sqrt(x.astype(np.float64))).astype(F),
    "exp": np.exp,
    "exp2": np.exp2,
    "log": np.log,
    "log2": np.log2,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "abs": np.abs,
    "sign": np.sign,
    "floor": np.floor,
    "ceil": np.ceil,
    "round": np.round,
    "trunc": np.trunc,
    "fract": lambda x: x - np.floor(x),
}
EXACT = {"sqrt", "abs", "sign", "floor", "ceil", "round", "trunc", "fract"}


def special(x: np.ndarray) -> np.ndarray:
    """inf, NaN, subnormal, or a magnitude past 2**64 or under 2**-64 (where a flushing driver's
    intermediates under- or overflow)."""
    a = np.abs(x)
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(a) | ((a != 0) & ((a < np.finfo(F).tiny) | (a < 2.0**-64))) | (a > 2.0**64)


def no_bound_without_ieee(backend: khal.Backend, what: str) -> None:
    """Skip: khal states no bound for `what` on a backend without IEEE floats (docs/semantics.md)."""
    if not backend.ieee_floats:
        pytest.skip(f"{what} has no stated bound on {backend} (no IEEE floats: docs/semantics.md)")


def check_ulp(
    name: str,
    got: np.ndarray,
    fn: Callable[..., np.ndarray],
    *args: np.ndarray,
    limit: int,
    relaxed: bool = False,
) -> None:
    """`got` within `limit` ulp of the correctly rounded result (numpy in float64, rounded to float32), and
    within `limit` ulp of numpy's float32 result wherever that is itself within 1 ulp of correctly rounded
    (numpy's float32 asin/tanh/atan2 are sometimes 2-3 ulp off; those inputs are judged by the first rule).
    `relaxed` (a backend without `ieee_floats`) leaves out the inputs where an argument or the result is an
    inf, a NaN or a subnormal: that driver's result is indeterminate there (docs/semantics.md)."""
    with np.errstate(all="ignore"):
        exact = fn(*(a.astype(np.float64) for a in args)).astype(F)
        numpy_f32 = fn(*args).astype(F)
    d_exact = ulp_distance(got, exact)
    d_numpy = np.where(ulp_distance(numpy_f32, exact) <= 1, ulp_distance(got, numpy_f32), 0)
    if relaxed:
        limit = max(limit, 2)  # NVIDIA's Vulkan `/` and `sqrt` were 1 ulp off (WGSL allows 2.5 for `/`)
    wrong = (d_exact > limit) | (d_numpy > limit)
    if relaxed:
        wrong &= ~special(exact)
        for a in args:
            wrong &= ~special(a)
    bad = np.nonzero(wrong)[0]
    shown = [(*(a[i] for a in args), got[i], exact[i], numpy_f32[i]) for i in bad[:5]]
    assert bad.size == 0, f"{name}: {bad.size} inputs off; (args..., got, exact, numpy f32): {shown}"


@pytest.mark.parametrize("name", UNARY)
def test_unary(backend: khal.Backend, rng: np.random.Generator, name: str) -> None:
    x = inputs(rng, name)
    out = np.zeros_like(x)
    khal.launch(math_unary, len(x), x, out, UNARY.index(name), backend=backend)
    check_ulp(name, out, REFERENCE[name], x, limit=0 if name in EXACT else 2, relaxed=not backend.ieee_floats)


@pytest.mark.parametrize("name", BINARY)
def test_binary(backend: khal.Backend, rng: np.random.Generator, name: str) -> None:
    n = 3000
    if name == "pow":
        no_bound_without_ieee(backend, "pow")
        x = np.concatenate([rng.uniform(0, 100, n), [0, 0, 2, 2, 1, np.inf, 0.5, 4]]).astype(F)
        y = np.concatenate([rng.uniform(-10, 10, n), [0, 2, 0.5, -1, np.nan, 0.5, 2, -0.5]]).astype(F)
    else:
        x = np.concatenate([rng.uniform(-100, 100, n), SPECIALS, SPECIALS[::-1]]).astype(F)
        y = np.concatenate([rng.uniform(-100, 100, n), SPECIALS[::-1], SPECIALS]).astype(F)
    out = np.zeros_like(x)
    khal.launch(math_binary, len(x), x, y, out, BINARY.index(name), backend=backend)
    fn = {
        "atan2": np.arctan2,
        "pow": np.power,
        "min": np.minimum,
        "max": np.maximum,
        "step": lambda e, v: np.where(v < e, 0.0, 1.0),
    }[name]
    limit = 2 if name in ("atan2", "pow") else 0
    check_ulp(name, out, fn, x, y, limit=limit, relaxed=not backend.ieee_floats)


def test_ternary(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 3000
    x, y, z = (rng.uniform(-10, 10, n).astype(F) for _ in range(3))
    out = np.zeros(4 * n, F)
    khal.launch(math_ternary, n, x, y, z, out, backend=backend)
    got = out.reshape(n, 4)
    np.testing.assert_array_equal(got[:, 0], np.clip(x, np.minimum(y, z), np.maximum(y, z)))
    if backend.ieee_floats:  # khal's fma emulation has no stated bound without them (docs/semantics.md)
        fma = (x.astype(np.float64) * y + z).astype(F)  # exact product, one rounding
        assert ulp_distance(got[:, 1], fma).max() == 0
    np.testing.assert_allclose(got[:, 2], x + (y - x) * z, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(got[:, 3], np.where(x < y, y, z))


def test_isnan_isinf(backend: khal.Backend, rng: np.random.Generator) -> None:
    x = np.concatenate([SPECIALS, rng.standard_normal(100).astype(F)])
    out = np.zeros(len(x), np.uint32)
    khal.launch(math_classify, len(x), x, out, backend=backend)
    np.testing.assert_array_equal(out, np.isnan(x) * 1 + np.isinf(x) * 2)


def test_vector_functions(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 500
    a = rng.standard_normal((n, 3)).astype(F)
    b = rng.standard_normal((n, 3)).astype(F)
    out_v = np.zeros((3 * n, 3), F)
    out_s = np.zeros(3 * n, F)
    khal.launch(math_vectors, n, a, b, out_v, out_s, backend=backend)
    v = out_v.reshape(n, 3, 3)
    s = out_s.reshape(n, 3)
    tol = {"rtol": 1e-5, "atol": 1e-6}
    np.testing.assert_allclose(v[:, 0], np.cross(a, b), **tol)
    np.testing.assert_allclose(v[:, 1], a / np.linalg.norm(a, axis=1, keepdims=True), **tol)
    np.testing.assert_allclose(v[:, 2], np.sqrt(np.abs(a)) + np.exp(b * F(0.1)), **tol)
    np.testing.assert_allclose(s[:, 0], (a * b).sum(1), **tol)
    np.testing.assert_allclose(s[:, 1], np.linalg.norm(a, axis=1), **tol)
    np.testing.assert_allclose(s[:, 2], np.linalg.norm(a - b, axis=1), **tol)
