"""Every saved differential-fuzzing case (regressions/case_*.py) runs on every available backend and
agrees with the `cpu` backend, as when it was found (fuzzing.run_program's comparison)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzzing import REGRESSIONS, load_regression, run_program
from harness import BACKENDS, REFERENCE, get_backend

CASES = sorted(REGRESSIONS.glob("case_*.py"))


def test_there_are_saved_cases() -> None:
    assert CASES, f"no saved cases in {REGRESSIONS}"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_saved_case_agrees(path: Path) -> None:
    program, module = load_regression(path)
    names = [REFERENCE] + [b for b in BACKENDS if b != REFERENCE]
    outcome = run_program(program, {n: get_backend(n) for n in names}, module)
    for name, why in outcome.skipped.items():
        print(f"{name} cannot express {path.name}: {why}")
    assert not outcome.differences, "\n".join(outcome.differences)
