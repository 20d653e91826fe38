"""WebGPU backend benchmark: khal's SPIR-V against the same kernels hand-written in WGSL, one wgpu device.

    python benchmarks/webgpu.py [--quick] [--n LOG2] [--matmul N] [--adapter NAME]

Prints one table, side by side in one run (WGSL through the very device khal opened):
- saxpy, 2^LOG2 f32 (default 2^26, capped at the device's storage binding size): GB/s counting
  reads and writes, khal vs WGSL; a device-to-device copy of the same bytes as the bandwidth anchor;
- a 16x16-tiled matmul N x N (default 1024): GFLOP/s, khal vs WGSL (the same algorithm);
- host cost of one `call` inside an open pass vs raw wgpu set_pipeline + set_bind_group + dispatch
  (khal's with the same arguments each time, with two values alternating, and with a new value each call);
- host cost of begin_encoding + pass + call + submit vs raw wgpu (new encoder, pass, set_pipeline,
  set_bind_group, dispatch, end, finish, submit).

Device times (the `timing` column): where the adapter has `timestamp-query`, the GPU time of N
dispatches (or copies) between two timestamps in one submission, divided by N (`gpu ts`); else the
wall time of such a submission, waited for (`wall`: it includes the submit and poll latency). Every
buffer is touched by warm-up submissions first (WebGPU zero-fills a fresh buffer lazily, on its first
use). Copies sit outside passes: they are timed with `write_timestamp` on the command encoder where
the device has `timestamp-query-inside-encoders`, else by wall time. Each figure is the median of
interleaved repetitions. Host costs (`host`) are wall times of the Python thread, the fastest of
many short interleaved blocks.

saxpy uses a 1-D grid (2^26 elements are 262144 workgroups, past the 65535 per dimension: the
runtime folds the grid) where the runtime can fold this kernel's grid, else a 2-D grid of workgroups
(the table says which); the WGSL reference always indexes a 2-D grid the same way, and runs on khal's
very buffers (x, y), so that only the shaders differ.

`--quick` (2^22 elements, 256^3 matmul, fewer repetitions) runs in about a minute on lavapipe.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, ROOT)  # this checkout's khal

import khal  # noqa: E402
import khal.std as ks  # noqa: E402
from khal import Array, f32, u32  # noqa: E402

WG = 256
TILE = 16


@khal.kernel(workgroup_size=WG)
def saxpy(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]


@khal.kernel(workgroup_size=WG)
def saxpy_2d(y: Array[f32], x: Array[f32], alpha: f32):
    # A 2-D grid of workgroups (x fastest), so that 2^26 elements need no more than 65535 per dimension.
    i = (ks.workgroup_id().y * ks.num_workgroups().x + ks.workgroup_id().x) * u32(
        WG
    ) + ks.local_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]


@khal.kernel(workgroup_size=(TILE, TILE))
def matmul(a: Array[f32], b: Array[f32], c: Array[f32], n: u32):
    lid = ks.local_invocation_id()
    row = ks.workgroup_id().y * u32(TILE) + lid.y
    col = ks.workgroup_id().x * u32(TILE) + lid.x
    a_tile = ks.workgroup_array(f32, TILE * TILE)
    b_tile = ks.workgroup_array(f32, TILE * TILE)
    acc = 0.0
    for t in range(n // u32(TILE)):
        a_tile[lid.y * u32(TILE) + lid.x] = a[row * n + t * u32(TILE) + lid.x]
        b_tile[lid.y * u32(TILE) + lid.x] = b[(t * u32(TILE) + lid.y) * n + col]
        ks.workgroup_barrier()
        for j in range(TILE):
            acc += a_tile[lid.y * u32(TILE) + u32(j)] * b_tile[u32(j) * u32(TILE) + lid.x]
        ks.workgroup_barrier()
    c[row * n + col] = acc


@khal.kernel(workgroup_size=1)
def tiny(a: Array[f32], v: f32):
    if ks.global_invocation_id().x < len(a):
        a[0] = v


SAXPY_WGSL = f"""
struct Params {{ alpha: f32 }}
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@compute @workgroup_size({WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {{
    let i = (wid.y * nw.x + wid.x) * {WG}u + lid.x;
    if (i < arrayLength(&y)) {{ y[i] = p.alpha * x[i] + y[i]; }}
}}
"""

MATMUL_WGSL = f"""
struct Params {{ n: u32 }}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
var<workgroup> a_tile: array<f32, {TILE * TILE}>;
var<workgroup> b_tile: array<f32, {TILE * TILE}>;
@compute @workgroup_size({TILE}, {TILE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {{
    let n = p.n;
    let row = wid.y * {TILE}u + lid.y;
    let col = wid.x * {TILE}u + lid.x;
    var acc = 0.0;
    for (var t = 0u; t < n / {TILE}u; t++) {{
        a_tile[lid.y * {TILE}u + lid.x] = a[row * n + t * {TILE}u + lid.x];
        b_tile[lid.y * {TILE}u + lid.x] = b[(t * {TILE}u + lid.y) * n + col];
        workgroupBarrier();
        for (var j = 0u; j < {TILE}u; j++) {{
            acc += a_tile[lid.y * {TILE}u + j] * b_tile[j * {TILE}u + lid.x];
        }}
        workgroupBarrier();
    }}
    c[row * n + col] = acc;
}}
"""

TINY_WGSL = """
struct Params { v: f32 }
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) g: vec3<u32>) { if (g.x < arrayLength(&a)) { a[0] = p.v; } }
"""


# --------------------------------------------------------------------------- raw wgpu


class Wgsl:
    """One WGSL kernel on a wgpu device: pipeline (auto layout) and a bind group of given buffers."""

    def __init__(self, device: Any, code: str, buffers: list[Any], uniform: bytes):
        import wgpu

        self.device = device
        self.pipeline = device.create_compute_pipeline(
            layout="auto", compute={"module": device.create_shader_module(code=code), "entry_point": "main"}
        )
        ubuf = device.create_buffer_with_data(
            data=uniform + bytes(16 - len(uniform)),
            usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_SRC,
        )
        entries = [
            {"binding": i, "resource": {"buffer": b, "offset": 0, "size": b.size}}
            for i, b in enumerate([*buffers, ubuf])
        ]
        self.group = device.create_bind_group(layout=self.pipeline.get_bind_group_layout(0), entries=entries)
        self.uniform = ubuf

    def record(self, cpass: Any, counts: tuple[int, int, int]) -> None:
        cpass.set_pipeline(self.pipeline)
        cpass.set_bind_group(0, self.group)
        cpass.dispatch_workgroups(*counts)

    def run(self, counts: tuple[int, int, int], repeat: int, clock: DeviceClock) -> float:
        """Seconds of `repeat` dispatches in one pass (GPU time where `clock` has timestamps)."""
        enc = self.device.create_command_encoder()
        cpass = enc.begin_compute_pass(timestamp_writes=clock.pass_writes())
        for _ in range(repeat):
            self.record(cpass, counts)
        cpass.end()
        return clock.submit(enc)


# --------------------------------------------------------------------------- timing


class DeviceClock:
    """Times one submission of raw wgpu work: two GPU timestamps where the device has them, else wall.

    `pass_writes()` goes to `begin_compute_pass(timestamp_writes=...)`; `begin(enc)`/`end(enc)`
    bracket work outside passes (copies) with `write_timestamp` where the device allows it in an
    encoder. `submit(enc)` submits, waits, and returns seconds.
    """

    def __init__(self, backend: Any):
        import wgpu

        self.device = backend.device
        self.gpu = "timestamp-query" in backend.features
        self.in_encoder = self.gpu and "timestamp-query-inside-encoders" in backend.features
        self.period = backend.timestamp_period  # ns per tick
        self.kind = "gpu ts" if self.gpu else "wall"
        self.t0 = 0.0
        if self.gpu:
            self.queries = self.device.create_query_set(type="timestamp", count=2)
            self.resolved = self.device.create_buffer(
                size=256, usage=wgpu.BufferUsage.QUERY_RESOLVE | wgpu.BufferUsage.COPY_SRC
            )

    def pass_writes(self) -> dict[str, Any] | None:
        if not self.gpu:
            return None
        return {"query_set": self.queries, "beginning_of_pass_write_index": 0, "end_of_pass_write_index": 1}

    def begin(self, enc: Any, index: int = 0) -> None:
        """A timestamp in the encoder (outside passes), where the device has that feature."""
        if self.in_encoder:
            from wgpu.backends.wgpu_native.extras import write_timestamp

            write_timestamp(enc, self.queries, index)

    def end(self, enc: Any) -> None:
        self.begin(enc, 1)

    def submit(self, enc: Any, timed: bool = True) -> float:
        """Submit `enc`, wait; seconds between the two timestamps (or of the whole submission)."""
        if self.gpu and timed:
            enc.resolve_query_set(self.queries, 0, 2, self.resolved, 0)
        queue = self.device.queue
        t0 = time.perf_counter()
        queue.submit([enc.finish()])
        if not (self.gpu and timed):
            self.device._poll_wait()  # wgpuDevicePoll(wait): returns once the queue is empty
            return time.perf_counter() - t0
        ticks = np.frombuffer(queue.read_buffer(self.resolved, 0, 16), dtype=np.uint64)
        return float(np.int64(ticks[1] - ticks[0])) * self.period * 1e-9


def khal_run(backend: Any, kernel: Any, grid: Any, args: tuple[Any, ...], repeat: int) -> Callable[[], float]:
    """Seconds of one submission of `repeat` calls of `kernel` in one pass: its timed pass's GPU time
    (khal.Timestamps) where the device has timestamp queries, else the wall time, waited for."""
    gpu = "timestamp-query" in backend.features
    ts = khal.Timestamps(backend, capacity=2)

    def run() -> float:
        enc = backend.begin_encoding()
        t0 = time.perf_counter()
        with enc.begin_pass("bench", ts if gpu else None) as p:
            for _ in range(repeat):
                kernel.call(p, grid, *args)
        backend.submit(enc).wait()
        if not gpu:
            return time.perf_counter() - t0
        ((_, ms),) = ts.read()
        ts.reset()
        return ms * 1e-3

    return run


def device_times(fns: list[Callable[[], float]], repeat: int, warmup_s: float = 1.0) -> list[float]:
    """Median of the seconds each function reports, measured in turn, the order rotated each round
    (a, b, c; b, c, a; c, a, b; ...) so that none always runs right after the same one.

    Each runs once, then all in turn for `warmup_s` seconds before timing. Without that warm-up and
    the rotation, the first benchmark of a process on the H200 twice timed khal's saxpy (then always
    first in a round, right after the copy) at 0.66x of the WGSL timed in the same rounds; every later
    run gave 1.000x.
    """
    for fn in fns:
        fn()  # also touches every buffer (WebGPU zero-fills a fresh one on its first use)
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    n = len(fns)
    for r in range(repeat):
        for k in range(n):
            i = (r + k) % n
            times[i].append(fns[i]())
    return [statistics.median(ts) for ts in times]


def grid_2d(total: int) -> tuple[int, int, int]:
    """Workgroup counts (x, y, 1) covering `total` workgroups, x at most 65535."""
    x = min(total, 32768)
    return (x, -(-total // x), 1)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(
        self,
        what: str,
        khal_v: float,
        other: str,
        other_v: float,
        unit: str,
        higher_better: bool,
        timing: str = "host",
    ) -> None:
        ratio = khal_v / other_v if higher_better else other_v / khal_v
        self.rows.append(
            (what, timing, f"{khal_v:10.2f} {unit}", f"{other} {other_v:10.2f} {unit}", f"{ratio:6.3f}x")
        )

    def print(self) -> None:
        header = ("benchmark", "timing", "khal", "reference", "khal speed / ref")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(len(header))]
        print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
        print("-+-".join("-" * w for w in widths))
        for r in self.rows:
            print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        print("khal speed / ref >= 1 means khal is as fast or faster (for host costs: ref time / khal time).")


# --------------------------------------------------------------------------- the benchmarks


def saxpy_launch(backend: Any, n: int) -> tuple[Any, Any, str]:
    """(kernel, grid, what): the 1-D saxpy where the runtime folds its grid, else the 2-D one."""
    if -(-n // WG) <= backend.limits["max-compute-workgroups-per-dimension"]:
        return saxpy, n, "1-D grid"
    y, x = backend.uninit_buffer(1, np.float32), backend.uninit_buffer(1, np.float32)
    enc = backend.begin_encoding()  # recorded, never submitted: only whether the call is accepted
    try:
        with enc.begin_pass("probe") as p:
            saxpy.call(p, n, y, x, 1.0)
    except ValueError:  # this runtime cannot fold the grid of this kernel (the error names the limit)
        return saxpy_2d, khal.Workgroups(grid_2d(-(-n // WG))), "2-D grid"
    return saxpy, n, "1-D grid, folded"


def bench_saxpy(
    backend: Any, table: Table, log2: int, reps: int, inner: int, rng: np.random.Generator
) -> None:
    import wgpu

    limit = backend.limits["max-storage-buffer-binding-size"]
    n = min(1 << log2, limit // 4 // WG * WG)
    x_np = rng.standard_normal(n, dtype=np.float32)
    y_np = rng.standard_normal(n, dtype=np.float32)
    x, y = backend.init_buffer(x_np), backend.init_buffer(y_np)
    kernel, grid, shape = saxpy_launch(backend, n)
    run_khal = khal_run(backend, kernel, grid, (y, x, 1.0), inner)
    run_khal()  # correctness once, before timing (and the warm-up of khal's buffers)
    ref = y_np + inner * x_np
    np.testing.assert_allclose(backend.slow_read_vec(y), ref, rtol=1e-5, atol=1e-4)
    usage = wgpu.BufferUsage
    device = backend.device
    # The WGSL kernel runs on khal's very buffers: only the shaders differ. (On the H200, the same WGSL
    # on two pairs of its own buffers differed by up to 0.05%, as much as khal's SPIR-V from the WGSL:
    # scripts/diag_saxpy.py.)
    wx, wy = x._gpu, y._gpu
    dst = device.create_buffer(size=4 * n, usage=usage.STORAGE | usage.COPY_DST)
    clock = DeviceClock(backend)
    wgsl = Wgsl(device, SAXPY_WGSL, [wy, wx], np.float32(1.0).tobytes())
    counts = grid_2d(-(-n // WG))

    def copy() -> float:
        enc = device.create_command_encoder()
        clock.begin(enc)
        for _ in range(inner):
            enc.copy_buffer_to_buffer(wx, 0, dst, 0, 4 * n)
        clock.end(enc)
        return clock.submit(enc, timed=clock.in_encoder)

    # device_times' warm-up runs each once first: every buffer is touched before timing.
    t_khal, t_wgsl, t_copy = device_times([run_khal, lambda: wgsl.run(counts, inner, clock), copy], reps)
    gbs = 3 * 4 * n / 1e9 * inner  # read x and y, write y
    label = f"saxpy 2^{n.bit_length() - 1} f32" if n & (n - 1) == 0 else f"saxpy {n} f32"
    table.add(f"{label} ({shape})", gbs / t_khal, "WGSL", gbs / t_wgsl, "GB/s", True, clock.kind)
    copy_gbs = 2 * 4 * n / 1e9 * inner
    copy_kind = "gpu ts" if clock.in_encoder else "wall"
    timing = clock.kind if copy_kind == clock.kind else f"{clock.kind}/{copy_kind}"
    table.add(f"{label} vs copy", gbs / t_khal, "d2d copy", copy_gbs / t_copy, "GB/s", True, timing)


def bench_matmul(backend: Any, table: Table, n: int, reps: int, inner: int, rng: np.random.Generator) -> None:
    import wgpu

    a_np = rng.standard_normal((n, n), dtype=np.float32)
    b_np = rng.standard_normal((n, n), dtype=np.float32)
    a, b = backend.init_buffer(a_np.ravel()), backend.init_buffer(b_np.ravel())
    c = backend.uninit_buffer(n * n, np.float32)
    counts = (n // TILE, n // TILE, 1)
    run_khal = khal_run(backend, matmul, khal.Workgroups(counts), (a, b, c, n), inner)
    run_khal()
    np.testing.assert_allclose(backend.slow_read_vec(c).reshape(n, n), a_np @ b_np, rtol=1e-3, atol=1e-2)
    usage = wgpu.BufferUsage.STORAGE
    wa = backend.device.create_buffer_with_data(data=a_np, usage=usage)
    wb = backend.device.create_buffer_with_data(data=b_np, usage=usage)
    wc = backend.device.create_buffer(size=4 * n * n, usage=usage)
    clock = DeviceClock(backend)
    wgsl = Wgsl(backend.device, MATMUL_WGSL, [wa, wb, wc], np.uint32(n).tobytes())
    t_khal, t_wgsl = device_times([run_khal, lambda: wgsl.run(counts, inner, clock)], reps)
    flops = 2 * n**3 / 1e9 * inner
    table.add(
        f"matmul {n}^3 tiled {TILE}x{TILE}",
        flops / t_khal,
        "WGSL",
        flops / t_wgsl,
        "GFLOP/s",
        True,
        clock.kind,
    )


def per_call(fns: list[Callable[[int], float]], number: int, repeat: int) -> list[float]:
    """Per-iteration seconds of each `fn(number)` (which returns its own elapsed time): the fastest of
    `repeat` interleaved blocks, the one least disturbed by other work on the machine (as `timeit`
    advises for host costs; on a shared machine the median swings by 3x from run to run)."""
    blocks: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, bs in zip(fns, blocks, strict=True):
            bs.append(fn(number) / number)
    return [min(bs) for bs in blocks]


def bench_host(backend: Any, table: Table, number: int, repeat: int) -> None:
    a = backend.uninit_buffer(1, np.float32)
    device = backend.device
    raw = Wgsl(device, TINY_WGSL, [a._gpu], np.float32(1.0).tobytes())
    one = (1, 1, 1)

    counter = itertools.count(1)  # exact in f32 below 2^24 calls

    def fresh(k: int) -> list[float]:
        """k values no earlier call passed (an earlier submit's values would share its uploaded slots)."""
        return [float(next(counter)) for _ in range(k)]

    def in_pass_khal(given: list[float] | Callable[[int], list[float]], mask: int) -> Callable[[int], float]:
        def run(k: int) -> float:
            values = given(k) if callable(given) else given
            enc = backend.begin_encoding()
            p = enc.begin_pass("host")
            call = tiny.call
            t0 = time.perf_counter()
            for i in range(k):
                call(p, 1, a, values[i & mask])
            t = time.perf_counter() - t0
            p.end()
            backend.submit(enc).wait()
            return t

        return run

    def in_pass_raw(k: int) -> float:
        enc = device.create_command_encoder()
        cpass = enc.begin_compute_pass()
        pipeline, group = raw.pipeline, raw.group
        t0 = time.perf_counter()
        for _ in range(k):
            cpass.set_pipeline(pipeline)
            cpass.set_bind_group(0, group)
            cpass.dispatch_workgroups(1, 1, 1)
        t = time.perf_counter() - t0
        cpass.end()
        device.queue.submit([enc.finish()])
        device.queue.read_buffer(raw.uniform)
        return t

    same, alternating, new, t_raw = per_call(
        [
            in_pass_khal([1.0, 1.0], 1),
            in_pass_khal([1.0, 2.0], 1),
            in_pass_khal(fresh, -1),
            in_pass_raw,
        ],
        number,
        repeat,
    )
    table.add(
        "call in a pass (same args)", same * 1e6, "raw set_pipeline+bind+dispatch", t_raw * 1e6, "us", False
    )
    raw_what = "raw set_pipeline+bind+dispatch"
    table.add("call in a pass (2 values, alternating)", alternating * 1e6, raw_what, t_raw * 1e6, "us", False)
    table.add("call in a pass (a new value each call)", new * 1e6, raw_what, t_raw * 1e6, "us", False)

    def submit_khal(k: int) -> float:
        t0 = time.perf_counter()
        for _ in range(k):
            enc = backend.begin_encoding()
            p = enc.begin_pass("host")
            tiny.call(p, 1, a, 1.0)
            p.end()
            backend.submit(enc)
        backend.synchronize()
        return time.perf_counter() - t0

    def submit_raw(k: int) -> float:
        queue = device.queue
        t0 = time.perf_counter()
        for _ in range(k):
            enc = device.create_command_encoder()
            cpass = enc.begin_compute_pass()
            raw.record(cpass, one)
            cpass.end()
            queue.submit([enc.finish()])
        queue.read_buffer(raw.uniform)
        return time.perf_counter() - t0

    t_khal, t_raw = per_call([submit_khal, submit_raw], max(1, number // 10), repeat)
    table.add("encode+pass+call+submit", t_khal * 1e6, "raw wgpu", t_raw * 1e6, "us", False)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, few repetitions (lavapipe: < 1 min)"
    )
    parser.add_argument("--n", type=int, default=None, help="saxpy size as a power of two (default 26)")
    parser.add_argument(
        "--matmul", type=int, default=None, help="matmul size, a multiple of 16 (default 1024)"
    )
    parser.add_argument("--adapter", default=None, help="part of the adapter's name (default: wgpu's choice)")
    args = parser.parse_args()
    log2 = args.n or (22 if args.quick else 26)
    mm = args.matmul or (256 if args.quick else 1024)
    reps = 4 if args.quick else 10
    inner = 2 if args.quick else 20  # dispatches (copies) per timed submission
    backend = khal.WebGpu(adapter=args.adapter)
    print(f"adapter: {backend.adapter_name}")
    rng = np.random.default_rng(0)
    table = Table()
    bench_saxpy(backend, table, log2, reps, inner, rng)
    bench_matmul(backend, table, mm, reps, max(1, inner // 4), rng)
    # Many short blocks, interleaved: the fastest is the least disturbed by a busy machine.
    bench_host(backend, table, 1000 if args.quick else 5000, 15 if args.quick else 21)
    table.print()


if __name__ == "__main__":
    main()
