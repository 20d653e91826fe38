"""The CPU target on hand-written LLVM IR in the CPU ABI: entry, argument block, O3 + JIT, threads, cache."""

from __future__ import annotations

import pickle
import threading
import time

import numpy as np
import pytest

from khal.frontend import types as kt
from khal.targets import cpu

# saxpy in the CPU ABI after convert-khal-to-llvm: y[i] = a * x[i] + y[i], workgroups of 64 along x.
SAXPY = """
define void @saxpy(ptr %x, i64 %xn, ptr %y, i64 %yn, float %a,
                   i32 %wg_begin, i32 %wg_end, i32 %nwg_x, i32 %nwg_y, i32 %nwg_z) {
entry:
  br label %wg_head
wg_head:
  %wg = phi i32 [ %wg_begin, %entry ], [ %wg_next, %wg_latch ]
  %more = icmp slt i32 %wg, %wg_end
  br i1 %more, label %wg_body, label %exit
wg_body:
  %wgx = urem i32 %wg, %nwg_x
  %base = mul i32 %wgx, 64
  br label %l_head
l_head:
  %lx = phi i32 [ 0, %wg_body ], [ %lx_next, %l_latch ]
  %lmore = icmp slt i32 %lx, 64
  br i1 %lmore, label %l_body, label %wg_latch
l_body:
  %gid = add i32 %base, %lx
  %gid64 = zext i32 %gid to i64
  %in = icmp ult i64 %gid64, %xn
  br i1 %in, label %then, label %l_latch
then:
  %px = getelementptr float, ptr %x, i64 %gid64
  %py = getelementptr float, ptr %y, i64 %gid64
  %vx = load float, ptr %px
  %vy = load float, ptr %py
  %ax = fmul float %a, %vx
  %s = fadd float %ax, %vy
  store float %s, ptr %py
  br label %l_latch
l_latch:
  %lx_next = add i32 %lx, 1
  br label %l_head
wg_latch:
  %wg_next = add i32 %wg, 1
  br label %wg_head
exit:
  ret void
}
"""
SAXPY_PARAMS = [("x", kt.Array[kt.f32]), ("y", kt.Array[kt.f32]), ("a", kt.f32)]

# Writes the workgroup's linear id and its (x, y, z) ids to out[4*wg ...]: checks the counts' plumbing.
WG_IDS = """
define void @ids(ptr %out, i64 %n, i32 %wg_begin, i32 %wg_end, i32 %nwg_x, i32 %nwg_y, i32 %nwg_z) {
entry:
  br label %head
head:
  %wg = phi i32 [ %wg_begin, %entry ], [ %next, %body ]
  %more = icmp slt i32 %wg, %wg_end
  br i1 %more, label %body, label %exit
body:
  %x = urem i32 %wg, %nwg_x
  %rest = udiv i32 %wg, %nwg_x
  %y = urem i32 %rest, %nwg_y
  %z = udiv i32 %rest, %nwg_y
  %i = mul i32 %wg, 4
  %i64 = zext i32 %i to i64
  %p0 = getelementptr i32, ptr %out, i64 %i64
  %p1 = getelementptr i32, ptr %p0, i64 1
  %p2 = getelementptr i32, ptr %p0, i64 2
  %p3 = getelementptr i32, ptr %p0, i64 3
  store i32 %wg, ptr %p0
  store i32 %x, ptr %p1
  store i32 %y, ptr %p2
  store i32 %z, ptr %p3
  %next = add i32 %wg, 1
  br label %head
exit:
  ret void
}
"""

