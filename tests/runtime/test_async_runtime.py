"""The asynchronous runtime core, proven on a fake device that completes work later on its own thread.

What a GPU backend relies on: `submit` returns before the work has run; `wait()`/`done()` tell when
it has; whatever the work uses stays alive until then, whatever the caller drops; `synchronize` and
`slow_read_vec` wait for all of it; the encoder's rules are the same as on the CPU.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import numpy as np
import pytest
from async_fake import AsyncFake
from runtime_kernels import add_assign, saxpy

import khal
from khal.runtime.backend import Submission

U = khal.BufferUsages


@pytest.fixture(params=["callback", "event"])
def fake(request: pytest.FixtureRequest) -> Iterator[AsyncFake]:
    """A fresh fake device per test, in both completion styles; its gate is open again at the end."""
    backend = AsyncFake(request.param)
    yield backend
    backend.device.close()


def open_later(fake: AsyncFake, seconds: float = 0.05) -> threading.Timer:
    """Open the device's gate from another thread after a while (while the test thread waits)."""
    timer = threading.Timer(seconds, fake.device.gate.set)
    timer.start()
    return timer


def test_results_are_there_after_wait(fake: AsyncFake, rng: np.random.Generator) -> None:
    a_np = rng.standard_normal(1000).astype(np.float32)
    b_np = rng.standard_normal(1000).astype(np.float32)
    a, b = fake.init_buffer(a_np), fake.init_buffer(b_np)
    fake.device.gate.clear()
    enc = fake.begin_encoding()
    with enc.begin_pass("add") as p:
        add_assign.call(p, 1000, a, b)
        saxpy.call(p, 1000, a, b, 2.0)
    sub = fake.submit(enc)
    assert isinstance(sub, Submission)
    assert not sub.done() and not sub.done()
    np.testing.assert_array_equal(fake.peek(a), a_np)  # nothing has run yet
    fake.device.gate.set()
    sub.wait()
    assert sub.done()
    np.testing.assert_allclose(fake.slow_read_vec(a), a_np + b_np + 2.0 * b_np, rtol=1e-6)
    sub.wait()  # waiting again returns at once


def test_dropped_resources_live_until_completion(fake: AsyncFake, rng: np.random.Generator) -> None:
    src_np = rng.standard_normal(64).astype(np.float32)
    out = fake.uninit_buffer(64, np.float32)
    fake.device.gate.clear()
    enc = fake.begin_encoding()
    src = fake.init_buffer(src_np)
    tmp = fake.uninit_buffer(64, np.float32)
    counts = fake.init_buffer(np.array([[1, 1, 1]], np.uint32), U.STORAGE | U.INDIRECT)
    ts = khal.Timestamps(fake, capacity=2)
    enc.copy_buffer_to_buffer(src, 0, tmp, 0, 64)
    with enc.begin_pass("twice", ts) as p:
        # One workgroup of 64 (add_assign's size), from the Indirect buffer: out += tmp.
        add_assign.call(p, khal.Indirect(counts), out, tmp)
    block = enc._commands[2].block  # the call's packed argument block (the CPU plan's command)
    refs = {
        "source buffer": weakref.ref(src),
        "temporary buffer": weakref.ref(tmp),
        "Indirect buffer": weakref.ref(counts),
        "argument block": weakref.ref(block),
        "timestamps": weakref.ref(ts),
    }
    sub = fake.submit(enc)
    del src, tmp, counts, block, ts, enc, p
    gc.collect()
    assert not sub.done()
    assert all(r() is not None for r in refs.values()), [k for k, r in refs.items() if r() is None]
    fake.device.gate.set()
    sub.wait()
    np.testing.assert_array_equal(fake.slow_read_vec(out), src_np)  # the dropped buffers were read
    gc.collect()
    assert all(r() is None for r in refs.values()), [k for k, r in refs.items() if r() is not None]


