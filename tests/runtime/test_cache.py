"""The compile cache: memory, then disk; a disk hit rebuilds the CPU artifact without importing xDSL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from runtime_kernels import add_assign

import khal
from khal.cache import CACHE
from khal.compiler import PIPELINES, compile_kernel, stages

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import khal, khal.std as ks
    from khal import Array, f32

    @khal.kernel
    def add_assign(a: Array[f32], b: Array[f32]):
        tid = ks.global_invocation_id().x
        if tid < len(a):
            a[tid] += b[tid]

    a = np.arange(100, dtype=np.float32)
    khal.launch(add_assign, 100, a, np.ones(100, np.float32), backend=khal.Cpu())
    assert (a == np.arange(100) + 1).all(), a
    print("xdsl" in sys.modules)
    """
)


def run_script(env: dict[str, str], where: Path) -> str:
    """Run SCRIPT in a new process (from a file: khal reads kernel source)."""
    root = Path(khal.__file__).parent.parent
    script = where / "script.py"
    script.write_text(SCRIPT)
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=root,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("KHAL_")}, **env},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_disk_hit_needs_no_xdsl(tmp_path: Path) -> None:
    env = {"KHAL_CACHE_DIR": str(tmp_path / "cache")}
    assert run_script(env, tmp_path) == "True"  # compiled: the compiler ran
    assert len(list((tmp_path / "cache").glob("*.pkl"))) == 1
    assert run_script(env, tmp_path) == "False"  # loaded from disk: llvmlite only


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    assert run_script({"KHAL_CACHE_DIR": str(tmp_path / "cache"), "KHAL_NO_CACHE": "1"}, tmp_path) == "True"
    assert not (tmp_path / "cache").exists()


def test_memory_cache_and_dump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KHAL_NO_CACHE", raising=False)
    monkeypatch.setenv("KHAL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KHAL_DUMP_IR", str(tmp_path / "dump"))
    CACHE.clear_memory()
    first = compile_kernel(add_assign, "cpu")
    assert compile_kernel(add_assign, "cpu") is first
    assert first.written == (True, False)
    dumped = sorted(p.name for p in (tmp_path / "dump").iterdir())
    assert len(dumped) == len(stages("cpu"))
    assert (
        dumped[0] == "add_assign.cpu.00-khal.mlir"
        and dumped[-1] == f"add_assign.cpu.{len(dumped) - 1:02d}-llvm-opt.ll"
    )
    assert "khal.kernel" in (tmp_path / "dump" / dumped[0]).read_text()
    assert "add_assign__entry" in (tmp_path / "dump" / dumped[-1]).read_text()


def test_pipeline_matches_the_llvm_target() -> None:
    from khal.passes import LLVM_LOWERING
    from khal.targets import llvm

    assert llvm.LLVM_LOWERING == LLVM_LOWERING
    assert PIPELINES["cpu"][-len(LLVM_LOWERING) :] == LLVM_LOWERING


def test_ir_at_every_stage() -> None:
    assert "khal.kernel" in add_assign.ir(target="cpu", stage="khal")
    after_loops = add_assign.ir(target="cpu", stage="khal-cpu-workgroup-loops")
    assert "khal.kernel" not in after_loops and "func.func" in after_loops
    assert "llvm.func" in add_assign.ir(target="cpu", stage=PIPELINES["cpu"][-1])
    assert "define" in add_assign.ir(target="cpu", stage="llvm")
    assert "add_assign__entry" in add_assign.llvm_ir()
    with pytest.raises(ValueError, match="unknown stage"):
        add_assign.ir(target="cpu", stage="nope")
    with pytest.raises(NotImplementedError, match="not built yet"):
        add_assign.ptx()
