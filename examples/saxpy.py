"""saxpy, `y = alpha * x + y`: the streaming kernel, and the bandwidth it reaches.

    python examples/saxpy.py [N] [--backend cpu|cpu-parallel|webgpu|cuda]

One invocation per element, a scalar parameter `alpha` passed by value. Runs REPEAT launches in one
pass, prints the time per launch and the bandwidth (12 bytes per element: two reads, one write), and
compares with numpy (within 1 ulp: a backend may fuse the multiply-add). Exits 1 on a mismatch.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from common import setup

import khal
import khal.std as ks
from khal import Array, f32

REPEAT = 10


@khal.kernel(workgroup_size=256)
def saxpy(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]


def main(argv: list[str]) -> int:
    """Time REPEAT saxpys, compare the result with numpy's; exit 1 on a mismatch."""
    args, backend = setup(__doc__, argv, [("n", 1 << 22, "elements")])
    n, alpha = args.n, np.float32(0.5)
    rng = np.random.default_rng(0)
    x_np, y_np = rng.standard_normal(n, dtype=np.float32), rng.standard_normal(n, dtype=np.float32)
    x, y = backend.init_buffer(x_np), backend.init_buffer(y_np)

    def run(times: int) -> None:
        encoder = backend.begin_encoding()
        with encoder.begin_pass("saxpy") as p:
            for _ in range(times):
                saxpy.call(p, n, y, x, alpha)
        backend.submit(encoder)
        backend.synchronize()

    run(1)  # compiles (or loads from the cache)
    start = time.perf_counter()
    run(REPEAT)
    ms = (time.perf_counter() - start) * 1e3 / REPEAT
    expected = y_np.copy()
    for _ in range(1 + REPEAT):
        expected = alpha * x_np + expected
    got = backend.slow_read_vec(y)
    ok = bool(np.allclose(got, expected, rtol=1e-5, atol=1e-5))
    print(f"saxpy on {backend.name}: n = {n}, {ms:.3f} ms per launch, {12 * n / ms / 1e6:.1f} GB/s")
    print(f"  matches numpy: {ok} (max abs error {float(np.abs(got - expected).max()):.1e})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
