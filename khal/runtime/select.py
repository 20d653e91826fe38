"""The backend registry and choosing a backend: `KHAL_BACKEND=cpu|cpu-parallel|cuda|webgpu`, else the best.

`BACKENDS` is the one table of backends: `khal`'s lazy names (`khal.Cpu`, `khal.Cuda`, ...),
`available_backends`, `default_backend`, `make_backend`, `missing_backend` and the tests read it;
no other list of backend names exists. Its order is the order of preference (cuda > webgpu > cpu).
A backend is listed as available only when its runtime module imports and it can open a device;
`default_backend()` never fails over silently from a backend named in `KHAL_BACKEND`: that one is
made or its `BackendUnavailable` is raised. This module imports no runtime module until a backend
is made, so `import khal` loads no driver.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from khal.errors import BackendUnavailable

if TYPE_CHECKING:
    from khal.runtime.backend import Backend

_NO_KWARGS: Mapping[str, Any] = MappingProxyType({})


class BackendSpec:
    """One registered backend: where its class lives, how to make it, and what it needs.

    (A plain class: a dataclass or NamedTuple would cost a millisecond of `import khal`.)
    """

    __slots__ = ("name", "module", "cls", "target", "install", "kwargs")

    def __init__(
        self,
        name: str,
        module: str,
        cls: str,
        *,
        target: str,
        install: str,
        kwargs: Mapping[str, Any] = _NO_KWARGS,
    ):
        self.name = name  # `backend.name` and the `KHAL_BACKEND` spelling
        self.module = module  # the runtime module defining the class
        self.cls = cls  # the class, also the name `khal` exports it under
        self.target = target  # the compiler target its kernels are built for (`khal.targets`)
        self.install = install  # what to install when it is missing; "" if it always works (not probed)
        self.kwargs = kwargs  # constructor arguments

    def __repr__(self) -> str:
        return f"<backend {self.name}: {self.module}.{self.cls}(**{dict(self.kwargs)}), target {self.target}>"

    def load(self) -> type[Backend]:
        """The backend class; `BackendUnavailable` (saying what to install) when it cannot be imported."""
        try:
            return getattr(importlib.import_module(self.module), self.cls)
        except (ImportError, AttributeError) as e:
            raise self.unavailable(str(e)) from None

    def unavailable(self, why: str = "") -> BackendUnavailable:
        """The error that says this backend cannot run here and what it needs."""
        because = f" ({why})" if why else ""
        return BackendUnavailable(f"the {self.name} backend is unavailable{because}; it needs {self.install}")


BACKENDS: tuple[BackendSpec, ...] = (
    BackendSpec(
        "cuda",
        "khal.runtime.cuda",
        "Cuda",
        target="cuda",
        install="an NVIDIA GPU with its driver, `pip install cuda-python`, and khal's CUDA backend "
        "(khal/runtime/cuda.py, not built yet)",
    ),
    BackendSpec(
        "webgpu",
        "khal.runtime.webgpu",
        "WebGpu",
        target="spirv",
        install="`pip install wgpu` with a Vulkan/Metal/D3D12 adapter (on Linux without a GPU: Debian "
        "`mesa-vulkan-drivers libvulkan1`), and khal's WebGPU backend "
        "(khal/runtime/webgpu.py, not built yet)",
    ),
    BackendSpec("cpu", "khal.runtime.cpu", "Cpu", target="cpu", install=""),
    BackendSpec(
        "cpu-parallel",
        "khal.runtime.cpu",
        "Cpu",
        target="cpu",
        install="",
        kwargs=MappingProxyType({"parallel": True}),
    ),
)

BACKEND_NAMES = tuple(spec.name for spec in BACKENDS)


def backend_spec(name: str) -> BackendSpec:
    """The registry entry of backend `name`; `ValueError` naming the choices when there is none."""
    for spec in BACKENDS:
        if spec.name == name:
            return spec
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")


def backend_classes() -> dict[str, str]:
    """Each registered backend class's name -> its module (what `khal` exports lazily)."""
    return {spec.cls: spec.module for spec in BACKENDS}


def missing_backend(class_name: str, why: str = "") -> type:
    """A stand-in for a backend class this build lacks: constructing it raises `BackendUnavailable`."""
    spec = next(s for s in BACKENDS if s.cls == class_name)

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        raise spec.unavailable(why)

    doc = f"The {spec.name} backend (not in this build: it needs {spec.install})."
    return type(class_name, (), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


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
