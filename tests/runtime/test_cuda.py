"""The CUDA backend (`khal.Cuda`).

Without a GPU: the launch plan's kernelParams layout against the compiled interface (a `Cuda` whose
device is stubbed), the routing of Indirect and folded grids to the virtual-grid variant, the memory
pool's reuse rule, the device options, and `BackendUnavailable`. The tests taking `gpu` run twice: on
the real device where there is one (the lent H200: `[cuda]`), and everywhere on a fake driver
(`[fake-driver]`, tests/runtime/fake_cuda_driver.py: host memory, each launch run by the CPU backend
from the decoded kernelParams), so every line of the backend runs in CI too: launches against numpy,
pool reuse only after completion, timestamps, Indirect with counts on the device (also written by an
earlier kernel of the same encoder), large grids, the JIT error path, several threads, DLPack and the
CUDA Array Interface; torch/CuPy interop on the real device only. The generic runtime tests run on
`cuda` through conftest's `backend` fixture wherever it is available.
"""

from __future__ import annotations

import ctypes
import struct
import threading
from typing import Any

import numpy as np
import pytest
import runtime_kernels as rk
from conftest import get_backend
from fake_cuda_driver import FakeDriver

import khal
import khal.runtime.cuda as cuda_runtime
import khal.std as ks
from khal import Array, f32, u32
from khal.errors import BackendUnavailable
from khal.runtime.backend import Backend, BufferUsages, Indirect, Workgroups
from khal.runtime.cuda import (
    SKIPPED,
    Cuda,
    CudaBuffer,
    CudaError,
    CudaJitError,
    MemoryPool,
    size_class,
)
from khal.runtime.select import make_backend
from khal.targets import ptx as cuda_target

U = BufferUsages

try:
    make_backend("cuda")
    NO_GPU = ""
except BackendUnavailable as e:
    NO_GPU = str(e)

needs_gpu = pytest.mark.skipif(bool(NO_GPU), reason=f"no CUDA device: {NO_GPU}")


# --------------------------------------------------------------------------- without a GPU


class StubCuda(Cuda):
    """A `Cuda` whose device is stubbed: real compiles and plans, no driver (nothing is launched)."""

    def __init__(self, coarsen: int = 1) -> None:
        Backend.__init__(self)
        self.device = 0
        self.stream_handle = 0x5000
        self.options = cuda_target.CudaOptions()
        self.multiprocessors = 132
        self.coarsen = coarsen
        self.functions: list[tuple[str, bool]] = []

    def _compile(self, kernel: Any, *, virtual_grid: bool, coarsen: int) -> Any:
        from khal.compiler import compile_kernel

        options = cuda_target.CudaOptions(virtual_grid=virtual_grid, coarsen=coarsen)
        with cuda_target.compiling_for(options):
            compiled = compile_kernel(kernel, "cuda")
        self.functions.append((kernel.name, virtual_grid))
        return compiled

    def _function(self, compiled: Any, threads: int) -> Any:
        virtual = "__grid" in [p.name for p in compiled.interface.params]
        return ("function", compiled.interface.kernel, virtual)

    def _resident_blocks(self, function: Any, threads: int) -> int:
        return 2 * self.multiprocessors


def stub_buffer(
    backend: StubCuda, n: int, dtype: Any, ptr: int, usage: U = khal.BufferUsages.STORAGE
) -> CudaBuffer:
    from khal.runtime.backend import element_layout

    base, rows = element_layout(dtype)
    return CudaBuffer(backend, n, base, rows, usage, ptr)


def read_params(launch: tuple[Any, ...]) -> list[int]:
    """The kernelParams pointers of a prepared launch (one per PTX parameter)."""
    address, buffer = launch[7], launch[8]
    assert address == ctypes.addressof(buffer)
    count = 0
    pointers = []
    while True:  # the pointers come first, each into the block that follows them
        p = ctypes.c_uint64.from_address(address + 8 * count).value
        if not address <= p < address + ctypes.sizeof(buffer):
            break
        pointers.append(p)
        count += 1
    return pointers


