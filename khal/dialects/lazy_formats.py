"""Build xDSL operations' declarative assembly formats on first use instead of at class definition.

xDSL's `irdl_op_definition` parses every op's `assembly_format` string into a `FormatProgram` when the
op class is defined: importing the dialects a CPU compile needs (builtin, arith, math, scf, func,
vector, cf, llvm, khal) parses 181 formats, about 30 ms of a 350 ms cold compile. A compile never
parses or prints most of those ops, so `install()` wraps xDSL's `get_accessors_from_op_def` to give
each op `parse`/`print` methods that build the program on their first call (then reuse it). Parsing
and printing are unchanged; an invalid format string raises the same `PyRDLOpDefinitionError`, at the
op's first parse or print rather than when its class is defined.

`install()` must run before the dialects are imported to help; it is idempotent, and modules that
import xDSL dialects on the compile path import `khal.dialects` (which installs it) first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xdsl.irdl import OpDef
    from xdsl.irdl.declarative_assembly_format import FormatProgram

_installed = False


class _LazyProgram:
    """An op's assembly format: its source text until first used, then the parsed `FormatProgram`."""

    __slots__ = ("_op_def", "_program")

    def __init__(self, op_def: OpDef):
        self._op_def = op_def
        self._program: FormatProgram | None = None

    def get(self) -> FormatProgram:
        """The parsed program (parsed once)."""
        if self._program is None:
            from xdsl.irdl.declarative_assembly_format import FormatProgram
            from xdsl.utils.exceptions import ParseError, PyRDLOpDefinitionError

            assert self._op_def.assembly_format is not None
            try:
                self._program = FormatProgram.from_str(self._op_def.assembly_format, self._op_def)
            except ParseError as e:  # as xDSL's irdl_op_definition reports it
                msg = "Error during the parsing of the assembly format: "
                raise PyRDLOpDefinitionError(msg, e.args) from e
        return self._program


def install() -> None:
    """Make xDSL op classes defined from now on build their assembly format lazily."""
    global _installed
    if _installed:
        return
    from xdsl.irdl import operations

    eager = getattr(operations, "get_accessors_from_op_def", None)
    if eager is None:  # another xDSL than the 0.74 we pin: keep its eager formats, lose only speed
        _installed = True
        return

    def get_accessors_from_op_def(op_def: OpDef, custom_verify: Any | None) -> dict[str, Any]:
        fmt = op_def.assembly_format
        if fmt is None:
            return eager(op_def, custom_verify)
        # xDSL's own accessors, minus the eager format parse; `assembly_format` is restored at once
        # (verification and introspection read it).
        op_def.assembly_format = None
        try:
            attrs = eager(op_def, custom_verify)
        finally:
            op_def.assembly_format = fmt
        program = _LazyProgram(op_def)

        def parse_with_format(cls: type, parser: Any) -> Any:
            return program.get().parse(parser, cls)

        def print_with_format(self: Any, printer: Any) -> None:
            return program.get().print(printer, self)

        attrs["parse"] = classmethod(parse_with_format)
        attrs["print"] = print_with_format
        return attrs

    operations.get_accessors_from_op_def = get_accessors_from_op_def
    _installed = True
