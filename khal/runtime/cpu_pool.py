"""The native thread pool behind `Cpu(parallel=True)`: one per process, JIT-compiled by llvmlite.

Contract
- `NativePool.run(entry, args, begin, end, chunks, seats)` runs the C function
  `entry(args, wg_begin, wg_end)` over workgroups [begin, end), split into `chunks` contiguous pieces,
  on the calling thread and on at most `seats` of the pool's workers, and returns when every piece has
  run. Pieces are claimed one at a time from an atomic counter (dynamic scheduling: uneven work such as
  mandelbrot rows balances itself). The caller holds the GIL only to start and to finish: `run` is one
  ctypes call, and each worker makes one native call for its whole life.
- Workers park in native code: they spin briefly after a job (back-to-back dispatches wake nobody),
  then sleep on a futex, and never touch the GIL while waiting or working. Idle workers do not spin.
- One job at a time: a `run` that finds the pool busy (another Python thread's dispatch, or a nested
  one from inside an entry) runs its whole range on its own thread instead of waiting, so concurrent
  and nested submissions are correct and cannot deadlock.
- The pool is shared by every `Cpu(parallel=True)` of the process and grows to the largest thread count
  asked for (`shared_pool(workers)`); a backend owns no threads, so dropping one releases nothing and
  leaks nothing. A forked child gets a fresh pool (the parent's workers do not exist there).
- Native waits need Linux's futex (x86-64, aarch64); elsewhere `shared_pool` gives a `PythonPool`
  with the same contract, whose threads claim pieces under a Python lock.

Why JIT-compiled IR and not C: llvmlite is this project's only native toolchain (no C compiler may be
assumed on a user's machine), and the work loop is a few dozen instructions.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import platform
import queue
import sys
import threading
from collections.abc import Callable

import llvmlite.binding as llvm

# Byte offsets in the pool's state block. The fields each thread writes sit on their own cache lines.
# `gen` counts published jobs (the futex workers sleep on); `ctl` is the current job's seating,
# generation << 32 | closed << 31 | seats << 16 | seats taken.
_GEN, _CTL, _SLEEPERS, _SPIN, _STOP, _FANOUT = 0, 8, 16, 20, 24, 28  # workers poll these
_ENTRY, _ARGS, _BEGIN, _SIZE, _CHUNKS = 64, 72, 80, 84, 88  # the job, read-only while it runs
_NEXT = 128  # the next piece to claim
_DONE, _WAITING = 192, 196  # seated workers that finished; whether the submitter sleeps
_BUSY = 256  # a job is running
_STATE_BYTES = 320

# How long a worker (or the submitter) polls before it sleeps, in pause instructions (~0.1-1 us per
# 32 on current x86): long enough to catch the next dispatch of a loop, short enough not to steal a
# shared machine's cores.
SPIN = 4000

# How many sleeping workers the submitter, then each worker that takes a seat, wakes; 0: the
# submitter wakes one per seat at once. On the 16-core H200 host a wake-up tree (2 or 4) was slower
# after idle gaps (2^20 saxpy after 3 ms asleep: 136 us with 0, 165-187 us with 2 or 4).
FANOUT = 0

# The seats of one job (a 15-bit field of `ctl`).
MAX_SEATS = 32767

# futex(2) numbers; the pool needs them to sleep natively.
_SYS_FUTEX = {"x86_64": 202, "amd64": 202, "aarch64": 98, "arm64": 98}
_FUTEX_WAIT_PRIVATE, _FUTEX_WAKE_PRIVATE = 128, 129

_PAUSE = {
    "x86_64": "call void @llvm.x86.sse2.pause()",
    "amd64": "call void @llvm.x86.sse2.pause()",
    "aarch64": "call void @llvm.aarch64.hint(i32 1)",
    "arm64": "call void @llvm.aarch64.hint(i32 1)",
}
_PAUSE_DECL = {
    "x86_64": "declare void @llvm.x86.sse2.pause()",
    "amd64": "declare void @llvm.x86.sse2.pause()",
    "aarch64": "declare void @llvm.aarch64.hint(i32)",
    "arm64": "declare void @llvm.aarch64.hint(i32)",
}


def _field(name: str, offset: int) -> str:
    return f"  %{name} = getelementptr i8, ptr %pool, i64 {offset}"


_IR = """
{pause_decl}
declare i64 @syscall(i64, ...)

define internal void @pause() alwaysinline {{
  {pause}
  ret void
}}