def u64(p: int) -> int:
    return ctypes.c_uint64.from_address(p).value


def test_saxpy_kernel_params_point_at_each_ptx_parameter() -> None:
    backend = StubCuda()
    y = stub_buffer(backend, 1000, np.float32, 0x10000)
    x = stub_buffer(backend, 1000, np.float32, 0x20000)
    plan = backend._plan(rk.saxpy)
    launch = plan.record(1000, (y, x, 2.5))
    assert launch[:7] == (("function", "saxpy", False), 8, 1, 1, 128, 1, 1)
    assert launch[9] == (y, x, 2.5)  # the buffers stay referenced by the log
    pointers = read_params(launch)
    assert len(pointers) == 5  # y.ptr, y.len, x.ptr, x.len, alpha: the PTX `.param` list
    block = launch[7] + 8 * 5
    interface = plan.interface
    expected = [block + interface.params[0].fields["ptr"], block + interface.params[0].fields["len"]]
    expected += [block + interface.params[1].fields["ptr"], block + interface.params[1].fields["len"]]
    expected += [block + interface.params[2].offset]
    assert pointers == expected
    assert [u64(p) for p in pointers[:4]] == [0x10000, 1000, 0x20000, 1000]
    assert struct.unpack("<f", ctypes.string_at(pointers[4], 4)) == (2.5,)
    # Each call gets its own block: an earlier recorded call is not overwritten.
    second = plan.record(10, (x, y, -1.0))
    assert u64(read_params(second)[0]) == 0x20000 and u64(pointers[0]) == 0x10000


def test_a_coarsened_kernel_gets_a_quarter_of_the_blocks_and_the_logical_count() -> None:
    backend = StubCuda(coarsen=4)
    backend._resident_blocks = lambda function, threads: 1  # type: ignore[method-assign]
    y = stub_buffer(backend, 1000, np.float32, 0x10000)
    x = stub_buffer(backend, 1000, np.float32, 0x20000)
    plan = backend._plan(rk.saxpy)
    assert plan.coarsen == 4 and plan.interface.params[-1].name == "__groups_x"
    assert plan.coarsen_from == 8 * 1 * 4  # eight waves of the device's resident blocks, coarsened
    assert "%ctaid.x" in plan.compiled.artifact.asm["ptx"]
    for n, blocks, groups in ((128 * 32 - 5, 8, 32), (128 * 33, 9, 33), (2**20, 2**11, 2**13)):
        for grid in (n, khal.Workgroups(groups)):
            launch = plan.record(grid, (y, x, 2.5))
            assert launch[0] == ("function", "saxpy", False) and launch[1:4] == (blocks, 1, 1)
            pointers = read_params(launch)
            assert len(pointers) == 6  # y.ptr, y.len, x.ptr, x.len, alpha, __groups_x
            assert struct.unpack("<I", ctypes.string_at(pointers[5], 4)) == (groups,)
    # A grid too small to fill the device runs the kernel as written: a block per workgroup.
    assert backend.functions == [("saxpy", False)]
    for grid in (128 * 31, khal.Workgroups(31)):
        launch = plan.record(grid, (y, x, 2.5))
        assert launch[1:4] == (31, 1, 1) and len(read_params(launch)) == 5
    assert backend.functions == [("saxpy", False), ("saxpy", False)]  # compiled once more, once
    # A kernel with a barrier, or with loops, keeps one workgroup per block: no extra parameter.
    for kernel in (rk.reduce_sum, rk.mandelbrot):
        other = backend._plan(kernel)
        assert other.coarsen == 1
        assert [p.name for p in other.interface.params] == [p.name for p in kernel.params]


