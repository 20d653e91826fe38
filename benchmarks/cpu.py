"""CPU backend benchmark: khal against numba, NVIDIA Warp (CPU) and numpy, side by side.

    python benchmarks/cpu.py [--quick]

Prints one table of median times (after warm-up) and ratios:
- saxpy, 2^24 f32: `Cpu(parallel=True)` vs numba `njit(parallel=True)` + `prange`;
  `Cpu()` vs numpy and Warp's CPU.
- mandelbrot 1024x1024, 256 iterations: `Cpu(parallel=True)` vs numba parallel.
- one-workgroup `call` + `submit` overhead (µs) vs Warp's CPU `wp.launch`.
- cold compile of add_assign in a new process with an empty cache, `import khal` included, vs numba.

numba and warp-lang are benchmark-only dependencies (`pip install numba warp-lang`); a missing one is
reported in the table instead of timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import khal  # noqa: E402
import khal.std as ks  # noqa: E402
from khal import Array, f32, u32  # noqa: E402

SAXPY_N = 1 << 24
MANDEL_W = MANDEL_H = 1024
MANDEL_ITER = 256


@khal.kernel(workgroup_size=256)
def saxpy(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]


@khal.kernel(workgroup_size=(16, 16))
def mandelbrot(out: Array[u32], width: u32, height: u32, max_iter: u32):
    gid = ks.global_invocation_id()
    if gid.x < width and gid.y < height:
        cx = -2.0 + 3.0 * f32(gid.x) / f32(width)
        cy = -1.5 + 3.0 * f32(gid.y) / f32(height)
        x = 0.0
        y = 0.0
        i = u32(0)
        while i < max_iter:
            if x * x + y * y > 4.0:
                break
            xt = x * x - y * y + cx
            y = 2.0 * x * y + cy
            x = xt
            i += 1
        out[gid.y * width + gid.x] = i


@khal.kernel(workgroup_size=1)
def tiny(a: Array[f32], v: f32):
    i = ks.global_invocation_id().x
    if i < len(a):
        a[i] = v


def median_time(fn: Callable[[], Any], repeat: int, warmup: int = 2) -> float:
    """Median wall time of `fn()` in seconds, after `warmup` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def khal_call(backend: khal.Backend, kernel: Any, grid: Any, *args: Any) -> Callable[[], None]:
    """One encoder, one pass, one call, submit (the work is done when submit returns on the CPU)."""

    def run() -> None:
        enc = backend.begin_encoding()
        p = enc.begin_pass("bench")
        kernel.call(p, grid, *args)
        p.end()
        backend.submit(enc)
        backend.synchronize()

    return run


# --------------------------------------------------------------------------- reference implementations


def numba_kernels() -> dict[str, Any] | str:
    try:
        import numba
    except ImportError as e:
        return f"numba not installed ({e})"

    @numba.njit(parallel=True, fastmath=False)
    def saxpy_nb(y: np.ndarray, x: np.ndarray, alpha: np.float32) -> None:
        for i in numba.prange(y.shape[0]):
            y[i] = alpha * x[i] + y[i]

    @numba.njit(parallel=True)
    def mandel_nb(out: np.ndarray, width: int, height: int, max_iter: int) -> None:
        for py in numba.prange(height):
            for px in range(width):
                cx = np.float32(-2.0) + np.float32(3.0) * np.float32(px) / np.float32(width)
                cy = np.float32(-1.5) + np.float32(3.0) * np.float32(py) / np.float32(height)
                x = np.float32(0.0)
                y = np.float32(0.0)
                i = 0
                while i < max_iter:
                    if x * x + y * y > np.float32(4.0):
                        break
                    xt = x * x - y * y + cx
                    y = np.float32(2.0) * x * y + cy
                    x = xt
                    i += 1
                out[py * width + px] = i

    return {"saxpy": saxpy_nb, "mandel": mandel_nb, "threads": numba.get_num_threads()}


