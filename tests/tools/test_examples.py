"""Every example in examples/ (besides add_assign, tested in test_demo.py) runs and matches numpy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# example -> (extra arguments, the line its numpy check prints)
EXAMPLES: dict[str, tuple[list[str], str]] = {
    "reduction": ([], "matches numpy (rel. tol. 1e-5): True"),
    # An odd N: the last workgroup is partial, so the kernel's bounds check matters.
    "reduction_odd": (["4099"], "matches numpy (rel. tol. 1e-5): True"),
    "mandelbrot": ([], "matches numpy: True"),
    "nbody": (["300", "3"], "matches numpy: True"),
    "particles_struct": ([], "matches numpy: True"),
}


def run_example(name: str, args: list[str], backend: str) -> subprocess.CompletedProcess[str]:
    """Run examples/<name>.py as a user would, with KHAL_BACKEND set."""
    env = dict(os.environ, KHAL_BACKEND=backend)
    script = ROOT / "examples" / f"{name.removesuffix('_odd')}.py"
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=600, env=env, cwd=ROOT
    )


@pytest.mark.parametrize("backend", ["cpu", "cpu-parallel"])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_example_runs_and_matches_numpy(name: str, backend: str) -> None:
    args, check = EXAMPLES[name]
    result = run_example(name, args, backend)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f" on {backend}:" in result.stdout  # it ran on the backend KHAL_BACKEND asked for
    assert check in result.stdout


def test_nbody_times_every_step() -> None:
    result = run_example("nbody", ["100", "3"], "cpu")
    assert result.returncode == 0, result.stdout + result.stderr
    for step in range(3):
        assert f"  step {step}: " in result.stdout


def test_mandelbrot_writes_a_pgm_only_when_asked(tmp_path: Path) -> None:
    image = tmp_path / "m.pgm"
    result = run_example("mandelbrot", [str(image)], "cpu")
    assert result.returncode == 0, result.stdout + result.stderr
    data = image.read_bytes()
    header = b"P5 384 256 255\n"
    assert data.startswith(header) and len(data) == len(header) + 384 * 256
    before = set(tmp_path.iterdir())
    assert run_example("mandelbrot", [], "cpu").returncode == 0
    assert set(tmp_path.iterdir()) == before and not list(ROOT.glob("*.pgm"))
