"""The runtime layer on its own: buffers, encoders, copies, grids, timestamps, argument packing and checks.

Kernels here have a native entry that is a ctypes callback decoding the packed argument block, so
these tests pin down the runtime's side of the CPU ABI without the compiler.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

import numpy as np
import pytest

import khal
from khal import Array, Vec3, f32, i32, u32
from khal.kernel import kernel, struct
from khal.runtime.backend import workgroup_counts
from khal.runtime.cpu import Cpu, CpuPlan
from khal.types import ArrayType

U = khal.BufferUsages

ENTRY = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32)


def args_dtype_of(k: Any) -> np.dtype:
    """The argument-block layout the CPU target exports (arrays: ptr/len u64; values by value)."""
    fields: list[tuple[str, Any]] = []
    for p in k.params:
        if isinstance(p.type, ArrayType):
            fields += [(f"{p.name}.ptr", np.uint64), (f"{p.name}.len", np.uint64)]
        else:
            fields.append((p.name, p.type.dtype))
    fields.append(("__num_workgroups", (np.uint32, (3,))))
    return np.dtype(fields, align=True)


class Recorder:
    """A fake compiled kernel: its entry records (decoded argument block, wg_begin, wg_end)."""

    def __init__(self, k: Any, written: tuple[bool, ...] | None = None):
        self.args_dtype = args_dtype_of(k)
        self.calls: list[tuple[Any, int, int]] = []
        self.lock = threading.Lock()
        self.call = ENTRY(self._entry)
        self.artifact = self
        self.written = written or tuple(isinstance(p.type, ArrayType) for p in k.params)

    def _entry(self, addr: int, begin: int, end: int) -> None:
        raw = (ctypes.c_char * self.args_dtype.itemsize).from_address(addr)
        block = np.frombuffer(bytes(raw), dtype=self.args_dtype)[0]
        with self.lock:
            self.calls.append((block, begin, end))


def install(backend: Cpu, k: Any) -> Recorder:
    rec = Recorder(k)
    backend._plans[k] = CpuPlan(k, backend, rec)
    return rec


@kernel(workgroup_size=4)
def many(a: Array[f32], v: Array[Vec3], n: u32, alpha: f32, s: i32, w: Vec3):
    pass


@pytest.fixture(params=["cpu", "cpu-parallel"])
def cpu(request: pytest.FixtureRequest) -> Cpu:
    return Cpu(
        parallel=request.param == "cpu-parallel", threads=2 if request.param == "cpu-parallel" else None
    )


# --------------------------------------------------------------------------- buffers


def test_buffer_usages_are_wgpus() -> None:
    wgpu = pytest.importorskip("wgpu")
    for flag in U:
        assert int(flag) == int(getattr(wgpu.BufferUsage, flag.name)), flag.name


def test_init_buffer_keeps_rows(cpu: Cpu, rng: np.random.Generator) -> None:
    pts = rng.standard_normal((7, 3)).astype(np.float32)
    b = cpu.init_buffer(pts, U.STORAGE | U.COPY_SRC)
    assert len(b) == 7 and b.dtype == np.float32 and b.row_shape == (3,) and b.nbytes == 84
    assert b.usage == U.STORAGE | U.COPY_SRC
    pts[0, 0] = 99.0  # the buffer holds a copy
    out = cpu.slow_read_vec(b)
    assert out.shape == (7, 3) and out[0, 0] != 99.0
    out[1, 1] = 5.0  # and so does what we read
    assert cpu.slow_read_vec(b)[1, 1] != 5.0


def test_uninit_buffer_types(cpu: Cpu) -> None:
    @struct
    class Particle:
        pos: Vec3
        mass: f32
        id: u32

    for dtype, shape, base in [
        (Vec3, (5, 3), np.float32),
        (f32, (5,), np.float32),
        (np.int64, (5,), np.int64),
        (khal.UVec3, (5, 3), np.uint32),
        (khal.Mat2, (5, 2, 2), np.float32),
    ]:
        b = cpu.uninit_buffer(5, dtype)
        data = cpu.slow_read_vec(b)
        assert data.shape == shape and data.dtype == base and not data.any()
        assert b.usage == U.STORAGE | U.COPY_SRC | U.COPY_DST
    s = cpu.uninit_buffer(3, Particle)
    assert s.dtype == Particle.dtype and s.nbytes == 3 * Particle.dtype.itemsize


def test_write_buffer_offsets_in_elements(cpu: Cpu, rng: np.random.Generator) -> None:
    b = cpu.uninit_buffer(6, Vec3)
    rows = rng.standard_normal((2, 3)).astype(np.float32)
    cpu.write_buffer(b, 3, rows)
    cpu.write_buffer(b, 0, [1.0, 2.0, 3.0])  # one element
    out = cpu.slow_read_vec(b)
    np.testing.assert_array_equal(out[3:5], rows)
    np.testing.assert_array_equal(out[0], [1, 2, 3])
    assert not out[[1, 2, 5]].any()
    with pytest.raises(ValueError, match="overflow"):
        cpu.write_buffer(b, 5, rows)
    with pytest.raises(ValueError, match="rows"):
        cpu.write_buffer(b, 0, np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match="cannot write"):
        cpu.write_buffer(cpu.uninit_buffer(2, np.int32), 0, np.array([1.5, 2.5]))
    with pytest.raises(ValueError, match="COPY_DST"):
        cpu.write_buffer(cpu.init_buffer(np.zeros(2, np.float32), U.STORAGE | U.COPY_SRC), 0, [1.0])


def test_buffer_belongs_to_one_backend(rng: np.random.Generator) -> None:
    one, two = Cpu(), Cpu()
    b = one.init_buffer(rng.standard_normal(4).astype(np.float32))
    with pytest.raises(ValueError, match="belongs to backend"):
        two.slow_read_vec(b)
    enc = two.begin_encoding()
    with pytest.raises(ValueError, match="belongs to backend"):
        enc.copy_buffer_to_buffer(b, 0, two.uninit_buffer(4, f32), 0, 4)


# --------------------------------------------------------------------------- encoders and copies


def test_copy_runs_at_submit_in_order(cpu: Cpu, rng: np.random.Generator) -> None:
    src = rng.integers(-100, 100, 10).astype(np.int32)
    a = cpu.init_buffer(src)
    b = cpu.uninit_buffer(10, np.int32)
    c = cpu.uninit_buffer(10, np.int32)
    enc = cpu.begin_encoding()
    enc.copy_buffer_to_buffer(a, 2, b, 5, 4)  # b[5:9] = a[2:6]
    enc.copy_buffer_to_buffer(b, 5, c, 0, 4)  # sees the first copy
    assert not cpu.slow_read_vec(b).any()  # nothing ran before submit
    cpu.submit(enc)
    want_b = np.zeros(10, np.int32)
    want_b[5:9] = src[2:6]
    np.testing.assert_array_equal(cpu.slow_read_vec(b), want_b)
    np.testing.assert_array_equal(cpu.slow_read_vec(c)[:4], src[2:6])


def test_copy_errors(cpu: Cpu) -> None:
    a = cpu.uninit_buffer(4, f32)
    enc = cpu.begin_encoding()
    with pytest.raises(ValueError, match="out of bounds"):
        enc.copy_buffer_to_buffer(a, 2, cpu.uninit_buffer(4, f32), 0, 3)
    with pytest.raises(ValueError, match="different buffers"):
        enc.copy_buffer_to_buffer(a, 0, a, 2, 2)
    with pytest.raises(TypeError, match="element sizes differ"):
        enc.copy_buffer_to_buffer(a, 0, cpu.uninit_buffer(4, Vec3), 0, 2)
    with pytest.raises(ValueError, match="COPY_SRC"):
        enc.copy_buffer_to_buffer(cpu.uninit_buffer(4, f32, U.STORAGE), 0, a, 0, 2)


def test_encoder_rules(cpu: Cpu) -> None:
    enc = cpu.begin_encoding()
    p = enc.begin_pass("one")
    with pytest.raises(RuntimeError, match="still open"):
        cpu.submit(enc)
    with pytest.raises(RuntimeError, match="is open"):
        enc.begin_pass("two")
    p.end()
    cpu.submit(enc)
    with pytest.raises(RuntimeError, match="already submitted"):
        cpu.submit(enc)
    with pytest.raises(RuntimeError, match="already submitted"):
        enc.begin_pass("three")
    with pytest.raises(ValueError, match="this backend"):
        Cpu().submit(cpu.begin_encoding())


def test_encoder_context_manager_submits(cpu: Cpu) -> None:
    a = cpu.init_buffer(np.arange(4, dtype=np.float32))
    b = cpu.uninit_buffer(4, f32)
    with cpu.begin_encoding() as enc:
        enc.copy_buffer_to_buffer(a, 0, b, 0, 4)
    np.testing.assert_array_equal(cpu.slow_read_vec(b), np.arange(4))
    with pytest.raises(ZeroDivisionError), cpu.begin_encoding() as enc:  # an error submits nothing
        enc.copy_buffer_to_buffer(b, 0, a, 0, 4)
        1 / 0  # noqa: B018
    assert not enc._submitted


# --------------------------------------------------------------------------- timestamps


def test_timestamps(cpu: Cpu) -> None:
    ts = khal.Timestamps(cpu, capacity=4)
    a = cpu.uninit_buffer(1 << 20, f32)
    b = cpu.uninit_buffer(1 << 20, f32)
    enc = cpu.begin_encoding()
    with enc.begin_pass("first", ts):
        pass
    enc.copy_buffer_to_buffer(a, 0, b, 0, 1 << 20)
    with enc.begin_pass("second", ts):
        pass
    with pytest.raises(ValueError, match="Timestamps full"):
        enc.begin_pass("third", ts)
    cpu.submit(enc)
    result = ts.read()
    assert [label for label, _ in result] == ["first", "second"]
    assert all(isinstance(ms, float) and 0 <= ms < 1000 for _, ms in result)
    ts.reset()
    assert ts.read() == []
    with pytest.raises(ValueError, match="another backend"):
        Cpu().begin_encoding().begin_pass("x", ts)


# --------------------------------------------------------------------------- grids


def test_workgroup_counts() -> None:
    assert workgroup_counts(100, (64, 1, 1)) == (2, 1, 1)
    assert workgroup_counts(0, (64, 1, 1)) == (0, 1, 1)
    assert workgroup_counts((17, 9), (8, 8, 1)) == (3, 2, 1)
    assert workgroup_counts((4, 4, 4), (2, 2, 2)) == (2, 2, 2)
    assert workgroup_counts(khal.Workgroups((3, 5)), (64, 1, 1)) == (3, 5, 1)
    assert workgroup_counts(khal.Workgroups(7), (64, 1, 1)) == (7, 1, 1)
    with pytest.raises(ValueError, match=">= 0"):
        workgroup_counts(-1, (64, 1, 1))
    with pytest.raises(TypeError, match="invocation count"):
        workgroup_counts(10.0, (64, 1, 1))
    with pytest.raises(TypeError, match="must be an int"):
        workgroup_counts((10, 2.0), (64, 1, 1))
    with pytest.raises(ValueError, match="too large"):
        workgroup_counts(khal.Workgroups((2**16, 2**16)), (1, 1, 1))


# --------------------------------------------------------------------------- packing and dispatch


def test_call_packs_arguments_by_value(cpu: Cpu, rng: np.random.Generator) -> None:
    rec = install(cpu, many)
    a = cpu.init_buffer(rng.standard_normal(10).astype(np.float32))
    v = cpu.uninit_buffer(3, Vec3)
    enc = cpu.begin_encoding()
    with enc.begin_pass("p") as p:
        many.call(p, 10, a, v, 7, 0.5, -3, (1.0, 2.0, 3.0))
        many.call(p, khal.Workgroups((2, 3, 1)), a, v, np.uint32(2**32 - 1), np.float32(-2.0), 5, np.ones(3))
    assert rec.calls == []  # recorded only
    cpu.submit(enc)
    assert len(rec.calls) >= 2
    first = [c for c in rec.calls if int(c[0]["n"]) == 7]
    second = [c for c in rec.calls if int(c[0]["n"]) == 2**32 - 1]
    blk = first[0][0]
    assert int(blk["a.ptr"]) == a._ptr and int(blk["a.len"]) == 10
    assert int(blk["v.ptr"]) == v._ptr and int(blk["v.len"]) == 3
    assert blk["alpha"] == np.float32(0.5) and blk["s"] == -3
    assert list(blk["w"]) == [1.0, 2.0, 3.0] and list(blk["__num_workgroups"]) == [3, 1, 1]
    assert sorted((b, e) for _, b, e in first) == [(0, 3)] or _covers(first, 3)
    blk2 = second[0][0]
    assert blk2["alpha"] == -2.0 and list(blk2["__num_workgroups"]) == [2, 3, 1]
    assert _covers(second, 6)


def _covers(calls: list[tuple[Any, int, int]], total: int) -> bool:
    """The calls' [begin, end) ranges tile [0, total) exactly once."""
    ranges = sorted((b, e) for _, b, e in calls)
    pos = 0
    for b, e in ranges:
        if b != pos or e < b:
            return False
        pos = e
    return pos == total


