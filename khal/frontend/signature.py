"""A kernel's or device function's signature: its annotated parameters (no xDSL).

The frontend owns this, not `khal/kernel.py`, so that the kernel objects import the frontend
(lazily) and the frontend never imports them back: it recognises them by their marker attributes
(`__khal_kernel__`, `__khal_func__`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khal.frontend.source import FunctionSource
from khal.types import KhalType, as_khal_type


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


def is_func(obj: Any) -> bool:
    """Whether `obj` is a `@khal.func` device function (by its marker, without importing it)."""
    return getattr(type(obj), "__khal_func__", False) is True


def is_kernel(obj: Any) -> bool:
    """Whether `obj` is a `@khal.kernel` (by its marker)."""
    return getattr(type(obj), "__khal_kernel__", False) is True


__all__ = ["Param", "annotation_value", "is_func", "is_kernel", "read_params"]
