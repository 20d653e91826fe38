"""An inclusive prefix sum (scan) of u32s: block scans in workgroup memory, then the block sums.

    python examples/prefix_scan.py [N] [--backend cpu|cpu-parallel|webgpu|cuda]

Three passes in one encoder: `scan_blocks` scans each workgroup's 256 values (Hillis-Steele: log2(256)
steps, two barriers each, in a uniform `while` loop) and writes the block's total; the same kernel
scans the block totals (one workgroup, so N <= 256 * 256); `add_offsets` adds each block's offset.
Integers wrap like numpy's uint32, so the check against `np.cumsum` is exact. Exits 1 on a mismatch.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from common import setup

import khal
import khal.std as ks
from khal import Array, u32

WG = 256


@khal.kernel(workgroup_size=WG)
def scan_blocks(data: Array[u32], out: Array[u32], sums: Array[u32]):
    tile = ks.workgroup_array(u32, WG)
    lid = ks.local_invocation_id().x
    gid = ks.global_invocation_id().x
    tile[lid] = data[gid] if gid < len(data) else u32(0)
    ks.workgroup_barrier()
    offset = u32(1)
    while offset < WG:  # uniform: every invocation takes the same steps
        v = tile[lid] + (tile[lid - offset] if lid >= offset else u32(0))
        ks.workgroup_barrier()  # every read of this step before any write
        tile[lid] = v
        ks.workgroup_barrier()
        offset *= 2
    if gid < len(out):
        out[gid] = tile[lid]
    if lid == WG - 1:
        sums[ks.workgroup_id().x] = tile[lid]


@khal.kernel(workgroup_size=WG)
def add_offsets(out: Array[u32], scanned_sums: Array[u32]):
    gid = ks.global_invocation_id().x
    block = ks.workgroup_id().x
    if gid < len(out) and block > 0:
        out[gid] += scanned_sums[block - 1]


class Scan(khal.Shader):
    """The scan's kernels, compiled together."""

    scan_blocks = scan_blocks
    add_offsets = add_offsets


def main(argv: list[str]) -> int:
    """Scan N random u32s; compare with numpy; exit 1 on a mismatch."""
    args, backend = setup(__doc__, argv, [("n", 50_000, f"elements, at most {WG * WG}")])
    n = args.n
    if not 0 < n <= WG * WG:
        print(f"N must be in 1..{WG * WG}")
        return 2
    blocks = (n + WG - 1) // WG
    kernels = Scan.from_backend(backend)
    data_np = np.random.default_rng(0).integers(0, 2**32, n, dtype=np.uint32)
    data, out = backend.init_buffer(data_np), backend.uninit_buffer(n, u32)
    sums, scanned, total = (backend.uninit_buffer(k, u32) for k in (blocks, blocks, 1))

    def run() -> None:
        encoder = backend.begin_encoding()
        with encoder.begin_pass("scan") as p:
            kernels.scan_blocks.call(p, n, data, out, sums)
            kernels.scan_blocks.call(p, blocks, sums, scanned, total)  # one workgroup
            kernels.add_offsets.call(p, n, out, scanned)
        backend.submit(encoder)
        backend.synchronize()

    run()
    start = time.perf_counter()
    run()
    ms = (time.perf_counter() - start) * 1e3
    got = backend.slow_read_vec(out)
    expected = np.cumsum(data_np, dtype=np.uint32)  # wraps modulo 2**32, as the kernel does
    ok = bool(np.array_equal(got, expected))
    print(f"prefix_scan on {backend.name}: n = {n}, {blocks} blocks, {ms:.2f} ms")
    print(f"  matches numpy: {ok} (last {int(got[-1])}, numpy {int(expected[-1])})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
