"""`khal.Shader`: a class whose attributes are kernels, compiled together for one backend.

class GpuKernels(khal.Shader):
    add_assign = add_assign

kernels = GpuKernels.from_backend(backend)   # compiles (or loads from the cache) each kernel once
kernels.add_assign.call(p, n, a, b)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from khal.runtime.backend import Backend, ComputePass, LaunchPlan


class BoundKernel:
    """A kernel with its launch plan on one backend: `call` skips every lookup."""

    __slots__ = ("kernel", "backend", "plan")

    def __init__(self, kernel: Any, backend: Backend, plan: LaunchPlan):
        self.kernel = kernel
        self.backend = backend
        self.plan = plan

    @property
    def name(self) -> str:
        """The kernel's name."""
        return self.kernel.name

    @property
    def params(self) -> Sequence[Any]:
        """The kernel's parameters."""
        return self.kernel.params

    def call(self, pass_: ComputePass, grid: Any, *args: Any) -> None:
        """Record a dispatch on `pass_` (which must belong to this kernel's backend)."""
        try:
            backend = pass_.encoder.backend
        except AttributeError:
            raise TypeError(
                f"{self.kernel.name}.call() takes a compute pass first (encoder.begin_pass(...)), "
                f"got {type(pass_).__name__}"
            ) from None
        if backend is not self.backend:
            raise ValueError(
                f"{self.kernel.name} was compiled for backend {self.backend.name!r}, but the pass "
                f"belongs to {pass_.encoder.backend.name!r}"
            )
        pass_.dispatch(self.kernel, grid, args, self.plan)

    def __repr__(self) -> str:
        return f"<{self.kernel.name} on {self.backend.name}>"


class Shader:
    """Base class of a set of kernels: subclass it with kernels as class attributes."""

    backend: Backend

    @classmethod
    def kernels(cls) -> dict[str, Any]:
        """The kernels declared on the class (and its bases), by attribute name."""
        from khal.kernel import Kernel

        found: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Kernel):
                    found[name] = value
        return found

    @classmethod
    def from_backend(cls, backend: Backend) -> Shader:
        """An instance whose attributes are the kernels bound to `backend`, each compiled once."""
        if not isinstance(backend, Backend):
            raise TypeError(f"from_backend takes a khal backend, got {type(backend).__name__}")
        kernels = cls.kernels()
        if not kernels:
            raise TypeError(f"{cls.__name__} declares no kernels (class attributes made with @khal.kernel)")
        self = object.__new__(cls)
        self.backend = backend
        for name, kernel in kernels.items():
            setattr(self, name, BoundKernel(kernel, backend, backend._plan(kernel)))
        return self
