"""Errors found by passes point at the user's Python source, like frontend errors.

The frontend gives every op the file/line/column of the Python node it comes from; the CPU pass
(`khal-cpu-workgroup-loops`) rejects a barrier that not every invocation of a workgroup reaches at
the barrier's line, with the source line and a caret, and names the line of the divergent control flow.
Also: device functions are private in the frontend's output, so LLVM inlines them.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from frontend_helpers import locate

import khal
import khal.std as ks
from khal import Array, f32, i32, u32


@pytest.fixture(scope="module")
def cpu() -> khal.Cpu:
    """One serial CPU backend for the module."""
    return khal.Cpu()


def assert_barrier_error(err: khal.CompileError, kernel: object, snippet: str, *parts: str) -> None:
    """`err` is at `snippet` (a barrier call) in the kernel's file, with its line and a caret under it."""
    line, col = locate(kernel, snippet)
    text = str(err)
    header, source, caret = text.splitlines()[:3]
    assert header.startswith(f"{__file__}:{line}:{col}: error: "), header
    assert (err.filename, err.line, err.col) == (__file__, line, col)
    assert source.strip() == snippet
    assert caret.index("^") == col - 1 and source[col - 1 :].startswith(snippet)
    for part in parts:
        assert part in err.message, f"{part!r} not in {err.message!r}"


# --------------------------------------------------------------------------- divergent barriers


@khal.kernel(workgroup_size=64)
def barrier_under_local_if(a: Array[f32]):
    lid = ks.local_invocation_id().x
    if lid < 16:
        ks.workgroup_barrier()
    a[ks.global_invocation_id().x] = f32(lid)


def test_barrier_under_if_on_local_id() -> None:
    with pytest.raises(khal.CompileError) as info:
        barrier_under_local_if.llvm_ir(target="cpu")
    if_line, _ = locate(barrier_under_local_if, "if lid < 16:")
    assert_barrier_error(
        info.value,
        barrier_under_local_if,
        "ks.workgroup_barrier()",
        f"a workgroup barrier is under an 'if' condition (at line {if_line}) that depends on the invocation",
        "every invocation of a workgroup must reach the same barriers",
        "(in kernel 'barrier_under_local_if')",
    )


@khal.kernel(workgroup_size=32)
def barrier_in_loop_on_global_id(a: Array[f32]):
    gid = ks.global_invocation_id().x
    acc = 0.0
    for j in range(i32(gid)):
        acc += a[j]
        ks.workgroup_barrier()
    a[gid] = acc


def test_barrier_in_loop_with_global_id_bound(cpu: khal.Cpu) -> None:
    a = np.zeros(64, np.float32)
    with pytest.raises(khal.CompileError) as info:
        khal.launch(barrier_in_loop_on_global_id, len(a), a, backend=cpu)
    loop_line, _ = locate(barrier_in_loop_on_global_id, "for j in range")
    assert_barrier_error(
        info.value,
        barrier_in_loop_on_global_id,
        "ks.workgroup_barrier()",
        f"the bounds of a loop (at line {loop_line}) that depends on the invocation id",
    )


@khal.kernel(workgroup_size=32)
def barrier_in_while_on_global_id(a: Array[f32]):
    gid = ks.global_invocation_id().x
    k = gid
    while k > 0:
        k = k // 2
        ks.storage_barrier()
    a[gid] = f32(k)


def test_storage_barrier_in_while_with_global_id_condition() -> None:
    with pytest.raises(khal.CompileError) as info:
        barrier_in_while_on_global_id.llvm_ir(target="cpu")
    while_line, _ = locate(barrier_in_while_on_global_id, "while k > 0:")
    assert_barrier_error(
        info.value,
        barrier_in_while_on_global_id,
        "ks.storage_barrier()",
        f"a 'while' condition (at line {while_line})",
    )


@khal.func
def sync() -> None:
    ks.workgroup_barrier()


@khal.kernel(workgroup_size=16)
def barrier_in_func_under_local_if(a: Array[u32]):
    lid = ks.local_invocation_id().x
    if lid % 2 == 0:
        sync()
    a[ks.global_invocation_id().x] = lid


