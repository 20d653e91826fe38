"""khal: write a compute kernel once in Python; run it on WebGPU, CUDA or the CPU.

Importing khal is cheap: the compiler (xDSL, llvmlite) and the GPU drivers load on first use.
"""

from __future__ import annotations

from typing import Any

from khal import _lazy_formats  # noqa: F401 - first: defers xDSL's format parsing (installs on import)
from khal.backends import backend_classes, missing_backend
from khal.errors import BackendUnavailable, CompileError
from khal.kernel import Func, Kernel, func, kernel, struct
from khal.types import (
    Array,
    IVec2,
    IVec3,
    IVec4,
    Mat2,
    Mat3,
    Mat4,
    UVec2,
    UVec3,
    UVec4,
    Vec2,
    Vec3,
    Vec4,
    bool_,
    f16,
    f32,
    f64,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
)

__version__ = "0.1.0"

# Runtime names resolve lazily (PEP 562) so `import khal` loads no runtime module and no driver; the
# backend classes are those of the one backend table (`khal.backends.BACKENDS`, data only).
_BACKEND_CLASSES = backend_classes()
_RUNTIME_NAMES = {
    **_BACKEND_CLASSES,
    "Backend": "khal.runtime.backend",
    "Buffer": "khal.runtime.backend",
    "BufferUsages": "khal.runtime.backend",
    "Submission": "khal.runtime.backend",
    "Workgroups": "khal.runtime.backend",
    "Indirect": "khal.runtime.backend",
    "Timestamps": "khal.runtime.backend",
    "Shader": "khal.runtime.shader",
    "launch": "khal.runtime.launch",
    "default_backend": "khal.runtime.select",
    "available_backends": "khal.runtime.select",
}


def __getattr__(name: str) -> Any:
    if name in _RUNTIME_NAMES:
        import importlib

        path = _RUNTIME_NAMES[name]
        try:
            value = getattr(importlib.import_module(path), name)
        except ImportError as e:
            if name not in _BACKEND_CLASSES:
                raise
            # A backend whose runtime module is not part of this build (or cannot load): constructing
            # it raises BackendUnavailable with what is missing, like any other unavailable backend.
            value = missing_backend(name, "" if e.name == path else str(e))
        globals()[name] = value
        return value
    if name == "std":
        import importlib

        return importlib.import_module("khal.std")
    raise AttributeError(f"module 'khal' has no attribute {name!r}")


__all__ = [
    "Array",
    "BackendUnavailable",
    "CompileError",
    "IVec2",
    "IVec3",
    "IVec4",
    "Mat2",
    "Mat3",
    "Mat4",
    "UVec2",
    "UVec3",
    "UVec4",
    "Vec2",
    "Vec3",
    "Vec4",
    "bool_",
    "f16",
    "f32",
    "f64",
    "i8",
    "i16",
    "i32",
    "i64",
    "u8",
    "u16",
    "u32",
    "u64",
    "__version__",
    "Func",
    "Kernel",
    "func",
    "kernel",
    "struct",
    *_RUNTIME_NAMES,
]
