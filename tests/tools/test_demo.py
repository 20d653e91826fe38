"""The README's demo (examples/add_assign.py, what scripts/demo.sh runs) and the README's snippet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "add_assign.py"


def run_demo(n: int, backend: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("KHAL_BACKEND", None)
    if backend is not None:
        env["KHAL_BACKEND"] = backend
    return subprocess.run(
        [sys.executable, str(EXAMPLE), str(n)], capture_output=True, text=True, timeout=600, env=env
    )


@pytest.mark.parametrize("backend", ["cpu", "cpu-parallel"])
def test_demo_runs_on_the_cpu_and_matches_numpy(backend: str) -> None:
    # An odd size: the last workgroup is partial, so the kernel's bounds check matters.
    result = run_demo(4099, backend)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "khal.kernel @add_assign(%a: !khal.array<f32, read_write>" in result.stdout
    assert f"ran add_assign on {backend} for n = 4099" in result.stdout
    assert "matches numpy on all 4099 elements: True" in result.stdout


def test_demo_on_the_default_backend_runs_or_says_why_not() -> None:
    import khal

    result = run_demo(1000, None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    ran = re.search(r"ran add_assign on (\S+)(?: \(.+\))? for n = 1000", result.stdout)
    if ran:
        # The best backend there is: webgpu wherever a Vulkan driver works (lavapipe counts).
        assert ran.group(1) == khal.available_backends()[0]
        assert "matches numpy on all 1000 elements: True" in result.stdout
    else:
        # A GPU backend was picked whose compiler stages are not in this build: the demo says so.
        assert "backend cannot run it yet" in result.stdout


def test_readme_snippet_runs_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", readme, re.S)
    assert snippet is not None
    # khal reads kernel source, so the snippet runs from a file, as a user's script would.
    script = tmp_path / "readme_snippet.py"
    script.write_text(snippet.group(1))
    env = dict(os.environ, KHAL_BACKEND="cpu")
    command = [sys.executable, str(script)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "khal.kernel @add_assign" in result.stdout