define internal void @futex_wait(ptr %addr, i32 %val) noinline {{
  %v = zext i32 %val to i64
  %r = call i64 (i64, ...) @syscall(i64 {sys_futex}, ptr %addr, i64 {wait_op}, i64 %v, ptr null)
  ret void
}}

define internal void @futex_wake(ptr %addr, i32 %n) noinline {{
  %v = zext i32 %n to i64
  %r = call i64 (i64, ...) @syscall(i64 {sys_futex}, ptr %addr, i64 {wake_op}, i64 %v)
  ret void
}}

; Claim pieces of the current job until none is left.
define internal void @work(ptr %pool) {{
entry:
{work_fields}
  %fn = load ptr, ptr %pentry
  %args = load ptr, ptr %pargs
  %begin = load i32, ptr %pbegin
  %size32 = load i32, ptr %psize
  %size = sext i32 %size32 to i64
  %chunks = load i32, ptr %pchunks
  %chunks64 = sext i32 %chunks to i64
  br label %loop
loop:
  %i = atomicrmw add ptr %pnext, i32 1 monotonic
  %more = icmp slt i32 %i, %chunks
  br i1 %more, label %body, label %exit
body:
  %i64 = sext i32 %i to i64
  %lo.m = mul i64 %size, %i64
  %lo.d = sdiv i64 %lo.m, %chunks64
  %lo.t = trunc i64 %lo.d to i32
  %lo = add i32 %begin, %lo.t
  %i1 = add i64 %i64, 1
  %hi.m = mul i64 %size, %i1
  %hi.d = sdiv i64 %hi.m, %chunks64
  %hi.t = trunc i64 %hi.d to i32
  %hi = add i32 %begin, %hi.t
  call void %fn(ptr %args, i32 %lo, i32 %hi)
  br label %loop
exit:
  ret void
}}

; A worker's whole life: wait for a new job, take a seat if one is free, work, leave; until stopped.
; `%g0` is the generation the pool had before the thread started: a job published while it was
; starting is still new to it.
define void @khal_pool_worker(ptr %pool, i32 %g0) {{
entry:
{worker_fields}
  br label %wait
wait:
  %seen = phi i32 [ %g0, %entry ], [ %g, %noseat ], [ %g, %left ]
  %spin = load atomic i32, ptr %pspin monotonic, align 4
  br label %poll
poll:
  %k = phi i32 [ %spin, %wait ], [ %k1, %spinmore ], [ %spin, %woke ]
  %cur = load atomic i32, ptr %pgen acquire, align 4
  %same = icmp eq i32 %cur, %seen
  br i1 %same, label %idle, label %newjob
idle:
  %stop = load atomic i32, ptr %pstop monotonic, align 4
  %stopping = icmp ne i32 %stop, 0
  br i1 %stopping, label %exit, label %idle2
idle2:
  %spinning = icmp sgt i32 %k, 0
  br i1 %spinning, label %spinmore, label %sleep
spinmore:
  call void @pause()
  %k1 = sub i32 %k, 1
  br label %poll
sleep:
  %s0 = atomicrmw add ptr %psleepers, i32 1 seq_cst
  %cur2 = load atomic i32, ptr %pgen seq_cst, align 4
  %stop2 = load atomic i32, ptr %pstop seq_cst, align 4
  %same2 = icmp eq i32 %cur2, %seen
  %run2 = icmp eq i32 %stop2, 0
  %park = and i1 %same2, %run2
  br i1 %park, label %dowait, label %undo
dowait:
  call void @futex_wait(ptr %pgen, i32 %seen)
  br label %undo
undo:
  %s1 = atomicrmw sub ptr %psleepers, i32 1 seq_cst
  br label %woke
woke:
  br label %poll
newjob:
  ; One atomic add takes a seat or learns there is none: a compare-and-swap loop would make
  ; the workers that wake together retry each other's updates (quadratic in the thread count).
  %c = atomicrmw add ptr %pctl, i64 1 acq_rel
  %chi = lshr i64 %c, 32
  %g = trunc i64 %chi to i32
  %low = trunc i64 %c to i32
  %taken = and i32 %low, 65535
  %seats.sh = lshr i32 %low, 16
  %seats = and i32 %seats.sh, 32767
  %closed = icmp slt i32 %low, 0
  %full = icmp uge i32 %taken, %seats
  %no = or i1 %closed, %full
  br i1 %no, label %noseat, label %seated
seated:
  ; With FANOUT > 0, sleeping workers wake in a tree: each seated one wakes FANOUT more.
  %fan = load atomic i32, ptr %pfanout monotonic, align 4
  %sl = load atomic i32, ptr %psleepers monotonic, align 4
  %anysleep = icmp sgt i32 %sl, 0
  %taken1 = add i32 %taken, 1
  %more = icmp ult i32 %taken1, %seats
  %fanning = icmp sgt i32 %fan, 0
  %wakemore.0 = and i1 %anysleep, %more
  %wakemore = and i1 %wakemore.0, %fanning
  br i1 %wakemore, label %fanwake, label %working
fanwake:
  call void @futex_wake(ptr %pgen, i32 %fan)
  br label %working
working:
  call void @work(ptr %pool)
  %d = atomicrmw add ptr %pdone, i32 1 seq_cst
  %w = load atomic i32, ptr %pwaiting seq_cst, align 4
  %wake = icmp ne i32 %w, 0
  br i1 %wake, label %dowake, label %left
dowake:
  call void @futex_wake(ptr %pdone, i32 1)
  br label %left
left:
  br label %wait
noseat:
  br label %wait
exit:
  ret void
}}

