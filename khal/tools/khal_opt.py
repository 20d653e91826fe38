"""`khal-opt`: xDSL's optimizer driver with the khal dialect, khal's passes and khal's targets.

    khal-opt FILE [-p pass1,pass2] [-t khal|STAGE] [-o OUT]      (FILE `-` = stdin)

Every xDSL dialect, pass and option (`--split-input-file`, `--verify-diagnostics`,
`--print-op-generic`, ...) works as in `xdsl-opt`. What khal adds:

- Invalid input never shows a Python traceback: parse errors, verifier errors (located at the
  failing op's `file:line:col`, with the source line), unknown passes or options, missing files
  and unavailable targets each print one diagnostic and exit with status 1.
- Targets: `khal` prints the IR (like `mlir`); every stage of every target in the registry
  (`khal.targets.emit_names()`, planned targets' stages included, which say they are not built) hands
  the module to `khal.compiler.emit(module, stage, output)`, imported only when asked for. `output` is
  a text stream, or a binary one for a binary stage.

Startup stays fast: dialects, passes and targets are registered as factories and load on use.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from io import BytesIO
from typing import IO, Any, ClassVar, NoReturn

from xdsl.context import Context
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, ModuleOp, StringAttr, UnknownLoc
from xdsl.ir import Block, BlockArgument, Operation, OpResult, Region, SSAValue
from xdsl.parser import Parser
from xdsl.utils.arg_spec import parse_spec
from xdsl.utils.exceptions import ArgSpecParseError, DiagnosticException, ParseError, VerifyException
from xdsl.utils.lexer import Input, Span
from xdsl.utils.target import Target
from xdsl.xdsl_opt_main import xDSLOptMain

from khal import __version__
from khal.errors import BackendUnavailable, CompileError
from khal.targets import BINARY_STAGES, emit_names

# Stages whose output is bytes, written to the -o file as they are.
BINARY_TARGETS = tuple(sorted(BINARY_STAGES))


class TargetUnavailable(Exception):
    """The requested target has no emitter in this build."""


class LocatedVerifyException(VerifyException):
    """A verifier error pointing at the failing op's place in the input, like a parse error."""

    def __init__(self, span: Span[Any], message: str):
        super().__init__(message)
        self.span = span
        self.message = message

    def __str__(self) -> str:
        return self.span.print_with_context(self.message)


class _LocatingParser(Parser):
    """A parser that remembers where each op's name is in the input, for verifier diagnostics."""

    def __init__(self, ctx: Context, text: str | bytes, name: str):
        super().__init__(ctx, text, name)
        # Keyed by the op itself (identity-hashed), which also keeps every parsed op alive.
        self.op_spans: dict[Operation, Span[Any]] = {}
        self._pending: list[Span[Any]] = []

    def parse_module_located(self, allow_implicit_module: bool = True) -> ModuleOp:
        """`parse_module`, with every failure a ParseError at a place in the input.

        Python's recursion limit (deeply nested IR), an undefined value (reported at its first use
        rather than at the end of the input) and an internal error of a parser (an exception that is
        not a ParseError) each become one.
        """
        try:
            return self.parse_module(allow_implicit_module)
        except ParseError as e:
            # xDSL reports values never defined at the end of the input; point at their first use.
            unresolved = self._first_unresolved_use() if "used but not defined" in e.msg else None
            if unresolved is not None:
                raise unresolved from None
            raise
        except RecursionError:
            raise ParseError(self._current_token.span, _TOO_DEEP) from None
        except Exception as e:  # e.g. "Forward declared values do not have an owner" (a ValueError)
            raise ParseError(self._current_token.span, f"{type(e).__name__}: {e}") from None

    def _first_unresolved_use(self) -> ParseError | None:
        """A ParseError at the first op using a value that is never defined, if there is one."""
        for name, values in self.forward_ssa_references.items():
            for value in values.values():
                for use in value.uses:
                    span = self.op_spans.get(use.operation)
                    if span is not None:
                        return ParseError(span, f"value %{name} is used but never defined")
        return None

    def parse_operation(self) -> Operation:
        self._pending.append(self._current_token.span)
        op = super().parse_operation()
        self.op_spans[op] = self._pending.pop()
        return op

    def _parse_op_result_list(self):  # pyright: ignore[reportIncompatibleMethodOverride]
        results = super()._parse_op_result_list()
        # After `%a, %b =` the current token is the op's name: point there rather than at `%a`.
        self._pending[-1] = self._current_token.span
        return results

    def _get_op_by_name(self, name: str):  # pyright: ignore[reportIncompatibleMethodOverride]
        try:
            return super()._get_op_by_name(name)
        except ParseError as e:
            # xDSL points after the name; point at the name itself.
            raise ParseError(self._pending[-1], e.msg) from None

    def _parse_dialect_type_or_attribute_body(  # pyright: ignore[reportIncompatibleMethodOverride]
        self, attr_name: str, is_type: bool, is_opaque: bool, starting_opaque_pos: int | None
    ):
        # A type's verifier runs as it is built: report its failure where the type is written.
        start = self._current_token.span.start
        try:
            return super()._parse_dialect_type_or_attribute_body(
                attr_name, is_type, is_opaque, starting_opaque_pos
            )
        except VerifyException as e:
            end = max(self._current_token.span.start, start + 1)
            raise ParseError(Span(start, end, self.lexer.input), f"invalid {attr_name}: {e}") from None


