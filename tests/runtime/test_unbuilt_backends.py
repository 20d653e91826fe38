"""Backends this build lacks are named but unavailable, never an ImportError or AttributeError."""

import subprocess
import sys

import pytest

import khal


@pytest.mark.parametrize("cls_name", ["Cuda"])
def test_unbuilt_backend_raises_backend_unavailable(cls_name: str) -> None:
    cls = getattr(khal, cls_name)
    if cls.__module__.startswith("khal.runtime.") and cls.__module__ != "khal.runtime.select":
        pytest.skip(f"{cls_name} is built")
    with pytest.raises(khal.BackendUnavailable, match="backend is unavailable; it needs"):
        cls()


def test_star_import_works() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "from khal import *; print(kernel, Cpu, Array)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
