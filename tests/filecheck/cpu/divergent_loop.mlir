// RUN: not khal-opt %s -p khal-cpu-workgroup-loops 2>&1 | filecheck %s

// A loop holding a barrier must run the same number of times in every invocation. Here the trip count
// comes from an array the kernel also writes, so it cannot be proven uniform; the error names the kernel.

khal.kernel @varying_trip_count(%a: !khal.array<i32>) workgroup_size(64, 1, 1) {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %n = khal.load %a[%c0] : !khal.array<i32>, i32 -> i32
  scf.for %i = %c0 to %n step %c1 : i32 {
    khal.workgroup_barrier
    khal.store %i, %a[%c1] : i32, !khal.array<i32>, i32
  }
  khal.return
}

// khal-opt gives ops without a `loc(...)` their place in the input, so the error points there too.
// CHECK: divergent_loop.mlir:{{[0-9]+}}:5: error: a workgroup barrier is under the bounds of a loop
// CHECK-SAME: that depends on the invocation id; every invocation of a workgroup must reach the same barriers (in kernel 'varying_trip_count')
