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

ROOT = str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, ROOT)  # this checkout's khal, here and in the cold-compile processes

import khal  # noqa: E402
import khal.std as ks  # noqa: E402
from khal import Array, f32, u32  # noqa: E402

SAXPY_N = 1 << 24
SMALL_N = 1 << 18
MANDEL_W = MANDEL_H = 1024
MANDEL_ITER = 256
# Untimed calls at the start of each block of `paired` (GNU OpenMP spins ~ 10 ms after a loop).
WARM_SECONDS = 0.05


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
    return paired([fn], repeat, warmup)[0]


def paired(fns: list[Callable[[], Any]], repeat: int, warmup: int = 2, block: int = 3) -> list[float]:
    """Median wall times of several functions measured in turn, in blocks (a a a, b b b, a a a, ...).

    Taking turns gives each the same share of whatever else the machine is doing (it is shared), so the
    ratios hold when absolute times drift. Each block starts with untimed calls for WARM_SECONDS: the
    one before may leave threads spinning (numba's OpenMP threads spin for a while after a parallel
    loop) or cores idle, which would otherwise slow or speed whoever runs next.
    """
    for fn in fns:
        for _ in range(warmup):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(-(-repeat // block)):
        for fn, ts in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            while time.perf_counter() - start < WARM_SECONDS:
                fn()
            for _ in range(block):
                t0 = time.perf_counter()
                fn()
                ts.append(time.perf_counter() - t0)
    return [statistics.median(ts) for ts in times]


def per_call(fns: list[Callable[[], Any]], number: int = 20000, repeat: int = 7) -> list[float]:
    """Per-call time of cheap functions: median over `repeat` interleaved blocks of `number` calls."""
    import timeit

    blocks: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, bs in zip(fns, blocks, strict=True):
            bs.append(timeit.timeit(fn, number=number) / number)
    return [statistics.median(bs) for bs in blocks]


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


def cold_compile(scripts: list[str], runs: int) -> list[float]:
    """Median in-process time of each script (it prints its own time), each run a fresh process with an
    empty cache; the scripts take turns."""
    times: list[list[float]] = [[] for _ in scripts]
    for _ in range(runs):
        for script, ts in zip(scripts, times, strict=True):
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "KHAL_CACHE_DIR": cache, "NUMBA_CACHE_DIR": cache}
                env["PYTHONPATH"] = os.pathsep.join([ROOT, *filter(None, [env.get("PYTHONPATH")])])
                env.pop("KHAL_NO_CACHE", None)
                path = Path(cache) / "cold.py"  # a file: khal reads kernel source
                path.write_text(script)
                out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env)
                if out.returncode != 0:
                    raise RuntimeError(out.stderr[-2000:])
                ts.append(float(out.stdout.strip().splitlines()[-1]))
    return [statistics.median(ts) for ts in times]


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
    tp = f"{par.threads}T"
    tn = f"{nb['threads']}T" if isinstance(nb, dict) else ""
    print(
        f"cores: {os.cpu_count()}, khal Cpu(parallel=True) threads: {par.threads}, "
        f"numba threads: {nb['threads'] if isinstance(nb, dict) else 'n/a'}, load average: {os.getloadavg()}"
    )

    # saxpy: khal and each reference run in turn
    x_np = rng.standard_normal(SAXPY_N).astype(np.float32)
    y_np = rng.standard_normal(SAXPY_N).astype(np.float32)
    alpha = np.float32(0.5)
    runs = {
        b.name: khal_call(b, saxpy, SAXPY_N, b.init_buffer(y_np), b.init_buffer(x_np), 0.5)
        for b in (par, seq)
    }
    y_ref = y_np.copy()
    if isinstance(nb, dict):
        k_t, nb_t = paired([runs["cpu-parallel"], lambda: nb["saxpy"](y_ref, x_np, alpha)], reps)
        table.add(f"saxpy 2^24 f32, Cpu(parallel=True) {tp}", k_t, f"numba parallel prange {tn}", nb_t)
    else:
        table.add(
            f"saxpy 2^24 f32, Cpu(parallel=True) {tp}", median_time(runs["cpu-parallel"], reps), "numba", nb
        )
    # a small grid: what a parallel dispatch costs (waking the pool, waiting for it)
    xs, ys = x_np[:SMALL_N], y_np[:SMALL_N].copy()
    small = khal_call(par, saxpy, SMALL_N, par.init_buffer(ys), par.init_buffer(xs), 0.5)
    if isinstance(nb, dict):
        k_t, nb_t = paired([small, lambda: nb["saxpy"](ys, xs, alpha)], reps * 20)
        table.add(f"saxpy 2^18 f32, Cpu(parallel=True) {tp}", k_t, f"numba parallel prange {tn}", nb_t, "us")
    else:
        table.add(
            f"saxpy 2^18 f32, Cpu(parallel=True) {tp}", median_time(small, reps * 20), "numba", nb, "us"
        )
    k_t, np_t = paired([runs["cpu"], lambda: np.add(np.multiply(alpha, x_np), y_ref, out=y_ref)], reps)
    table.add("saxpy 2^24 f32, Cpu()", k_t, "numpy y += a*x", np_t)
    if isinstance(wpk, dict):
        wp = wpk["wp"]
        xw = wp.array(x_np, dtype=wp.float32, device="cpu")
        yw = wp.array(y_np, dtype=wp.float32, device="cpu")

        def warp_saxpy() -> None:
            wp.launch(wpk["saxpy"], dim=SAXPY_N, inputs=[yw, xw, 0.5], device="cpu")
            wp.synchronize_device("cpu")

        k_t, warp_t = paired([runs["cpu"], warp_saxpy], reps)
        table.add("saxpy 2^24 f32, Cpu()", k_t, "Warp CPU", warp_t)
    else:
        table.add("saxpy 2^24 f32, Cpu()", median_time(runs["cpu"], reps), "Warp CPU", wpk)

    # mandelbrot
    m_reps = max(3, reps // 2)
    grid = (MANDEL_W, MANDEL_H)
    out = par.uninit_buffer(MANDEL_W * MANDEL_H, np.uint32)
    seq_out = seq.uninit_buffer(MANDEL_W * MANDEL_H, np.uint32)
    mandel_par = khal_call(par, mandelbrot, grid, out, MANDEL_W, MANDEL_H, MANDEL_ITER)
    mandel_seq = khal_call(seq, mandelbrot, grid, seq_out, MANDEL_W, MANDEL_H, MANDEL_ITER)
    if isinstance(nb, dict):
        import numba

        out_nb = np.zeros(MANDEL_W * MANDEL_H, np.uint32)

        def numba_threads(n: int) -> Callable[[], None]:
            def run() -> None:
                numba.set_num_threads(n)
                nb["mandel"](out_nb, MANDEL_W, MANDEL_H, MANDEL_ITER)

            return run

        k_t, nb_t = paired([mandel_par, numba_threads(nb["threads"])], m_reps)
        agree = np.mean(par.slow_read_vec(out) == out_nb)
        print(f"mandelbrot: khal and numba agree on {agree:.4%} of pixels")
        table.add(f"mandelbrot 1024^2 x256, Cpu(parallel=True) {tp}", k_t, f"numba parallel {tn}", nb_t)
        k_t, nb_t = paired([mandel_seq, numba_threads(1)], m_reps)
        numba.set_num_threads(nb["threads"])
        table.add("mandelbrot 1024^2 x256, Cpu()", k_t, "numba, 1 thread", nb_t)
    else:
        table.add(
            f"mandelbrot 1024^2 x256, Cpu(parallel=True) {tp}", median_time(mandel_par, m_reps), "numba", nb
        )

    # launch overhead: 1 workgroup of 1 invocation through call + submit
    one = seq.uninit_buffer(1, np.float32)

    class Tiny(khal.Shader):
        k = tiny

    bound = Tiny.from_backend(seq).k
    fns = [khal_call(seq, tiny, 1, one, 1.0), khal_call(seq, bound, 1, one, 1.0)]
    if isinstance(wpk, dict):
        wp = wpk["wp"]
        aw = wp.zeros(1, dtype=wp.float32, device="cpu")
        fns.append(lambda: wp.launch(wpk["tiny"], dim=1, inputs=[aw, 1.0], device="cpu"))
    for fn in fns:
        fn()
    times = per_call(fns)
    warp_over: float | str = times[2] if isinstance(wpk, dict) else wpk
    table.add("1-workgroup call+submit (kernel attr)", times[0], "Warp CPU wp.launch", warp_over, unit="us")
    table.add("1-workgroup call+submit (Shader-bound)", times[1], "Warp CPU wp.launch", warp_over, unit="us")

    # cold compile, khal and numba in turn
    cold_runs = 3 if args.quick else 7
    if isinstance(nb, dict):
        try:
            cold_k, cold_nb = cold_compile([COLD_KHAL, COLD_NUMBA], cold_runs)
            table.add("cold compile add_assign (import incl.)", cold_k, "numba njit(parallel=True)", cold_nb)
        except RuntimeError as e:
            table.add("cold compile add_assign (import incl.)", None, "failed", str(e)[-200:])
    else:
        (cold_k,) = cold_compile([COLD_KHAL], cold_runs)
        table.add("cold compile add_assign (import incl.)", cold_k, "numba", nb)
    print(f"load average after: {os.getloadavg()}")
    print()
    table.print()


if __name__ == "__main__":
    main()
