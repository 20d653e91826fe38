"""Every atomic under heavy contention, on global and workgroup memory: 64K invocations on 4 slots.

Beyond the final values, the old values returned say whether each update was atomic: `atomic_add(.., 1)`
on a slot hands out 0, 1, ..., k-1 exactly once each, the values `atomic_exchange` returns are the
slot's first value plus every value stored but the last, and a compare-exchange loop (its own kernel:
webgpu refuses it) counts every invocation exactly once."""

from __future__ import annotations

import numpy as np
import pytest
from conformance_kernels import (
    SLOTS,
    WG_ATOMIC,
    atomics_compare_exchange,
    atomics_contended,
    atomics_workgroup,
)
from harness import Failures, get_backend, launch, results

import khal

N = 1 << 16


def test_global_atomics_under_contention(backend_name: str, rng: np.random.Generator) -> None:
    vals = rng.integers(-(2**31), 2**31, N, dtype=np.int32)
    vals[: N // 2] = rng.integers(-1000, 1000, N // 2)
    acc_i = np.zeros(5 * SLOTS, np.int32)
    acc_i[2 * SLOTS : 3 * SLOTS] = 2**31 - 1  # min starts high, max low
    acc_i[3 * SLOTS : 4 * SLOTS] = -(2**31)
    acc_i[4 * SLOTS : 5 * SLOTS] = -1  # exchange: no invocation stores -1
    acc_u = np.zeros(6 * SLOTS, np.uint32)
    acc_u[SLOTS : 2 * SLOTS] = 0xFFFFFFFF  # and starts with every bit
    acc_u[4 * SLOTS : 5 * SLOTS] = 0xFFFFFFFF
    acc_f = np.zeros(SLOTS, np.float32)
    outs = [np.zeros(N, np.uint32), np.zeros(N, np.int32)]
    args = [vals, acc_i, acc_u, acc_f, *outs]
    slot = np.arange(N) % SLOTS
    per = [vals[slot == s] for s in range(SLOTS)]
    u = [p.astype(np.uint32) for p in per]
    with np.errstate(over="ignore"):
        want_i = np.concatenate(
            [
                [p.sum(dtype=np.int32) for p in per],
                [-p.sum(dtype=np.int32) for p in per],
                [p.min() for p in per],
                [p.max() for p in per],
            ]
        ).astype(np.int32)
    want_u = [
        np.full(SLOTS, N // SLOTS, np.uint32),
        np.array([np.bitwise_and.reduce(x) for x in u], np.uint32),
        np.array([np.bitwise_or.reduce(x) for x in u], np.uint32),
        np.array([np.bitwise_xor.reduce(x) for x in u], np.uint32),
        np.array([x.min() for x in u], np.uint32),
        np.array([x.max() for x in u], np.uint32),
    ]
    want_f = np.array([(p % 64).sum() for p in per], np.float32)
    failures = Failures()
    for label, got in results(backend_name, atomics_contended, N, args).items():
        g_i, g_u, g_f, old_add, old_xchg = got[1:]
        failures.compare(g_i[: 4 * SLOTS], want_i, what=f"add/sub/min/max i32 on {label}")
        failures.compare(g_u, np.concatenate(want_u), what=f"add/and/or/xor/min/max u32 on {label}")
        failures.compare(g_f, want_f, what=f"atomic_add f32 on {label}")
        for s in range(SLOTS):
            mine = slot == s
            olds = np.sort(old_add[mine])
            failures.compare(olds, np.arange(N // SLOTS, dtype=np.uint32), what=f"atomic_add olds slot {s}")
            # exchange: the olds and the final value together are the initial -1 and every stored id
            chain = np.sort(np.concatenate([old_xchg[mine], [g_i[4 * SLOTS + s]]]))
            ids = np.sort(np.concatenate([[-1], np.nonzero(mine)[0]])).astype(np.int32)
            failures.compare(chain, ids, what=f"atomic_exchange chain slot {s} on {label}")
    failures.check()


def test_compare_exchange_under_contention(backend_name: str) -> None:
    """A compare-exchange loop counts every invocation exactly once; on webgpu, a located CompileError
    (wgpu's naga refuses OpAtomicCompareExchange whose result is used: docs/semantics.md)."""
    args = [np.zeros(SLOTS, np.int32), np.zeros(N, np.uint32)]
    if get_backend(backend_name).target == "webgpu":
        with pytest.raises(
            khal.CompileError, match=r"conformance_kernels\.py:\d+:\d+: error: atomic_compare_exchange"
        ):
            khal.launch(atomics_compare_exchange, N, *args, backend=get_backend(backend_name))
        return
    failures = Failures()
    for label, got in results(backend_name, atomics_compare_exchange, N, args).items():
        acc, tries = got
        failures.compare(acc, np.full(SLOTS, N // SLOTS, np.int32), what=f"CAS counter on {label}")
        # every invocation tried at least once, and a retry follows only another's success
        assert tries.min() >= 1 and tries.sum() >= N, label
        assert tries.max() <= N // SLOTS, label
    failures.check()


def test_workgroup_atomics_under_contention(backend_name: str, rng: np.random.Generator) -> None:
    groups = 64
    vals = rng.integers(-(2**31), 2**31, groups * WG_ATOMIC, dtype=np.int32)
    args = [vals, np.zeros(groups * 4, np.int32), np.zeros(groups * 4, np.uint32)]
    v = vals.reshape(groups, WG_ATOMIC)
    u = v.astype(np.uint32)
    with np.errstate(over="ignore"):
        want_i = np.stack([v.sum(1, dtype=np.int32), -v.sum(1, dtype=np.int32), v.min(1), v.max(1)], 1)
    want_u = np.stack(
        [
            np.full(groups, WG_ATOMIC, np.uint32),
            np.bitwise_or.reduce(u, 1),
            np.bitwise_xor.reduce(u, 1),
            np.bitwise_and.reduce(u, 1),
        ],
        1,
    )
    failures = Failures()
    for label, got in results(backend_name, atomics_workgroup, len(vals), args).items():
        failures.compare(got[1], want_i.astype(np.int32).ravel(), what=f"workgroup i32 atomics on {label}")
        failures.compare(got[2], want_u.ravel(), what=f"workgroup u32 atomics on {label}")
    failures.check()


def test_atomic_histogram_is_deterministic(backend_name: str, rng: np.random.Generator) -> None:
    """Run the contended kernel twice: the counts (not the order) must be the same both times."""
    vals = rng.integers(0, 50, N, dtype=np.int32)
    args = [vals, np.zeros(5 * SLOTS, np.int32), np.zeros(6 * SLOTS, np.uint32), np.zeros(SLOTS, np.float32)]
    args += [np.zeros(N, np.uint32), np.zeros(N, np.int32)]
    first, second = (
        launch(backend_name, atomics_contended, N, args),
        launch(backend_name, atomics_contended, N, args),
    )
    np.testing.assert_array_equal(first[3], second[3])
    np.testing.assert_array_equal(first[2][: 4 * SLOTS], second[2][: 4 * SLOTS])
