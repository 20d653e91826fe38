"""Where the last fraction of the folded saxpy's gap to WGSL comes from (diagnostic, not a benchmark).

    python scripts/diag_saxpy.py [--n LOG2]

Times, interleaved in one run (GPU timestamps, median of repetitions, GB/s counting 3 accesses):
- khal's saxpy on khal's buffers (as benchmarks/webgpu.py);
- the WGSL saxpy on its own buffers, on a second pair of its own buffers (the A/A spread), and on khal's
  buffers (the same memory as khal: placement is then no difference);
- the WGSL saxpy reading its length from the uniform block as khal does, instead of `arrayLength`;
and the bandwidth anchors: `copy_buffer_to_buffer` (timestamps in the encoder, and the wall time of a
long batch) and a WGSL copy kernel.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bench_webgpu", ROOT / "benchmarks" / "webgpu.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
khal = bench.khal
WG = bench.WG

SAXPY_UNIFORM_LEN = bench.SAXPY_WGSL.replace("alpha: f32 }", "alpha: f32, n: u32 }").replace(
    "arrayLength(&y)", "p.n"
)

COPY_WGSL = f"""
@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<uniform> unused: vec4<u32>;
@compute @workgroup_size({WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {{
    let i = (wid.y * nw.x + wid.x) * {WG}u + lid.x;
    if (i < arrayLength(&dst) && unused.x == 0u) {{ dst[i] = src[i]; }}
}}
"""


def main() -> None:
    import wgpu

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=26)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    n, inner = 1 << args.n, 20
    backend = khal.WebGpu()
    print(f"adapter: {backend.adapter_name}")
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal(n, dtype=np.float32)
    y_np = rng.standard_normal(n, dtype=np.float32)
    x, y = backend.init_buffer(x_np), backend.init_buffer(y_np)
    kernel, grid, shape = bench.saxpy_launch(backend, n)
    device = backend.device
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC | wgpu.BufferUsage.COPY_DST

    def pair():
        return (
            device.create_buffer_with_data(data=y_np, usage=usage),
            device.create_buffer_with_data(data=x_np, usage=usage),
        )

    (wy1, wx1), (wy2, wx2) = pair(), pair()
    alpha = np.float32(1.0).tobytes()
    clock = bench.DeviceClock(backend)
    counts = bench.grid_2d(-(-n // WG))
    w1 = bench.Wgsl(device, bench.SAXPY_WGSL, [wy1, wx1], alpha)
    w2 = bench.Wgsl(device, bench.SAXPY_WGSL, [wy2, wx2], alpha)
    wk = bench.Wgsl(device, bench.SAXPY_WGSL, [y._gpu, x._gpu], alpha)
    wu = bench.Wgsl(device, SAXPY_UNIFORM_LEN, [wy1, wx1], alpha + np.uint32(n).tobytes())
    dst = device.create_buffer(size=4 * n, usage=usage)
    wc = bench.Wgsl(device, COPY_WGSL, [dst, wx1], bytes(16))

    def copy_ts() -> float:
        enc = device.create_command_encoder()
        clock.begin(enc)
        for _ in range(inner):
            enc.copy_buffer_to_buffer(wx1, 0, dst, 0, 4 * n)
        clock.end(enc)
        return clock.submit(enc, timed=clock.in_encoder)

    def copy_wall() -> float:
        enc = device.create_command_encoder()
        for _ in range(inner):
            enc.copy_buffer_to_buffer(wx1, 0, dst, 0, 4 * n)
        t0 = time.perf_counter()
        device.queue.submit([enc.finish()])
        device._poll_wait()
        return time.perf_counter() - t0

    def copy_wall_ping() -> float:  # alternate directions, no write-after-write on one buffer
        enc = device.create_command_encoder()
        for k in range(inner):
            a, b = (wx2, dst) if k % 2 == 0 else (dst, wx2)
            enc.copy_buffer_to_buffer(a, 0, b, 0, 4 * n)
        t0 = time.perf_counter()
        device.queue.submit([enc.finish()])
        device._poll_wait()
        return time.perf_counter() - t0

    runs = {
        f"khal saxpy ({shape})": bench.khal_run(backend, kernel, grid, (y, x, 1.0), inner),
        "WGSL saxpy, own buffers": lambda: w1.run(counts, inner, clock),
        "WGSL saxpy, 2nd own buffers": lambda: w2.run(counts, inner, clock),
        "WGSL saxpy, khal's buffers": lambda: wk.run(counts, inner, clock),
        "WGSL saxpy, uniform length": lambda: wu.run(counts, inner, clock),
    }
    copies = {
        "WGSL copy kernel": lambda: wc.run(counts, inner, clock),
        "copy_buffer_to_buffer (encoder ts)": copy_ts,
        "copy_buffer_to_buffer (wall)": copy_wall,
        "copy_buffer_to_buffer ping-pong (wall)": copy_wall_ping,
    }
    for _ in range(2):  # the second round is the one at full clocks on a fresh machine
        times = bench.device_times([*runs.values(), *copies.values()], args.reps)
        base = 3 * 4 * n / 1e9 * inner / times[1]
        for name, t in zip(runs, times, strict=False):
            gbs = 3 * 4 * n / 1e9 * inner / t
            print(f"{name:40s} {gbs:9.1f} GB/s  {gbs / base:6.4f}x WGSL")
        for name, t in zip(copies, times[len(runs) :], strict=True):
            print(f"{name:40s} {2 * 4 * n / 1e9 * inner / t:9.1f} GB/s (read + write)")
        print()


if __name__ == "__main__":
    main()