def warp_kernels() -> dict[str, Any] | str:
    try:
        import warp as wp
    except ImportError as e:
        return f"warp-lang not installed ({e})"
    try:
        wp.config.quiet = True
        wp.init()

        @wp.kernel
        def saxpy_wp(y: wp.array(dtype=wp.float32), x: wp.array(dtype=wp.float32), alpha: wp.float32):
            i = wp.tid()
            y[i] = alpha * x[i] + y[i]

        @wp.kernel
        def tiny_wp(a: wp.array(dtype=wp.float32), v: wp.float32):
            i = wp.tid()
            a[i] = v

        return {"wp": wp, "saxpy": saxpy_wp, "tiny": tiny_wp}
    except Exception as e:  # no CPU compiler, say
        return f"warp unavailable ({type(e).__name__}: {e})"


# --------------------------------------------------------------------------- cold compile


COLD_KHAL = textwrap.dedent(
    """
    import time
    t0 = time.perf_counter()
    import khal, khal.std as ks
    from khal import Array, f32

    @khal.kernel
    def add_assign(a: Array[f32], b: Array[f32]):
        tid = ks.global_invocation_id().x
        if tid < len(a):
            a[tid] += b[tid]

    from khal.compiler import compile
    compile(add_assign, "cpu")
    print(time.perf_counter() - t0)
    """
)

COLD_NUMBA = textwrap.dedent(
    """
    import time
    t0 = time.perf_counter()
    import numpy as np, numba

    @numba.njit(parallel=True)
    def add_assign(a, b):
        for i in numba.prange(a.shape[0]):
            a[i] += b[i]

    add_assign.compile("(float32[::1], float32[::1])")
    print(time.perf_counter() - t0)
    """
)


