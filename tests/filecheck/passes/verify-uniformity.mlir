// RUN: not khal-opt %s -p %khal_common_prefix 2>&1 | filecheck %s
// RUN: not khal-opt %s -t llvm 2>&1 | filecheck %s
// RUN: not khal-opt %s -p khal-verify-uniformity 2>&1 | filecheck %s

// The common prefix of every target's pipeline rejects a barrier that not every invocation of a
// workgroup reaches: the `if` depends on the local invocation id. The error is at the barrier's
// source location and names the line of the `if`; no target-specific pass has run.

// CHECK: kernels.py:12:12: error: a workgroup barrier is under an 'if' condition (at line 11) that depends on the invocation id; every invocation of a workgroup must reach the same barriers (in kernel 'divergent')
khal.kernel @divergent(%out: !khal.array<i32>) workgroup_size(64, 1, 1) {
  %lid = khal.local_invocation_id x
  %c32 = arith.constant 32 : i32
  %lt = arith.cmpi ult, %lid, %c32 : i32
  scf.if %lt {
    khal.workgroup_barrier loc("kernels.py":12:12)
  } loc("kernels.py":11:8)
  khal.return
}