# A long dependent chain per workgroup (the trip count is a parameter, so nothing folds).
SPIN = """
define void @spin(ptr %out, i64 %n, i32 %iters, i32 %wg_begin, i32 %wg_end, i32 %a, i32 %b, i32 %c) {
entry:
  br label %head
head:
  %wg = phi i32 [ %wg_begin, %entry ], [ %next, %done ]
  %more = icmp slt i32 %wg, %wg_end
  br i1 %more, label %loop, label %exit
loop:
  %k = phi i32 [ 0, %head ], [ %k1, %loop ]
  %acc = phi float [ 1.0, %head ], [ %acc1, %loop ]
  %m = fmul float %acc, 0x3FF0000020000000
  %acc1 = fadd float %m, 0x3E80000000000000
  %k1 = add i32 %k, 1
  %again = icmp slt i32 %k1, %iters
  br i1 %again, label %loop, label %done
done:
  %w64 = zext i32 %wg to i64
  %p = getelementptr float, ptr %out, i64 %w64
  store float %acc1, ptr %p
  %next = add i32 %wg, 1
  br label %head
exit:
  ret void
}
"""

# Value parameters of every shape: the entry must rebuild each from numpy's layout.
VALUES = """
%S = type { float, <3 x float>, i32 }
define void @values(ptr %o, i64 %on, <3 x float> %v, i1 %flag, %S %s, [4 x <4 x float>] %m, i8 %c,
                    double %d, <2 x i32> %iv, i32 %b, i32 %e, i32 %x, i32 %y, i32 %z) {
  %v0 = extractelement <3 x float> %v, i32 0
  %v2 = extractelement <3 x float> %v, i32 2
  %f = uitofp i1 %flag to float
  %sa = extractvalue %S %s, 0
  %sp = extractvalue %S %s, 1
  %spz = extractelement <3 x float> %sp, i32 2
  %sn = extractvalue %S %s, 2
  %snf = sitofp i32 %sn to float
  %col = extractvalue [4 x <4 x float>] %m, 3
  %m32 = extractelement <4 x float> %col, i32 2
  %cf = sitofp i8 %c to float
  %df = fptrunc double %d to float
  %iv1 = extractelement <2 x i32> %iv, i32 1
  %ivf = sitofp i32 %iv1 to float
  %p1 = getelementptr float, ptr %o, i64 1
  %p2 = getelementptr float, ptr %o, i64 2
  %p3 = getelementptr float, ptr %o, i64 3
  %p4 = getelementptr float, ptr %o, i64 4
  %p5 = getelementptr float, ptr %o, i64 5
  %p6 = getelementptr float, ptr %o, i64 6
  %p7 = getelementptr float, ptr %o, i64 7
  %p8 = getelementptr float, ptr %o, i64 8
  %p9 = getelementptr float, ptr %o, i64 9
  store float %v0, ptr %o
  store float %v2, ptr %p1
  store float %f, ptr %p2
  store float %sa, ptr %p3
  store float %spz, ptr %p4
  store float %snf, ptr %p5
  store float %m32, ptr %p6
  store float %cf, ptr %p7
  store float %df, ptr %p8
  store float %ivf, ptr %p9
  ret void
}
"""


@pytest.fixture(scope="module")
def saxpy() -> cpu.CpuArtifact:
    return cpu.build_artifact(SAXPY, "saxpy", SAXPY_PARAMS)


def _saxpy_block(art: cpu.CpuArtifact, x: np.ndarray, y: np.ndarray, a: float, nwg: int) -> np.ndarray:
    block = np.zeros(1, art.args_dtype)
    block["x.ptr"], block["x.len"] = x.ctypes.data, len(x)
    block["y.ptr"], block["y.len"] = y.ctypes.data, len(y)
    block["a"] = a
    block[cpu.NUM_WORKGROUPS] = (nwg, 1, 1)
    return block


def test_args_dtype_layout(saxpy: cpu.CpuArtifact) -> None:
    d = saxpy.args_dtype
    assert d.names == ("x.ptr", "x.len", "y.ptr", "y.len", "a", "__num_workgroups")
    assert [d.fields[n][1] for n in d.names] == [0, 8, 16, 24, 32, 36]
    assert d.fields["x.ptr"][0] == np.uint64 and d.fields["a"][0] == np.float32
    assert d.fields["__num_workgroups"][0] == np.dtype((np.uint32, (3,)))


