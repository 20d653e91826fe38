"""The one table of backends: each backend's name, runtime module and class, constructor arguments,
compiler target, and what to install when it is missing.

`khal`'s backend names (`khal.Cpu`, `khal.Cuda`, ...), `khal.runtime.select` (`available_backends`,
`default_backend`, `make_backend`, `missing_backend`) and the tests read it; there is no other list of
backend names. Its order is the order of preference (cuda > webgpu > cpu). Adding a backend = one
runtime module + one line here (DESIGN.md, "Targets and backends are plug-ins").

It is data only and imports no runtime module (nor `khal.runtime`): `import khal` and `khal-opt`
read it at start-up without loading a backend or a driver.
"""

from __future__ import annotations

import importlib
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
        install="an NVIDIA GPU with its driver (libcuda.so.1) and `pip install cuda-python`",
    ),
    BackendSpec(
        "webgpu",
        "khal.runtime.webgpu",
        "WebGpu",
        target="webgpu",
        install="`pip install wgpu` and a Vulkan, Metal or D3D12 adapter (on Linux without a GPU: Debian "
        "`apt install mesa-vulkan-drivers libvulkan1`, Mesa's lavapipe CPU driver)",
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