def test_parallel_splits_the_range() -> None:
    par = Cpu(parallel=True, threads=3)
    rec = install(par, many)
    a = par.uninit_buffer(1, f32)
    v = par.uninit_buffer(1, Vec3)
    for total in (1, 2, 5, 24, 1000):
        rec.calls.clear()
        with par.begin_encoding() as enc, enc.begin_pass("p") as p:
            many.call(p, khal.Workgroups(total), a, v, 0, 0.0, 0, (0, 0, 0))
        assert _covers(rec.calls, total), (total, [(b, e) for _, b, e in rec.calls])
    with par.begin_encoding() as enc, enc.begin_pass("p") as p:  # empty grids run nothing
        rec.calls.clear()
        many.call(p, 0, a, v, 0, 0.0, 0, (0, 0, 0))
    assert rec.calls == []


def test_indirect_reads_counts_at_execution(cpu: Cpu) -> None:
    rec = install(cpu, many)
    a = cpu.uninit_buffer(1, f32)
    v = cpu.uninit_buffer(1, Vec3)
    counts = cpu.init_buffer(np.array([[1, 1, 1]], np.uint32), U.STORAGE | U.INDIRECT | U.COPY_DST)
    staged = cpu.init_buffer(np.array([[2, 2, 1]], np.uint32))
    enc = cpu.begin_encoding()
    enc.copy_buffer_to_buffer(staged, 0, counts, 0, 1)  # the counts change before the call runs
    with enc.begin_pass("p") as p:
        many.call(p, khal.Indirect(counts), a, v, 0, 0.0, 0, (0, 0, 0))
    cpu.submit(enc)
    assert _covers(rec.calls, 4)
    assert all(list(c[0]["__num_workgroups"]) == [2, 2, 1] for c in rec.calls)
    with pytest.raises(ValueError, match="INDIRECT"), cpu.begin_encoding().begin_pass("p") as p:
        many.call(p, khal.Indirect(staged), a, v, 0, 0.0, 0, (0, 0, 0))


