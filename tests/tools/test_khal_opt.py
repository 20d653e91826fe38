"""khal-opt as users run it: a subprocess, on good and bad input; exit codes and no tracebacks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

KERNEL = """\
khal.kernel @add_assign(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read_write>) \
workgroup_size(64, 1, 1) {
  %tid = khal.global_invocation_id x
  %n = khal.len %a : !khal.array<f32, read_write>
  %c = arith.cmpi ult, %tid, %n : i32
  scf.if %c {
    %x = khal.load %a[%tid] : !khal.array<f32, read_write>, i32 -> f32
    %y = khal.load %b[%tid] : !khal.array<f32, read_write>, i32 -> f32
    %s = arith.addf %x, %y : f32
    khal.store %s, %a[%tid] : f32, !khal.array<f32, read_write>, i32
  }
  khal.return
}
"""

PARSE_ERROR = KERNEL.replace("i32 -> f32\n    %y", "i64 -> f32\n    %y")
VERIFY_ERROR = KERNEL.replace("%s, %a[%tid] : f32,", "%tid, %a[%tid] : i32,")


def khal_opt(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run khal-opt through the interpreter running the tests (no reliance on PATH)."""
    return subprocess.run(
        [sys.executable, "-m", "khal.tools.khal_opt", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], *expected: str, status: int = 1) -> None:
    """Non-zero exit, the expected text on stderr, and no Python traceback anywhere."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for text in expected:
        assert text in result.stderr


@pytest.fixture
def kernel_file(tmp_path: Path) -> Path:
    path = tmp_path / "add_assign.mlir"
    path.write_text(KERNEL)
    return path


def test_round_trip_is_a_fixed_point(kernel_file: Path) -> None:
    first = khal_opt(str(kernel_file))
    assert first.returncode == 0, first.stderr
    second = khal_opt("-", stdin=first.stdout)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert "khal.kernel @add_assign" in first.stdout


def test_generic_form_parses_back_to_the_same_ir(kernel_file: Path) -> None:
    generic = khal_opt(str(kernel_file), "--print-op-generic")
    assert generic.returncode == 0 and '"khal.kernel"()' in generic.stdout
    custom = khal_opt("-", stdin=generic.stdout)
    assert custom.stdout == khal_opt(str(kernel_file)).stdout


def test_pass_pipeline_and_output_file(kernel_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mlir"
    result = khal_opt(str(kernel_file), "-p", "khal-infer-access,canonicalize,cse", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = out.read_text()
    assert "(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read>)" in text


def test_parse_error_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.mlir"
    path.write_text(PARSE_ERROR)
    result = khal_opt(str(path))
    assert_clean_failure(result, f"{path}:6:23", "operand is used with type i64")
    # The diagnostic shows the offending source line.
    assert "%x = khal.load %a[%tid] : !khal.array<f32, read_write>, i64 -> f32" in result.stderr


def test_verifier_error_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.mlir"
    path.write_text(VERIFY_ERROR)
    result = khal_opt(str(path))
    message = "Operation does not verify: stored value type i32 does not match the element type f32"
    assert_clean_failure(result, f"{path}:9:5", message)


def test_errors_from_stdin_name_stdin() -> None:
    assert_clean_failure(khal_opt("-", stdin=VERIFY_ERROR), "<stdin>:9:5")


def test_verify_diagnostics_reports_and_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "bad.mlir"
    path.write_text(KERNEL + "\n// -----\n" + VERIFY_ERROR)
    result = khal_opt(str(path), "--split-input-file", "--verify-diagnostics")
    assert result.returncode == 0, result.stderr
    # Lines count from the top of the whole file, not of the chunk.
    assert f"{path}:{KERNEL.count(chr(10)) + 2 + 9}:5" in result.stdout
    assert "does not match the element type f32" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected", "status"),
    [
        (["-p", "no-such-pass"], "khal-opt: error: Unrecognized passes: ['no-such-pass']", 1),
        (["-p", "cse{bogus=1}"], 'khal-opt: error: Provided arguments ["bogus"] not found', 1),
        (["-p", "cse{"], "Error parsing pass pipeline specification", 1),
        (["-t", "no-such-target"], "invalid choice: 'no-such-target'", 1),
        (["--no-such-flag"], "unrecognized arguments: --no-such-flag", 1),
    ],
)
def test_bad_command_lines(kernel_file: Path, args: list[str], expected: str, status: int) -> None:
    assert_clean_failure(khal_opt(str(kernel_file), *args), expected, status=status)


def test_missing_input_and_unwritable_output(kernel_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.mlir"
    assert_clean_failure(khal_opt(str(missing)), f"No such file or directory: {missing}")
    unwritable = tmp_path / "no-dir" / "out.mlir"
    assert_clean_failure(khal_opt(str(kernel_file), "-o", str(unwritable)), "No such file or directory")


def test_unknown_op_and_type(tmp_path: Path) -> None:
    path = tmp_path / "bad.mlir"
    path.write_text(KERNEL.replace("khal.global_invocation_id x", "khal.thread_id x"))
    assert_clean_failure(khal_opt(str(path)), f"{path}:2:10", "Operation khal.thread_id is not registered")
    path.write_text(KERNEL.replace("!khal.array<f32, read_write>, %b", "!khal.array<i1, read_write>, %b", 1))
    assert_clean_failure(khal_opt(str(path)), "an array of i1 has no memory layout")


@pytest.mark.parametrize("target", ["llvm", "ptx", "spirv-asm", "spirv"])
def test_compiler_targets_emit_or_fail_cleanly(kernel_file: Path, tmp_path: Path, target: str) -> None:
    # Targets come with the backends: before that, a one-line "not available" error, never a traceback.
    out = tmp_path / "out.bin"
    result = khal_opt(str(kernel_file), "-t", target, "-o", str(out))
    assert "Traceback" not in result.stderr
    if result.returncode == 0:
        assert out.stat().st_size > 0
    else:
        assert result.returncode == 1
        assert result.stderr.startswith("khal-opt: error: ")
        assert result.stderr.count("\n") == 1, result.stderr


def test_khal_target_is_the_ir_printer(kernel_file: Path) -> None:
    assert khal_opt(str(kernel_file), "-t", "khal").stdout == khal_opt(str(kernel_file), "-t", "mlir").stdout


def test_console_script_is_installed(kernel_file: Path) -> None:
    script = shutil.which("khal-opt", path=os.path.dirname(sys.executable)) or shutil.which("khal-opt")
    if script is None:
        pytest.skip("khal is not pip-installed here (no khal-opt console script)")
    result = subprocess.run([script, str(kernel_file)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "khal.kernel @add_assign" in result.stdout


def test_startup_imports_no_pass_backend_or_driver() -> None:
    # Fast startup: building the tool registers factories only; no khal pass, backend or driver loads.
    code = (
        "import sys\n"
        "from khal.tools.khal_opt import KhalOptMain\n"
        "KhalOptMain(args=['-'])\n"
        "heavy = ('khal.passes.', 'khal.compiler', 'khal.runtime', 'khal.targets.', 'llvmlite', 'wgpu')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_plain_xdsl_opt_sees_khal(kernel_file: Path) -> None:
    xdsl_opt = shutil.which("xdsl-opt", path=os.path.dirname(sys.executable)) or shutil.which("xdsl-opt")
    if xdsl_opt is None:
        pytest.skip("no xdsl-opt script next to this interpreter")
    result = subprocess.run(
        [xdsl_opt, str(kernel_file), "-p", "khal-infer-access"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "%b: !khal.array<f32, read>" in result.stdout


def test_universe_names_do_not_clash_with_xdsl() -> None:
    from xdsl.dialects import get_all_dialects
    from xdsl.transforms import get_all_passes

    from khal.universe import KHAL_UNIVERSE

    assert "khal-infer-access" in KHAL_UNIVERSE.all_passes
    assert not set(KHAL_UNIVERSE.all_passes) & set(get_all_passes())
    assert not set(KHAL_UNIVERSE.all_dialects) & set(get_all_dialects())


FRONTEND_KERNEL = """
import khal
import khal.std as ks
from khal import Array, f32, u32


