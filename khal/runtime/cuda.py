"""The CUDA backend: PTX from the `cuda` target, run through the driver API of pip `cuda-python`.

`Cuda(device=0)` retains the device's primary context (the one the CUDA runtime, torch and CuPy use)
and makes it current on whichever thread enters the backend, creates one non-blocking stream, and
loads each compiled kernel's PTX once (`cuModuleLoadDataEx`; a JIT error carries the driver's log).

Recording: the encoder's log is its native structure, as on the CPU. A `call` checks its arguments
and fills a fresh kernel-parameter block (`kernelParams`: an array of pointers, one per PTX
parameter, into the block that follows it in the same ctypes buffer), planned once per kernel; it
enqueues nothing. `submit` issues the log in order on the stream (`cuLaunchKernel`,
`cuMemcpyDtoDAsync`, `cuEventRecord` for timestamps), records an event, and returns a `Submission`
that polls it (`cuEventQuery`) or waits on it (`cuEventSynchronize`). Why not launch at `call` time:
nothing may run before `submit`, and a CUDA stream cannot hold work back except by stream capture
(a graph instantiated per submit costs tens of microseconds) or a device-side gate that an abandoned
encoder would leave closed. Issuing a prepared launch costs what a raw `cuLaunchKernel` does.

Memory: buffers come from `cuMemAlloc` through a pool of size classes (`size_class`). A buffer's
allocation goes back to the pool when the last reference to it goes; the log of every submission
holds its buffers until the work is seen complete, so memory is reused only after the work that
used it finished. `write_buffer` and `init_buffer` copy with `cuMemcpyHtoDAsync` on the stream
(pageable sources are staged by the driver before the call returns), so they are ordered after the
work submitted before them; `slow_read_vec` copies back on the stream and synchronizes it.

Grids: a launch grid of x up to 2^31-1 and y, z up to 65535 blocks runs the kernel as compiled.
A grid past that in y or z, and every `Indirect` grid, runs the kernel's virtual-grid variant
(`convert-khal-to-nvvm{virtual_grid}`): a grid-stride loop over the logical workgroups, whose counts
it reads on the device from the `Indirect` buffer (no host round trip), launched on a fixed grid
(as many blocks as fit on the device at once).

Interop: buffers expose `__cuda_array_interface__` (version 3, with this backend's stream) and
`__dlpack__`; `from_dlpack` wraps a CUDA array of this device (torch, CuPy) without a copy. See
docs/cuda.md for the stream and lifetime rules.
"""

from __future__ import annotations

import ctypes
import math
import os
import struct
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from khal.backends import backend_spec
from khal.runtime.backend import (
    DEFAULT_USAGE,
    MAX_WORKGROUPS,
    Backend,
    Buffer,
    BufferUsages,
    CopyCommand,
    Encoder,
    Indirect,
    LaunchPlan,
    PassMarker,
    Submission,
    Timestamps,
    _as_usage,
    _pack_format,
    arity_error,
    element_layout,
    indirect_counts,
    make_checkers,
    workgroup_counts,
)
from khal.runtime.packing import fast_test
from khal.targets import Interface
from khal.types import STRUCT_CODES, ArrayType, ScalarType

MAX_GRID_YZ = 65535
"""CUDA's limit on blocks in y and z; x takes up to 2^31-1."""
MIN_ALLOCATION = 256
"""The smallest size class of the pool (and what a zero-length buffer takes)."""


class CudaError(RuntimeError):
    """A CUDA driver call failed: `api` is the function, `code` the `CUresult` (an int)."""

    def __init__(self, api: str, code: int, detail: str = ""):
        self.api = api
        self.code = int(code)
        name, text = _error_text(code)
        super().__init__(f"{api} failed: {name} ({text}){detail}")


class CudaJitError(CudaError):
    """The driver could not load a kernel's PTX; the message holds the JIT's error log."""


_driver: Any = None  # cuda.bindings.driver, once imported


def _error_text(code: Any) -> tuple[str, str]:
    try:
        err, name = _driver.cuGetErrorName(code)
        err2, text = _driver.cuGetErrorString(code)
        return (name.decode() if not err else str(code)), (text.decode() if not err2 else "")
    except Exception:  # an unknown code, or the driver gone at exit
        return str(code), ""


def _check(out: Any, api: str) -> Any:
    """The value(s) of a cuda-bindings call's `(CUresult, *values)`, or raise CudaError."""
    if out[0]:
        raise CudaError(api, out[0])
    if len(out) == 1:
        return None
    return out[1] if len(out) == 2 else out[1:]


# --------------------------------------------------------------------------- opening the device


def _load_driver(device: int) -> Any:
    """`cuda.bindings.driver` after `cuInit`, checking that `device` exists; else BackendUnavailable."""
    global _driver
    spec = backend_spec("cuda")
    try:  # cheap first: no driver library, no need to import cuda-python
        ctypes.CDLL("libcuda.so.1")
    except OSError as e:
        raise spec.unavailable(f"no NVIDIA driver library (libcuda.so.1): {e}") from None
    try:
        from cuda.bindings import driver
    except ImportError as e:
        raise spec.unavailable(f"cuda-python is not installed: {e}") from None
    _driver = driver
    try:
        (err,) = driver.cuInit(0)
    except Exception as e:  # cuda-bindings raises when libcuda.so itself is missing
        raise spec.unavailable(f"no NVIDIA driver library (libcuda.so) could be loaded: {e}") from None
    if err == driver.CUresult.CUDA_ERROR_NO_DEVICE:
        raise spec.unavailable("the NVIDIA driver found no CUDA device")
    if err:
        raise spec.unavailable(f"cuInit failed: {_error_text(err)[0]}")
    count = _check(driver.cuDeviceGetCount(), "cuDeviceGetCount")
    if count == 0:
        raise spec.unavailable("the NVIDIA driver found no CUDA device")
    if not 0 <= device < count:
        raise ValueError(f"Cuda(device={device}): this machine has {count} CUDA device(s), 0 to {count - 1}")
    return driver


DEFAULT_COARSEN = 4
COARSEN_WAVES = 8
"""A grid is launched coarsened only if it fills the device this many times over after coarsening."""


