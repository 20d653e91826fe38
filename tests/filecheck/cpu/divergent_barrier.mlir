// RUN: not khal-opt %s -p khal-cpu-workgroup-loops 2>&1 | filecheck %s

// A barrier that only some invocations of a workgroup reach (its `if` depends on the local id) has
// no meaning; the pass rejects it with a CompileError at the barrier's source location, naming the line
// of the `if`.

khal.kernel @divergent(%out: !khal.array<i32>) workgroup_size(64, 1, 1) {
  %lid = khal.local_invocation_id x
  %c32 = arith.constant 32 : i32
  %lt = arith.cmpi ult, %lid, %c32 : i32
  scf.if %lt {
    khal.workgroup_barrier loc("kernels.py":12:12)
  } loc("kernels.py":11:8)
  khal.return
}

// CHECK: kernels.py:12:12: error: a workgroup barrier is under an 'if' condition (at line 11) that depends on the invocation id; every invocation of a workgroup must reach the same barriers (in kernel 'divergent')
