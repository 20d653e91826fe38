"""One rule for changed constants (issue 11, item 3): the next use of a kernel sees the values of now.

After a module-level constant a kernel reads changes, or a `khal.func` it calls is rebound, every
backend, `ir()` and the disk cache all use the new value at the next call, and changing it back
finds the earlier code again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import constants_kernels as ck
import numpy as np
import pytest
from conftest import get_backend

import khal
from khal.cache import CACHE, ENTRY_SUFFIX
from khal.runtime.backend import Backend
from khal.runtime.select import available_backends


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    yield
    ck.SCALE, ck.SHIFT, ck.helper = 2.0, (1.0, 0.5), ck.double


def run(backend: Backend, kernel: khal.Kernel, b: np.ndarray) -> np.ndarray:
    a = np.zeros_like(b)
    khal.launch(kernel, len(b), a, b, backend=backend)
    return a


def test_changed_constant_reaches_every_backend(backend: Backend, rng: np.random.Generator) -> None:
    b = rng.random(200, dtype=np.float32)
    np.testing.assert_allclose(run(backend, ck.scaled, b), b * 2 + 1, rtol=1e-6)
    assert "arith.constant 2.000000e+00 : f32" in ck.scaled.ir()
    scale = float(rng.integers(3, 100))
    ck.SCALE, ck.SHIFT = scale, (-4.0, 0.0)
    # a GPU driver may contract `b * scale - 4` into one fma: allow one rounding of the product (scale ulp)
    atol = 4 * float(np.finfo(np.float32).eps) * scale
    np.testing.assert_allclose(run(backend, ck.scaled, b), b * np.float32(scale) - 4, rtol=1e-6, atol=atol)
    ir = ck.scaled.ir()  # the folded constants, exactly as xDSL prints them: the old 2.0 is gone
    assert f"arith.constant {scale:.6e} : f32" in ir and "arith.constant 2.000000e+00 : f32" not in ir
    other = get_backend([n for n in available_backends() if n != backend.name][0])
    np.testing.assert_allclose(run(other, ck.scaled, b), b * np.float32(scale) - 4, rtol=1e-6, atol=atol)
    ck.SCALE, ck.SHIFT = 2.0, (1.0, 0.5)  # back again: the first plan serves
    np.testing.assert_allclose(run(backend, ck.scaled, b), b * 2 + 1, rtol=1e-6)


def test_rebound_func_reaches_every_backend(backend: Backend, rng: np.random.Generator) -> None:
    b = rng.random(100, dtype=np.float32) - 0.5
    np.testing.assert_allclose(run(backend, ck.helped, b), b * 2, rtol=1e-6)
    ck.helper = ck.negate
    np.testing.assert_array_equal(run(backend, ck.helped, b), -b)
    assert "negate" in ck.helped.ir()


def test_equal_value_rebound_keeps_the_key() -> None:
    key = ck.scaled.cache_key()
    ck.SCALE = float("2.0")  # maybe another object, the same value: the same code
    assert ck.scaled.cache_key() == key
    ck.SCALE = 2.5
    assert ck.scaled.cache_key() != key


def test_disk_cache_keeps_one_entry_per_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KHAL_NO_CACHE", raising=False)
    monkeypatch.setenv("KHAL_CACHE_DIR", str(tmp_path))
    CACHE.clear_memory()
    b = np.arange(10, dtype=np.float32)
    cpu = khal.Cpu()
    for scale in (2.0, 7.0, 2.0):
        ck.SCALE = scale
        np.testing.assert_allclose(run(cpu, ck.scaled, b), b * scale + 1)
    assert len(list(tmp_path.glob(f"*{ENTRY_SUFFIX}"))) == 2