def test_vector_and_struct_values_land_at_their_ptx_leaves() -> None:
    backend = StubCuda()
    ps = stub_buffer(backend, 4, rk.Particle.dtype, 0x30000)
    plan = backend._plan(rk.step_particles)
    launch = plan.record(4, (ps, 0.5, (1.0, -2.0, 3.0)))
    pointers = read_params(launch)
    gravity = plan.interface.params[2]
    assert gravity.size == 16  # a Vec3 parameter is an LLVM <3 x float>: 16 bytes in PTX
    block = launch[7] + 8 * len(pointers)
    values = [struct.unpack("<f", ctypes.string_at(block + leaf, 4))[0] for leaf in gravity.leaves]
    assert values == [1.0, -2.0, 3.0]
    assert pointers[-1] == block + gravity.offset

    a = stub_buffer(backend, 2, np.float64, 0x40000)
    b = stub_buffer(backend, 2, np.int64, 0x41000)
    c = stub_buffer(backend, 2, np.uint8, 0x42000)
    out = stub_buffer(backend, 16, np.float64, 0x43000)
    params = {"scale": 2.0, "offset": (0.0, 7.0, 0.0), "count": 9}
    mixed = backend._plan(rk.mixed_types)
    launch = mixed.record(2, (a, b, c, out, 1.5, -3, 2**40, True, -7, [[1.0, 2.0], [3.0, 4.5]], params))
    block = launch[7] + 8 * len(read_params(launch))
    p = mixed.interface.params[10]
    scalars = [ctypes.string_at(block + leaf, 4) for leaf in p.leaves]
    assert struct.unpack("<f", scalars[0])[0] == 2.0 and struct.unpack("<f", scalars[2])[0] == 7.0
    assert struct.unpack("<I", scalars[4])[0] == 9
    m = mixed.interface.params[9]
    assert [struct.unpack("<f", ctypes.string_at(block + leaf, 4))[0] for leaf in m.leaves] == [
        1.0,
        2.0,
        3.0,
        4.5,
    ]


def test_indirect_and_folded_grids_use_the_virtual_grid_variant() -> None:
    backend = StubCuda()
    y = stub_buffer(backend, 64, np.float32, 0x10000)
    x = stub_buffer(backend, 64, np.float32, 0x20000)
    counts = stub_buffer(backend, 2, khal.UVec3, 0x50000, U.STORAGE | U.INDIRECT)
    plan = backend._plan(rk.saxpy)
    launch = plan.record(Indirect(counts, 1), (y, x, 1.0))
    assert launch[0] == ("function", "saxpy", True)
    assert launch[1:7] == (264, 1, 1, 128, 1, 1)  # as many blocks as fit on the device at once
    pointers = read_params(launch)
    assert len(pointers) == 5 + 5  # the kernel's, then __grid (ptr, len) and __grid_x/y/z
    assert [u64(p) for p in pointers[5:7]] == [0x50000 + 12, 3]  # element 1 of a UVec3 buffer
    assert launch[9][1] is counts  # the Indirect buffer is held too
    # Past 65535 blocks in y: one block per workgroup, ids unfolded on the device from the counts.
    folded = plan.record(Workgroups((3, 70000, 1)), (y, x, 1.0))
    assert folded[0] == ("function", "saxpy", True) and folded[1:4] == (210000, 1, 1)
    grid = read_params(folded)[5:]
    assert [u64(grid[0]), u64(grid[1])] == [0, 0]
    assert [ctypes.c_uint32.from_address(p).value for p in grid[2:]] == [3, 70000, 1]
    # x up to 2^31-1 runs as compiled; an empty grid launches nothing.
    assert plan.record(Workgroups((100000, 2, 1)), (y, x, 1.0))[:4] == (
        ("function", "saxpy", False),
        100000,
        2,
        1,
    )
    assert plan.record(0, (y, x, 1.0)) is SKIPPED
    assert backend.functions == [("saxpy", False), ("saxpy", True)]  # the variant compiled once


