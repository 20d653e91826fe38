"""Choosing a backend: `KHAL_BACKEND=cpu|cpu-parallel|cuda|webgpu`, else the best one that works here.

The backends are those of the one table, `khal.backends.BACKENDS`, in its order of preference
(cuda > webgpu > cpu). A backend is available when its runtime module imports and it can open a
device; `default_backend()` never fails over silently from a backend named in `KHAL_BACKEND`: that
one is made or its `BackendUnavailable` is raised.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from khal.backends import BACKEND_NAMES, BACKENDS, BackendSpec, backend_spec, missing_backend
from khal.errors import BackendUnavailable

if TYPE_CHECKING:
    from khal.runtime.backend import Backend

__all__ = [
    "BACKENDS",
    "BACKEND_NAMES",
    "BackendSpec",
    "available_backends",
    "backend_spec",
    "default_backend",
    "make_backend",
    "missing_backend",
]


def make_backend(name: str) -> Backend:
    """A new backend of the given name; `BackendUnavailable` when it cannot run here."""
    spec = backend_spec(name)
    return spec.load()(**spec.kwargs)


_available: list[str] | None = None


def available_backends() -> list[str]:
    """The names of the backends that work here, in order of preference, e.g. `["cpu", "cpu-parallel"]`.

    Each that may be missing is made once to find out (a GPU backend opens its device); the answer is kept.
    """
    global _available
    if _available is None:
        names = []
        for spec in BACKENDS:
            if spec.install:
                try:
                    make_backend(spec.name)
                except BackendUnavailable:
                    continue
            names.append(spec.name)
        _available = names
    return list(_available)


_default: Backend | None = None
_default_name: str | None = None


def default_backend() -> Backend:
    """`KHAL_BACKEND`'s backend if set, else the first available one in `BACKENDS` order (made once)."""
    global _default, _default_name
    wanted = os.environ.get("KHAL_BACKEND", "").strip().lower() or None
    if _default is not None and _default_name == wanted:
        return _default
    if wanted is not None:
        if wanted not in BACKEND_NAMES:
            raise ValueError(f"KHAL_BACKEND={wanted!r} is not one of {', '.join(BACKEND_NAMES)}")
        backend = make_backend(wanted)
    else:
        backend = make_backend(available_backends()[0])
    _default, _default_name = backend, wanted
    return backend