_TOO_DEEP = "the input nests too deeply for khal-opt (Python's recursion limit): flatten it"
_STRING_BODY = re.compile(r'[^"\\\n\v\f]*')
_ESCAPE = re.compile(r'\\(?:["nt\\]|[0-9A-Fa-f]{2})')
_OUTSIDE_STRINGS = re.compile(r'(?://[^\n]*|[^"/]+|/)*')


def _decode(data: bytes, name: str) -> str:
    """The input as text; a ParseError at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        pos = len(data[: e.start].decode("utf-8"))
        text = data.decode("utf-8", "replace")
        message = f"the input is not UTF-8 text (byte 0x{data[e.start]:02x})"
        raise ParseError(Span(pos, pos + 1, Input(text, name)), message) from None


def _check_string_literals(text: str, name: str) -> None:
    """A ParseError at the first string literal xDSL's lexer would not accept.

    xDSL's string regex (`"(?:[^"\\\n\v\f]+|\\(...))*"`) nests two quantifiers: on a string that never
    closes, or that holds an escape it does not know, it backtracks exponentially (24 characters take
    minutes). This linear scan finds those strings first; a string it accepts, the regex matches at once.
    """
    pos = 0
    while True:
        outside = _OUTSIDE_STRINGS.match(text, pos)
        pos = outside.end() if outside is not None else pos
        if pos >= len(text):
            return
        start = pos  # a '"'
        pos += 1
        while True:
            pos = _STRING_BODY.match(text, pos).end()  # pyright: ignore[reportOptionalMemberAccess]
            char = text[pos] if pos < len(text) else ""
            if char == '"':
                pos += 1
                break
            if char == "\\":
                escape = _ESCAPE.match(text, pos)
                if escape is None:
                    message = 'invalid escape in a string literal (allowed: \\n \\t \\\\ \\" \\XX)'
                    raise ParseError(Span(pos, pos + 2, Input(text, name)), message)
                pos = escape.end()
                continue
            raise ParseError(Span(start, pos, Input(text, name)), "string literal not closed on its line")


def _post_order(op: Operation) -> Iterator[Operation]:
    """Nested ops before their parent, the order xDSL's own verifier uses (iterative: IR nests deep)."""
    stack: list[tuple[Operation, bool]] = [(op, False)]
    while stack:
        current, children_done = stack.pop()
        if children_done:
            yield current
            continue
        stack.append((current, True))
        children = [child for region in current.regions for block in region.blocks for child in block.ops]
        stack.extend((child, False) for child in reversed(children))