def test_call_checks_name_the_parameter_before_anything_is_recorded() -> None:
    backend = StubCuda()
    y = stub_buffer(backend, 8, np.float32, 0x10000)
    ints = stub_buffer(backend, 8, np.int32, 0x20000)
    plan = backend._plan(rk.saxpy)
    with pytest.raises(TypeError, match="parameter 'x'"):
        plan.record(8, (y, ints, 1.0))
    with pytest.raises(TypeError, match="parameter 'alpha'"):
        plan.record(8, (y, y, "2"))
    with pytest.raises(TypeError, match="takes 3 arguments"):
        plan.record(8, (y, y))
    no_indirect = stub_buffer(backend, 1, khal.UVec3, 0x50000)
    with pytest.raises(ValueError, match="INDIRECT"):
        plan.record(Indirect(no_indirect), (y, y, 1.0))


def test_virtual_grid_variant_reads_the_counts_on_the_device() -> None:
    ir = rk.reduce_sum.ir(target="cuda", stage="convert-khal-to-nvvm")
    assert "__grid" not in ir
    with cuda_target.compiling_for(cuda_target.CudaOptions(virtual_grid=True)):
        assert "{virtual_grid=true}" in cuda_target.CudaTarget().pipeline()
        ir = rk.reduce_sum.ir(target="cuda", stage="convert-khal-to-nvvm")
        ptx = rk.reduce_sum.ptx()
    assert "%__grid: !khal.array<i32, read>, %__grid_x: i32, %__grid_y: i32, %__grid_z: i32" in ir
    assert "khal.len %__grid" in ir and "scf.for" in ir
    # The block's workgroup memory is reused by the next logical workgroup only after a barrier.
    assert ir.count('"llvm.nvvm.barrier0"') == 3
    assert "%nctaid.x" in ptx and ".param .u32 reduce_sum_param_8" in ptx


def test_memory_pool_reuses_a_block_only_once_it_is_dropped() -> None:
    device: list[int] = []
    freed: list[int] = []

    def alloc(n: int) -> int:
        device.append(n)
        return 0x1000 * len(device)

    pool = MemoryPool(alloc, freed.append)
    a = pool.take(1000)
    assert (a.size, size_class(0), size_class(257), size_class(1 << 20)) == (1024, 256, 512, 1 << 20)
    assert (size_class((3 << 20) + 1), size_class(1 << 28)) == (7 << 19, 1 << 28)
    held = [a]  # what a submission's log does
    first = a.ptr
    del a
    b = pool.take(1000)
    assert b.ptr != first and device == [1024, 1024]
    held.clear()  # the submission completed
    c = pool.take(600)
    assert c.ptr == first and len(device) == 2
    del b, c
    assert pool.release_idle() == 2048 and sorted(freed) == [0x1000, 0x2000] and pool.allocated == 0


def test_memory_pool_frees_idle_blocks_when_the_device_is_full() -> None:
    calls: list[int] = []
    freed: list[int] = []

    def alloc(n: int) -> int:
        calls.append(n)
        if len(calls) == 2:
            raise CudaError("cuMemAlloc", 2)
        return 0x1000 * len(calls)

    pool = MemoryPool(alloc, freed.append)
    pool.take(4096)  # dropped at once: idle
    big = pool.take(1 << 20)
    assert freed == [0x1000] and big.ptr == 0x3000


def test_device_options_follow_the_driver_and_the_device() -> None:
    assert cuda_target.device_options((9, 0), 13000) == cuda_target.CudaOptions("sm_90", "ptx90")
    assert cuda_target.device_options((8, 0), 12040) == cuda_target.CudaOptions("sm_80", "ptx84")
    assert cuda_target.device_options((8, 6), 12060).ptx == "ptx85"
    assert cuda_target.device_options((8, 9), 12080) == cuda_target.CudaOptions("sm_89", "ptx87")
    assert cuda_target.device_options((12, 0), 12090) == cuda_target.CudaOptions("sm_120", "ptx88")
    # Capped at what LLVM's NVPTX knows; an unknown newer SM gets the newest LLVM knows below it.
    assert cuda_target.device_options((9, 0), 13020).ptx == "ptx90"
    assert cuda_target.device_options((13, 5), 14000) == cuda_target.CudaOptions("sm_121", "ptx90")
    # An old driver for the arch: the arch's minimum ISA (the driver then says it is too old).
    assert cuda_target.device_options((9, 0), 11080).ptx == "ptx78"