; Publish a job, wake sleepers, work too, close the seats, wait for the seated workers to leave.
define void @khal_pool_run(ptr %pool, ptr %fn, ptr %args, i32 %begin, i32 %end, i32 %chunks,
                           i32 %seats) {{
entry:
{run_fields}
  %lock = cmpxchg ptr %pbusy, i32 0, i32 1 acquire monotonic
  %free = extractvalue {{ i32, i1 }} %lock, 1
  br i1 %free, label %publish, label %inline
inline:
  call void %fn(ptr %args, i32 %begin, i32 %end)
  ret void
publish:
  store ptr %fn, ptr %pentry
  store ptr %args, ptr %pargs
  store i32 %begin, ptr %pbegin
  %size = sub i32 %end, %begin
  store i32 %size, ptr %psize
  store i32 %chunks, ptr %pchunks
  store i32 0, ptr %pnext
  store i32 0, ptr %pdone
  store i32 0, ptr %pwaiting
  %g = load atomic i32, ptr %pgen monotonic, align 4
  %g1 = add i32 %g, 1
  %g64 = zext i32 %g1 to i64
  %ctl.gen = shl i64 %g64, 32
  %seats64 = zext i32 %seats to i64
  %ctl.seats = shl i64 %seats64, 16
  %ctl = or i64 %ctl.gen, %ctl.seats
  store atomic i64 %ctl, ptr %pctl release, align 8
  store atomic i32 %g1, ptr %pgen seq_cst, align 4
  %sl = load atomic i32, ptr %psleepers seq_cst, align 4
  %anysleep = icmp sgt i32 %sl, 0
  br i1 %anysleep, label %wake, label %work
wake:
  %fan = load atomic i32, ptr %pfanout monotonic, align 4
  %fanning = icmp sgt i32 %fan, 0
  %first = select i1 %fanning, i32 %fan, i32 %seats
  call void @futex_wake(ptr %pgen, i32 %first)
  br label %work
work:
  call void @work(ptr %pool)
  %old = atomicrmw or ptr %pctl, i64 2147483648 acq_rel
  %old32 = trunc i64 %old to i32
  %taken = and i32 %old32, 65535
  %fewer = icmp ult i32 %taken, %seats
  %t = select i1 %fewer, i32 %taken, i32 %seats
  %spin = load atomic i32, ptr %pspin monotonic, align 4
  br label %poll
poll:
  %k = phi i32 [ %spin, %work ], [ %k1, %spinmore ]
  %d = load atomic i32, ptr %pdone acquire, align 4
  %alldone = icmp eq i32 %d, %t
  br i1 %alldone, label %finish, label %poll2
poll2:
  %spinning = icmp sgt i32 %k, 0
  br i1 %spinning, label %spinmore, label %sleep
spinmore:
  call void @pause()
  %k1 = sub i32 %k, 1
  br label %poll
sleep:
  store atomic i32 1, ptr %pwaiting seq_cst, align 4
  br label %sleeploop
sleeploop:
  %d2 = load atomic i32, ptr %pdone seq_cst, align 4
  %alldone2 = icmp eq i32 %d2, %t
  br i1 %alldone2, label %finish, label %dowait
dowait:
  call void @futex_wait(ptr %pdone, i32 %d2)
  br label %sleeploop
finish:
  store atomic i32 0, ptr %pbusy release, align 4
  ret void
}}
"""

_FIELDS = {
    "gen": _GEN,
    "ctl": _CTL,
    "sleepers": _SLEEPERS,
    "spin": _SPIN,
    "stop": _STOP,
    "fanout": _FANOUT,
    "entry": _ENTRY,
    "args": _ARGS,
    "begin": _BEGIN,
    "size": _SIZE,
    "chunks": _CHUNKS,
    "next": _NEXT,
    "done": _DONE,
    "waiting": _WAITING,
    "busy": _BUSY,
}


def _fields(*names: str) -> str:
    return "\n".join(_field(f"p{n}", _FIELDS[n]) for n in names)


def _machine() -> str:
    return platform.machine().lower()


def native_supported() -> bool:
    """Whether this host can run the native pool (Linux futex on x86-64 or aarch64)."""
    return sys.platform.startswith("linux") and _machine() in _SYS_FUTEX


def pool_ir() -> str:
    """The pool's LLVM IR for this host (`khal_pool_worker`, `khal_pool_run`)."""
    m = _machine()
    return _IR.format(
        pause=_PAUSE[m],
        pause_decl=_PAUSE_DECL[m],
        sys_futex=_SYS_FUTEX[m],
        wait_op=_FUTEX_WAIT_PRIVATE,
        wake_op=_FUTEX_WAKE_PRIVATE,
        work_fields=_fields("entry", "args", "begin", "size", "chunks", "next"),
        worker_fields=_fields("gen", "ctl", "sleepers", "spin", "stop", "fanout", "done", "waiting"),
        run_fields=_fields(
            "gen", "ctl", "sleepers", "spin", "fanout", "entry", "args", "begin", "size", "chunks", "next"
        )
        + "\n"
        + _fields("done", "waiting", "busy"),
    )


