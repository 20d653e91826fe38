"""A test-only asynchronous backend: a fake device that runs submitted work later, on its own thread.

It is built the way a GPU backend is, from backend.py's hooks alone: its encoder records each
command into its own "stream" (a list of thunks) at `call` time, `_commit` hands the stream to the
device thread, and the device reports completion from that thread. Kernels are the CPU target's
(the plan, buffers and the execution of one command are the `Cpu` backend's), so results can be
compared with numpy. A test closes `device.gate` to hold the device back and observe work in flight.

`completion` picks how the submission learns that the work is done, the two ways GPUs report it:
- "callback": the device thread calls `Submission._complete()` (a wgpu `on_submitted_work_done`
  callback, a CUDA host function);
- "event": the device sets an event that the submission polls (`_poll`) or waits on (`_block`),
  as a CUDA backend does with `cuEventQuery`/`cuEventSynchronize` on an event per submission.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from khal.runtime.backend import Buffer, ComputePass, CopyCommand, Encoder, Submission
from khal.runtime.cpu import Cpu


class FakeDevice:
    """One queue, run in order by one daemon thread; `gate` (open by default) holds it back."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.ran = 0  # work items finished
        self._queue: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="khal-fake-device", daemon=True)
        self._thread.start()

    def enqueue(self, work: Callable[[], None]) -> None:
        """Run `work` after everything enqueued before it, once the gate is open."""
        self._queue.put(work)

    def _loop(self) -> None:
        while (work := self._queue.get()) is not None:
            self.gate.wait()
            work()
            del work  # hold nothing of finished work while waiting for the next
            self.ran += 1

    def close(self) -> None:
        """Stop the thread once the queued work has run."""
        self.gate.set()
        self._queue.put(None)
        self._thread.join()


class CallbackSubmission(Submission):
    """Completion reported by the device thread calling `_complete()`; `_block` waits for that."""

    __slots__ = ("_finished",)

    def __init__(self, backend: Any, keep: list[Any]):
        super().__init__(backend, keep)
        self._finished = threading.Event()

    def _complete(self) -> None:
        super()._complete()
        self._finished.set()

    def _block(self) -> None:
        self._finished.wait()


class EventSubmission(Submission):
    """Completion asked of the device: an event it sets after the work (a CUDA event, in effect)."""

    __slots__ = ("_event",)

    def __init__(self, backend: Any, keep: list[Any]):
        super().__init__(backend, keep)
        self._event = threading.Event()

    def _poll(self) -> bool:
        return self._event.is_set()

    def _block(self) -> None:
        self._event.wait()


def _stamp(times: list[float], slot: int) -> None:
    times[slot] = time.perf_counter()


class FakeEncoder(Encoder):
    """Records into its own stream at call time; nothing reads the base class's log but the checks."""

    def __init__(self, backend: AsyncFake):
        super().__init__(backend)
        self.stream: list[Callable[[], None]] = []

    def _record_pass_begin(self, p: ComputePass) -> None:
        if p._begin_marker is not None:
            self.stream.append(functools.partial(_stamp, p._begin_marker.native, p._begin_marker.slot))
        p._native = p.label  # a backend may keep its own pass object here

    def _record_dispatch(self, p: ComputePass, command: Any) -> None:
        assert p._native == p.label
        self.stream.append(functools.partial(self.backend._execute, [command]))  # type: ignore[attr-defined]

    def _record_pass_end(self, p: ComputePass) -> None:
        if p._begin_marker is not None:
            self.stream.append(functools.partial(_stamp, p._begin_marker.native, p._begin_marker.slot + 1))

    def _record_copy(self, copy: CopyCommand) -> None:
        self.stream.append(functools.partial(self.backend._execute, [copy]))  # type: ignore[attr-defined]

    def _commit(self) -> Submission:
        backend: AsyncFake = self.backend  # type: ignore[assignment]
        stream, self.stream = self.stream, []
        if backend.completion == "callback":
            sub: Submission = CallbackSubmission(backend, self._commands)
            finish: Callable[[], None] = sub._complete
        else:
            sub = EventSubmission(backend, self._commands)
            finish = sub._event.set  # type: ignore[attr-defined]

        def run() -> None:
            while stream:  # popped as it runs: nothing of it is left here when the waiter wakes
                stream.pop(0)()
            finish()

        backend.device.enqueue(run)
        return sub


class AsyncFake(Cpu):
    """The CPU's kernels and memory behind a fake asynchronous queue (see the module docstring)."""

    encoder_type = FakeEncoder

    def __init__(self, completion: str = "callback"):
        super().__init__()
        if completion not in ("callback", "event"):
            raise ValueError(f"completion must be 'callback' or 'event', got {completion!r}")
        self.name = f"fake-async-{completion}"
        self.completion = completion
        self.device = FakeDevice()

    def _write(self, buf: Buffer, offset: int, data: np.ndarray) -> None:
        self.synchronize()  # ordered after the work submitted so far, as on a GPU queue
        super()._write(buf, offset, data)

    def _read_into(self, buf: Buffer, out: np.ndarray) -> None:
        self.synchronize()
        super()._read_into(buf, out)

    def peek(self, buf: Buffer) -> np.ndarray:
        """The buffer's memory now, without waiting: what a test uses to see that nothing ran yet."""
        return buf._data.copy()  # type: ignore[attr-defined]