def test_synchronize_waits_for_everything(fake: AsyncFake, rng: np.random.Generator) -> None:
    a_np = rng.standard_normal(300).astype(np.float32)
    b_np = rng.standard_normal(300).astype(np.float32)
    a, b = fake.init_buffer(a_np), fake.init_buffer(b_np)
    fake.device.gate.clear()
    subs = []
    for _ in range(5):
        enc = fake.begin_encoding()
        with enc.begin_pass("add") as p:
            add_assign.call(p, 300, a, b)
        subs.append(fake.submit(enc))
    assert not any(s.done() for s in subs)
    timer = open_later(fake)
    fake.synchronize()
    timer.join()
    assert all(s.done() for s in subs)
    np.testing.assert_array_equal(fake.peek(a), a_np + b_np + b_np + b_np + b_np + b_np)
    fake.synchronize()  # nothing left: returns at once


def test_slow_read_vec_sees_the_writes(fake: AsyncFake, rng: np.random.Generator) -> None:
    a_np = rng.standard_normal(500).astype(np.float32)
    b_np = rng.standard_normal(500).astype(np.float32)
    a, b = fake.init_buffer(a_np), fake.init_buffer(b_np)
    fake.device.gate.clear()
    with fake.begin_encoding() as enc, enc.begin_pass("add") as p:
        add_assign.call(p, 500, a, b)
    timer = open_later(fake)
    np.testing.assert_array_equal(fake.slow_read_vec(a), a_np + b_np)
    timer.join()


def test_write_buffer_is_ordered_after_submitted_work(fake: AsyncFake, rng: np.random.Generator) -> None:
    a_np = rng.standard_normal(100).astype(np.float32)
    a, b = fake.init_buffer(a_np), fake.init_buffer(np.ones(100, np.float32))
    fake.device.gate.clear()
    with fake.begin_encoding() as enc, enc.begin_pass("add") as p:
        add_assign.call(p, 100, a, b)
    timer = open_later(fake)
    fake.write_buffer(b, 0, np.full(100, 5.0, np.float32))  # after the add, which still sees ones
    timer.join()
    with fake.begin_encoding() as enc, enc.begin_pass("add") as p:
        add_assign.call(p, 100, a, b)
    np.testing.assert_array_equal(fake.slow_read_vec(a), a_np + 1.0 + 5.0)


def test_calls_and_copies_run_in_recorded_order(fake: AsyncFake, rng: np.random.Generator) -> None:
    a_np = rng.standard_normal(256).astype(np.float32)
    b_np = rng.standard_normal(256).astype(np.float32)
    a, b = fake.init_buffer(a_np), fake.init_buffer(b_np)
    c = fake.uninit_buffer(256, np.float32)
    fake.device.gate.clear()
    enc = fake.begin_encoding()
    with enc.begin_pass("one") as p:
        add_assign.call(p, 256, a, b)  # a = a + b
    enc.copy_buffer_to_buffer(a, 0, c, 0, 256)  # c = a + b
    with enc.begin_pass("two") as p:
        add_assign.call(p, 256, c, a)  # c = 2(a + b)
        saxpy.call(p, 256, a, c, 0.5)  # a = (a + b) + (a + b)
    first = fake.submit(enc)
    enc2 = fake.begin_encoding()
    with enc2.begin_pass("three") as p:
        add_assign.call(p, 256, c, b)  # after the first submission: c = 2(a + b) + b
    second = fake.submit(enc2)
    fake.device.gate.set()
    second.wait()
    assert first.done()  # one queue: the earlier submission finished first
    ab = a_np + b_np
    np.testing.assert_allclose(fake.slow_read_vec(a), ab + 0.5 * (ab + ab), rtol=1e-6)
    np.testing.assert_allclose(fake.slow_read_vec(c), ab + ab + b_np, rtol=1e-6)


