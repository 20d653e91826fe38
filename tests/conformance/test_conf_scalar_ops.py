"""Every arithmetic, bitwise and comparison operator on every scalar type, against numpy and across
backends: edge values paired with each other (overflow wrap-around, shifts by >= the bit width,
division and modulo by zero, MIN // -1, NaN in min/max and comparisons), then random pairs; float
`//` and `%` bit for bit against numpy at their own edges."""

from __future__ import annotations

import numpy as np
import pytest
from harness import Failures, load_source, results
from tables import (
    DTYPES,
    FLOAT_TYPES,
    SCALAR_TYPES,
    ZERO_SIGN_FREE,
    comparisons_of,
    float_edges,
    operand_pairs,
    ops_kernel_source,
    ops_of,
    random_values,
)


def ops_kernel(t: str):
    """Type `t`'s operator kernel (tables.ops_kernel_source), compiled once per session and backend."""
    return getattr(load_source(ops_kernel_source(t), f"ops_{t}"), f"ops_{t.rstrip('_')}")


@pytest.mark.parametrize("t", SCALAR_TYPES)
def test_operators(backend_name: str, t: str, rng: np.random.Generator) -> None:
    dt = DTYPES[t]
    a, b = operand_pairs(rng, dt, 400)
    rows, cmps = ops_of(t), comparisons_of(t)
    out = np.zeros(len(a) * len(rows), dt)
    cmp = np.zeros(len(a) * max(len(cmps), 1), bool)
    with np.errstate(all="ignore"):
        want = [ref(a, b).astype(dt) for _, _, ref, _ in rows]
        want_cmp = [ref(a, b) for _, _, ref in cmps]
    failures = Failures()
    for label, got in results(backend_name, ops_kernel(t), len(a), [a, b, out, cmp]).items():
        got_out = got[2].reshape(len(a), len(rows))
        for k, (name, expr, _, ulp) in enumerate(rows):
            free = name in ZERO_SIGN_FREE
            what = f"{t} {expr} on {label}"
            failures.compare(got_out[:, k], want[k], ulp=ulp, what=what, operands=(a, b), zero_sign=not free)
        got_cmp = got[3].reshape(len(a), -1)
        for k, (_, expr, _) in enumerate(cmps):
            failures.compare(got_cmp[:, k], want_cmp[k], what=f"{t} {expr} on {label}", operands=(a, b))
    failures.check()


# Where floor(a / b) and a - b * floor(a / b) (khal's formula before it used fmod) differ from numpy:
# (a, b, numpy's a // b, numpy's a % b)
FLOAT_DIVMOD_EDGES = [
    (-1e-45, 3.0, -1.0, 3.0),  # a / b underflows to -0.0
    (-1.0, np.inf, -1.0, np.inf),  # x % inf keeps x, or gives inf for a negative x
    (1.0, np.inf, 0.0, 1.0),
    (np.inf, 1.0, np.nan, np.nan),  # inf // x is NaN
    (1.0, -1.0, -1.0, -0.0),  # a zero remainder has the divisor's sign
    (3e38, 7.0, 4.285714221131045e37, 1.0),  # the quotient has more bits than the mantissa: fmod is exact
]


def float_divmod_kernel(t: str):
    """`q = a // b` and `r = a % b` on arrays of float type `t`."""
    source = (
        "@khal.kernel\n"
        f"def divmod_{t}(a: Array[{t}], b: Array[{t}], q: Array[{t}], r: Array[{t}]):\n"
        "    i = ks.global_invocation_id().x\n"
        "    if i < len(a):\n"
        "        q[i] = a[i] // b[i]\n"
        "        r[i] = a[i] % b[i]\n"
    )
    return getattr(load_source(source, f"divmod_{t}"), f"divmod_{t}")


def divmod_operands(rng: np.random.Generator, dt: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """Edge pairs (FLOAT_DIVMOD_EDGES, every pair of float_edges), then random pairs of every ratio:
    quotients far beyond the mantissa and far below 1, negative divisors, denormals."""
    fixed = np.array([row[:2] for row in FLOAT_DIVMOD_EDGES], np.float64)
    with np.errstate(over="ignore"):
        fixed = fixed.astype(dt)
    ea, eb = np.meshgrid(float_edges(dt), float_edges(dt))
    n = 3000
    small = rng.uniform(-50, 50, n).round(int(rng.integers(0, 3))).astype(dt)
    a = np.concatenate([fixed[:, 0], ea.ravel(), random_values(rng, dt, n), random_values(rng, dt, n), small])
    b = np.concatenate([fixed[:, 1], eb.ravel(), random_values(rng, dt, n), small, random_values(rng, dt, n)])
    return a, b


@pytest.mark.parametrize("t", FLOAT_TYPES)
def test_float_floordiv_and_mod_match_numpy(backend_name: str, t: str, rng: np.random.Generator) -> None:
    dt = DTYPES[t]
    a, b = divmod_operands(rng, dt)
    with np.errstate(all="ignore"):
        want_q, want_r = np.floor_divide(a, b), np.remainder(a, b)
        if t == "f32":  # the pinned edges are numpy's (and Python's) values
            k = len(FLOAT_DIVMOD_EDGES)
            pinned = np.array([row[2:] for row in FLOAT_DIVMOD_EDGES], dt)
            assert np.array_equal(want_q[:k], pinned[:, 0], equal_nan=True)
            assert np.array_equal(want_r[:k], pinned[:, 1], equal_nan=True)
            assert np.signbit(want_r[4])
    failures = Failures()
    args = [a, b, np.zeros_like(a), np.zeros_like(a)]
    for label, got in results(backend_name, float_divmod_kernel(t), len(a), args).items():
        failures.compare(got[2], want_q, what=f"{t} // on {label}", operands=(a, b))
        failures.compare(got[3], want_r, what=f"{t} % on {label}", operands=(a, b))
    failures.check()
