"""A test-only stand-in for `cuda.bindings.driver`: one synchronous device whose memory is host memory.

It answers every driver call `khal.runtime.cuda` makes with the same shapes as cuda-bindings
(`(CUresult, *values)`, the real enums and handle types), so the whole `Cuda` backend runs here
without a GPU: memory, copies, events, the recorded log issued at submit, the pool, contexts per
thread. A `cuLaunchKernel` decodes its `kernelParams` (pointers into the prepared block, one per PTX
parameter, as the compiled CUDA interface lays them out) and runs the same kernel compiled for the
CPU over the same memory, with the launch grid, or, for the virtual-grid variant, with the counts
that variant would read (from its `__grid` array when that is not empty, else its values). It
checks what the real driver checks that matters here: a current context, the stream, the sizes.
"""

from __future__ import annotations

import ctypes
import struct
import threading
import time
from typing import Any

import numpy as np
from cuda.bindings import driver as real

from khal.runtime.backend import BufferUsages, Workgroups, _pack_format, element_layout
from khal.runtime.cpu import Cpu, CpuBuffer
from khal.runtime.cuda import _scalar_codes
from khal.types import STRUCT_CODES, ArrayType, ScalarType

OK = real.CUresult.CUDA_SUCCESS
CONTEXT = 0xC0
STREAM = 0x5700


class FakeEvent:
    def __init__(self, flags: int):
        self.flags = int(flags)
        self.time: float | None = None


class FakeFunction:
    def __init__(self, name: str, ptx: str):
        self.name = name
        self.ptx = ptx
        self.kernel: Any = None  # set by the backend under test (it knows which kernel it loaded)
        self.compiled: Any = None


