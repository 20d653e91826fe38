"""How long `import khal` and the frontend take.

    python benchmarks/compile_time.py [--runs N]

* import: `python -X importtime -c "import khal"` in fresh processes; the cumulative time of the
  `khal` package (median of N). Target: <= 150 ms.
* frontend: a ~50-line kernel -> verified khal IR (`khal.frontend.compiler.compile_kernel`, which
  parses the AST, builds the ops and verifies the module once); median of N warm runs, plus the
  first (cold) run; importing xDSL (once per process, on the first compile) is reported apart.
  Target: <= 30 ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import khal
import khal.std as ks
from khal import Array, Mat3, Vec3, f32, i32, u32


@khal.func
def wrap(x: f32, lo: f32, hi: f32) -> f32:
    span = hi - lo
    return x - span * ks.floor((x - lo) / span)


@khal.kernel(workgroup_size=64)
def nbody_step(pos: Array[Vec3], vel: Array[Vec3], mass: Array[f32], out: Array[Vec3], dt: f32, n: u32):
    i = ks.global_invocation_id().x
    if i >= n:
        return
    p = pos[i]
    acc = Vec3(0.0)
    tile = ks.workgroup_array(Vec3, 64)
    lid = ks.local_invocation_id().x
    for start in range(0, n, 64):
        j = start + lid
        if j < n:
            tile[lid] = pos[j]
        else:
            tile[lid] = Vec3(0.0)
        ks.workgroup_barrier()
        for k in range(64):
            if start + u32(k) >= n:
                break
            d = tile[k] - p
            r2 = ks.dot(d, d) + 1e-4
            inv = ks.rsqrt(r2)
            acc += d * (mass[start + u32(k)] * inv * inv * inv)
        ks.workgroup_barrier()
    v = vel[i] + acc * dt
    speed = ks.length(v)
    if speed > 10.0:
        v = v * (10.0 / speed)
    q = p + v * dt
    q.x = wrap(q.x, -100.0, 100.0)
    q.y = wrap(q.y, -100.0, 100.0)
    q.z = wrap(q.z, -100.0, 100.0)
    energy = 0.5 * mass[i] * ks.dot(v, v)
    steps = 0
    while energy > 1.0 and steps < 8:
        energy *= 0.5
        steps += 1
    if steps > 4 or energy < 0.0:
        v.y = -v.y
    m = Mat3(v, q, p)
    r = m @ Vec3(1.0, 0.0, 0.0)
    h = i32(i % 7)
    for c in range(3):
        if c == h:
            continue
        r[c] = r[c] * 0.5 + f32(c)
    if r.x > 1.0 and r.y < 2.0 or r.z == 0.0:
        r = r.zyx
    out[i] = q + r * 0.0
    vel[i] = v * ks.clamp(energy, 0.0, 1.0)
    pos[i] = ks.select(ks.isnan(q.x), p, q)


def import_time_ms(runs: int) -> float:
    """Median cumulative import time of the `khal` package, in fresh interpreters."""
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import khal"],
            capture_output=True,
            text=True,
            check=True,
        )
        for line in out.stderr.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == "khal":
                samples.append(int(parts[1]) / 1000)
    return statistics.median(samples)


def frontend_ms(runs: int) -> tuple[float, float, float]:
    """(import of the frontend and xDSL, first run, warm median) in milliseconds: kernel -> verified IR."""
    t0 = time.perf_counter()
    from khal.frontend.compiler import compile_kernel

    imported = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    compile_kernel(nbody_step)
    cold = (time.perf_counter() - t0) * 1000
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        compile_kernel(nbody_step)
        samples.append((time.perf_counter() - t0) * 1000)
    return imported, cold, statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    import inspect

    lines = len(inspect.getsource(nbody_step.pyfunc).splitlines())
    imp = import_time_ms(args.runs)
    imported, cold, warm = frontend_ms(args.runs)
    print(f"import khal:            {imp:7.1f} ms  (median of {args.runs}; target <= 150 ms)")
    print(
        f"frontend, {lines}-line kernel: {warm:6.1f} ms  (median of {args.runs} warm runs; target <= 30 ms)"
    )
    print(
        f"frontend, first run:    {cold:7.1f} ms  (after {imported:.0f} ms importing the frontend and xDSL)"
    )


if __name__ == "__main__":
    main()