def test_device_options_are_in_the_options_key_and_the_ptx() -> None:
    target = cuda_target.CudaTarget()
    assert target.options_key().startswith("sm_80/ptx80/")
    with cuda_target.compiling_for(cuda_target.device_options((9, 0), 13000)):
        assert target.options_key().startswith("sm_90/ptx90/")
        from khal.compiler import compile_kernel

        ptx = compile_kernel(rk.saxpy, "cuda").artifact.asm["ptx"]
    assert ".version 9.0" in ptx and ".target sm_90" in ptx
    assert ".target sm_80" in rk.saxpy.ptx()  # kernel.ptx() outside a backend: the default


@pytest.mark.skipif(not NO_GPU, reason="a CUDA device is present")
def test_without_a_gpu_cuda_is_unavailable_and_says_what_is_missing() -> None:
    with pytest.raises(BackendUnavailable, match=r"cuda backend is unavailable \(.*(libcuda|CUDA device)"):
        khal.Cuda()
    assert "cuda" not in khal.available_backends()


# --------------------------------------------------------------------------- on a GPU


class FakeDriverCuda(Cuda):
    """`Cuda` on `fake_cuda_driver.FakeDriver`: every line of the backend runs, kernels on the CPU."""

    fake = True

    def _compile(self, kernel: Any, *, virtual_grid: bool, coarsen: int) -> Any:
        self._compiling = kernel
        return super()._compile(kernel, virtual_grid=virtual_grid, coarsen=coarsen)

    def _function(self, compiled: Any, threads: int) -> Any:
        function = super()._function(compiled, threads)
        function.kernel, function.compiled = self._compiling, compiled  # what the fake device runs
        return function


