"""Integer arithmetic follows numpy: floor division and modulo, arithmetic shifts, wraparound."""

from __future__ import annotations

import numpy as np
from runtime_kernels import int_casts, int_ops_i32, int_ops_u32

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
