"""Issue 11's frontend items: odd but legal source compiles (and runs right), bad source is a located error.

Each kernel here is written to a file of its own (khal compiles source files) and imported; kernels
that could kill the process before the fix run in a child process.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import khal
import khal.std as ks
from khal import Array, f16, f32, f64

HEADER = "import khal\nimport khal.std as ks\nfrom khal import Array, bool_, f16, f32, f64, i32, u32\n\n"
_counter = itertools.count()


def load(tmp_path: Path, source: str, name: str = "k") -> Any:
    """Import `source` (after the common imports) from a new file and return its object `name`."""
    path = tmp_path / f"kern_{next(_counter)}.py"
    path.write_text(HEADER + source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def run_cpu(kernel: Any, grid: int, *args: Any) -> None:
    """Run `kernel` once on the CPU backend (numpy arrays are copied back)."""
    khal.launch(kernel, grid, *args, backend=khal.Cpu())


def run_child(tmp_path: Path, script: str) -> str:
    """Run `script` in a fresh interpreter (a crash fails the test, not the suite); its stdout."""
    path = tmp_path / f"child_{next(_counter)}.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    env = {**os.environ, "KHAL_NO_CACHE": "1"}
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, f"exit {out.returncode}\n{out.stdout}\n{out.stderr[-3000:]}"
    return out.stdout


def assert_located(err: khal.CompileError, *parts: str) -> None:
    """`err` reads `file:line:col: error: ...` and mentions every part."""
    header = str(err).splitlines()[0]
    assert header.startswith(f"{err.filename}:{err.line}:{err.col}: error: "), header
    for part in parts:
        assert part in err.message, f"{part!r} not in {err.message!r}"


# --------------------------------------------------------------------------- item 6 (issue 6): wrappers


def documented(a: Array[f32]):
    """Doubles a."""


def test_kernel_and_func_objects_look_like_their_functions() -> None:
    k = khal.kernel(documented)
    f = khal.func(documented)
    for obj in (k, f):
        assert obj.__name__ == "documented"
        assert obj.__qualname__ == "documented"
        assert obj.__doc__ == "Doubles a."
        assert obj.__module__ == __name__
        assert obj.__wrapped__ is documented


# --------------------------------------------------------------------------- item 8: workgroup_size


@pytest.mark.parametrize("size", [2**31, 2**32, 1025, (32, 33), (1, 1, 65), (2, 2, 257)])
def test_workgroup_size_too_large(size: Any) -> None:
    with pytest.raises(ValueError, match="workgroup"):
        khal.kernel(workgroup_size=size)


@pytest.mark.parametrize("size", [0, -1, (4, 0), (1, 1, -2)])
def test_workgroup_size_dimensions_at_least_one(size: Any) -> None:
    with pytest.raises(ValueError, match=">= 1"):
        khal.kernel(workgroup_size=size)


@pytest.mark.parametrize("size", [2.0, "64", True, (8, 8.0), None, ()])
def test_workgroup_size_ints_only(size: Any) -> None:
    with pytest.raises(TypeError, match="workgroup_size"):
        khal.kernel(workgroup_size=size)


def test_workgroup_size_limits_accepted() -> None:
    assert khal.kernel(workgroup_size=1024)(documented).workgroup_size == (1024, 1, 1)
    assert khal.kernel(workgroup_size=(16, 4, 16))(documented).workgroup_size == (16, 4, 16)
    assert khal.kernel(workgroup_size=np.int64(32))(documented).workgroup_size == (32, 1, 1)


def test_positional_workgroup_size_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match=r"@khal.kernel\(workgroup_size=64\)"):
        khal.kernel(64)  # type: ignore[call-overload]


# --------------------------------------------------------------------------- item 4: identifiers


def test_non_ascii_identifiers(tmp_path: Path) -> None:
    k = load(
        tmp_path,
        "@khal.func\n"
        "def 缩放(α: f32) -> f32:\n"
        "    return α * 2.0\n\n"
        "@khal.kernel\n"
        "def 核(a: Array[f32]):\n"
        "    i = ks.global_invocation_id().x\n"
        "    if i < len(a):\n"
        "        Σ_total = a[i] + 1.0\n"
        "        变量 = 缩放(Σ_total)\n"
        "        a[i] = 变量\n",
        "核",
    )
    a = np.random.default_rng(0).standard_normal(100).astype(np.float32)
    out = a.copy()
    run_cpu(k, len(a), out)
    np.testing.assert_allclose(out, (a + 1) * 2, rtol=1e-6)
    assert k.__name__ == "核"


def test_identifiers_of_1024_characters_and_more(tmp_path: Path) -> None:
    long = "v" * 1100
    k = load(
        tmp_path,
        "@khal.kernel(workgroup_size=1)\n"
        "def k(a: Array[f32]):\n"
        f"    {long}a = a[0] + 1.0\n"
        f"    {long}b = {long}a * 3.0\n"
        f"    a[0] = {long}b + {long}a\n",
    )
    a = np.random.default_rng(1).standard_normal(4).astype(np.float32)
    out = a.copy()
    run_cpu(k, 1, out)
    assert out[0] == np.float32((a[0] + 1) * 3 + (a[0] + 1))


# --------------------------------------------------------------------------- item 5: float literals


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("a[0] = 1e39", "f32"),
        ("a[0] = f32(1e39)", "f32"),
        ("a[0] = a[1] * -1e39", "f32"),
        ("h[0] = h[1] + 70000.0", "f16"),
        ("h[0] = f16(65520.0)", "f16"),
        ("h[0] = f16(100000)", "f16"),
        ("a[0] = f32(10 ** 400)", "f32"),
        ("d[0] = f64(10 ** 400)", "f64"),
    ],
)
def test_float_literal_out_of_range(tmp_path: Path, body: str, what: str) -> None:
    k = load(tmp_path, f"@khal.kernel\ndef k(a: Array[f32], h: Array[f16], d: Array[f64]):\n    {body}\n")
    with pytest.raises(khal.CompileError) as info:
        k.module()
    assert_located(info.value, "does not fit", what)
    assert info.value.line == 7


def test_float_literals_at_the_limits_compile(tmp_path: Path) -> None:
    k = load(
        tmp_path,
        "import math\n\n"
        "@khal.kernel\n"
        "def k(a: Array[f32], h: Array[f16]):\n"
        "    a[0] = 3.4028234e38\n"
        "    a[1] = math.inf\n"
        "    h[0] = f16(65504.0)\n"
        "    h[1] = f16(65519.0)\n",  # rounds to 65504, as numpy's float16(65519.0)
    )
    a, h = np.zeros(2, np.float32), np.zeros(2, np.float16)
    run_cpu(k, 1, a, h)
    assert a[0] == np.float32(3.4028234e38) and np.isposinf(a[1])
    assert h[0] == np.float16(65504.0) and h[1] == np.float16(65519.0)


# --------------------------------------------------------------------------- item 6: long code


def _run_one(k: Any, a: np.ndarray, grid: int = 1) -> np.ndarray:
    out = a.copy()
    run_cpu(k, grid, out)
    return out


def test_elif_chain_of_200_branches(tmp_path: Path) -> None:
    branches = "".join(f"    elif i == {j}:\n        a[i] = a[i] * {j}.0\n" for j in range(1, 200))
    k = load(
        tmp_path,
        "@khal.kernel\ndef k(a: Array[f32]):\n    i = ks.global_invocation_id().x\n"
        "    if i >= len(a):\n        return\n"
        "    elif i == 0:\n        a[i] = -1.0\n" + branches + "    else:\n        a[i] = 7.0\n",
    )
    a = np.random.default_rng(2).standard_normal(256).astype(np.float32)
    ref = a.copy()
    ref[0] = -1.0
    ref[1:200] *= np.arange(1, 200, dtype=np.float32)
    ref[200:] = 7.0
    np.testing.assert_array_equal(_run_one(k, a, len(a)), ref)


def test_too_deep_nesting_is_a_located_error(tmp_path: Path) -> None:
    branches = "".join(f"    elif a[0] == {j}.0:\n        a[1] = {j}.0\n" for j in range(1, 300))
    k = load(
        tmp_path, "@khal.kernel\ndef k(a: Array[f32]):\n    if a[0] == 0.0:\n        a[1] = 0.0\n" + branches
    )
    with pytest.raises(khal.CompileError) as info:
        k.module()
    assert_located(info.value, "nests more than 256 blocks")


def test_sum_of_700_terms(tmp_path: Path) -> None:
    k = load(
        tmp_path,
        "@khal.kernel(workgroup_size=1)\ndef k(a: Array[f32]):\n    a[0] = "
        + " + ".join(f"a[{j % 7}]" for j in range(700))
        + "\n",
    )
    a = np.random.default_rng(3).integers(-8, 8, 8).astype(np.float32)  # integers: the sum is exact
    assert _run_one(k, a)[0] == a[:7].sum() * 100


def test_500_unary_operators(tmp_path: Path) -> None:
    k = load(
        tmp_path,
        "@khal.kernel(workgroup_size=1)\ndef k(a: Array[f32], n: Array[i32]):\n"
        f"    a[0] = {'-' * 501}a[1]\n    n[0] = {'~' * 500}n[1]\n    n[2] = i32({'not ' * 499}n[1])\n",
    )
    a = np.array([0.0, 2.5], np.float32)
    n = np.array([0, 5, 9], np.int32)
    run_cpu(k, 1, a, n)
    assert a[0] == -2.5 and n[0] == 5 and n[2] == 0


def test_long_comparison_chain(tmp_path: Path) -> None:
    # 500 terms (1000 compile too, in about a minute on a loaded machine: the passes dominate)
    chain = " < ".join(f"a[{j}]" for j in range(500))
    k = load(tmp_path, f"@khal.kernel\ndef k(a: Array[f32], out: Array[i32]):\n    out[0] = i32({chain})\n")
    a = np.arange(500, dtype=np.float32)
    out = np.zeros(1, np.int32)
    run_cpu(k, 1, a, out)
    assert out[0] == 1
    a[377] = -1.0
    run_cpu(k, 1, a, out)
    assert out[0] == 0


def test_comparison_chain_short_circuits(tmp_path: Path) -> None:
    # a guarded chain: i < len(a) must stop the later loads when false (like `and`)
    k = load(
        tmp_path,
        "@khal.kernel\ndef k(a: Array[f32], out: Array[i32], n: u32):\n"
        "    i = ks.global_invocation_id().x\n"
        "    if i < len(out):\n"
        "        out[i] = i32(0 <= i < n < u32(len(a)) > i and a[i] < a[i + 1] <= a[i + 2] < 100.0)\n",
    )
    rng = np.random.default_rng(4)
    a = rng.uniform(0, 120, 40).astype(np.float32)
    out = np.zeros(40, np.int32)
    run_cpu(k, 40, a, out, np.uint32(38))
    i = np.arange(40)
    ref = np.zeros(40, bool)
    ok = i < 38
    ref[ok] = (a[i[ok]] < a[i[ok] + 1]) & (a[i[ok] + 1] <= a[i[ok] + 2]) & (a[i[ok] + 2] < 100)
    np.testing.assert_array_equal(out, ref.astype(np.int32))


def test_100_chained_funcs(tmp_path: Path) -> None:
    funcs = "".join(
        f"@khal.func\ndef g{j}(x: f32) -> f32:\n    return g{j - 1}(x) + 1.0\n\n" for j in range(1, 100)
    )
    k = load(
        tmp_path,
        "@khal.func\ndef g0(x: f32) -> f32:\n    return x\n\n" + funcs + "@khal.kernel\n"
        "def k(a: Array[f32]):\n    if ks.global_invocation_id().x == 0:\n        a[0] = g99(a[0])\n",
    )
    assert _run_one(k, np.array([0.5], np.float32))[0] == 99.5


def test_300_early_returns(tmp_path: Path) -> None:
    ifs = "".join(f"    if a[i] == {j}.0:\n        a[i] = -{j}.0\n        return\n" for j in range(300))
    k = load(
        tmp_path,
        "@khal.kernel\ndef k(a: Array[f32]):\n    i = ks.global_invocation_id().x\n"
        "    if i >= len(a):\n        return\n" + ifs + "    a[i] = 1000.0\n",
    )
    a = np.random.default_rng(5).integers(0, 400, 512).astype(np.float32)
    ref = np.where(a < 300, -a, 1000.0).astype(np.float32)
    np.testing.assert_array_equal(_run_one(k, a, len(a)), ref)


def test_many_breaks_in_a_loop(tmp_path: Path) -> None:
    # more than 8 exits in one statement list: the flat guards keep `break`/`continue` semantics
    exits = "".join(
        f"        if a[j] == {v}.0:\n            {'break' if v % 2 else 'continue'}\n        acc += {v}.0\n"
        for v in range(12)
    )
    k = load(
        tmp_path,
        "@khal.kernel\ndef k(a: Array[f32], out: Array[f32]):\n    acc = 0.0\n    for j in range(len(a)):\n"
        + exits
        + "        acc += a[j]\n    out[0] = acc\n",
    )
    a = np.random.default_rng(6).integers(0, 20, 64).astype(np.float32)
    out = np.zeros(1, np.float32)
    run_cpu(k, 1, a, out)
    acc = 0.0
    for x in a:
        stop = False
        skip = False
        for v in range(12):
            if x == v:
                stop, skip = v % 2 == 1, v % 2 == 0
                break
            acc += v
        if stop:
            break
        if skip:
            continue
        acc += x
    assert out[0] == acc


# --------------------------------------------------------------------------- item 7: column-0 lines


def test_kernel_in_a_function_with_column_0_lines(tmp_path: Path) -> None:
    make = load(
        tmp_path,
        "def make():\n"
        '    """A docstring\n'
        'with a line at column 0."""\n\n'
        "    @khal.kernel\n"
        "    def k(a: Array[f32]):\n"
        "        x = 1.0 + \\\n"
        "2.0\n"
        '        s = """\n'
        'text at column 0\n"""\n'
        "        a[0] = x\n"
        "        a[1] = undefined_name\n"
        "    return k\n",
        "make",
    )
    with pytest.raises(khal.CompileError) as info:
        make().module()
    err = info.value
    assert_located(err, "unknown name 'undefined_name'")
    assert (err.line, err.col) == (17, 16)  # the file's own line and column


