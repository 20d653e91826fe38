"""CUDA backend benchmark: khal against the driver, torch, Triton and CuPy, side by side in one run.

    python benchmarks/cuda.py [--quick]

Prints one table (value, unit, ratio to the row's reference) of:
- saxpy 2^26 f32, GB/s counting reads and writes: khal vs a device-to-device copy (cuMemcpyDtoDAsync:
  the bandwidth limit), torch `add_`, Triton, CUDA C through CuPy's RawKernel;
- tiled matmul 4096^2 f32, GFLOP/s: khal vs the same algorithm (16x16 tiles in shared memory) in CUDA C
  through CuPy's RawKernel (the results are compared too);
- host cost of one `call` of a 4-argument kernel inside a pass, plus its share of `submit` (µs), vs a
  raw `cuLaunchKernel` from cuda-bindings (arguments as a (values, ctypes types) tuple, and as a ready
  kernelParams address);
- cold compile of saxpy for CUDA in a new process, `import khal` included, with `KHAL_NO_CACHE=1` and
  Python's bytecode cached as after a pip install (ms).

torch, triton and cupy are optional: a missing one is reported in the table instead of timed.
Needs a CUDA device (`khal.Cuda()`); ends within a minute on an H200.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = str(HERE.parent)
# This file's folder must not be on the path: `import cuda` (cuda-python) would find this file.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, ROOT)  # this checkout's khal, here and in the cold-compile processes

import khal  # noqa: E402
import khal.std as ks  # noqa: E402
from khal import Array, f32, u32  # noqa: E402

SAXPY_N = 1 << 26
MATMUL_N = 4096
TILE = 16
CALLS = 2000


def saxpy_source(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]


saxpy = khal.kernel(workgroup_size=256)(saxpy_source)


@khal.kernel(workgroup_size=64)
def axpby(y: Array[f32], x: Array[f32], a: f32, b: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = a * x[i] + b * y[i]


@khal.kernel(workgroup_size=(TILE, TILE))
def matmul(a: Array[f32], b: Array[f32], c: Array[f32], m: u32, n: u32, k: u32):
    gid = ks.global_invocation_id()
    lid = ks.local_invocation_id()
    row = gid.y
    col = gid.x
    a_tile = ks.workgroup_array(f32, TILE * TILE)
    b_tile = ks.workgroup_array(f32, TILE * TILE)
    acc = 0.0
    tiles = (k + (TILE - 1)) // TILE
    for t in range(tiles):
        ka = t * TILE + lid.x
        a_tile[lid.y * TILE + lid.x] = a[row * k + ka] if row < m and ka < k else 0.0
        kb = t * TILE + lid.y
        b_tile[lid.y * TILE + lid.x] = b[kb * n + col] if kb < k and col < n else 0.0
        ks.workgroup_barrier()
        for j in range(TILE):
            acc += a_tile[lid.y * TILE + u32(j)] * b_tile[u32(j) * TILE + lid.x]
        ks.workgroup_barrier()
    if row < m and col < n:
        c[row * n + col] = acc


CUDA_C = r"""
#define T 16
extern "C" __global__ void saxpy(float* y, const float* x, float a, unsigned long long n) {
    unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
extern "C" __global__ void matmul(const float* a, const float* b, float* c,
                                  unsigned m, unsigned n, unsigned k) {
    __shared__ float at[T * T];
    __shared__ float bt[T * T];
    unsigned row = blockIdx.y * T + threadIdx.y, col = blockIdx.x * T + threadIdx.x;
    float acc = 0.0f;
    unsigned tiles = (k + T - 1) / T;
    for (unsigned t = 0; t < tiles; t++) {
        unsigned ka = t * T + threadIdx.x;
        at[threadIdx.y * T + threadIdx.x] = (row < m && ka < k) ? a[row * k + ka] : 0.0f;
        unsigned kb = t * T + threadIdx.y;
        bt[threadIdx.y * T + threadIdx.x] = (kb < k && col < n) ? b[kb * n + col] : 0.0f;
        __syncthreads();
        for (int j = 0; j < T; j++) acc += at[threadIdx.y * T + j] * bt[j * T + threadIdx.x];
        __syncthreads();
    }
    if (row < m && col < n) c[row * n + col] = acc;
}
"""


def best_time(run: Callable[[], Any], sync: Callable[[], Any], repeat: int, inner: int) -> float:
    """The best wall time of `inner` runs (seconds per run), after one untimed warm-up."""
    run()
    sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            run()
        sync()
        times.append((time.perf_counter() - start) / inner)
    return min(times)


def host_time(run: Callable[[], Any], sync: Callable[[], Any], repeat: int) -> float:
    """The best host time of `run` (seconds), the device's work waited for outside the clock."""
    run()
    sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        sync()
    return min(times)


Row = tuple[str, float | None, str, str]  # name, value (None: not measured), unit, reference row or note


# --------------------------------------------------------------------------- saxpy


def saxpy_rows(gpu: Any, repeat: int, inner: int) -> list[Row]:
    driver = gpu._driver  # cuda.bindings.driver
    n = SAXPY_N
    rng = np.random.default_rng(1)
    x_np = rng.standard_normal(n, dtype=np.float32)
    y_np = rng.standard_normal(n, dtype=np.float32)
    rows: list[Row] = []
    saxpy_bytes = 3 * 4 * n  # read x, read y, write y
    x, y = gpu.init_buffer(x_np), gpu.init_buffer(y_np)

    def copy() -> None:
        (err,) = driver.cuMemcpyDtoDAsync(y.ptr, x.ptr, 4 * n, gpu._stream)
        assert not err, err

    t = best_time(copy, gpu.synchronize, repeat, inner)
    rows.append(("saxpy 2^26: device copy (cuMemcpyDtoD)", 2 * 4 * n / t / 1e9, "GB/s", "copy"))
    y = gpu.init_buffer(y_np)

    def khal_saxpy() -> None:
        enc = gpu.begin_encoding()
        with enc.begin_pass("saxpy") as p:
            saxpy.call(p, n, y, x, 0.5)
        gpu.submit(enc)

    t = best_time(khal_saxpy, gpu.synchronize, repeat, inner)
    label = f"saxpy 2^26: khal ({gpu.coarsen} workgroups per block)"
    rows.append((label, saxpy_bytes / t / 1e9, "GB/s", "copy"))
    expected = y_np + np.float32(0.5) * x_np * (1 + repeat * inner)  # warm-up + timed runs
    ok = np.allclose(gpu.slow_read_vec(y), expected, rtol=1e-3, atol=1e-3)
    if not ok:
        rows.append(("saxpy 2^26: khal result", None, "", "MISMATCH against numpy"))
    default = gpu.coarsen
    for factor in sorted({1, 2, 8} - {default}):  # what the coarsening buys (KHAL_CUDA_COARSEN)
        gpu.coarsen = factor
        kernel = khal.kernel(workgroup_size=256)(saxpy_source)  # a new kernel: a new plan

        def run(kernel: Any = kernel) -> None:
            enc = gpu.begin_encoding()
            with enc.begin_pass("saxpy") as p:
                kernel.call(p, n, y, x, 0.5)
            gpu.submit(enc)

        t = best_time(run, gpu.synchronize, repeat, inner)
        gpu.coarsen = default
        label = f"saxpy 2^26: khal, {factor} workgroup(s) per block"
        rows.append((label, saxpy_bytes / t / 1e9, "GB/s", "copy"))
    rows += torch_rows(n, x_np, y_np, saxpy_bytes, repeat, inner)
    rows += cupy_saxpy_row(n, x_np, y_np, saxpy_bytes, repeat, inner)
    return rows


def torch_rows(n: int, x_np: np.ndarray, y_np: np.ndarray, nbytes: int, repeat: int, inner: int) -> list[Row]:
    try:
        import torch
    except ImportError as e:
        return [("saxpy 2^26: torch add_", None, "", f"n/a ({e})")]
    if not torch.cuda.is_available():
        return [("saxpy 2^26: torch add_", None, "", "n/a (torch without CUDA)")]
    x = torch.from_numpy(x_np).cuda()
    y = torch.from_numpy(y_np).cuda()
    t = best_time(lambda: y.add_(x, alpha=0.5), torch.cuda.synchronize, repeat, inner)
    rows: list[Row] = [("saxpy 2^26: torch add_", nbytes / t / 1e9, "GB/s", "copy")]
    try:
        import triton
        import triton.language as tl
    except ImportError as e:
        return [*rows, ("saxpy 2^26: Triton", None, "", f"n/a ({e})")]

    @triton.jit
    def triton_saxpy(y_ptr, x_ptr, a, n, BLOCK: tl.constexpr):  # noqa: N803 - Triton's spelling
        offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        mask = offs < n
        xv = tl.load(x_ptr + offs, mask=mask)
        yv = tl.load(y_ptr + offs, mask=mask)
        tl.store(y_ptr + offs, a * xv + yv, mask=mask)

    grid = (triton.cdiv(n, 1024),)
    t = best_time(lambda: triton_saxpy[grid](y, x, 0.5, n, BLOCK=1024), torch.cuda.synchronize, repeat, inner)
    rows.append(("saxpy 2^26: Triton", nbytes / t / 1e9, "GB/s", "copy"))
    return rows


def cupy_module() -> Any:
    import cupy as cp

    return cp.RawModule(code=CUDA_C)


def cupy_saxpy_row(
    n: int, x_np: np.ndarray, y_np: np.ndarray, nbytes: int, repeat: int, inner: int
) -> list[Row]:
    try:
        import cupy as cp

        kernel = cupy_module().get_function("saxpy")
    except Exception as e:  # ImportError, or no NVRTC
        return [("saxpy 2^26: CUDA C (CuPy RawKernel)", None, "", f"n/a ({type(e).__name__}: {e})")]
    x, y = cp.asarray(x_np), cp.asarray(y_np)
    blocks = (n + 255) // 256
    sync = cp.cuda.get_current_stream().synchronize

    def run() -> None:
        kernel((blocks,), (256,), (y, x, np.float32(0.5), np.uint64(n)))

    t = best_time(run, sync, repeat, inner)
    return [("saxpy 2^26: CUDA C (CuPy RawKernel)", nbytes / t / 1e9, "GB/s", "copy")]


# --------------------------------------------------------------------------- matmul


def matmul_rows(gpu: Any, repeat: int) -> list[Row]:
    n = MATMUL_N
    rng = np.random.default_rng(2)
    a_np = rng.standard_normal((n, n), dtype=np.float32)
    b_np = rng.standard_normal((n, n), dtype=np.float32)
    a, b = gpu.init_buffer(a_np.ravel()), gpu.init_buffer(b_np.ravel())
    c = gpu.uninit_buffer(n * n, np.float32)
    flops = 2.0 * n**3
    groups = khal.Workgroups((n // TILE, n // TILE))

    def run() -> None:
        enc = gpu.begin_encoding()
        with enc.begin_pass("matmul") as p:
            matmul.call(p, groups, a, b, c, n, n, n)
        gpu.submit(enc)

    t = best_time(run, gpu.synchronize, repeat, 1)
    rows: list[Row] = [("matmul 4096^2 f32: khal (16x16 tiles)", flops / t / 1e9, "GFLOP/s", "CUDA C")]
    khal_c = gpu.slow_read_vec(c)
    try:
        import cupy as cp

        kernel = cupy_module().get_function("matmul")
    except Exception as e:
        return [
            *rows,
            ("matmul 4096^2 f32: CUDA C (CuPy RawKernel)", None, "", f"n/a ({type(e).__name__}: {e})"),
        ]
    ca, cb = cp.asarray(a_np), cp.asarray(b_np)
    cc = cp.empty((n, n), dtype=cp.float32)
    sync = cp.cuda.get_current_stream().synchronize

    def run_cupy() -> None:
        kernel((n // TILE, n // TILE), (TILE, TILE), (ca, cb, cc, np.uint32(n), np.uint32(n), np.uint32(n)))

    t = best_time(run_cupy, sync, repeat, 1)
    rows.insert(0, ("matmul 4096^2 f32: CUDA C (CuPy RawKernel)", flops / t / 1e9, "GFLOP/s", "CUDA C"))
    if not np.allclose(khal_c.reshape(n, n), cp.asnumpy(cc), rtol=1e-3, atol=1e-2):
        rows.append(("matmul 4096^2 f32: khal result", None, "", "MISMATCH against CUDA C"))
    return rows


# --------------------------------------------------------------------------- host cost per call


def host_cost_rows(gpu: Any, repeat: int) -> list[Row]:
    driver = gpu._driver  # cuda.bindings.driver
    y, x = gpu.uninit_buffer(64, np.float32), gpu.uninit_buffer(64, np.float32)
    plan = gpu._plan(axpby)

    def encode_and_submit() -> None:
        enc = gpu.begin_encoding()
        p = enc.begin_pass("calls")
        for _ in range(CALLS):
            axpby.call(p, 64, y, x, 0.5, 0.25)
        p.end()
        gpu.submit(enc)

    t = host_time(encode_and_submit, gpu.synchronize, repeat) / CALLS
    rows: list[Row] = [("host cost: khal call + share of submit (4 args)", t * 1e6, "us", "raw launch")]

    def record_only() -> None:  # an encoder never submitted: nothing runs
        enc = gpu.begin_encoding()
        p = enc.begin_pass("record only")
        for _ in range(CALLS):
            axpby.call(p, 64, y, x, 0.5, 0.25)
        p.end()

    record = host_time(record_only, lambda: None, repeat) / CALLS
    rows.append(("host cost: khal call alone (recording)", record * 1e6, "us", "raw launch"))

    # The function khal launches for this grid (a small one: the kernel as written, not coarsened).
    prepared = plan.record(64, (y, x, 0.5, 0.25))
    function, address, stream = prepared[0], prepared[7], gpu._stream
    values = (y.ptr, len(y), x.ptr, len(x), 0.5, 0.25)
    types = (
        ctypes.c_void_p,
        ctypes.c_uint64,
        ctypes.c_void_p,
        ctypes.c_uint64,
        ctypes.c_float,
        ctypes.c_float,
    )
    launch = driver.cuLaunchKernel

    def raw_tuple() -> None:
        for _ in range(CALLS):
            launch(function, 1, 1, 1, 64, 1, 1, 0, stream, (values, types), 0)

    t = host_time(raw_tuple, gpu.synchronize, repeat) / CALLS
    rows.insert(0, ("host cost: raw cuLaunchKernel, (values, types)", t * 1e6, "us", "raw launch"))

    def raw_address() -> None:
        for _ in range(CALLS):
            launch(function, 1, 1, 1, 64, 1, 1, 0, stream, address, 0)

    t = host_time(raw_address, gpu.synchronize, repeat) / CALLS
    rows.append(("host cost: raw cuLaunchKernel, kernelParams address", t * 1e6, "us", "raw launch"))
    return rows


# --------------------------------------------------------------------------- cold compile

COLD = """
import time
start = time.perf_counter()
import khal, khal.std as ks
from khal import Array, f32
from khal.compiler import compile_kernel

@khal.kernel(workgroup_size=256)
def saxpy(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]

ptx = compile_kernel(saxpy, "cuda").artifact.asm["ptx"]
assert ".entry saxpy" in ptx
print(time.perf_counter() - start)
"""


def cold_compile_row(repeat: int) -> Row:
    # No compile cache; Python's bytecode cache allowed, as for any pip-installed package (pip compiles
    # it at install); the first, untimed run writes it where the checkout has none yet.
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "KHAL_NO_CACHE": "1",
        "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "cold_saxpy.py"  # a file: the frontend reads the kernel's source
        script.write_text(COLD)
        subprocess.run([sys.executable, str(script)], env=env, capture_output=True, check=False)
        for _ in range(repeat):
            command = [sys.executable, str(script)]
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if out.returncode:
                raise RuntimeError(f"the cold compile failed: {out.stderr.strip().splitlines()[-1:]}")
            times.append(float(out.stdout.strip().splitlines()[-1]))
    return (
        "cold compile of saxpy for CUDA (new process, import included)",
        statistics.median(times) * 1e3,
        "ms",
        "",
    )


# --------------------------------------------------------------------------- the table


REFERENCES = {
    "copy": "saxpy 2^26: device copy (cuMemcpyDtoD)",
    "CUDA C": "matmul 4096^2 f32: CUDA C (CuPy RawKernel)",
    "raw launch": "host cost: raw cuLaunchKernel, (values, types)",
}
"""Each group's reference row: the others' ratio is to it (none where it was not measured)."""


def print_table(rows: list[Row]) -> None:
    """Each row with its ratio to its group's reference row (`REFERENCES`)."""
    values = {name: value for name, value, _, _ in rows if value is not None}
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'value':>10}  {'unit':<8}  ratio")
    for name, value, unit, group in rows:
        if value is None:
            print(f"{name:<{width}}  {'':>10}  {'':<8}  {group}")
            continue
        reference = values.get(REFERENCES.get(group, ""))
        ratio = f"{value / reference:.3f} x {group}" if reference else ""
        print(f"{name:<{width}}  {value:>10.2f}  {unit:<8}  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = parser.parse_args()
    repeat, inner = (2, 3) if args.quick else (5, 10)
    start = time.perf_counter()
    parts: list[Callable[[], list[Row]]] = []
    try:
        gpu = khal.Cuda()
        print(f"{gpu!r}, driver {gpu.driver_version}, {gpu.multiprocessors} SMs")
        parts += [
            lambda: saxpy_rows(gpu, repeat, inner),
            lambda: matmul_rows(gpu, repeat),
            lambda: host_cost_rows(gpu, repeat),
        ]
    except khal.BackendUnavailable as e:
        print(f"no CUDA device: only the compile is measured ({e})")
    parts.append(lambda: [cold_compile_row(3)])
    rows: list[Row] = []
    for part in parts:
        try:
            rows += part()
        except Exception as e:  # one failing part must not hide the others' numbers
            rows.append(("(a part failed)", None, "", f"{type(e).__name__}: {e}"))
    print_table(rows)
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
