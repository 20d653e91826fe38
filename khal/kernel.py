"""`@khal.kernel`, `@khal.func` and `@khal.struct`: the objects users decorate with.

Compilation is lazy: decorating parses nothing. The frontend runs on the first `.module()`/`.ir()`
(or compile by a backend), and its output is cached as text, keyed by `cache_key()`.
`cache_key()` and `params` never import xDSL, so a runtime cache hit stays cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from khal.frontend.source import (
    FunctionSource,
    free_names,
    function_source,
    is_constant,
    remember_scope,
    resolve_chain,
)
from khal.types import KhalType, StructType, as_khal_type, struct_type_of

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp


@dataclass(frozen=True)
class Param:
    """A kernel or device-function parameter: its name and its khal type."""

    name: str
    type: KhalType


def annotation_value(src: FunctionSource, annotation: Any) -> Any:
    """An annotation's value; strings are evaluated where the function was defined."""
    if isinstance(annotation, str):
        scope = {**src.def_locals, **src.closure}
        return eval(annotation, dict(src.globals), scope)  # noqa: S307 - the user's own annotation
    return annotation


def read_params(src: FunctionSource, what: str) -> list[Param]:
    """The annotated parameters of a kernel or device function; CompileError when one is missing."""
    args = src.tree.args
    for bad, label in ((args.vararg, "*args"), (args.kwarg, "**kwargs")):
        if bad is not None:
            raise src.error(bad, f"{label} is not supported in a {what}; list each parameter")
    if args.kwonlyargs or args.posonlyargs:
        node = (args.kwonlyargs or args.posonlyargs)[0]
        raise src.error(node, f"keyword-only and positional-only parameters are not supported in a {what}")
    if args.defaults:
        raise src.error(args.defaults[0], f"default parameter values are not supported in a {what}")
    annotations = getattr(src.pyfunc, "__annotations__", {})
    params: list[Param] = []
    for arg in args.args:
        if arg.arg not in annotations:
            raise src.error(arg, f"parameter '{arg.arg}' needs a type annotation (e.g. `{arg.arg}: f32`)")
        try:
            value = annotation_value(src, annotations[arg.arg])
        except Exception as e:
            raise src.error(arg.annotation, f"cannot evaluate the annotation of '{arg.arg}': {e}") from None
        t = as_khal_type(value)
        if t is None:
            raise src.error(
                arg.annotation,
                f"annotation {value!r} of '{arg.arg}' is not a khal type (f32, Vec3, Array[T], ...)",
            )
        params.append(Param(arg.arg, t))
    return params


def _hash_function(src: FunctionSource, h: Any, seen: set[int]) -> None:
    """Feed the source of `src` and of every func/struct/constant it reaches into `h`."""
    h.update(src.text.encode())
    for chain in free_names(src.tree):
        found, value = resolve_chain(src, chain)
        if not found:
            continue
        key = ".".join(chain)
        if isinstance(value, Func):
            if id(value) not in seen:
                seen.add(id(value))
                h.update(f"func {key}\n".encode())
                _hash_function(function_source(value.pyfunc), h, seen)
        elif isinstance(getattr(value, "__khal_struct__", None), StructType):
            if id(value) not in seen:
                seen.add(id(value))
                h.update(f"struct {key} {_describe_type(value.__khal_struct__)}\n".encode())
        elif is_constant(value) or isinstance(value, KhalType):
            h.update(f"const {key}={value!r}\n".encode())


def _describe_type(t: KhalType) -> str:
    """A type spelled out in full (nested struct fields included), for cache keys."""
    if isinstance(t, StructType):
        return f"{t.name}{{" + ", ".join(f"{n}: {_describe_type(ft)}" for n, ft in t.fields) + "}"
    return repr(t)