_WORKER_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32)
_ENTRY_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32)
_RUN_TYPE = ctypes.CFUNCTYPE(
    None,
    ctypes.c_void_p,
    ctypes.c_void_p,
    ctypes.c_void_p,
    ctypes.c_int32,
    ctypes.c_int32,
    ctypes.c_int32,
    ctypes.c_int32,
)


class _Code:
    """The pool's machine code, compiled once per process (the engine must outlive every call)."""

    def __init__(self) -> None:
        from khal.targets.cpu import _compile_lock, host_target_machine, optimise

        libc = ctypes.CDLL(None)
        llvm.add_symbol("syscall", ctypes.cast(libc.syscall, ctypes.c_void_p).value)
        with _compile_lock:
            tm = host_target_machine()
            mod = llvm.parse_assembly(pool_ir())
            mod.triple = tm.triple
            mod.data_layout = str(tm.target_data)
            mod.verify()
            optimise(mod, tm)
            self.engine = llvm.create_mcjit_compiler(mod, tm)
            self.engine.finalize_object()
            self.worker = _WORKER_TYPE(self.engine.get_function_address("khal_pool_worker"))
            self.run = _RUN_TYPE(self.engine.get_function_address("khal_pool_run"))


_code: _Code | None = None
_code_lock = threading.Lock()


def _get_code() -> _Code:
    global _code
    with _code_lock:
        if _code is None:
            _code = _Code()
        return _code


class NativePool:
    """Worker threads parked in native code, and the state block they share (see the module docstring)."""

    def __init__(self) -> None:
        code = _get_code()
        self._run = code.run
        self._worker = code.worker
        self._memory = ctypes.create_string_buffer(_STATE_BYTES + 64)
        self.address = (ctypes.addressof(self._memory) + 63) & ~63
        ctypes.c_int32.from_address(self.address + _SPIN).value = SPIN
        ctypes.c_int32.from_address(self.address + _FANOUT).value = FANOUT
        self._threads: list[threading.Thread] = []
        self._grow_lock = threading.Lock()

    @property
    def workers(self) -> int:
        """How many worker threads the pool has."""
        return len(self._threads)

    def grow(self, workers: int) -> None:
        """Start workers until there are at least `workers`."""
        if len(self._threads) >= workers:
            return
        with self._grow_lock:
            while len(self._threads) < workers:
                # A Python thread whose one ctypes call (GIL released) is the worker's whole life: entries
                # that are Python callbacks (tests) find a thread state to take the GIL with.
                gen = ctypes.c_int32.from_address(self.address + _GEN).value
                t = threading.Thread(
                    target=self._worker,
                    args=(self.address, gen),
                    name=f"khal-cpu-{len(self._threads)}",
                    daemon=True,
                )
                t.start()
                self._threads.append(t)

    def run(self, entry: int, args: int, begin: int, end: int, chunks: int, seats: int) -> None:
        """Run `entry(args, lo, hi)` over [begin, end) in `chunks` pieces, here and on <= `seats` workers."""
        self._run(self.address, entry, args, begin, end, chunks, min(seats, MAX_SEATS))

    def stop(self, timeout: float | None = None) -> None:
        """Let the workers return (they finish the job they are in) and wait for them."""
        stop = ctypes.c_int32.from_address(self.address + _STOP)
        stop.value = 1
        gen = ctypes.c_int32.from_address(self.address + _GEN)
        gen.value += 1  # the futex word changes, so no worker parks again after the wake below
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall(
            ctypes.c_long(_SYS_FUTEX[_machine()]),
            ctypes.c_void_p(self.address + _GEN),
            ctypes.c_long(_FUTEX_WAKE_PRIVATE),
            ctypes.c_long(2**31 - 1),
        )
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()


