"""The `@khal.kernel` / `@khal.func` / `@khal.struct` objects: laziness, params, cache keys, caching."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import khal
import khal.std as ks
from khal import Array, Vec3, f32, i32, u32
from khal.frontend.signature import Param

SCALE = 2.0


@khal.kernel
def scaled(a: Array[f32], n: u32):
    i = ks.global_invocation_id().x
    if i < n:
        a[i] *= SCALE


def test_bare_decorator_means_64() -> None:
    assert scaled.workgroup_size == (64, 1, 1)
    assert scaled.name == "scaled"
    assert scaled.pyfunc.__name__ == "scaled"


@pytest.mark.parametrize(
    ("size", "expected"), [(128, (128, 1, 1)), ((8, 8), (8, 8, 1)), ((4, 4, 2), (4, 4, 2))]
)
def test_workgroup_size(size: int | tuple[int, ...], expected: tuple[int, int, int]) -> None:
    @khal.kernel(workgroup_size=size)
    def k(a: Array[f32]):
        pass

    assert k.workgroup_size == expected
    assert f"workgroup_size({', '.join(map(str, expected))})" in k.ir()


def test_bad_workgroup_size() -> None:
    with pytest.raises(ValueError):
        khal.kernel(workgroup_size=0)
    with pytest.raises(TypeError):
        khal.kernel(workgroup_size=(1, 2, 3, 4))


def test_params_from_annotations() -> None:
    assert scaled.params == [Param("a", Array[f32]), Param("n", u32)]
    assert scaled.params is scaled.params  # cached


def test_compilation_is_lazy() -> None:
    @khal.kernel
    def broken(a: Array[f32]):
        a[0] = not_defined_anywhere  # noqa: F821

    # decorating parsed nothing; params work without compiling the body
    assert broken.params == [Param("a", Array[f32])]
    with pytest.raises(khal.CompileError, match="unknown name 'not_defined_anywhere'"):
        broken.ir()


def test_cache_key_is_stable_and_tracks_constants() -> None:
    global SCALE
    key = scaled.cache_key()
    assert key == scaled.cache_key()
    assert len(key) == 64
    ir_before = scaled.ir()
    old = SCALE
    try:
        SCALE = 3.0
        assert scaled.cache_key() != key
        assert "3.000000e+00" in scaled.ir() and ir_before != scaled.ir()  # recompiled, not stale
    finally:
        SCALE = old
    assert scaled.cache_key() == key


def test_cache_key_covers_workgroup_size_and_funcs(tmp_path: Path) -> None:
    src = textwrap.dedent(
        """
        import khal
        from khal import Array, f32

        @khal.func
        def g(x: f32) -> f32:
            return x + BODY

        @khal.kernel(workgroup_size=WG)
        def k(a: Array[f32]):
            a[0] = g(a[0])
        """
    )
    keys = {}
    for body, wg in (("1.0", 64), ("2.0", 64), ("1.0", 32)):
        path = tmp_path / f"mod_{body.replace('.', '_')}_{wg}.py"
        path.write_text(src.replace("BODY", body).replace("WG", str(wg)))
        namespace: dict = {"__name__": path.stem}
        exec(compile(path.read_text(), str(path), "exec"), namespace)
        keys[(body, wg)] = namespace["k"].cache_key()
    assert len(set(keys.values())) == 3  # the func's source and the workgroup size both count


def test_import_and_cache_key_do_not_import_xdsl(tmp_path: Path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            import khal
            import khal.std as ks
            from khal import Array, f32
            assert not any(m.startswith("xdsl") for m in sys.modules), "import khal imported xdsl"

            @khal.func
            def g(x: f32) -> f32:
                return x

            @khal.kernel
            def k(a: Array[f32]):
                a[0] = g(a[0])

            k.cache_key()
            k.params
            loaded = sorted(m for m in sys.modules if m.startswith(("xdsl", "llvmlite", "wgpu")))
            assert not loaded, loaded
            print("clean")
            """
        )
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "clean" in out.stdout


def test_call_dispatches_on_the_pass() -> None:
    class FakePass:
        def dispatch(self, kernel: khal.Kernel, grid: object, args: tuple) -> str:
            self.seen = (kernel, grid, args)
            return "queued"

    p = FakePass()
    a = np.zeros(4, np.float32)
    assert scaled.call(p, 4, a, 4) == "queued"
    assert p.seen[0] is scaled and p.seen[1] == 4 and p.seen[2][0] is a


def test_kernels_funcs_and_std_are_not_python_callables() -> None:
    with pytest.raises(RuntimeError, match="compiled, not called"):
        scaled(np.zeros(1), 1)
    with pytest.raises(RuntimeError, match="inside a @khal.kernel"):
        ks.sqrt(2.0)

    @khal.func
    def f(x: f32) -> f32:
        return x

    with pytest.raises(RuntimeError, match="can only be called from a kernel"):
        f(1.0)
    assert "func.func private @f(%x: f32) -> f32" in f.ir()


def test_struct_decorator() -> None:
    @khal.struct
    class Body:
        pos: Vec3
        mass: f32
        tag: u32

    assert Body.__khal_struct__.fields == (("pos", Vec3), ("mass", f32), ("tag", u32))
    assert Body.dtype == np.dtype(
        [("pos", np.float32, (3,)), ("mass", np.float32), ("tag", np.uint32)], align=True
    )
    assert Body.ir() == '!khal.struct<"Body", pos: vector<3xf32>, mass: f32, tag: i32>'


class Holder:
    """Kernels defined in a class body and in a nested function keep their file positions."""

    @staticmethod
    def make() -> khal.Kernel:
        def inner() -> khal.Kernel:
            @khal.kernel
            def deep(a: Array[i32]):
                a[0] = a[1] / 2

            return deep

        return inner()


def test_nested_definition_reports_file_positions() -> None:
    from frontend_helpers import assert_error_at

    assert_error_at(Holder.make(), "a[1] / 2", "'/' on integers")


def test_closure_values_are_compile_time_constants() -> None:
    def make(factor: float, offset: int) -> khal.Kernel:
        @khal.kernel
        def k(a: Array[f32], b: Array[i32]):
            a[0] *= factor
            b[0] += offset

        return k

    k1, k2 = make(0.5, 3), make(4.0, 3)
    assert "5.000000e-01" in k1.ir() and "4.000000e+00" in k2.ir()
    assert k1.cache_key() != k2.cache_key()


def test_string_annotations_see_the_defining_scope() -> None:
    # this file uses `from __future__ import annotations`: `Array[Local]` is a string naming a local
    @khal.struct
    class Local:
        w: f32

    @khal.func
    def weight(p: Local) -> f32:
        return p.w

    @khal.kernel
    def k(ps: Array[Local], out: Array[f32]):
        out[0] = weight(ps[0])

    assert k.params[0].type == Array[Local]
    assert "func.func private @weight" in k.ir()