# --------------------------------------------------------------------------- argument checks


def test_argument_checks_name_the_parameter(cpu: Cpu) -> None:
    rec = install(cpu, many)
    a = cpu.uninit_buffer(4, f32)
    v = cpu.uninit_buffer(4, Vec3)
    good = [a, v, 1, 1.0, 1, (0.0, 0.0, 0.0)]
    cases: list[tuple[int, Any, type[Exception], str]] = [
        (0, cpu.uninit_buffer(4, np.float64), TypeError, "'a'.*Array\\[f32\\]"),
        (0, np.zeros(4, np.float32), TypeError, "'a'.*pass a buffer"),
        (0, Cpu().uninit_buffer(4, f32), ValueError, "'a'.*backend"),
        (0, cpu.uninit_buffer(4, f32, U.COPY_SRC), ValueError, "'a'.*STORAGE"),
        (1, cpu.uninit_buffer(12, f32), TypeError, "'v'.*Array\\[Vec3\\]"),
        (1, cpu.uninit_buffer(4, khal.Vec4), TypeError, "'v'"),
        (2, -1, ValueError, "'n'.*u32"),
        (2, 2**32, ValueError, "'n'"),
        (2, 1.0, TypeError, "'n'.*int"),
        (2, np.float32(1), TypeError, "'n'"),
        (3, "x", TypeError, "'alpha'.*float"),
        (3, 1e39, ValueError, "'alpha'.*range"),
        (4, 2**31, ValueError, "'s'.*i32"),
        (4, True, TypeError, "'s'"),
        (5, (1.0, 2.0), ValueError, "'w'.*shape"),
    ]
    enc = cpu.begin_encoding()
    with enc.begin_pass("p") as p:
        for index, bad, error, pattern in cases:
            args = list(good)
            args[index] = bad
            with pytest.raises(error, match=pattern):
                many.call(p, 4, *args)
        with pytest.raises(TypeError, match="takes 6 arguments \\(a, v, n, alpha, s, w\\), got 5"):
            many.call(p, 4, *good[:5])
        assert enc._commands == []  # nothing was enqueued by a failed call
        many.call(p, 4, *good)
        many.call(
            p, 4, a, cpu.init_buffer(np.zeros((4, 3), np.float32)), np.uint8(3), 2, np.int64(-5), [1, 2, 3]
        )
    cpu.submit(enc)
    assert len({int(c[0]["n"]) for c in rec.calls}) == 2


