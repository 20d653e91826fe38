"""IR definitions: the `khal` dialect and khal's extension of xDSL's `llvm` (later, the SPIR-V subset).

`context()` is the one xDSL context factory of khal: the driver and `khal-opt` both start from it.
It knows every dialect a pipeline meets, each registered by name and loaded only when a parser or
a pass first asks for it. Importing this package imports no xDSL.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xdsl.context import Context
    from xdsl.ir import Dialect

DIALECTS: dict[str, tuple[str, str]] = {
    "builtin": ("xdsl.dialects.builtin", "Builtin"),
    # xDSL's arith plus `arith.remf` (MLIR's fmod), which it lacks.
    "arith": ("khal.dialects.arith_ext", "ArithExtended"),
    "math": ("xdsl.dialects.math", "Math"),
    "scf": ("xdsl.dialects.scf", "Scf"),
    "cf": ("xdsl.dialects.cf", "Cf"),
    "func": ("xdsl.dialects.func", "Func"),
    "vector": ("xdsl.dialects.vector", "Vector"),
    # xDSL's llvm plus the ops its translator lacks (fptosi, atomics, fence, ...): what khal emits.
    "llvm": ("khal.dialects.llvm_ext", "LLVMExtended"),
    "khal": ("khal.dialects.khal", "Khal"),
}
"""name -> (module, attribute) of every dialect khal's pipelines meet."""


def dialect_factory(name: str) -> Callable[[], Dialect]:
    """A factory that imports dialect `name` of `DIALECTS` when called."""
    module, attr = DIALECTS[name]
    return lambda: getattr(importlib.import_module(module), attr)


def context(ctx: Context | None = None) -> Context:
    """An xDSL context knowing every dialect of `DIALECTS` (lazily); `ctx` is filled in if given.

    Names `ctx` already knows are left alone: a tool that wants khal's `llvm` (so that IR the LLVM
    lowering printed parses back) calls this before registering xDSL's other dialects.
    """
    from xdsl.context import Context

    if ctx is None:
        ctx = Context()
    for name in DIALECTS:
        if name not in ctx.registered_dialect_names:
            ctx.register_dialect(name, dialect_factory(name))
    return ctx
