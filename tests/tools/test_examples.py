"""Every example in examples/ runs on every available backend (`--backend NAME`, small sizes) and
prints its numpy check and its time; every code block of docs/ runs (the language reference as one
program, the compiler guide's commands and its worked example pass, built in a scratch copy of khal/)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from khal.compiler import stages
from khal.runtime.select import available_backends

ROOT = Path(__file__).resolve().parents[2]

# example -> (small-size arguments, the line its numpy check prints)
EXAMPLES: dict[str, tuple[list[str], str]] = {
    "add_assign": (["4099"], "matches numpy on all 4099 elements: True"),
    "reduction": (["20000"], "matches numpy (rel. tol. 1e-5): True"),
    # An odd N: the last workgroup is partial, so the kernel's bounds check matters.
    "reduction_odd": (["4099"], "matches numpy (rel. tol. 1e-5): True"),
    "mandelbrot": (["--size", "120x80"], "matches numpy: True"),
    "nbody": (["300", "3"], "matches numpy: True"),
    "particles_struct": (["2000", "20"], "matches numpy: True"),
    "saxpy": (["100003"], "matches numpy: True"),
    "prefix_scan": (["40001"], "matches numpy: True"),
    "histogram": (["100001"], "matches numpy: True"),
    "tiled_matmul": (["37", "51", "70"], "matches numpy: True"),
    "blur": (["67", "45"], "matches numpy: True"),
}
TIMED = re.compile(r"\d+\.\d+ ms")  # every example prints its time


def run_example(
    name: str, args: list[str], backend: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run examples/<name>.py as a user would, with `--backend` when given."""
    script = ROOT / "examples" / f"{name.removesuffix('_odd')}.py"
    command = [sys.executable, str(script), *args, *(["--backend", backend] if backend else [])]
    environment = {k: v for k, v in os.environ.items() if k != "KHAL_BACKEND"} | env
    environment.setdefault("KHAL_SPIRV_VALIDATE", "1")  # every SPIR-V module webgpu loads, through spirv-val
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment, cwd=ROOT)


def test_every_example_is_run_here() -> None:
    scripts = {p.stem for p in (ROOT / "examples").glob("*.py")} - {"common"}
    assert scripts == {name.removesuffix("_odd") for name in EXAMPLES}


@pytest.mark.parametrize("backend", available_backends())
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_example_runs_and_matches_numpy(name: str, backend: str) -> None:
    args, check = EXAMPLES[name]
    result = run_example(name, args, backend)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f" on {backend}" in result.stdout  # it ran on the backend --backend asked for
    assert check in result.stdout
    if name != "add_assign":  # the demo prints the IR instead of a time
        assert TIMED.search(result.stdout), result.stdout


def test_khal_backend_picks_the_default() -> None:
    result = run_example("saxpy", ["1000"], KHAL_BACKEND="cpu-parallel")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "saxpy on cpu-parallel:" in result.stdout


def test_an_unknown_backend_is_a_usage_error() -> None:
    result = run_example("saxpy", ["1000"], "tpu")
    assert result.returncode == 2 and "invalid choice: 'tpu'" in result.stderr


def test_nbody_times_every_step() -> None:
    result = run_example("nbody", ["100", "3"], "cpu")
    assert result.returncode == 0, result.stdout + result.stderr
    for step in range(3):
        assert f"  step {step}: " in result.stdout


def read_png(path: Path) -> tuple[int, int, np.ndarray]:
    """(width, height, pixels) of an 8-bit grayscale PNG, every chunk's CRC checked."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color) == (8, 0) and b"IEND" in chunks
    rows = zlib.decompress(chunks[b"IDAT"])
    assert len(rows) == height * (width + 1) and all(rows[y * (width + 1)] == 0 for y in range(height))
    pixels = np.frombuffer(rows, np.uint8).reshape(height, width + 1)[:, 1:]
    return width, height, pixels


def test_mandelbrot_writes_a_png_only_when_asked(tmp_path: Path) -> None:
    image = tmp_path / "m.png"
    result = run_example("mandelbrot", [str(image), "--size", "96x64"], "cpu")
    assert result.returncode == 0, result.stdout + result.stderr
    width, height, pixels = read_png(image)
    assert (width, height) == (96, 64)
    inside = int(re.search(r"pixels inside the set: (\d+)", result.stdout).group(1))  # type: ignore[union-attr]
    assert int((pixels == 0).sum()) == inside  # the set itself is black
    before = set(tmp_path.iterdir())
    assert run_example("mandelbrot", ["--size", "96x64"], "cpu").returncode == 0
    assert set(tmp_path.iterdir()) == before and not list(ROOT.glob("*.png"))


# --------------------------------------------------------------------------- the docs' code blocks

DOCS = ROOT / "docs"


def code_blocks(doc: Path, lang: str) -> list[str]:
    """The fenced code blocks of `doc` in language `lang`, in order."""
    return re.findall(rf"```{lang}\n(.*?)```", doc.read_text(), re.S)


def block_after(doc: Path, marker: str) -> str:
    """The first fenced block after the first occurrence of `marker` in `doc`."""
    text = doc.read_text()
    at = text.index(marker)
    found = re.search(r"```\w*\n(.*?)```", text[at:], re.S)
    assert found is not None, f"no code block after {marker!r} in {doc.name}"
    return found.group(1)


def venv_env(**extra: str) -> dict[str, str]:
    """The environment with this interpreter's bin/ first on PATH (khal-opt, lit, filecheck, python)."""
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    return {**os.environ, "PATH": path, **extra}


