"""Value parameters of every scalar type, and struct fields of every scalar type in arrays, round-trip
through each backend's host layout (on SPIR-V: words of the uniform block and of word arrays)."""

from __future__ import annotations

import numpy as np
import pytest

import khal
import khal.std as ks
from khal import Array, bool_, f16, f32, f64, i8, i16, i64, u8, u16, u32, u64
from khal.runtime.backend import Backend

_SCALARS = [
    (i8, np.int8),
    (u8, np.uint8),
    (i16, np.int16),
    (u16, np.uint16),
    (f16, np.float16),
    (f64, np.float64),
    (i64, np.int64),
    (u64, np.uint64),
]


def _value_kernel(t: type) -> khal.Kernel:
    """`out = (x, a, b)`: `x` of type `t` between two u8 neighbours that share its words."""

    @khal.kernel(workgroup_size=1)
    def value_param(out: Array[f64], a: u8, x: t, b: u8):  # type: ignore[valid-type]
        out[0] = f64(x)
        out[1] = f64(a)
        out[2] = f64(b)

    return value_param


@pytest.mark.parametrize(("t", "np_t"), _SCALARS, ids=[n.__name__ for _, n in _SCALARS])
def test_value_parameter_of_every_scalar_type(
    backend: Backend, rng: np.random.Generator, t: type, np_t: type
) -> None:
    if np.issubdtype(np_t, np.floating):
        x = np_t(rng.standard_normal() * 100)
    else:
        info = np.iinfo(np_t)
        x = rng.integers(info.min, info.max, endpoint=True, dtype=np_t)
    a, b = rng.integers(0, 256, 2, dtype=np.uint8)
    out = np.zeros(3)
    khal.launch(_value_kernel(t), 1, out, a, x, b, backend=backend)
    np.testing.assert_array_equal(out, [np.float64(x), a, b])


@khal.struct
class Mixed:
    a: f64
    b: i64
    c: u8
    d: bool_
    e: f16
    f: i16
    g: f32


@khal.kernel(workgroup_size=4)
def update_mixed(src: Array[Mixed], dst: Array[Mixed], bytes_: Array[u8], lens: Array[u32], s: Mixed):
    i = ks.global_invocation_id().x
    if i < len(src):
        v = src[i]
        v.a = v.a * 2.0
        v.b = v.b + s.b
        v.c = v.c + u8(1)
        v.d = not v.d
        v.e = v.e + s.e
        v.f = v.f - i16(3)
        v.g = v.g + s.g
        dst[i] = v
    if i == 0:
        lens[0] = len(bytes_)
        lens[1] = len(src)


def test_struct_fields_of_every_width_and_len_of_a_byte_array(
    backend: Backend, rng: np.random.Generator
) -> None:
    n = 13
    src = np.zeros(n, Mixed.dtype)
    src["a"] = rng.standard_normal(n)
    src["b"] = rng.integers(-(2**60), 2**60, n)
    src["c"] = rng.integers(0, 256, n)
    src["d"] = rng.integers(0, 2, n).astype(bool)
    src["e"] = rng.standard_normal(n).astype(np.float16)
    src["f"] = rng.integers(-(2**15), 2**15, n)
    src["g"] = rng.standard_normal(n)
    s = np.zeros((), Mixed.dtype)
    s["b"], s["e"], s["g"] = rng.integers(-(2**40), 2**40), np.float16(1.5), rng.standard_normal()
    dst, lens = np.zeros(n, Mixed.dtype), np.zeros(2, np.uint32)
    nbytes = int(rng.integers(1, 11))
    khal.launch(update_mixed, n, src, dst, np.zeros(nbytes, np.uint8), lens, s[()], backend=backend)
    want = src.copy()
    want["a"] *= 2
    want["b"] += s["b"]
    want["c"] += np.uint8(1)
    want["d"] = ~want["d"]
    want["e"] += s["e"]
    want["f"] -= np.int16(3)
    want["g"] += s["g"]
    for field in Mixed.dtype.names or ():
        np.testing.assert_array_equal(dst[field], want[field], err_msg=field)
    np.testing.assert_array_equal(lens, [nbytes, n])
