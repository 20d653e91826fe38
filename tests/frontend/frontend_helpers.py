"""Helpers for frontend tests: where a snippet sits in a kernel's source file."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import khal


def locate(obj: Any, snippet: str) -> tuple[int, int]:
    """The 1-based (line, column) of the first occurrence of `snippet` in the source of `obj`."""
    fn = getattr(obj, "pyfunc", obj)
    return _locate_in(fn, snippet)


def _locate_in(fn: Any, snippet: str) -> tuple[int, int]:
    lines, first = inspect.getsourcelines(fn)
    for k, line in enumerate(lines):
        col = line.find(snippet)
        if col >= 0:
            return first + k, col + 1
    raise AssertionError(f"{snippet!r} is not in the source of {fn.__name__}")


def compile_error(kernel: Any) -> khal.CompileError:
    """Compile a kernel (or khal.func) that must fail, and return the error."""
    with pytest.raises(khal.CompileError) as info:
        if isinstance(kernel, khal.Kernel):
            kernel.module()
        else:
            kernel.ir()
    return info.value


def assert_error_at(kernel: Any, snippet: str, *message_parts: str) -> khal.CompileError:
    """The kernel fails to compile at `snippet`, with a message containing every part."""
    err = compile_error(kernel)
    try:
        line, col = locate(kernel, snippet)
    except AssertionError:  # the error is in a function the kernel calls
        line, col = _locate_file(err.filename, snippet)
    text = str(err)
    assert (err.line, err.col) == (line, col), f"expected {line}:{col}, got {err.line}:{err.col}\n{text}"
    header = text.splitlines()[0]
    assert header.startswith(f"{err.filename}:{line}:{col}: error: "), header
    for part in message_parts:
        assert part in err.message, f"{part!r} not in {err.message!r}"
    # the source line and a caret under the column
    src, caret = text.splitlines()[1:3]
    assert snippet.strip() in src
    assert caret.index("^") == col - 1
    return err


def _locate_file(filename: str, snippet: str) -> tuple[int, int]:
    with open(filename) as f:
        for k, line in enumerate(f, 1):
            col = line.find(snippet)
            if col >= 0:
                return k, col + 1
    raise AssertionError(f"{snippet!r} is not in {filename}")