def coarsen_factor() -> int:
    """`KHAL_CUDA_COARSEN` (a positive int), else `DEFAULT_COARSEN`."""
    text = os.environ.get("KHAL_CUDA_COARSEN", "")
    if not text:
        return DEFAULT_COARSEN
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise ValueError(f"KHAL_CUDA_COARSEN={text!r}: give a whole number of workgroups per block, 1 to 64")
    return int(text)


def _device_attribute(driver: Any, device: Any, name: str) -> int:
    attr = getattr(driver.CUdevice_attribute, name)
    return int(_check(driver.cuDeviceGetAttribute(attr, device), f"cuDeviceGetAttribute({name})"))


# --------------------------------------------------------------------------- memory


def size_class(nbytes: int) -> int:
    """The pool's size class of an allocation of `nbytes`: a power of two up to 1 MiB (at least
    MIN_ALLOCATION), above it a multiple of an eighth of the next power of two (at most 12.5% more)."""
    power = 1 << (max(nbytes, 1) - 1).bit_length()
    if power <= 1 << 20:
        return max(MIN_ALLOCATION, power)
    step = power // 8
    return -(-nbytes // step) * step


class Allocation:
    """A block of device memory from a `MemoryPool`; it goes back to the pool when dropped."""

    __slots__ = ("pool", "ptr", "size", "__weakref__")

    def __init__(self, pool: MemoryPool, ptr: int, size: int):
        self.pool = pool
        self.ptr = ptr
        self.size = size

    def __del__(self) -> None:
        self.pool.give(self.ptr, self.size)


class MemoryPool:
    """Device memory by size class (`size_class`), reused when an `Allocation` is dropped.

    `alloc(nbytes)` / `free(ptr)` are the device's (cuMemAlloc/cuMemFree); they are injected so the
    pool can be tested without a GPU. Giving back never calls the driver (it may run in `__del__`
    on any thread); an allocation that fails frees the idle blocks and tries once more.
    """

    def __init__(self, alloc: Callable[[int], int], free: Callable[[int], None]):
        self._alloc = alloc
        self._free = free
        self._idle: dict[int, list[int]] = {}
        self._lock = threading.Lock()
        self.allocated = 0  # bytes taken from the device, idle ones included

    def take(self, nbytes: int) -> Allocation:
        """An allocation of at least `nbytes` (an idle one of its size class if there is one)."""
        size = size_class(nbytes)
        with self._lock:
            idle = self._idle.get(size)
            if idle:
                return Allocation(self, idle.pop(), size)
        try:
            ptr = self._alloc(size)
        except CudaError:
            if not self.release_idle():
                raise
            ptr = self._alloc(size)
        with self._lock:
            self.allocated += size
        return Allocation(self, ptr, size)

    def give(self, ptr: int, size: int) -> None:
        """Take a block back (called when its Allocation is dropped)."""
        with self._lock:
            self._idle.setdefault(size, []).append(ptr)

    def idle(self, size: int) -> list[int]:
        """The idle blocks of a size class (a copy)."""
        with self._lock:
            return list(self._idle.get(size, ()))

    def release_idle(self) -> int:
        """Free every idle block on the device; returns the bytes freed."""
        with self._lock:
            idle, self._idle = self._idle, {}
        freed = 0
        for size, ptrs in idle.items():
            for ptr in ptrs:
                self._free(ptr)
                freed += size
        with self._lock:
            self.allocated -= freed
        return freed


class CudaBuffer(Buffer):
    """A buffer in device memory: `_ptr` (a device address), `_len` elements, `nbytes` bytes.

    `_alloc` is its pooled allocation (None for memory wrapped by `from_dlpack`, kept alive through
    `_owner`). It exposes `__cuda_array_interface__` and `__dlpack__`.
    """

    __slots__ = ("_ptr", "_nbytes", "_alloc", "_owner")

    def __init__(
        self,
        backend: Cuda,
        n: int,
        dtype: np.dtype[Any],
        row_shape: tuple[int, ...],
        usage: BufferUsages,
        ptr: int,
        alloc: Allocation | None = None,
        owner: Any = None,
    ):
        super().__init__(backend, n, dtype, row_shape, usage)
        self._ptr = ptr
        self._nbytes = n * self.element_dtype.itemsize
        self._alloc = alloc
        self._owner = owner

    @property
    def ptr(self) -> int:
        """The device address of element 0."""
        return self._ptr

    @property
    def __cuda_array_interface__(self) -> dict[str, Any]:
        """CUDA Array Interface v3: shape, typestr, data, and this backend's stream to order after."""
        backend: Cuda = self.backend  # type: ignore[assignment]
        interface: dict[str, Any] = {
            "shape": self.shape,
            "typestr": self.dtype.str,
            "data": (self._ptr, False),
            "version": 3,
            "strides": None,
            "stream": backend.stream_handle,
        }
        if self.dtype.names is not None:
            interface["descr"] = self.dtype.descr
        return interface

    def __dlpack__(
        self,
        *,
        stream: int | None = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> Any:
        """A DLPack capsule of the buffer's memory (no copy), ordered for the consumer's `stream`."""
        backend: Cuda = self.backend  # type: ignore[assignment]
        if copy:
            raise BufferError("a khal CUDA buffer is exported without a copy (copy=True is not supported)")
        if dl_device is not None and tuple(dl_device) != self.__dlpack_device__():
            raise BufferError(f"a khal CUDA buffer lives on {self.__dlpack_device__()}, not {dl_device}")
        if stream is not None and stream != -1:
            backend.order_stream_after_mine(stream)
        elif stream is None:
            backend.order_stream_after_mine(1)  # DLPack: None means the legacy default stream
        return dlpack_capsule(self)

    def __dlpack_device__(self) -> tuple[int, int]:
        """(kDLCUDA, device ordinal)."""
        return (KDL_CUDA, self.backend.device)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- DLPack (ctypes)

KDL_CUDA = 2
_DL_CODES = {"i": 0, "u": 1, "f": 2, "b": 6}


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", _DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class _DLManagedTensor(ctypes.Structure):
    pass


_DELETER = ctypes.CFUNCTYPE(None, ctypes.POINTER(_DLManagedTensor))
_DLManagedTensor._fields_ = [
    ("dl_tensor", _DLTensor),
    ("manager_ctx", ctypes.c_void_p),
    ("deleter", _DELETER),
]

# What an exported tensor keeps alive (its buffer, its shape array), by the address of its struct,
# until the consumer calls the deleter (or the unconsumed capsule is destroyed).
_exports: dict[int, tuple[Any, ...]] = {}
_exports_lock = threading.Lock()


@_DELETER
def _dlpack_deleter(managed: Any) -> None:
    with _exports_lock:
        _exports.pop(ctypes.addressof(managed.contents), None)


# The capsule API through private prototypes (ctypes.pythonapi's shared function objects keep their
# argtypes). The destructor takes the capsule as a raw pointer: making a Python reference to an object
# being destroyed would revive it.
_CAPSULE_DESTRUCTOR = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_capsule_new = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p, ctypes.c_char_p, _CAPSULE_DESTRUCTOR)(
    ("PyCapsule_New", ctypes.pythonapi)
)
_capsule_get = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", ctypes.pythonapi)
)
_capsule_set_name = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object, ctypes.c_char_p)(
    ("PyCapsule_SetName", ctypes.pythonapi)
)
_capsule_valid_raw = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)(
    ("PyCapsule_IsValid", ctypes.pythonapi)
)
_capsule_get_raw = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", ctypes.pythonapi)
)


