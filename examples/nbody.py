"""An all-pairs n-body simulation: `Vec3`, a `@khal.func`, a `khal.Shader`, several steps per submit.

    python examples/nbody.py [N] [STEPS] [--backend cpu|cpu-parallel|webgpu|cuda]

Each step is two kernels: `accelerations` (all pairs, through the device function `accel`) and
`integrate` (semi-implicit Euler). All STEPS are recorded in one encoder, each in its own pass timed
with `khal.Timestamps`, and submitted once. The result is compared with the same steps in numpy.
Runs on `khal.default_backend()` (KHAL_BACKEND picks one); exits 1 on a mismatch.
"""

from __future__ import annotations

import sys

import numpy as np
from common import setup

import khal
import khal.std as ks
from khal import Array, Vec3, f32

SOFTENING = 0.01  # a Python constant: compiled into the kernel as an f32 literal


@khal.func
def accel(pi: Vec3, pj: Vec3, mj: f32) -> Vec3:
    """The acceleration of a body at `pi` towards one of mass `mj` at `pj` (G = 1)."""
    d = pj - pi
    inv = ks.rsqrt(ks.dot(d, d) + SOFTENING)
    return d * (mj * inv * inv * inv)


@khal.kernel(workgroup_size=64)
def accelerations(pos: Array[Vec3], mass: Array[f32], acc: Array[Vec3]):
    i = ks.global_invocation_id().x
    if i < len(pos):
        p = pos[i]
        a = Vec3(0.0, 0.0, 0.0)
        for j in range(len(pos)):
            a += accel(p, pos[j], mass[j])
        acc[i] = a


@khal.kernel(workgroup_size=64)
def integrate(pos: Array[Vec3], vel: Array[Vec3], acc: Array[Vec3], dt: f32):
    i = ks.global_invocation_id().x
    if i < len(pos):
        v = vel[i] + acc[i] * dt
        vel[i] = v
        pos[i] += v * dt


class NBody(khal.Shader):
    """The simulation's kernels, compiled once per backend."""

    accelerations = accelerations
    integrate = integrate


def simulate_numpy(pos: np.ndarray, vel: np.ndarray, mass: np.ndarray, dt: float, steps: int) -> np.ndarray:
    """The same steps in float64 numpy; returns the final positions."""
    pos, vel = pos.astype(np.float64), vel.astype(np.float64)
    for _ in range(steps):
        d = pos[None, :, :] - pos[:, None, :]  # d[i, j] = pos[j] - pos[i]
        inv = 1.0 / np.sqrt((d * d).sum(-1) + SOFTENING)
        acc = (d * (mass[None, :] * inv**3)[..., None]).sum(1)
        vel = vel + acc * dt
        pos = pos + vel * dt
    return pos


def main(argv: list[str]) -> int:
    """Simulate, compare with numpy, print the per-pass times; exit 1 on a mismatch."""
    args, backend = setup(__doc__, argv, [("n", 1000, "bodies"), ("steps", 4, "time steps")])
    n, steps = args.n, args.steps
    dt = 0.001
    rng = np.random.default_rng(0)
    pos_np = rng.standard_normal((n, 3), dtype=np.float32)  # Array[Vec3] is numpy (n, 3) float32
    vel_np = 0.1 * rng.standard_normal((n, 3), dtype=np.float32)
    mass_np = rng.uniform(0.5, 1.5, n).astype(np.float32) / n

    kernels = NBody.from_backend(backend)  # compiles (or loads from the cache) both kernels
    pos, vel, mass = backend.init_buffer(pos_np), backend.init_buffer(vel_np), backend.init_buffer(mass_np)
    acc = backend.uninit_buffer(n, Vec3)
    timestamps = khal.Timestamps(backend, capacity=2 * steps)

    encoder = backend.begin_encoding()
    for step in range(steps):
        with encoder.begin_pass(f"step {step}", timestamps) as p:
            kernels.accelerations.call(p, n, pos, mass, acc)
            kernels.integrate.call(p, n, pos, vel, acc, dt)
    backend.submit(encoder)
    times = timestamps.read()  # waits for the work, then [(label, ms), ...]

    got = backend.slow_read_vec(pos)
    expected = simulate_numpy(pos_np, vel_np, mass_np, dt, steps)
    err = float(np.abs(got - expected).max())
    ok = err < 1e-4
    print(f"nbody on {backend.name}: {n} bodies, {steps} steps")
    for label, ms in times:
        print(f"  {label}: {ms:.2f} ms")
    print(f"  matches numpy: {ok} (max position error {err:.2e}, at most 1e-4 allowed)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