# --------------------------------------------------------------------------- item 8 (issue 11 item 10): f16


F16_SCRIPT = """
import numpy as np, khal, khal.std as ks
from khal import Array, f16, f64

@khal.kernel
def conv(a: Array[f64], b: Array[f16]):
    i = ks.global_invocation_id().x
    if i < len(a):
        b[i] = f16(a[i])

rng = np.random.default_rng(7)
h = rng.standard_normal(20000) * 10.0 ** rng.integers(-9, 6, 20000)
grid = np.frombuffer(np.arange(0, 0x7C00, dtype=np.uint16).tobytes(), np.float16).astype(np.float64)
ties = (grid[:-1] + grid[1:]) / 2  # exactly halfway: round to even; one ulp off: the nearer
edges = [0.0, -0.0, np.inf, -np.inf, np.nan, 65504.0, 65519.99, 65520.0, 1e300, 5e-324, 2.0**-24, 2.0**-25]
a = np.concatenate([h, -h, ties, -ties, np.nextafter(ties, 0), np.nextafter(ties, np.inf), edges])
b = np.zeros(len(a), np.float16)
khal.launch(conv, len(a), a, b, backend=khal.Cpu())
with np.errstate(over="ignore"):
    ref = a.astype(np.float16)
same = (b.view(np.uint16) == ref.view(np.uint16)) | (np.isnan(b) & np.isnan(ref))
print("mismatches", int((~same).sum()))
"""