def _verify_located(module: ModuleOp, spans: dict[Operation, Span[Any]]) -> None:
    """Verify `module`; on failure raise a LocatedVerifyException at the first failing op.

    Besides each op's own verifier, every operand must be defined where its use can see it (MLIR's
    dominance rule), which xDSL's verifier does not check: a pass would otherwise meet the value
    before its definition and fail with an internal error.
    """
    # Dominance first: some of xDSL's verifiers (IsolatedFromAbove's) ask an operand for its owner,
    # which a value the parser never resolved does not have.
    dominance = _Dominance()
    ops = list(_post_order(module))
    for check in (dominance.check_operands, _verify_op):
        for op in ops:
            try:
                check(op)
            except VerifyException as e:
                message = f"Operation does not verify: {e}"
                span = spans.get(op)
                if span is None:  # an op built by the parser itself: the implicit module
                    span, message = _implicit_module_error(op, spans, str(e))
                    if span is None:
                        raise
                raise LocatedVerifyException(span, message) from None


def _implicit_module_error(
    op: Operation, spans: dict[Operation, Span[Any]], error: str
) -> tuple[Span[Any] | None, str]:
    """Where to report an error of the module the parser wrapped the input in, and the message.

    That module has no place in the input: point at the op whose symbol the message names (a
    redefined `@k`: its second definition), else at the first op of the input.
    """
    first_line = error.splitlines()[0] if error else "invalid module"
    children = [child for region in op.regions for block in region.blocks for child in block.ops]
    named = [c for c in children if f'"{getattr(getattr(c, "sym_name", None), "data", None)}"' in first_line]
    candidates = named[1:] or named or children
    for child in candidates:
        if child in spans:
            return spans[child], f"Operation does not verify: {first_line}"
    return None, first_line


def _verify_op(op: Operation) -> None:
    """`op`'s own verifier; an internal error of a verifier is reported like a failed check."""
    try:
        op.verify(verify_nested_ops=False)
    except VerifyException:
        raise
    except (RecursionError, MemoryError):
        raise
    except Exception as e:
        raise VerifyException(f"the verifier of '{op.name}' failed: {type(e).__name__}: {e}") from None


class _Dominance:
    """MLIR's dominance rule for SSA operands, in regions with SSA control flow (not a module's body).

    A value is visible to the ops after its definition in its block, to everything nested in those,
    and to blocks its block dominates. Blocks no path from the entry reaches see every value, as in
    MLIR. Dominators are computed here over the reachable blocks only: xDSL's `DominanceInfo` lets an
    unreachable predecessor remove a block's real dominators.
    """

    def __init__(self) -> None:
        self._index: dict[Block, dict[Operation, int]] = {}
        self._dominators: dict[Region, dict[Block, set[Block]]] = {}

    def check_operands(self, op: Operation) -> None:
        """VerifyException unless each operand of `op` is visible to `op`."""
        for i, value in enumerate(op.operands):
            problem = self._problem(value, op)
            if problem is not None:
                name = f"%{value.name_hint}" if value.name_hint else "a value"
                raise VerifyException(f"operand #{i} ({name}) of '{op.name}' is {problem}")

    def _problem(self, value: SSAValue, user: Operation) -> str | None:
        if isinstance(value, BlockArgument):
            def_block, def_op = value.block, None
        elif isinstance(value, OpResult):
            def_op = value.op
            def_block = def_op.parent_block()
        else:  # a ForwardDeclaredValue the parser left unresolved (an xDSL bug: the use is an error)
            return "never defined where this use can see it"
        region = def_block.parent if def_block is not None else None
        if region is None or isinstance(region.parent, ModuleOp):
            return None  # detached, or a module's body: a graph region, no order
        ancestor: Operation | None = user
        while ancestor is not None and ancestor.parent_region() is not region:
            ancestor = ancestor.parent_op()
        if ancestor is None:
            return "used outside the region that defines it"
        if ancestor is def_op:
            return "used by the operation that defines it, or inside its regions"
        use_block = ancestor.parent_block()
        assert use_block is not None
        if use_block is def_block:
            if def_op is not None and self._position(def_op) > self._position(ancestor):
                return "used before it is defined"
            return None
        dominators = self._dominators_of(region).get(use_block)
        if dominators is not None and def_block not in dominators:
            return "defined in a block that does not dominate this use"
        return None

    def _position(self, op: Operation) -> int:
        block = op.parent_block()
        assert block is not None
        index = self._index.get(block)
        if index is None:
            index = self._index[block] = {o: i for i, o in enumerate(block.ops)}
        return index[op]

    def _dominators_of(self, region: Region) -> dict[Block, set[Block]]:
        """Each reachable block's dominators (an unreachable block is absent)."""
        found = self._dominators.get(region)
        if found is not None:
            return found
        entry = region.blocks.first
        preds: dict[Block, list[Block]] = {}
        order: list[Block] = []
        stack = [entry] if entry is not None else []
        while stack:  # the reachable blocks, and their reachable predecessors
            block = stack.pop()
            if block in preds:
                continue
            preds[block] = []
            order.append(block)
            if block.last_op is not None:
                stack.extend(block.last_op.successors)
        for block in order:
            if block.last_op is not None:
                for succ in block.last_op.successors:
                    preds[succ].append(block)
        doms = {b: ({b} if b is entry else set(order)) for b in order}
        changed = True
        while changed:
            changed = False
            for block in order[1:]:
                new = {block} | set.intersection(*(doms[p] for p in preds[block]))
                if new != doms[block]:
                    doms[block], changed = new, True
        self._dominators[region] = doms
        return doms


