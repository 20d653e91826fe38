"""Every arithmetic, bitwise and comparison operator on every scalar type, against numpy and across
backends: edge values paired with each other (overflow wrap-around, shifts by >= the bit width,
division and modulo by zero, MIN // -1, NaN in min/max and comparisons), then random pairs."""

from __future__ import annotations

import numpy as np
import pytest
from harness import Failures, load_source, results
from tables import (
    DTYPES,
    SCALAR_TYPES,
    ZERO_SIGN_FREE,
    comparisons_of,
    operand_pairs,
    ops_kernel_source,
    ops_of,
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