class FakeDriver:
    """The subset of `cuda.bindings.driver` the CUDA backend uses (see the module docstring)."""

    CUresult = real.CUresult
    CUdevice_attribute = real.CUdevice_attribute
    CUstream_flags = real.CUstream_flags
    CUevent_flags = real.CUevent_flags
    CUjit_option = real.CUjit_option
    CUfunction_attribute = real.CUfunction_attribute
    CUpointer_attribute = real.CUpointer_attribute
    CUstream = real.CUstream
    CU_STREAM_LEGACY = real.CU_STREAM_LEGACY
    CU_STREAM_PER_THREAD = real.CU_STREAM_PER_THREAD

    def __init__(self) -> None:
        self.memory: dict[int, Any] = {}
        self.tls = threading.local()
        self.launches = 0
        self.cpu = Cpu()
        self.lock = threading.Lock()

    # -- the device and contexts

    def cuInit(self, flags: int) -> tuple[Any]:
        return (OK,)

    def cuDeviceGetCount(self) -> tuple[Any, int]:
        return (OK, 1)

    def cuDeviceGet(self, ordinal: int) -> tuple[Any, Any]:
        return (OK, real.CUdevice(ordinal))

    def cuDevicePrimaryCtxRetain(self, device: Any) -> tuple[Any, Any]:
        return (OK, real.CUcontext(CONTEXT))

    def cuCtxGetCurrent(self) -> tuple[Any, Any]:
        return (OK, real.CUcontext(getattr(self.tls, "ctx", 0)))

    def cuCtxSetCurrent(self, ctx: Any) -> tuple[Any]:
        self.tls.ctx = int(ctx)
        return (OK,)

    def _need_context(self) -> None:
        assert getattr(self.tls, "ctx", 0) == CONTEXT, "a driver call without the context current"

    def cuDeviceGetAttribute(self, attr: Any, device: Any) -> tuple[Any, int]:
        values = {
            real.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: 9,
            real.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: 0,
            real.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: 4,
        }
        return (OK, values[attr])

    def cuDriverGetVersion(self) -> tuple[Any, int]:
        return (OK, 13000)

    def cuGetErrorName(self, code: Any) -> tuple[Any, bytes]:
        return (OK, real.CUresult(int(code)).name.encode())

    def cuGetErrorString(self, code: Any) -> tuple[Any, bytes]:
        return (OK, b"fake driver")

    # -- streams and events

    def cuStreamCreate(self, flags: Any) -> tuple[Any, Any]:
        self._need_context()
        assert flags == real.CUstream_flags.CU_STREAM_NON_BLOCKING
        return (OK, real.CUstream(STREAM))

    def cuStreamSynchronize(self, stream: Any) -> tuple[Any]:
        self._need_context()
        return (OK,)

    def cuStreamWaitEvent(self, stream: Any, event: FakeEvent, flags: int) -> tuple[Any]:
        assert isinstance(event, FakeEvent)
        return (OK,)

    def cuEventCreate(self, flags: Any) -> tuple[Any, FakeEvent]:
        self._need_context()
        return (OK, FakeEvent(flags))

    def cuEventDestroy(self, event: FakeEvent) -> tuple[Any]:
        return (OK,)

    def cuEventRecord(self, event: FakeEvent, stream: Any) -> tuple[Any]:
        self._need_context()
        event.time = time.perf_counter()
        return (OK,)

    def cuEventQuery(self, event: FakeEvent) -> tuple[Any]:
        return (OK,) if event.time is not None else (real.CUresult.CUDA_ERROR_NOT_READY,)

    def cuEventSynchronize(self, event: FakeEvent) -> tuple[Any]:
        assert event.time is not None
        return (OK,)

    def cuEventElapsedTime(self, start: FakeEvent, end: FakeEvent) -> tuple[Any, float]:
        if start.flags or end.flags:
            return (real.CUresult.CUDA_ERROR_INVALID_HANDLE, 0.0)
        assert start.time is not None and end.time is not None
        return (OK, (end.time - start.time) * 1e3)

    # -- memory

    def cuMemAlloc(self, nbytes: int) -> tuple[Any, Any]:
        self._need_context()
        assert nbytes > 0
        block = ctypes.create_string_buffer(nbytes)
        address = ctypes.addressof(block)
        with self.lock:
            self.memory[address] = block
        return (OK, real.CUdeviceptr(address))

    def cuMemFree(self, ptr: Any) -> tuple[Any]:
        with self.lock:
            del self.memory[int(ptr)]
        return (OK,)

    def _check_range(self, ptr: int, nbytes: int) -> None:
        with self.lock:
            for base, block in self.memory.items():
                if base <= ptr and ptr + nbytes <= base + ctypes.sizeof(block):
                    return
        raise AssertionError(f"{nbytes} bytes at {ptr:#x} are outside every allocation")

    def cuMemsetD8Async(self, ptr: Any, value: int, nbytes: int, stream: Any) -> tuple[Any]:
        self._need_context()
        self._check_range(int(ptr), nbytes)
        ctypes.memset(int(ptr), value, nbytes)
        return (OK,)

    def cuMemcpyHtoDAsync(self, dst: Any, src: int, nbytes: int, stream: Any) -> tuple[Any]:
        self._need_context()
        self._check_range(int(dst), nbytes)
        ctypes.memmove(int(dst), src, nbytes)
        return (OK,)

    def cuMemcpyDtoHAsync(self, dst: int, src: Any, nbytes: int, stream: Any) -> tuple[Any]:
        self._need_context()
        self._check_range(int(src), nbytes)
        ctypes.memmove(dst, int(src), nbytes)
        return (OK,)

    def cuMemcpyDtoDAsync(self, dst: Any, src: Any, nbytes: int, stream: Any) -> tuple[Any]:
        self._need_context()
        self._check_range(int(src), nbytes)
        self._check_range(int(dst), nbytes)
        ctypes.memmove(int(dst), int(src), nbytes)
        return (OK,)

    def cuPointerGetAttribute(self, attr: Any, ptr: int) -> tuple[Any, int]:
        try:
            self._check_range(int(ptr), 1)
        except AssertionError:
            return (real.CUresult.CUDA_ERROR_INVALID_VALUE, 0)
        return (OK, 0)

    # -- modules and launches

    def cuModuleLoadDataEx(
        self, image: bytes, n: int, options: list[Any], values: list[Any]
    ) -> tuple[Any, Any]:
        self._need_context()
        assert image.endswith(b"\0") and n == len(options) == len(values)
        ptx = image[:-1].decode()
        if "bogus" in ptx:
            log = b"ptxas fatal: unknown instruction 'bogus'"
            values[0][: len(log)] = log  # the CU_JIT_ERROR_LOG_BUFFER bytearray
            return (real.CUresult.CUDA_ERROR_INVALID_PTX, None)
        return (OK, ptx)

    def cuModuleGetFunction(self, module: str, name: bytes) -> tuple[Any, FakeFunction]:
        assert f".entry {name.decode()}(" in module
        return (OK, FakeFunction(name.decode(), module))

    def cuFuncGetAttribute(self, attr: Any, function: FakeFunction) -> tuple[Any, int]:
        return (OK, 1024)

    def cuOccupancyMaxActiveBlocksPerMultiprocessor(
        self, function: Any, threads: int, shared: int
    ) -> tuple[Any, int]:
        return (OK, 2)

    def cuLaunchKernel(
        self, f: FakeFunction, gx: int, gy: int, gz: int, bx: int, by: int, bz: int, shared: int,
        stream: Any, params: int, extra: int,
    ) -> tuple[Any]:  # fmt: skip
        self._need_context()
        assert int(stream) == STREAM and shared == 0 and extra == 0
        keep: list[Any] = []
        if isinstance(params, tuple):  # cuda-bindings' (values, ctypes types) form
            keep = [t(v) for v, t in zip(*params, strict=True)]
            pointers = (ctypes.c_void_p * len(keep))(*(ctypes.addressof(k) for k in keep))
            keep.append(pointers)
            params = ctypes.addressof(pointers)
        assert isinstance(params, int)
        assert (bx, by, bz) == f.compiled.interface.workgroup_size and gy <= 65535 and gz <= 65535
        assert min(gx, gy, gz) >= 1
        self.launches += 1
        run_on_cpu(self, f, (gx, gy, gz), params)
        return (OK,)


