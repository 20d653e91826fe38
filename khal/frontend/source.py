"""Reading a Python function's source: its AST with file line numbers, and its compile-time names.

Nothing here imports xDSL: `Kernel.cache_key()` and `Kernel.params` use it on the fast path.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import sys
import types
import weakref
from dataclasses import dataclass, field
from typing import Any

from khal.errors import CompileError, located_error


@dataclass
class FunctionSource:
    """A parsed function: its `ast.FunctionDef` with real file lines, and where it came from.

    Column offsets in the AST are the file's own (the source is parsed undedented); `indent` is
    added when reporting, for a FunctionSource built from dedented text.
    """

    pyfunc: Any
    filename: str
    text: str
    tree: ast.FunctionDef
    indent: int
    globals: dict[str, Any] = field(default_factory=dict)
    closure: dict[str, Any] = field(default_factory=dict)
    facts: dict[int, Any] = field(default_factory=dict)  # per statement, memoised by the frontend
    def_locals: dict[str, Any] = field(default_factory=dict)  # the defining scope's locals
    locations: dict[tuple[int, int], Any] = field(default_factory=dict)  # (line, col) -> FileLineColLoc

    def error(self, node: ast.AST | None, message: str) -> CompileError:
        """A CompileError located at `node` (file:line:col with the source line and a caret)."""
        line = getattr(node, "lineno", None) or self.tree.lineno
        col0 = getattr(node, "col_offset", None)
        col0 = self.tree.col_offset if col0 is None else col0
        end_col0 = getattr(node, "end_col_offset", None)
        if getattr(node, "end_lineno", line) != line:
            end_col0 = None
        col = col0 + self.indent + 1
        end_col = end_col0 + self.indent + 1 if end_col0 is not None else None
        return located_error(message, self.filename, line, col, end_col)

    def column(self, node: ast.AST) -> int:
        """The 1-based column of `node` in its file (the AST's columns are relative to the dedented text)."""
        return node.col_offset + self.indent + 1  # type: ignore[attr-defined]

    def lookup(self, name: str) -> tuple[bool, Any]:
        """Resolve a free name like Python does: closure, defining scope, module globals, builtins."""
        if name in self.closure:
            return True, self.closure[name]
        if name in self.def_locals:  # only string annotations can reach these (body names are closures)
            return True, self.def_locals[name]
        if name in self.globals:
            return True, self.globals[name]
        if hasattr(builtins, name):
            return True, getattr(builtins, name)
        return False, None


# The local variables of the scope each kernel/func was defined in (a function body, say), so that
# string annotations (`from __future__ import annotations`) can name a struct defined next to it.
_DEF_LOCALS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def remember_scope(fn: Any, depth: int) -> None:
    """Record the locals of the caller `depth` frames up, if it is a function (called by decorators)."""
    frame = sys._getframe(depth + 1)
    if frame.f_locals is not frame.f_globals:
        _DEF_LOCALS[fn] = dict(frame.f_locals)


_SOURCE_CACHE: weakref.WeakKeyDictionary[Any, FunctionSource] = weakref.WeakKeyDictionary()


def function_source(pyfunc: Any) -> FunctionSource:
    """Parse `pyfunc` (cached per function object; closure values are re-read on each call)."""
    cached = _SOURCE_CACHE.get(pyfunc)
    if cached is None:
        cached = _parse(pyfunc)
        _SOURCE_CACHE[pyfunc] = cached
    cached.closure = _closure_values(pyfunc)
    cached.globals = pyfunc.__globals__
    cached.def_locals = _DEF_LOCALS.get(pyfunc, {})
    return cached


def _closure_values(pyfunc: Any) -> dict[str, Any]:
    code = pyfunc.__code__
    values: dict[str, Any] = {}
    for name, cell in zip(code.co_freevars, pyfunc.__closure__ or (), strict=False):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # an empty cell: the name is assigned later in the enclosing scope
            pass
    return values


def _parse(pyfunc: Any) -> FunctionSource:
    filename = inspect.getsourcefile(pyfunc) or pyfunc.__code__.co_filename
    try:
        lines, first = inspect.getsourcelines(pyfunc)
    except (OSError, TypeError) as e:
        raise CompileError(
            f"cannot read the source of {pyfunc.__qualname__}: khal compiles Python source, so the "
            "function must be defined in a file",
            filename,
            pyfunc.__code__.co_firstlineno,
            1,
        ) from e
    text = "".join(lines)
    # A function defined inside another is indented. Dedenting the text would fail on a line at
    # column 0 inside it (a backslash continuation, a multi-line string), so the text is parsed as
    # it stands, as the body of an `if` block: the AST's columns are then the file's own.
    nested = lines[0][:1].isspace()
    try:
        module = ast.parse(("if 1:\n" if nested else "") + text, filename=filename)
    except SyntaxError as e:
        line = (e.lineno or 1) - (1 if nested else 0)
        raise CompileError(f"syntax error: {e.msg}", filename, line + first - 1, e.offset or 1) from e
    ast.increment_lineno(module, first - 1 - (1 if nested else 0))
    tree = module.body[0].body[0] if nested else module.body[0]  # type: ignore[attr-defined]
    if not isinstance(tree, ast.FunctionDef):
        raise CompileError(
            f"{pyfunc.__qualname__} is not a plain `def` function", filename, first, 1, lines[0]
        )
    return FunctionSource(pyfunc, filename, text, tree, 0)


def ascii_name(name: str) -> str:
    """`name` with each non-ASCII character spelled `_uXXXX` (`核` -> `_u6838`).

    Python identifiers may be any Unicode letters; IR value names, and the symbols that llvmlite
    looks up, must be ASCII.
    """
    return "".join(c if c.isascii() else f"_u{ord(c):x}" for c in name)


def is_constant(value: Any) -> bool:
    """Python values that a kernel may read as compile-time constants."""
    if isinstance(value, bool | int | float):
        return True
    if isinstance(value, tuple):
        return all(is_constant(v) for v in value)
    try:
        import numpy as np

        return isinstance(value, np.generic) and value.dtype.kind in "biuf"
    except ImportError:  # pragma: no cover - numpy is a dependency
        return False


def free_names(tree: ast.FunctionDef) -> list[tuple[str, ...]]:
    """Every name (with its attribute chain, `ks.sqrt` -> ('ks', 'sqrt')) the function reads.

    Locals are included too; callers keep those that resolve to globals or closure cells.
    """
    chains: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for node in ast.walk(tree):
        chain: list[str] = []
        cur: ast.AST = node
        if isinstance(node, ast.Attribute):
            while isinstance(cur, ast.Attribute):
                chain.append(cur.attr)
                cur = cur.value
            if not isinstance(cur, ast.Name):
                continue
            chain.append(cur.id)
            key = tuple(reversed(chain))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            key = (node.id,)
        else:
            continue
        if key not in seen:
            seen.add(key)
            chains.append(key)
    return chains


def resolve_chain(src: FunctionSource, chain: tuple[str, ...]) -> tuple[bool, Any]:
    """The value of `a.b.c` as the function would see it from outside (no locals)."""
    found, value = src.lookup(chain[0])
    if not found:
        return False, None
    for attr in chain[1:]:
        if not isinstance(value, types.ModuleType) and not hasattr(value, "__khal_struct__"):
            return True, value
        try:
            value = getattr(value, attr)
        except AttributeError:
            return False, None
    return True, value
