"""The CPU backend: kernels compiled to native code by llvmlite, run at `submit` on this process.

`Cpu()` runs every workgroup on the calling thread; `Cpu(parallel=True, threads=N)` splits the
workgroup range into chunks that N threads claim natively (`khal.runtime.cpu_pool`: the process's
pool of worker threads parked in native code; a dispatch holds the GIL only to start and to finish).
Memory is host memory: a buffer is a numpy array.
"""

from __future__ import annotations

import ctypes
import os
import struct
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from khal.runtime.backend import (
    DEFAULT_USAGE,
    Backend,
    Buffer,
    BufferUsages,
    CopyCommand,
    Encoder,
    Indirect,
    LaunchPlan,
    PassMarker,
    Submission,
    _as_usage,
    make_checkers,
    now,
)
from khal.runtime.cpu_pool import shared_pool
from khal.runtime.packing import generate_record, interface_of_dtype


class CpuBuffer(Buffer):
    """A buffer in host memory: a C-contiguous numpy array of `(len,) + row_shape`.

    It speaks DLPack (`np.from_dlpack(buf)`, `torch.from_dlpack(buf)` share its memory).
    """

    __slots__ = ("_data", "_ptr")

    def __init__(self, backend: Cpu, data: np.ndarray, usage: BufferUsages):
        super().__init__(backend, data.shape[0], data.dtype, tuple(data.shape[1:]), usage)
        self._data = data
        # A zero-length array may have a null pointer; kernels never dereference it then.
        self._ptr = data.ctypes.data

    def __dlpack__(self, **kwargs: Any) -> Any:
        """DLPack export of the buffer's memory (no copy)."""
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[int, int]:
        """(kDLCPU, 0)."""
        return self._data.__dlpack_device__()


class CpuDispatch:
    """One recorded call: its own packed argument block and the buffers it references."""

    __slots__ = ("plan", "block", "addr", "total", "indirect", "keep")

    def __init__(
        self, plan: CpuPlan, block: Any, total: int, indirect: Indirect | None, keep: tuple[Any, ...]
    ):
        self.plan = plan
        self.block = block
        self.addr = ctypes.addressof(block)
        self.total = total
        self.indirect = indirect
        self.keep = keep  # buffers by reference, alive until the call has run


class CpuPlan(LaunchPlan):
    """Argument packing for one kernel on the CPU, planned once from the artifact's interface.

    The interface (written by `khal-cpu-lower-abi`) places each parameter in the argument block:
    arrays as `ptr`/`len` u64 fields, values by value in numpy's layout, then 3 x u32 workgroup
    counts. `record` is generated once per plan (`khal.runtime.packing`): it tests each argument
    against its parameter inline (falling back to the generic checker, which converts or raises),
    then one `struct.pack_into` fills a fresh block. That keeps a call within a few microseconds.
    """

    def __init__(self, kernel: Any, backend: Cpu, compiled: Any):
        self.kernel = kernel
        self.backend = backend
        self.compiled = compiled
        artifact = compiled.artifact
        # A hand-made entry (the runtime's own tests) is its own native handle and describes its block
        # by a numpy dtype alone.
        native = getattr(artifact, "native", artifact)
        interface = getattr(artifact, "interface", None) or interface_of_dtype(kernel, native.args_dtype)
        self.interface = interface
        self.entry: Callable[[int, int, int], None] = native.call
        self.workgroup_size: tuple[int, int, int] = interface.workgroup_size
        self.invocations = self.workgroup_size[0] * self.workgroup_size[1] * self.workgroup_size[2]
        if interface.num_workgroups is None:
            raise RuntimeError(f"{kernel.name}: the interface has no num_workgroups field")
        self._counts_offset = interface.num_workgroups
        self.record = generate_record(  # type: ignore[method-assign]
            self, kernel, backend, interface, make_checkers(kernel, backend), CpuBuffer, CpuDispatch
        )

    def record(self, grid: Any, args: Sequence[Any]) -> CpuDispatch:  # replaced per instance
        raise NotImplementedError

    def written_params(self) -> tuple[bool, ...]:
        return self.compiled.written


