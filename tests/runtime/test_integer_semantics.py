"""Integer arithmetic follows numpy: floor division and modulo, arithmetic shifts, wraparound."""

from __future__ import annotations

import numpy as np
from runtime_kernels import abs_of_gathered_i64, int_casts, int_ops_i32, int_ops_u32, negations_widened

import khal


def _launch(backend: khal.Backend, kernel: object, *arrays: np.ndarray) -> None:
    khal.launch(kernel, len(arrays[0]), *arrays, backend=backend)


def test_signed_ops_match_numpy(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 4000
    edge = np.array([-(2**31), 2**31 - 1, -1, 0, 1, -7, 7], np.int32)
    a = np.concatenate([edge, rng.integers(-(2**31), 2**31, n, dtype=np.int32)])
    b = np.concatenate(
        [np.array([3, -3, 2, 5, -5, 2, -2], np.int32), rng.integers(-50, 50, n, dtype=np.int32)]
    )
    a[n // 2 :] = rng.integers(-100, 100, len(a) - n // 2)  # many small negatives for // and %
    b[b == 0] = 1
    s = rng.integers(0, 32, len(a), dtype=np.uint32)
    out = np.zeros(len(a) * 8, np.int32)
    _launch(backend, int_ops_i32, a, b, s, out)
    got = out.reshape(-1, 8)
    with np.errstate(over="ignore"):
        want = [
            a // b,
            a % b,
            a >> s.astype(np.int32),
            a << s.astype(np.int32),
            a + b,
            a * b,
            a - b,
            np.abs(a) + np.minimum(a, b) - np.maximum(a, b),
        ]
    for col, (w, what) in enumerate(
        zip(want, ["//", "%", ">>", "<<", "+", "*", "-", "abs/min/max"], strict=True)
    ):
        bad = np.nonzero(got[:, col] != w)[0]
        assert bad.size == 0, (
            f"{what}: a={a[bad[:5]]} b={b[bad[:5]]} got {got[bad[:5], col]} want {w[bad[:5]]}"
        )


def test_abs_of_int64_min_wraps(backend: khal.Backend, rng: np.random.Generator) -> None:
    """abs(INT64_MIN) is INT64_MIN, negative, and divides as such (numpy's wrapping abs); from
    tests/conformance/regressions/case_fde4ac33dbc7.py, where the H200's Vulkan driver got it wrong."""
    a = rng.integers(-(2**63), 2**63, 256, dtype=np.int64)
    a[::7] = np.iinfo(np.int64).min
    n = 1024
    idx = rng.integers(-(2**31), 2**31, n, dtype=np.int32)
    b = rng.integers(-(2**40), 2**40, n, dtype=np.int64) >> rng.integers(0, 40, n)
    b[b == 0] = -25
    out = np.zeros(n * 3, np.int64)
    khal.launch(abs_of_gathered_i64, n, a, idx, b, out, backend=backend)
    with np.errstate(over="ignore"):
        p = np.abs(a[np.maximum(idx, 100).astype(np.uint32) % np.uint32(len(a))])
    assert (p == np.iinfo(np.int64).min).sum() > 10  # the case is exercised
    got = out.reshape(-1, 3)
    for col, (w, what) in enumerate(
        zip([p // b, (p < 0).astype(np.int64), p % b], ["//", "< 0", "%"], strict=True)
    ):
        bad = np.nonzero(got[:, col] != w)[0]
        assert bad.size == 0, (
            f"abs(x) {what} b: x={p[bad[:4]]} b={b[bad[:4]]} got {got[bad[:4], col]} want {w[bad[:4]]}"
        )


def test_negations_of_narrow_minimums_wrap_before_widening(
    backend: khal.Backend, rng: np.random.Generator
) -> None:
    """i32(-x) of the i16 -32768 is -32768 (the negation wraps in 16 bits, then widens), likewise for a
    shifted value and for i64(-x) of INT32_MIN; from tests/conformance/regressions/case_77a685de668d.py,
    where ptxas had negated after sign-extending."""
    n = 2048
    a = rng.integers(-(2**15), 2**15, n, dtype=np.int16)
    a[::5] = -(2**15)
    s = rng.integers(0, 16, n, dtype=np.int16)
    s[1::5] = 0
    b = rng.integers(-(2**31), 2**31, n, dtype=np.int32)
    b[::3] = np.iinfo(np.int32).min
    out = np.zeros(n * 4, np.int64)
    khal.launch(negations_widened, n, a, s, b, out, backend=backend)
    with np.errstate(over="ignore"):
        want = [-a, np.int16(0) - (a << s), -a, -b]
    got = out.reshape(-1, 4)
    for col, (w, what) in enumerate(
        zip(want, ["i32(-x)", "i32(0 - (x << s))", "i64(-x)", "i64(-i32)"], strict=True)
    ):
        bad = np.nonzero(got[:, col] != w.astype(np.int64))[0]
        assert bad.size == 0, (
            f"{what}: x={a[bad[:4]]} s={s[bad[:4]]} got {got[bad[:4], col]} want {w[bad[:4]]}"
        )
    assert (got[:, 0] == -(2**15)).sum() >= n // 5  # the case is exercised


def test_unsigned_ops_match_numpy(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 4000
    a = rng.integers(0, 2**32, n, dtype=np.uint32)
    b = rng.integers(1, 2**32, n, dtype=np.uint32)
    b[: n // 2] = rng.integers(1, 100, n // 2)
    a[:3] = [2**32 - 1, 0, 2**31]
    s = rng.integers(0, 32, n, dtype=np.uint32)
    out = np.zeros(n * 8, np.uint32)
    _launch(backend, int_ops_u32, a, b, s, out)
    got = out.reshape(-1, 8)
    with np.errstate(over="ignore"):
        want = [a // b, a % b, a >> s, a << s, a + b, a * b, a - b, (a ^ b) | (a & ~b)]
    for col, w in enumerate(want):
        np.testing.assert_array_equal(got[:, col], w, err_msg=f"column {col}")


def test_casts(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 1000
    a = rng.integers(-(2**31), 2**31, n, dtype=np.int32)
    f = (rng.standard_normal(n) * 1e6).astype(np.float32)
    out_u = np.zeros(n, np.uint32)
    out_f = np.zeros(n, np.float32)
    out_i = np.zeros(n, np.int32)
    _launch(backend, int_casts, a, f, out_u, out_f, out_i)
    np.testing.assert_array_equal(out_u, a.astype(np.uint32))  # bit-preserving reinterpretation
    np.testing.assert_array_equal(out_f, a.astype(np.float32))
    np.testing.assert_array_equal(out_i, np.trunc(f).astype(np.int32))