@_CAPSULE_DESTRUCTOR
def _capsule_destructor(capsule: int) -> None:
    # A capsule never consumed still has its name "dltensor": release what it holds.
    if _capsule_valid_raw(capsule, b"dltensor"):
        address = _capsule_get_raw(capsule, b"dltensor")
        with _exports_lock:
            _exports.pop(address, None)


def dlpack_capsule(buf: CudaBuffer) -> Any:
    """A "dltensor" capsule (DLPack 0.x ABI, which every consumer reads) viewing `buf`'s memory."""
    base = buf.dtype
    if base.names is not None or base.kind not in _DL_CODES:
        raise BufferError(f"DLPack cannot describe elements of dtype {base}")
    shape = (ctypes.c_int64 * len(buf.shape))(*buf.shape)
    managed = _DLManagedTensor()
    tensor = managed.dl_tensor
    tensor.data = buf._ptr
    tensor.device = _DLDevice(KDL_CUDA, buf.backend.device)  # type: ignore[attr-defined]
    tensor.ndim = len(buf.shape)
    tensor.dtype = _DLDataType(_DL_CODES[base.kind], base.itemsize * 8, 1)
    tensor.shape = ctypes.cast(shape, ctypes.POINTER(ctypes.c_int64))
    tensor.strides = ctypes.POINTER(ctypes.c_int64)()  # NULL: C-contiguous
    tensor.byte_offset = 0
    managed.deleter = _dlpack_deleter
    address = ctypes.addressof(managed)
    with _exports_lock:
        _exports[address] = (buf, managed, shape)
    return _capsule_new(address, b"dltensor", _capsule_destructor)


class _DLPackImport:
    """Owns a consumed "dltensor": calls its deleter when the wrapping buffer is dropped."""

    __slots__ = ("managed",)

    def __init__(self, managed: Any):
        self.managed = managed

    def __del__(self) -> None:
        deleter = self.managed.contents.deleter
        if deleter:
            deleter(self.managed)


def _typestr_dtype(typestr: str, descr: Any) -> np.dtype[Any]:
    if typestr.startswith("|V") and descr is not None:
        return np.dtype([tuple(d) for d in descr])
    return np.dtype(typestr)


def _dl_dtype(code: int, bits: int, lanes: int) -> np.dtype[Any]:
    kinds = {0: "i", 1: "u", 2: "f", 6: "b"}
    if lanes != 1 or code not in kinds:
        raise ValueError(f"from_dlpack: unsupported DLPack dtype (code {code}, {bits} bits, {lanes} lanes)")
    return np.dtype("?") if code == 6 else np.dtype(f"{kinds[code]}{bits // 8}")


# --------------------------------------------------------------------------- launches


class _Skipped:
    """The command of a call with an empty grid: nothing to launch."""

    __slots__ = ()


SKIPPED = _Skipped()

# A prepared launch is a plain tuple (the cheapest thing to build per call):
# (function, grid x, y, z, block x, y, z, address of the kernelParams array, its ctypes buffer, kept)
LAUNCH_FUNCTION, LAUNCH_GRID, LAUNCH_BLOCK, LAUNCH_PARAMS = 0, 1, 4, 7


def _scalar_codes(fmt: str) -> list[str]:
    """The struct codes of each scalar a `_pack_format` string holds, in order (padding dropped)."""
    codes: list[str] = []
    count = ""
    for ch in fmt:
        if ch.isdigit():
            count += ch
            continue
        if ch != "x":
            codes += [ch] * int(count or 1)
        count = ""
    return codes


def _leaf_scatter(
    name: str, t: Any, offset: int, size: int, leaves: Sequence[int]
) -> Callable[[bytes], bytes]:
    """Host-layout bytes of a vector/matrix/struct value -> the bytes of its CUDA parameter."""
    host = "<" + _pack_format(t.dtype)
    codes = _scalar_codes(host[1:])
    if len(codes) != len(leaves):
        raise RuntimeError(
            f"parameter {name}: {len(codes)} scalars in host layout, {len(leaves)} in the PTX one"
        )
    fmt, pos = "<", 0
    for leaf, code in sorted(zip((x - offset for x in leaves), codes, strict=True)):
        fmt += "x" * (leaf - pos) + code
        pos = leaf + struct.calcsize("<" + code)
    if pos > size:
        raise RuntimeError(f"parameter {name}: its scalars overflow its {size} bytes")
    fmt += "x" * (size - pos)
    unpack, pack = struct.Struct(host).unpack, struct.Struct(fmt).pack
    order = [i for _, i in sorted((leaf, i) for i, leaf in enumerate(leaves))]

    def scatter(data: bytes) -> bytes:
        values = unpack(data)
        return pack(*(values[i] for i in order))

    return scatter


