"""Every kind of parameter crosses the argument block intact: 64-bit and 8-bit arrays and scalars, bools,
matrices and structs passed by value."""

from __future__ import annotations

import numpy as np
from runtime_kernels import Params, mixed_types

import khal


def test_mixed_parameter_types(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 300
    a = rng.standard_normal(n)
    b = rng.integers(-(2**62), 2**62, n, dtype=np.int64)
    c = rng.integers(0, 256, n, dtype=np.uint8)
    out = np.zeros(n * 8)
    x, y, z = 1.0 / 3.0, -(2**40) - 7, 2**63 + 5
    m = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)  # column 1 is (3, 4)
    p = np.array((2.5, (1.0, -4.0, 9.0), 77), Params.dtype)
    for flag, h in ((True, -128), (False, 127)):
        khal.launch(mixed_types, n, a, b, c, out, x, y, z, flag, h, m, p, backend=backend)
        got = out.reshape(n, 8)
        np.testing.assert_array_equal(got[:, 0], a * x)
        np.testing.assert_array_equal(got[:, 1], (b + y).astype(np.float64))
        np.testing.assert_array_equal(got[:, 2], (c.astype(np.uint64) + np.uint64(z)).astype(np.float64))
        assert (got[:, 3] == (1.0 if flag else 0.0)).all()
        assert (got[:, 4] == h).all()
        assert (got[:, 5] == 3.0).all()
        assert (got[:, 6] == np.float32(2.5) * np.float32(-4.0)).all()
        assert (got[:, 7] == 77).all()