# --------------------------------------------------------------------------- the thread pool

# Below this much remaining work (seconds, estimated from a first piece) a grid runs on the caller alone.
PARALLEL_MIN_SECONDS = 100e-6
# From this many invocations on, a grid is worth the pool without measuring (a nanosecond each is enough).
EAGER_INVOCATIONS = 1 << 17
# Pieces per thread of a parallel dispatch (dynamic scheduling's grain), and the least work worth a
# piece of its own: in invocations (grids not timed first), or in seconds (timed ones).
CHUNKS_PER_THREAD = 16
CHUNK_INVOCATIONS = 8192
CHUNK_SECONDS = 5e-6


class _Pool:
    """A backend's share of the process's native pool (`khal.runtime.cpu_pool`): `threads` threads per
    dispatch, the submitting one included. It owns no threads: dropping the backend leaks none."""

    def __init__(self, threads: int):
        self.threads = threads

    def run(self, entry: Callable[[int, int, int], None], addr: int, total: int, invocations: int) -> None:
        """Run workgroups [0, total) of `invocations` invocations in all over the pool and this thread."""
        begin = 0
        # Several chunks per thread balance uneven workgroups (mandelbrot rows) and a thread the OS
        # preempts; but every claim is an atomic on one cache line that all threads share (~0.1 us
        # each, serialised), so a chunk should hold several microseconds of work.
        most = invocations // CHUNK_INVOCATIONS  # at a nanosecond or more per invocation
        if invocations < EAGER_INVOCATIONS:
            # Run a small first piece here and time it: waking a thread costs microseconds, worth it
            # only when the rest of the grid takes longer; otherwise the rest runs here in one call.
            begin = max(1, total // (self.threads * 32))
            start = time.perf_counter()
            entry(addr, 0, begin)
            rest = total - begin
            estimate = (time.perf_counter() - start) * rest / begin
            if rest == 0 or estimate <= PARALLEL_MIN_SECONDS:
                if rest:
                    entry(addr, begin, total)
                return
            most = int(estimate / CHUNK_SECONDS)
        pool = shared_pool(self.threads - 1)
        chunks = min(total - begin, self.threads * CHUNKS_PER_THREAD, max(self.threads, most))
        seats = min(self.threads - 1, chunks - 1)
        pool.run(_entry_address(entry), addr, begin, total, chunks, seats)


def _entry_address(entry: Any) -> int:
    """The C function pointer behind a ctypes function (a JIT'd entry, or a callback in tests)."""
    return ctypes.c_void_p.from_address(ctypes.addressof(entry)).value or 0


# --------------------------------------------------------------------------- the backend


class CpuEncoder(Encoder):
    """The CPU's recording: its native structure is the encoder's log itself, run at `submit`.

    The CPU has no device queue to hand work to, so the work runs on the submitting thread (and the
    pool) inside `submit`, and its submission is complete when `submit` returns: there is nothing
    to keep alive after it, and no thread to wake for a one-workgroup call.
    """

    def _commit(self) -> Submission:
        backend: Cpu = self.backend  # type: ignore[assignment]
        backend._execute(self._commands)
        return backend._ran


class Cpu(Backend):
    """Run kernels natively on this machine's CPU.

    `Cpu()` runs all workgroups of a call on the calling thread at `submit`. `Cpu(parallel=True,
    threads=N)` spreads them over N threads (default: the cores this process may use); grids of a
    single workgroup run inline. The subgroup size is 1.
    """

    target = "cpu"
    encoder_type = CpuEncoder

    def __init__(self, parallel: bool = False, threads: int | None = None):
        super().__init__()
        if threads is not None and (not isinstance(threads, int) or threads < 1):
            raise ValueError(f"threads must be a positive int, got {threads!r}")
        if threads is not None and not parallel:
            raise ValueError("threads= needs parallel=True")
        self.parallel = bool(parallel)
        self.name = "cpu-parallel" if parallel else "cpu"
        self.threads = (threads or _usable_cores()) if parallel else 1
        self._pool = _Pool(self.threads) if self.threads > 1 else None

    # -- buffers

    def from_dlpack(self, x: Any, usage: BufferUsages = DEFAULT_USAGE) -> CpuBuffer:
        """A buffer sharing the memory of a host array (numpy, torch CPU, ... through DLPack): no copy.

        Kernels write straight into that array. Its rows are the elements, as for `init_buffer`.
        """
        if not hasattr(x, "__dlpack__"):
            raise TypeError(
                f"from_dlpack takes an array that speaks DLPack (numpy, torch, ...), got {type(x).__name__}"
            )
        try:
            a = np.from_dlpack(x)
        except (BufferError, TypeError, RuntimeError) as e:
            raise ValueError(f"from_dlpack: cannot share this array with the CPU: {e}") from None
        if a.ndim == 0 or not a.flags.c_contiguous:
            raise ValueError("from_dlpack needs a C-contiguous array of at least one dimension")
        if not a.flags.writeable:
            raise ValueError("from_dlpack needs a writable array (kernels may write it)")
        return CpuBuffer(self, a, _as_usage(usage))

    def _new_buffer(
        self,
        n: int,
        dtype: np.dtype[Any],
        row_shape: tuple[int, ...],
        usage: BufferUsages,
        data: np.ndarray | None,
    ) -> CpuBuffer:
        if data is None:
            data = np.zeros((n, *row_shape), dtype=dtype)
        else:
            data = data.copy(order="C")
        return CpuBuffer(self, data, usage)

    def _write(self, buf: Buffer, offset: int, data: np.ndarray) -> None:
        # Submitted work has already run (it runs inside submit), so the order is kept.
        buf._data[offset : offset + data.shape[0]] = data  # type: ignore[attr-defined]

    def _read(self, buf: Buffer) -> np.ndarray:
        return buf._data.copy()  # type: ignore[attr-defined]

    def _read_into(self, buf: Buffer, out: np.ndarray) -> None:
        out[...] = buf._data  # type: ignore[attr-defined]

    # -- execution

    def _make_plan(self, kernel: Any) -> CpuPlan:
        from khal.compiler import compile_kernel

        return CpuPlan(kernel, self, compile_kernel(kernel, self.target))

    def _execute(self, commands: list[Any]) -> None:
        """Run an encoder's log in order, on this thread (and the pool's)."""
        pool = self._pool
        for cmd in commands:
            if type(cmd) is CpuDispatch:
                total = cmd.total
                if cmd.indirect is not None:
                    total = _load_indirect(cmd)
                if total == 0:
                    continue
                if pool is None or total == 1:
                    cmd.plan.entry(cmd.addr, 0, total)
                else:
                    pool.run(cmd.plan.entry, cmd.addr, total, total * cmd.plan.invocations)
            elif type(cmd) is CopyCommand:
                src = cmd.src._data[cmd.src_offset : cmd.src_offset + cmd.count]  # type: ignore[attr-defined]
                dst = cmd.dst._data  # type: ignore[attr-defined]
                # Same element size is checked at record time; view bytes so that dtypes may differ.
                dst[cmd.dst_offset : cmd.dst_offset + cmd.count].view(np.uint8)[...] = src.view(np.uint8)
            elif type(cmd) is PassMarker:
                cmd.native[cmd.slot] = now()  # host time: the CPU's timestamp set is a list
            else:
                raise TypeError(f"unknown command {cmd!r}")


def _load_indirect(cmd: CpuDispatch) -> int:
    """Read the UVec3 workgroup counts of an Indirect call now (in submission order) into its block."""
    grid = cmd.indirect
    assert grid is not None
    words = grid.buffer._data.reshape(-1)  # type: ignore[attr-defined]
    first = grid.offset * (3 if grid.buffer.row_shape else 1)
    x, y, z = (int(w) for w in words[first : first + 3])
    total = x * y * z
    if total > 2**31 - 1:
        raise ValueError(f"Indirect grid of {(x, y, z)} workgroups is too large")
    struct.pack_into("<3I", cmd.block, cmd.plan._counts_offset, x, y, z)
    return total


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
