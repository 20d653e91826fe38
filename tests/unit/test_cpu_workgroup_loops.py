"""khal-cpu-workgroup-loops: lowered kernels run and are checked against numpy, two ways.

- `interpreter`: xDSL's interpreter runs the pass's output directly (the pass's semantics alone);
  arrays are numpy arrays, and workgroup memory (so every spill slot) starts as None, so that a read
  before a write fails.
- `jit`: end to end, the pass, then the LLVM lowering (`khal.targets.llvm.LLVM_LOWERING`), then the
  CPU target's O3 JIT; the workgroup range is split over two Python threads.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects import arith, builtin, func, llvm, math, scf, vector
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls
from xdsl.interpreters.arith import ArithFunctions
from xdsl.interpreters.func import FuncFunctions
from xdsl.interpreters.scf import ScfFunctions
from xdsl.ir import Attribute
from xdsl.parser import Parser

from khal.dialects import khal
from khal.errors import CompileError
from khal.frontend import types as kt
from khal.passes import get_pass
from khal.passes.cpu_workgroup_loops import CpuWorkgroupLoopsPass
from khal.targets import cpu
from khal.targets.llvm import LLVM_LOWERING, translate_module


def _u32(x: int) -> int:
    return x & 0xFFFFFFFF


def _width(t: Any) -> int:
    return t.width.data


@register_impls
class _KhalCpuFunctions(InterpreterFunctions):
    """The khal ops left after the pass, plus the arith ops xDSL's interpreter lacks."""

    @impl(khal.LoadOp)
    def run_load(self, interpreter: Interpreter, op: khal.LoadOp, args: PythonValues) -> PythonValues:
        array, i = args
        return (array[i].item(),)

    @impl(khal.StoreOp)
    def run_store(self, interpreter: Interpreter, op: khal.StoreOp, args: PythonValues) -> PythonValues:
        value, array, i = args
        array[i] = value
        return ()

    @impl(khal.LenOp)
    def run_len(self, interpreter: Interpreter, op: khal.LenOp, args: PythonValues) -> PythonValues:
        return (len(args[0]),)

    @impl(khal.WorkgroupAllocOp)
    def run_alloc(self, _interp: Interpreter, op: khal.WorkgroupAllocOp, args: PythonValues) -> PythonValues:
        return ([None] * op.result.type.size.data,)

    @impl(khal.WorkgroupLoadOp)
    def run_wload(self, _interp: Interpreter, op: khal.WorkgroupLoadOp, args: PythonValues) -> PythonValues:
        memory, i = args
        assert memory[i] is not None, "read of workgroup memory before any write"
        return (memory[i],)

    @impl(khal.WorkgroupStoreOp)
    def run_wstore(self, _interp: Interpreter, op: khal.WorkgroupStoreOp, args: PythonValues) -> PythonValues:
        value, memory, i = args
        memory[i] = value
        return ()

    @impl(arith.DivUIOp)
    def run_divui(self, interpreter: Interpreter, op: arith.DivUIOp, args: PythonValues) -> PythonValues:
        return (_u32(args[0]) // _u32(args[1]),)

    @impl(arith.RemUIOp)
    def run_remui(self, interpreter: Interpreter, op: arith.RemUIOp, args: PythonValues) -> PythonValues:
        return (_u32(args[0]) % _u32(args[1]),)

    @impl(arith.ExtUIOp)
    def run_extui(self, interpreter: Interpreter, op: arith.ExtUIOp, args: PythonValues) -> PythonValues:
        return (int(args[0]) & ((1 << _width(op.input.type)) - 1),)

    @impl(arith.TruncIOp)
    def run_trunci(self, interpreter: Interpreter, op: arith.TruncIOp, args: PythonValues) -> PythonValues:
        return (int(args[0]) & ((1 << _width(op.result.type)) - 1),)


def _context() -> Context:
    ctx = Context()
    for dialect in (builtin.Builtin, arith.Arith, scf.Scf, func.Func, khal.Khal):
        ctx.load_dialect(dialect)
    return ctx


def lower(text: str) -> ModuleOp:
    """Parse `text`, run the pass, verify the result."""
    ctx = _context()
    module = Parser(ctx, text, "test.mlir").parse_module()
    CpuWorkgroupLoopsPass().apply(ctx, module)
    module.verify()
    return module


@pytest.fixture(params=["interpreter", "jit"])
def executor(request: pytest.FixtureRequest) -> str:
    """How a test runs its lowered kernel."""
    return request.param


def _khal_type(t: Attribute) -> kt.KhalType:
    if isinstance(t, khal.ArrayType):
        return kt.Array[_khal_type(t.element_type)]
    return {"f32": kt.f32, "f64": kt.f64, "i32": kt.i32, "i64": kt.i64}[str(t)]


def _run_jit(text: str, name: str, args: tuple[Any, ...], groups: tuple[int, int, int]) -> ModuleOp:
    ctx = _context()
    for dialect in (llvm.LLVM, vector.Vector, math.Math):
        ctx.load_dialect(dialect)
    module = Parser(ctx, text, "test.mlir").parse_module()
    (kernel,) = [op for op in module.ops if isinstance(op, khal.KernelOp) and op.sym_name.data == name]
    params = [(a.name_hint or f"p{i}", _khal_type(a.type)) for i, a in enumerate(kernel.args)]
    CpuWorkgroupLoopsPass().apply(ctx, module)
    module.verify()
    lowered = module.clone()
    for pass_name in LLVM_LOWERING:
        get_pass(pass_name)().apply(ctx, module)
    artifact = cpu.build_artifact(translate_module(module), name, params)
    block = np.zeros(1, artifact.args_dtype)
    for (param, t), value in zip(params, args, strict=True):
        if isinstance(t, kt.ArrayType):
            assert value.dtype == t.dtype, f"{param}: pass a {t.dtype} array to the JIT"
            block[f"{param}.ptr"], block[f"{param}.len"] = value.ctypes.data, len(value)
        else:
            block[param] = value
    block[cpu.NUM_WORKGROUPS] = groups
    total = groups[0] * groups[1] * groups[2]
    # Two threads on two halves: workgroup memory and slots are per call, so this must just work.
    threads = [
        threading.Thread(target=artifact.call, args=(block.ctypes.data, lo, hi))
        for lo, hi in ((0, total // 2), (total // 2, total))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lowered


def run(
    text: str, name: str, args: tuple[Any, ...], groups: tuple[int, int, int], executor: str = "interpreter"
) -> ModuleOp:
    """Lower `text` and run kernel `name` over all `groups`, in two calls (two workgroup ranges).

    Returns the module as the pass left it.
    """
    if executor == "jit":
        return _run_jit(text, name, args, groups)
    module = lower(text)
    interpreter = Interpreter(module)
    for functions in (ArithFunctions(), ScfFunctions(), FuncFunctions(), _KhalCpuFunctions()):
        interpreter.register_implementations(functions)
    total = groups[0] * groups[1] * groups[2]
    half = total // 2
    interpreter.call_op(name, (*args, 0, half, *groups))
    interpreter.call_op(name, (*args, half, total, *groups))
    return module


def leftover_ops(module: ModuleOp) -> set[str]:
    """Op names the CPU ABI forbids after the pass."""
    banned = (
        "khal.kernel",
        "khal.global_invocation_id",
        "khal.local_invocation_id",
        "khal.workgroup_id",
        "khal.num_workgroups",
        "khal.local_invocation_index",
        "khal.workgroup_barrier",
        "khal.storage_barrier",
        "khal.subgroup_size",
        "khal.subgroup_invocation_id",
        "khal.subgroup_reduce",
        "khal.subgroup_broadcast_first",
    )
    return {op.name for op in module.walk() if op.name in banned}


def top_allocs(module: ModuleOp) -> list[khal.WorkgroupAllocOp]:
    """The workgroup allocations, which must all sit directly in the function's entry block."""
    allocs = [op for op in module.walk() if isinstance(op, khal.WorkgroupAllocOp)]
    for op in allocs:
        assert isinstance(op.parent_op(), func.FuncOp)
    return allocs


# --------------------------------------------------------------------------- kernels

ADD_ASSIGN = """
khal.kernel @add_assign(%a: !khal.array<f32>, %b: !khal.array<f32, read>) workgroup_size(8, 1, 1) {
  %tid = khal.global_invocation_id x
  %n = khal.len %a : !khal.array<f32>
  %in = arith.cmpi ult, %tid, %n : i32
  scf.if %in {
    %x = khal.load %a[%tid] : !khal.array<f32>, i32 -> f32
    %y = khal.load %b[%tid] : !khal.array<f32, read>, i32 -> f32
    %s = arith.addf %x, %y : f32
    khal.store %s, %a[%tid] : f32, !khal.array<f32>, i32
  }
  khal.return
}
"""

# Tree reduction in workgroup memory, `while stride > 0: ...; barrier; stride //= 2`.
REDUCE = """
khal.kernel @reduce(%inp: !khal.array<f32, read>, %out: !khal.array<f32>) workgroup_size(16, 1, 1) {
  %lid = khal.local_invocation_id x
  %gid = khal.global_invocation_id x
  %n = khal.len %inp : !khal.array<f32, read>
  %in = arith.cmpi ult, %gid, %n : i32
  %v = scf.if %in -> (f32) {
    %x = khal.load %inp[%gid] : !khal.array<f32, read>, i32 -> f32
    scf.yield %x : f32
  } else {
    %z = arith.constant 0.0 : f32
    scf.yield %z : f32
  }
  %sh = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
  khal.workgroup_store %v, %sh[%lid] : f32, !khal.workgroup_array<16 x f32>, i32
  khal.workgroup_barrier
  %c8 = arith.constant 8 : i32
  %r = scf.while (%stride = %c8) : (i32) -> i32 {
    %c0 = arith.constant 0 : i32
    %more = arith.cmpi sgt, %stride, %c0 : i32
    scf.condition(%more) %stride : i32
  } do {
  ^bb0(%s: i32):
    %lt = arith.cmpi ult, %lid, %s : i32
    scf.if %lt {
      %j = arith.addi %lid, %s : i32
      %p = khal.workgroup_load %sh[%lid] : !khal.workgroup_array<16 x f32>, i32 -> f32
      %q = khal.workgroup_load %sh[%j] : !khal.workgroup_array<16 x f32>, i32 -> f32
      %t = arith.addf %p, %q : f32
      khal.workgroup_store %t, %sh[%lid] : f32, !khal.workgroup_array<16 x f32>, i32
    }
    khal.workgroup_barrier
    %c2 = arith.constant 2 : i32
    %s2 = arith.divui %s, %c2 : i32
    scf.yield %s2 : i32
  }
  %c0i = arith.constant 0 : i32
  %first = arith.cmpi eq, %lid, %c0i : i32
  scf.if %first {
    %tot = khal.workgroup_load %sh[%c0i] : !khal.workgroup_array<16 x f32>, i32 -> f32
    %wg = khal.workgroup_id x
    khal.store %tot, %out[%wg] : f32, !khal.array<f32>, i32
  }
  khal.return
}
"""

# C = A @ B (n x n, n a multiple of 4) with 4x4 tiles in workgroup memory; `acc` is per invocation
# and carried by the workgroup-level tile loop.
MATMUL = """
khal.kernel @matmul(%a: !khal.array<f32, read>, %b: !khal.array<f32, read>, %c: !khal.array<f32>, %n: i32)
    workgroup_size(4, 4, 1) {
  %ta = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
  %tb = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
  %lx = khal.local_invocation_id x
  %ly = khal.local_invocation_id y
  %col = khal.global_invocation_id x
  %row = khal.global_invocation_id y
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i32
  %zero = arith.constant 0.0 : f32
  %lidx = khal.local_invocation_index
  %acc = scf.for %t = %c0 to %n step %c4 iter_args(%acc_in = %zero) -> (f32) : i32 {
    %rn = arith.muli %row, %n : i32
    %ac = arith.addi %t, %lx : i32
    %ai = arith.addi %rn, %ac : i32
    %av = khal.load %a[%ai] : !khal.array<f32, read>, i32 -> f32
    khal.workgroup_store %av, %ta[%lidx] : f32, !khal.workgroup_array<16 x f32>, i32
    %br = arith.addi %t, %ly : i32
    %brn = arith.muli %br, %n : i32
    %bi = arith.addi %brn, %col : i32
    %bv = khal.load %b[%bi] : !khal.array<f32, read>, i32 -> f32
    khal.workgroup_store %bv, %tb[%lidx] : f32, !khal.workgroup_array<16 x f32>, i32
    khal.workgroup_barrier
    %sum = scf.for %k = %c0 to %c4 step %c1 iter_args(%s = %acc_in) -> (f32) : i32 {
      %ly4 = arith.muli %ly, %c4 : i32
      %ia = arith.addi %ly4, %k : i32
      %k4 = arith.muli %k, %c4 : i32
      %ib = arith.addi %k4, %lx : i32
      %x = khal.workgroup_load %ta[%ia] : !khal.workgroup_array<16 x f32>, i32 -> f32
      %y = khal.workgroup_load %tb[%ib] : !khal.workgroup_array<16 x f32>, i32 -> f32
      %xy = arith.mulf %x, %y : f32
      %s2 = arith.addf %s, %xy : f32
      scf.yield %s2 : f32
    }
    khal.workgroup_barrier
    scf.yield %sum : f32
  }
  %rn2 = arith.muli %row, %n : i32
  %ci = arith.addi %rn2, %col : i32
  khal.store %acc, %c[%ci] : f32, !khal.array<f32>, i32
  khal.return
}
"""

# Values crossing barriers: a loaded float, an i1, and a value from before a loop used after it.
# out[g] = (x > 0 ? x : -x) + x_of_neighbour, where the neighbour is (lid + 1) % 8 in the workgroup.
CROSSING = """
khal.kernel @crossing(%inp: !khal.array<f32>, %out: !khal.array<f32>) workgroup_size(8, 1, 1) {
  %sh = khal.workgroup_alloc : !khal.workgroup_array<8 x f32>
  %lid = khal.local_invocation_id x
  %gid = khal.global_invocation_id x
  %x = khal.load %inp[%gid] : !khal.array<f32>, i32 -> f32
  %zero = arith.constant 0.0 : f32
  %pos = arith.cmpf ogt, %x, %zero : f32
  %negx = arith.subf %zero, %x : f32
  khal.workgroup_store %x, %sh[%lid] : f32, !khal.workgroup_array<8 x f32>, i32
  khal.workgroup_barrier
  %c1 = arith.constant 1 : i32
  %c7 = arith.constant 7 : i32
  %l1 = arith.addi %lid, %c1 : i32
  %nb = arith.andi %l1, %c7 : i32
  %y = khal.workgroup_load %sh[%nb] : !khal.workgroup_array<8 x f32>, i32 -> f32
  khal.storage_barrier
  %abs = arith.select %pos, %x, %negx : f32
  %r = arith.addf %abs, %y : f32
  khal.store %r, %out[%gid] : f32, !khal.array<f32>, i32
  khal.return
}
"""

# Every id in a 3-D grid of 3-D workgroups: out[6*g ...] = gid x/y/z, lid index, wg x, nwg z.
IDS = """
khal.kernel @ids(%out: !khal.array<i32>) workgroup_size(2, 3, 2) {
  %gx = khal.global_invocation_id x
  %gy = khal.global_invocation_id y
  %gz = khal.global_invocation_id z
  %nx = khal.num_workgroups x
  %ny = khal.num_workgroups y
  %c2 = arith.constant 2 : i32
  %c3 = arith.constant 3 : i32
  %w = arith.muli %nx, %c2 : i32
  %h = arith.muli %ny, %c3 : i32
  %zh = arith.muli %gz, %h : i32
  %zy = arith.addi %zh, %gy : i32
  %zyw = arith.muli %zy, %w : i32
  %g = arith.addi %zyw, %gx : i32
  %c6 = arith.constant 6 : i32
  %base = arith.muli %g, %c6 : i32
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i32
  %c5 = arith.constant 5 : i32
  %i1 = arith.addi %base, %c1 : i32
  %i2 = arith.addi %base, %c2 : i32
  %i3 = arith.addi %base, %c3 : i32
  %i4 = arith.addi %base, %c4 : i32
  %i5 = arith.addi %base, %c5 : i32
  khal.store %gx, %out[%base] : i32, !khal.array<i32>, i32
  khal.store %gy, %out[%i1] : i32, !khal.array<i32>, i32
  khal.store %gz, %out[%i2] : i32, !khal.array<i32>, i32
  khal.workgroup_barrier
  %li = khal.local_invocation_index
  %wx = khal.workgroup_id x
  %nz = khal.num_workgroups z
  khal.store %li, %out[%i3] : i32, !khal.array<i32>, i32
  khal.store %wx, %out[%i4] : i32, !khal.array<i32>, i32
  khal.store %nz, %out[%i5] : i32, !khal.array<i32>, i32
  khal.return
}
"""


def test_no_barrier_is_one_loop_nest() -> None:
    module = lower(ADD_ASSIGN)
    assert not leftover_ops(module)
    (function,) = [op for op in module.ops if isinstance(op, func.FuncOp)]
    assert function.sym_name.data == "add_assign"
    assert [str(t) for t in function.function_type.inputs.data[2:]] == ["i32"] * 5
    loops = [op for op in module.walk() if isinstance(op, scf.ForOp)]
    assert len(loops) == 2  # workgroups, then invocations along x (y and z have size 1)
    assert not top_allocs(module)


def test_no_barrier_runs(executor: str) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal(29).astype(np.float32)
    b = rng.standard_normal(29).astype(np.float32)
    expected = a + b
    run(ADD_ASSIGN, "add_assign", (a, b), (4, 1, 1), executor)
    np.testing.assert_allclose(a, expected, rtol=1e-6)


def test_reduction_in_uniform_while_loop(executor: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(70).astype(np.float32)
    out = np.zeros(5, np.float32)
    module = run(REDUCE, "reduce", (x, out), (5, 1, 1), executor)
    expected = np.add.reduceat(np.r_[x, np.zeros(10, np.float32)], np.arange(0, 80, 16))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert not leftover_ops(module)
    # The stride is uniform: the while loop carries it itself, no slot; only `sh` is allocated.
    assert [op.result.type.size.data for op in top_allocs(module)] == [16]
    (loop,) = [op for op in module.walk() if isinstance(op, scf.WhileOp)]
    assert [str(t) for t in loop.result_types] == ["i32"]


def test_tiled_matmul_with_per_invocation_accumulator(executor: str) -> None:
    n = 8
    rng = np.random.default_rng(2)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    c = np.zeros(n * n, np.float32)
    module = run(MATMUL, "matmul", (a.ravel(), b.ravel(), c, n), (2, 2, 1), executor)
    np.testing.assert_allclose(c.reshape(n, n), a @ b, rtol=1e-4, atol=1e-4)
    # The tile loop is at workgroup level and carries nothing itself: `acc` lives in a slot.
    tile_loops = [op for op in module.walk() if isinstance(op, scf.ForOp) and op.parent_op() is not None]
    outer = [op for op in tile_loops if any(isinstance(o, scf.ForOp) for o in op.body.block.ops)]
    assert any(not op.results for op in outer)
    sizes = sorted(op.result.type.size.data for op in top_allocs(module))
    assert sizes == [16, 16, 16, 16]  # ta, tb, the acc slot, the inner sum's slot


def test_values_cross_barriers(executor: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal(24).astype(np.float32)
    out = np.zeros(24, np.float32)
    module = run(CROSSING, "crossing", (x, out), (3, 1, 1), executor)
    neighbour = x.reshape(3, 8)[:, (np.arange(8) + 1) % 8].ravel()
    np.testing.assert_allclose(out, np.abs(x) + neighbour, rtol=1e-6)
    slots = {str(op.result.type.element_type) for op in top_allocs(module)}
    assert slots == {"f32", "i8"}  # x and %negx as f32, the i1 `pos` as i8 (and `sh`)


def test_ids_in_3d(executor: str) -> None:
    groups = (2, 1, 3)
    total = 2 * 3 * 2 * 1 * 2 * 3
    out = np.full(6 * total, -1, np.int32)
    module = run(IDS, "ids", (out,), groups, executor)
    assert not leftover_ops(module)
    rows = out.reshape(-1, 6)
    gz, gy, gx = np.meshgrid(np.arange(6), np.arange(3), np.arange(4), indexing="ij")
    np.testing.assert_array_equal(rows[:, 0], gx.ravel())
    np.testing.assert_array_equal(rows[:, 1], gy.ravel())
    np.testing.assert_array_equal(rows[:, 2], gz.ravel())
    np.testing.assert_array_equal(rows[:, 3], (gx % 2 + 2 * (gy % 3) + 6 * (gz % 2)).ravel())
    np.testing.assert_array_equal(rows[:, 4], (gx // 2).ravel())
    np.testing.assert_array_equal(rows[:, 5], 3)
    # Ids are recomputed from the loop counters after the barrier, never spilled.
    assert not top_allocs(module)


# A uniform `if` on a parameter holding a barrier, with one uniform and one varying result.
UNIFORM_IF = """
khal.kernel @uif(%out: !khal.array<i32>, %flag: i32) workgroup_size(4, 1, 1) {
  %sh = khal.workgroup_alloc : !khal.workgroup_array<4 x i32>
  %lid = khal.local_invocation_id x
  %gid = khal.global_invocation_id x
  %c0 = arith.constant 0 : i32
  %on = arith.cmpi ne, %flag, %c0 : i32
  %u, %v = scf.if %on -> (i32, i32) {
    khal.workgroup_store %gid, %sh[%lid] : i32, !khal.workgroup_array<4 x i32>, i32
    khal.workgroup_barrier
    %c3 = arith.constant 3 : i32
    %o = arith.subi %c3, %lid : i32
    %w = khal.workgroup_load %sh[%o] : !khal.workgroup_array<4 x i32>, i32 -> i32
    %c10 = arith.constant 10 : i32
    scf.yield %c10, %w : i32, i32
  } else {
    %c20 = arith.constant 20 : i32
    scf.yield %c20, %gid : i32, i32
  }
  %r = arith.addi %u, %v : i32
  khal.store %r, %out[%gid] : i32, !khal.array<i32>, i32
  khal.return
}
"""


@pytest.mark.parametrize("flag", [0, 1])
def test_uniform_if_with_barrier(flag: int, executor: str) -> None:
    out = np.zeros(8, np.int32)
    module = run(UNIFORM_IF, "uif", (out, flag), (2, 1, 1), executor)
    gid = np.arange(8)
    expected = 10 + (gid // 4) * 4 + (3 - gid % 4) if flag else 20 + gid
    np.testing.assert_array_equal(out, expected)
    (new_if,) = [op for op in module.walk() if isinstance(op, scf.IfOp) and op.regions[1].blocks]
    assert [str(t) for t in new_if.result_types] == ["i32"]  # `u` uniform; `v` goes through a slot


# A while loop with a uniform trip count carrying a per-invocation value, plus a barrier.
MIXED_WHILE = """
khal.kernel @mixed(%out: !khal.array<i32>, %iters: i32) workgroup_size(4, 1, 1) {
  %sh = khal.workgroup_alloc : !khal.workgroup_array<4 x i32>
  %lid = khal.local_invocation_id x
  %gid = khal.global_invocation_id x
  %c0 = arith.constant 0 : i32
  %r:2 = scf.while (%i = %c0, %acc = %gid) : (i32, i32) -> (i32, i32) {
    %more = arith.cmpi slt, %i, %iters : i32
    scf.condition(%more) %i, %acc : i32, i32
  } do {
  ^bb0(%i2: i32, %acc2: i32):
    khal.workgroup_store %acc2, %sh[%lid] : i32, !khal.workgroup_array<4 x i32>, i32
    khal.workgroup_barrier
    %c1 = arith.constant 1 : i32
    %c3 = arith.constant 3 : i32
    %l1 = arith.addi %lid, %c1 : i32
    %nb = arith.andi %l1, %c3 : i32
    %o = khal.workgroup_load %sh[%nb] : !khal.workgroup_array<4 x i32>, i32 -> i32
    khal.workgroup_barrier
    %acc3 = arith.addi %acc2, %o : i32
    %i3 = arith.addi %i2, %c1 : i32
    scf.yield %i3, %acc3 : i32, i32
  }
  khal.store %r#1, %out[%gid] : i32, !khal.array<i32>, i32
  khal.return
}
"""


def test_while_with_uniform_count_and_varying_value(executor: str) -> None:
    iters = 3
    out = np.zeros(8, np.int32)
    run(MIXED_WHILE, "mixed", (out, iters), (2, 1, 1), executor)
    acc = np.arange(8).reshape(2, 4)
    for _ in range(iters):
        acc = acc + acc[:, (np.arange(4) + 1) % 4]
    np.testing.assert_array_equal(out, acc.ravel())


DIVERGENT_IF = """
khal.kernel @bad(%out: !khal.array<i32>) workgroup_size(4, 1, 1) {
  %lid = khal.local_invocation_id x
  %c2 = arith.constant 2 : i32
  %lt = arith.cmpi ult, %lid, %c2 : i32
  scf.if %lt {
    khal.workgroup_barrier loc("kernels.py":12:8)
  } loc("kernels.py":11:4)
  khal.return
}
"""

DIVERGENT_LOOP = """
khal.kernel @bad_loop(%out: !khal.array<i32>) workgroup_size(4, 1, 1) {
  %lid = khal.local_invocation_id x
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  scf.for %i = %c0 to %lid step %c1 : i32 {
    khal.workgroup_barrier
  }
  khal.return
}
"""

# `n` is loaded at a uniform index, but from an array the kernel writes: not provably uniform.
WRITTEN_BOUND = """
khal.kernel @bad_bound(%a: !khal.array<i32>) workgroup_size(4, 1, 1) {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %n = khal.load %a[%c0] : !khal.array<i32>, i32 -> i32
  scf.for %i = %c0 to %n step %c1 : i32 {
    khal.workgroup_barrier
    khal.store %i, %a[%c1] : i32, !khal.array<i32>, i32
  }
  khal.return
}
"""

# The same with a `read` array: every invocation loads the same bound, so the loop is uniform.
READ_BOUND = """
khal.kernel @read_bound(%a: !khal.array<i32, read>, %out: !khal.array<i32>) workgroup_size(4, 1, 1) {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %gid = khal.global_invocation_id x
  %n = khal.load %a[%c0] : !khal.array<i32, read>, i32 -> i32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%s = %c0) -> (i32) : i32 {
    khal.workgroup_barrier
    %s2 = arith.addi %s, %gid : i32
    scf.yield %s2 : i32
  }
  khal.store %r, %out[%gid] : i32, !khal.array<i32>, i32
  khal.return
}
"""


def test_divergent_barrier_is_rejected_with_location() -> None:
    with pytest.raises(CompileError) as info:
        lower(DIVERGENT_IF)
    e = info.value
    # At the barrier (what must move), naming the line of the divergent `if`.
    assert (e.filename, e.line, e.col) == ("kernels.py", 12, 8)
    assert "'if' condition (at line 11) that depends on the invocation id" in str(e) and "'bad'" in str(e)


def test_divergent_loop_is_rejected() -> None:
    with pytest.raises(CompileError, match="bounds of a loop that depends on the invocation id.*'bad_loop'"):
        lower(DIVERGENT_LOOP)


def test_bound_loaded_from_written_array_is_rejected() -> None:
    with pytest.raises(CompileError, match="bounds of a loop"):
        lower(WRITTEN_BOUND)


def test_bound_loaded_from_read_array_is_uniform(executor: str) -> None:
    a = np.array([3], np.int32)
    out = np.zeros(8, np.int32)
    run(READ_BOUND, "read_bound", (a, out), (2, 1, 1), executor)
    np.testing.assert_array_equal(out, 3 * np.arange(8))


# A device function that syncs and reads ids is inlined (and dropped); a plain one stays a call.
DEVICE_FUNCTIONS = """
func.func @sync_and_id() -> i32 {
  khal.workgroup_barrier
  %l = khal.local_invocation_id x
  func.return %l : i32
}
func.func @twice(%x: i32) -> i32 {
  %r = arith.addi %x, %x : i32
  func.return %r : i32
}
khal.kernel @calls(%out: !khal.array<i32>) workgroup_size(4, 1, 1) {
  %gid = khal.global_invocation_id x
  %l = func.call @sync_and_id() : () -> i32
  %t = func.call @twice(%l) : (i32) -> i32
  %s = khal.subgroup_reduce add %t : i32
  %one = khal.subgroup_size
  %r = arith.addi %s, %one : i32
  khal.store %r, %out[%gid] : i32, !khal.array<i32>, i32
  khal.return
}
"""


def test_device_function_with_barrier_is_inlined(executor: str) -> None:
    out = np.zeros(8, np.int32)
    module = run(DEVICE_FUNCTIONS, "calls", (out,), (2, 1, 1), executor)
    np.testing.assert_array_equal(out, 2 * (np.arange(8) % 4) + 1)
    names = {op.sym_name.data for op in module.ops if isinstance(op, func.FuncOp)}
    assert names == {"calls", "twice"}
    assert not leftover_ops(module)


def test_barrier_in_unsupported_region_is_rejected() -> None:
    text = """
    khal.kernel @k(%out: !khal.array<i32>) workgroup_size(4, 1, 1) {
      "scf.execute_region"() ({
        khal.workgroup_barrier
        scf.yield
      }) : () -> ()
      khal.return
    }
    """
    with pytest.raises(CompileError, match="scf.execute_region"):
        lower(text)


# Barriers two loops deep; the inner trip count is the outer (uniform) counter; `acc` is per invocation
# and carried by both loops. Two kernels in one module each become a function.
NESTED = """
khal.kernel @nested(%out: !khal.array<i32>, %n: i32) workgroup_size(4, 1, 1) {
  %sh = khal.workgroup_alloc : !khal.workgroup_array<4 x i32>
  %lid = khal.local_invocation_id x
  %gid = khal.global_invocation_id x
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c3 = arith.constant 3 : i32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %gid) -> (i32) : i32 {
    %r2 = scf.for %j = %c0 to %i step %c1 iter_args(%acc2 = %acc) -> (i32) : i32 {
      khal.workgroup_store %acc2, %sh[%lid] : i32, !khal.workgroup_array<4 x i32>, i32
      khal.workgroup_barrier
      %l1 = arith.addi %lid, %c1 : i32
      %nb = arith.andi %l1, %c3 : i32
      %o = khal.workgroup_load %sh[%nb] : !khal.workgroup_array<4 x i32>, i32 -> i32
      khal.workgroup_barrier
      %s = arith.addi %acc2, %o : i32
      %acc3 = arith.addi %s, %j : i32
      scf.yield %acc3 : i32
    }
    scf.yield %r2 : i32
  }
  khal.store %r, %out[%gid] : i32, !khal.array<i32>, i32
  khal.return
}
khal.kernel @other(%out: !khal.array<i32>) workgroup_size(2, 1, 1) {
  %gid = khal.global_invocation_id x
  khal.store %gid, %out[%gid] : i32, !khal.array<i32>, i32
  khal.return
}
"""


def test_barriers_in_nested_uniform_loops(executor: str) -> None:
    n = 4
    out = np.zeros(8, np.int32)
    module = run(NESTED, "nested", (out, n), (2, 1, 1), executor)
    acc = np.arange(8, dtype=np.int64).reshape(2, 4)
    for i in range(n):
        for j in range(i):
            acc = acc + np.roll(acc, -1, axis=1) + j
    np.testing.assert_array_equal(out, acc.ravel())
    names = [op.sym_name.data for op in module.ops if isinstance(op, func.FuncOp)]
    assert names == ["nested", "other"]
    assert not leftover_ops(module)


# The frontend's `for i in range(n): ...barrier...; if i == 5: break`: a while loop whose condition
# goes through short-circuit and break-flag `scf.if`s. Those have no effects and read only uniform
# values, so they are uniform too; `acc` is per invocation and forwarded by the condition.
UNIFORM_BREAK = """
khal.kernel @brk(%a: !khal.array<f32>, %n: i32) workgroup_size(8, 1, 1) {
  %sh = khal.workgroup_alloc : !khal.workgroup_array<8 x f32>
  %lid = khal.local_invocation_id x
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : i32
  %c0 = arith.constant 0 : i32
  %false = arith.constant false
  %acc, %i, %done = scf.while (%acc0 = %zero, %i0 = %c0, %done0 = %false) : (f32, i32, i1) -> (f32, i32, i1) {
    %true = arith.constant true
    %go = arith.xori %done0, %true : i1
    %more = scf.if %go -> (i1) {
      %lt = arith.cmpi ult, %i0, %n : i32
      scf.yield %lt : i1
    } else {
      %f = arith.constant false
      scf.yield %f : i1
    }
    scf.condition(%more) %acc0, %i0, %done0 : f32, i32, i1
  } do {
  ^bb0(%acc1: f32, %i1: i32, %done1: i1):
    %c8 = arith.constant 8 : i32
    %base = arith.muli %i1, %c8 : i32
    %k = arith.addi %base, %lid : i32
    %v = khal.load %a[%k] : !khal.array<f32>, i32 -> f32
    khal.workgroup_store %v, %sh[%lid] : f32, !khal.workgroup_array<8 x f32>, i32
    khal.workgroup_barrier
    %c7 = arith.constant 7 : i32
    %r = arith.subi %c7, %lid : i32
    %w = khal.workgroup_load %sh[%r] : !khal.workgroup_array<8 x f32>, i32 -> f32
    %acc2 = arith.addf %acc1, %w : f32
    khal.workgroup_barrier
    %c2 = arith.constant 2 : i32
    %hit = arith.cmpi eq, %i1, %c2 : i32
    %done2 = scf.if %hit -> (i1) {
      %t = arith.constant true
      scf.yield %t : i1
    } else {
      scf.yield %done1 : i1
    }
    %i2 = arith.addi %i1, %c1 : i32
    scf.yield %acc2, %i2, %done2 : f32, i32, i1
  }
  %gid = khal.global_invocation_id x
  %c32 = arith.constant 32 : i32
  %o = arith.addi %gid, %c32 : i32
  khal.store %acc, %a[%o] : f32, !khal.array<f32>, i32
  khal.return
}
"""


@pytest.mark.parametrize("n", [2, 10])
def test_uniform_break_in_barrier_loop(n: int, executor: str) -> None:
    rng = np.random.default_rng(n)
    a = rng.standard_normal(48).astype(np.float32)
    rows = a[:32].reshape(4, 8)
    expected = rows[: min(n, 3), ::-1].sum(axis=0)
    module = run(UNIFORM_BREAK, "brk", (a, n), (2, 1, 1), executor)
    np.testing.assert_allclose(a[32:48], np.tile(expected, 2), rtol=1e-5)
    # The loop carries the counter and the flag itself; `acc` has one slot, shared by the condition
    # (`acc2`, made before the second barrier and yielded after it, has its own).
    (loop,) = [op for op in module.walk() if isinstance(op, scf.WhileOp)]
    assert [str(t) for t in loop.result_types] == ["i32", "i1"]
    assert [op.result.name_hint for op in top_allocs(module)] == ["sh", "acc0_slot", "acc2_slot"]


# The frontend's `for r in range(rounds): ...barrier...; if r % 2 == 1: barrier; continue; ...barrier`:
# `arith.remui` (which xDSL declares without memory effects) on the counter is uniform, so the
# barrier-holding `if` on it is too; the continue flag it yields is uniform as well.
CONTINUE = """
khal.kernel @cont(%data: !khal.array<f32>, %out: !khal.array<f32>, %rounds: i32) workgroup_size(16, 1, 1) {
  %sh = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
  %lid = khal.local_invocation_id x
  %gid = khal.global_invocation_id x
  %acc = khal.load %data[%gid] : !khal.array<f32>, i32 -> f32
  %c1 = arith.constant 1 : i32
  %c0 = arith.constant 0 : i32
  %res, %cnt = scf.while (%a0 = %acc, %r0 = %c0) : (f32, i32) -> (f32, i32) {
    %more = arith.cmpi ult, %r0, %rounds : i32
    scf.condition(%more) %a0, %r0 : f32, i32
  } do {
  ^bb0(%a1: f32, %r1: i32):
    %false = arith.constant false
    khal.workgroup_store %a1, %sh[%lid] : f32, !khal.workgroup_array<16 x f32>, i32
    khal.workgroup_barrier
    %c2 = arith.constant 2 : i32
    %odd = arith.remui %r1, %c2 : i32
    %is_odd = arith.cmpi eq, %odd, %c1 : i32
    %skip = scf.if %is_odd -> (i1) {
      khal.workgroup_barrier
      %t = arith.constant true
      scf.yield %t : i1
    } else {
      scf.yield %false : i1
    }
    %true = arith.constant true
    %go = arith.xori %skip, %true : i1
    %a2 = scf.if %go -> (f32) {
      %l1 = arith.addi %lid, %c1 : i32
      %c16 = arith.constant 16 : i32
      %nb = arith.remui %l1, %c16 : i32
      %w = khal.workgroup_load %sh[%nb] : !khal.workgroup_array<16 x f32>, i32 -> f32
      %sum = arith.addf %a1, %w : f32
      khal.workgroup_barrier
      scf.yield %sum : f32
    } else {
      scf.yield %a1 : f32
    }
    %r2 = arith.addi %r1, %c1 : i32
    scf.yield %a2, %r2 : f32, i32
  }
  khal.store %res, %out[%gid] : f32, !khal.array<f32>, i32
  khal.return
}
"""


def test_uniform_remainder_and_continue(executor: str) -> None:
    rng = np.random.default_rng(5)
    data = rng.standard_normal(32).astype(np.float32)
    out = np.zeros(32, np.float32)
    run(CONTINUE, "cont", (data, out, 5), (2, 1, 1), executor)
    acc = data.reshape(2, 16).astype(np.float64)
    for r in range(5):
        if r % 2 == 0:
            acc = acc + np.roll(acc, -1, axis=1)
    np.testing.assert_allclose(out, acc.ravel(), rtol=1e-5)


# A barrier loop whose trip count comes from a device function: effect-free functions of uniform
# values give uniform values; a function that writes memory does not.
PURE_CALL_BOUND = """
func.func @ceil_div(%a: i32, %b: i32) -> i32 {
  %c1 = arith.constant 1 : i32
  %s = arith.addi %a, %b : i32
  %t = arith.subi %s, %c1 : i32
  %q = arith.divui %t, %b : i32
  func.return %q : i32
}
func.func @twice_ceil_div(%a: i32, %b: i32) -> i32 {
  %q = func.call @ceil_div(%a, %b) : (i32, i32) -> i32
  %r = arith.addi %q, %q : i32
  func.return %r : i32
}
func.func @logged(%log: !khal.array<i32>, %a: i32) -> i32 {
  %c0 = arith.constant 0 : i32
  khal.store %a, %log[%c0] : i32, !khal.array<i32>, i32
  func.return %a : i32
}
khal.kernel @tiles(%out: !khal.array<i32>, %k: i32) workgroup_size(4, 1, 1) {
  %gid = khal.global_invocation_id x
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i32
  %n = func.call @twice_ceil_div(%k, %c4) : (i32, i32) -> i32
  %r = scf.for %t = %c0 to %n step %c1 iter_args(%s = %c0) -> (i32) : i32 {
    khal.workgroup_barrier
    %s2 = arith.addi %s, %gid : i32
    scf.yield %s2 : i32
  }
  khal.store %r, %out[%gid] : i32, !khal.array<i32>, i32
  khal.return
}
"""


def test_pure_device_function_gives_uniform_bound(executor: str) -> None:
    out = np.zeros(8, np.int32)
    run(PURE_CALL_BOUND, "tiles", (out, 9), (2, 1, 1), executor)
    np.testing.assert_array_equal(out, 6 * np.arange(8))  # 2 * ceil(9 / 4) iterations


def test_effectful_device_function_bound_is_rejected() -> None:
    text = PURE_CALL_BOUND.replace(
        "%n = func.call @twice_ceil_div(%k, %c4) : (i32, i32) -> i32",
        "%n = func.call @logged(%out, %k) : (!khal.array<i32>, i32) -> i32",
    )
    with pytest.raises(CompileError, match="bounds of a loop"):
        lower(text)