@dataclasses.dataclass(frozen=True)
class _CompilerTarget(Target):
    """A target whose emitter lives in `khal.compiler` (loaded on use)."""

    name: ClassVar[str] = ""

    def emit(self, ctx: Context, module: ModuleOp, output: IO[Any]) -> None:
        _compiler_emit(module, self.name, output)


def _compiler_emit(module: ModuleOp, target: str, output: IO[Any]) -> None:
    """`khal.compiler.emit`, with "this target is not built" turned into one TargetUnavailable."""
    try:
        from khal.compiler import emit
    except ImportError as e:
        raise TargetUnavailable(f"target '{target}' is not available in this build ({e})") from None
    try:
        emit(module, target, output)
    except (ImportError, NotImplementedError, BackendUnavailable) as e:
        # A pipeline stage not written yet, or a tool (llvmlite, spirv-tools) missing.
        raise TargetUnavailable(f"target '{target}' is not available in this build ({e})") from None


def _stage_target(stage: str) -> type[Target]:
    """An xDSL target class for `khal-opt -t <stage>`, one per stage of `khal.targets`' registry."""
    cls = dataclasses.make_dataclass(
        f"_{stage.replace('-', '_')}_target", [], bases=(_CompilerTarget,), frozen=True
    )
    cls.name = stage  # pyright: ignore[reportAttributeAccessIssue]
    cls.__doc__ = f"The `{stage}` stage of the registry's target that produces it."
    return cls


COMPILER_TARGETS: dict[str, type[Target]] = {stage: _stage_target(stage) for stage in emit_names()}


def _constant(target: type[Target]) -> Callable[[], type[Target]]:
    # xDSL tells new-style target factories from old ones by their having no parameters.
    return lambda: target


def _khal_target() -> type[Target]:
    from xdsl.targets.mlir import MLIRTarget

    return MLIRTarget


