"""Every `khal.std` math function on every float type, at the special values (0, -0, inf, -inf, NaN,
the largest and smallest normals, denormals, each against each other as the second argument) and on
random inputs of each function's domain. Bounds: tables.math_ulp (0 ulp for the exact functions)."""

from __future__ import annotations

import numpy as np
import pytest
from harness import Failures, load_source, results
from tables import (
    DTYPES,
    FLOAT_TYPES,
    MATH,
    ZERO_SIGN_FREE,
    math_inputs,
    math_kernel_source,
    math_ulp,
)


@pytest.mark.parametrize("t", FLOAT_TYPES)
def test_math_functions(backend_name: str, t: str, rng: np.random.Generator) -> None:
    dt = DTYPES[t]
    kernel = getattr(load_source(math_kernel_source(t), f"math_{t}"), f"math_{t}")
    x, y, z = math_inputs(rng, dt, 150)
    out = np.zeros(len(x) * len(MATH), dt)
    cls = np.zeros(len(x), np.uint32)
    wide = [v.astype(np.float64) for v in (x, y, z)]
    failures = Failures()
    for label, got in results(backend_name, kernel, len(x), [x, y, z, out, cls]).items():
        rows = got[3].reshape(len(x), len(MATH))
        for k, (name, (expr, ref, _)) in enumerate(MATH.items()):
            with np.errstate(all="ignore"):
                want = ref(*wide).astype(dt)  # float64, rounded once to t
            failures.compare(
                rows[:, k],
                want,
                ulp=math_ulp(name, t),
                what=f"{t} {expr} on {label}",
                operands=(x, y, z),
                zero_sign=name not in ZERO_SIGN_FREE,
            )
        failures.compare(
            got[4], (np.isnan(x) * 1 + np.isinf(x) * 2).astype(np.uint32), what=f"isnan/isinf {t}"
        )
    failures.check()