class PythonPool:
    """The fallback where native waits are missing: Python threads claim pieces under a lock.

    Same contract as `NativePool`, but every piece re-takes the GIL to be claimed, so it scales
    worse on many cores (the JIT'd entry itself still runs without the GIL).
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._busy = threading.Lock()
        self._grow_lock = threading.Lock()

    @property
    def workers(self) -> int:
        """How many worker threads the pool has."""
        return len(self._threads)

    def grow(self, workers: int) -> None:
        """Start workers until there are at least `workers`."""
        with self._grow_lock:
            while len(self._threads) < workers:
                t = threading.Thread(target=self._loop, name=f"khal-cpu-{len(self._threads)}", daemon=True)
                t.start()
                self._threads.append(t)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()

    def run(self, entry: int, args: int, begin: int, end: int, chunks: int, seats: int) -> None:
        """Run `entry(args, lo, hi)` over [begin, end) in `chunks` pieces, here and on <= `seats` workers."""
        call = _ENTRY_TYPE(entry)
        if not self._busy.acquire(blocking=False):
            call(args, begin, end)  # busy: another thread's job, or this one nested in an entry
            return
        try:
            work, done = _python_job(call, args, begin, end, chunks)
            for _ in range(min(seats, len(self._threads))):
                self._jobs.put(work)
            work()
            done.wait()
        finally:
            self._busy.release()

    def stop(self) -> None:
        """Let the workers return and wait for them."""
        for _ in self._threads:
            self._jobs.put(None)
        for t in self._threads:
            t.join()
        self._threads.clear()


def _python_job(
    call: Callable[[int, int, int], None], args: int, begin: int, end: int, chunks: int
) -> tuple[Callable[[], None], threading.Event]:
    """A job's work loop and its completion event: claiming a piece and counting it active happen under
    one lock, so the job is done exactly when no piece is left and none is running."""
    lock = threading.Lock()
    done = threading.Event()
    state = [0, 0]  # next piece, pieces running
    size = end - begin

    def work() -> None:
        while True:
            with lock:
                i = state[0]
                if i >= chunks:
                    return
                state[0] = i + 1
                state[1] += 1
            try:
                call(args, begin + size * i // chunks, begin + size * (i + 1) // chunks)
            finally:
                with lock:
                    state[1] -= 1
                    if state[1] == 0 and state[0] >= chunks:
                        done.set()

    return work, done


_pool: NativePool | PythonPool | None = None
_pool_lock = threading.Lock()


def shared_pool(workers: int) -> NativePool | PythonPool:
    """This process's pool, with at least `workers` workers (a `PythonPool` where futexes are missing)."""
    global _pool
    pool = _pool
    if pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = NativePool() if native_supported() else PythonPool()
            pool = _pool
    pool.grow(workers)
    return pool


def _forget_pool() -> None:
    # The child of a fork has none of the parent's threads, the state block may be mid-job, and a lock
    # another thread held at the fork stays held. The compiled code is still mapped: it is reused.
    global _pool, _pool_lock, _code_lock
    _pool = None
    _pool_lock = threading.Lock()
    _code_lock = threading.Lock()


def _stop_at_exit() -> None:
    # The workers run JIT'd code whose engine the interpreter frees as it tears down: let them leave
    # it first (a spinning worker would otherwise jump into unmapped memory).
    if isinstance(_pool, NativePool):
        _pool.stop(timeout=1.0)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
atexit.register(_stop_at_exit)