def test_encoder_rules(fake: AsyncFake) -> None:
    a = fake.uninit_buffer(4, np.float32)
    b = fake.uninit_buffer(4, np.float32)
    enc = fake.begin_encoding()
    p = enc.begin_pass("one")
    with pytest.raises(RuntimeError, match="still open"):
        fake.submit(enc)
    with pytest.raises(RuntimeError, match="is open"):
        enc.begin_pass("two")
    with pytest.raises(RuntimeError, match="is open"):
        enc.copy_buffer_to_buffer(a, 0, b, 0, 4)
    with pytest.raises(TypeError, match="'b'"):
        add_assign.call(p, 4, a, np.zeros(4, np.float32))
    assert enc._commands == [] and enc.stream == []  # a failed call records nothing anywhere
    add_assign.call(p, 4, a, b)
    p.end()
    with pytest.raises(RuntimeError, match="has ended"):
        add_assign.call(p, 4, a, b)
    sub = fake.submit(enc)
    with pytest.raises(RuntimeError, match="already submitted"):
        fake.submit(enc)
    with pytest.raises(RuntimeError, match="already submitted"):
        enc.begin_pass("three")
    with pytest.raises(RuntimeError, match="already submitted"):
        enc.copy_buffer_to_buffer(a, 0, b, 0, 4)
    with pytest.raises(ValueError, match="this backend"):
        khal.Cpu().submit(fake.begin_encoding())
    with pytest.raises(ValueError, match="this backend"):
        fake.submit(khal.Cpu().begin_encoding())
    with pytest.raises(ValueError, match="'a'.*backend"):
        add_assign.call(fake.begin_encoding().begin_pass("x"), 4, khal.Cpu().uninit_buffer(4, np.float32), b)
    sub.wait()


def test_timestamps_resolve_after_the_work(fake: AsyncFake) -> None:
    ts = khal.Timestamps(fake, capacity=6)
    a = fake.uninit_buffer(1 << 16, np.float32)
    b = fake.uninit_buffer(1 << 16, np.float32)
    fake.device.gate.clear()
    enc = fake.begin_encoding()
    with enc.begin_pass("first", ts) as p:
        add_assign.call(p, 1 << 16, a, b)
    with enc.begin_pass("second", ts):
        pass
    never = fake.begin_encoding()
    never.begin_pass("never submitted", ts).end()
    fake.submit(enc)
    timer = open_later(fake)
    result = ts.read()  # waits for the work
    timer.join()
    assert [label for label, _ in result] == ["first", "second"]
    assert all(isinstance(ms, float) and 0 <= ms < 1000 for _, ms in result)
    ts.reset()
    assert ts.read() == []


def test_launch_and_context_manager(fake: AsyncFake, rng: np.random.Generator) -> None:
    a_np = rng.standard_normal(777).astype(np.float32)
    b_np = rng.standard_normal(777).astype(np.float32)
    want = a_np + b_np
    khal.launch(add_assign, 777, a_np, b_np, backend=fake)
    np.testing.assert_array_equal(a_np, want)
    a = fake.init_buffer(a_np)
    b = fake.init_buffer(b_np)
    with fake.begin_encoding() as enc, enc.begin_pass("x") as p:
        add_assign.call(p, 777, a, b)
    np.testing.assert_array_equal(fake.slow_read_vec(a), want + b_np)


def test_completions_from_many_threads(fake: AsyncFake, rng: np.random.Generator) -> None:
    """Several Python threads submit and wait at once; each sees its own results."""
    data = [rng.standard_normal(200).astype(np.float32) for _ in range(4)]
    errors: list[BaseException] = []

    def worker(x: np.ndarray) -> None:
        try:
            a, b = fake.init_buffer(x), fake.init_buffer(x)
            for _ in range(10):
                enc = fake.begin_encoding()
                with enc.begin_pass("add") as p:
                    add_assign.call(p, 200, a, b)
                fake.submit(enc).wait()
            np.testing.assert_allclose(fake.slow_read_vec(a), x * 11, rtol=1e-5)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(x,)) for x in data]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    fake.synchronize()
    assert not fake._in_flight


def test_cpu_submission_is_complete_when_submit_returns(rng: np.random.Generator) -> None:
    cpu = khal.Cpu()
    a_np = rng.standard_normal(50).astype(np.float32)
    a, b = cpu.init_buffer(a_np), cpu.init_buffer(a_np)
    enc = cpu.begin_encoding()
    with enc.begin_pass("add") as p:
        add_assign.call(p, 50, a, b)
    sub = cpu.submit(enc)
    assert sub.done() and not cpu._in_flight
    sub.wait()
    np.testing.assert_array_equal(cpu.slow_read_vec(a), a_np + a_np)
