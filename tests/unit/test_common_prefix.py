"""Every registered target starts its pipeline with the target-neutral prefix, so a kernel the
language rejects (a barrier under a thread-dependent `if`) is rejected the same way on every target."""

from __future__ import annotations

from pathlib import Path

import pytest

import khal
import khal.std as ks
from khal import Array, i32
from khal.passes import COMMON_PREFIX
from khal.targets import get_target, target_names


@khal.kernel(workgroup_size=64)
def divergent_barrier(out: Array[i32]):
    lid = ks.local_invocation_id().x
    if lid < 32:
        ks.workgroup_barrier()
    out[lid] = 1


@pytest.mark.parametrize("name", target_names())
def test_pipeline_starts_with_the_common_prefix(name: str) -> None:
    assert get_target(name).pass_names()[: len(COMMON_PREFIX)] == COMMON_PREFIX


@pytest.mark.parametrize("name", target_names())
def test_divergent_barrier_rejected_on_every_target(name: str) -> None:
    with pytest.raises(khal.CompileError) as info:
        divergent_barrier.asm(name, get_target(name).stages[0].name)
    text = str(info.value)
    assert text.startswith(f"{Path(__file__)}:21:9: error:")
    assert "workgroup barrier" in text and "ks.workgroup_barrier()" in text and "^" in text