def test_barrier_in_device_function_points_into_the_function() -> None:
    # The function is inlined into the kernel first; its barrier keeps the function's location.
    with pytest.raises(khal.CompileError) as info:
        barrier_in_func_under_local_if.llvm_ir(target="cpu")
    if_line, _ = locate(barrier_in_func_under_local_if, "if lid % 2 == 0:")
    assert_barrier_error(info.value, sync, "ks.workgroup_barrier()", f"an 'if' condition (at line {if_line})")


# --------------------------------------------------------------------------- uniform barriers compile


@khal.kernel(workgroup_size=64)
def tree_sum(a: Array[f32], out: Array[f32]):
    lid = ks.local_invocation_id().x
    tile = ks.workgroup_array(f32, 64)
    tile[lid] = a[ks.global_invocation_id().x]
    ks.workgroup_barrier()
    stride = u32(32)
    while stride > 0:
        if lid < stride:
            tile[lid] += tile[lid + stride]
        ks.workgroup_barrier()
        stride = stride // 2
    if lid == 0:
        out[ks.workgroup_id().x] = tile[0]


def test_uniform_barrier_in_while_loop_compiles_and_runs(cpu: khal.Cpu) -> None:
    rng = np.random.default_rng(7)
    a = rng.standard_normal(64 * 5).astype(np.float32)
    out = np.zeros(5, np.float32)
    khal.launch(tree_sum, len(a), a, out, backend=cpu)
    np.testing.assert_allclose(out, a.reshape(5, 64).sum(axis=1), rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- locations in the IR


def test_ops_carry_source_locations_but_print_without_them() -> None:
    from xdsl.dialects.builtin import FileLineColLoc
    from xdsl.printer import Printer

    from khal.dialects.khal import WorkgroupBarrierOp

    module = tree_sum.module()
    barriers = [op for op in module.walk() if isinstance(op, WorkgroupBarrierOp)]
    assert len(barriers) == 2
    first = barriers[0].location
    assert isinstance(first, FileLineColLoc)
    assert (first.filename.data, first.line.data, first.column.data) == (
        __file__,
        *locate(tree_sum, "ks.workgroup_barrier()"),
    )
    # every op the frontend builds is located in this file
    assert all(
        isinstance(op.location, FileLineColLoc) and op.location.filename.data == __file__
        for op in module.walk()
        if op is not module
    )
    text = str(module)
    assert "loc(" not in text and text == tree_sum.ir()
    with_locs = io.StringIO()
    Printer(stream=with_locs, print_debuginfo=True).print_op(module)
    line, col = locate(tree_sum, "ks.workgroup_barrier()")
    assert f'khal.workgroup_barrier loc("{__file__}":{line}:{col})' in with_locs.getvalue()


# --------------------------------------------------------------------------- private device functions


@khal.func
def axpy(alpha: f32, x: f32, y: f32) -> f32:
    return alpha * x + y


@khal.kernel
def use_axpy(x: Array[f32], y: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(x):
        y[i] = axpy(alpha, x[i], y[i])


def test_device_functions_are_private_and_inlined(cpu: khal.Cpu) -> None:
    assert "func.func private @axpy(%alpha: f32, %x: f32, %y: f32) -> f32" in use_axpy.ir()
    lowered = use_axpy.ir(target="cpu", stage="llvm")
    assert 'define internal float @"axpy"(float %"alpha", float %"x", float %"y") alwaysinline' in lowered
    optimised = use_axpy.llvm_ir(target="cpu")
    assert "@axpy" not in optimised and '@"axpy"' not in optimised  # inlined, then dropped
    rng = np.random.default_rng(3)
    x = rng.standard_normal(100).astype(np.float32)
    y = rng.standard_normal(100).astype(np.float32)
    expected = np.float32(2.5) * x + y
    khal.launch(use_axpy, len(x), x, y, np.float32(2.5), backend=cpu)
    np.testing.assert_allclose(y, expected, rtol=1e-6)
