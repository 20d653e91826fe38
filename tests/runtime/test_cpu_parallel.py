"""`Cpu(parallel=True)` on its native pool: thread counts, concurrent and nested submits, dropped backends."""

from __future__ import annotations

import ctypes
import gc
import threading

import numpy as np
import pytest

import khal
import khal.std as ks
from khal import Array, f32, u32
from khal.runtime import cpu_pool
from khal.runtime.cpu import Cpu

ENTRY = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32)
BIG = 1 << 20  # invocations: enough that a grid goes to the pool without a timed first piece


@khal.kernel(workgroup_size=64)
def axpy(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]


@khal.kernel(workgroup_size=16)
def uneven(out: Array[u32], n: u32):
    """Workgroup w loops (w * 37) % 1000 times per invocation: later pieces cost more or less."""
    i = ks.global_invocation_id().x
    if i < n:
        w = ks.workgroup_id().x
        steps = (w * u32(37)) % u32(1000)
        acc = i
        for _ in range(steps):
            acc = acc * u32(1664525) + u32(1013904223)
        out[i] = acc


def _uneven_reference(n: int) -> np.ndarray:
    i = np.arange(n, dtype=np.uint64)
    acc = i.copy()
    steps = ((i // 16) * 37) % 1000
    for s in range(int(steps.max()) + 1):
        live = steps > s
        acc[live] = (acc[live] * 1664525 + 1013904223) % 2**32
    return acc.astype(np.uint32)


def _threads_seen(par: Cpu, total: int) -> set[int]:
    """The native ids of the threads that run `total` workgroups of a callback entry.

    Each thread's first piece waits at a barrier of `par.threads` parties, so the call returns only
    when that many distinct threads took part (else the barrier times out): no timing assumption.
    """
    seen: set[int] = set()
    lock = threading.Lock()
    barrier = threading.Barrier(par.threads, timeout=30)

    def entry(addr: int, begin: int, end: int) -> None:
        me = threading.get_native_id()
        with lock:
            first = me not in seen
            seen.add(me)
        if first:
            barrier.wait()

    fn = ENTRY(entry)
    par._pool.run(fn, 0, total, BIG)  # type: ignore[union-attr]
    return seen


@pytest.mark.parametrize("threads", [2, 3, 5])
def test_threads_is_honoured(threads: int) -> None:
    Cpu(parallel=True, threads=8)._pool.run(ENTRY(lambda a, b, e: None), 0, 64, BIG)  # type: ignore[union-attr]
    assert cpu_pool.shared_pool(0) is not None and cpu_pool.shared_pool(0).workers >= 7  # type: ignore[union-attr]
    par = Cpu(parallel=True, threads=threads)
    for _ in range(3):
        seen = _threads_seen(par, 200)
        assert len(seen) == threads  # the barrier proves >=, the count <=: more workers exist
        assert threading.get_native_id() in seen  # the submitter works too


def test_results_match_numpy_and_cover_uneven_work(rng: np.random.Generator) -> None:
    par = Cpu(parallel=True, threads=4)
    n = int(rng.integers(1 << 17, 1 << 18))
    x_np = rng.standard_normal(n).astype(np.float32)
    y_np = rng.standard_normal(n).astype(np.float32)
    y = par.init_buffer(y_np)
    khal.launch(axpy, n, y, par.init_buffer(x_np), 1.5, backend=par)
    np.testing.assert_allclose(par.slow_read_vec(y), np.float32(1.5) * x_np + y_np, rtol=1e-6)
    m = int(rng.integers(3000, 6000))
    out = par.uninit_buffer(m, np.uint32)
    khal.launch(uneven, m, out, m, backend=par)
    np.testing.assert_array_equal(par.slow_read_vec(out), _uneven_reference(m))


def test_concurrent_submits_from_many_threads(rng: np.random.Generator) -> None:
    par = Cpu(parallel=True, threads=4)
    n, rounds = (1 << 17) + 3, 12
    xs = [rng.standard_normal(n).astype(np.float32) for _ in range(8)]
    alphas = [float(a) for a in rng.uniform(-2, 2, size=8).astype(np.float32)]
    results: list[np.ndarray | BaseException | None] = [None] * 8

    def submitter(k: int) -> None:
        try:
            y = par.uninit_buffer(n, np.float32)
            x = par.init_buffer(xs[k])
            for _ in range(rounds):
                enc = par.begin_encoding()
                with enc.begin_pass("p") as p:
                    axpy.call(p, n, y, x, alphas[k])
                par.submit(enc)
            results[k] = par.slow_read_vec(y)
        except BaseException as e:  # reported below, on the test's thread
            results[k] = e

    workers = [threading.Thread(target=submitter, args=(k,)) for k in range(8)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    for k, got in enumerate(results):
        assert isinstance(got, np.ndarray), got
        want = np.zeros(n, np.float32)
        for _ in range(rounds):
            want = np.float32(alphas[k]) * xs[k] + want
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_nested_submit_runs_inline() -> None:
    par = Cpu(parallel=True, threads=3)
    inner: list[tuple[int, int]] = []
    outer: list[tuple[int, int]] = []
    lock = threading.Lock()

    def inner_entry(addr: int, begin: int, end: int) -> None:
        with lock:
            inner.append((begin, end))

    inner_fn = ENTRY(inner_entry)

    def outer_entry(addr: int, begin: int, end: int) -> None:
        with lock:
            outer.append((begin, end))
        par._pool.run(inner_fn, 0, 10, BIG)  # type: ignore[union-attr]  # the pool is busy: this thread runs it

    par._pool.run(ENTRY(outer_entry), 0, 40, BIG)  # type: ignore[union-attr]
    bounds = [b for r in sorted(outer) for b in r]
    assert bounds[0] == 0 and bounds[-1] == 40 and bounds[1:-1:2] == bounds[2:-1:2]  # tiles [0, 40)
    assert len(inner) == len(outer) and all(r == (0, 10) for r in inner)


def test_dropped_backends_leave_no_threads(rng: np.random.Generator) -> None:
    n = 1 << 17
    x_np = rng.standard_normal(n).astype(np.float32)
    khal.launch(axpy, n, np.zeros(n, np.float32), x_np, 1.0, backend=Cpu(parallel=True, threads=4))
    before = threading.active_count()
    gc.disable()
    try:
        peak = before
        for _ in range(50):
            par = Cpu(parallel=True, threads=4)
            y = np.zeros(n, np.float32)
            khal.launch(axpy, n, y, x_np, 2.0, backend=par)  # plans hold the backend: a cycle
            np.testing.assert_array_equal(y, np.float32(2.0) * x_np)
            del par
            peak = max(peak, threading.active_count())
    finally:
        gc.enable()
    assert peak == before


@pytest.mark.parametrize("kind", ["native", "python"])
def test_a_private_pool_runs_every_piece_once_and_stops(kind: str) -> None:
    if kind == "native" and not cpu_pool.native_supported():
        pytest.skip("the native pool needs Linux futexes")
    pool = cpu_pool.NativePool() if kind == "native" else cpu_pool.PythonPool()
    pool.grow(3)
    assert pool.workers == 3
    hits = np.zeros(30, np.int64)

    def entry(addr: int, begin: int, end: int) -> None:
        hits[begin:end] += 1

    fn = ENTRY(entry)
    address = ctypes.c_void_p.from_address(ctypes.addressof(fn)).value or 0
    for chunks in (1, 7, 30):
        pool.run(address, 0, 0, 30, chunks, 3)
    assert list(hits) == [3] * 30
    threads = list(pool._threads)
    pool.stop()
    assert pool.workers == 0 and not any(t.is_alive() for t in threads)


def test_the_python_fallback_runs_kernels(monkeypatch: pytest.MonkeyPatch, rng: np.random.Generator) -> None:
    """Where futexes are missing, `Cpu(parallel=True)` runs on a `PythonPool`: same results."""
    fallback = cpu_pool.PythonPool()
    monkeypatch.setattr(cpu_pool, "_pool", fallback)
    try:
        par = Cpu(parallel=True, threads=3)
        m = int(rng.integers(3000, 6000))
        out = par.uninit_buffer(m, np.uint32)
        khal.launch(uneven, m, out, m, backend=par)
        np.testing.assert_array_equal(par.slow_read_vec(out), _uneven_reference(m))
        assert len(_threads_seen(par, 100)) == 3
        assert fallback.workers == 2
    finally:
        fallback.stop()