def _parameters(interface: Any, params: int) -> list[Any]:
    """Each interface parameter's value read through the kernelParams pointers: (ptr, len) or bytes."""
    count = sum(2 if p.kind == "array" else 1 for p in interface.params)
    pointers = [ctypes.c_uint64.from_address(params + 8 * i).value for i in range(count)]
    out: list[Any] = []
    for p in interface.params:
        if p.kind == "array":
            ptr, length = (ctypes.c_uint64.from_address(pointers.pop(0)).value for _ in range(2))
            out.append((ptr, length))
        else:
            out.append(ctypes.string_at(pointers.pop(0), p.size))
    return out


def _value(t: Any, ip: Any, data: bytes) -> Any:
    """A parameter value as the CPU backend's checker takes it, from its bytes in the PTX layout."""
    if isinstance(t, ScalarType):
        return struct.unpack("<" + STRUCT_CODES[(t.dtype.kind, t.dtype.itemsize)], data)[0]
    host = "<" + _pack_format(t.dtype)
    expanded = _scalar_codes(host[1:])
    scalars: list[Any] = []
    for leaf, code in zip(ip.leaves, expanded, strict=True):
        start = leaf - ip.offset
        scalars.append(struct.unpack("<" + code, data[start : start + struct.calcsize(code)])[0])
    host_bytes = struct.pack(host, *scalars)
    if t.dtype.names is not None:
        return np.frombuffer(host_bytes, dtype=t.dtype)[0]
    base, shape = t.dtype.subdtype
    return np.frombuffer(host_bytes, dtype=base).reshape(shape)


def run_on_cpu(driver: FakeDriver, f: FakeFunction, grid: tuple[int, int, int], params: int) -> None:
    """Run the launched kernel, compiled for the CPU, over the fake device's (host) memory."""
    kernel, interface = f.kernel, f.compiled.interface
    values = _parameters(interface, params)
    args: list[Any] = []
    for p, ip, v in zip(kernel.params, interface.params, values, strict=False):
        if isinstance(p.type, ArrayType):
            base, rows = element_layout(p.type.element)
            ptr, length = v
            itemsize = base.itemsize * int(np.prod(rows, dtype=np.int64))
            raw = (ctypes.c_char * max(length * itemsize, 1)).from_address(ptr)
            array = np.frombuffer(raw, dtype=base, count=length * int(np.prod(rows, dtype=np.int64)))
            args.append(CpuBuffer(driver.cpu, array.reshape((length, *rows)), BufferUsages.STORAGE))
        else:
            args.append(_value(p.type, ip, v))
    counts = grid
    if len(interface.params) == len(kernel.params) + 1:  # coarsened: the logical count in x
        counts = (struct.unpack("<I", values[-1])[0], grid[1], grid[2])
        assert 0 < grid[0] <= counts[0]
    if len(interface.params) == len(kernel.params) + 4:  # the virtual-grid variant
        (gptr, glen), *given = values[len(kernel.params) :]
        wanted = tuple(struct.unpack("<I", g)[0] for g in given)
        counts = struct.unpack("<3I", ctypes.string_at(gptr, 12)) if glen else wanted
        if counts[0] * counts[1] * counts[2] > 2**31 - 1:
            return
    if 0 in counts:
        return
    plan = driver.cpu._plan(kernel)
    driver.cpu._execute([plan.record(Workgroups(counts), args)])
