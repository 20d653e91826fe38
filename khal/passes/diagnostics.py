"""Errors that passes raise at the user's Python source.

The frontend gives every op a `FileLineColLoc` (the file, line and 1-based column of the Python
expression or statement it comes from). A pass that rejects an op builds its `CompileError` here, so
that the error reads exactly like a frontend error: `file.py:LINE:COL: error: ...`, the source line
and a caret under the column. Ops built by passes (or parsed from IR without `loc(...)`) have no
location; the error then takes the nearest enclosing op's, else it has none.
"""

from __future__ import annotations

from xdsl.dialects.builtin import FileLineColLoc
from xdsl.ir import Operation

from khal.errors import CompileError, located_error


def source_location(op: Operation | None) -> FileLineColLoc | None:
    """The source location of `op`, else of the nearest enclosing op that has one."""
    while op is not None:
        loc = op.location
        if isinstance(loc, FileLineColLoc):
            return loc
        op = op.parent_op()
    return None


def describe_location(op: Operation, relative_to: Operation | None = None) -> str | None:
    """`line N` (`file.py:N` if in another file than `relative_to`) for a message; None if `op` has none.

    Only `op`'s own location counts: an enclosing op's line would name the wrong statement.
    """
    loc = op.location
    if not isinstance(loc, FileLineColLoc):
        return None
    other = source_location(relative_to)
    if other is not None and other.filename == loc.filename:
        return f"line {loc.line.data}"
    return f"{loc.filename.data}:{loc.line.data}"


def op_error(op: Operation | None, message: str) -> CompileError:
    """A CompileError at `op`'s source location (see `source_location`), with the line and a caret."""
    loc = source_location(op)
    if loc is None:
        return CompileError(message)
    return located_error(message, loc.filename.data, loc.line.data, loc.column.data)
