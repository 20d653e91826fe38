"""Sum an array in two passes: a workgroup-memory tree reduction, then a reduction of the partial sums.

    python examples/reduction.py [N] [--backend cpu|cpu-parallel|webgpu|cuda]

Pass 1 gives each workgroup of 256 invocations one partial sum, reduced in workgroup memory with a
`while stride > 0` loop and `workgroup_barrier()` between the steps. Pass 2 runs the same kernel on the
partial sums (one workgroup, as long as N <= 256 * 256); both are recorded in one encoder. Runs on
`khal.default_backend()` (KHAL_BACKEND=cpu|cpu-parallel|cuda|webgpu picks one) and exits 1 if the sum
differs from numpy's.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from common import setup

import khal
import khal.std as ks
from khal import Array, f32, u32

WG = 256


@khal.kernel(workgroup_size=WG)
def reduce_sum(data: Array[f32], partial: Array[f32]):
    shared = ks.workgroup_array(f32, WG)
    lid = ks.local_invocation_id().x
    gid = ks.global_invocation_id().x
    shared[lid] = data[gid] if gid < len(data) else 0.0  # the last workgroup may be partial
    ks.workgroup_barrier()
    stride = u32(WG // 2)
    while stride > 0:
        if lid < stride:
            shared[lid] += shared[lid + stride]
        ks.workgroup_barrier()  # every invocation reaches it: the loop is uniform
        stride = stride // 2
    if lid == 0:
        partial[ks.workgroup_id().x] = shared[0]


def main(argv: list[str]) -> int:
    """Reduce N random floats on the device, compare with numpy; exit 1 on a mismatch."""
    args, backend = setup(__doc__, argv, [("n", 60_001, "how many floats to sum")])
    n = args.n
    groups = (n + WG - 1) // WG
    if groups > WG:
        print(f"N must be at most {WG * WG} for two passes")
        return 2
    data_np = np.random.default_rng(0).random(n, dtype=np.float32)
    data = backend.init_buffer(data_np)
    partial = backend.uninit_buffer(groups, f32)
    total = backend.uninit_buffer(1, f32)

    def run() -> None:
        encoder = backend.begin_encoding()
        with encoder.begin_pass("partial sums") as p:
            reduce_sum.call(p, n, data, partial)  # one partial sum per workgroup
        with encoder.begin_pass("total") as p:
            reduce_sum.call(p, groups, partial, total)  # one workgroup sums the partial sums
        backend.submit(encoder)
        backend.synchronize()

    run()  # the first run compiles (or loads from the cache)
    start = time.perf_counter()
    run()
    ms = (time.perf_counter() - start) * 1e3
    got = float(backend.slow_read_vec(total)[0])
    expected = float(data_np.astype(np.float64).sum())
    ok = abs(got - expected) <= 1e-5 * abs(expected)
    print(f"reduce_sum on {backend.name}: n = {n}, {groups} workgroups, then 1; {ms:.2f} ms")
    print(f"  khal sum = {got:.6e}, numpy float64 sum = {expected:.6e}")
    print(f"  matches numpy (rel. tol. 1e-5): {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
