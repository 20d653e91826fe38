"""Vector and matrix operators, swizzles and geometry; structs of mixed field types (every scalar
width, vectors, a matrix, a nested struct) read, modified through a device function and written back:
the same bytes on every backend. Inputs of the exact cases are small integers in floats, so every
order of evaluation rounds alike and the comparison is bit for bit."""

from __future__ import annotations

import numpy as np
from conformance_kernels import Mixed, ivec_ops, mat_ops, struct_ops, vec_norms, vec_ops
from harness import Failures, compare, launch, results
from tables import wrap

F = np.float32


def small_floats(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.integers(-8, 9, shape).astype(F)


def test_float_vectors(backend_name: str, rng: np.random.Generator) -> None:
    n = 300
    a, b = small_floats(rng, n, 4), small_floats(rng, n, 4)
    s = small_floats(rng, n)
    out, out3, dots = np.zeros((8 * n, 4), F), np.zeros((2 * n, 3), F), np.zeros(2 * n, F)
    i = np.arange(n)
    v = a.copy()
    v[:, 1] = s
    v[i, i % 4] = 9.0
    want = np.stack(
        [
            a + b,
            a - b * s[:, None],
            a * b,
            a / F(4),
            np.minimum(a, b) + np.maximum(a, b)[:, ::-1],
            np.concatenate([a[:, :2], b[:, 2:]], axis=1),
            np.abs(a) + np.floor(b * F(0.5)),
            v,
        ],
        axis=1,
    ).reshape(-1, 4)
    want3 = np.stack([np.cross(a[:, :3], b[:, :3]), a[:, 2::-1] * F(2) + s[:, None]], axis=1).reshape(-1, 3)
    want_dots = np.stack([(a * b).sum(1), (a[:, :3] * b[:, :3]).sum(1) + a[i, i % 4]], axis=1).ravel()
    failures = Failures()
    for label, got in results(backend_name, vec_ops, n, [a, b, s, out, out3, dots]).items():
        failures.compare(got[3], want.astype(F), what=f"vec_ops Vec4 on {label}")
        failures.compare(got[4], want3.astype(F), what=f"vec_ops Vec3 on {label}")
        failures.compare(got[5], want_dots.astype(F), what=f"vec_ops dot on {label}")
    failures.check()


def test_vector_geometry_within_4_ulp(backend_name: str, rng: np.random.Generator) -> None:
    n = 500
    a, b = (rng.standard_normal((n, 3)) * 10).astype(F), (rng.standard_normal((n, 3)) * 10).astype(F)
    a64 = a.astype(np.float64)
    norm = np.linalg.norm(a64, axis=1)
    want = (a64 / norm[:, None]).astype(F)
    want_s = np.stack([norm, np.linalg.norm(a64 - b, axis=1)], axis=1).ravel().astype(F)
    failures = Failures()
    runs = results(backend_name, vec_norms, n, [a, b, np.zeros((n, 3), F), np.zeros(2 * n, F)])
    for label, got in runs.items():
        failures.compare(got[2], want, ulp=4, what=f"normalize on {label}", operands=(a,))
        failures.compare(got[3], want_s, ulp=4, what=f"length/distance on {label}")
    failures.check()


def test_integer_vectors(backend_name: str, rng: np.random.Generator) -> None:
    n = 300
    i32 = np.int32
    a = rng.integers(-(2**31), 2**31, (n, 4), dtype=i32)
    a[: n // 2] = rng.integers(-50, 50, (n // 2, 4))
    b = rng.integers(-6, 7, (n, 4), dtype=i32)  # zeros included: x // 0 == x, x % 0 == 0
    u = rng.integers(0, 2**32, (n, 4), dtype=np.uint32)
    ao, bo = a.astype(object), b.astype(object)
    safe = np.where(b == 0, 1, b).astype(object)
    dt = np.dtype(i32)
    rows = [
        ao + bo,
        ao * bo - ao,
        ao // safe,
        ao % safe,
        (a & b) | (a ^ i32(7)),
        np.minimum(ao, bo) + abs(np.maximum(ao, bo)),
    ]
    want = np.stack([wrap(r.ravel(), dt).reshape(n, 4) for r in rows], axis=1).reshape(-1, 4)
    with np.errstate(over="ignore"):
        want_u = np.stack(
            [
                u + b.astype(np.uint32),
                u >> np.uint32(3),
                np.concatenate([u[:, :2] * np.uint32(3), u[:, 2:] // np.uint32(5)], axis=1),
            ],
            axis=1,
        ).reshape(-1, 4)
    out, out_u = np.zeros((6 * n, 4), i32), np.zeros((3 * n, 4), np.uint32)
    failures = Failures()
    for label, got in results(backend_name, ivec_ops, n, [a, b, u, out, out_u]).items():
        failures.compare(got[3], want, what=f"IVec4 ops on {label}")
        failures.compare(got[4], want_u, what=f"UVec4 ops on {label}")
    failures.check()


def test_matrices(backend_name: str, rng: np.random.Generator) -> None:
    # Host layout: row c of a matrix's array is column c, so the stored form of A @ B is b @ a.
    n = 100
    m2, m3, m4 = small_floats(rng, n, 2, 2), small_floats(rng, n, 3, 3), small_floats(rng, n, 4, 4)
    v4 = small_floats(rng, n, 4)
    k = 3.0
    outs = [np.zeros((n, 2, 2), F), np.zeros((n, 3, 3), F), np.zeros((2 * n, 4, 4), F)]
    outs += [np.zeros((2 * n, 4), F), np.zeros((n, 3), F)]
    want = [
        m2 @ m2 + m2 * F(k),
        m3 @ m3 - m3,
        np.stack([m4 @ m4, m4 * F(k) + m4], axis=1).reshape(-1, 4, 4),
        np.stack([np.einsum("ncr,nc->nr", m4, v4), m4[:, 1] + m4[:, 3]], axis=1).reshape(-1, 4),
        np.einsum("ncr,nc->nr", m3, v4[:, :3]),
    ]
    failures = Failures()
    for label, got in results(backend_name, mat_ops, n, [m2, m3, m4, v4, k, *outs]).items():
        for j, w in enumerate(want):
            # the sign of a zero is free: a product's sum may start from its first term, not +0.0
            what = f"mat_ops output {j} on {label}"
            failures.compare(got[5 + j], w.astype(F), what=what, zero_sign=False)
    failures.check()


def random_mixed(rng: np.random.Generator, n: int) -> np.ndarray:
    m = np.zeros(n, Mixed.dtype)
    m["tag"] = rng.integers(0, 256, n)
    m["pos"] = small_floats(rng, n, 3)
    m["n"] = rng.integers(-(2**31), 2**31, n)
    m["d"] = rng.standard_normal(n)
    m["small"] = rng.integers(-128, 128, n)
    m["inner"]["flag"] = rng.integers(0, 2, n)
    m["inner"]["h"] = rng.integers(-100, 100, n)
    m["inner"]["big"] = rng.integers(-(2**62), 2**62, n)
    m["col"] = small_floats(rng, n, 2, 2)
    m["ids"] = rng.integers(0, 2**32, (n, 2))
    return m


def test_structs_of_mixed_fields(backend_name: str, rng: np.random.Generator) -> None:
    n = 200
    items = random_mixed(rng, n)
    base = random_mixed(rng, 1)[0]
    want = items.copy()
    with np.errstate(over="ignore"):
        want["n"] = items["n"] + base["n"]
        want["inner"]["big"] = items["inner"]["big"] * 3 - np.int64(base["n"])
        want["tag"] = items["tag"] + base["tag"]
        want["pos"] = items["pos"] * F(2) + base["pos"]
        want["d"] = items["d"] / 4.0 + base["d"]
        want["small"] = -items["small"]
        want["ids"] = items["ids"][:, ::-1] + np.arange(n, dtype=np.uint32)[:, None]
    want["inner"]["flag"] = ~items["inner"]["flag"]
    want["inner"]["h"] = items["inner"]["h"] + np.float16(1)
    want["col"] = base["col"] @ items["col"]  # stored form of (items.col @ base.col)
    items_after = items.copy()
    items_after["n"] = np.arange(n)
    failures = Failures()
    for label, got in results(backend_name, struct_ops, n, [items, base, np.zeros(n, Mixed.dtype)]).items():
        # zero_sign: the matrix product's zeros may be -0.0 (its sum starts from the first term,
        # numpy's from +0.0); every other bit must match
        failures.compare(got[2], want, what=f"struct_ops out on {label}", zero_sign=False)
        failures.compare(got[0], items_after, what=f"struct_ops in-place field on {label}")
    failures.check()


def test_struct_argument_as_a_tuple_of_arrays(backend_name: str, rng: np.random.Generator) -> None:
    """A struct parameter given as a tuple whose vector and matrix fields are numpy arrays (what
    `record.tolist()` gives) packs like the record itself."""
    items = random_mixed(rng, 50)
    base = random_mixed(rng, 1)[0]
    as_tuple = tuple(base.tolist())  # nested: the inner struct a tuple, vectors and matrices arrays
    assert isinstance(as_tuple[1], np.ndarray) and isinstance(as_tuple[5], tuple)
    out = np.zeros(len(items), Mixed.dtype)
    by_record = launch(backend_name, struct_ops, len(items), [items, base, out])
    by_tuple = launch(backend_name, struct_ops, len(items), [items, as_tuple, out])
    compare(by_tuple[2], by_record[2], what=f"struct argument as a tuple on {backend_name}")
