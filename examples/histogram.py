"""A 256-bin histogram of bytes: per-workgroup counts in workgroup memory, merged with atomics.

    python examples/histogram.py [N] [--backend cpu|cpu-parallel|webgpu|cuda]

Each workgroup zeroes its 256 counters, counts its invocations' values with `atomic_add` on
workgroup memory (cheap, contended only inside the group), then adds its counters to the global
bins with one `atomic_add` per bin. The counts must equal `np.bincount` exactly. Exits 1 otherwise.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from common import setup

import khal
import khal.std as ks
from khal import Array, u32

BINS = 256
WG = 256  # one counter per invocation to zero and merge


@khal.kernel(workgroup_size=WG)
def histogram(data: Array[u32], bins: Array[u32]):
    local = ks.workgroup_array(u32, BINS)
    lid = ks.local_invocation_id().x
    local[lid] = u32(0)
    ks.workgroup_barrier()
    i = ks.global_invocation_id().x
    if i < len(data):
        ks.atomic_add(local, data[i] % BINS, u32(1))
    ks.workgroup_barrier()
    if local[lid] != 0:
        ks.atomic_add(bins, lid, local[lid])


def main(argv: list[str]) -> int:
    """Count N random bytes (a skewed distribution: some bins hot); compare with numpy."""
    args, backend = setup(__doc__, argv, [("n", 1 << 20, "values")])
    n = args.n
    rng = np.random.default_rng(0)
    data_np = np.minimum(rng.exponential(40, n), BINS - 1).astype(np.uint32)  # hot low bins
    data = backend.init_buffer(data_np)
    bins = backend.uninit_buffer(BINS, u32)

    def run() -> None:
        backend.write_buffer(bins, 0, np.zeros(BINS, np.uint32))
        encoder = backend.begin_encoding()
        with encoder.begin_pass("histogram") as p:
            histogram.call(p, n, data, bins)
        backend.submit(encoder)
        backend.synchronize()

    run()
    start = time.perf_counter()
    run()
    ms = (time.perf_counter() - start) * 1e3
    got = backend.slow_read_vec(bins)
    expected = np.bincount(data_np, minlength=BINS).astype(np.uint32)
    ok = bool(np.array_equal(got, expected))
    print(f"histogram on {backend.name}: n = {n}, {BINS} bins, {ms:.2f} ms")
    print(f"  fullest bin {int(got.argmax())} holds {int(got.max())}; total {int(got.sum())}")
    print(f"  matches numpy: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
