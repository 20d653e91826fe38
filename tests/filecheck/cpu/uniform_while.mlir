// RUN: khal-opt %s -p khal-cpu-workgroup-loops | filecheck %s

// `while stride > 0: ...; workgroup_barrier(); stride //= 2` with a constant start: the stride is
// uniform, so the scf.while stays at workgroup level and carries it itself (no slot); its condition
// and the halving run once per workgroup; the piece before the barrier loops over the invocations.

khal.kernel @reduce(%inp: !khal.array<f32, read>, %out: !khal.array<f32>) workgroup_size(64, 1, 1) {
  %sh = khal.workgroup_alloc : !khal.workgroup_array<64 x f32>
  %lid = khal.local_invocation_id x
  %gid = khal.global_invocation_id x
  %x = khal.load %inp[%gid] : !khal.array<f32, read>, i32 -> f32
  khal.workgroup_store %x, %sh[%lid] : f32, !khal.workgroup_array<64 x f32>, i32
  khal.workgroup_barrier
  %c32 = arith.constant 32 : i32
  %r = scf.while (%stride = %c32) : (i32) -> i32 {
    %c0 = arith.constant 0 : i32
    %more = arith.cmpi sgt, %stride, %c0 : i32
    scf.condition(%more) %stride : i32
  } do {
  ^bb0(%s: i32):
    %lt = arith.cmpi ult, %lid, %s : i32
    scf.if %lt {
      %j = arith.addi %lid, %s : i32
      %p = khal.workgroup_load %sh[%lid] : !khal.workgroup_array<64 x f32>, i32 -> f32
      %q = khal.workgroup_load %sh[%j] : !khal.workgroup_array<64 x f32>, i32 -> f32
      %t = arith.addf %p, %q : f32
      khal.workgroup_store %t, %sh[%lid] : f32, !khal.workgroup_array<64 x f32>, i32
    }
    khal.workgroup_barrier
    %c2 = arith.constant 2 : i32
    %s2 = arith.divui %s, %c2 : i32
    scf.yield %s2 : i32
  }
  %c0i = arith.constant 0 : i32
  %first = arith.cmpi eq, %lid, %c0i : i32
  scf.if %first {
    %tot = khal.workgroup_load %sh[%c0i] : !khal.workgroup_array<64 x f32>, i32 -> f32
    %wg = khal.workgroup_id x
    khal.store %tot, %out[%wg] : f32, !khal.array<f32>, i32
  }
  khal.return
}

// CHECK-LABEL: func.func @reduce(
// CHECK-NEXT:    %sh = khal.workgroup_alloc : !khal.workgroup_array<64 x f32>
// CHECK-NOT:     khal.workgroup_alloc
// CHECK:         scf.for %wg = %wg_begin to %wg_end
// CHECK:           scf.for %lx = {{.*}} {
// CHECK:             khal.workgroup_store %x, %sh[%lx]
// CHECK-NEXT:      }
// CHECK-NEXT:      %c32 = arith.constant 32 : i32
// CHECK-NEXT:      %r = scf.while (%stride = %c32) : (i32) -> i32 {
// CHECK-NEXT:        %c0 = arith.constant 0 : i32
// CHECK-NEXT:        %more = arith.cmpi sgt, %stride, %c0 : i32
// CHECK-NEXT:        scf.condition(%more) %stride : i32
// CHECK-NEXT:      } do {
// CHECK-NEXT:      ^{{.*}}(%s: i32):
// CHECK-NEXT:        scf.for %lx_1 = {{.*}} {
// CHECK-NEXT:          %lt = arith.cmpi ult, %lx_1, %s : i32
// CHECK-NEXT:          scf.if %lt {
// CHECK:             }
// CHECK-NEXT:        }
// CHECK-NEXT:        %c2 = arith.constant 2 : i32
// CHECK-NEXT:        %s2 = arith.divui %s, %c2 : i32
// CHECK-NEXT:        scf.yield %s2 : i32
// CHECK-NEXT:      }
// CHECK:           scf.for %lx_2 = {{.*}} {
// CHECK-NEXT:        %first = arith.cmpi eq, %lx_2, %c0i : i32
// CHECK-NEXT:        scf.if %first {
// CHECK:               khal.store %tot, %out[%wg_x]