def cold_compile(script: str, runs: int, env: dict[str, str] | None = None) -> float:
    """Median in-process time of `script` (it prints its own time), each run a fresh process."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            run_env = {**os.environ, "KHAL_CACHE_DIR": cache, "NUMBA_CACHE_DIR": cache, **(env or {})}
            path = Path(cache) / "cold.py"  # a file: khal reads kernel source
            path.write_text(script)
            out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=run_env)
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-2000:])
            times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


# --------------------------------------------------------------------------- the table


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(
        self, what: str, khal_s: float | None, other: str, other_s: float | str | None, unit: str = "ms"
    ) -> None:
        scale = 1e3 if unit == "ms" else 1e6
        k = f"{khal_s * scale:9.2f} {unit}" if khal_s is not None else "n/a"
        if isinstance(other_s, str) or other_s is None:
            o, ratio = f"{other}: {other_s or 'n/a'}", ""
        else:
            o = f"{other} {other_s * scale:9.2f} {unit}"
            ratio = f"{other_s / khal_s:6.2f}x" if khal_s else ""
        self.rows.append((what, k, o, ratio))

    def print(self) -> None:
        header = ("benchmark", "khal", "reference", "ref/khal")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(4)]
        line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
        print(line)
        print("-+-".join("-" * w for w in widths))
        for r in self.rows:
            print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
        print("ref/khal > 1 means khal is faster.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    reps = 5 if args.quick else 15
    rng = np.random.default_rng(0)
    table = Table()
    seq, par = khal.Cpu(), khal.Cpu(parallel=True)
    nb = numba_kernels()
    wpk = warp_kernels()
    print(
        f"cores: {os.cpu_count()}, khal Cpu(parallel=True) threads: {par.threads}, "
        f"numba threads: {nb['threads'] if isinstance(nb, dict) else 'n/a'}"
    )

    # saxpy
    x_np = rng.standard_normal(SAXPY_N).astype(np.float32)
    y_np = rng.standard_normal(SAXPY_N).astype(np.float32)
    alpha = np.float32(0.5)
    times: dict[str, float] = {}
    for backend in (par, seq):
        x, y = backend.init_buffer(x_np), backend.init_buffer(y_np)
        times[backend.name] = median_time(khal_call(backend, saxpy, SAXPY_N, y, x, 0.5), reps)
    y_ref = y_np.copy()
    if isinstance(nb, dict):
        nb_t: float | str = median_time(lambda: nb["saxpy"](y_ref, x_np, alpha), reps)
    else:
        nb_t = nb
    table.add("saxpy 2^24 f32, Cpu(parallel=True)", times["cpu-parallel"], "numba parallel prange", nb_t)
    np_t = median_time(lambda: np.add(np.multiply(alpha, x_np), y_ref, out=y_ref), reps)
    table.add("saxpy 2^24 f32, Cpu()", times["cpu"], "numpy y += a*x", np_t)
    if isinstance(wpk, dict):
        wp = wpk["wp"]
        xw = wp.array(x_np, dtype=wp.float32, device="cpu")
        yw = wp.array(y_np, dtype=wp.float32, device="cpu")

        def warp_saxpy() -> None:
            wp.launch(wpk["saxpy"], dim=SAXPY_N, inputs=[yw, xw, 0.5], device="cpu")
            wp.synchronize_device("cpu")

        warp_t: float | str = median_time(warp_saxpy, reps)
    else:
        warp_t = wpk
    table.add("saxpy 2^24 f32, Cpu()", times["cpu"], "Warp CPU", warp_t)

    # mandelbrot
    out = par.uninit_buffer(MANDEL_W * MANDEL_H, np.uint32)
    mandel_k = median_time(
        khal_call(par, mandelbrot, (MANDEL_W, MANDEL_H), out, MANDEL_W, MANDEL_H, MANDEL_ITER),
        max(3, reps // 3),
    )
    out_nb = np.zeros(MANDEL_W * MANDEL_H, np.uint32)
    if isinstance(nb, dict):
        mandel_nb: float | str = median_time(
            lambda: nb["mandel"](out_nb, MANDEL_W, MANDEL_H, MANDEL_ITER), max(3, reps // 3)
        )
        agree = np.mean(par.slow_read_vec(out) == out_nb)
        print(f"mandelbrot: khal and numba agree on {agree:.4%} of pixels")
    else:
        mandel_nb = nb
    table.add("mandelbrot 1024^2 x256, Cpu(parallel=True)", mandel_k, "numba parallel", mandel_nb)
    seq_out = seq.uninit_buffer(MANDEL_W * MANDEL_H, np.uint32)
    mandel_seq = median_time(
        khal_call(seq, mandelbrot, (MANDEL_W, MANDEL_H), seq_out, MANDEL_W, MANDEL_H, MANDEL_ITER),
        max(3, reps // 3),
    )
    if isinstance(nb, dict):
        import numba

        numba.set_num_threads(1)
        mandel_nb1: float | str = median_time(
            lambda: nb["mandel"](out_nb, MANDEL_W, MANDEL_H, MANDEL_ITER), max(3, reps // 3)
        )
        numba.set_num_threads(nb["threads"])
    else:
        mandel_nb1 = nb
    table.add("mandelbrot 1024^2 x256, Cpu()", mandel_seq, "numba, 1 thread", mandel_nb1)

    # launch overhead: 1 workgroup of 1 invocation, call + submit
    import timeit

    one = seq.uninit_buffer(1, np.float32)
    run_tiny = khal_call(seq, tiny, 1, one, 1.0)
    run_tiny()
    number = 20000
    overhead = min(timeit.repeat(run_tiny, number=number, repeat=5)) / number

    class Tiny(khal.Shader):
        k = tiny

    bound = Tiny.from_backend(seq).k
    overhead_bound = min(timeit.repeat(khal_call(seq, bound, 1, one, 1.0), number=number, repeat=5)) / number
    if isinstance(wpk, dict):
        wp = wpk["wp"]
        aw = wp.zeros(1, dtype=wp.float32, device="cpu")

        def warp_tiny() -> None:
            wp.launch(wpk["tiny"], dim=1, inputs=[aw, 1.0], device="cpu")

        warp_tiny()
        warp_over: float | str = min(timeit.repeat(warp_tiny, number=number, repeat=5)) / number
    else:
        warp_over = wpk
    table.add("1-workgroup call+submit (kernel attr)", overhead, "Warp CPU wp.launch", warp_over, unit="us")
    table.add(
        "1-workgroup call+submit (Shader-bound)", overhead_bound, "Warp CPU wp.launch", warp_over, unit="us"
    )

    # cold compile
    runs = 3 if args.quick else 5
    cold_k = cold_compile(COLD_KHAL, runs)
    try:
        cold_nb: float | str = cold_compile(COLD_NUMBA, runs) if isinstance(nb, dict) else nb
    except RuntimeError as e:
        cold_nb = f"failed: {e}"
    table.add("cold compile add_assign (import incl.)", cold_k, "numba njit(parallel=True)", cold_nb)
    print()
    table.print()


if __name__ == "__main__":
    main()