def test_f64_to_f16_is_correctly_rounded(tmp_path: Path) -> None:
    assert "mismatches 0" in run_child(tmp_path, F16_SCRIPT)


F16_MATH_SCRIPT = """
import numpy as np, khal, khal.std as ks
from khal import Array, f16

@khal.kernel
def fns(a: Array[f16], b: Array[f16], out: Array[f16]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        out[i * 7 + 0] = ks.tan(x)
        out[i * 7 + 1] = ks.asin(y)
        out[i * 7 + 2] = ks.acos(y)
        out[i * 7 + 3] = ks.atan(x)
        out[i * 7 + 4] = ks.tanh(x)
        out[i * 7 + 5] = ks.atan2(x, y)
        out[i * 7 + 6] = ks.fma(x, y, x)

rng = np.random.default_rng(8)
n = 4000
a = (rng.standard_normal(n) * 3).astype(np.float16)
b = rng.uniform(-1, 1, n).astype(np.float16)
out = np.zeros(7 * n, np.float16)
khal.launch(fns, n, a, b, out, backend=khal.Cpu())
A, B = a.astype(np.float64), b.astype(np.float64)
refs = [np.tan(A), np.arcsin(B), np.arccos(B), np.arctan(A), np.tanh(A), np.arctan2(A, B), A * B + A]
got = out.reshape(n, 7).astype(np.float64)
for k, r in enumerate(refs):
    r16 = r.astype(np.float16).astype(np.float64)
    ulp = np.spacing(np.abs(r.astype(np.float16))).astype(np.float64)
    print(k, int((np.abs(got[:, k] - r16) > ulp).sum()))
"""


