"""Choosing a backend: `KHAL_BACKEND=cpu|cpu-parallel|cuda|webgpu`, else the best one that works.

The order of preference is cuda > webgpu > cpu. A GPU backend is listed only when its runtime
class exists and can open a device; `default_backend()` never fails over silently from a backend
named in `KHAL_BACKEND`: that one is made or its `BackendUnavailable` is raised.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

from khal.errors import BackendUnavailable
from khal.runtime.backend import Backend

BACKEND_NAMES = ("cpu", "cpu-parallel", "cuda", "webgpu")

# What to install for each GPU backend, said when it is missing.
_GPU_HINTS = {
    "cuda": "an NVIDIA GPU with its driver, `pip install cuda-python`, and khal's CUDA backend "
    "(khal/runtime/cuda.py, not built yet)",
    "webgpu": "`pip install wgpu` with a Vulkan/Metal/D3D12 adapter (on Linux without a GPU: Debian "
    "`mesa-vulkan-drivers libvulkan1`), and khal's WebGPU backend (khal/runtime/webgpu.py, not built yet)",
}


def _gpu_factory(name: str) -> Callable[[], Backend]:
    module, cls = {"cuda": ("khal.runtime.cuda", "Cuda"), "webgpu": ("khal.runtime.webgpu", "WebGpu")}[name]
    try:
        return getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError) as e:
        raise BackendUnavailable(
            f"the {name} backend is unavailable ({e}); it needs {_GPU_HINTS[name]}"
        ) from None


def missing_backend(class_name: str) -> type:
    """A stand-in for a backend class this build lacks: constructing it raises `BackendUnavailable`."""
    name = {"Cuda": "cuda", "WebGpu": "webgpu"}[class_name]

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        raise BackendUnavailable(f"the {name} backend is unavailable; it needs {_GPU_HINTS[name]}")

    return type(class_name, (), {"__init__": __init__, "__doc__": f"The {name} backend (not in this build)."})


def make_backend(name: str) -> Backend:
    """A new backend of the given name; `BackendUnavailable` when it cannot run here."""
    if name == "cpu":
        from khal.runtime.cpu import Cpu

        return Cpu()
    if name == "cpu-parallel":
        from khal.runtime.cpu import Cpu

        return Cpu(parallel=True)
    if name in _GPU_HINTS:
        backend = _gpu_factory(name)()
        return backend
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")


_available: list[str] | None = None


def available_backends() -> list[str]:
    """The names of the backends that work here, GPUs first, e.g. `["cpu", "cpu-parallel"]`."""
    global _available
    if _available is None:
        names = []
        for gpu in ("cuda", "webgpu"):
            try:
                make_backend(gpu)
            except BackendUnavailable:
                continue
            names.append(gpu)
        _available = [*names, "cpu", "cpu-parallel"]
    return list(_available)


_default: Backend | None = None
_default_name: str | None = None


def default_backend() -> Backend:
    """`KHAL_BACKEND`'s backend if set, else the first of cuda > webgpu > cpu that works (made once)."""
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
