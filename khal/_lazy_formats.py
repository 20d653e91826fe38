"""Parse xDSL's declarative assembly formats on first use, not when a dialect is imported.

xDSL 0.74 parses every operation's `assembly_format` string while defining its class
(`irdl_op_definition` -> `FormatProgram.from_str`): about 180 formats for the dialects a compile
loads, a third of a cold compile's time (`benchmarks/cuda.py`'s cold-compile row). A compile never
prints or parses most of those operations in their custom form, so khal defers each format's parse to
its first `parse`/`print`. Installed by `import khal`, before any xDSL dialect is defined: a
meta-path hook patches `xdsl.irdl.declarative_assembly_format` the moment it is first imported, so
`import khal` itself loads nothing of xDSL.

The cost: a malformed format in a dialect is reported on first use of that op's custom syntax, not
at import (xDSL's own dialects are tested upstream; khal's by the filecheck tests, which print them).
`KHAL_EAGER_FORMATS=1` turns this off.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from types import ModuleType
from typing import Any

MODULE = "xdsl.irdl.declarative_assembly_format"


class LazyFormatProgram:
    """Stands in for a `FormatProgram` until its first use, then parses the format and delegates."""

    __slots__ = ("_source", "_op_def", "_program", "_from_str")

    def __init__(self, from_str: Any, source: str, op_def: Any) -> None:
        self._from_str = from_str
        self._source = source
        self._op_def = op_def
        self._program: Any = None

    def program(self) -> Any:
        if self._program is None:
            self._program = self._from_str(self._source, self._op_def)
        return self._program

    def parse(self, parser: Any, op_type: Any) -> Any:
        return self.program().parse(parser, op_type)

    def print(self, printer: Any, op: Any) -> Any:
        return self.program().print(printer, op)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.program(), name)


def patch(module: ModuleType) -> None:
    """Make `module.FormatProgram.from_str` lazy (idempotent)."""
    program = module.FormatProgram
    if getattr(program.from_str, "_khal_lazy", False):
        return
    eager = program.from_str

    def from_str(source: str, op_def: Any) -> Any:
        return LazyFormatProgram(eager, source, op_def)

    from_str._khal_lazy = True  # type: ignore[attr-defined]
    program.from_str = staticmethod(from_str)


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        patch(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Any, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    if os.environ.get("KHAL_EAGER_FORMATS") == "1":
        return
    if MODULE in sys.modules:  # xDSL's dialects came first: later ones still benefit
        patch(sys.modules[MODULE])
    elif not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


install()
