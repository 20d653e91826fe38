// RUN: khal-opt %s -p khal-cpu-workgroup-loops | filecheck %s

// A device function that uses a barrier or an invocation id cannot be called on the CPU (the loops
// over the invocations live in the kernel): it is inlined, and dropped once nothing calls it. Other
// device functions stay calls. The invocation loops nest z, y, x (x innermost).

func.func @sync_then_lid() -> i32 {
  khal.workgroup_barrier
  %l = khal.local_invocation_id x
  func.return %l : i32
}

func.func @twice(%x: i32) -> i32 {
  %r = arith.addi %x, %x : i32
  func.return %r : i32
}

khal.kernel @calls(%out: !khal.array<i32>) workgroup_size(4, 2, 2) {
  %gid = khal.global_invocation_id x
  %l = func.call @sync_then_lid() : () -> i32
  %t = func.call @twice(%l) : (i32) -> i32
  khal.store %t, %out[%gid] : i32, !khal.array<i32>, i32
  khal.return
}

// CHECK-NOT:   func.func @sync_then_lid
// CHECK-LABEL: func.func @twice(%x: i32) -> i32 {
// CHECK-LABEL: func.func @calls(
// CHECK:         scf.for %wg = %wg_begin to %wg_end
// CHECK-NEXT:      %wg_x = arith.remui %wg, %nwg_x : i32
// CHECK-NEXT:      scf.for %lz = {{.*}} {
// CHECK-NEXT:        scf.for %ly = {{.*}} {
// CHECK-NEXT:          scf.for %lx = {{.*}} {
// CHECK:                 %t = func.call @twice(%lx) : (i32) -> i32
// CHECK:                 khal.store %t, %out[%gid_x]
// CHECK-NOT:   khal.workgroup_barrier
// CHECK-NOT:   khal.local_invocation_id
