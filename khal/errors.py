"""The errors khal raises at users: bad kernel source, and a missing driver."""

from __future__ import annotations

import linecache


class CompileError(Exception):
    """A kernel's source is not valid khal.

    `str(e)` starts with `file.py:LINE:COL: ` and shows the offending line with a caret under
    the column, like a C compiler. `line`/`col` are 1-based.
    """

    def __init__(
        self,
        message: str,
        filename: str = "<unknown>",
        line: int = 0,
        col: int = 0,
        source_line: str | None = None,
        end_col: int | None = None,
    ):
        self.message = message
        self.filename = filename
        self.line = line
        self.col = col
        self.source_line = source_line
        self.end_col = end_col
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"{self.filename}:{self.line}:{self.col}: error: {self.message}"
        if self.source_line is not None:
            line = self.source_line.rstrip("\n").expandtabs(1)
            width = max(1, (self.end_col or self.col + 1) - self.col)
            caret = " " * max(0, self.col - 1) + "^" + "~" * (width - 1)
            text += f"\n{line}\n{caret}"
        return text


def located_error(
    message: str, filename: str, line: int, col: int, end_col: int | None = None
) -> CompileError:
    """A CompileError at `filename:line:col` (1-based) that shows that source line, read with linecache.

    Passes use it (through `khal.passes.diagnostics`) for ops that carry a source location, so their
    errors read like the frontend's. A file that cannot be read shows no source line.
    """
    source_line = (linecache.getline(filename, line) or None) if line > 0 else None
    return CompileError(message, filename, line, col, source_line, end_col)


class BackendUnavailable(RuntimeError):
    """A backend's driver, adapter or device is missing; the message says what to install."""