def test_f16_math_runs_on_the_cpu(tmp_path: Path) -> None:
    lines = run_child(tmp_path, F16_MATH_SCRIPT).split("\n")
    counts = [int(line.split()[1]) for line in lines if line]
    assert counts == [0] * 7, lines  # every result within one f16 ulp of numpy's, rounded


# --------------------------------------------------------------------------- item 11: bool_, workgroup args


def test_bool_workgroup_array_and_struct_field(tmp_path: Path) -> None:
    k = load(
        tmp_path,
        "@khal.struct\nclass S:\n    flag: bool_\n    x: f32\n    g: bool_\n\n"
        "@khal.kernel(workgroup_size=8)\n"
        "def k(a: Array[f32], s: Array[S], p: S):\n"
        "    i = ks.local_invocation_id().x\n"
        "    g = ks.global_invocation_id().x\n"
        "    m = ks.workgroup_array(bool_, 8)\n"
        "    m[i] = a[g] > 0.0\n"
        "    ks.workgroup_barrier()\n"
        "    t = S(flag=m[7 - i], x=a[g])\n"
        "    t.g = not p.g and m[i]\n"
        "    s[g] = t\n",
    )
    S = k.pyfunc.__globals__["S"]
    assert S.dtype.itemsize == 12 and S.dtype.fields["g"][1] == 8  # numpy's aligned layout, a byte per bool
    a = np.random.default_rng(9).standard_normal(32).astype(np.float32)
    s = np.zeros(32, S.dtype)
    p = np.zeros((), S.dtype)
    run_cpu(k, 32, a, s, p[()])
    pos = (a > 0).reshape(4, 8)
    np.testing.assert_array_equal(s["flag"], pos[:, ::-1].ravel())
    np.testing.assert_array_equal(s["g"], pos.ravel())
    np.testing.assert_array_equal(s["x"], a)