def _param_fields(kernel: Any, interface: Interface, extra: Sequence[str]) -> list[tuple[int, int, str, str]]:
    """(offset in the block, size, struct code, expression) of each PTX parameter, in PTX order.

    The kernel's parameters come first (an array is two: `ptr`, `len`), then `extra` expressions for
    the interface's further parameters: the virtual grid's `__grid` array and counts (five), or a
    coarsened kernel's `__groups_x` (one).
    """
    params = interface.params
    further = {0: 0, 1: 1, 5: 4}[len(extra)]  # interface parameters after the kernel's
    if len(params) != len(kernel.params) + further:
        raise RuntimeError(f"{kernel.name}: the compiled interface has parameters {[p.name for p in params]}")
    out: list[tuple[int, int, str, str]] = []
    for i, (p, ip) in enumerate(zip(kernel.params, params, strict=False)):
        if isinstance(p.type, ArrayType):
            out += [(ip.fields["ptr"], 8, "Q", f"v{i}._ptr"), (ip.fields["len"], 8, "Q", f"v{i}._len")]
        elif isinstance(p.type, ScalarType):
            dtype = p.type.dtype
            if dtype.itemsize != ip.size:
                raise RuntimeError(
                    f"{kernel.name}: parameter {p.name} is {dtype.itemsize} bytes, PTX says {ip.size}"
                )
            out.append((ip.offset, ip.size, STRUCT_CODES[(dtype.kind, dtype.itemsize)], f"v{i}"))
        else:
            out.append((ip.offset, ip.size, f"{ip.size}s", f"scatter{i}(v{i})"))
    if len(extra) == 5:  # the virtual grid's `__grid` array and counts
        grid, *counts = params[len(kernel.params) :]
        out += [(grid.fields["ptr"], 8, "Q", extra[0]), (grid.fields["len"], 8, "Q", extra[1])]
        out += [(c.offset, 4, "I", e) for c, e in zip(counts, extra[2:], strict=True)]
    elif extra:  # a coarsened kernel's logical workgroup count in x
        out.append((params[-1].offset, 4, "I", extra[0]))
    return out


def param_struct(
    kernel: Any, interface: Interface, extra: Sequence[str] = ()
) -> tuple[struct.Struct, list[str], int]:
    """The layout of one call's ctypes buffer: `kernelParams` (one void* per PTX parameter), then the block.

    Returns the `struct.Struct` packing it (the pointers first, as `a + offset` expressions of the
    buffer's address `a`, then the values), the expressions in order, and the number of pointers.
    """
    fields = _param_fields(kernel, interface, extra)
    n = len(fields)
    head = 8 * n
    fmt, exprs = "<" + "Q" * n, [f"a + {head + offset}" for offset, _, _, _ in fields]
    pos = 0
    for offset, size, code, expr in sorted(fields):
        if offset < pos:
            raise RuntimeError(f"{kernel.name}: overlapping kernel parameters in {interface}")
        fmt += "x" * (offset - pos) + code
        pos = offset + size
        exprs.append(expr)
    fmt += "x" * (max(interface.block_size, pos) - pos)
    return struct.Struct(fmt), exprs, n


def generate_record(
    plan: CudaPlan, interface: Interface, *, virtual: bool, coarsen: int | None = None, function: Any = None
) -> Callable[..., Any]:
    """The plan's per-call function, as Python source specialised to the kernel (compiled once).

    Direct: `record(grid, args)` checks the arguments (inline fast tests, else the generic checker),
    works out the workgroup counts, and returns a prepared launch; an `Indirect` grid or one past
    65535 in y/z goes to `plan.record_virtual`. Virtual: `record(args, gptr, glen, cx, cy, cz,
    blocks)` prepares a launch of the virtual-grid variant over `blocks` blocks. A coarsened kernel
    (`coarsen` > 1, default `plan.coarsen`) launches a block per `coarsen` workgroups in x, passing
    the logical count; a grid of fewer than `plan.coarsen_from` workgroups goes to `plan.record_plain`
    instead (the kernel as written: coarsening a small grid would leave SMs idle).
    """
    kernel = plan.kernel
    if coarsen is None:
        coarsen = 1 if virtual else plan.coarsen
    extra: tuple[str, ...] = ("gptr", "glen", "cx", "cy", "cz") if virtual else ("gx",) if coarsen > 1 else ()
    pack, exprs, _ = param_struct(kernel, interface, extra)
    wg = interface.workgroup_size
    env: dict[str, Any] = {
        "Buffer": CudaBuffer,
        "backend": plan.backend,
        "plan": plan,
        "kernel": kernel,
        "arity_error": arity_error,
        "workgroup_counts": workgroup_counts,
        "indirect_counts": indirect_counts,
        "new_buffer": ctypes.c_char * max(pack.size, 8),
        "addressof": ctypes.addressof,
        "pack": pack.pack_into,
        "WG": wg,
        "MAXG": MAX_WORKGROUPS,
        "SKIPPED": SKIPPED,
        "F": function if function is not None else plan.virtual_function if virtual else plan.function,
    }
    names = [f"v{i}" for i in range(len(kernel.params))]
    head = "def record(args, gptr, glen, cx, cy, cz, blocks):" if virtual else "def record(grid, args):"
    lines = [head]
    if coarsen > 1:
        small = (plan.coarsen_from - 1) * wg[0]  # the most invocations in fewer than coarsen_from groups
        lines += [
            f"    if type(grid) is int and grid <= {small}:",
            "        return plan.record_plain(grid, args)",
        ]
    lines += [f"    if len(args) != {len(names)}:", "        raise arity_error(kernel, len(args))"]
    if names:
        lines.append(f"    {', '.join(names)}, = args")
    for i, (p, var) in enumerate(zip(kernel.params, names, strict=True)):
        env[f"check{i}"] = plan.checkers[i]
        if not isinstance(p.type, ArrayType | ScalarType):
            ip = interface.params[i]
            env[f"scatter{i}"] = _leaf_scatter(p.name, p.type, ip.offset, ip.size, ip.leaves)
        test = fast_test(var, p.type, i, env)
        if test is None:
            lines.append(f"    {var} = check{i}({var})")
        else:
            lines += [f"    if not ({test}):", f"        {var} = check{i}({var})"]
    if virtual:
        lines.append("    x, y, z = blocks, 1, 1")
    else:
        lines += [
            "    if type(grid) is int and 0 <= grid <= MAXG:",
            f"        x, y, z = -(-grid // {wg[0]}), 1, 1",
            "        if x == 0:",
            "            return SKIPPED",
            "    else:",
            "        counts = workgroup_counts(grid, WG)",
            "        if type(counts) is not tuple:",
            "            indirect_counts(counts, backend)",
            "            return plan.record_indirect(counts, args)",
            "        x, y, z = counts",
            "        if x * y * z == 0:",
            "            return SKIPPED",
            f"        if y > {MAX_GRID_YZ} or z > {MAX_GRID_YZ}:",
            "            return plan.record_folded(counts, args)",
        ]
        if coarsen > 1:  # `coarsen` workgroups per block: the kernel takes the logical count
            lines += [
                f"    if x * y * z < {plan.coarsen_from}:",
                "        return plan.record_plain(grid, args)",
                "    gx = x",
                f"    x = -(-x // {coarsen})",
            ]
    lines += [
        "    buffer = new_buffer()",
        "    a = addressof(buffer)",
        f"    pack(buffer, 0, {', '.join(exprs)})",
        f"    return (F, x, y, z, {wg[0]}, {wg[1]}, {wg[2]}, a, buffer, args)",
    ]
    exec("\n".join(lines), env)  # noqa: S102 - source generated above from the kernel's parameter types
    return env["record"]