@pytest.mark.parametrize("n", [1, 63, 64, 1000, 4097])
def test_saxpy_single_call(saxpy: cpu.CpuArtifact, n: int) -> None:
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n).astype(np.float32)
    y = rng.standard_normal(n).astype(np.float32)
    expected = np.float32(2.5) * x + y
    nwg = (n + 63) // 64
    block = _saxpy_block(saxpy, x, y, 2.5, nwg)
    saxpy.call(block.ctypes.data, 0, nwg)
    np.testing.assert_array_equal(y, expected)


def test_saxpy_split_ranges_from_threads(saxpy: cpu.CpuArtifact) -> None:
    n = 100_003
    rng = np.random.default_rng(1)
    x = rng.standard_normal(n).astype(np.float32)
    y = rng.standard_normal(n).astype(np.float32)
    expected = np.float32(-0.75) * x + y
    nwg = (n + 63) // 64
    block = _saxpy_block(saxpy, x, y, -0.75, nwg)
    chunks = 7
    bounds = [nwg * i // chunks for i in range(chunks + 1)]
    threads = [
        threading.Thread(target=saxpy.call, args=(block.ctypes.data, lo, hi))
        for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(y, expected)


def test_empty_and_partial_ranges(saxpy: cpu.CpuArtifact) -> None:
    x = np.ones(256, np.float32)
    y = np.zeros(256, np.float32)
    block = _saxpy_block(saxpy, x, y, 1.0, 4)
    saxpy.call(block.ctypes.data, 2, 2)  # nothing
    assert not y.any()
    saxpy.call(block.ctypes.data, 1, 3)  # workgroups 1 and 2 only
    np.testing.assert_array_equal(y, np.r_[np.zeros(64), np.ones(128), np.zeros(64)].astype(np.float32))


def test_saxpy_is_vectorised(saxpy: cpu.CpuArtifact) -> None:
    assert " x float>" in saxpy.llvm_ir  # the loop vectoriser ran
    assert "define void @saxpy__entry" in saxpy.llvm_ir
    assert "saxpy__entry" in saxpy.asm


def test_workgroup_counts_reach_the_kernel() -> None:
    art = cpu.build_artifact(WG_IDS, "ids", [("out", kt.Array[kt.u32])])
    counts = (3, 4, 2)
    total = counts[0] * counts[1] * counts[2]
    out = np.full(4 * total, 0xFFFF, np.uint32)
    block = np.zeros(1, art.args_dtype)
    block["out.ptr"], block["out.len"] = out.ctypes.data, len(out)
    block[cpu.NUM_WORKGROUPS] = counts
    art.run(block, 0, total)
    wg = np.arange(total)
    expected = np.stack([wg, wg % 3, (wg // 3) % 4, wg // 12], axis=1).ravel()
    np.testing.assert_array_equal(out, expected)


def test_value_parameters_follow_numpy_layout() -> None:
    s_type = kt.StructType("S", (("a", kt.f32), ("p", kt.Vec3), ("n", kt.i32)))
    params = [
        ("o", kt.Array[kt.f32]),
        ("v", kt.Vec3),
        ("flag", kt.bool_),
        ("s", s_type),
        ("m", kt.Mat4),
        ("c", kt.i8),
        ("d", kt.f64),
        ("iv", kt.IVec2),
    ]
    art = cpu.build_artifact(VALUES, "values", params)
    assert art.args_dtype.fields["s"][0] == s_type.dtype
    o = np.zeros(10, np.float32)
    block = np.zeros(1, art.args_dtype)
    block["o.ptr"], block["o.len"] = o.ctypes.data, len(o)
    m = np.arange(16, dtype=np.float32).reshape(4, 4)
    block["v"], block["flag"], block["s"], block["m"] = (1, 2, 3), True, (4.5, (5, 6, 7), -8), m
    block["c"], block["d"], block["iv"] = -3, 2.25, (11, -12)
    art.run(block, 0, 1)
    np.testing.assert_array_equal(o, [1, 3, 1, 4.5, 7, -8, m[3, 2], -3, 2.25, -12])


def test_params_guessed_from_signature() -> None:
    art = cpu.build_artifact(SAXPY, "saxpy")
    assert art.args_dtype.names == ("x.ptr", "x.len", "y.ptr", "y.len", "a", "__num_workgroups")


def test_gil_released_during_call() -> None:
    art = cpu.build_artifact(SPIN, "spin", [("out", kt.Array[kt.f32]), ("iters", kt.i32)])
    out = np.zeros(4, np.float32)
    block = np.zeros(1, art.args_dtype)
    block["out.ptr"], block["out.len"], block["iters"] = out.ctypes.data, 4, 50_000_000
    worker = threading.Thread(target=art.call, args=(block.ctypes.data, 0, 4))
    ticks = 0
    start = time.perf_counter()
    worker.start()
    while worker.is_alive():
        ticks += 1  # only runs while the native call does not hold the GIL
    elapsed = time.perf_counter() - start
    assert elapsed > 0.05, "the spin kernel finished too fast to tell"
    assert ticks > 1000
    assert np.all(out > 1.0)


def test_record_round_trip(saxpy: cpu.CpuArtifact) -> None:
    record = pickle.loads(pickle.dumps(saxpy.record()))
    assert record["object_code"]
    for rec in (record, {**record, "object_code": None}):
        art = cpu.load_artifact(rec)
        assert art.args_dtype == saxpy.args_dtype
        x = np.arange(100, dtype=np.float32)
        y = np.ones(100, np.float32)
        block = _saxpy_block(art, x, y, 3.0, 2)
        art.call(block.ctypes.data, 0, 2)
        np.testing.assert_array_equal(y, 3 * np.arange(100, dtype=np.float32) + 1)


def test_record_of_another_host_recompiles(saxpy: cpu.CpuArtifact) -> None:
    record = {**saxpy.record(), "host": "some other cpu", "object_code": b"not an object file"}
    art = cpu.load_artifact(record)  # ignores the foreign object code
    x = np.ones(64, np.float32)
    y = np.zeros(64, np.float32)
    art.call(_saxpy_block(art, x, y, 2.0, 1).ctypes.data, 0, 1)
    np.testing.assert_array_equal(y, 2 * x)


def test_bad_abi_is_reported() -> None:
    bad = "define void @k(ptr %o, i64 %n, i32 %b, i32 %e) {\n  ret void\n}\n"
    with pytest.raises(ValueError, match="five i32 workgroup parameters"):
        cpu.build_artifact(bad, "k", [("o", kt.Array[kt.f32])])
    with pytest.raises(ValueError, match="more than the kernel"):
        cpu.build_artifact(SAXPY, "saxpy", SAXPY_PARAMS[:2])
    with pytest.raises(ValueError, match="fewer LLVM parameters"):
        cpu.build_artifact(SAXPY, "saxpy", [*SAXPY_PARAMS, ("b", kt.f32)])


def test_compile_is_fast() -> None:
    cpu.build_artifact(SAXPY, "saxpy", SAXPY_PARAMS)  # warm: LLVM initialised
    start = time.perf_counter()
    cpu.build_artifact(SAXPY, "saxpy", SAXPY_PARAMS)
    assert time.perf_counter() - start < 0.5  # measured ~20 ms; generous for a loaded machine


def test_concurrent_compiles() -> None:
    results: list[cpu.CpuArtifact] = []

    def compile_one() -> None:
        results.append(cpu.build_artifact(SAXPY, "saxpy", SAXPY_PARAMS))

    threads = [threading.Thread(target=compile_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for art in results:
        x = np.arange(64, dtype=np.float32)
        y = np.ones(64, np.float32)
        art.call(_saxpy_block(art, x, y, 2.0, 1).ctypes.data, 0, 1)
        np.testing.assert_array_equal(y, 2 * np.arange(64, dtype=np.float32) + 1)
