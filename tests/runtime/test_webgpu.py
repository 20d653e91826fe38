"""The WebGPU backend's own behaviour: adapters, availability, buffers, arenas, caches, timestamps, grids.

The kernels run on the session's `webgpu` backend (lavapipe here, a GPU where there is one) and are
checked against numpy on fresh random inputs. Every test here needs a WebGPU adapter.
"""

from __future__ import annotations

import dataclasses
import math
import sys

import numpy as np
import pytest
from conftest import get_backend
from runtime_kernels import add_assign, fill_counts, saxpy

import khal
import khal.std as ks
from khal import Array, f32, i16, u8, u32
from khal.runtime import webgpu
from khal.runtime.select import available_backends
from khal.targets.spirv_writer import disassemble

pytestmark = pytest.mark.webgpu

U = khal.BufferUsages


@pytest.fixture(scope="module")
def wg() -> webgpu.WebGpu:
    if "webgpu" not in available_backends():
        pytest.skip("no WebGPU adapter here (Debian mesa-vulkan-drivers libvulkan1 give lavapipe)")
    backend = get_backend("webgpu")
    assert isinstance(backend, webgpu.WebGpu)
    return backend


@khal.kernel(workgroup_size=64)
def ids(out: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(out):
        out[i] = i


@khal.kernel(workgroup_size=(4, 2))
def grid_ids(out: Array[u32]):
    # every id of a 2-D grid: workgroup (x, y), global (x, y) and the counts, 6 words per invocation
    w, g, n = ks.workgroup_id(), ks.global_invocation_id(), ks.num_workgroups()
    i = (g.y * n.x * u32(4) + g.x) * u32(6)
    if i < len(out):
        out[i] = w.x
        out[i + u32(1)] = w.y
        out[i + u32(2)] = g.x
        out[i + u32(3)] = g.y
        out[i + u32(4)] = n.x
        out[i + u32(5)] = n.y


@khal.kernel(workgroup_size=64)
def add_scalar(a: Array[f32], s: f32):
    i = ks.global_invocation_id().x
    if i < len(a):
        a[i] += s


def _run(backend: khal.Backend, kernel: khal.Kernel, grid: object, *args: object) -> None:
    enc = backend.begin_encoding()
    with enc.begin_pass(kernel.name) as p:
        kernel.call(p, grid, *args)
    backend.submit(enc).wait()


# --------------------------------------------------------------------------- adapters and availability


def test_adapter_by_index_name_and_object(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    import wgpu

    adapters = wgpu.gpu.enumerate_adapters_sync()
    index = next(
        i for i, a in enumerate(adapters) if a.info["backend_type"] == wg.adapter.info["backend_type"]
    )
    by_index = webgpu.WebGpu(adapter=index)
    by_name = webgpu.WebGpu(adapter=wg.adapter.info["device"][:8].upper())  # a part, any case
    by_object = webgpu.WebGpu(adapter=wg.adapter)
    for b in (by_index, by_name, by_object):
        assert b.adapter.info["device"] == wg.adapter.info["device"]
        x = rng.standard_normal(300).astype(np.float32)
        a = b.init_buffer(x)
        _run(b, add_scalar, len(a), a, 1.5)
        np.testing.assert_array_equal(b.slow_read_vec(a), x + np.float32(1.5))


def test_bad_adapter_choices_are_value_and_type_errors(wg: webgpu.WebGpu) -> None:
    with pytest.raises(ValueError, match="adapter index 99 is out of range; the adapters here"):
        webgpu.WebGpu(adapter=99)
    with pytest.raises(ValueError, match="no adapter's name contains 'no-such-gpu'"):
        webgpu.WebGpu(adapter="no-such-gpu")
    with pytest.raises(TypeError, match="adapter must be None, an index, a name or a wgpu adapter"):
        webgpu.WebGpu(adapter=1.5)
    with pytest.raises(ValueError, match="power_preference"):
        webgpu.WebGpu(power_preference="fastest")


def test_no_adapter_is_backend_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import wgpu

    monkeypatch.setattr(webgpu, "_DEVICES", {})

    def fail(**kwargs: object) -> None:
        raise RuntimeError("Vulkan: no driver")

    monkeypatch.setattr(wgpu.gpu, "request_adapter_sync", fail)
    with pytest.raises(khal.BackendUnavailable, match="mesa-vulkan-drivers libvulkan1") as e:
        khal.WebGpu()
    assert "no driver" in str(e.value) and "pip install wgpu" in str(e.value)
    monkeypatch.setattr(wgpu.gpu, "request_adapter_sync", lambda **kwargs: None)
    with pytest.raises(khal.BackendUnavailable, match="wgpu found no adapter"):
        khal.WebGpu()


def test_missing_wgpu_is_backend_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webgpu, "_DEVICES", {})
    monkeypatch.setitem(sys.modules, "wgpu", None)  # `import wgpu` now raises ImportError
    with pytest.raises(khal.BackendUnavailable, match="cannot import wgpu.*pip install wgpu"):
        khal.WebGpu()


def test_device_has_the_adapters_features_and_limits(wg: webgpu.WebGpu) -> None:
    wanted = set(webgpu.WANTED_FEATURES) & set(wg.adapter.features)
    assert wanted <= set(wg.device.features)
    assert wg.features == frozenset(wanted)
    for limit in ("max-storage-buffer-binding-size", "max-buffer-size", "max-compute-workgroup-storage-size"):
        assert wg.device.limits[limit] == wg.adapter.limits[limit]
    assert khal.available_backends()[0] in ("cuda", "webgpu")
    assert "webgpu" in khal.available_backends()


# --------------------------------------------------------------------------- buffers


@pytest.mark.parametrize(
    "dtype, n", [(np.uint8, 5), (np.int16, 3), (np.uint8, 1), (np.int16, 0), (np.float32, 7)]
)
def test_buffer_round_trip_pads_to_words(
    wg: webgpu.WebGpu, rng: np.random.Generator, dtype: type, n: int
) -> None:
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    data = (
        rng.integers(info.min, info.max, size=n, endpoint=True).astype(dtype)
        if info
        else rng.standard_normal(n).astype(dtype)
    )
    buf = wg.init_buffer(data)
    assert len(buf) == n and buf._size == max(4, -(-data.nbytes // 4) * 4)
    np.testing.assert_array_equal(wg.slow_read_vec(buf), data)
    assert wg.slow_read_vec(wg.uninit_buffer(n, dtype)).tolist() == [0] * n


def test_unaligned_write_keeps_the_neighbours(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    for dtype, n in ((np.uint8, 11), (np.int16, 7)):
        info = np.iinfo(dtype)
        data = rng.integers(info.min, info.max, size=n, endpoint=True).astype(dtype)
        buf = wg.init_buffer(data)
        start = int(rng.integers(1, n - 3))
        patch = rng.integers(info.min, info.max, size=3, endpoint=True).astype(dtype)
        wg.write_buffer(buf, start, patch)
        data[start : start + 3] = patch
        np.testing.assert_array_equal(wg.slow_read_vec(buf), data)


def test_small_int_buffers_run(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    """u8/i16 arrays whose lengths are no multiple of 4, through a kernel (needs the lowering's types)."""

    @khal.kernel(workgroup_size=64)
    def widen(out: Array[u32], a: Array[u8], b: Array[i16]):
        i = ks.global_invocation_id().x
        if i < len(out):
            out[i] = u32(a[i]) + u32(b[i])

    n = 37
    a = rng.integers(0, 255, n, endpoint=True).astype(np.uint8)
    b = rng.integers(0, 1000, n).astype(np.int16)
    out = wg.uninit_buffer(n, np.uint32)
    _run(wg, widen, n, out, wg.init_buffer(a), wg.init_buffer(b))
    np.testing.assert_array_equal(wg.slow_read_vec(out), a.astype(np.uint32) + b.astype(np.uint32))


def test_usages(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    x = rng.standard_normal(64).astype(np.float32)
    # MAP_READ cannot go with STORAGE in WebGPU: khal keeps a device buffer and reads it through a copy.
    readable = wg.init_buffer(x, U.MAP_READ | U.COPY_DST | U.STORAGE)
    assert readable.usage == U.MAP_READ | U.COPY_DST | U.STORAGE
    _run(wg, add_scalar, 64, readable, 2.0)
    np.testing.assert_array_equal(wg.slow_read_vec(readable), x + np.float32(2.0))
    staging = wg.init_buffer(x, U.COPY_SRC)
    enc = wg.begin_encoding()
    with enc.begin_pass("p") as p, pytest.raises(ValueError, match="'a': the buffer lacks the STORAGE usage"):
        add_scalar.call(p, 64, staging, 1.0)
    wg.submit(enc)
    with pytest.raises(ValueError, match="needs the COPY_SRC or MAP_READ usage"):
        wg.slow_read_vec(wg.init_buffer(x, U.STORAGE))


def test_too_large_binding_is_a_value_error_at_bind(wg: webgpu.WebGpu) -> None:
    small = webgpu.WebGpu(adapter=wg.adapter)
    small.limits = {**small.limits, "max-storage-buffer-binding-size": 256}
    big = small.uninit_buffer(65, np.float32)  # 260 bytes
    enc = small.begin_encoding()
    with enc.begin_pass("p") as p:
        with pytest.raises(ValueError, match=r"add_scalar\(\): parameter 'a' is a buffer of 260 bytes.*256"):
            add_scalar.call(p, 65, big, 1.0)
        add_scalar.call(p, 64, small.uninit_buffer(64, np.float32), 1.0)  # 256 bytes bind
    small.submit(enc).wait()


# --------------------------------------------------------------------------- recording


def _fresh(wg: webgpu.WebGpu) -> webgpu.WebGpu:
    """A backend of its own (empty arena and block cache) on the session's device."""
    return webgpu.WebGpu(adapter=wg.adapter)


class _CountingQueue:
    """A wgpu queue that counts `write_buffer` calls (the uniform uploads of a submit)."""

    def __init__(self, queue: object):
        self.queue = queue
        self.writes = 0

    def write_buffer(self, *args: object) -> None:
        self.writes += 1
        self.queue.write_buffer(*args)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.queue, name)


def test_many_calls_span_several_arenas(
    wg: webgpu.WebGpu, rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    wg = _fresh(wg)
    slot = wg._plan(add_scalar).slot
    monkeypatch.setattr(webgpu, "ARENA_BYTES", 3 * slot)  # three slots per arena
    x = rng.standard_normal(100).astype(np.float32)
    a = wg.init_buffer(x)
    values = rng.standard_normal(10).astype(np.float32)
    expect = x.copy()
    enc = wg.begin_encoding()
    with enc.begin_pass("p") as p:
        for _ in range(2):  # a block seen before in this encoder shares its slot, even not the last
            for v in values:
                add_scalar.call(p, len(a), a, float(v))
                expect += v
    # Ten slots, one upload range per arena.
    assert len(enc._runs) == math.ceil(10 / 3) and len({id(r[0]) for r in enc._runs}) == len(enc._runs)
    assert sum(end - start for _, start, end in enc._runs) == 10 * slot
    wg.submit(enc).wait()
    np.testing.assert_allclose(wg.slow_read_vec(a), expect, rtol=1e-5, atol=1e-5)


def test_repeated_calls_upload_nothing(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    """A block uploaded by an earlier submit is shared: the same call again needs no write_buffer."""
    wg = _fresh(wg)
    queue = wg.queue = _CountingQueue(wg.queue)  # type: ignore[assignment]
    x = rng.standard_normal(300).astype(np.float32)
    a = wg.init_buffer(x)
    v, w = (float(t) for t in rng.standard_normal(2).astype(np.float32))
    writes = []
    for value in (v, v, v, w, v, w):
        enc = wg.begin_encoding()
        with enc.begin_pass("p") as p:
            add_scalar.call(p, len(a), a, value)
        before = queue.writes
        wg.submit(enc)
        writes.append(queue.writes - before)
    assert writes == [1, 0, 0, 1, 0, 0]
    np.testing.assert_allclose(wg.slow_read_vec(a), x + 4 * v + 2 * w, rtol=1e-5, atol=1e-5)


def test_a_block_is_shared_only_once_uploaded(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    """An encoder not yet submitted has uploaded nothing: another one, submitted first, has its own slot."""
    wg = _fresh(wg)
    x, y = (rng.standard_normal(64).astype(np.float32) for _ in range(2))
    a, b = wg.init_buffer(x), wg.init_buffer(y)
    v = float(rng.standard_normal(1).astype(np.float32)[0])
    first = wg.begin_encoding()
    with first.begin_pass("p") as p:
        add_scalar.call(p, 64, a, v)
    second = wg.begin_encoding()
    with second.begin_pass("p") as p:
        add_scalar.call(p, 64, b, v)  # the same block bytes as `first`'s
    assert second._runs and second._runs[0][1] != first._runs[0][1]
    wg.submit(second).wait()
    np.testing.assert_allclose(wg.slow_read_vec(b), y + v, rtol=1e-6)
    wg.submit(first).wait()
    np.testing.assert_allclose(wg.slow_read_vec(a), x + v, rtol=1e-6)


def test_blocks_stay_right_across_new_arenas(
    wg: webgpu.WebGpu, rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many submissions of new and repeated values while arenas fill and are replaced."""
    wg = _fresh(wg)
    monkeypatch.setattr(webgpu, "ARENA_BYTES", 4 * wg._plan(add_scalar).slot)
    x = rng.standard_normal(200).astype(np.float32)
    a = wg.init_buffer(x)
    values = rng.standard_normal(6).astype(np.float32)
    expect = x.copy()
    arenas = set()
    for k in rng.integers(0, len(values), 40):
        enc = wg.begin_encoding()
        with enc.begin_pass("p") as p:
            add_scalar.call(p, len(a), a, float(values[k]))
            expect += values[k]
        wg.submit(enc)
        arenas.add(id(wg._arena))
    assert len(arenas) > 1
    plan = wg._plan(add_scalar)
    assert all(key[0] is plan._groups_arena for key in plan._groups)  # old arenas' groups let go
    np.testing.assert_allclose(wg.slow_read_vec(a), expect, rtol=1e-5, atol=1e-4)


def test_untimed_passes_begin_from_a_descriptor_per_label(
    wg: webgpu.WebGpu, rng: np.random.Generator
) -> None:
    x = rng.standard_normal(100).astype(np.float32)
    a = wg.init_buffer(x)
    enc = wg.begin_encoding()
    labels = ("one", "two", "one", "")
    for label in labels:
        with enc.begin_pass(label) as p:
            add_scalar.call(p, len(a), a, 1.0)
    wg.submit(enc).wait()
    descriptors = wg._dev._pass_descriptors
    for label in labels:
        desc, _ = descriptors[label]
        assert wg._dev._ffi.string(desc.label.data) == label.encode()
    np.testing.assert_allclose(wg.slow_read_vec(a), x + len(labels), rtol=1e-6)


def test_pipelines_and_bind_groups_are_cached(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    n = 500
    a_np, b_np, c_np = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    a, b, c = (wg.init_buffer(v) for v in (a_np, b_np, c_np))
    plan = wg._plan(add_assign)
    pipeline = plan.pipeline
    before = len(plan._groups)
    for _ in range(3):
        enc = wg.begin_encoding()
        with enc.begin_pass("p") as p:
            add_assign.call(p, n, a, b)
            add_assign.call(p, n, a, b)
            add_assign.call(p, n, a, c)
        wg.submit(enc)
    assert wg._plan(add_assign) is plan and plan.pipeline is pipeline
    # One group per (arena, buffers): a, b and a, c in each arena the three encoders used.
    assert len(plan._groups) - before <= 2 * 3
    np.testing.assert_allclose(wg.slow_read_vec(a), a_np + 6 * b_np + 3 * c_np, rtol=1e-5, atol=1e-5)
    enc = wg.begin_encoding()
    with enc.begin_pass("p") as p:
        add_assign.call(p, n, a, b)
        first = enc._group
        add_assign.call(p, n, a, b)
        assert enc._group is first  # same buffers, same block: nothing set again
    wg.submit(enc).wait()


def test_a_buffer_read_and_written_by_one_call(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    """`add_assign(a, a)`: WebGPU forbids read-only + writable storage of one buffer in a dispatch."""
    n = int(rng.integers(1, 3000))
    a_np = rng.standard_normal(n).astype(np.float32)
    a, b = wg.init_buffer(a_np), wg.init_buffer(a_np)
    plan = wg._plan(add_assign)
    enc = wg.begin_encoding()
    with enc.begin_pass("p") as p:
        add_assign.call(p, n, a, a)  # the all-`storage` pipeline
        assert enc._pipeline is not plan.pipeline
        add_assign.call(p, n, b, a)  # the plain one again
        assert enc._pipeline is plan.pipeline
    wg.submit(enc)
    np.testing.assert_array_equal(wg.slow_read_vec(a), 2 * a_np)
    np.testing.assert_array_equal(wg.slow_read_vec(b), 3 * a_np)
    stripped = webgpu.writable_spirv(add_assign.spirv())
    assert len(stripped) < len(add_assign.spirv()) and "NonWritable" not in disassemble(stripped)


def test_submission_done_and_wait(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    n = 1 << 18
    x = rng.standard_normal(n).astype(np.float32)
    y = rng.standard_normal(n).astype(np.float32)
    bx, by = wg.init_buffer(x), wg.init_buffer(y)
    subs = []
    for _ in range(4):
        enc = wg.begin_encoding()
        with enc.begin_pass("p") as p:
            saxpy.call(p, n, by, bx, 0.5)
        subs.append(wg.submit(enc))
    subs[-1].wait()
    assert all(s.done() for s in subs)  # the queue runs in order
    assert subs[0]._keep is None and subs[-1]._keep is None  # resources let go
    np.testing.assert_allclose(wg.slow_read_vec(by), y + 2 * x, rtol=1e-5, atol=1e-5)


def test_timestamps(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    n = 1 << 16
    a = wg.init_buffer(rng.standard_normal(n).astype(np.float32))
    ts = khal.Timestamps(wg, capacity=4)
    assert isinstance(ts._native, webgpu._QuerySlots) == ("timestamp-query" in wg.features)
    enc = wg.begin_encoding()
    for label in ("one", "two"):
        with enc.begin_pass(label, ts) as p:
            add_scalar.call(p, n, a, 1.0)
    wg.submit(enc)
    got = ts.read()
    assert [label for label, _ in got] == ["one", "two"]
    assert all(0 <= ms < 10_000 and math.isfinite(ms) for _, ms in got)


def test_host_timestamps_without_the_feature(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    host = webgpu.WebGpu(adapter=wg.adapter)
    host.features = host.features - {"timestamp-query"}
    a = host.init_buffer(rng.standard_normal(1000).astype(np.float32))
    ts = khal.Timestamps(host, capacity=2)
    assert isinstance(ts._native, list)
    enc = host.begin_encoding()
    with enc.begin_pass("host", ts) as p:
        add_scalar.call(p, 1000, a, 1.0)
    host.submit(enc)
    ((label, ms),) = ts.read()
    assert label == "host" and 0 <= ms < 10_000


def test_indirect(wg: webgpu.WebGpu, rng: np.random.Generator) -> None:
    n = int(rng.integers(100, 5000))
    a_np = rng.standard_normal(n).astype(np.float32)
    b_np = rng.standard_normal(n).astype(np.float32)
    a, b = wg.init_buffer(a_np), wg.init_buffer(b_np)
    counts = wg.uninit_buffer(3, u32, U.STORAGE | U.INDIRECT | U.COPY_SRC)
    enc = wg.begin_encoding()
    with enc.begin_pass("p") as p:
        fill_counts.call(p, 1, counts, n, 64)
        add_assign.call(p, khal.Indirect(counts), a, b)
    wg.submit(enc)
    assert wg.slow_read_vec(counts).tolist() == [-(-n // 64), 1, 1]
    np.testing.assert_array_equal(wg.slow_read_vec(a), a_np + b_np)


def test_unaligned_copy_is_a_value_error(wg: webgpu.WebGpu) -> None:
    src = wg.init_buffer(np.arange(8, dtype=np.uint8))
    dst = wg.uninit_buffer(8, np.uint8)
    enc = wg.begin_encoding()
    with pytest.raises(ValueError, match="multiples of 4"):
        enc.copy_buffer_to_buffer(src, 1, dst, 0, 4)
    enc.copy_buffer_to_buffer(src, 4, dst, 0, 4)
    wg.submit(enc)
    assert wg.slow_read_vec(dst).tolist() == [4, 5, 6, 7, 0, 0, 0, 0]


# --------------------------------------------------------------------------- grids


def test_grid_past_65535_workgroups(wg: webgpu.WebGpu) -> None:
    """A grid of 70000 workgroups along x runs, folded into y by the runtime, every id once."""
    n = 70_000 * 64 - 5
    out = wg.uninit_buffer(n, np.uint32)
    _run(wg, ids, n, out)
    got = wg.slow_read_vec(out)
    np.testing.assert_array_equal(got, np.arange(n, dtype=np.uint32))


@pytest.mark.parametrize(("extra", "gy"), [(2, 1), (3, 1), (3, 2)])
def test_folded_grid_ids(wg: webgpu.WebGpu, extra: int, gy: int) -> None:
    """Every id and count of a folded grid is the logical one: one row of workgroups (the "flat" grid
    variants, no division: with the test of a workgroup past the grid for 65537, a prime, without it
    for 65538, folded exactly) and two rows (the general fold), each with its own pipeline."""
    gx = wg.limits["max-compute-workgroups-per-dimension"] + extra
    out = wg.uninit_buffer(gx * 4 * 2 * gy * 6, np.uint32)
    _run(wg, grid_ids, khal.Workgroups((gx, gy, 1)), out)
    got = wg.slow_read_vec(out).reshape(2 * gy, gx * 4, 6)
    gyy, gxx = np.meshgrid(np.arange(2 * gy), np.arange(gx * 4), indexing="ij")
    want = np.stack([gxx // 4, gyy // 2, gxx, gyy, np.full_like(gxx, gx), np.full_like(gxx, gy)], axis=-1)
    np.testing.assert_array_equal(got, want)
    plan = wg._plan(grid_ids)
    px, py, pz = plan.fold(gx, gy, 1)
    variant = "" if gy > 1 else "flat-exact" if px * py * pz == gx else "flat"
    assert variant in {v for _, v in plan._folding}


def test_folding_rule(wg: webgpu.WebGpu) -> None:
    plan = wg._plan(ids)
    m = plan.max_dim
    folds = plan.folds
    try:
        plan.folds = True
        assert plan.fold(m + 1, 1, 1) == (-(-(m + 1) // 2), 2, 1)
        assert plan.fold(3, m, 7) == (m, 21, 1)
        # saxpy 2^26 / 256: exactly, where the first rule gives 52429 x 5 (1 extra) and rows of m 65535 x 5
        assert plan.fold(2**18, 1, 1) == (32768, 8, 1)
        if m == 65535:
            assert plan.fold(65537, 1, 1) == (32769, 2, 1)  # a prime: one extra workgroup
        grids = [(m + 1, 1, 1), (2**18, 1, 1), (7, 3 * m, 11), (m, m, 1), (m * 7 + 5, 13, 1)]
        grids.append((2**16, 2**15, 1))
        for grid in grids:
            px, py, pz = plan.fold(*grid)
            total = grid[0] * grid[1] * grid[2]
            assert max(px, py, pz) <= m and total <= px * py * pz < total + px * pz + px
        with pytest.raises(ValueError, match="exceeds what folding"):
            plan.fold(m, m, m + 1)
        plan.folds = False
        with pytest.raises(ValueError, match=f"max_compute_workgroups_per_dimension \\({m}\\)"):
            plan.fold(m + 1, 1, 1)
    finally:
        plan.folds = folds


# --------------------------------------------------------------------------- features


def test_missing_feature_is_a_compile_error(wg: webgpu.WebGpu, monkeypatch: pytest.MonkeyPatch) -> None:
    import khal.compiler as compiler

    real = compiler.compile_kernel(add_scalar, "webgpu")
    iface = real.artifact.interface
    where = f"{__file__}:47:9: f64 needs the adapter's shader-f64\n        a[i] += s\n        ^"
    requiring = dataclasses.replace(iface, requires=(("shader-f64", where),))
    fake = dataclasses.replace(real, artifact=dataclasses.replace(real.artifact, interface=requiring))
    monkeypatch.setattr(compiler, "compile_kernel", lambda kernel, target: fake)
    lacking = webgpu.WebGpu(adapter=wg.adapter)
    lacking.features = lacking.features - {"shader-f64"}
    with pytest.raises(khal.CompileError) as e:
        lacking._make_plan(add_scalar)
    text = str(e.value)
    assert text.startswith(f"{__file__}:47:9: error: f64 needs")
    assert "'shader-f64'" in text and lacking.adapter_name in text and "^" in text
    wg_full = webgpu.WebGpu(adapter=wg.adapter)
    if "shader-f64" in wg_full.features:
        assert wg_full._make_plan(add_scalar).pipeline is not None


def test_a_stream_of_submissions_is_let_go_as_it_completes(
    wg: webgpu.WebGpu, rng: np.random.Generator
) -> None:
    """Work-done callbacks mark submissions complete: resources and arenas are recycled while streaming."""
    n = 4096
    x_np = rng.standard_normal(n).astype(np.float32)
    x, y = wg.init_buffer(x_np), wg.uninit_buffer(n, np.float32)
    subs = []
    arena, pos = wg._arena, wg._arena.pos if wg._arena is not None else 0
    for _ in range(40):
        enc = wg.begin_encoding()
        with enc.begin_pass("p") as p:
            saxpy.call(p, n, y, x, 1.0)
        subs.append(wg.submit(enc))
    subs[-1].wait()
    assert wg._dev.done_index >= subs[-1]._index
    assert all(s.done() and s._keep is None for s in subs)
    if wg._arena is arena:  # forty identical calls took one uniform slot
        assert wg._arena.pos - pos <= wg._plan(saxpy).slot
    enc = wg.begin_encoding()
    wg.submit(enc)
    assert len(wg._in_flight) <= 1  # the completed ones were dropped at this submit
    np.testing.assert_allclose(wg.slow_read_vec(y), 40 * x_np, rtol=1e-5, atol=1e-4)


def test_webgpu_is_the_built_backend_class() -> None:
    assert khal.WebGpu is webgpu.WebGpu
    assert (webgpu.WebGpu.name, webgpu.WebGpu.target) == ("webgpu", "webgpu")


def test_runtime_tests_validate_every_module(wg: webgpu.WebGpu, monkeypatch: pytest.MonkeyPatch) -> None:
    """conftest sets KHAL_SPIRV_VALIDATE: a module spirv-val rejects never reaches wgpu."""
    import os

    import khal.compiler as compiler

    if os.environ.get("KHAL_SPIRV_VALIDATE") == "":
        pytest.skip("KHAL_SPIRV_VALIDATE is set empty (a host without spirv-val, as the lent GPU machine)")
    assert os.environ.get("KHAL_SPIRV_VALIDATE") == "1"
    real = compiler.compile_kernel(add_scalar, "webgpu")
    binary = real.artifact.asm["spirv"]
    assert isinstance(binary, bytes)
    broken = binary[:-8]  # the function loses its end
    artifact = dataclasses.replace(real.artifact, asm={**real.artifact.asm, "spirv": broken})
    monkeypatch.setattr(
        compiler, "compile_kernel", lambda kernel, target: dataclasses.replace(real, artifact=artifact)
    )
    with pytest.raises(RuntimeError, match="add_scalar: the SPIR-V module fails spirv-val"):
        webgpu.WebGpu(adapter=wg.adapter)._make_plan(add_scalar)