@pytest.mark.parametrize("backend", ["cpu", "cpu-parallel"])
def test_language_doc_runs_as_one_program(tmp_path: Path, backend: str) -> None:
    # The kernels' source is read from a file, so the blocks run as a script, as a user's would.
    script = tmp_path / "language_doc.py"
    script.write_text("\n\n".join(code_blocks(DOCS / "language.md", "python")))
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=600,
        env=venv_env(KHAL_BACKEND=backend),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "invocation 1 has 1.5" in result.stdout
    assert f"{script}:" in result.stdout and "^~~~~~~~" in result.stdout  # the CompileError, located


def test_passes_doc_python_and_shell_blocks_run(tmp_path: Path) -> None:
    doc = DOCS / "passes.md"
    script = tmp_path / "inspect_stages.py"
    script.write_text(block_after(doc, "From Python, any stage"))
    env = venv_env(KHAL_BACKEND="cpu", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "func.func @add_assign" in result.stdout and 'target triple = "' in result.stdout
    # The shell blocks that need no extra pass, run from the repository root as the page says; the dump
    # folder starts empty, so only this run's stages are counted.
    shutil.rmtree("/tmp/khal-dump", ignore_errors=True)
    for block in code_blocks(doc, "sh"):
        if "dedup-barriers" in block:
            continue
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=ROOT,
            env=env,
        )
        assert result.returncode == 0, block + result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    dumped = sorted(p.name for p in Path("/tmp/khal-dump").glob("add_assign.cpu.*"))
    last = len(stages("cpu")) - 1  # the dump numbers every stage: the frontend's, each pass, the target's
    assert "add_assign.cpu.00-khal.mlir" in dumped and f"add_assign.cpu.{last:02d}-llvm-opt.ll" in dumped


def test_passes_doc_worked_example_pass(tmp_path: Path) -> None:
    """Build the page's pass in a scratch copy of khal/, then run its khal-opt command and lit test."""
    doc = DOCS / "passes.md"
    shutil.copytree(ROOT / "khal", tmp_path / "khal", ignore=shutil.ignore_patterns("__pycache__"))
    passes = tmp_path / "khal" / "passes"
    (passes / "dedup_barriers.py").write_text(block_after(doc, "`khal/passes/dedup_barriers.py`:"))
    registry = (passes / "__init__.py").read_text()
    factory = block_after(doc, "Register it in `khal/passes/__init__.py`")
    entry = block_after(doc, "inside `KHAL_PASSES = {...}`")
    head = re.search(r"KHAL_PASSES: dict\[.*?\] = \{\n", registry)
    assert head is not None, "khal/passes/__init__.py no longer has the KHAL_PASSES dict the page describes"
    registry = registry[: head.start()] + factory + "\n\n" + head.group(0) + entry + registry[head.end() :]
    (passes / "__init__.py").write_text(registry)

    env = venv_env(PYTHONPATH=str(tmp_path), KHAL_NO_CACHE="1")
    shell = [b for b in code_blocks(doc, "sh") if "dedup-barriers" in b]
    assert len(shell) == 2, shell  # the khal-opt command and the lit command

    (tmp_path / "barriers.mlir").write_text(block_after(doc, "With `barriers.mlir`:"))
    result = subprocess.run(
        ["bash", "-c", shell[0]], capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == block_after(doc, "\nprints\n").strip()

    test = tmp_path / "tests" / "filecheck" / "passes" / "dedup-barriers.mlir"
    test.parent.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "filecheck" / "lit.cfg.py", test.parent.parent)
    test.write_text(block_after(doc, "`tests/filecheck/passes/dedup-barriers.mlir`:"))
    result = subprocess.run(
        ["bash", "-c", shell[1]], capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed: 1" in result.stdout