@pytest.fixture(params=["fake-driver", "cuda"])
def gpu(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Cuda:
    """The real device where there is one, and everywhere the backend on a fake driver."""
    if request.param == "cuda":
        if NO_GPU:
            pytest.skip(f"no CUDA device: {NO_GPU}")
        backend = get_backend("cuda")
        assert isinstance(backend, Cuda)
        return backend
    driver = FakeDriver()

    def load(device: int) -> Any:
        monkeypatch.setattr(cuda_runtime, "_driver", driver)
        if device != 0:
            raise ValueError(f"Cuda(device={device}): this machine has 1 CUDA device(s), 0 to 0")
        return driver

    monkeypatch.setattr(cuda_runtime, "_load_driver", load)
    return FakeDriverCuda()


def real(gpu: Cuda) -> bool:
    """Is this the real device (full sizes), not the fake driver (kernels run on the CPU)?"""
    return not getattr(gpu, "fake", False)


@khal.kernel(workgroup_size=64)
def spin(a: Array[f32], n: u32):
    i = ks.global_invocation_id().x
    if i < len(a):
        v = a[i]
        for _ in range(n):
            v = v * 0.999 + 0.001
        a[i] = v


@khal.kernel(workgroup_size=(4, 2, 1))
def grid_ids(out: Array[u32]):
    w = ks.workgroup_id()
    c = ks.num_workgroups()
    g = ks.global_invocation_id()
    linear = (w.z * c.y + w.y) * c.x + w.x
    if ks.local_invocation_index() == 0 and linear < len(out):
        out[linear] = g.x // 4 + (g.y // 2) * c.x + w.z * c.x * c.y + 1


def test_device_code_is_for_this_device(gpu: Cuda) -> None:
    major, minor = gpu.compute_capability
    assert gpu.options.arch.startswith("sm_") and int(gpu.options.arch[3:]) <= major * 10 + minor
    plan = gpu._plan(rk.saxpy)
    ptx = plan.compiled.artifact.asm["ptx"]
    assert f".target {gpu.options.arch}" in ptx
    with pytest.raises(ValueError, match="CUDA device"):
        Cuda(device=999)


def test_saxpy_matches_numpy(gpu: Cuda, rng: np.random.Generator) -> None:
    n = 100_003
    y0 = rng.standard_normal(n, dtype=np.float32)
    x = rng.standard_normal(n, dtype=np.float32)
    ybuf, xbuf = gpu.init_buffer(y0), gpu.init_buffer(x)
    with gpu.begin_encoding() as enc, enc.begin_pass("saxpy") as p:
        rk.saxpy.call(p, n, ybuf, xbuf, 1.5)
        rk.saxpy.call(p, n, ybuf, xbuf, -0.25)
    expected = (y0 + np.float32(1.5) * x) + np.float32(-0.25) * x
    np.testing.assert_allclose(gpu.slow_read_vec(ybuf), expected, rtol=1e-6, atol=1e-6)
    assert isinstance(ybuf.__cuda_array_interface__["data"][0], int)


def test_nothing_runs_before_submit_and_writes_follow_submitted_work(gpu: Cuda) -> None:
    a = gpu.init_buffer(np.ones(256, np.float32))
    enc = gpu.begin_encoding()
    with enc.begin_pass("x") as p:
        rk.saxpy.call(p, 256, a, a, 1.0)
    gpu.synchronize()
    np.testing.assert_array_equal(gpu.slow_read_vec(a), 1.0)  # recorded, not submitted
    gpu.submit(enc)
    gpu.write_buffer(a, 0, np.full(4, 10.0, np.float32))  # ordered after the submitted saxpy
    out = gpu.slow_read_vec(a)
    np.testing.assert_array_equal(out[:4], 10.0)
    np.testing.assert_array_equal(out[4:], 2.0)


def test_pool_reuses_memory_only_after_the_submission_completed(gpu: Cuda) -> None:
    a = gpu.uninit_buffer(4096, np.float32)
    first = a.ptr
    enc = gpu.begin_encoding()
    with enc.begin_pass("spin") as p:
        spin.call(p, 64, a, 2_000_000 if real(gpu) else 1000)
    sub = gpu.submit(enc)
    del a, enc, p
    b = gpu.uninit_buffer(4096, np.float32)  # the running submission still holds a's memory
    assert b.ptr != first
    sub.wait()
    c = gpu.uninit_buffer(4096, np.float32)
    assert c.ptr == first
    np.testing.assert_array_equal(gpu.slow_read_vec(c), 0.0)  # zero-filled after the kernel wrote it


def test_timestamps_time_each_pass(gpu: Cuda) -> None:
    n, iterations = (1 << 16, 20_000) if real(gpu) else (1 << 10, 2_000)
    a = gpu.uninit_buffer(n, np.float32)
    ts = khal.Timestamps(gpu, capacity=4)
    enc = gpu.begin_encoding()
    with enc.begin_pass("short", ts) as p:
        spin.call(p, n, a, 10)
    with enc.begin_pass("long", ts) as p:
        spin.call(p, n, a, iterations)
    gpu.submit(enc)
    (l1, t1), (l2, t2) = ts.read()
    assert (l1, l2) == ("short", "long") and 0 < t1 < t2


def test_indirect_counts_are_read_on_the_device(gpu: Cuda, rng: np.random.Generator) -> None:
    n = 5000
    y0 = rng.standard_normal(n, dtype=np.float32)
    x = rng.standard_normal(n, dtype=np.float32)
    ybuf, xbuf = gpu.init_buffer(y0), gpu.init_buffer(x)
    counts = gpu.init_buffer(
        np.array([[7, 7, 7], [20, 1, 1]], np.uint32), U.STORAGE | U.INDIRECT | U.COPY_DST
    )
    with gpu.begin_encoding() as enc, enc.begin_pass("indirect") as p:
        rk.saxpy.call(p, khal.Indirect(counts, 1), ybuf, xbuf, 2.0)  # 20 workgroups of 128: 2560
    expected = y0.copy()
    expected[:2560] += np.float32(2.0) * x[:2560]
    np.testing.assert_allclose(gpu.slow_read_vec(ybuf), expected, rtol=1e-6, atol=1e-6)


def test_indirect_counts_written_by_an_earlier_kernel_of_the_encoder(
    gpu: Cuda, rng: np.random.Generator
) -> None:
    n = 100_000
    data = rng.integers(0, 1000, n, dtype=np.uint32)
    dbuf = gpu.init_buffer(data)
    bins = gpu.uninit_buffer(rk.BINS, np.uint32)
    counts = gpu.uninit_buffer(3, np.uint32, U.STORAGE | U.INDIRECT | U.COPY_SRC)
    with gpu.begin_encoding() as enc, enc.begin_pass("histogram") as p:
        rk.fill_counts.call(p, 1, counts, n, 64)
        rk.histogram_local.call(p, khal.Indirect(counts), dbuf, bins)
    np.testing.assert_array_equal(gpu.slow_read_vec(bins), np.bincount(data % rk.BINS, minlength=rk.BINS))
    np.testing.assert_array_equal(gpu.slow_read_vec(counts), [-(-n // 64), 1, 1])


@pytest.mark.parametrize("counts", [(70_000, 1, 1), (3, 70_000, 1), (2, 3, 66_000), (100_000, 2, 1)])
def test_large_grids(gpu: Cuda, counts: tuple[int, int, int]) -> None:
    total = counts[0] * counts[1] * counts[2]
    out = gpu.uninit_buffer(total, np.uint32)
    with gpu.begin_encoding() as enc, enc.begin_pass("grid") as p:
        grid_ids.call(p, khal.Workgroups(counts), out)
    np.testing.assert_array_equal(gpu.slow_read_vec(out), np.arange(1, total + 1, dtype=np.uint32))


def test_jit_errors_carry_the_log(gpu: Cuda) -> None:
    bad = ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k() { bogus.instruction; }\n"
    with pytest.raises(CudaJitError, match="CUDA_ERROR_INVALID_PTX") as e:
        gpu.load_module(bad, "k")
    assert "loading the PTX of k" in str(e.value) and "(the JIT left no log)" not in str(e.value)


def test_several_threads_share_one_backend(gpu: Cuda) -> None:
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            r = np.random.default_rng(seed)
            for _ in range(20):
                n = int(r.integers(1, 50_000))
                y0 = r.standard_normal(n, dtype=np.float32)
                x = r.standard_normal(n, dtype=np.float32)
                ybuf, xbuf = gpu.init_buffer(y0), gpu.init_buffer(x)
                enc = gpu.begin_encoding()
                with enc.begin_pass("t") as p:
                    rk.saxpy.call(p, n, ybuf, xbuf, 3.0)
                gpu.submit(enc).wait()
                np.testing.assert_allclose(
                    gpu.slow_read_vec(ybuf), y0 + np.float32(3.0) * x, rtol=1e-6, atol=1e-6
                )
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_torch_interop(gpu: Cuda, rng: np.random.Generator) -> None:
    if not real(gpu):
        pytest.skip("interop needs the real device")
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA")
    n = 10_000
    x = rng.standard_normal(n, dtype=np.float32)
    t = torch.ones(n, dtype=torch.float32, device=f"cuda:{gpu.device}")
    tbuf = gpu.from_dlpack(t)  # no copy: kernels write into the tensor
    xbuf = gpu.init_buffer(x)
    with gpu.begin_encoding() as enc, enc.begin_pass("into torch") as p:
        rk.saxpy.call(p, n, tbuf, xbuf, 2.0)
    gpu.synchronize()
    np.testing.assert_allclose(t.cpu().numpy(), 1.0 + np.float32(2.0) * x, rtol=1e-6, atol=1e-6)
    view = torch.from_dlpack(xbuf)  # DLPack export, no copy
    assert view.data_ptr() == xbuf.ptr and view.shape == (n,)
    np.testing.assert_array_equal(view.cpu().numpy(), x)
    cai = torch.as_tensor(xbuf, device=f"cuda:{gpu.device}")  # through __cuda_array_interface__
    assert cai.data_ptr() == xbuf.ptr
    with pytest.raises(ValueError, match="device"):
        gpu.from_dlpack(torch.ones(3))


def test_cupy_interop(gpu: Cuda, rng: np.random.Generator) -> None:
    if not real(gpu):
        pytest.skip("interop needs the real device")
    cp = pytest.importorskip("cupy")
    n = 10_000
    x = rng.standard_normal(n, dtype=np.float32)
    with cp.cuda.Device(gpu.device):
        c = cp.zeros(n, dtype=cp.float32)
        cbuf = gpu.from_dlpack(c)
        xbuf = gpu.init_buffer(x)
        with gpu.begin_encoding() as enc, enc.begin_pass("into cupy") as p:
            rk.saxpy.call(p, n, cbuf, xbuf, -1.0)
        gpu.synchronize()
        np.testing.assert_allclose(cp.asnumpy(c), -x, rtol=1e-6, atol=1e-6)
        view = cp.asarray(xbuf)  # __cuda_array_interface__, ordered after this backend's stream
        assert view.data.ptr == xbuf.ptr
        np.testing.assert_array_equal(cp.asnumpy(view), x)
        np.testing.assert_array_equal(cp.asnumpy(cp.from_dlpack(xbuf)), x)


def test_dlpack_and_array_interface_wrap_without_a_copy(gpu: Cuda) -> None:
    a = gpu.init_buffer(np.arange(10, dtype=np.float32))

    class Exported:  # a DLPack producer without __cuda_array_interface__
        def __dlpack__(self, stream: int | None = None) -> Any:
            return a.__dlpack__(stream=stream)

        def __dlpack_device__(self) -> tuple[int, int]:
            return a.__dlpack_device__()

    class Interface:  # a __cuda_array_interface__ producer
        __cuda_array_interface__ = a.__cuda_array_interface__

    assert a.__dlpack_device__() == (2, gpu.device)
    assert Interface.__cuda_array_interface__["stream"] == gpu.stream_handle
    b = gpu.from_dlpack(Exported())
    c = gpu.from_dlpack(Interface())
    assert (b.ptr, b.shape, b.dtype, c.ptr, c.shape) == (a.ptr, (10,), np.float32, a.ptr, (10,))
    with gpu.begin_encoding() as enc, enc.begin_pass("through the views") as p:
        rk.saxpy.call(p, 10, b, c, 1.0)  # y and x are the same memory: y = 2 y
    np.testing.assert_array_equal(gpu.slow_read_vec(a), 2 * np.arange(10, dtype=np.float32))
    assert len(cuda_runtime._exports) == 1  # b's capsule, consumed: held until b goes
    del b
    assert len(cuda_runtime._exports) == 0
    unconsumed = a.__dlpack__(stream=-1)
    assert len(cuda_runtime._exports) == 1
    del unconsumed
    assert len(cuda_runtime._exports) == 0
    particles = gpu.uninit_buffer(2, rk.Particle)
    with pytest.raises(BufferError, match="DLPack cannot describe"):
        particles.__dlpack__()
    with pytest.raises(ValueError, match="device"):
        gpu.from_dlpack(np.zeros(3, np.float32))
