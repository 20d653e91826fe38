"""An array of `@khal.struct` particles updated in place, field by field: `ps[i].vel += ...`.

    python examples/particles_struct.py [N] [STEPS] [--backend cpu|cpu-parallel|webgpu|cuda]

Particles fall under gravity and bounce off the floor y = 0, losing energy. The host side is a numpy
structured array of `Particle.dtype` (numpy's aligned layout); the kernel writes individual fields of
`ps[i]`. Runs on `khal.default_backend()` (KHAL_BACKEND picks one), compares with numpy, exits 1 on a
mismatch.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from common import setup

import khal
import khal.std as ks
from khal import Array, Vec3, f32, u32


@khal.struct
class Particle:
    """One particle: its state and how often it has bounced."""

    pos: Vec3
    vel: Vec3
    bounces: u32


@khal.kernel(workgroup_size=64)
def step(ps: Array[Particle], gravity: Vec3, dt: f32, restitution: f32):
    i = ks.global_invocation_id().x
    if i < len(ps):
        ps[i].vel += gravity * dt  # a field of an array element, updated in place
        ps[i].pos += ps[i].vel * dt
        if ps[i].pos.y < 0.0:
            ps[i].pos.y = -ps[i].pos.y
            ps[i].vel.y = -ps[i].vel.y * restitution
            ps[i].bounces += 1


def step_numpy(ps: np.ndarray, gravity: np.ndarray, dt: float, restitution: float) -> None:
    """The same step on the structured array, in place."""
    f = np.float32
    ps["vel"] += gravity * f(dt)
    ps["pos"] += ps["vel"] * f(dt)
    below = ps["pos"][:, 1] < 0
    ps["pos"][below, 1] *= -1
    ps["vel"][below, 1] *= -f(restitution)
    ps["bounces"][below] += 1


def main(argv: list[str]) -> int:
    """Run STEPS steps on the device and in numpy; exit 1 if they differ."""
    args, backend = setup(__doc__, argv, [("n", 10_000, "particles"), ("steps", 200, "time steps")])
    n, steps = args.n, args.steps
    gravity, dt, restitution = np.array([0.0, -9.81, 0.0], np.float32), 0.01, 0.8
    rng = np.random.default_rng(0)
    host = np.zeros(n, dtype=Particle.dtype)  # aligned structured dtype, as the kernel sees it
    host["pos"] = rng.uniform(0.0, 2.0, (n, 3))
    host["vel"] = rng.uniform(-1.0, 1.0, (n, 3))

    ps = backend.init_buffer(host)
    khal.launch(step, 1, host[:1].copy(), gravity, dt, restitution, backend=backend)  # compile (or load) it
    start = time.perf_counter()
    encoder = backend.begin_encoding()
    with encoder.begin_pass("particles") as p:
        for _ in range(steps):
            step.call(p, n, ps, gravity, dt, restitution)  # calls in one pass run in order
    backend.submit(encoder)
    backend.synchronize()
    ms = (time.perf_counter() - start) * 1e3
    got = backend.slow_read_vec(ps)

    for _ in range(steps):
        step_numpy(host, gravity, dt, restitution)
    pos_err = float(np.abs(got["pos"] - host["pos"]).max())
    same_bounces = bool(np.array_equal(got["bounces"], host["bounces"]))
    ok = pos_err < 1e-3 and same_bounces
    print(f"particles on {backend.name}: {n} particles, {steps} steps, {ms:.2f} ms")
    print(f"  Particle.dtype itemsize {Particle.dtype.itemsize}, total bounces {int(got['bounces'].sum())}")
    print(f"  matches numpy: {ok} (max position error {pos_err:.1e}, bounce counts equal: {same_bounces})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