class KhalOptMain(xDSLOptMain):
    """`xdsl-opt` plus the khal dialect, khal's passes and khal's targets."""

    version_format: ClassVar[str] = f"khal-opt (khal {__version__}) built on xdsl {{xdsl_version}}"

    def __init__(self, args: Sequence[str] | None = None):
        self._output_stream: IO[str] | None = None
        self._parsed: tuple[ModuleOp, dict[Operation, Span[Any]]] | None = None
        super().__init__(description="khal modular optimizer driver", args=args)

    def register_all_dialects(self) -> None:
        """khal's dialects (`khal.dialects.context`, with khal's extended `llvm`), then xDSL's others."""
        from xdsl.universe import Universe

        from khal.dialects import context

        context(self.ctx)
        for name, factory in Universe.get_multiverse().all_dialects.items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        from khal.passes import all_passes

        for name, factory in all_passes().items():
            self.register_pass(name, factory)

    def register_all_targets(self) -> None:
        # Registered first: xDSL's own targets of the same names (e.g. its llvm-dialect printer) must not
        # shadow the registry's stages.
        self.available_targets["khal"] = _khal_target
        for name, target in COMPILER_TARGETS.items():
            self.available_targets[name] = _constant(target)
        super().register_all_targets()

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.set_defaults(target="khal")

    def get_input_stream(self) -> tuple[IO[bytes], str]:
        # `-` is stdin, and any file name is IR text: khal-opt has one frontend.
        if self.args.input_file in (None, "-"):
            return sys.stdin.buffer, "mlir"
        return open(self.args.input_file, "rb"), "mlir"

    def get_input_name(self) -> str:
        return "<stdin>" if self.args.input_file in (None, "-") else self.args.input_file

    def register_all_frontends(self) -> None:
        def parse_mlir(io: IO[bytes]) -> ModuleOp:
            name = self.get_input_name()
            text = _decode(io.read(), name)
            _check_string_literals(text, name)
            parser = _LocatingParser(self.ctx, text, name)
            module = parser.parse_module_located(not self.args.no_implicit_module)
            self._parsed = (module, parser.op_spans)
            if not self.args.disable_verify:
                _verify_located(module, parser.op_spans)
            return module

        self.available_frontends["mlir"] = parse_mlir

    def parse_chunk(self, chunk: IO[bytes], file_extension: str, start_offset: int = 0) -> ModuleOp | None:
        try:
            module = super().parse_chunk(chunk, file_extension, start_offset)
        except LocatedVerifyException as e:
            # Like xDSL does for parse errors: report lines of the whole file, not of the chunk.
            e.span = dataclasses.replace(e.span, line_offset=start_offset)
            raise
        if module is not None and self._parsed is not None:
            # From here on, spans give lines of the whole file (for pass errors and locations).
            spans = {
                op: dataclasses.replace(span, line_offset=start_offset)
                for op, span in self._parsed[1].items()
            }
            self._parsed = (module, spans)
            _give_input_locations(spans)
        return module

    def prepare_output(self) -> IO[str]:
        self._output_stream = super().prepare_output()
        return self._output_stream

    def output_resulting_program(self, prog: ModuleOp) -> str:
        name = parse_spec(self.args.target).name
        if name == "khal":
            # xDSL applies --print-op-generic & co. only to a target named `mlir`; `khal` is that printer.
            self.args.target = "mlir"
            try:
                return super().output_resulting_program(prog)
            finally:
                self.args.target = "khal"
        if name in BINARY_TARGETS:
            return self._write_binary(name, prog)
        return super().output_resulting_program(prog)

    def _write_binary(self, name: str, prog: ModuleOp) -> str:
        stream = self._output_stream or sys.stdout
        if stream.isatty():
            raise TargetUnavailable(f"target '{name}' is binary: use -o FILE, or -t {name}-asm for text")
        data = BytesIO()
        _compiler_emit(prog, name, data)
        stream.flush()
        stream.buffer.write(data.getvalue())  # pyright: ignore[reportAttributeAccessIssue]
        return ""


def _give_input_locations(spans: dict[Operation, Span[Any]]) -> None:
    """Give each parsed op without a `loc(...)` its place in the input, as mlir-opt does.

    Passes report errors at an op's location (`khal.passes.diagnostics.op_error`): IR written by hand
    or mutated has none, and the error would point nowhere. Locations print only with
    `--print-debuginfo`, so the output is unchanged.
    """
    for op, span in spans.items():
        if isinstance(op.location, UnknownLoc):
            where = span.get_location()
            op.location = FileLineColLoc(StringAttr(where.file), IntAttr(where.line), IntAttr(where.col))


