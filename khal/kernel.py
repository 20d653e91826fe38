"""`@khal.kernel`, `@khal.func` and `@khal.struct`: the objects users decorate with.

Compilation is lazy: decorating parses nothing. The frontend runs on the first `.module()`/`.ir()`
(or compile by a backend), and its output is cached as text, keyed by `cache_key()`.
`cache_key()` and `params` never import xDSL, so a runtime cache hit stays cheap.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import operator
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

from khal.targets import DEFAULT_TARGET
from khal.types import KhalType, StructType, struct_type_of

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp

    from khal.frontend.signature import Param
    from khal.frontend.source import FunctionSource

# The invocations of one workgroup that every target runs (CUDA, Vulkan and Metal devices all
# allow 1024; many WebGPU adapters allow only 256, which their backend checks when it plans).
MAX_WORKGROUP_INVOCATIONS = 1024
# The largest z extent every target allows (CUDA and WebGPU's default limit: 64).
MAX_WORKGROUP_Z = 64


def __getattr__(name: str) -> Any:
    # `Param` moved to the frontend (khal.frontend.signature); the old spelling keeps working.
    if name == "Param":
        from khal.frontend.signature import Param

        return Param
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_MISSING = object()

Watch = tuple[Any, str, tuple[str, ...], Any]
"""Where a name a compiled kernel depends on was found, and its value then: (namespace, name,
attribute chain, value). The namespace is a dict (module globals, builtins, the defining scope) or
a closure cell."""


def _watch(src: FunctionSource, chain: tuple[str, ...], value: Any) -> Watch:
    """A watch on `chain` as `src` resolved it (`resolve_chain`'s lookup order) to `value`."""
    name = chain[0]
    code = src.pyfunc.__code__
    if name in code.co_freevars and src.pyfunc.__closure__:
        namespace: Any = src.pyfunc.__closure__[code.co_freevars.index(name)]
    elif name in src.def_locals:
        namespace = src.def_locals
    elif name in src.globals:
        namespace = src.globals
    else:
        namespace = vars(builtins)
    return namespace, name, chain[1:], value


def _current(watch: Watch) -> Any:
    """What the watched name resolves to now (`_MISSING` when it no longer does)."""
    namespace, name, attrs, _ = watch
    if isinstance(namespace, dict):
        value = namespace.get(name, _MISSING)  # pyright: ignore[reportUnknownMemberType]
    else:
        try:
            value = namespace.cell_contents
        except ValueError:  # an emptied cell
            return _MISSING
    for attr in attrs:
        if not isinstance(value, types.ModuleType) and not hasattr(value, "__khal_struct__"):
            break
        value = getattr(value, attr, _MISSING)
    return value


def unchanged(watches: list[Watch]) -> bool:
    """True when every watched name still resolves to the very object it did (identity: cheap)."""
    return all(_current(w) is w[3] for w in watches)


def _hash_function(src: FunctionSource, h: Any, seen: set[int], watches: list[Watch]) -> None:
    """Feed the source of `src` and of every func/struct/constant it reaches into `h`.

    Each name whose value went into `h` is appended to `watches`, so that a changed binding (a
    module constant set to a new value, a `khal.func` redefined) can be noticed without hashing again.
    """
    from khal.frontend.source import free_names, function_source, is_constant, resolve_chain

    h.update(src.text.encode())
    for chain in free_names(src.tree):
        found, value = resolve_chain(src, chain)
        if not found:
            continue
        key = ".".join(chain)
        if isinstance(value, Func):
            watches.append(_watch(src, chain, value))
            if id(value) not in seen:
                seen.add(id(value))
                h.update(f"func {key}\n".encode())
                _hash_function(function_source(value.pyfunc), h, seen, watches)
        elif isinstance(getattr(value, "__khal_struct__", None), StructType):
            watches.append(_watch(src, chain, value))
            if id(value) not in seen:
                seen.add(id(value))
                h.update(f"struct {key} {_describe_type(value.__khal_struct__)}\n".encode())
        elif is_constant(value) or isinstance(value, KhalType):
            watches.append(_watch(src, chain, value))
            h.update(f"const {key}={value!r}\n".encode())


def _describe_type(t: KhalType) -> str:
    """A type spelled out in full (nested struct fields included), for cache keys."""
    if isinstance(t, StructType):
        return f"{t.name}{{" + ", ".join(f"{n}: {_describe_type(ft)}" for n, ft in t.fields) + "}"
    return repr(t)


class Func:
    """A `@khal.func` device function, callable from kernels and other device functions.

    It looks like the function it wraps (`__name__`, `__qualname__`, `__doc__`, `__module__`,
    `__wrapped__`), and the frontend recognises it by `__khal_func__`, without importing this module.
    """

    __khal_func__ = True

    def __init__(self, pyfunc: Callable[..., Any]):
        self.pyfunc = pyfunc
        self.name: str = pyfunc.__name__
        functools.update_wrapper(self, pyfunc)

    def source(self) -> FunctionSource:
        """The parsed source (lazy, cached)."""
        from khal.frontend.source import function_source

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
    """A `@khal.kernel`: a compute entry point compiled on first use.

    It looks like the function it wraps (`__name__`, `__qualname__`, `__doc__`, `__module__`,
    `__wrapped__`); the frontend recognises it by `__khal_kernel__`.
    """

    __khal_kernel__ = True

    def __init__(self, pyfunc: Callable[..., Any], workgroup_size: int | tuple[int, ...] = 64):
        from khal.frontend.source import ascii_name

        self.pyfunc = pyfunc
        # The IR symbol (ASCII: `def 核` is `_u6838`); `__name__` stays the Python name.
        self.name: str = ascii_name(pyfunc.__name__)
        self.workgroup_size: tuple[int, int, int] = _workgroup_size(workgroup_size)
        functools.update_wrapper(self, pyfunc)
        self._params: list[Param] | None = None
        self._module_text: dict[str, str] = {}  # printed on first `ir()`: a compile needs no text
        self._modules: dict[str, ModuleOp] = {}  # pristine frontend output per cache key, cloned on use

    def source(self) -> FunctionSource:
        """The parsed source (lazy, cached)."""
        from khal.frontend.source import function_source

        return function_source(self.pyfunc)

    @property
    def params(self) -> list[Param]:
        """The parameters, from the annotations (cached)."""
        if self._params is None:
            from khal.frontend.signature import read_params

            self._params = read_params(self.source(), "kernel")
        return self._params

    def cache_key(self) -> str:
        """A sha256 over everything the compiled kernel depends on.

        That is: the kernel's source, the source of every khal.func/struct it reaches, the values of
        the compile-time constants it reads, the workgroup size and the khal version. The rule for a
        changed constant or a redefined func is: the next use sees it (see docs/language.md). The key
        is kept with the bindings it was computed from, and computed again only when one of them now
        names another object: a few dict lookups per call.
        """
        try:  # inlined: this runs on every call of the kernel
            key, plain, other = self._key_memo
            for namespace, name, value in plain:
                if namespace.get(name, _MISSING) is not value:
                    break
            else:
                if not other or unchanged(other):
                    return key
        except AttributeError:  # not computed yet
            pass
        import khal

        h = hashlib.sha256()
        h.update(f"khal {khal.__version__} kernel {self.name} wg {self.workgroup_size}\n".encode())
        watches: list[Watch] = []
        _hash_function(self.source(), h, set(), watches)
        key = h.hexdigest()
        # Plain names in a dict (module globals: nearly all of them) are checked with one lookup each.
        plain = {(id(w[0]), w[1]): (w[0], w[1], w[3]) for w in watches if isinstance(w[0], dict) and not w[2]}
        other = [w for w in watches if not (isinstance(w[0], dict) and not w[2])]
        # One assignment: a thread checking meanwhile sees the old memo or the new one, never a mix.
        self._key_memo = (key, tuple(plain.values()), other)
        return key

    def module(self) -> ModuleOp:
        """A fresh, verified `builtin.module` holding this kernel (the frontend's output)."""
        key = self.cache_key()
        pristine = self._modules.get(key)
        if pristine is None:
            from khal.frontend.compiler import compile_kernel

            pristine = compile_kernel(self)
            self._modules[key] = pristine
        from khal.frontend.compiler import deep_recursion

        # A clone, not a re-parse of the text: it keeps the ops' source locations (which pass errors
        # point at) and is about 10x faster than parsing. Cloning recurses once per nested region.
        with deep_recursion():
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

    def asm(self, target: str, stage: str) -> str | bytes:
        """The output of `stage` of `target` (e.g. its LLVM IR, PTX or SPIR-V): str, or bytes if binary."""
        from khal.compiler import asm

        return asm(self, target, stage)

    def llvm_ir(self, target: str = DEFAULT_TARGET) -> str:
        """The LLVM IR that runs on `target` (the stage that target names as its LLVM IR)."""
        from khal.compiler import llvm_ir

        return llvm_ir(self, target)

    def spirv(self) -> bytes:
        """The SPIR-V module (binary): `asm("webgpu", "spirv")`."""
        out = self.asm("webgpu", "spirv")
        assert isinstance(out, bytes)
        return out

    def ptx(self) -> str:
        """The PTX assembly: `asm("cuda", "ptx")`."""
        out = self.asm("cuda", "ptx")
        assert isinstance(out, str)
        return out

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
    """The (x, y, z) size, checked against what every target shares (TypeError/ValueError)."""
    if _is_int(size):
        size = (size,)
    if not isinstance(size, tuple | list) or not 1 <= len(size) <= 3:
        raise TypeError(f"workgroup_size must be an int or a tuple of 1-3 ints, not {size!r}")
    if not all(_is_int(s) for s in size):
        raise TypeError(f"workgroup_size must hold ints only, not {size!r}")
    dims = [operator.index(s) for s in size] + [1] * (3 - len(size))
    if any(d < 1 for d in dims):
        raise ValueError(f"each workgroup_size dimension must be >= 1, not {tuple(size)!r}")
    total = dims[0] * dims[1] * dims[2]
    if total > MAX_WORKGROUP_INVOCATIONS:
        raise ValueError(
            f"workgroup_size {tuple(size)!r} has {total} invocations; a workgroup holds at most "
            f"{MAX_WORKGROUP_INVOCATIONS} on every target"
        )
    if dims[2] > MAX_WORKGROUP_Z:
        raise ValueError(f"workgroup_size z = {dims[2]} exceeds {MAX_WORKGROUP_Z}, the limit of every target")
    return dims[0], dims[1], dims[2]


def _is_int(value: Any) -> bool:
    """An int (or numpy integer), not a bool."""
    if isinstance(value, bool):
        return False
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


@overload
def kernel(fn: Callable[..., Any], /) -> Kernel: ...
@overload
def kernel(*, workgroup_size: int | tuple[int, ...] = 64) -> Callable[[Callable[..., Any]], Kernel]: ...


def kernel(fn: Callable[..., Any] | None = None, /, *, workgroup_size: int | tuple[int, ...] = 64) -> Any:
    """Declare a compute kernel: `@khal.kernel` or `@khal.kernel(workgroup_size=(8, 8))`.

    A positional argument other than the function (`@khal.kernel(64)`) is a TypeError: in numba
    and Warp a positional decorator argument is a signature, so khal asks for the keyword.
    """
    from khal.frontend.source import remember_scope

    if fn is not None:
        if not callable(fn):
            raise TypeError(
                f"@khal.kernel takes the workgroup size as a keyword: write "
                f"@khal.kernel(workgroup_size={fn!r}), not @khal.kernel({fn!r})"
            )
        remember_scope(fn, 1)
        return Kernel(fn, workgroup_size)
    _workgroup_size(workgroup_size)  # report a bad size at the decorator

    def decorate(f: Callable[..., Any]) -> Kernel:
        remember_scope(f, 1)
        return Kernel(f, workgroup_size)

    return decorate


def func(fn: Callable[..., Any]) -> Func:
    """Declare a device function callable from kernels and other device functions."""
    from khal.frontend.source import remember_scope

    if not callable(fn):
        raise TypeError(f"@khal.func decorates a function, not {fn!r}")
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


__all__ = ["MAX_WORKGROUP_INVOCATIONS", "Func", "Kernel", "func", "kernel", "struct"]
