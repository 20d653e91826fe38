"""Mutating valid IR files and running khal-opt on them in-process (test_fuzz_ir.py uses this)."""

from __future__ import annotations

import contextlib
import faulthandler
import io
import re
import shlex
import signal
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from khal.tools.khal_opt import main

FILECHECK = Path(__file__).resolve().parent.parent / "filecheck"

# Fragments the mutations insert: IR punctuation and names, and the inputs known to hurt a parser.
TOKENS = tuple(
    (
        "%0 %x %tid ^bb1 { } ( ) [ ] < > : , = -> i32 f32 index arith.addf scf.yield khal.return"
        " func.return @f #map 0x 1e999 - \\q"
    ).split()
) + (
    '"',
    "!khal.array<f32, read_write>",
    "scf.if %c {",
    "builtin.module {",
    '"bbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    "\xff",
    "\n",
    "// -----",
    "{" * 40,
    "[" * 400,
)


@dataclass(frozen=True)
class Seed:
    """A valid IR file and the khal-opt options its first RUN line uses."""

    path: Path
    text: str
    args: tuple[str, ...]


def _run_args(text: str) -> tuple[str, ...]:
    """The options after `khal-opt %s` on the file's first RUN line (up to a pipe)."""
    match = re.search(r"RUN:\s*(?:not\s+)?khal-opt\s+%s([^|>\n]*)", text)
    if match is None:
        return ()
    args = [a for a in shlex.split(match.group(1)) if not a.startswith("2")]
    return tuple(a for a in args if a not in ("--verify-diagnostics", "--parsing-diagnostics"))


def seeds() -> list[Seed]:
    """Every `.mlir` file under tests/filecheck, with its RUN line's options.

    Options that fail before reading any IR (a RUN line testing `-p no-such-pass`) are dropped.
    """
    out = []
    for path in sorted(FILECHECK.rglob("*.mlir")):
        text = path.read_text()
        args = _run_args(text)
        status, stderr = run_khal_opt(text.encode(), args)
        if status != 0 and not is_located(stderr):
            args = ()
        out.append(Seed(path, text, args))
    return out


class Hang(Exception):
    """khal-opt ran past its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise Hang in the main thread after `seconds` (SIGALRM)."""

    def expire(_signum: int, _frame: object) -> None:
        raise Hang(f"khal-opt took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    # SIGALRM's handler runs only between bytecodes: a hang inside C code (a regex) would ignore it.
    # This watchdog thread ends the whole process instead, with every thread's traceback.
    faulthandler.dump_traceback_later(seconds * 3, exit=True, file=sys.__stderr__)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_khal_opt(data: bytes, args: tuple[str, ...], seconds: float = 20) -> tuple[int, str]:
    """khal-opt's exit status and stderr on `data`, run through its `main` in this process.

    Anything but a normal return or SystemExit (a traceback, in a terminal) propagates.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.mlir"
        path.write_bytes(data)
        err = io.StringIO()
        status = 0
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err), time_limit(seconds):
            try:
                main([str(path), *args, "-o", str(Path(tmp) / "out.txt")])
            except SystemExit as e:
                status = e.code if isinstance(e.code, int) else 1
        return status, err.getvalue().replace(str(path), "<input>")


# A place in the input, or (from a pass) a `loc(...)` the input gave its ops.
LOCATED = re.compile(r"^<input>:\d+:\d+\n|^khal-opt: error: [^\s:]+:\d+:\d+: error: ", re.MULTILINE)


def is_located(stderr: str) -> bool:
    """A diagnostic that points at a line and column (of the input, or of a location the IR holds)."""
    return LOCATED.search(stderr) is not None
