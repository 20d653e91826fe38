"""khal defers xDSL's assembly-format parsing to first use (khal/_lazy_formats.py): same text, less import."""

from __future__ import annotations

import os
import subprocess
import sys

import khal  # noqa: F401 - installs the hook
from khal import _lazy_formats


def test_formats_parse_on_first_use_and_round_trip() -> None:
    import xdsl.irdl.declarative_assembly_format as formats
    from xdsl.context import Context
    from xdsl.dialects import arith, builtin, func
    from xdsl.parser import Parser

    assert getattr(formats.FormatProgram.from_str, "_khal_lazy", False)
    text = (
        "func.func @f(%a: i32, %b: i32) -> i32 {\n"
        "  %0 = arith.addi %a, %b : i32\n"
        "  %1 = arith.muli %0, %b overflow<nsw> : i32\n"
        "  func.return %1 : i32\n"
        "}"
    )
    ctx = Context()
    for dialect in (arith.Arith, builtin.Builtin, func.Func):
        ctx.load_dialect(dialect)
    module = Parser(ctx, text).parse_module()
    printed = str(module)
    assert "arith.addi %a, %b : i32" in printed
    assert "arith.muli %0, %b overflow<nsw> : i32" in printed
    assert str(Parser(ctx, printed).parse_module()) == printed


def test_a_lazy_program_parses_its_format_once() -> None:
    calls: list[str] = []

    def from_str(source: str, op_def: object) -> object:
        calls.append(source)
        return type("Program", (), {"print": lambda self, p, op: ("printed", op), "extra": 7})()

    lazy = _lazy_formats.LazyFormatProgram(from_str, "$a attr-dict", None)
    assert calls == []
    assert lazy.print(None, "op") == ("printed", "op")
    assert lazy.extra == 7
    assert calls == ["$a attr-dict"]


def test_eager_formats_can_be_asked_for() -> None:
    code = (
        "import khal, xdsl.dialects.arith, xdsl.irdl.declarative_assembly_format as f;"
        "print(getattr(f.FormatProgram.from_str, '_khal_lazy', False))"
    )
    env = {**os.environ, "KHAL_EAGER_FORMATS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
