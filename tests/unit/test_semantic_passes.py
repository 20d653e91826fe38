"""The target-neutral semantics passes of the common prefix, end to end on the CPU.

- `khal-expand-arith`: division by zero, `INT_MIN // -1`, shifts by the width or more and
  float-to-int conversions out of range or NaN give khal's (WGSL's) results, run on random inputs.
- `khal-verify-uniformity`: the common prefix alone rejects a divergent barrier, at its source line.
- `khal-inline`: recursion is a located CompileError; inlined kernels compute what the calls did.
- `convert-khal-print-to-llvm`: unsigned integers print unsigned (a child process's stdout).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import khal
import khal.std as ks
from khal import Array, f32, i32, u32
from khal.passes import COMMON_PREFIX, get_pass

I32_MIN = -(2**31)


@khal.kernel
def int_edges(a: Array[i32], b: Array[i32], s: Array[u32], out: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        out[i * 4] = a[i] // b[i]
        out[i * 4 + 1] = a[i] % b[i]
        out[i * 4 + 2] = a[i] << i32(s[i])
        out[i * 4 + 3] = a[i] >> i32(s[i])


@khal.kernel
def uint_edges(a: Array[u32], b: Array[u32], out: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        out[i * 2] = a[i] // b[i]
        out[i * 2 + 1] = a[i] % b[i]


@khal.kernel
def float_to_int(f: Array[f32], out_i: Array[i32], out_u: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(f):
        out_i[i] = i32(f[i])
        out_u[i] = u32(f[i])


def test_division_by_zero_and_wide_shifts_follow_wgsl() -> None:
    rng = np.random.default_rng(11)
    n = 2000
    a = rng.integers(-(2**31), 2**31, n, dtype=np.int32)
    b = rng.integers(-4, 5, n, dtype=np.int32)  # many zeros and -1s
    a[:200:2] = I32_MIN
    s = rng.integers(0, 100, n, dtype=np.uint32)
    out = np.zeros(n * 4, np.int32)
    khal.launch(int_edges, n, a, b, s, out, backend=khal.Cpu())
    got = out.reshape(-1, 4)
    bad = (b == 0) | ((a == I32_MIN) & (b == -1))
    d = np.where(bad, 1, b).astype(np.int64)
    shift = (s & 31).astype(np.int32)
    with np.errstate(over="ignore"):
        want = [(a // d).astype(np.int32), (a % d).astype(np.int32), a << shift, a >> shift]
    for col, w in enumerate(want):
        np.testing.assert_array_equal(got[:, col], w, err_msg=f"column {col}")


def test_unsigned_division_by_zero() -> None:
    rng = np.random.default_rng(12)
    a = rng.integers(0, 2**32, 1000, dtype=np.uint32)
    b = rng.integers(0, 3, 1000, dtype=np.uint32)
    out = np.zeros(2000, np.uint32)
    khal.launch(uint_edges, 1000, a, b, out, backend=khal.Cpu())
    d = np.where(b == 0, 1, b)
    np.testing.assert_array_equal(out[0::2], a // d)
    np.testing.assert_array_equal(out[1::2], a % d)


def test_float_to_int_saturates_and_nan_is_zero() -> None:
    rng = np.random.default_rng(13)
    edges = [np.nan, np.inf, -np.inf, 3e9, -3e9, 2147483520.0, -2147483648.0, 4294967040.0, -0.5, 0.99]
    f = np.concatenate([edges, rng.standard_normal(1000) * 3e9]).astype(np.float32)
    out_i = np.zeros(len(f), np.int32)
    out_u = np.zeros(len(f), np.uint32)
    khal.launch(float_to_int, len(f), f, out_i, out_u, backend=khal.Cpu())
    t = np.nan_to_num(np.trunc(f.astype(np.float64)), nan=0.0, posinf=2.0**70, neginf=-(2.0**70))
    np.testing.assert_array_equal(out_i, np.clip(t, I32_MIN, 2**31 - 1).astype(np.int64))
    np.testing.assert_array_equal(out_u, np.clip(t, 0, 2**32 - 1).astype(np.int64))


@khal.kernel(workgroup_size=64)
def divergent(a: Array[f32]):
    lid = ks.local_invocation_id().x
    if lid < 16:
        ks.workgroup_barrier()
    a[ks.global_invocation_id().x] = f32(lid)


def test_common_prefix_rejects_a_divergent_barrier() -> None:
    from khal.compiler import _context

    module = divergent.module()
    ran: list[str] = []
    with pytest.raises(khal.CompileError) as info:
        for name in COMMON_PREFIX:
            ran.append(name)
            get_pass(name)().apply(_context(), module)
    assert ran[-1] == "khal-verify-uniformity"
    assert info.value.filename == __file__
    assert "a workgroup barrier is under an 'if' condition" in info.value.message


def test_inline_rejects_recursion_at_the_call() -> None:
    from xdsl.dialects.builtin import ModuleOp
    from xdsl.parser import Parser

    from khal.compiler import _context

    text = """
    func.func private @f(%x: i32) -> i32 {
      %y = func.call @g(%x) : (i32) -> i32 loc("k.py":3:8)
      func.return %y : i32
    }
    func.func private @g(%x: i32) -> i32 {
      %y = func.call @f(%x) : (i32) -> i32 loc("k.py":7:8)
      func.return %y : i32
    }
    """
    module = Parser(_context(), text).parse_module()
    assert isinstance(module, ModuleOp)
    with pytest.raises(khal.CompileError, match="calls itself") as info:
        get_pass("khal-inline")().apply(_context(), module)
    assert info.value.filename == "k.py" and info.value.line in (3, 7)


@khal.func
def clamp01(x: f32) -> f32:
    return ks.min(ks.max(x, 0.0), 1.0)


@khal.func
def blend(a: f32, b: f32, t: f32) -> f32:
    u = clamp01(t)
    return a * (1.0 - u) + b * u


@khal.kernel
def blend_all(a: Array[f32], b: Array[f32], t: Array[f32], out: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        out[i] = blend(a[i], b[i], t[i])


def test_inlined_device_functions_compute_the_same() -> None:
    assert "func.call" not in blend_all.ir(target="cpu", stage="khal-inline").split("khal.kernel")[1]
    rng = np.random.default_rng(14)
    a, b, t = (rng.standard_normal(500).astype(np.float32) for _ in range(3))
    out = np.zeros(500, np.float32)
    khal.launch(blend_all, 500, a, b, t, out, backend=khal.Cpu())
    u = np.clip(t, 0, 1)
    np.testing.assert_allclose(out, a * (np.float32(1) - u) + b * u, rtol=1e-6, atol=1e-6)


def test_print_shows_unsigned_integers_unsigned(tmp_path: Path) -> None:
    script = tmp_path / "show.py"
    script.write_text(
        textwrap.dedent(
            """
            import numpy as np
            import khal
            import khal.std as ks
            from khal import Array, UVec2, i32, i64, u8, u32, u64

            @khal.kernel(workgroup_size=1)
            def show(a: Array[u32], b: Array[u8], c: Array[i32], d: Array[u64], e: Array[i64]):
                print(a[0], b[0], c[0], d[0], e[0], UVec2(a[0], a[1]))

            khal.launch(
                show, 1,
                np.array([4294967295, 7], np.uint32), np.array([255], np.uint8), np.array([-1], np.int32),
                np.array([2**64 - 1], np.uint64), np.array([-5], np.int64), backend=khal.Cpu(),
            )
            """
        )
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"4294967295 255 -1 {2**64 - 1} -5 (4294967295, 7)\n"