@struct
class Body:
    pos: Vec3
    mass: f32


@kernel
def uses_struct(bodies: Array[Body], one: Body):
    pass


def test_struct_arguments(cpu: Cpu) -> None:
    rec = install(cpu, uses_struct)
    bodies = np.zeros(3, Body.dtype)
    buf = cpu.init_buffer(bodies)
    enc = cpu.begin_encoding()
    with enc.begin_pass("p") as p:
        uses_struct.call(p, 1, buf, {"pos": (1, 2, 3), "mass": 4.0})
        uses_struct.call(p, 1, buf, np.array(((5, 6, 7), 8.0), Body.dtype))
        with pytest.raises(TypeError, match="'bodies'"):
            uses_struct.call(
                p,
                1,
                cpu.init_buffer(np.zeros(3, [("pos", np.float32, 3), ("mass", np.float64)])),
                ((0, 0, 0), 0),
            )
        with pytest.raises(TypeError, match="'one'.*fields pos, mass"):
            uses_struct.call(p, 1, buf, {"pos": (1, 2, 3)})
    cpu.submit(enc)
    ones = [c[0]["one"] for c in rec.calls]
    assert [list(o["pos"]) for o in ones] == [[1, 2, 3], [5, 6, 7]]
    assert [float(o["mass"]) for o in ones] == [4.0, 8.0]