class CudaPlan(LaunchPlan):
    """One kernel on one CUDA device: its module and function, and the per-call packer.

    The virtual-grid variant (for `Indirect` grids and grids past 65535 in y/z) is compiled and
    loaded on first need.
    """

    def __init__(self, kernel: Any, backend: Cuda):
        self.kernel = kernel
        self.backend = backend
        self.compiled = backend._compile(kernel, virtual_grid=False, coarsen=backend.coarsen)
        interface = self.compiled.interface
        coarsened = len(interface.params) == len(kernel.params) + 1
        self.coarsen = backend.coarsen if coarsened else 1
        """Workgroups per block (`convert-khal-to-nvvm{coarsen}`; 1 where the kernel does not allow it)."""
        self.interface = interface
        self.workgroup_size: tuple[int, int, int] = interface.workgroup_size
        threads = math.prod(self.workgroup_size)
        self.function = backend._function(self.compiled, threads)
        self.coarsen_from = 0
        """Fewest workgroups launched coarsened: eight full waves of blocks after coarsening (fewer
        would leave SMs idle in the last wave for a larger share of the time)."""
        if self.coarsen > 1:
            resident = backend._resident_blocks(self.function, threads)
            self.coarsen_from = COARSEN_WAVES * resident * self.coarsen
        self._plain_record: Callable[..., Any] | None = None
        self.checkers = make_checkers(kernel, backend)
        self.record = generate_record(self, interface, virtual=False)  # type: ignore[method-assign]
        self.virtual_function: Any = None
        self._virtual_record: Callable[..., Any] | None = None
        self._resident_blocks = 0
        self._lock = threading.Lock()

    def record(self, grid: Any, args: Sequence[Any]) -> Any:  # replaced per instance
        raise NotImplementedError

    def written_params(self) -> tuple[bool, ...]:
        return self.compiled.written

    def _virtual(self) -> Callable[..., Any]:
        with self._lock:
            if self._virtual_record is None:
                backend = self.backend
                compiled = backend._compile(self.kernel, virtual_grid=True, coarsen=1)
                threads = math.prod(self.workgroup_size)
                self.virtual_function = backend._function(compiled, threads)
                self._resident_blocks = backend._resident_blocks(self.virtual_function, threads)
                self._virtual_record = generate_record(self, compiled.interface, virtual=True)
            return self._virtual_record

    def record_plain(self, grid: Any, args: Sequence[Any]) -> Any:
        """A launch of the kernel as written (one workgroup per block), compiled on first need."""
        record = self._plain_record
        if record is None:
            with self._lock:
                if self._plain_record is None:
                    backend = self.backend
                    compiled = backend._compile(self.kernel, virtual_grid=False, coarsen=1)
                    function = backend._function(compiled, math.prod(self.workgroup_size))
                    self._plain_record = generate_record(
                        self, compiled.interface, virtual=False, coarsen=1, function=function
                    )
                record = self._plain_record
        return record(grid, args)

    def record_indirect(self, grid: Indirect, args: Sequence[Any]) -> Any:
        """A launch whose workgroup counts the device reads from `grid`'s buffer when it runs."""
        record = self._virtual()
        buf = grid.buffer
        words = 3 if buf.row_shape else 1
        address = buf._ptr + 4 * words * grid.offset  # type: ignore[attr-defined]
        launch = record(args, address, 3, 0, 0, 0, self._resident_blocks)
        return (*launch[:9], (args, buf))

    def record_folded(self, counts: tuple[int, int, int], args: Sequence[Any]) -> Any:
        """A launch of a grid past CUDA's y/z limits: one block per workgroup, unfolded on the device."""
        record = self._virtual()
        total = counts[0] * counts[1] * counts[2]
        return record(args, 0, 0, counts[0], counts[1], counts[2], total)


# --------------------------------------------------------------------------- timestamps and submissions


class EventSet:
    """The CUDA events (timing enabled) behind one `Timestamps`; destroyed with it."""

    def __init__(self, backend: Cuda, capacity: int):
        self.backend = backend
        driver = backend._driver
        backend._enter()
        flags = driver.CUevent_flags.CU_EVENT_DEFAULT
        self.events = [_check(driver.cuEventCreate(flags), "cuEventCreate") for _ in range(capacity)]
        self.recorded = [False] * capacity

    def __del__(self) -> None:
        try:
            self.backend._enter()
            for ev in self.events:
                self.backend._driver.cuEventDestroy(ev)
        except Exception:  # at interpreter exit the driver may be gone
            pass


