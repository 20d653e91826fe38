"""Fixtures for runtime tests: every test taking `backend` runs once per available backend.

The backends come from the one table (`khal.backends.BACKENDS`); `CPU_BACKENDS` names the
registered backends whose kernels are built for the CPU target (tests of host-memory behaviour).
Besides them, `backend` runs each test on `fake-async` (tests/runtime/async_fake.py): the CPU's
kernels behind a queue that completes work later on another thread, so every kernel test also
checks that results are read only once the asynchronous work has completed.

`KHAL_SPIRV_VALIDATE=1` is set for the whole run: the WebGPU backend then passes every SPIR-V module
it loads through `spirv-val --target-env vulkan1.1` first (a failure is the test's error).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from async_fake import AsyncFake

from khal.backends import BACKENDS
from khal.runtime.backend import Backend
from khal.runtime.select import available_backends, make_backend

# Set before any backend plans a kernel (conftest modules load before the tests are collected).
os.environ.setdefault("KHAL_SPIRV_VALIDATE", "1")  # the lent GPU host, without spirv-val, sets it empty

CPU_BACKENDS = [spec.name for spec in BACKENDS if spec.target == "cpu"]

_BACKENDS: dict[str, Backend] = {}


FAKE_ASYNC = "fake-async"


def get_backend(name: str) -> Backend:
    """One backend object per name for the whole session (plans and pools are reused)."""
    if name not in _BACKENDS:
        _BACKENDS[name] = AsyncFake() if name == FAKE_ASYNC else make_backend(name)
    return _BACKENDS[name]


@pytest.fixture(params=[*available_backends(), FAKE_ASYNC])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each available backend in turn (GPUs where they work, cpu, cpu-parallel), then the async fake."""
    return get_backend(request.param)


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """Fresh random inputs each run; the seed is printed (pytest shows it when the test fails)."""
    seed = int(np.random.SeedSequence().entropy) % 2**63  # type: ignore[arg-type]
    print(f"rng seed for {request.node.nodeid}: {seed}")
    return np.random.default_rng(seed)
