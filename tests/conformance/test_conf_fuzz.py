"""Differential fuzzing in CI: random kernels (fuzzing.programs) on every available backend, compared
with the `cpu` backend, and the `cpu` backend with the same program run by Python under khal's rules
(emulator.py). Bounded: KHAL_FUZZ_EXAMPLES examples (default 60, under a minute here); a failure is
shrunk by hypothesis and saved under regressions/ as a permanent case. For long runs:
`python benchmarks/fuzz.py --examples N --backends cpu,webgpu`."""

from __future__ import annotations

import os

import pytest
from fuzzing import Program, programs, run_program, save_regression
from harness import BACKENDS, REFERENCE, get_backend
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("KHAL_FUZZ_EXAMPLES", "60"))


def test_random_kernels_agree_on_every_backend() -> None:
    names = [REFERENCE] + [b for b in BACKENDS if b != REFERENCE]
    if len(names) < 2:
        pytest.skip(f"one backend available ({names}): nothing to compare")
    backends = {n: get_backend(n) for n in names}
    failing: list[tuple[Program, object]] = []
    skips: dict[str, int] = {}

    # Derandomised: CI sees the same kernels on every run (benchmarks/fuzz.py explores at random).
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(programs())
    def agree(program: Program) -> None:
        outcome = run_program(program, backends)
        for name, why in outcome.skipped.items():
            skips[name] = skips.get(name, 0) + 1
            print(f"{name} cannot express fuzz case {program.key()}: {why}")
        if outcome.differences:
            failing.append((program, outcome))  # the last one is hypothesis's shrunk example
            raise AssertionError("\n".join(outcome.differences) + "\n" + program.source)

    try:
        agree()
    except AssertionError:
        program, outcome = failing[-1]
        path = save_regression(program, outcome)  # type: ignore[arg-type]
        print(f"saved the shrunk case as {path}")
        raise
    finally:
        if skips:
            print(f"fuzz cases a backend could not express: {skips}")
