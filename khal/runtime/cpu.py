"""The CPU backend: kernels compiled to native code by llvmlite, run at `submit` on this process.

`Cpu()` runs every workgroup on the calling thread; `Cpu(parallel=True, threads=N)` splits the
workgroup range into chunks taken by a persistent pool of native threads (the JIT'd entry is called
through ctypes, which releases the GIL). Memory is host memory: a buffer is a numpy array.
"""

from __future__ import annotations

import ctypes
import os
import queue
import struct
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from khal.types import ArrayType, ScalarType
from khal.runtime.backend import (
    DEFAULT_USAGE,
    MAX_WORKGROUPS,
    Backend,
    Buffer,
    BufferUsages,
    CopyCommand,
    Indirect,
    LaunchPlan,
    PassMarker,
    _as_usage,
    arity_error,
    element_layout,
    indirect_counts,
    layout_key,
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
    """Argument packing for one kernel on the CPU, derived once from the artifact's `args_dtype`.

    The block layout is a numpy structured dtype: arrays are `<name>.ptr`/`<name>.len` u64 fields,
    values are stored by value under `<name>`, and `__num_workgroups` holds 3 x u32. `record` is
    generated once per plan: it tests each argument against its parameter inline (falling back to
    the generic checker, which converts or raises), then one `struct.pack_into` fills a fresh block.
    That keeps a call within a few microseconds.
    """

    def __init__(self, kernel: Any, backend: Cpu, compiled: Any):
        self.kernel = kernel
        self.backend = backend
        self.compiled = compiled
        self.entry: Callable[[int, int, int], None] = compiled.artifact.call
        self.workgroup_size: tuple[int, int, int] = tuple(kernel.workgroup_size)  # type: ignore[assignment]
        self.invocations = self.workgroup_size[0] * self.workgroup_size[1] * self.workgroup_size[2]
        dtype: np.dtype[Any] = compiled.artifact.args_dtype
        self._counts_offset = dtype.fields["__num_workgroups"][1]  # type: ignore[index]
        self.record = _generate_record(self, kernel, backend, dtype)  # type: ignore[method-assign]

    def record(self, grid: Any, args: Sequence[Any]) -> CpuDispatch:  # replaced per instance
        raise NotImplementedError

    def written_params(self) -> tuple[bool, ...]:
        return self.compiled.written


def _fast_test(var: str, t: Any, i: int, env: dict[str, Any]) -> str | None:
    """An inline expression true when argument `var` needs no conversion for a parameter of type `t`."""
    if isinstance(t, ArrayType):
        env[f"K{i}"] = layout_key(*element_layout(t.element))
        return (
            f"type({var}) is CpuBuffer and {var}.backend is backend and {var}._elem_key == K{i} "
            f"and {var}._storage"
        )
    if isinstance(t, ScalarType):
        if t.is_bool:
            return f"type({var}) is bool"
        if t.is_int:
            return f"type({var}) is int and {int(t.min)} <= {var} <= {int(t.max)}"
        if t.bits == 64:
            return f"type({var}) is float"
        env[f"L{i}"] = float(np.finfo(t.dtype).max)
        return f"type({var}) is float and -L{i} <= {var} <= L{i}"
    return None


def _generate_record(plan: CpuPlan, kernel: Any, backend: Cpu, dtype: np.dtype[Any]) -> Callable[..., Any]:
    """Write the plan's `record(grid, args)` as Python source specialised to this kernel and compile it."""
    params = kernel.params
    checkers = make_checkers(kernel, backend)
    env: dict[str, Any] = {
        "CpuBuffer": CpuBuffer,
        "CpuDispatch": CpuDispatch,
        "backend": backend,
        "plan": plan,
        "kernel": kernel,
        "arity_error": arity_error,
        "workgroup_counts": workgroup_counts,
        "indirect_counts": indirect_counts,
        "new_block": ctypes.create_string_buffer,
        "WG": plan.workgroup_size,
        "MAXG": MAX_WORKGROUPS,
    }
    names = [f"v{i}" for i in range(len(params))]
    lines = [
        "def record(grid, args):",
        f"    if len(args) != {len(params)}:",
        "        raise arity_error(kernel, len(args))",
    ]
    if names:
        lines.append(f"    {', '.join(names)}, = args")
    for i, (p, var) in enumerate(zip(params, names, strict=True)):
        env[f"check{i}"] = checkers[i]
        test = _fast_test(var, p.type, i, env)
        if test is None:
            lines.append(f"    {var} = check{i}({var})")
        else:
            lines += [f"    if not ({test}):", f"        {var} = check{i}({var})"]
    lines += [
        "    indirect = None",
        "    if type(grid) is int and 0 <= grid <= MAXG:",
        f"        x, y, z = -(-grid // {plan.workgroup_size[0]}), 1, 1",
        "    else:",
        "        counts = workgroup_counts(grid, WG)",
        "        if type(counts) is tuple:",
        "            x, y, z = counts",
        "        else:",
        "            indirect_counts(counts, backend)",
        "            indirect, x, y, z = counts, 0, 0, 0",
        f"    block = new_block({max(dtype.itemsize, 1)})",
        f"    pack(block, 0, {', '.join(_field_exprs(kernel, dtype))})",
        f"    return CpuDispatch(plan, block, x * y * z, indirect, ({''.join(n + ', ' for n in names)}))",
    ]
    env["pack"] = _block_struct(kernel, dtype).pack_into
    exec("\n".join(lines), env)  # noqa: S102 - source generated above from the kernel's parameter types
    return env["record"]


def _sorted_fields(kernel: Any, dtype: np.dtype[Any]) -> list[tuple[int, str, np.dtype[Any]]]:
    fields = sorted(
        ((off, name, fdt) for name, (fdt, off, *_) in dtype.fields.items()),  # type: ignore[union-attr]
        key=lambda f: f[0],
    )
    wanted = {"__num_workgroups"}
    for p in kernel.params:
        wanted |= {f"{p.name}.ptr", f"{p.name}.len"} if isinstance(p.type, ArrayType) else {p.name}
    missing = wanted - {name for _, name, _ in fields}
    if missing:
        raise RuntimeError(f"{kernel.name}: the CPU argument layout lacks fields {sorted(missing)} ({dtype})")
    return fields


def _field_exprs(kernel: Any, dtype: np.dtype[Any]) -> list[str]:
    """The Python expression of each field of the block, in offset order."""
    sources: dict[str, str] = {"__num_workgroups": "x, y, z"}
    for i, p in enumerate(kernel.params):
        if isinstance(p.type, ArrayType):
            sources[f"{p.name}.ptr"] = f"v{i}._ptr"
            sources[f"{p.name}.len"] = f"v{i}._len"
        else:
            sources[p.name] = f"v{i}"
    return [sources[name] for _, name, _ in _sorted_fields(kernel, dtype)]


def _block_struct(kernel: Any, dtype: np.dtype[Any]) -> struct.Struct:
    """A `struct.Struct` laying the block's fields out at the dtype's offsets."""
    fmt, pos = "<", 0
    for off, name, fdt in _sorted_fields(kernel, dtype):
        if off < pos:
            raise RuntimeError(f"{kernel.name}: overlapping argument fields in {dtype}")
        fmt += "x" * (off - pos)
        if name == "__num_workgroups":
            fmt += "3I"
        else:
            fmt += _STRUCT_CODES.get((fdt.kind, fdt.itemsize), f"{fdt.itemsize}s")
        pos = off + fdt.itemsize
    return struct.Struct(fmt + "x" * (dtype.itemsize - pos))


# --------------------------------------------------------------------------- the thread pool

# Below this much remaining work (seconds, estimated from a first piece) a grid runs on the caller alone.
PARALLEL_MIN_SECONDS = 100e-6
# From this many invocations on, a grid is worth the pool without measuring (a nanosecond each is enough).
EAGER_INVOCATIONS = 1 << 17


class _Job:
    """One dispatch split into chunks; the caller and the pool's threads take chunks until none is left.

    Claiming a chunk and counting it active happen under one lock, so the job is done exactly when no
    chunk is left and none is running: a helper that wakes up late finds nothing to do, and the caller
    never waits for helpers that did not start (a tiny grid costs a queue put, not two thread switches).
    """

    def __init__(self, entry: Callable[[int, int, int], None], addr: int, begin: int, end: int, chunks: int):
        self.entry = entry
        self.addr = addr
        self.begin = begin
        self.size = end - begin
        self.chunks = chunks
        self.next = 0
        self.active = 0
        self.lock = threading.Lock()
        self.done = threading.Event()

    def work(self) -> None:
        """Run chunks until none is left."""
        entry, addr, begin, size, chunks, lock = (
            self.entry,
            self.addr,
            self.begin,
            self.size,
            self.chunks,
            self.lock,
        )
        while True:
            with lock:
                i = self.next
                if i >= chunks:
                    return
                self.next = i + 1
                self.active += 1
            try:
                entry(addr, begin + size * i // chunks, begin + size * (i + 1) // chunks)  # releases the GIL
            finally:
                with lock:
                    self.active -= 1
                    if self.active == 0 and self.next >= chunks:
                        self.done.set()


class _Pool:
    """`threads - 1` persistent daemon threads; the submitting thread is the last worker."""

    def __init__(self, threads: int):
        self.threads = threads
        self._start()

    def _start(self) -> None:
        self._pid = os.getpid()
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._workers = [
            threading.Thread(target=self._loop, args=(self._queue,), name=f"khal-cpu-{i}", daemon=True)
            for i in range(self.threads - 1)
        ]
        for t in self._workers:
            t.start()

    @staticmethod
    def _loop(jobs: queue.SimpleQueue[_Job | None]) -> None:
        while (job := jobs.get()) is not None:
            job.work()

    def run(self, entry: Callable[[int, int, int], None], addr: int, total: int, invocations: int) -> None:
        """Run workgroups [0, total) of `invocations` invocations in all over the pool and this thread."""
        if self._pid != os.getpid():
            self._start()  # a forked child inherits no threads: start its own
        begin = 0
        if invocations < EAGER_INVOCATIONS:
            # Run a small first piece here and time it: waking a thread costs tens of microseconds, worth
            # it only when the rest of the grid takes longer; otherwise the rest runs here in one call.
            begin = max(1, total // (self.threads * 32))
            start = time.perf_counter()
            entry(addr, 0, begin)
            rest = total - begin
            if rest == 0 or (time.perf_counter() - start) * rest / begin <= PARALLEL_MIN_SECONDS:
                if rest:
                    entry(addr, begin, total)
                return
        # Several chunks per thread balance uneven workgroups (mandelbrot rows) and a thread the OS
        # preempts (this machine is shared), at ~1 us per chunk.
        chunks = min(total - begin, self.threads * 16)
        job = _Job(entry, addr, begin, total, chunks)
        for _ in range(min(self.threads - 1, chunks - 1)):
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
        # Submitted work has already run (submit is synchronous here), so the order is kept.
        buf._data[offset : offset + data.shape[0]] = data  # type: ignore[attr-defined]

    def _read(self, buf: Buffer) -> np.ndarray:
        return buf._data.copy()  # type: ignore[attr-defined]

    def _read_into(self, buf: Buffer, out: np.ndarray) -> None:
        out[...] = buf._data  # type: ignore[attr-defined]

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
                    pool.run(cmd.plan.entry, cmd.addr, total, total * cmd.plan.invocations)
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
