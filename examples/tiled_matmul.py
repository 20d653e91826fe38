"""A tiled matrix multiply, C = A @ B (f32, row-major): 16 x 16 tiles staged in workgroup memory.

    python examples/tiled_matmul.py [M] [N] [K] [--backend cpu|cpu-parallel|webgpu|cuda]

A 2-D grid, one invocation per element of C, workgroups of 16 x 16. For each tile of K, every
invocation loads one element of A and one of B into workgroup memory (zero past the edges, so sizes
need not be multiples of 16), a barrier, 16 multiply-adds from the tiles, a barrier: the loop is
uniform (its bound is a parameter). Prints GFLOP/s and compares with numpy. Exits 1 on a mismatch.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from common import setup

import khal
import khal.std as ks
from khal import Array, f32, u32

T = 16


@khal.kernel(workgroup_size=(T, T))
def matmul(a: Array[f32], b: Array[f32], c: Array[f32], m: u32, n: u32, k: u32):
    ta = ks.workgroup_array(f32, T * T)
    tb = ks.workgroup_array(f32, T * T)
    lx = ks.local_invocation_id().x
    ly = ks.local_invocation_id().y
    col = ks.workgroup_id().x * T + lx
    row = ks.workgroup_id().y * T + ly
    acc = 0.0
    for t in range((k + T - 1) // T):
        ka = t * T + lx
        kb = t * T + ly
        ta[ly * T + lx] = a[row * k + ka] if row < m and ka < k else 0.0
        tb[ly * T + lx] = b[kb * n + col] if kb < k and col < n else 0.0
        ks.workgroup_barrier()
        for j in range(u32(T)):  # u32, like the ids it indexes with
            acc += ta[ly * T + j] * tb[j * T + lx]
        ks.workgroup_barrier()
    if row < m and col < n:
        c[row * n + col] = acc


def main(argv: list[str]) -> int:
    """Multiply random M x K and K x N matrices; compare with numpy; exit 1 on a mismatch."""
    args, backend = setup(
        __doc__, argv, [("m", 500, "rows of A"), ("n", 300, "columns of B"), ("k", 400, "inner")]
    )
    m, n, k = args.m, args.n, args.k
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
    a, b = backend.init_buffer(a_np.ravel()), backend.init_buffer(b_np.ravel())
    c = backend.uninit_buffer(m * n, f32)

    def run() -> None:
        encoder = backend.begin_encoding()
        with encoder.begin_pass("matmul") as p:
            matmul.call(p, (n, m), a, b, c, m, n, k)  # x: columns, y: rows
        backend.submit(encoder)
        backend.synchronize()

    run()
    start = time.perf_counter()
    run()
    ms = (time.perf_counter() - start) * 1e3
    got = backend.slow_read_vec(c).reshape(m, n)
    expected = a_np.astype(np.float64) @ b_np.astype(np.float64)
    err = float(np.abs(got - expected).max())
    ok = err <= 1e-4 * np.sqrt(k) * float(np.abs(expected).max())
    gflops = 2 * m * n * k / ms / 1e6
    print(f"tiled_matmul on {backend.name}: {m} x {k} @ {k} x {n}, {ms:.2f} ms, {gflops:.1f} GFLOP/s")
    print(f"  matches numpy: {ok} (max abs error {err:.1e} against float64)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
