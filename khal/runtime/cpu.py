"""The CPU backend: kernels compiled to native code by llvmlite, run at `submit` on this process.

`Cpu()` runs every workgroup on the calling thread; `Cpu(parallel=True, threads=N)` splits the
workgroup range into chunks taken by a persistent pool of native threads (the JIT'd entry is called
through ctypes, which releases the GIL). Memory is host memory: a buffer is a numpy array.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import queue
import struct
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from khal.frontend.types import ArrayType
from khal.runtime.backend import (
    Backend,
    Buffer,
    BufferUsages,
    CopyCommand,
    Indirect,
    LaunchPlan,
    PassMarker,
    arity_error,
    indirect_counts,
    make_checkers,
    now,
    workgroup_counts,
)

# numpy dtype (kind, itemsize) -> struct code, for the fields of the packed argument block.
_STRUCT_CODES = {
    ("f", 2): "e",
    ("f", 4): "f",
    ("f", 8): "d",
    ("i", 1): "b",
    ("i", 2): "h",
    ("i", 4): "i",
    ("i", 8): "q",
    ("u", 1): "B",
    ("u", 2): "H",
    ("u", 4): "I",
    ("u", 8): "Q",
    ("b", 1): "?",
}


class CpuBuffer(Buffer):
    """A buffer in host memory: a C-contiguous numpy array of `(len,) + row_shape`."""

    __slots__ = ("_data", "_ptr")

    def __init__(self, backend: Cpu, data: np.ndarray, usage: BufferUsages):
        super().__init__(backend, data.shape[0], data.dtype, tuple(data.shape[1:]), usage)
        self._data = data
        # A zero-length array may have a null pointer; kernels never dereference it then.
        self._ptr = data.ctypes.data


class CpuDispatch:
    """One recorded call: its own packed argument block and the buffers it references."""

    __slots__ = ("plan", "block", "addr", "total", "indirect", "keep")

    def __init__(self, plan: CpuPlan, block: Any, total: int, indirect: Indirect | None, keep: list[Any]):
        self.plan = plan
        self.block = block
        self.addr = ctypes.addressof(block)
        self.total = total
        self.indirect = indirect
        self.keep = keep  # buffers by reference, alive until the call has run


class CpuPlan(LaunchPlan):
    """Argument packing for one kernel on the CPU, derived once from the artifact's `args_dtype`.

    The block layout is a numpy structured dtype: arrays are `<name>.ptr`/`<name>.len` u64 fields,
    values are stored by value under `<name>`, and `__num_workgroups` holds 3 x u32. A call checks
    its arguments, then one `struct.pack_into` fills a fresh block (captured by value).
    """

    def __init__(self, kernel: Any, backend: Cpu, compiled: Any):
        self.kernel = kernel
        self.backend = backend
        self.compiled = compiled
        self.entry: Callable[[int, int, int], None] = compiled.artifact.call
        self.workgroup_size: tuple[int, int, int] = tuple(kernel.workgroup_size)  # type: ignore[assignment]
        self.checkers = make_checkers(kernel, backend)
        self.nparams = len(self.checkers)
        dtype: np.dtype[Any] = compiled.artifact.args_dtype
        self.block_size = max(dtype.itemsize, 1)
        self.struct, self.flatten = _packer(kernel, dtype)
        self._counts_offset = dtype.fields["__num_workgroups"][1]  # type: ignore[index]

    def record(self, grid: Any, args: Sequence[Any]) -> CpuDispatch:
        if len(args) != self.nparams:
            raise arity_error(self.kernel, len(args))
        values = [check(a) for check, a in zip(self.checkers, args, strict=True)]
        counts = workgroup_counts(grid, self.workgroup_size)
        indirect = None
        if type(counts) is not tuple:
            indirect_counts(counts, self.backend)  # type: ignore[arg-type]
            indirect, counts = counts, (0, 0, 0)
        block = ctypes.create_string_buffer(self.block_size)
        self.struct.pack_into(block, 0, *self.flatten(values, counts))
        total = counts[0] * counts[1] * counts[2]
        return CpuDispatch(self, block, total, indirect, values)

    def written_params(self) -> tuple[bool, ...]:
        return self.compiled.written


def _packer(kernel: Any, dtype: np.dtype[Any]) -> tuple[struct.Struct, Callable[..., tuple[Any, ...]]]:
    """A `struct.Struct` for the block and a generated function (checked values, counts) -> fields.

    The function is generated once per plan so that a call does no per-field lookups.
    """
    sources: dict[str, str] = {"__num_workgroups": "c[0], c[1], c[2]"}
    for i, p in enumerate(kernel.params):
        if isinstance(p.type, ArrayType):
            sources[f"{p.name}.ptr"] = f"v[{i}]._ptr"
            sources[f"{p.name}.len"] = f"v[{i}]._len"
        else:
            sources[p.name] = f"v[{i}]"
    fields = sorted(
        ((off, name, fdt) for name, (fdt, off, *_) in dtype.fields.items()),  # type: ignore[union-attr]
        key=lambda f: f[0],
    )
    missing = set(sources) - {name for _, name, _ in fields}
    if missing:
        raise RuntimeError(
            f"{kernel.name}: the CPU argument layout lacks fields {sorted(missing)} (layout: {dtype})"
        )
    fmt, exprs, pos = "<", [], 0
    for off, name, fdt in fields:
        if off < pos:
            raise RuntimeError(f"{kernel.name}: overlapping argument fields in {dtype}")
        fmt += "x" * (off - pos)
        if name == "__num_workgroups":
            code = "3I"
        else:
            code = _STRUCT_CODES.get((fdt.kind, fdt.itemsize), f"{fdt.itemsize}s")
        fmt += code
        exprs.append(sources[name])
        pos = off + fdt.itemsize
    fmt += "x" * (dtype.itemsize - pos)
    namespace: dict[str, Any] = {}
    exec(f"def flatten(v, c):\n    return ({', '.join(exprs)},)\n", namespace)  # noqa: S102
    return struct.Struct(fmt), namespace["flatten"]


# --------------------------------------------------------------------------- the thread pool


class _Job:
    """One dispatch split into chunks; the caller and the pool's threads take chunks until none is left."""

    def __init__(
        self, entry: Callable[[int, int, int], None], addr: int, total: int, chunks: int, participants: int
    ):
        self.entry = entry
        self.addr = addr
        self.total = total
        self.chunks = chunks
        self.counter = itertools.count()  # next() is atomic under the GIL
        self.lock = threading.Lock()
        self.pending = participants
        self.done = threading.Event()

    def work(self) -> None:
        entry, addr, total, chunks = self.entry, self.addr, self.total, self.chunks
        try:
            for i in self.counter:
                if i >= chunks:
                    break
                entry(addr, total * i // chunks, total * (i + 1) // chunks)  # releases the GIL
        finally:
            with self.lock:
                self.pending -= 1
                if self.pending == 0:
                    self.done.set()


class _Pool:
    """`threads - 1` persistent daemon threads; the submitting thread is the last worker."""

    def __init__(self, threads: int):
        self.threads = threads
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._workers = [
            threading.Thread(target=self._loop, name=f"khal-cpu-{i}", daemon=True) for i in range(threads - 1)
        ]
        for t in self._workers:
            t.start()

    def _loop(self) -> None:
        while (job := self._queue.get()) is not None:
            job.work()

    def run(self, entry: Callable[[int, int, int], None], addr: int, total: int) -> None:
        # A few chunks per thread balance uneven workgroups (mandelbrot rows) at ~1 µs per chunk.
        chunks = min(total, self.threads * 8)
        helpers = min(self.threads - 1, chunks - 1)
        job = _Job(entry, addr, total, chunks, helpers + 1)
        for _ in range(helpers):
            self._queue.put(job)
        job.work()
        job.done.wait()

    def close(self) -> None:
        for _ in self._workers:
            self._queue.put(None)


# --------------------------------------------------------------------------- the backend


class Cpu(Backend):
    """Run kernels natively on this machine's CPU.

    `Cpu()` runs all workgroups of a call on the calling thread at `submit`. `Cpu(parallel=True,
    threads=N)` spreads them over N threads (default: the cores this process may use); grids of a
    single workgroup run inline. The subgroup size is 1.
    """

    target = "cpu"

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

    def __del__(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.close()

    # -- buffers

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
        # Submitted work has already run (submit is synchronous here), so the order is kept.
        buf._data[offset : offset + data.shape[0]] = data  # type: ignore[attr-defined]

    def _read(self, buf: Buffer) -> np.ndarray:
        return buf._data.copy()  # type: ignore[attr-defined]

    # -- execution

    def _make_plan(self, kernel: Any) -> CpuPlan:
        from khal.compiler import compile_kernel

        return CpuPlan(kernel, self, compile_kernel(kernel, "cpu"))

    def _execute(self, commands: list[Any]) -> None:
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
                    pool.run(cmd.plan.entry, cmd.addr, total)
            elif type(cmd) is CopyCommand:
                src = cmd.src._data[cmd.src_offset : cmd.src_offset + cmd.count]  # type: ignore[attr-defined]
                dst = cmd.dst._data  # type: ignore[attr-defined]
                # Same element size is checked at record time; view bytes so that dtypes may differ.
                dst[cmd.dst_offset : cmd.dst_offset + cmd.count].view(np.uint8)[...] = src.view(np.uint8)
            elif type(cmd) is PassMarker:
                ts = cmd.timestamps
                assert ts is not None
                if cmd.begin:
                    ts._begin(cmd, now())
                else:
                    assert cmd.pair is not None
                    ts._end(cmd.pair, now())
            else:
                raise TypeError(f"unknown command {cmd!r}")

    def synchronize(self) -> None:
        """Nothing to wait for: `submit` has already run the work."""


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
