"""Scalar types other than 32-bit on SPIR-V: f16, f64, i64/u64 natively (each records its wgpu feature in
`Interface.requires`), i8/i16/u8/u16/bool in 32-bit registers and packed 32-bit word arrays; every
conversion; math; subgroup ops of every type; the adapter features they need.

Each kernel's module passes `spirv-val --target-env vulkan1.1` and runs through wgpu (lavapipe here)
against numpy on random inputs and edge values, and, for khal's own definitions where numpy has none
(saturating float -> int, division by zero), against the CPU backend.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from math_emulation import exact_fma64
from wgpu_harness import compile_spirv, featured_device, lower, run

import khal
import khal.std as ks
from khal import Array, bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64
from khal.targets import Interface, ParamInterface
from khal.targets.spirv_writer import find_spirv_module

FEATURES = ["shader-f16", "shader-f64", "shader-int64", "subgroup", "shader-float32-atomic"]
INTS = [i8, u8, i16, u16, i32, u32, i64, u64]
FLOATS = [f16, f32, f64]
NP = {i8: np.int8, u8: np.uint8, i16: np.int16, u16: np.uint16, i32: np.int32, u32: np.uint32, i64: np.int64,
      u64: np.uint64, f16: np.float16, f32: np.float32, f64: np.float64, bool_: np.bool_}  # fmt: skip
NAMES = {t: np.dtype(d).name for t, d in NP.items()}


@pytest.fixture(scope="module")
def device():
    pytest.importorskip("wgpu")
    dev, why = featured_device(FEATURES)
    if dev is None:
        pytest.skip(why)
    return dev


@pytest.fixture
def rng() -> np.random.Generator:
    """Fresh random inputs each run (the seed is printed by numpy's repr on failure)."""
    return np.random.default_rng()


def cpu(kernel: khal.Kernel, n: int, args: list[object]) -> list[np.ndarray]:
    """The arrays after running `kernel` on the CPU backend (khal's reference semantics)."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    khal.launch(kernel, n, *copies, backend=khal.Cpu())
    return [a for a in copies if isinstance(a, np.ndarray)]


def values(t: type, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` random values of khal type `t`, starting with its edge values."""
    dt = np.dtype(NP[t])
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        edges = [info.min, info.max, 0, 1, info.max - 1, info.min + 1]
        if dt.kind == "i":
            edges += [-1, -2]
        body = rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
        return np.concatenate([np.array(edges, dt), body])[:n]
    edges = [np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e30, -1e30, 3e9, -3e9, 70000.0,
             -70000.0, 255.5, 127.9, -128.9, 65535.9, 9.3e18, -9.3e18, 1.8e19]  # fmt: skip
    with np.errstate(over="ignore"):
        body = (rng.standard_normal(n) * 10.0 ** rng.integers(-3, 12, n)).astype(dt)
        return np.concatenate([np.array(edges, dt), body])[:n]


# --------------------------------------------------------------------------- the interface


def test_interface_requires_round_trips() -> None:
    iface = Interface(
        kernel="k",
        workgroup_size=(64, 1, 1),
        params=(ParamInterface("a", "array", "read", 0, 0, {"binding": 0}),),
        block_size=16,
        block_align=16,
        num_workgroups=0,
        requires=(("shader-f64", "k.py:3:5: error: f64 ...\n    x\n    ^"), ("subgroup", "k.py:4:1: ...")),
    )
    text = json.dumps(iface.to_json())
    assert Interface.from_json(text) == iface
    assert iface.required_features == ("shader-f64", "subgroup")
    old = iface.to_json()
    del old["requires"]  # records written before the field existed
    assert Interface.from_json(old).requires == ()


@khal.kernel(workgroup_size=64)
def every_feature(d: Array[f64], h: Array[f16], q: Array[i64], s: Array[f32], x: Array[f32]):
    i = ks.global_invocation_id().x
    d[i] = d[i] + 1.0
    h[i] = h[i] * f16(2.0)
    q[i] = q[i] + i64(1)
    s[i] = ks.subgroup_add(x[i])
    ks.atomic_add(s, 0, x[i])


def test_requires_each_feature_once_with_its_location() -> None:
    _, iface = compile_spirv(every_feature)
    assert sorted(iface.required_features) == sorted(FEATURES)
    messages = dict(iface.requires)
    assert "parameter 'd' of f64" in messages["shader-f64"]
    assert all(m.startswith(f"{__file__}:") and "^" in m for m in messages.values())
    line = every_feature.__wrapped__.__code__.co_firstlineno
    assert messages["subgroup"].startswith(f"{__file__}:{line + 6}:")
    assert messages["shader-float32-atomic"].startswith(f"{__file__}:{line + 7}:")
    vce = str(find_spirv_module(lower(every_feature)).vce)
    for cap in ("Float64", "Float16", "Int64", "GroupNonUniformArithmetic", "AtomicFloat32AddEXT"):
        assert cap in vce


@khal.kernel(workgroup_size=64)
def plain(a: Array[i32], b: Array[u8]):
    i = ks.global_invocation_id().x
    b[i] = u8(a[i])


def test_32_and_8_bit_types_require_nothing() -> None:
    _, iface = compile_spirv(plain)
    assert iface.requires == ()


# --------------------------------------------------------------------------- conversions


def converter(src: type, dst: type) -> khal.Kernel:
    @khal.kernel(workgroup_size=64)
    def convert(out: Array[dst], x: Array[src], n: u32):  # pyright: ignore[reportInvalidTypeForm]
        i = ks.global_invocation_id().x
        if i < n:
            out[i] = dst(x[i])

    return convert


def expected_conversion(x: np.ndarray, dst: np.dtype) -> np.ndarray:
    """numpy's conversion, with khal's saturating float -> int (NaN -> 0) where numpy has none."""
    if x.dtype.kind == "f" and dst.kind in "iu":
        info = np.iinfo(dst)
        t = np.trunc(x.astype(np.float64))
        big = np.float64(info.max)
        out = np.where(t >= big, info.max, np.where(t <= info.min, info.min, 0)).astype(dst)
        inside = ~np.isnan(t) & (t > info.min) & (t < big)
        out[inside] = t[inside].astype(dst)
        return out
    if dst.kind == "b":
        return x != 0
    with np.errstate(over="ignore", invalid="ignore"):
        return x.astype(dst)


@pytest.mark.webgpu
@pytest.mark.parametrize("src", [*INTS, *FLOATS, bool_], ids=NAMES.get)
def test_conversions(device, src: type, rng: np.random.Generator) -> None:
    n = 200
    x = values(src, n, rng)
    for dst in [*INTS, *FLOATS, bool_]:
        if dst is src:
            continue
        kernel = converter(src, dst)
        args = [np.zeros(n, NP[dst]), x, np.uint32(n)]
        (out, back) = run(device, kernel, args, workgroups=(n + 63) // 64)
        np.testing.assert_array_equal(back, x)
        if np.dtype(NP[src]).kind == "f" and dst is bool_:  # khal's bool(nan) is False (ordered !=)
            x_ok = ~np.isnan(x)
            np.testing.assert_array_equal(out[x_ok], x[x_ok] != 0)
        else:
            expect = expected_conversion(x, np.dtype(NP[dst]))
            np.testing.assert_array_equal(out, expect, err_msg=f"{NAMES[src]} -> {NAMES[dst]}")
        if np.dtype(NP[src]).kind == "f":
            np.testing.assert_array_equal(out, cpu(kernel, n, args)[0], err_msg="the CPU differs")


# --------------------------------------------------------------------------- integer arithmetic


def int_ops(t: type) -> khal.Kernel:
    @khal.kernel(workgroup_size=64)
    def ops(o: Array[t], a: Array[t], b: Array[t], n: u32):  # pyright: ignore[reportInvalidTypeForm]
        i = ks.global_invocation_id().x
        if i < n:
            x = a[i]
            y = b[i]
            o[12 * i + 0] = x + y
            o[12 * i + 1] = x - y
            o[12 * i + 2] = x * y
            o[12 * i + 3] = x // y
            o[12 * i + 4] = x % y
            o[12 * i + 5] = x >> (y & t(7))
            o[12 * i + 6] = x << (y & t(7))
            o[12 * i + 7] = ks.max(x, y)
            o[12 * i + 8] = ks.min(x, y)
            o[12 * i + 9] = t(x < y) + t(x == y) * t(2)
            o[12 * i + 10] = (x & y) | (x ^ t(5))
            o[12 * i + 11] = t(3) if x >= y else x

    return ops


@pytest.mark.webgpu
@pytest.mark.parametrize("t", INTS, ids=NAMES.get)
def test_integer_arithmetic_wraps_like_numpy(device, t: type, rng: np.random.Generator) -> None:
    n = 256
    a = values(t, n, rng)
    b = rng.permutation(values(t, n, rng))
    args = [np.zeros(12 * n, NP[t]), a, b, np.uint32(n)]
    out = run(device, int_ops(t), args, workgroups=n // 64)[0].reshape(n, 12)
    np.testing.assert_array_equal(out, cpu(int_ops(t), n, args)[0].reshape(n, 12))
    ok = b != 0  # a boolean mask (`~False` would be the int -1, and index rows 0 and 1)
    if a.dtype.kind == "i":
        ok &= ~((a == np.iinfo(a.dtype).min) & (b == -1))
    s = b & np.array(7, a.dtype)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        cols = [a + b, a - b, a * b, a // b, a % b, a >> s, a << s, np.maximum(a, b), np.minimum(a, b),
                ((a < b) + (a == b) * 2).astype(a.dtype), (a & b) | (a ^ np.array(5, a.dtype)),
                np.where(a >= b, np.array(3, a.dtype), a)]  # fmt: skip
    for j, col in enumerate(cols):
        rows = ok if j in (3, 4) else slice(None)
        np.testing.assert_array_equal(out[rows, j], col[rows], err_msg=f"column {j}")


# --------------------------------------------------------------------------- float arithmetic and math


def float_ops(t: type) -> khal.Kernel:
    @khal.kernel(workgroup_size=64)
    def ops(o: Array[t], c: Array[u32], a: Array[t], b: Array[t], n: u32):  # pyright: ignore[reportInvalidTypeForm]
        i = ks.global_invocation_id().x
        if i < n:
            x = a[i]
            y = b[i]
            o[6 * i + 0] = x + y
            o[6 * i + 1] = x - y
            o[6 * i + 2] = x * y
            o[6 * i + 3] = x / y
            o[6 * i + 4] = -x
            o[6 * i + 5] = ks.sqrt(ks.abs(x))
            c[i] = u32(x < y) + u32(x <= y) * u32(2) + u32(x == y) * u32(4) + u32(x != y) * u32(8)
            c[i] += u32(ks.isnan(x)) * u32(16) + u32(ks.isinf(x)) * u32(32) + u32(x > y) * u32(64)

    return ops


@pytest.mark.webgpu
@pytest.mark.parametrize("t", FLOATS, ids=NAMES.get)
def test_float_arithmetic_and_comparisons(device, t: type, rng: np.random.Generator) -> None:
    n = 256
    dt = NP[t]
    a = values(t, n, rng)
    b = rng.permutation(values(t, n, rng))
    b[:8] = a[:8]  # equal pairs, NaN == NaN included
    args = [np.zeros(6 * n, dt), np.zeros(n, np.uint32), a, b, np.uint32(n)]
    out, c, _, _ = run(device, float_ops(t), args, n // 64)
    out = out.reshape(n, 6)
    with np.errstate(all="ignore"):
        cols = [a + b, a - b, a * b, a / b, -a, np.sqrt(np.abs(a))]
        flags = ((a < b) + (a <= b) * 2 + (a == b) * 4 + (a != b) * 8 + np.isnan(a) * 16 + np.isinf(a) * 32
                 + (a > b) * 64)  # fmt: skip
    for j, col in enumerate(cols):
        if t is f64 and j == 3:  # Vulkan allows 2.5 ulp for division
            np.testing.assert_allclose(out[:, j], col, rtol=1e-15, err_msg="division")
        else:
            np.testing.assert_array_equal(out[:, j], col.astype(dt), err_msg=f"column {j}")
    np.testing.assert_array_equal(c, flags.astype(np.uint32))


MATH = ["exp", "exp2", "log", "log2", "sin", "cos", "tan", "tanh", "asin", "acos", "atan", "atan2", "pow",
        "floor", "ceil", "round", "trunc", "fract", "sign", "rsqrt", "sqrt", "abs", "fma", "min", "max",
        "clamp",
        "mix", "step"]  # fmt: skip


def math_kernel(t: type) -> khal.Kernel:
    @khal.kernel(workgroup_size=64)
    def math(o: Array[t], a: Array[t], b: Array[t], n: u32):  # pyright: ignore[reportInvalidTypeForm]
        i = ks.global_invocation_id().x
        if i < n:
            x = a[i]
            y = b[i]
            k = u32(28) * i
            o[k + 0] = ks.exp(x)
            o[k + 1] = ks.exp2(x)
            o[k + 2] = ks.log(y)
            o[k + 3] = ks.log2(y)
            o[k + 4] = ks.sin(x)
            o[k + 5] = ks.cos(x)
            o[k + 6] = ks.tan(x)
            o[k + 7] = ks.tanh(x)
            o[k + 8] = ks.asin(x / t(4.0))
            o[k + 9] = ks.acos(x / t(4.0))
            o[k + 10] = ks.atan(x)
            o[k + 11] = ks.atan2(x, y)
            o[k + 12] = ks.pow(y, x)
            o[k + 13] = ks.floor(x)
            o[k + 14] = ks.ceil(x)
            o[k + 15] = ks.round(x)
            o[k + 16] = ks.trunc(x)
            o[k + 17] = ks.fract(x)
            o[k + 18] = ks.sign(x)
            o[k + 19] = ks.rsqrt(y)
            o[k + 20] = ks.sqrt(y)
            o[k + 21] = ks.abs(x)
            o[k + 22] = ks.fma(x, y, x)
            o[k + 23] = ks.min(x, y)
            o[k + 24] = ks.max(x, y)
            o[k + 25] = ks.clamp(x, t(-1.0), t(1.0))
            o[k + 26] = ks.mix(x, y, t(0.25))
            o[k + 27] = ks.step(t(0.5), x)

    return math


def math_reference(a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    a, b = a.astype(np.float64), b.astype(np.float64)
    fma = exact_fma64(a, b, a)
    return [np.exp(a), np.exp2(a), np.log(b), np.log2(b), np.sin(a), np.cos(a), np.tan(a), np.tanh(a),
            np.arcsin(a / 4), np.arccos(a / 4), np.arctan(a), np.arctan2(a, b), np.power(b, a), np.floor(a),
            np.ceil(a), np.round(a), np.trunc(a), a - np.floor(a), np.sign(a), 1 / np.sqrt(b), np.sqrt(b),
            np.abs(a), fma, np.minimum(a, b), np.maximum(a, b), np.clip(a, -1, 1), a + (b - a) * 0.25,
            (a >= 0.5).astype(np.float64)]  # fmt: skip


@khal.kernel(workgroup_size=64)
def f64_math(o: Array[f64], a: Array[f64], b: Array[f64], n: u32):
    """f64 exp, exp2, log, log2, pow, min and max at their edges (the other f64 functions: test_f64_math)."""
    i = ks.global_invocation_id().x
    if i < n:
        x = a[i]
        y = b[i]
        k = u32(7) * i
        o[k + 0] = ks.exp(x)
        o[k + 1] = ks.exp2(x)
        o[k + 2] = ks.log(y)
        o[k + 3] = ks.log2(y)
        o[k + 4] = ks.pow(y, x)
        o[k + 5] = ks.min(x, y)
        o[k + 6] = ks.max(x, y)


@pytest.mark.webgpu
def test_f64_math_is_accurate(device, rng: np.random.Generator) -> None:
    """Every f64 function is an f64 expansion (none computes in f32: sin of an f64 input differs from
    the f32 result), accurate to a few ulps; pow keeps 1**y == 1 for any y, min/max propagate NaN."""
    x = np.array([0.1, 1e-30, 3.0, 700.5], np.float64)
    n64 = 64
    a = np.resize(x, n64)
    b = np.full(n64, 0.75)
    out = run(device, math_kernel(f64), [np.zeros(28 * n64), a, b, np.uint32(n64)], 1)[0].reshape(n64, 28)
    np.testing.assert_array_equal(out[:4, 4], np.sin(x))  # correctly rounded here; f32 sin is not
    assert not np.array_equal(out[:4, 4], np.sin(x.astype(np.float32)).astype(np.float64))
    n = 128
    a = rng.uniform(-3.5, 3.5, n)
    b = rng.uniform(0.25, 4.0, n)
    a[:3], b[:3] = [np.inf, -np.inf, np.nan], [1.0, 1.0, 1.0]
    a[3], b[3] = 1.0, np.nan
    out = run(device, f64_math, [np.zeros(7 * n, np.float64), a, b, np.uint32(n)], n // 64)[0].reshape(n, 7)
    with np.errstate(all="ignore"):
        want = [
            np.exp(a),
            np.exp2(a),
            np.log(b),
            np.log2(b),
            np.power(b, a),
            np.minimum(a, b),
            np.maximum(a, b),
        ]
    for j, (name, col) in enumerate(
        zip(["exp", "exp2", "log", "log2", "pow", "min", "max"], want, strict=True)
    ):
        rtol = F64_EXPANDED.get(name, 0.0)
        np.testing.assert_allclose(out[:, j], col, rtol=rtol, atol=0.0, err_msg=name)


# Tolerances: f32 as Vulkan's precision table allows; f64 functions are f64 expansions (a few ulps; fma
# exact); f16 to a few f16 ulps.
_TWO_ULP = 4.5e-16  # 2 ulp of f64, relative (at most 2**-51)
F64_EXPANDED = {"exp": _TWO_ULP, "exp2": _TWO_ULP, "log": _TWO_ULP, "log2": 6e-16, "fma": 0.0}  # docs: 2 ulp
F64_EXPANDED |= {f: _TWO_ULP for f in ("sin", "cos", "tan", "tanh", "asin", "acos", "atan", "atan2", "pow")}
RTOL = {f16: 4e-3, f32: 2e-6, f64: 2e-6}
ATOL = {f16: 2e-3, f32: 2e-6, f64: 1e-6}


@pytest.mark.webgpu
@pytest.mark.parametrize("t", [f16, f32, f64], ids=NAMES.get)
def test_math_functions(device, t: type, rng: np.random.Generator) -> None:
    n = 128
    dt = NP[t]
    a = rng.uniform(-3.5, 3.5, n).astype(dt)
    b = rng.uniform(0.25, 4.0, n).astype(dt)
    out = run(device, math_kernel(t), [np.zeros(28 * n, dt), a, b, np.uint32(n)], n // 64)[0].reshape(n, 28)
    for j, (name, col) in enumerate(zip(MATH, math_reference(a, b), strict=True)):
        col = col.astype(dt).astype(np.float64)
        if name in ("tan",):  # near the poles only relative error means anything
            keep = np.abs(np.cos(a.astype(np.float64))) > 0.05
            out_j, col = out[keep, j], col[keep]
        else:
            out_j = out[:, j]
        tol = 200 if name in ("asin", "acos") else 4  # lavapipe's asin/acos: about 3e-4 absolute error
        rtol, atol = RTOL[t] * tol, ATOL[t] * tol
        if t is f64 and name in F64_EXPANDED:  # f64 expansions, not f32
            rtol, atol = F64_EXPANDED[name], 0.0
        np.testing.assert_allclose(out_j.astype(np.float64), col, rtol=rtol, atol=atol, err_msg=name)


# --------------------------------------------------------------------------- 8/16-bit memory


@khal.kernel(workgroup_size=64)
def scatter_bytes(o8: Array[u8], o16: Array[f16], ob: Array[bool_], x: Array[u32], n: u32):
    """Every invocation writes its own byte / half of shared words, all at once (no lost neighbour)."""
    i = ks.global_invocation_id().x
    if i < n:
        o8[i] = u8(x[i] * u32(7))
        o16[i] = f16(x[i]) * f16(0.5)
        ob[i] = x[i] % u32(3) == u32(0)


@pytest.mark.webgpu
def test_packed_stores_keep_their_neighbours(device, rng: np.random.Generator) -> None:
    n = 1021  # not a multiple of 4: the last word is shared with padding
    x = rng.integers(0, 2000, n, dtype=np.uint32)
    o8 = np.full(n, 0xAB, np.uint8)
    outs = run(device, scatter_bytes, [o8, np.zeros(n, np.float16), np.ones(n, bool), x, np.uint32(n)], 16)
    assert len(outs) == 4
    np.testing.assert_array_equal(outs[0], (x * 7).astype(np.uint8))
    np.testing.assert_array_equal(outs[1], x.astype(np.float16) * np.float16(0.5))
    np.testing.assert_array_equal(outs[2], x % 3 == 0)


@khal.kernel(workgroup_size=64)
def shared_bytes(out: Array[i16], x: Array[i8]):
    """Workgroup arrays of i8 and f16: each invocation writes one element, then reads its neighbour's."""
    b = ks.workgroup_array(i8, 64)
    h = ks.workgroup_array(f16, 64)
    lid = ks.local_invocation_id().x
    g = ks.global_invocation_id().x
    b[lid] = x[g]
    h[lid] = f16(x[g]) * f16(0.25)
    ks.workgroup_barrier()
    j = (lid + u32(1)) % u32(64)
    out[g] = i16(b[j]) * i16(300) + i16(h[j] * f16(4.0))


@pytest.mark.webgpu
def test_workgroup_arrays_of_narrow_types(device, rng: np.random.Generator) -> None:
    n = 256
    x = values(i8, n, rng)
    (out, _) = run(device, shared_bytes, [np.zeros(n, np.int16), x], n // 64)
    neighbour = x.reshape(-1, 64)[:, np.r_[1:64, 0]].ravel().astype(np.int16)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(out, neighbour * np.int16(300) + neighbour)


# --------------------------------------------------------------------------- subgroups


def subgroup_kernel(t: type) -> khal.Kernel:
    @khal.kernel(workgroup_size=64)
    def sg(o: Array[t], size: Array[u32], x: Array[t]):  # pyright: ignore[reportInvalidTypeForm]
        i = ks.global_invocation_id().x
        v = x[i]
        o[4 * i + 0] = ks.subgroup_add(v)
        o[4 * i + 1] = ks.subgroup_min(v)
        o[4 * i + 2] = ks.subgroup_max(v)
        o[4 * i + 3] = ks.subgroup_broadcast_first(v)
        size[i] = ks.subgroup_size() * u32(1000) + ks.subgroup_invocation_id()

    return sg


@pytest.mark.webgpu
@pytest.mark.parametrize("t", [*INTS, *FLOATS], ids=NAMES.get)
def test_subgroup_ops(device, t: type, rng: np.random.Generator) -> None:
    n = 128
    dt = np.dtype(NP[t])
    x = values(t, n, rng) if dt.kind in "iu" else rng.integers(-60, 60, n).astype(dt)  # exact float sums
    out, size, _ = run(device, subgroup_kernel(t), [np.zeros(4 * n, dt), np.zeros(n, np.uint32), x], n // 64)
    out = out.reshape(n, 4)
    width = int(size[0] // 1000)
    assert width in (4, 8, 16, 32, 64, 128) and (size // 1000 == width).all()
    np.testing.assert_array_equal(size % 1000, np.arange(n) % width)
    for g in range(n // width):
        lanes = slice(g * width, (g + 1) * width)
        with np.errstate(over="ignore"):
            total = x[lanes].sum(dtype=dt)
        np.testing.assert_array_equal(out[lanes, 0], total)
        np.testing.assert_array_equal(out[lanes, 1], x[lanes].min())
        np.testing.assert_array_equal(out[lanes, 2], x[lanes].max())
        np.testing.assert_array_equal(out[lanes, 3], x[lanes][0])


# --------------------------------------------------------------------------- loops, indices, shared memory


@khal.kernel(workgroup_size=64)
def narrow_loops(o8: Array[i8], oh: Array[f16], od: Array[f64], x: Array[i8], idx: Array[u8], n: u32):
    """Loop-carried i8/f16/f64 values (Function variables), i64/u8 indices, workgroup arrays of 64-bit."""
    sh = ks.workgroup_array(f64, 64)
    lid = ks.local_invocation_id().x
    i = ks.global_invocation_id().x
    acc = i8(0)
    h = f16(0.0)
    for k in range(i8(5)):
        acc = acc * i8(3) + x[i] - k
        h = h + f16(k) * f16(0.5)
    sh[i64(lid)] = f64(acc) * 0.25
    ks.workgroup_barrier()
    if i < n:
        o8[i] = acc
        oh[idx[i]] = h + f16(idx[i])
        od[i] = sh[(lid + u32(1)) % u32(64)] + f64(h)


@pytest.mark.webgpu
def test_narrow_loop_carried_values_and_indices(device, rng: np.random.Generator) -> None:
    n = 128
    x = values(i8, n, rng)
    idx = rng.permutation(n).astype(np.uint8)
    args = [np.zeros(n, np.int8), np.zeros(n, np.float16), np.zeros(n, np.float64), x, idx, np.uint32(n)]
    o8, oh, od, _, _ = run(device, narrow_loops, args, n // 64)
    acc = np.zeros(n, np.int8)
    h = np.float16(0)
    with np.errstate(over="ignore"):
        for k in range(5):
            acc = acc * np.int8(3) + x - np.int8(k)
            h = h + np.float16(k) * np.float16(0.5)
    np.testing.assert_array_equal(o8, acc)
    expect_h = np.zeros(n, np.float16)
    expect_h[idx] = h + idx.astype(np.float16)
    np.testing.assert_array_equal(oh, expect_h)
    neighbour = acc.reshape(-1, 64)[:, np.r_[1:64, 0]].ravel()
    np.testing.assert_array_equal(od, neighbour.astype(np.float64) * 0.25 + np.float64(h))
    np.testing.assert_array_equal(cpu(narrow_loops, n, args)[0], o8)


@khal.kernel(workgroup_size=64)
def f64_exp_log(o: Array[f64], x: Array[f64], y: Array[f64], n: u32):
    i = ks.global_invocation_id().x
    if i < n:
        o[5 * i + 0] = ks.exp(x[i])
        o[5 * i + 1] = ks.exp2(x[i])
        o[5 * i + 2] = ks.log(x[i])
        o[5 * i + 3] = ks.log2(x[i])
        o[5 * i + 4] = ks.pow(ks.abs(x[i]), y[i])


@pytest.mark.webgpu
def test_f64_exp_log_over_the_whole_range(device, rng: np.random.Generator) -> None:
    edges = [np.nan, np.inf, -np.inf, 0.0, -0.0, -1.0, 1.0, 2.0, 0.5, 5e-324, 1e-310, 2.2250738585072014e-308,
             1.7976931348623157e308, 709.78, 709.79, -745.1, -745.2, -746.0, 1023.9, 1024.0, -1074.0, -1075.0,
             -1080.0, 1e-17, -1e-17]  # fmt: skip
    body = np.concatenate([rng.uniform(-750, 750, 200), 10.0 ** rng.uniform(-320, 308, 200)])
    x = np.concatenate([np.array(edges), body, -body[:50]])
    y = rng.uniform(-3, 3, len(x))
    n = len(x)
    (out, _, _) = run(device, f64_exp_log, [np.zeros(5 * n), x, y, np.uint32(n)], (n + 63) // 64)
    out = out.reshape(n, 5)
    with np.errstate(all="ignore"):
        ref = [np.exp(x), np.exp2(x), np.log(x), np.log2(x), np.power(np.abs(x), y)]
    # subnormal results may be flushed to zero (Vulkan leaves f64 denormals to the device)
    for j, (name, r) in enumerate(zip(["exp", "exp2", "log", "log2"], ref[:4], strict=True)):
        np.testing.assert_allclose(out[:, j], r, rtol=F64_EXPANDED[name], atol=1e-300, err_msg=name)
    # pow: e**(y ln|x|) in two-float arithmetic, within 2 ulp however large y ln|x| is
    with np.errstate(all="ignore"):
        err = np.abs(out[:, 4] - ref[4]) / np.abs(ref[4])
    normal = np.isfinite(ref[4]) & (np.abs(ref[4]) > 1e-300)
    assert (err[normal] <= F64_EXPANDED["pow"]).all(), (x[normal][err[normal] > _TWO_ULP], err[normal].max())
    np.testing.assert_allclose(out[~normal, 4], ref[4][~normal], rtol=0, atol=1e-300)