class CudaSubmission(Submission):
    """A submission on the stream: complete once the event recorded after its work has happened."""

    __slots__ = ("_event",)

    def __init__(self, backend: Cuda, keep: list[Any], event: Any):
        super().__init__(backend, keep)
        self._event = event

    def _poll(self) -> bool:
        backend: Cuda = self.backend  # type: ignore[assignment]
        event = self._event
        if event is None:  # completed meanwhile, on another thread
            return True
        backend._enter()
        (err,) = backend._driver.cuEventQuery(event)
        if not err:
            return True
        if err == backend._not_ready:
            return False
        raise CudaError("cuEventQuery", err, " (an earlier kernel of this submission failed?)")

    def _block(self) -> None:
        backend: Cuda = self.backend  # type: ignore[assignment]
        event = self._event
        if event is None:
            return
        backend._enter()
        (err,) = backend._driver.cuEventSynchronize(event)
        if err:
            raise CudaError("cuEventSynchronize", err, " (an earlier kernel of this submission failed?)")

    def _complete(self) -> None:
        super()._complete()
        backend: Cuda = self.backend  # type: ignore[assignment]
        with backend._events_lock:  # exactly once, whichever threads see the completion
            event, self._event = self._event, None
            if event is not None:
                backend._events.append(event)


class CudaEncoder(Encoder):
    """Its log of checked, prepared commands is issued on the stream at `submit` (see the module doc)."""

    def _commit(self) -> Submission:
        backend: Cuda = self.backend  # type: ignore[assignment]
        return backend._issue(self._commands)


# --------------------------------------------------------------------------- the backend


_tls = threading.local()


