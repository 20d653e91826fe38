// RUN: khal-opt %s -p khal-verify-uniformity | filecheck %s

// Accepted (the IR is unchanged): barriers under control flow that every invocation of a workgroup
// takes alike.
// CHECK-LABEL: khal.kernel @uniform
// CHECK-COUNT-3: barrier
// Uniform: a loop bound read from a `read` array at a constant index, a condition on the workgroup
// id, and a loop-carried value halved each iteration (a tree reduction's stride).
khal.kernel @uniform(%n: !khal.array<i32, read>, %out: !khal.array<i32>) workgroup_size(64, 1, 1) {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %bound = khal.load %n[%c0] : !khal.array<i32, read>, i32 -> i32
  scf.for %i = %c0 to %bound step %c1 : i32 {
    khal.workgroup_barrier
  }
  %wg = khal.workgroup_id x
  %first = arith.cmpi eq, %wg, %c0 : i32
  scf.if %first {
    khal.storage_barrier
  }
  %s = scf.while (%stride = %c2) : (i32) -> i32 {
    %more = arith.cmpi sgt, %stride, %c0 : i32
    scf.condition(%more) %stride : i32
  } do {
  ^bb0(%st: i32):
    khal.workgroup_barrier
    %half = arith.divsi %st, %c2 : i32
    scf.yield %half : i32
  }
  khal.return
}