def test_workgroup_array_passed_to_funcs(tmp_path: Path) -> None:
    k = load(
        tmp_path,
        "@khal.func\ndef total(buf: Array[f32], n: u32) -> f32:\n"
        "    acc = 0.0\n    for j in range(n):\n        acc += buf[j]\n    return acc\n\n"
        "@khal.func\ndef put(buf: Array[f32], i: u32, v: f32):\n    buf[i] = v\n\n"
        "@khal.func\ndef put_twice(buf: Array[f32], i: u32, v: f32):\n    put(buf, i, v * 2.0)\n\n"
        "@khal.kernel(workgroup_size=16)\n"
        "def k(a: Array[f32], out: Array[f32]):\n"
        "    i = ks.local_invocation_id().x\n"
        "    g = ks.global_invocation_id().x\n"
        "    tile = ks.workgroup_array(f32, 16)\n"
        "    put_twice(tile, i, a[g])\n"
        "    ks.workgroup_barrier()\n"
        "    out[g] = total(tile, u32(len(tile))) + total(a, u32(2))\n",
    )
    a = np.random.default_rng(10).integers(-50, 50, 64).astype(np.float32)
    out = np.zeros(64, np.float32)
    run_cpu(k, 64, a, out)
    np.testing.assert_array_equal(out, np.repeat(2 * a.reshape(4, 16).sum(1), 16) + a[:2].sum())


def test_workgroup_array_of_another_type_is_rejected(tmp_path: Path) -> None:
    k = load(
        tmp_path,
        "@khal.func\ndef first(buf: Array[f32]) -> f32:\n    return buf[0]\n\n"
        "@khal.kernel\ndef k(a: Array[f32]):\n"
        "    tile = ks.workgroup_array(u32, 4)\n    a[0] = first(tile)\n",
    )
    with pytest.raises(khal.CompileError) as info:
        k.module()
    assert_located(info.value, "must be an Array[f32]")


_ = (ks, f16, f32, f64)  # the kernels above import these by name