def test_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    from khal.runtime import select

    names = khal.available_backends()
    assert names[-2:] == ["cpu", "cpu-parallel"]
    monkeypatch.setenv("KHAL_BACKEND", "cpu-parallel")
    assert khal.default_backend().name == "cpu-parallel"
    monkeypatch.setenv("KHAL_BACKEND", "cpu")
    assert khal.default_backend().name == "cpu"
    monkeypatch.setenv("KHAL_BACKEND", "metal")
    with pytest.raises(ValueError, match="KHAL_BACKEND"):
        khal.default_backend()
    for gpu in ("cuda", "webgpu"):
        if gpu not in names:
            monkeypatch.setenv("KHAL_BACKEND", gpu)
            with pytest.raises(khal.BackendUnavailable, match=gpu):
                khal.default_backend()
    monkeypatch.delenv("KHAL_BACKEND")
    assert khal.default_backend().name == names[0]
    assert select.make_backend("cpu-parallel").threads >= 1


def test_parallel_runs_on_several_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A grid with enough work is shared by the pool's threads; a cheap one stays on the caller."""
    import time

    par = Cpu(parallel=True, threads=3)
    seen: list[tuple[int, int, int]] = []

    def slow(addr: int, begin: int, end: int) -> None:
        seen.append((threading.get_ident(), begin, end))
        time.sleep(0.005)  # releases the GIL like native code

    entry = ENTRY(slow)
    par._pool.run(entry, 0, 100, 100)  # type: ignore[union-attr]
    assert len({t for t, _, _ in seen}) == 3
    assert _covers([(None, b, e) for _, b, e in seen], 100)
    seen.clear()
    monkeypatch.setattr("khal.runtime.cpu.PARALLEL_MIN_SECONDS", 1.0)  # now no grid here is worth waking for
    fast = ENTRY(lambda addr, begin, end: seen.append((threading.get_ident(), begin, end)))
    par._pool.run(fast, 0, 100, 100)  # type: ignore[union-attr]
    assert {t for t, _, _ in seen} == {threading.get_ident()} and len(seen) == 2
    seen.clear()
    par._pool.run(fast, 0, 100, 1 << 20)  # type: ignore[union-attr]  # big grids skip the probe
    assert _covers([(None, b, e) for _, b, e in seen], 100) and len(seen) > 2
    seen.clear()
    par._pool.run(fast, 0, 100, 100)  # type: ignore[union-attr]
    assert {t for t, _, _ in seen} == {threading.get_ident()} and len(seen) == 2
    assert _covers([(None, b, e) for _, b, e in seen], 100)
