"""khal-opt on hostile input (issue 11, items 17-18): a located diagnostic and exit 1, never a
traceback or a hang. Each input here once crashed a pass, hung the lexer or overflowed the stack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_khal_opt import assert_clean_failure, khal_opt

USE_BEFORE_DEF = """\
khal.kernel @k(%a: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  %tid = khal.global_invocation_id x
  %s = arith.addf %x, %x : f32
  %x = khal.load %a[%tid] : !khal.array<f32, read_write>, i32 -> f32
  khal.store %s, %a[%tid] : f32, !khal.array<f32, read_write>, i32
  khal.return
}
"""

USE_OUTSIDE_ITS_REGION = """\
func.func @f(%c: i1) -> i32 {
  scf.if %c {
    %inner = arith.constant 1 : i32
  }
  func.return %inner : i32
}
"""

USE_IN_A_BLOCK_NOT_DOMINATED = """\
func.func @f(%c: i1) -> i32 {
  cf.cond_br %c, ^a, ^b
^a:
  %v = arith.constant 1 : i32
  cf.br ^b
^b:
  func.return %v : i32
}
"""

# Valid: a value used in a block its definition's block dominates, and in an unreachable block.
DOMINATED = """\
func.func @f(%c: i1) -> i32 {
  %v = arith.constant 1 : i32
  cf.cond_br %c, ^a, ^b
^a:
  cf.br ^b
^b:
  func.return %v : i32
^dead:
  func.return %w : i32
^dead2:
  %w = arith.constant 2 : i32
  cf.br ^dead
}
"""


def located(stderr: str, path: Path, line: int) -> None:
    """The diagnostic starts with `path:line:col`."""
    assert re.match(rf"{re.escape(str(path))}:{line}:\d+\n", stderr), stderr


def run_file(tmp_path: Path, text: str | bytes, *args: str) -> tuple[Path, str]:
    """Run khal-opt on `text` with `args`; it must fail cleanly. The input's path and stderr."""
    path = tmp_path / "input.mlir"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = khal_opt(str(path), *args)
    assert_clean_failure(result)
    return path, result.stderr


@pytest.mark.parametrize("args", [[], ["-t", "llvm"], ["-p", "khal-cpu-workgroup-loops"]])
def test_use_before_definition_is_a_located_verifier_error(tmp_path: Path, args: list[str]) -> None:
    path, err = run_file(tmp_path, USE_BEFORE_DEF, *args)
    located(err, path, 3)
    assert "operand #0 (%x) of 'arith.addf' is used before it is defined" in err


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (USE_OUTSIDE_ITS_REGION, 5, "value %inner is used but never defined"),
        (USE_IN_A_BLOCK_NOT_DOMINATED, 7, "defined in a block that does not dominate this use"),
    ],
)
def test_dominance(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path, err = run_file(tmp_path, text)
    located(err, path, line)
    assert problem in err


def test_dominated_uses_verify(tmp_path: Path) -> None:
    path = tmp_path / "ok.mlir"
    path.write_text(DOMINATED)
    result = khal_opt(str(path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("length", [24, 200])
def test_unterminated_string_does_not_hang(tmp_path: Path, length: int) -> None:
    path, err = run_file(tmp_path, f'func.func @f(%a"{"b" * length}: i32) {{\n')
    located(err, path, 1)
    assert "string literal not closed on its line" in err


def test_unknown_escape_does_not_hang(tmp_path: Path) -> None:
    path, err = run_file(tmp_path, '"test.op"() {a = "' + "b" * 40 + '\\q"} : () -> ()\n')
    located(err, path, 1)
    assert "invalid escape" in err


def test_strings_and_comments_still_parse(tmp_path: Path) -> None:
    path = tmp_path / "ok.mlir"
    path.write_text('// a "quote in a comment\n"test.op"() {a = "x // y \\"z\\" \\n \\41"} : () -> ()\n')
    result = khal_opt(str(path))
    assert result.returncode == 0, result.stderr
    assert "x // y \\22z\\22 \\0A A" in result.stdout


@pytest.mark.parametrize(
    "text",
    [
        "builtin.module {" * 300 + "}" * 300,
        '"test.op"() ({' * 150 + "}) : () -> ()" * 150,
        '"test.op"() {a = ' + "[" * 5000 + "]" * 5000 + "} : () -> ()",
    ],
    ids=["300-modules", "150-regions", "5000-attributes"],
)
def test_deep_nesting_is_a_located_diagnostic(tmp_path: Path, text: str) -> None:
    path, err = run_file(tmp_path, text + "\n")
    located(err, path, 1)
    assert "nests too deeply" in err and "RecursionError" not in err


def test_undefined_value_is_located_at_its_use(tmp_path: Path) -> None:
    path, err = run_file(tmp_path, 'func.func @f() {\n  "test.op"(%0) : (i32) -> ()\n  func.return\n}\n')
    located(err, path, 2)
    assert "value %0 is used but never defined" in err


def test_non_utf8_input_is_located(tmp_path: Path) -> None:
    path, err = run_file(tmp_path, b'func.func @f() {\n  "test.op"() : () -> ()\n  \xff\n}\n')
    located(err, path, 3)
    assert "not UTF-8" in err


def test_value_defined_only_inside_its_users_region_is_located(tmp_path: Path) -> None:
    # xDSL's parser leaves `%lt` a forward reference; IsolatedFromAbove's verifier then asked it for
    # its owner: "Forward declared values do not have an owner", with no location.
    text = "func.func @f() {\n  scf.if %lt {\n    %lt = arith.constant true\n  }\n  func.return\n}\n"
    path, err = run_file(tmp_path, text)
    located(err, path, 2)
    assert "never defined where this use can see it" in err


def test_redefined_symbol_in_the_implicit_module_is_located(tmp_path: Path) -> None:
    text = "func.func @k() {\n  func.return\n}\nfunc.func @k() {\n  func.return\n}\n"
    path, err = run_file(tmp_path, text)
    located(err, path, 4)
    assert 'Redefinition of symbol "k"' in err


def test_unknown_target_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "ok.mlir"
    path.write_text(DOMINATED)
    assert_clean_failure(khal_opt(str(path), "-t", "nope"), "invalid choice: 'nope'", status=1)


def test_syntax_error_after_a_forward_reference_keeps_its_message(tmp_path: Path) -> None:
    text = 'func.func @f() {\n  "test.op"(%0) : (i32) -> ()\n  %1 = arith.addi %0 %0 : i32\n}\n'
    path, err = run_file(tmp_path, text)
    located(err, path, 3)
    assert "Expected ','" in err
