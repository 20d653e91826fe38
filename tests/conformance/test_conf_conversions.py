"""Every conversion between scalar types, at the edges: float -> int out of range and NaN (saturate,
NaN -> 0), negative -> unsigned (the bits kept), narrowing integers (wrap), f64 <-> f16 and every
float narrowing (round to nearest even, overflow to inf), int -> float rounding, anything -> bool."""

from __future__ import annotations

import numpy as np
import pytest
from harness import Failures, load_source, results
from tables import DTYPES, SCALAR_TYPES, convert_inputs, convert_kernel_source, convert_reference


@pytest.mark.parametrize("s", SCALAR_TYPES)
def test_conversions_from(backend_name: str, s: str, rng: np.random.Generator) -> None:
    kernel = getattr(load_source(convert_kernel_source(s), f"convert_{s}"), f"convert_{s.rstrip('_')}")
    a = convert_inputs(rng, DTYPES[s], 200)
    outs = [np.zeros(len(a), DTYPES[t]) for t in SCALAR_TYPES]
    failures = Failures()
    for label, got in results(backend_name, kernel, len(a), [a, *outs]).items():
        for k, t in enumerate(SCALAR_TYPES):
            want = convert_reference(a, DTYPES[t])
            failures.compare(got[1 + k], want, what=f"{t}({s}) on {label}", operands=(a,))
    failures.check()
