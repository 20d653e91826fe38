"""Kernels run end to end on every available backend, checked against numpy."""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import CPU_BACKENDS
from runtime_kernels import (
    BINS,
    REDUCE_WG,
    SCAN_WG,
    SOFTENING,
    Particle,
    add_assign,
    add_block_offsets,
    fill_counts,
    histogram,
    histogram_local,
    mandelbrot,
    matmul,
    nbody,
    reduce_sum,
    saxpy,
    scale_i32,
    scan_blocks,
    step_particles,
)

import khal

U = khal.BufferUsages


def run(backend: khal.Backend, kernel: object, grid: object, *args: object) -> None:
    """Record one call in its own pass and submit it."""
    enc = backend.begin_encoding()
    with enc.begin_pass(getattr(kernel, "name", "k")) as p:
        kernel.call(p, grid, *args)  # type: ignore[attr-defined]
    backend.submit(enc)


def test_add_assign(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = int(rng.integers(1, 5000))
    a_np = rng.standard_normal(n).astype(np.float32)
    b_np = rng.standard_normal(n).astype(np.float32)
    a = backend.init_buffer(a_np)
    b = backend.init_buffer(b_np)
    run(backend, add_assign, len(a), a, b)
    np.testing.assert_array_equal(backend.slow_read_vec(a), a_np + b_np)
    np.testing.assert_array_equal(backend.slow_read_vec(b), b_np)


def test_saxpy_calls_run_in_order(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 100_003
    x_np = rng.standard_normal(n).astype(np.float32)
    y_np = rng.standard_normal(n).astype(np.float32)
    x = backend.init_buffer(x_np)
    y = backend.init_buffer(y_np)
    alphas = [np.float32(v) for v in rng.standard_normal(3)]
    enc = backend.begin_encoding()
    with enc.begin_pass("saxpy") as p:
        for alpha in alphas:  # each call sees the previous call's writes; alpha is captured by value
            saxpy.call(p, n, y, x, float(alpha))
    backend.submit(enc)
    want = y_np.copy()
    for alpha in alphas:
        want = alpha * x_np + want
    np.testing.assert_allclose(backend.slow_read_vec(y), want, rtol=1e-6, atol=1e-6)


def test_workgroup_reduction(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = int(rng.integers(REDUCE_WG * 10, REDUCE_WG * 40))
    data_np = rng.standard_normal(n).astype(np.float32)
    groups = -(-n // REDUCE_WG)
    data = backend.init_buffer(data_np)
    partial = backend.uninit_buffer(groups, np.float32)
    run(backend, reduce_sum, n, data, partial)
    padded = np.zeros(groups * REDUCE_WG, np.float64)
    padded[:n] = data_np
    np.testing.assert_allclose(
        backend.slow_read_vec(partial), padded.reshape(groups, -1).sum(1), rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("kernel", [histogram, histogram_local], ids=["global", "workgroup"])
def test_histogram_atomics(backend: khal.Backend, rng: np.random.Generator, kernel: object) -> None:
    n = 64 * 500
    data_np = rng.integers(0, 2**32, n, dtype=np.uint32)
    data = backend.init_buffer(data_np)
    bins = backend.uninit_buffer(BINS, np.uint32)
    run(backend, kernel, n, data, bins)
    np.testing.assert_array_equal(backend.slow_read_vec(bins), np.bincount(data_np % BINS, minlength=BINS))


def test_tiled_matmul(backend: khal.Backend, rng: np.random.Generator) -> None:
    m, n, k = (int(v) for v in rng.integers(5, 70, 3))
    a_np = rng.standard_normal((m, k)).astype(np.float32)
    b_np = rng.standard_normal((k, n)).astype(np.float32)
    a = backend.init_buffer(a_np.ravel())
    b = backend.init_buffer(b_np.ravel())
    c = backend.uninit_buffer(m * n, np.float32)
    run(backend, matmul, (n, m), a, b, c, m, n, k)
    np.testing.assert_allclose(backend.slow_read_vec(c).reshape(m, n), a_np @ b_np, rtol=1e-4, atol=1e-4)


def test_prefix_scan(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = int(rng.integers(SCAN_WG * 20, SCAN_WG * SCAN_WG))
    data_np = rng.integers(0, 2**32, n, dtype=np.uint32)  # sums wrap around like numpy's uint32
    blocks = -(-n // SCAN_WG)
    data = backend.init_buffer(data_np)
    sums = backend.uninit_buffer(blocks, np.uint32)
    total = backend.uninit_buffer(1, np.uint32)
    enc = backend.begin_encoding()
    with enc.begin_pass("scan") as p:
        scan_blocks.call(p, n, data, sums)
        scan_blocks.call(p, blocks, sums, total)  # one workgroup: blocks <= SCAN_WG
        add_block_offsets.call(p, n, data, sums)
    backend.submit(enc)
    np.testing.assert_array_equal(backend.slow_read_vec(data), np.cumsum(data_np, dtype=np.uint32))


def mandelbrot_numpy(width: int, height: int, max_iter: int) -> np.ndarray:
    """The kernel's iteration in float32, vectorised."""
    f = np.float32
    xs = f(-2.0) + f(3.0) * np.arange(width, dtype=f) / f(width)
    ys = f(-1.5) + f(3.0) * np.arange(height, dtype=f) / f(height)
    cx, cy = np.meshgrid(xs, ys)
    x = np.zeros_like(cx)
    y = np.zeros_like(cy)
    count = np.zeros(cx.shape, np.uint32)
    active = np.ones(cx.shape, bool)
    for _ in range(max_iter):
        active &= x * x + y * y <= f(4.0)
        xt = x * x - y * y + cx
        y = np.where(active, f(2.0) * x * y + cy, y)
        x = np.where(active, xt, x)
        count += active
    return count


def test_mandelbrot(backend: khal.Backend) -> None:
    width, height, max_iter = 200, 150, 100
    out = backend.uninit_buffer(width * height, np.uint32)
    run(backend, mandelbrot, (width, height), out, width, height, max_iter)
    got = backend.slow_read_vec(out).reshape(height, width)
    want = mandelbrot_numpy(width, height, max_iter)
    # Exact unless the compiler contracts a*b+c into an FMA, which may move a boundary pixel.
    assert np.mean(got != want) < 2e-3
    assert got.max() == max_iter and got.min() <= 2


def test_nbody_vec3_and_func(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 300
    pos_np = rng.standard_normal((n, 3)).astype(np.float32)
    mass_np = rng.uniform(0.5, 2.0, n).astype(np.float32)
    pos = backend.init_buffer(pos_np)
    mass = backend.init_buffer(mass_np)
    acc = backend.uninit_buffer(n, khal.Vec3)
    assert len(pos) == n and len(acc) == n
    run(backend, nbody, n, pos, mass, acc)
    p = pos_np.astype(np.float64)
    d = p[None, :, :] - p[:, None, :]
    r2 = (d * d).sum(-1) + SOFTENING
    want = (d * (mass_np[None, :] * r2**-1.5)[..., None]).sum(1)
    np.testing.assert_allclose(backend.slow_read_vec(acc), want, rtol=2e-3, atol=2e-3)


def test_array_of_structs(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 1000
    ps_np = np.zeros(n, Particle.dtype)
    ps_np["pos"] = rng.standard_normal((n, 3))
    ps_np["vel"] = rng.standard_normal((n, 3))
    ps_np["mass"] = rng.uniform(1, 2, n)
    ps_np["id"] = rng.integers(0, 1000, n)
    ps = backend.init_buffer(ps_np)
    assert ps.dtype == Particle.dtype and len(ps) == n
    dt, gravity = 0.125, (0.0, -9.75, 0.5)
    run(backend, step_particles, n, ps, dt, gravity)
    got = backend.slow_read_vec(ps)
    f = np.float32
    vel = ps_np["vel"] + np.array(gravity, f) * f(dt)
    np.testing.assert_allclose(got["vel"], vel, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got["pos"], ps_np["pos"] + vel * f(dt), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(got["mass"], ps_np["mass"] * 2)
    np.testing.assert_array_equal(got["id"], ps_np["id"] * 3 + 1)


def test_indirect_grid_written_by_a_kernel(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = int(rng.integers(1000, 3000))
    a_np = rng.standard_normal(n).astype(np.float32)
    b_np = rng.standard_normal(n).astype(np.float32)
    a = backend.init_buffer(a_np)
    b = backend.init_buffer(b_np)
    counts = backend.uninit_buffer(3, np.uint32, U.STORAGE | U.INDIRECT | U.COPY_SRC)
    enc = backend.begin_encoding()
    with enc.begin_pass("indirect") as p:
        fill_counts.call(p, 1, counts, n, add_assign.workgroup_size[0])
        add_assign.call(p, khal.Indirect(counts), a, b)
    backend.submit(enc)
    np.testing.assert_array_equal(backend.slow_read_vec(counts), [-(-n // 64), 1, 1])
    np.testing.assert_array_equal(backend.slow_read_vec(a), a_np + b_np)


def test_copy_between_kernels(backend: khal.Backend, rng: np.random.Generator) -> None:
    n = 777
    a_np = rng.standard_normal(n).astype(np.float32)
    a = backend.init_buffer(a_np)
    b = backend.init_buffer(np.ones(n, np.float32))
    saved = backend.uninit_buffer(n, np.float32)
    enc = backend.begin_encoding()
    with enc.begin_pass("first") as p:
        add_assign.call(p, n, a, b)
    enc.copy_buffer_to_buffer(a, 0, saved, 0, n)
    with enc.begin_pass("second") as p:
        add_assign.call(p, n, a, b)
    backend.submit(enc)
    np.testing.assert_array_equal(backend.slow_read_vec(saved), a_np + 1)
    np.testing.assert_array_equal(backend.slow_read_vec(a), a_np + 1 + 1)


def test_timestamps_time_passes(backend: khal.Backend) -> None:
    ts = khal.Timestamps(backend, capacity=8)
    n = 1 << 20
    x = backend.init_buffer(np.ones(n, np.float32))
    y = backend.init_buffer(np.zeros(n, np.float32))
    enc = backend.begin_encoding()
    for label in ("a", "b", "c"):
        with enc.begin_pass(label, ts) as p:
            saxpy.call(p, n, y, x, 2.0)
    backend.submit(enc)
    times = ts.read()
    assert [label for label, _ in times] == ["a", "b", "c"]
    assert all(0 < ms < 10_000 for _, ms in times)
    np.testing.assert_array_equal(backend.slow_read_vec(y), np.full(n, 6, np.float32))


def test_launch_copies_written_arrays_back(backend: khal.Backend, rng: np.random.Generator) -> None:
    a = rng.standard_normal(999).astype(np.float32)
    b = rng.standard_normal(999).astype(np.float32)
    a0, b_view = a.copy(), b[:]
    khal.launch(add_assign, len(a), a, b, backend=backend)
    np.testing.assert_array_equal(a, a0 + b)
    assert b_view is not None and np.shares_memory(b, b_view)
    ints = rng.integers(-1000, 1000, 100).astype(np.int32)
    want = ints * -3
    khal.launch(scale_i32, len(ints), ints, -3, backend=backend)
    np.testing.assert_array_equal(ints, want)


def test_launch_default_backend(rng: np.random.Generator) -> None:
    a = rng.standard_normal(10).astype(np.float32)
    want = a + a
    khal.launch(add_assign, 10, a, a.copy())
    np.testing.assert_array_equal(a, want)


def test_shader_binds_kernels(backend: khal.Backend, rng: np.random.Generator) -> None:
    class Kernels(khal.Shader):
        add = add_assign
        ax = saxpy

    kernels = Kernels.from_backend(backend)
    n = 500
    x_np = rng.standard_normal(n).astype(np.float32)
    y_np = rng.standard_normal(n).astype(np.float32)
    x = backend.init_buffer(x_np)
    y = backend.init_buffer(y_np)
    enc = backend.begin_encoding()
    with enc.begin_pass("shader") as p:
        kernels.add.call(p, n, y, x)
        kernels.ax.call(p, n, y, x, -1.0)
    backend.submit(enc)
    np.testing.assert_allclose(backend.slow_read_vec(y), y_np, rtol=1e-6, atol=1e-6)
    other = khal.Cpu()
    with pytest.raises(ValueError, match="compiled for backend"):
        kernels.add.call(other.begin_encoding().begin_pass("x"), n, y, x)


def test_compiled_call_checks_arguments(backend: khal.Backend) -> None:
    a = backend.uninit_buffer(8, np.float32)
    enc = backend.begin_encoding()
    with enc.begin_pass("errors") as p:
        with pytest.raises(TypeError, match="'b'.*Array\\[f32\\]"):
            add_assign.call(p, 8, a, backend.uninit_buffer(8, np.int32))
        with pytest.raises(TypeError, match="takes 2 arguments"):
            add_assign.call(p, 8, a)
        with pytest.raises(ValueError, match="'m'.*u32"):
            matmul.call(p, (8, 8), a, a, a, -1, 1, 1)
        with pytest.raises(TypeError, match="'alpha'.*float"):
            saxpy.call(p, 8, a, a, "2")
        with pytest.raises(TypeError, match="'s'.*int"):
            scale_i32.call(p, 8, backend.uninit_buffer(8, np.int32), 2.5)
    backend.submit(enc)
    assert not backend.slow_read_vec(a).any()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_parallel_backend_survives_fork(rng: np.random.Generator) -> None:
    par = khal.Cpu(parallel=True, threads=2)
    n = 64 * 50
    a_np = rng.standard_normal(n).astype(np.float32)
    khal.launch(add_assign, n, a_np.copy(), a_np, backend=par)  # the pool's threads exist now
    pid = os.fork()
    if pid == 0:  # the child has none of them: it must start its own instead of waiting forever
        code = 1
        try:
            a = a_np.copy()
            khal.launch(add_assign, n, a, a_np, backend=par)
            code = 0 if np.array_equal(a, a_np + a_np) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("name", CPU_BACKENDS)
def test_cpu_dlpack_shares_memory(name: str, rng: np.random.Generator) -> None:
    from conftest import get_backend

    backend = get_backend(name)
    a_np = rng.standard_normal(500).astype(np.float32)
    b_np = rng.standard_normal(500).astype(np.float32)
    want = a_np + b_np
    a = backend.from_dlpack(a_np)
    run(backend, add_assign, 500, a, backend.init_buffer(b_np))
    np.testing.assert_array_equal(a_np, want)  # written in place, no copy
    np.testing.assert_array_equal(np.from_dlpack(a), want)
    assert np.shares_memory(np.from_dlpack(a), a_np)
    with pytest.raises(ValueError, match="C-contiguous"):
        backend.from_dlpack(np.zeros((4, 4), np.float32)[:, 1])
