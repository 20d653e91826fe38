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
import sys
from collections.abc import Callable, Iterator, Sequence
from io import BytesIO
from typing import IO, Any, ClassVar, NoReturn

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.utils.arg_spec import parse_spec
from xdsl.utils.exceptions import ArgSpecParseError, DiagnosticException, ParseError, VerifyException
from xdsl.utils.lexer import Span
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


def _post_order(op: Operation) -> Iterator[Operation]:
    """Nested ops before their parent, the order xDSL's own verifier uses."""
    for region in op.regions:
        for block in region.blocks:
            for child in block.ops:
                yield from _post_order(child)
    yield op


def _verify_located(module: ModuleOp, spans: dict[Operation, Span[Any]]) -> None:
    """Verify `module`; on failure raise a LocatedVerifyException at the first failing op."""
    for op in _post_order(module):
        try:
            op.verify(verify_nested_ops=False)
        except VerifyException as e:
            message = f"Operation does not verify: {e}"
            span = spans.get(op)
            if span is None:  # an op built by the parser itself, e.g. the implicit module
                raise
            raise LocatedVerifyException(span, message) from None


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
            parser = _LocatingParser(self.ctx, io.read(), self.get_input_name())
            module = parser.parse_module(not self.args.no_implicit_module)
            if not self.args.disable_verify:
                _verify_located(module, parser.op_spans)
            return module

        self.available_frontends["mlir"] = parse_mlir

    def parse_chunk(self, chunk: IO[bytes], file_extension: str, start_offset: int = 0) -> ModuleOp | None:
        try:
            return super().parse_chunk(chunk, file_extension, start_offset)
        except LocatedVerifyException as e:
            # Like xDSL does for parse errors: report lines of the whole file, not of the chunk.
            e.span = dataclasses.replace(e.span, line_offset=start_offset)
            raise

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


def _fail(message: str) -> NoReturn:
    print(message.rstrip("\n"), file=sys.stderr)
    raise SystemExit(1)


def _diagnostic_text(e: BaseException) -> str:
    text = str(e)
    for note in getattr(e, "__notes__", ()):
        text += "\n" + str(note)
    return text


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `khal-opt` console script."""
    try:
        KhalOptMain(args=argv).run()
    except ParseError as e:
        _fail(str(e))
    except ArgSpecParseError as e:  # a malformed -p pipeline; a BaseException in xDSL
        _fail(f"khal-opt: error: {e}")
    except (DiagnosticException, VerifyException) as e:
        _fail(_diagnostic_text(e))
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
