"""The compile cache: memory, then disk; a disk hit rebuilds the CPU artifact without importing xDSL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from runtime_kernels import add_assign

import khal
from khal.cache import CACHE, ENTRY_SUFFIX, MAGIC, CacheWarning, decode_entry, encode_entry
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
    assert len(list((tmp_path / "cache").glob(f"*{ENTRY_SUFFIX}"))) == 1
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
    assert ".entry add_assign" in add_assign.ptx()
    assert add_assign.spirv()[:4] == b"\x03\x02\x23\x07"  # the SPIR-V magic number


# A child process runs the damage tests: a damaged entry that got past the checks could crash it.
DAMAGE_SCRIPT = textwrap.dedent(
    """
    import os, sys, warnings
    from pathlib import Path
    import numpy as np
    import khal, khal.std as ks
    from khal import Array, f32
    from khal.cache import CACHE, CacheWarning

    @khal.kernel
    def saxpy(y: Array[f32], x: Array[f32], alpha: f32):
        i = ks.global_invocation_id().x
        if i < len(y):
            y[i] = alpha * x[i] + y[i]

    rng = np.random.default_rng(int(sys.argv[2]))

    def run_once():
        # A fresh backend and an empty memory cache: the disk entry is read again.
        CACHE.clear_memory()
        y, x = rng.random(300, dtype=np.float32), rng.random(300, dtype=np.float32)
        expected = np.float32(2.5) * x + y
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            khal.launch(saxpy, 300, y, x, np.float32(2.5), backend=khal.Cpu())
        np.testing.assert_allclose(y, expected, rtol=1e-6)
        return [w for w in caught if issubclass(w.category, CacheWarning)]

    def entries():
        return [p for p in Path(os.environ["KHAL_CACHE_DIR"]).iterdir()]

    def check_damaged(what, put):
        (path,) = entries()
        path.unlink()
        put(path)
        found = run_once()
        assert len(found) == 1, (what, [str(w.message) for w in found])
        assert str(path) in str(found[0].message), found[0].message
        assert entries() == [path] and path.is_file(), (what, entries())  # rewritten, nothing leaked
        assert run_once() == [], what  # the rewritten entry is good

    assert run_once() == []
    (path,) = entries()
    good = path.read_bytes()
    if sys.argv[1] == "bytes":
        # Every region: the magic, the version and lengths, the JSON, the IR and object code, the digest.
        n = len(good)
        positions = sorted({*range(40), *rng.integers(0, n, 50).tolist(), *range(n - 8, n)})
        for pos in positions:
            damaged = bytearray(good)
            damaged[pos] ^= int(rng.integers(1, 256))
            check_damaged(f"byte {pos}", lambda p, d=bytes(damaged): p.write_bytes(d))
        cuts = sorted({0, 1, 10, 20, 30, n // 2, n - 33, n - 1, *rng.integers(0, n, 12).tolist()})
        for cut in cuts:
            check_damaged(f"cut {cut}", lambda p, c=cut: p.write_bytes(good[:c]))
        check_damaged("appended", lambda p: p.write_bytes(good + b"x"))
        print(len(positions) + len(cuts) + 1)
    else:
        check_damaged("fifo", lambda p: os.mkfifo(p))
        check_damaged("empty directory", lambda p: p.mkdir())
        # A directory with files in it is left alone: each run warns and compiles, and leaks nothing.
        path.unlink()
        path.mkdir()
        (path / "mine").write_text("keep")
        for _ in range(2):
            assert len(run_once()) == 1
            assert entries() == [path] and (path / "mine").read_text() == "keep", entries()
        print("ok")
    """
)


def run_damage(tmp_path: Path, mode: str) -> str:
    """Run DAMAGE_SCRIPT in `mode` in a child process with its own cache directory."""
    script = tmp_path / "damage.py"
    script.write_text(DAMAGE_SCRIPT)
    seed = int(np.random.SeedSequence().entropy) % 2**32  # type: ignore[arg-type]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHAL_")}
    env["KHAL_CACHE_DIR"] = str(tmp_path / "cache")
    out = subprocess.run(
        [sys.executable, str(script), mode, str(seed)],
        capture_output=True,
        text=True,
        cwd=Path(khal.__file__).parent.parent,
        env=env,
        timeout=240,
    )
    assert out.returncode == 0, f"seed {seed}, exit {out.returncode}:\n{out.stderr[-3000:]}"
    return out.stdout.strip()


def test_every_damaged_entry_is_detected_and_recompiled(tmp_path: Path) -> None:
    assert int(run_damage(tmp_path, "bytes")) >= 80


def test_fifo_or_directory_in_place_of_an_entry(tmp_path: Path) -> None:
    assert run_damage(tmp_path, "special") == "ok"


def test_entries_hold_data_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry is the documented data format; a pickle in its place is rejected, never unpickled."""
    import pickle

    monkeypatch.delenv("KHAL_NO_CACHE", raising=False)
    monkeypatch.setenv("KHAL_CACHE_DIR", str(tmp_path))
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, ...]:
            return (Path.write_text, (marker, "ran"))

    key = "0" * 64
    CACHE.path(key).write_bytes(pickle.dumps({"format": 1, "x": Evil()}))
    with pytest.warns(CacheWarning, match="not a khal cache entry"):
        assert CACHE.load(key) is None
    assert not marker.exists() and not CACHE.path(key).exists()
    CACHE.store(key, {"a": [1, 2.5, None, {"b": True}], "s": "é", "blob": b"\x00\xff", "empty": b""})
    data = CACHE.path(key).read_bytes()
    assert data.startswith(MAGIC) and b"pickle" not in data
    assert CACHE.load(key) == {"a": [1, 2.5, None, {"b": True}], "s": "é", "blob": b"\x00\xff", "empty": b""}
    assert list(tmp_path.iterdir()) == [CACHE.path(key)]  # no temporary file left


def test_entry_contract_is_enforced() -> None:
    """Records are str keys -> JSON values or top-level bytes; anything else is refused at store."""
    rng = np.random.default_rng()
    blob = rng.bytes(100)
    record = {"n": int(rng.integers(0, 2**62)), "x": float(rng.random()), "l": ["a", [1]], "b": blob}
    assert decode_entry("k", encode_entry("k", record)) == record
    with pytest.raises(TypeError):
        encode_entry("k", {"nested": [b"bytes"]})
    with pytest.raises(TypeError):
        encode_entry("k", {"dtype": np.dtype(np.float32)})
    with pytest.raises(ValueError):
        encode_entry("k", {"nan": float("nan")})
    with pytest.raises(ValueError, match="another key"):
        decode_entry("other", encode_entry("k", record))
