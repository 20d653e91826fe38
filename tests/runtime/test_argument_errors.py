"""Bad arguments give a TypeError or ValueError naming what is wrong, before anything runs (issue 11, 12-14).

Each case was once another exception (OverflowError, AttributeError), silently accepted (a Vec3 of
1e39 became inf, a u32 field of 1.7 became 1), or caught too late (at `submit`, after earlier commands
had run; after the kernel had run).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import khal
import khal.std as ks
from khal import Array, Vec3, f32, i32, u32
from khal.runtime.backend import Backend

U = khal.BufferUsages


@khal.struct
class Knobs:
    scale: f32
    count: u32


@khal.kernel(workgroup_size=4)
def accumulate(out: Array[f32], x: f32, n: i32, v: Vec3, k: Knobs):
    i = ks.global_invocation_id().x
    if i < len(out):
        out[i] += x + f32(n) + v.y + k.scale * f32(k.count)


@khal.kernel(workgroup_size=4)
def copy_twice(src: Array[f32], a: Array[f32], b: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(src):
        a[i] = src[i]
        b[i] = src[i] * 2.0


class Kernels(khal.Shader):
    accumulate = accumulate


@khal.func
def helper(x: f32) -> f32:
    return x


def _expected(x: float, n: int, v: Any, k: tuple[float, int]) -> np.float32:
    return np.float32(x) + np.float32(n) + np.float32(v[1]) + np.float32(k[0]) * np.float32(k[1])


BAD_CALLS: list[tuple[str, Any, type[Exception], str]] = [
    # issue 11, item 12: were OverflowError
    ("x", 2**1024, ValueError, r"parameter 'x' \(f32\).*out of range"),
    ("n", 2**1024, ValueError, r"parameter 'n' \(i32\) must be in .*an int of 1025 bits"),
    (
        "k",
        (1.0, -1),
        ValueError,
        r"parameter 'k' \(Knobs\) field 'count' \(u32\) must be in \[0, 4294967295\]",
    ),
    ("k", (1.0, 2**40), ValueError, r"parameter 'k' .*field 'count'"),
    # item 13: were accepted
    ("v", [1e39, 0, 0], ValueError, r"parameter 'v' \(Vec3\)"),
    ("v", [True, False, True], TypeError, r"parameter 'v' \(Vec3\): a component takes a float, got bool"),
    ("v", np.array([True, False, True]), TypeError, r"parameter 'v' \(Vec3\) takes f32 components, got bool"),
    ("v", np.array([1e39, 0.0, 0.0]), ValueError, r"parameter 'v' \(Vec3\)"),
    (
        "k",
        (1.0, 1.7),
        TypeError,
        r"parameter 'k' \(Knobs\) field 'count' \(u32\) takes an int, got float 1.7",
    ),
    ("k", {"scale": 1e39, "count": 1}, ValueError, r"parameter 'k' .*field 'scale' \(f32\).*out of range"),
]


def test_bad_values_name_the_parameter_and_enqueue_nothing(
    backend: Backend, rng: np.random.Generator
) -> None:
    out = backend.init_buffer(np.zeros(6, np.float32))
    good = {"x": float(rng.standard_normal()), "n": int(rng.integers(-100, 100)), "v": (0.0, 2.5, 0.0)}
    good["k"] = (float(rng.standard_normal()), int(rng.integers(0, 10)))
    enc = backend.begin_encoding()
    with enc.begin_pass("p") as p:
        for name, bad, error, pattern in BAD_CALLS:
            args = {**good, name: bad}
            with pytest.raises(error, match=pattern):
                accumulate.call(p, 6, out, *args.values())
        accumulate.call(p, 6, out, *good.values())  # the one call that may run
    backend.submit(enc)
    expected = _expected(good["x"], good["n"], good["v"], good["k"])
    np.testing.assert_allclose(backend.slow_read_vec(out), np.full(6, expected), rtol=1e-6)


def test_call_and_launch_misuse_are_type_errors(backend: Backend) -> None:
    out = backend.init_buffer(np.zeros(4, np.float32))
    args = (out, 1.0, 1, (0.0, 0.0, 0.0), (1.0, 1))
    enc = backend.begin_encoding()
    bound = Kernels.from_backend(backend).accumulate  # type: ignore[attr-defined]
    for not_a_pass in (None, enc, "pass"):
        with pytest.raises(TypeError, match=r"accumulate.call\(\) takes a compute pass first"):
            accumulate.call(not_a_pass, 4, *args)
        with pytest.raises(TypeError, match=r"accumulate.call\(\) takes a compute pass first"):
            bound.call(not_a_pass, 4, *args)
    with pytest.raises(TypeError, match="launch\\(\\): backend must be a khal backend.*got str 'cpu'"):
        khal.launch(accumulate, 4, *args, backend="cpu")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="helper is a @khal.func"):
        khal.launch(helper, 4, 1.0, backend=backend)
    with pytest.raises(TypeError, match="launch\\(\\) takes a @khal.kernel, got function"):
        khal.launch(_expected, 4, 1.0, backend=backend)
    with pytest.raises(TypeError, match="from_dlpack takes an array that speaks DLPack.*got list"):
        backend.from_dlpack([1.0])
    assert (backend.slow_read_vec(out) == 0).all()


def test_buffer_and_timestamp_arguments_are_checked(backend: Backend, rng: np.random.Generator) -> None:
    data = rng.standard_normal(4).astype(np.float32)
    buf = backend.init_buffer(data)
    with pytest.raises(ValueError, match="float64 data holds values beyond a float32 buffer's range"):
        backend.write_buffer(buf, 0, np.array([1.0, 1e40]))
    with pytest.raises(ValueError, match="beyond a uint32 buffer's"):
        backend.write_buffer(backend.uninit_buffer(2, u32), 0, [1, -1])
    np.testing.assert_array_equal(backend.slow_read_vec(buf), data)  # nothing was written
    backend.write_buffer(buf, 1, np.array([np.inf, 2.5]))  # an explicit inf is fine
    ints = backend.uninit_buffer(3, u32)
    backend.write_buffer(ints, 0, [1, 2, 4294967295])  # Python ints that fit a u32
    assert backend.slow_read_vec(ints).tolist() == [1, 2, 4294967295]
    for usage in (-1, 2**20, 0):
        with pytest.raises(ValueError, match="usage"):
            backend.uninit_buffer(4, f32, usage=usage)
        with pytest.raises(ValueError, match="usage"):
            backend.init_buffer(data, usage)
    with pytest.raises(TypeError, match="usage"):
        backend.uninit_buffer(4, f32, usage=1.5)  # type: ignore[arg-type]
    for no_type in (None, object, "U3", complex):
        with pytest.raises(TypeError, match="element type|cannot hold"):
            backend.uninit_buffer(4, no_type)
    with pytest.raises(TypeError, match="Timestamps takes a khal backend, got NoneType"):
        khal.Timestamps(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Timestamps capacity must be an int"):
        khal.Timestamps(backend, 2.5)  # type: ignore[arg-type]


def test_bad_indirect_offset_fails_at_call_before_anything_runs(backend: Backend) -> None:
    out = backend.init_buffer(np.zeros(4, np.float32))
    counts = backend.init_buffer(np.ones((4, 3), np.uint32), U.STORAGE | U.INDIRECT)
    args = (out, 1.0, 0, (0.0, 0.0, 0.0), (0.0, 0))
    enc = backend.begin_encoding()
    with enc.begin_pass("p") as p:
        accumulate.call(p, 4, *args)
        with pytest.raises(TypeError, match="Indirect offset must be an int, got float 1.5"):
            accumulate.call(p, khal.Indirect(counts, 1.5), *args)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="Indirect takes a buffer, got list"):
            accumulate.call(p, khal.Indirect([1, 1, 1]), *args)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="Workgroups takes 1 to 3 int counts"):
            accumulate.call(p, khal.Workgroups(1.5), *args)  # type: ignore[arg-type]
        accumulate.call(p, khal.Indirect(counts, 1), *args)  # one workgroup of 4: every element
    backend.submit(enc)
    np.testing.assert_array_equal(backend.slow_read_vec(out), np.full(4, 2.0, np.float32))


def test_launch_rejects_a_read_only_array_it_would_write_before_running(
    backend: Backend, rng: np.random.Generator
) -> None:
    src = rng.standard_normal(8).astype(np.float32)
    src.flags.writeable = False  # read, never written: fine
    a = np.zeros(8, np.float32)
    b = np.zeros(8, np.float32)
    b.flags.writeable = False
    with pytest.raises(
        ValueError, match="copy_twice\\(\\): parameter 'b': the kernel writes this array.*read-only"
    ):
        khal.launch(copy_twice, 8, src, a, b, backend=backend)
    assert not a.any()  # nothing ran, nothing was copied back
    with pytest.raises(TypeError, match="parameter 'a': init_buffer: numpy dtype object"):
        khal.launch(copy_twice, 8, src, np.array([None] * 8), np.zeros(8, np.float32), backend=backend)
    b = np.zeros(8, np.float32)
    khal.launch(copy_twice, 8, src, a, b, backend=backend)
    np.testing.assert_array_equal(a, src)
    np.testing.assert_array_equal(b, src * 2)
