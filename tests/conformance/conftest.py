"""Fixtures of the conformance suite: `backend_name` runs a test once per available backend.

The backends come from `khal.available_backends()` (the one table, khal/backends.py): a backend that
lands (webgpu, cuda) joins every case with no change here. Skipped cases (a type a target lacks) are
listed with their reasons at the end of the run. `KHAL_SPIRV_VALIDATE=1`, as in tests/runtime: every
SPIR-V module a webgpu backend loads goes through `spirv-val --target-env vulkan1.1` first.
"""

from __future__ import annotations

import os

os.environ.setdefault("KHAL_SPIRV_VALIDATE", "1")  # before any plan; the lent GPU host sets it empty

import harness
import numpy as np
import pytest
from harness import BACKENDS


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    """Each available backend's name in turn (also `harness.CURRENT`, for its float rules)."""
    harness.CURRENT[0] = request.param
    return request.param


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """Fresh random inputs each run; the seed is printed (pytest shows it when the test fails)."""
    seed = int(np.random.SeedSequence().entropy) % 2**63  # type: ignore[arg-type]
    print(f"rng seed for {request.node.nodeid}: {seed}")
    return np.random.default_rng(seed)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print why each conformance case was skipped: a skip is a backend's limit, never a silent pass."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "conformance" in r.nodeid]
    if skipped:
        terminalreporter.section("conformance cases a backend cannot express")
        for r in skipped:
            reason = r.longrepr[2] if isinstance(r.longrepr, tuple) else str(r.longrepr)
            terminalreporter.line(f"{r.nodeid}: {reason}")