class Cuda(Backend):
    """Run kernels on an NVIDIA GPU through the CUDA driver API (pip `cuda-python`).

    `Cuda(device=0)`: the device's primary context, one non-blocking stream, pooled device memory.
    Without a driver or a device it raises `khal.BackendUnavailable` saying what is missing.
    """

    name = "cuda"
    target = "cuda"
    encoder_type = CudaEncoder

    def __init__(self, device: int = 0):
        if isinstance(device, bool) or not isinstance(device, int):
            raise TypeError(f"Cuda(device=...) takes a device ordinal (int), got {device!r}")
        driver = _load_driver(device)
        super().__init__()
        self._driver = driver
        self.device = device
        self._device = _check(driver.cuDeviceGet(device), "cuDeviceGet")
        self._ctx = _check(driver.cuDevicePrimaryCtxRetain(self._device), "cuDevicePrimaryCtxRetain")
        self._ctx_handle = int(self._ctx)
        self._enter()
        flags = driver.CUstream_flags.CU_STREAM_NON_BLOCKING
        self._stream = _check(driver.cuStreamCreate(flags), "cuStreamCreate")
        self.stream_handle = int(self._stream)
        self._launch = driver.cuLaunchKernel
        self._not_ready = driver.CUresult.CUDA_ERROR_NOT_READY
        self._issue_lock = threading.Lock()
        self._events: list[Any] = []
        self._events_lock = threading.Lock()
        self._modules: dict[str, Any] = {}
        self._modules_lock = threading.Lock()
        major = _device_attribute(driver, self._device, "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR")
        minor = _device_attribute(driver, self._device, "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR")
        self.compute_capability = (major, minor)
        self.multiprocessors = _device_attribute(
            driver, self._device, "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT"
        )
        self.driver_version = int(_check(driver.cuDriverGetVersion(), "cuDriverGetVersion"))
        from khal.targets.ptx import device_options

        self.options = device_options(self.compute_capability, self.driver_version)
        self.coarsen = coarsen_factor()
        """Workgroups per block for kernels that allow it (`KHAL_CUDA_COARSEN`, default 4; 1: never)."""
        self._pool = MemoryPool(self._alloc, self._free)

    def __repr__(self) -> str:
        major, minor = self.compute_capability
        opts = self.options
        return f"<khal backend cuda device={self.device} sm_{major}{minor} (code: {opts.arch}, {opts.ptx})>"

    # -- the driver

    def _enter(self) -> None:
        """Make this backend's context current on the calling thread (once per thread and context)."""
        if getattr(_tls, "ctx", None) == self._ctx_handle:
            current = _check(self._driver.cuCtxGetCurrent(), "cuCtxGetCurrent")
            if int(current) == self._ctx_handle:
                return
        _check(self._driver.cuCtxSetCurrent(self._ctx), "cuCtxSetCurrent")
        _tls.ctx = self._ctx_handle

    def _alloc(self, nbytes: int) -> int:
        self._enter()
        return int(_check(self._driver.cuMemAlloc(nbytes), "cuMemAlloc"))

    def _free(self, ptr: int) -> None:
        self._enter()
        _check(self._driver.cuMemFree(ptr), "cuMemFree")

    def _take_event(self) -> Any:
        with self._events_lock:
            if self._events:
                return self._events.pop()
        flags = self._driver.CUevent_flags.CU_EVENT_DISABLE_TIMING
        return _check(self._driver.cuEventCreate(flags), "cuEventCreate")

    def _give_event(self, event: Any) -> None:
        with self._events_lock:
            self._events.append(event)

    def order_stream_after_mine(self, stream: int) -> None:
        """Make CUDA stream `stream` (a handle; 1: legacy default, 2: per-thread) wait for my work."""
        driver = self._driver
        self._enter()
        if stream == self.stream_handle:
            return
        handle = {1: driver.CU_STREAM_LEGACY, 2: driver.CU_STREAM_PER_THREAD}.get(stream, stream)
        event = self._take_event()
        _check(driver.cuEventRecord(event, self._stream), "cuEventRecord")
        _check(driver.cuStreamWaitEvent(driver.CUstream(int(handle)), event, 0), "cuStreamWaitEvent")
        self._give_event(event)  # reusable at once: a wait captures the event's state when enqueued

    def order_mine_after_stream(self, stream: int) -> None:
        """Make this backend's stream wait for the work enqueued so far on CUDA stream `stream`."""
        driver = self._driver
        self._enter()
        if stream == self.stream_handle:
            return
        handle = {1: driver.CU_STREAM_LEGACY, 2: driver.CU_STREAM_PER_THREAD}.get(stream, stream)
        event = self._take_event()
        _check(driver.cuEventRecord(event, driver.CUstream(int(handle))), "cuEventRecord")
        _check(driver.cuStreamWaitEvent(self._stream, event, 0), "cuStreamWaitEvent")
        self._give_event(event)

    # -- kernels

    def _compile(self, kernel: Any, *, virtual_grid: bool, coarsen: int) -> Any:
        from khal.compiler import compile_kernel
        from khal.targets.ptx import CudaOptions, compiling_for

        opts = self.options
        with compiling_for(CudaOptions(opts.arch, opts.ptx, virtual_grid, coarsen)):
            return compile_kernel(kernel, self.target)

    def _function(self, compiled: Any, threads: int) -> Any:
        """The kernel's CUfunction, its module loaded once per PTX text."""
        ptx: str = compiled.artifact.asm["ptx"]
        name = compiled.artifact.interface.kernel
        with self._modules_lock:
            module = self._modules.get(ptx)
            if module is None:
                module = self._modules[ptx] = self.load_module(ptx, name)
        function = _check(self._driver.cuModuleGetFunction(module, name.encode()), "cuModuleGetFunction")
        attr = self._driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK
        most = int(_check(self._driver.cuFuncGetAttribute(attr, function), "cuFuncGetAttribute"))
        if threads > most:
            raise ValueError(
                f"{name}: a workgroup of {threads} invocations is more than this kernel can run on "
                f"device {self.device} ({most} per block)"
            )
        return function

    def load_module(self, ptx: str, name: str = "kernel") -> Any:
        """Load PTX text as a module (JIT-compiled by the driver); `CudaJitError` with the log if it fails."""
        driver = self._driver
        self._enter()
        log_size = 16384
        error_log = bytearray(log_size)
        info_log = bytearray(log_size)
        options = [
            driver.CUjit_option.CU_JIT_ERROR_LOG_BUFFER,
            driver.CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
            driver.CUjit_option.CU_JIT_INFO_LOG_BUFFER,
            driver.CUjit_option.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES,
        ]
        values = [error_log, log_size, info_log, log_size]
        image = ptx.encode() + b"\0"
        try:
            err, module = driver.cuModuleLoadDataEx(image, len(options), options, values)
        except TypeError:  # log buffers these bindings cannot pass: load without the log
            err, module = driver.cuModuleLoadData(image)
        if err:
            log = bytes(error_log).split(b"\0", 1)[0].decode(errors="replace").strip()
            raise CudaJitError(
                "cuModuleLoadDataEx", err, f" loading the PTX of {name}:\n{log or '(the JIT left no log)'}"
            )
        return module

    def _resident_blocks(self, function: Any, threads: int) -> int:
        """Blocks of `function` that fit on the whole device at once (the virtual grid's launch)."""
        occupancy = self._driver.cuOccupancyMaxActiveBlocksPerMultiprocessor
        err, per_sm = occupancy(function, threads, 0)
        if err:  # a guess is only slower, never wrong: the loop covers any grid
            per_sm = max(1, 2048 // threads)
        return max(1, int(per_sm)) * self.multiprocessors

    def _make_plan(self, kernel: Any) -> CudaPlan:
        return CudaPlan(kernel, self)

    def _issue(self, commands: list[Any]) -> CudaSubmission:
        """Enqueue an encoder's log on the stream, in order; the Submission of it."""
        launch = self._launch
        stream = self._stream
        driver = self._driver
        with self._issue_lock:
            self._enter()
            failed: BaseException | None = None
            try:
                for cmd in commands:
                    if type(cmd) is tuple:
                        (err,) = launch(
                            cmd[0], cmd[1], cmd[2], cmd[3], cmd[4], cmd[5], cmd[6], 0, stream, cmd[7], 0
                        )
                        if err:
                            raise CudaError("cuLaunchKernel", err)
                    elif cmd is SKIPPED:
                        continue
                    elif type(cmd) is PassMarker:
                        events: EventSet = cmd.native
                        events.recorded[cmd.slot] = True
                        _check(driver.cuEventRecord(events.events[cmd.slot], stream), "cuEventRecord")
                    elif type(cmd) is CopyCommand:
                        self._enqueue_copy(cmd)
                    else:
                        raise TypeError(f"unknown command {cmd!r}")
            except BaseException as e:
                failed = e
            event = self._take_event()
            _check(driver.cuEventRecord(event, stream), "cuEventRecord")
        sub = CudaSubmission(self, commands, event)
        if failed is not None:
            # What was enqueued before the failure still runs: its buffers stay held until it completes.
            self._track(sub)
            raise failed
        return sub

    def _enqueue_copy(self, cmd: CopyCommand) -> None:
        size = cmd.src.element_dtype.itemsize
        nbytes = cmd.count * size
        if nbytes == 0:
            return
        src = cmd.src._ptr + cmd.src_offset * size  # type: ignore[attr-defined]
        dst = cmd.dst._ptr + cmd.dst_offset * size  # type: ignore[attr-defined]
        _check(self._driver.cuMemcpyDtoDAsync(dst, src, nbytes, self._stream), "cuMemcpyDtoDAsync")

    def synchronize(self) -> None:
        """Wait for everything submitted, and for the copies enqueued since (writes)."""
        super().synchronize()
        self._enter()
        _check(self._driver.cuStreamSynchronize(self._stream), "cuStreamSynchronize")

    # -- buffers

    def _new_buffer(
        self,
        n: int,
        dtype: np.dtype[Any],
        row_shape: tuple[int, ...],
        usage: BufferUsages,
        data: np.ndarray | None,
    ) -> CudaBuffer:
        itemsize = dtype.itemsize * math.prod(row_shape)
        nbytes = n * itemsize
        alloc = self._pool.take(nbytes)
        buf = CudaBuffer(self, n, dtype, row_shape, usage, alloc.ptr, alloc)
        if nbytes:
            self._enter()
            if data is None:
                _check(self._driver.cuMemsetD8Async(alloc.ptr, 0, nbytes, self._stream), "cuMemsetD8Async")
            else:
                self._copy_in(alloc.ptr, data, nbytes)
        return buf

    def _copy_in(self, ptr: int, data: np.ndarray, nbytes: int) -> None:
        # From pageable memory the driver stages `data` before returning, so it may go at once.
        src = np.ascontiguousarray(data)
        _check(
            self._driver.cuMemcpyHtoDAsync(ptr, src.ctypes.data, nbytes, self._stream), "cuMemcpyHtoDAsync"
        )

    def _write(self, buf: Buffer, offset: int, data: np.ndarray) -> None:
        nbytes = data.nbytes
        if nbytes:
            self._enter()
            self._copy_in(buf._ptr + offset * buf.element_dtype.itemsize, data, nbytes)  # type: ignore[attr-defined]

    def _read(self, buf: Buffer) -> np.ndarray:
        out = np.empty(buf.shape, dtype=buf.dtype)
        self._read_into(buf, out)
        return out

    def _read_into(self, buf: Buffer, out: np.ndarray) -> None:
        direct = out.flags.c_contiguous and out.dtype == buf.dtype and out.shape == buf.shape
        target = out if direct else np.empty(buf.shape, dtype=buf.dtype)
        nbytes = target.nbytes
        self._enter()
        if nbytes:
            ptr = buf._ptr  # type: ignore[attr-defined]
            copy = self._driver.cuMemcpyDtoHAsync(target.ctypes.data, ptr, nbytes, self._stream)
            _check(copy, "cuMemcpyDtoHAsync")
        _check(self._driver.cuStreamSynchronize(self._stream), "cuStreamSynchronize")
        if not direct:
            out[...] = target

    def from_dlpack(self, x: Any, usage: BufferUsages = DEFAULT_USAGE) -> CudaBuffer:
        """Wrap a CUDA array of this device (torch, CuPy: the CUDA Array Interface or DLPack), no copy.

        Its rows are the elements, as for `init_buffer`; it must be C-contiguous. This backend's
        stream is ordered after the array's stream (work enqueued there so far); `x` stays alive as
        long as the buffer does. Kernels write straight into its memory.
        """
        usage = _as_usage(usage)
        try:
            cai = x.__cuda_array_interface__
        except Exception:  # none (AttributeError), or refused (torch: a tensor that requires grad)
            cai = None
        if isinstance(cai, dict):
            return self._from_cuda_array_interface(x, cai, usage)
        if not hasattr(x, "__dlpack__"):
            raise TypeError(
                "from_dlpack takes an array that speaks DLPack or __cuda_array_interface__ (a torch or CuPy "
                f"CUDA array), got {type(x).__name__}"
            )
        return self._from_dlpack_capsule(x, usage)

    def _wrap(
        self, ptr: int, shape: tuple[int, ...], dtype: np.dtype[Any], usage: BufferUsages, owner: Any
    ) -> CudaBuffer:
        if len(shape) == 0:
            raise ValueError("from_dlpack needs an array of at least one dimension")
        base, rows = element_layout(dtype)
        if rows:
            raise ValueError(f"from_dlpack: unsupported subarray dtype {dtype}")
        if shape[0] and ptr:
            self._check_device_pointer(ptr)
        return CudaBuffer(self, shape[0], base, tuple(shape[1:]), usage, ptr, None, owner)

    def _check_device_pointer(self, ptr: int) -> None:
        driver = self._driver
        self._enter()
        attr = driver.CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL
        err, ordinal = driver.cuPointerGetAttribute(attr, ptr)
        if err:
            raise ValueError(f"from_dlpack: the array's memory is not CUDA memory ({_error_text(err)[0]})")
        if int(ordinal) != self.device:
            raise ValueError(
                f"from_dlpack: the array lives on CUDA device {int(ordinal)}, this backend on {self.device}"
            )

    def _from_cuda_array_interface(self, x: Any, cai: dict[str, Any], usage: BufferUsages) -> CudaBuffer:
        shape = tuple(int(s) for s in cai["shape"])
        dtype = _typestr_dtype(cai["typestr"], cai.get("descr"))
        strides = cai.get("strides")
        if strides is not None and tuple(strides) != _c_strides(shape, dtype.itemsize):
            raise ValueError("from_dlpack needs a C-contiguous array")
        ptr, read_only = cai["data"]
        if read_only:
            raise ValueError("from_dlpack needs a writable array (kernels may write it)")
        # Version 3 names the stream to order after (None: nothing to wait for); an older interface
        # (torch's is version 2) names none, and its data may be pending on the legacy default stream.
        stream = cai.get("stream", 1)
        if stream is not None:
            self.order_mine_after_stream(int(stream))
        return self._wrap(int(ptr or 0), shape, dtype, usage, x)

    def _from_dlpack_capsule(self, x: Any, usage: BufferUsages) -> CudaBuffer:
        device = x.__dlpack_device__() if hasattr(x, "__dlpack_device__") else None
        if device is not None and (int(device[0]), int(device[1])) != (KDL_CUDA, self.device):
            raise ValueError(
                f"from_dlpack: the array lives on DLPack device {tuple(device)}, "
                f"not CUDA device {self.device}"
            )
        capsule = x.__dlpack__(stream=self.stream_handle)
        try:
            address = _capsule_get(capsule, b"dltensor")
        except ValueError:
            raise ValueError("from_dlpack: the array's __dlpack__ gave no 'dltensor' capsule") from None
        managed = ctypes.cast(address, ctypes.POINTER(_DLManagedTensor))
        _capsule_set_name(capsule, b"used_dltensor")
        owner = _DLPackImport(managed)
        tensor = managed.contents.dl_tensor
        ndim = tensor.ndim
        shape = tuple(tensor.shape[i] for i in range(ndim))
        dtype = _dl_dtype(tensor.dtype.code, tensor.dtype.bits, tensor.dtype.lanes)
        if tensor.strides and tuple(tensor.strides[i] for i in range(ndim)) != _c_strides(shape, 1):
            raise ValueError("from_dlpack needs a C-contiguous array")
        ptr = (tensor.data or 0) + tensor.byte_offset
        return self._wrap(ptr, shape, dtype, usage, (owner, x))

    # -- timestamps

    def _new_timestamp_set(self, capacity: int) -> EventSet:
        return EventSet(self, capacity)

    def _resolve_timestamps(self, ts: Timestamps, pairs: list[int]) -> list[float]:
        events: EventSet = ts._native
        elapsed = self._driver.cuEventElapsedTime
        self._enter()
        return [
            float(_check(elapsed(events.events[2 * k], events.events[2 * k + 1]), "cuEventElapsedTime"))
            for k in pairs
        ]


def _c_strides(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


__all__ = [
    "MAX_GRID_YZ",
    "Allocation",
    "Cuda",
    "CudaBuffer",
    "CudaError",
    "CudaJitError",
    "CudaPlan",
    "CudaSubmission",
    "MemoryPool",
    "generate_record",
    "param_struct",
    "size_class",
]