@khal.func
def get(x: Array[f32], i: u32) -> f32:
    return x[i]


@khal.func
def put(x: Array[f32], i: u32, v: f32):
    x[i] = v


@khal.kernel
def k(a: Array[f32], b: Array[f32], c: Array[f32], n: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(n):
        put(b, i, get(a, i) + get(c, i))
        ks.atomic_add(n, 0, u32(1))


print(k.ir())
"""


def test_infer_access_on_frontend_output_with_device_functions(tmp_path: Path) -> None:
    # The frontend's IR, straight into khal-opt: accesses are found through the calls, and the
    # device functions are retyped to match.
    source = tmp_path / "kernel.py"
    source.write_text(FRONTEND_KERNEL)
    ir = subprocess.run([sys.executable, str(source)], capture_output=True, text=True, timeout=120)
    assert ir.returncode == 0, ir.stderr
    result = khal_opt("-", "-p", "khal-infer-access", stdin=ir.stdout)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (
        "khal.kernel @k(%a: !khal.array<f32, read>, %b: !khal.array<f32, write>, "
        "%c: !khal.array<f32, read>, %n: !khal.array<i32, read_write>)"
    ) in out
    # Device functions may be private (the frontend makes them so, for LLVM to inline them).
    assert re.search(r"func\.func (private )?@put\(%x: !khal\.array<f32, write>", out), out
    assert re.search(r"func\.func (private )?@get\(%x: !khal\.array<f32, read>", out), out
    assert "read_write>, i32) -> f32" not in out  # every call to @get passes a read-only array


def test_target_plumbing_with_a_stand_in_emitter(
    kernel_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # khal-opt hands the module to khal.compiler.emit: text targets get a text stream, `spirv` a
    # binary one that lands byte for byte in the -o file.
    from xdsl.dialects.builtin import ModuleOp

    import khal.compiler
    from khal.tools.khal_opt import main

    seen: list[tuple[str, str]] = []

    def emit(module: ModuleOp, target: str, output: Any) -> None:
        seen.append((type(module).__name__, target))
        if target == "spirv":
            output.write(b"\x03\x02\x23\x07\x00\xff")
        else:
            output.write(f"// {target} for {len(list(module.walk()))} ops\n")

    monkeypatch.setattr(khal.compiler, "emit", emit)
    main([str(kernel_file), "-t", "ptx"])
    assert capsys.readouterr().out.startswith("// ptx for ")
    binary = tmp_path / "k.spv"
    main([str(kernel_file), "-p", "khal-infer-access", "-t", "spirv", "-o", str(binary)])
    assert binary.read_bytes() == b"\x03\x02\x23\x07\x00\xff"
    assert seen == [("ModuleOp", "ptx"), ("ModuleOp", "spirv")]

    def not_built(module: ModuleOp, target: str, output: Any) -> None:
        raise NotImplementedError(f"the {target} backend is not built yet")

    monkeypatch.setattr(khal.compiler, "emit", not_built)
    with pytest.raises(SystemExit) as exit_info:
        main([str(kernel_file), "-t", "spirv-asm"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err == (
        "khal-opt: error: target 'spirv-asm' is not available in this build "
        "(the spirv-asm backend is not built yet)\n"
    )
