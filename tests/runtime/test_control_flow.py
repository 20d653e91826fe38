"""Control flow survives the CPU lowering: early return, negative-step loops with continue/break,
while loops, short-circuit `and` guarding a load."""

from __future__ import annotations

import numpy as np
from runtime_kernels import control_flow

import khal


def reference(a: np.ndarray) -> np.ndarray:
    out = []
    for i, n in enumerate(a.tolist()):
        total = 0
        for j in range(n, -1, -2):
            if j % 3 == 0:
                continue
            total += j
            if total > 100:
                break
        k = 0
        while k * k < n:
            k += 1
        nxt = 1 if i + 1 < len(a) and a[i + 1] > n else 0
        out.append((total, k, nxt))
    return np.array(out, np.int32)


def test_control_flow(backend: khal.Backend, rng: np.random.Generator) -> None:
    a = rng.integers(-5, 60, 1000).astype(np.int32)
    out = np.full(3 * len(a), -1, np.int32)
    khal.launch(control_flow, 1024, a, out, backend=backend)  # more invocations than elements
    np.testing.assert_array_equal(out.reshape(-1, 3), reference(a))
