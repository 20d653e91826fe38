"""Barriers inside loops, workgroup sizes from 1 to the language's maximum (1024 invocations),
1-D/2-D/3-D grids, grids past 65535 workgroups in each dimension, and (opt-in: KHAL_BIG_TESTS=1)
a buffer past 2**31 bytes."""

from __future__ import annotations

import os

import numpy as np
import pytest
from conformance_kernels import WG_LOOP, barrier_rotate, big_buffer_tail, grid_ids_3d, wide_grid
from harness import Failures, get_backend, load_source, results
from workgroup_source import workgroup_kernel_source

import khal
from khal.kernel import MAX_WORKGROUP_INVOCATIONS


@pytest.mark.parametrize("rounds, inner", [(0, 1), (1, 1), (2, 3), (5, 2)])
def test_barriers_inside_loops(backend_name: str, rng: np.random.Generator, rounds: int, inner: int) -> None:
    groups = 7
    data = rng.integers(-1000, 1000, groups * WG_LOOP).astype(np.float32)
    v = data.reshape(groups, WG_LOOP).copy()
    for _ in range(rounds):
        for _ in range(inner):
            v = np.roll(v, -1, axis=1) + np.float32(1)
        if rounds > 2:
            v = v[:, ::-1].copy()
    failures = Failures()
    args = [data, np.zeros_like(data), rounds, inner]
    for label, got in results(backend_name, barrier_rotate, len(data), args).items():
        failures.compare(got[1], v.ravel(), what=f"barrier_rotate({rounds}, {inner}) on {label}")
    failures.check()


SHAPES = [(1, 1, 1), (2, 1, 1), (3, 1, 1), (7, 1, 1), (32, 1, 1), (100, 1, 1), (256, 1, 1)]
SHAPES += [(MAX_WORKGROUP_INVOCATIONS, 1, 1), (8, 8, 1), (3, 5, 7), (1, 1, 64), (32, 32, 1), (16, 8, 8)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_workgroup_sizes(backend_name: str, rng: np.random.Generator, shape: tuple[int, int, int]) -> None:
    x, y, z = shape
    n = x * y * z
    kernel = getattr(load_source(workgroup_kernel_source(shape), f"wg_{x}_{y}_{z}"), f"wg_{x}_{y}_{z}")
    counts = (3, 2, 2)
    groups = counts[0] * counts[1] * counts[2]
    data = rng.integers(0, 2**32, groups * n, dtype=np.uint32)
    args = [data, np.zeros_like(data), np.zeros((groups * n, 4), np.uint32)]
    if n > 256:  # many WebGPU adapters stop at 256 invocations: a backend may refuse, saying so
        try:
            get_backend(backend_name)._plan(kernel)  # noqa: SLF001 - plan only: a refusal is a skip
        except (khal.CompileError, ValueError) as e:
            pytest.skip(f"{backend_name} refuses workgroups of {n} invocations: {e}")
    li = np.arange(n, dtype=np.uint32)
    want_ids = np.stack([li, li % x, (li // x) % y, li // (x * y)], axis=1).astype(np.uint32)
    failures = Failures()
    for label, got in results(backend_name, kernel, khal.Workgroups(counts), args).items():
        failures.compare(
            got[1], data.reshape(groups, n)[:, ::-1].ravel(), what=f"reversal {shape} on {label}"
        )
        failures.compare(got[2], np.tile(want_ids, (groups, 1)), what=f"ids {shape} on {label}")
    failures.check()


@pytest.mark.parametrize("dims", [(37,), (13, 9), (13, 7, 5), (1, 1, 9)], ids=str)
def test_grid_dimensions(backend_name: str, dims: tuple[int, ...]) -> None:
    nx, ny, nz = (*dims, 1, 1)[:3]
    wg = (4, 2, 2)
    counts = [-(-d // w) for d, w in zip((nx, ny, nz), wg, strict=True)]
    total = nx * ny * nz
    g = np.stack(np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz), indexing="ij"), -1)
    g = g.transpose(2, 1, 0, 3).reshape(-1, 3)  # z-major: lin = (z * ny + y) * nx + x
    w, loc = g // wg, g % wg
    local_linear = loc[:, 0] + 4 * (loc[:, 1] + 2 * loc[:, 2])
    want = np.stack(
        [w[:, 0] + counts[0] * (w[:, 1] + counts[1] * w[:, 2]), local_linear, local_linear,
         np.full(total, counts[0] * counts[1] * counts[2])], axis=1,
    ).astype(np.uint32)  # fmt: skip
    args = [np.zeros(total, np.uint32), np.zeros((total, 4), np.uint32), nx, ny, nz]
    failures = Failures()
    for label, got in results(backend_name, grid_ids_3d, dims, args).items():
        failures.compare(
            got[0], np.ones(total, np.uint32), what=f"each invocation once, grid {dims} on {label}"
        )
        failures.compare(got[1], want, what=f"ids of grid {dims} on {label}")
    failures.check()


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_grids_past_65535_workgroups(backend_name: str, axis: int) -> None:
    n = 70_000
    counts = [1, 1, 1]
    counts[axis] = n
    args = [np.zeros(n, np.uint32), np.zeros(3, np.uint32)]
    failures = Failures()
    for label, got in results(backend_name, wide_grid, khal.Workgroups(tuple(counts)), args).items():
        failures.compare(got[0], np.ones(n, np.uint32), what=f"workgroups {counts} each once on {label}")
        failures.compare(got[1], np.array(counts, np.uint32), what=f"num_workgroups {counts} on {label}")
    failures.check()


BIG = 2**31 + 4096  # bytes: one past the largest signed 32-bit offset, and some


def _host_memory_available() -> int:
    try:
        with open("/proc/meminfo") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration):
        return 0


@pytest.mark.skipif(os.environ.get("KHAL_BIG_TESTS") != "1", reason="a 2 GiB buffer: set KHAL_BIG_TESTS=1")
def test_buffer_past_2_gib(backend_name: str) -> None:
    if _host_memory_available() < 3 * BIG:
        pytest.skip(f"needs {3 * BIG / 2**30:.1f} GiB of free host memory for the buffer and its checks")
    backend = get_backend(backend_name)
    try:
        big = backend.uninit_buffer(BIG, np.uint8)
    except (MemoryError, ValueError, RuntimeError) as e:
        pytest.skip(f"{backend_name} cannot allocate {BIG} bytes: {e}")
    start = 2**31 - 2048
    encoder = backend.begin_encoding()
    with encoder.begin_pass("tail") as p:
        try:
            big_buffer_tail.call(p, BIG - start, big, start)
        except (khal.CompileError, ValueError) as e:  # e.g. WebGPU binds at most 2 GiB - 4
            pytest.skip(f"{backend_name} cannot bind a {BIG}-byte buffer: {e}")
    tail = backend.uninit_buffer(BIG - start, np.uint8)
    encoder.copy_buffer_to_buffer(big, start, tail, 0, BIG - start)
    backend.submit(encoder)
    got = backend.slow_read_vec(tail)
    idx = np.arange(start, BIG, dtype=np.int64)
    np.testing.assert_array_equal(got, (idx % 251 + 1).astype(np.uint8))
