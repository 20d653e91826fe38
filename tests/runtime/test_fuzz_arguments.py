"""Fuzzing the argument checks: every outcome is a correct run or a TypeError/ValueError naming the culprit.

Kernels take every kind of parameter (scalars of every type, vectors, matrices, a nested struct,
arrays) and echo what they receive into output buffers. Hypothesis starts from valid arguments and
replaces a few of them (and the grid) with anything: numbers of every size and type, numpy scalars and
arrays, lists of the wrong shape, bools, None, strings, records. A small oracle written from the
documented rules (API.md, "Argument checks") says whether each value is valid and what the kernel must
then see. The property:

- all valid: the call succeeds and the kernel sees exactly the oracle's values;
- something invalid: a TypeError or ValueError whose message names an invalid parameter (or the grid),
  raised at `call`/`launch` before anything is enqueued or run;
- never another exception, a wrong value or a crash.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import khal
import khal.std as ks
from khal import (
    Array,
    IVec2,
    IVec3,
    IVec4,
    Mat2,
    Mat3,
    Mat4,
    UVec2,
    UVec3,
    UVec4,
    Vec2,
    Vec3,
    Vec4,
    bool_,
    f16,
    f32,
    f64,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
)
from khal.runtime.backend import MAX_WORKGROUPS, Backend, Buffer, layout_key
from khal.types import ArrayType, KhalType, MatrixType, ScalarType, StructType, VectorType

U = khal.BufferUsages
WG = 4
FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@khal.struct
class Inner:
    a: f32
    n: u32


@khal.struct
class Rec:
    x: f64
    v: Vec3
    i: i16
    m: Mat2
    inner: Inner
    q: u64


@khal.kernel(workgroup_size=WG)
def echo_scalars(
    h: f16, f: f32, d: f64, b: i8, s: i16, w: i32, q: i64, ub: u8, us: u16, uw: u32, uq: u64, flag: bool_,
    o_h: Array[f16], o_f: Array[f32], o_d: Array[f64], o_b: Array[i8], o_s: Array[i16], o_w: Array[i32],
    o_q: Array[i64], o_ub: Array[u8], o_us: Array[u16], o_uw: Array[u32], o_uq: Array[u64], o_flag: Array[u8],
):  # fmt: skip
    if ks.global_invocation_id().x == 0:
        o_h[0] = h
        o_f[0] = f
        o_d[0] = d
        o_b[0] = b
        o_s[0] = s
        o_w[0] = w
        o_q[0] = q
        o_ub[0] = ub
        o_us[0] = us
        o_uw[0] = uw
        o_uq[0] = uq
        o_flag[0] = u8(1) if flag else u8(0)


@khal.kernel(workgroup_size=WG)
def echo_values(
    v2: Vec2, v3: Vec3, v4: Vec4, i2: IVec2, i3: IVec3, i4: IVec4, u2: UVec2, u3: UVec3, u4: UVec4,
    m2: Mat2, m3: Mat3, m4: Mat4, r: Rec,
    o_v2: Array[Vec2], o_v3: Array[Vec3], o_v4: Array[Vec4], o_i2: Array[IVec2], o_i3: Array[IVec3],
    o_i4: Array[IVec4], o_u2: Array[UVec2], o_u3: Array[UVec3], o_u4: Array[UVec4], o_m2: Array[Mat2],
    o_m3: Array[Mat3], o_m4: Array[Mat4], o_r: Array[Rec],
):  # fmt: skip
    if ks.global_invocation_id().x == 0:
        o_v2[0] = v2
        o_v3[0] = v3
        o_v4[0] = v4
        o_i2[0] = i2
        o_i3[0] = i3
        o_i4[0] = i4
        o_u2[0] = u2
        o_u3[0] = u3
        o_u4[0] = u4
        o_m2[0] = m2
        o_m3[0] = m3
        o_m4[0] = m4
        o_r[0] = r


@khal.kernel(workgroup_size=WG)
def copy_arrays(
    src_f: Array[f32], dst_f: Array[f32], src_v: Array[Vec3], dst_v: Array[Vec3], src_r: Array[Rec],
    dst_r: Array[Rec], src_b: Array[u8], dst_b: Array[u8],
):  # fmt: skip
    i = ks.global_invocation_id().x
    if i < len(src_f) and i < len(dst_f):
        dst_f[i] = src_f[i]
    if i < len(src_v) and i < len(dst_v):
        dst_v[i] = src_v[i]
    if i < len(src_r) and i < len(dst_r):
        dst_r[i] = src_r[i]
    if i < len(src_b) and i < len(dst_b):
        dst_b[i] = src_b[i]


def inputs(kernel: Any) -> list[Any]:
    """The parameters the fuzz feeds (the `o_` outputs are the kernel's echo)."""
    return [p for p in kernel.params if not p.name.startswith("o_")]


# --------------------------------------------------------------------------- the oracle

INVALID = object()  # what the oracle says of a value the checks must refuse


def _float_max(t: ScalarType) -> float:
    return math.inf if t.bits == 64 else float(np.finfo(t.dtype).max)


def scalar_oracle(t: ScalarType, v: Any) -> Any:
    """What a parameter of type `t` must receive for `v` (a numpy scalar), or INVALID."""
    if t.is_bool:
        return np.bool_(v) if isinstance(v, bool | np.bool_) else INVALID
    if isinstance(v, bool | np.bool_):
        return INVALID
    if t.is_int:
        ok = isinstance(v, int | np.integer) and t.min <= int(v) <= t.max
        return t.dtype.type(int(v)) if ok else INVALID
    if not isinstance(v, int | float | np.integer | np.floating):
        return INVALID
    try:
        f = float(v)
    except OverflowError:
        return INVALID
    if math.isfinite(f) and abs(f) > _float_max(t):
        return INVALID
    return np.array(f).astype(t.dtype)[()]


def components_oracle(t: VectorType | MatrixType, v: Any) -> Any:
    """What a vector/matrix parameter must receive for `v` (an array of its shape), or INVALID."""
    n = t.size
    shape = (n,) if isinstance(t, VectorType) else (n, n)
    elem = t.element
    if isinstance(v, list | tuple):
        rows = [v] if len(shape) == 1 else v
        if len(rows) != (1 if len(shape) == 1 else n):
            return INVALID
        if not all(
            r.shape == (n,) if isinstance(r, np.ndarray) else isinstance(r, list | tuple) and len(r) == n
            for r in rows
        ):
            return INVALID
        values = [scalar_oracle(elem, c) for r in rows for c in r]
        if any(x is INVALID for x in values):
            return INVALID
        return np.array(values, dtype=elem.dtype).reshape(shape)
    if not isinstance(v, np.ndarray) or v.shape != shape or v.dtype.kind not in "iuf":
        return INVALID
    if elem.is_int and (v.dtype.kind == "f" or v.min() < elem.min or v.max() > elem.max):
        return INVALID
    if elem.is_float and (np.isfinite(v) & (np.abs(v.astype(np.float64)) > _float_max(elem))).any():
        return INVALID
    return v.astype(elem.dtype)


def struct_oracle(t: StructType, v: Any) -> Any:
    """The record a struct parameter must receive for `v`, or INVALID."""
    if isinstance(v, np.void | np.ndarray):
        ok = v.dtype == t.dtype and (isinstance(v, np.void) or v.shape == ())
        return np.asarray(v).copy() if ok else INVALID
    names = [n for n, _ in t.fields]
    if isinstance(v, dict):
        values = [v[n] for n in names] if set(v) == set(names) else None
    elif isinstance(v, tuple):
        values = list(v) if len(v) == len(names) else None
    else:
        values = None
    if values is None:
        return INVALID
    record = np.zeros((), t.dtype)
    for (name, ft), value in zip(t.fields, values, strict=True):
        field = value_oracle(ft, value)
        if field is INVALID:
            return INVALID
        record[name] = field
    return record


def value_oracle(t: KhalType, v: Any) -> Any:
    """The value a parameter of type `t` must receive for `v`, or INVALID."""
    if isinstance(t, ScalarType):
        return scalar_oracle(t, v)
    if isinstance(t, VectorType | MatrixType):
        return components_oracle(t, v)
    assert isinstance(t, StructType)
    return struct_oracle(t, v)


def grid_oracle(grid: Any, backend: Backend) -> int | object:
    """The number of workgroups `grid` runs (Indirect: read from its buffer), or INVALID."""
    if isinstance(grid, khal.Indirect):
        buf = grid.buffer
        ok = buf.backend is backend and buf.usage & U.INDIRECT and buf.dtype == np.uint32
        words = 3 if buf.row_shape == (3,) else 1
        ok = ok and buf.row_shape in ((), (3,)) and grid.offset * words + 3 <= len(buf) * words
        if not ok:
            return INVALID
        counts = backend.slow_read_vec(buf).reshape(-1)[grid.offset * words :][:3]
        return int(np.prod(counts.astype(np.int64)))
    if isinstance(grid, khal.Workgroups):
        dims = list(grid.counts)
        if not 1 <= len(dims) <= 3:
            return INVALID
        sizes = [1, 1, 1]
    elif isinstance(grid, bool | np.bool_):
        return INVALID
    elif isinstance(grid, int | np.integer):
        dims, sizes = [grid], [WG, 1, 1]
    elif isinstance(grid, tuple | list) and 1 <= len(grid) <= 3:
        dims, sizes = list(grid), [WG, 1, 1]
    else:
        return INVALID
    if not all(
        isinstance(d, int | np.integer) and not isinstance(d, bool | np.bool_) and d >= 0 for d in dims
    ):
        return INVALID
    counts = [-(-int(d) // s) for d, s in zip(dims, sizes, strict=False)]
    total = math.prod(counts)
    return INVALID if total > MAX_WORKGROUPS or max(counts) > 2**32 - 1 else total


# --------------------------------------------------------------------------- strategies

_NUMPY_SCALARS = [np.dtype(c) for c in ("?", "b", "h", "i", "q", "B", "H", "I", "Q", "e", "f", "d")]

numpy_scalars = st.sampled_from(_NUMPY_SCALARS).flatmap(lambda dt: hnp.from_dtype(dt).map(dt.type))
# Values at and past the edges of every type's range, where conversions used to overflow or wrap.
edges = st.sampled_from(
    [2**31, 2**32, 2**63, 2**64, -(2**31) - 1, -1, 2**1024, -(2**1030), 1e39, -1e39, 65520.0, 3.5e38, 1e308]
)
numbers = st.one_of(
    st.booleans(),
    st.integers(-300, 300),
    st.integers(-(2**1100), 2**1100),
    st.floats(),
    st.floats(-1e5, 1e5),
    edges,
    edges,
    numpy_scalars,
)
junk = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.complex_numbers(),
    st.just(object()),
    st.just(khal.f32),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


def arrays_of(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """Numpy arrays of `shape` (or a neighbouring shape) of any plain dtype."""
    shapes = st.sampled_from([shape, shape[:-1] + (shape[-1] + 1,), shape[1:] or (2,)])
    return shapes.flatmap(lambda s: hnp.arrays(st.sampled_from(_NUMPY_SCALARS), s))


def valid_scalar(t: ScalarType) -> st.SearchStrategy[Any]:
    """Values a parameter of type `t` accepts."""
    if t.is_bool:
        return st.one_of(st.booleans(), st.booleans().map(np.bool_))
    if t.is_int:
        ints = st.integers(int(t.min), int(t.max))
        return st.one_of(ints, ints.map(t.dtype.type))
    limit = min(_float_max(t), 1e300)
    return st.one_of(st.floats(-limit, limit), st.sampled_from([math.inf, -math.inf, math.nan]))


def valid_value(t: KhalType) -> st.SearchStrategy[Any]:
    """Values a parameter of type `t` accepts."""
    if isinstance(t, ScalarType):
        return valid_scalar(t)
    if isinstance(t, VectorType):
        return st.lists(valid_scalar(t.element), min_size=t.size, max_size=t.size).map(tuple)
    if isinstance(t, MatrixType):
        column = st.lists(valid_scalar(t.element), min_size=t.size, max_size=t.size)
        return st.lists(column, min_size=t.size, max_size=t.size)
    assert isinstance(t, StructType)
    return st.tuples(*(valid_value(ft) for _, ft in t.fields))


def any_value(t: KhalType) -> st.SearchStrategy[Any]:
    """Anything, biased to what is nearly right for `t`."""
    if isinstance(t, ScalarType):
        return st.one_of(numbers, junk, st.lists(numbers, max_size=2))
    if isinstance(t, VectorType | MatrixType):
        shape = (t.size,) if isinstance(t, VectorType) else (t.size, t.size)
        rows = st.lists(st.one_of(numbers, valid_scalar(t.element)), min_size=t.size - 1, max_size=t.size + 1)
        nested = st.lists(rows, min_size=t.size - 1, max_size=t.size + 1)
        return st.one_of(rows, rows.map(tuple), nested, arrays_of(shape), valid_value(t), numbers, junk)
    assert isinstance(t, StructType)
    names = [n for n, _ in t.fields]
    fields = st.tuples(*(st.one_of(valid_value(ft), any_value(ft)) for _, ft in t.fields))
    return st.one_of(
        fields,
        fields.map(lambda f: dict(zip(names, f, strict=True))),
        fields.map(lambda f: f[:-1]),
        valid_value(t).map(lambda f: np.array(f, t.dtype)),
        st.just(np.zeros(2, t.dtype)),
        st.just(np.zeros((), [("x", np.float64)])),
        junk,
    )


def grids(backend: Backend) -> st.SearchStrategy[Callable[[], Any]]:
    """Thunks that build a grid (building one may raise, which counts as part of the call)."""
    small = st.integers(0, 3 * WG)
    huge = st.one_of(st.integers(2**40, 2**80), st.integers(-(2**70), -1))
    dim = st.one_of(small, small, huge, st.booleans(), st.floats(0, 10), small.map(np.uint32))
    # COPY_SRC: the oracle reads the counts back (slow_read_vec needs it; the call does not).
    counts = backend.init_buffer(
        np.array([[1, 2, 1], [0, 1, 1], [2, 1, 1]], np.uint32), U.STORAGE | U.INDIRECT | U.COPY_SRC
    )
    flat = backend.init_buffer(np.array([1, 1, 2, 1, 1], np.uint32), U.STORAGE | U.INDIRECT | U.COPY_SRC)
    plain = backend.init_buffer(np.ones((2, 3), np.uint32))
    offsets = st.one_of(st.integers(-1, 4), st.floats(0, 2), st.booleans())
    return st.one_of(
        small.map(lambda g: lambda: g),
        dim.map(lambda g: lambda: g),
        st.lists(dim, min_size=0, max_size=4).map(lambda d: lambda: tuple(d)),
        st.lists(small, min_size=1, max_size=3).map(lambda d: lambda: d),
        st.lists(dim, min_size=0, max_size=4).map(lambda d: lambda: khal.Workgroups(d)),
        dim.map(lambda d: lambda: khal.Workgroups(d)),
        st.tuples(st.sampled_from([counts, flat, plain]), offsets).map(lambda b: lambda: khal.Indirect(*b)),
        st.one_of(junk, st.floats()).map(lambda g: lambda: g),
    )


# --------------------------------------------------------------------------- the property


def check_outcome(call: Callable[[], Any], culprits: set[str], grid_bad: bool) -> bool:
    """Run `call`; True when it ran. An error must be a TypeError/ValueError naming a culprit."""
    try:
        call()
    except (TypeError, ValueError) as e:
        message = str(e)
        assert culprits or grid_bad, f"valid arguments were refused: {message}"
        named = set(re.findall(r"parameter '(\w+)'", message))
        about_grid = re.search(r"grid|Indirect|Workgroups", message) is not None and not named
        assert named & culprits or (grid_bad and about_grid), (
            f"{message!r} names none of {culprits or 'grid'}"
        )
        event(f"refused: {type(e).__name__}")
        return False
    assert not culprits and not grid_bad, f"accepted invalid {culprits or ''} {'grid' if grid_bad else ''}"
    event("ran")
    return True


def _outputs(kernel: Any, backend: Backend) -> dict[str, Buffer]:
    return {
        p.name: backend.uninit_buffer(1, p.type.element) for p in kernel.params if p.name.startswith("o_")
    }


def _same(got: Any, expected: Any) -> bool:
    got, expected = np.asarray(got), np.asarray(expected)
    if got.dtype.names is not None:
        return all(_same(got[n], expected[n]) for n in got.dtype.names)
    return np.array_equal(got, expected, equal_nan=got.dtype.kind == "f")


def fuzz_echo(kernel: Any, backend: Backend, data: st.DataObject) -> None:
    """Mutate up to three parameters and maybe the grid of a valid call of an echo kernel; check it."""
    params = inputs(kernel)
    mutated = data.draw(st.sets(st.sampled_from([p.name for p in params]), max_size=3), label="mutated")
    args = {
        p.name: data.draw(any_value(p.type) if p.name in mutated else valid_value(p.type), label=p.name)
        for p in params
    }
    expected = {p.name: value_oracle(p.type, args[p.name]) for p in params}
    culprits = {name for name, e in expected.items() if e is INVALID}
    make_grid = data.draw(grids(backend) if data.draw(st.booleans()) else st.just(lambda: 1), label="grid")
    outputs = _outputs(kernel, backend)
    encoder = backend.begin_encoding()
    grid_bad = False
    with encoder.begin_pass("fuzz") as p:
        try:
            grid = make_grid()
            total = grid_oracle(grid, backend)
        except (TypeError, ValueError):
            grid, total = make_grid, INVALID  # the call below rebuilds it and raises the same
        grid_bad = total is INVALID

        def call() -> None:
            kernel.call(p, make_grid() if grid is make_grid else grid, *args.values(), *outputs.values())

        ran = check_outcome(call, culprits, grid_bad)
    backend.submit(encoder)
    for p in params:
        got = backend.slow_read_vec(outputs["o_" + p.name])[0]
        want = expected[p.name] if ran and total else np.zeros_like(got)
        if p.type == bool_:
            want = np.uint8(bool(want))
        assert _same(got, want), f"{p.name}: passed {args[p.name]!r}, the kernel saw {got!r}, not {want!r}"


@pytest.mark.parametrize("kernel", [echo_scalars, echo_values], ids=["scalars", "values"])
@FUZZ
@given(data=st.data())
def test_fuzz_call_arguments(backend: Backend, kernel: Any, data: st.DataObject) -> None:
    fuzz_echo(kernel, backend, data)


# --------------------------------------------------------------------------- arrays, through launch


def _array_values(t: ArrayType, backend: Backend, other: Backend, n: int) -> st.SearchStrategy[Any]:
    """Buffers and numpy arrays for an array parameter: right, of the wrong type, usage or backend."""
    element = t.element
    dtype = element.dtype
    good = st.just(backend.uninit_buffer(n, element))
    wrong_types = [Vec4, f64, i32, Inner, Vec3, f32, Rec, u8]
    wrong = st.sampled_from(wrong_types).map(lambda e: backend.uninit_buffer(n, e))
    no_storage = st.just(backend.uninit_buffer(n, element, U.COPY_SRC | U.COPY_DST))
    foreign = st.just(other.uninit_buffer(n, element))
    shapes = st.just((n, *dtype.shape)) if dtype.shape else st.sampled_from([(n,), (n, 2), ()])
    base = dtype.base if dtype.shape else dtype
    numpy = st.one_of(
        shapes.map(lambda s: np.zeros(s, base)),
        st.sampled_from(_NUMPY_SCALARS + [np.dtype(object)]).map(lambda d: np.zeros((n, *dtype.shape), d)),
        shapes.map(lambda s: _read_only(np.zeros(s, base))),
    )
    return st.one_of(good, good, numpy, wrong, no_storage, foreign, junk, st.just([0.0] * n))


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def array_oracle(t: ArrayType, v: Any, backend: Backend, written: bool) -> bool:
    """Is `v` a valid argument of `khal.launch` for an array parameter of type `t`?"""
    key = layout_key(t.element.dtype.base, t.element.dtype.shape)
    if isinstance(v, Buffer):
        return v.backend is backend and v._elem_key == key and bool(v.usage & U.STORAGE)
    if isinstance(v, np.ndarray):
        ok = v.ndim >= 1 and layout_key(v.dtype, v.shape[1:]) == key
        return ok and (v.flags.writeable or not written)
    return False


@FUZZ
@given(data=st.data())
def test_fuzz_launch_arrays(backend: Backend, data: st.DataObject) -> None:
    other = khal.Cpu()
    n = data.draw(st.integers(0, 5), label="n")
    params = copy_arrays.params
    written = [p.name.startswith("dst") for p in params]
    mutated = data.draw(st.sets(st.sampled_from([p.name for p in params]), max_size=2), label="mutated")
    args: list[Any] = []
    for p in params:
        t = p.type
        assert isinstance(t, ArrayType)
        if p.name in mutated:
            args.append(data.draw(_array_values(t, backend, other, n), label=p.name))
        else:
            args.append(np.zeros((n, *t.element.dtype.shape), t.element.dtype.base))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32), label="seed"))
    for a in args[0::2]:  # random contents for the sources
        if isinstance(a, np.ndarray) and a.dtype.kind in "iuf" and a.flags.writeable:
            a[...] = rng.integers(0, 100, a.shape)
    culprits = {
        p.name
        for p, a, w in zip(params, args, written, strict=True)
        if not array_oracle(p.type, a, backend, w)
    }
    before = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
    ran = check_outcome(lambda: khal.launch(copy_arrays, 2 * WG, *args, backend=backend), culprits, False)
    for a, old in zip(args, before, strict=True):
        if not ran and old is not None and a.dtype != object:
            np.testing.assert_array_equal(a, old)  # nothing ran, nothing was copied back
    if ran:
        for src, dst in zip(args[0::2], args[1::2], strict=True):
            s = src if isinstance(src, np.ndarray) else backend.slow_read_vec(src)
            d = dst if isinstance(dst, np.ndarray) else backend.slow_read_vec(dst)
            assert _same(d[: len(s)], s[: len(d)])