_OP_NAME = re.compile(r"\b([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_.]*)\b")


def _locate_pass_error(
    error: DiagnosticException | VerifyException, module: ModuleOp, spans: dict[Operation, Span[Any]]
) -> DiagnosticException | VerifyException:
    """A pass's (or target's) diagnostic that names no place, located at the first input op it names.

    The LLVM lowerings raise `LoweringError("convert-khal-to-llvm: khal.workgroup_barrier must be
    lowered before ...")` without the op; they refuse the first such op in walk order, which is the
    one found here. An error that names no op of the module is returned unchanged.
    """
    message = _diagnostic_text(error)
    if re.match(r"\S+:\d+:\d+", message):
        return error
    names = set(_OP_NAME.findall(message.splitlines()[0] if message else ""))
    for op in module.walk():
        if op.name in names and op in spans:
            return LocatedVerifyException(spans[op], message)
    return error


def _fail(message: str) -> NoReturn:
    print(message.rstrip("\n"), file=sys.stderr)
    raise SystemExit(1)


def _diagnostic_text(e: BaseException) -> str:
    text = str(e)
    for note in getattr(e, "__notes__", ()):
        text += "\n" + str(note)
    return text


def _too_deep(opt: KhalOptMain | None) -> str:
    """The diagnostic for a RecursionError after parsing: at the most deeply nested op of the input."""
    parsed = getattr(opt, "_parsed", None)
    if parsed is None:
        return f"khal-opt: error: {_TOO_DEEP}"
    module, spans = parsed
    deepest, depth = None, -1
    stack: list[tuple[Operation, int]] = [(module, 0)]
    while stack:
        op, d = stack.pop()
        if d > depth and op in spans:
            deepest, depth = op, d
        stack.extend((child, d + 1) for r in op.regions for b in r.blocks for child in b.ops)
    if deepest is None:
        return f"khal-opt: error: {_TOO_DEEP}"
    return spans[deepest].print_with_context(f"{_TOO_DEEP} ({depth} levels of operations)")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `khal-opt` console script."""
    opt: KhalOptMain | None = None
    try:
        opt = KhalOptMain(args=argv)
        opt.run()
    except SystemExit as e:
        # argparse reports a bad command line (an unknown -t, say) with status 2; khal-opt's failures
        # are all status 1, as documented.
        raise SystemExit(1 if e.code == 2 else e.code) from None
    except RecursionError:
        _fail(_too_deep(opt))
    except ParseError as e:
        _fail(str(e))
    except ArgSpecParseError as e:  # a malformed -p pipeline; a BaseException in xDSL
        _fail(f"khal-opt: error: {e}")
    except (DiagnosticException, VerifyException) as e:
        parsed = opt._parsed if opt is not None else None  # pyright: ignore[reportPrivateUsage]
        _fail(_diagnostic_text(_locate_pass_error(e, *parsed) if parsed else e))
    except TargetUnavailable as e:
        _fail(f"khal-opt: error: {e}")
    except (CompileError, BackendUnavailable) as e:
        # A pass that rejects the IR the way the compiler rejects a kernel (e.g. a barrier in
        # non-uniform control flow), or a target tool that is missing.
        _fail(f"khal-opt: error: {e}")
    except BrokenPipeError:
        # The reader went away (`khal-opt x.mlir | head`): stop quietly, and keep Python's
        # final flush of stdout from complaining too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as e:
        # Missing input, unwritable output, or a closed pipe.
        _fail(f"khal-opt: error: {e.strerror or e}: {e.filename or ''}".rstrip(": "))
    except ValueError as e:
        # Unknown pass names and bad pass options come as ValueError from xDSL's pipeline parser.
        _fail(f"khal-opt: error: {e}")
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
