"""The one backend table (`khal.backends.BACKENDS`) and everything that reads it."""

from __future__ import annotations

import subprocess
import sys

import pytest

import khal
from khal.runtime import select


def test_every_registered_backend_is_exported_and_made_from_its_entry() -> None:
    names = [spec.name for spec in select.BACKENDS]
    assert len(set(names)) == len(names)
    assert set(khal.available_backends()) <= set(names)
    for spec in select.BACKENDS:
        assert spec.cls in khal.__all__
        if spec.name not in khal.available_backends():
            with pytest.raises(khal.BackendUnavailable, match=f"the {spec.name} backend is unavailable"):
                select.make_backend(spec.name)
            with pytest.raises(khal.BackendUnavailable, match="it needs"):
                getattr(khal, spec.cls)(**spec.kwargs)
            continue
        backend = select.make_backend(spec.name)
        assert isinstance(backend, getattr(khal, spec.cls))
        assert (backend.name, backend.target) == (spec.name, spec.target)


def test_available_backends_keep_the_registry_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KHAL_BACKEND", raising=False)
    order = [spec.name for spec in select.BACKENDS]
    names = khal.available_backends()
    assert names == sorted(names, key=order.index)
    assert khal.default_backend().name == names[0]


def test_unknown_backend_names_the_registered_ones() -> None:
    with pytest.raises(ValueError, match="unknown backend 'metal'; choose one of cuda, webgpu, cpu"):
        select.make_backend("metal")


def test_missing_backend_says_what_to_install() -> None:
    for spec in select.BACKENDS:
        if not spec.install:
            continue
        stand_in = select.missing_backend(spec.cls, "no module named 'x'")
        with pytest.raises(khal.BackendUnavailable) as e:
            stand_in()
        assert spec.install in str(e.value) and "no module named 'x'" in str(e.value)


def test_import_khal_loads_no_backend_module() -> None:
    code = (
        "import sys, khal; from khal.runtime.select import BACKENDS; "
        "print(sorted({s.module for s in BACKENDS} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