class Func:
    """A `@khal.func` device function, callable from kernels and other device functions."""

    def __init__(self, pyfunc: Callable[..., Any]):
        self.pyfunc = pyfunc
        self.name: str = pyfunc.__name__
        self.__doc__ = pyfunc.__doc__
        self.__wrapped__ = pyfunc

    def source(self) -> FunctionSource:
        """The parsed source (lazy, cached)."""
        return function_source(self.pyfunc)

    def ir(self) -> str:
        """The `func.func` of this function (and of the functions it calls), as khal dialect text."""
        from khal.frontend.compiler import compile_func

        return str(compile_func(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"@khal.func {self.name} can only be called from a kernel or another @khal.func")

    def __repr__(self) -> str:
        return f"<khal.func {self.name}>"


class Kernel:
    """A `@khal.kernel`: a compute entry point compiled on first use."""

    def __init__(self, pyfunc: Callable[..., Any], workgroup_size: int | tuple[int, ...] = 64):
        self.pyfunc = pyfunc
        self.name: str = pyfunc.__name__
        self.workgroup_size: tuple[int, int, int] = _workgroup_size(workgroup_size)
        self.__doc__ = pyfunc.__doc__
        self.__wrapped__ = pyfunc
        self._params: list[Param] | None = None
        self._module_text: dict[str, str] = {}  # printed on first `ir()`: a compile needs no text
        self._modules: dict[str, ModuleOp] = {}  # pristine frontend output per cache key, cloned on use

    def source(self) -> FunctionSource:
        """The parsed source (lazy, cached)."""
        return function_source(self.pyfunc)

    @property
    def params(self) -> list[Param]:
        """The parameters, from the annotations (cached)."""
        if self._params is None:
            self._params = read_params(self.source(), "kernel")
        return self._params

    def cache_key(self) -> str:
        """A sha256 over everything the compiled kernel depends on.

        That is: the kernel's source, the source of every khal.func/struct it reaches, the values of
        the compile-time constants it reads, the workgroup size and the khal version.
        """
        import khal

        h = hashlib.sha256()
        h.update(f"khal {khal.__version__} kernel {self.name} wg {self.workgroup_size}\n".encode())
        _hash_function(self.source(), h, set())
        return h.hexdigest()

    def module(self) -> ModuleOp:
        """A fresh, verified `builtin.module` holding this kernel (the frontend's output)."""
        key = self.cache_key()
        pristine = self._modules.get(key)
        if pristine is None:
            from khal.frontend.compiler import compile_kernel

            pristine = compile_kernel(self)
            self._modules[key] = pristine
        # A clone, not a re-parse of the text: it keeps the ops' source locations (which pass errors
        # point at) and is about 10x faster than parsing.
        return pristine.clone()

    def ir(self, target: str | None = None, stage: str | None = None) -> str:
        """The khal dialect text (target None), or the IR at `stage` of `target`'s pipeline."""
        if target is None:
            key = self.cache_key()
            if key not in self._module_text:
                self.module()
                self._module_text[key] = str(self._modules[key])
            return self._module_text[key]
        from khal.compiler import ir_at

        return ir_at(self, target, stage)

    def llvm_ir(self, target: str = "cpu") -> str:
        """The LLVM IR text for `target` ("cpu" or "cuda")."""
        from khal.compiler import llvm_ir

        return llvm_ir(self, target)

    def spirv(self) -> bytes:
        """The SPIR-V module (binary)."""
        from khal.compiler import spirv

        return spirv(self)

    def ptx(self) -> str:
        """The PTX assembly."""
        from khal.compiler import ptx

        return ptx(self)

    def call(self, pass_: Any, grid: Any, *args: Any) -> Any:
        """Record a dispatch on a compute pass (`grid`: invocation count, Workgroups or Indirect)."""
        try:
            return pass_.dispatch(self, grid, args)
        except AttributeError:
            if hasattr(pass_, "dispatch"):
                raise  # from inside dispatch: not ours to rename
            raise TypeError(
                f"{self.name}.call() takes a compute pass first (encoder.begin_pass(...)), "
                f"got {type(pass_).__name__}"
            ) from None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            f"kernel {self.name} is compiled, not called: "
            f"use {self.name}.call(pass, grid, *args) or khal.launch"
        )

    def __repr__(self) -> str:
        return f"<khal.kernel {self.name} workgroup_size={self.workgroup_size}>"


def _workgroup_size(size: Any) -> tuple[int, int, int]:
    if isinstance(size, int) and not isinstance(size, bool):
        size = (size,)
    if not isinstance(size, tuple | list) or not 1 <= len(size) <= 3:
        raise TypeError(f"workgroup_size must be an int or a tuple of 1-3 ints, not {size!r}")
    dims = [int(s) for s in size] + [1] * (3 - len(size))
    if any(d <= 0 for d in dims):
        raise ValueError(f"workgroup_size must be positive, not {size!r}")
    return dims[0], dims[1], dims[2]


@overload
def kernel(fn: Callable[..., Any], /) -> Kernel: ...
@overload
def kernel(*, workgroup_size: int | tuple[int, ...] = 64) -> Callable[[Callable[..., Any]], Kernel]: ...


def kernel(fn: Callable[..., Any] | None = None, /, *, workgroup_size: int | tuple[int, ...] = 64) -> Any:
    """Declare a compute kernel: `@khal.kernel` or `@khal.kernel(workgroup_size=(8, 8))`."""
    if fn is not None:
        remember_scope(fn, 1)
        return Kernel(fn, workgroup_size)
    _workgroup_size(workgroup_size)  # report a bad size at the decorator

    def decorate(f: Callable[..., Any]) -> Kernel:
        remember_scope(f, 1)
        return Kernel(f, workgroup_size)

    return decorate


def func(fn: Callable[..., Any]) -> Func:
    """Declare a device function callable from kernels and other device functions."""
    remember_scope(fn, 1)
    return Func(fn)


def struct(cls: type) -> type:
    """Declare a struct usable as an `Array[...]` element, a parameter, a local or a field.

    Adds `__khal_struct__` (its StructType), `dtype` (numpy's aligned structured dtype) and `ir()`.
    """
    st = struct_type_of(cls)
    cls.__khal_struct__ = st  # type: ignore[attr-defined]
    cls.dtype = st.dtype  # type: ignore[attr-defined]

    def ir() -> str:
        """The struct's IR type, `!khal.struct<...>`."""
        from khal.frontend.types import ir_type

        return str(ir_type(st))

    cls.ir = staticmethod(ir)  # type: ignore[attr-defined]
    return cls


__all__ = ["Func", "Kernel", "Param", "func", "kernel", "struct"]
