// RUN: khal-opt %s -p khal-cpu-workgroup-loops | filecheck %s

// One barrier splits the body into two pieces, each its own loop over the invocations. Workgroup
// memory is allocated once at the top of the function. The loaded value `x` lives across the barrier,
// so it goes through a per-invocation slot; the local id is recomputed from the second loop's counter.

khal.kernel @reverse(%a: !khal.array<f32>) workgroup_size(64, 1, 1) {
  %lid = khal.local_invocation_id x
  %gid = khal.global_invocation_id x
  %x = khal.load %a[%gid] : !khal.array<f32>, i32 -> f32
  %sh = khal.workgroup_alloc : !khal.workgroup_array<64 x f32>
  khal.workgroup_store %x, %sh[%lid] : f32, !khal.workgroup_array<64 x f32>, i32
  khal.workgroup_barrier
  %c63 = arith.constant 63 : i32
  %r = arith.subi %c63, %lid : i32
  %y = khal.workgroup_load %sh[%r] : !khal.workgroup_array<64 x f32>, i32 -> f32
  %s = arith.addf %x, %y : f32
  khal.store %s, %a[%gid] : f32, !khal.array<f32>, i32
  khal.return
}

// CHECK-LABEL: func.func @reverse(
// CHECK-NEXT:    %sh = khal.workgroup_alloc : !khal.workgroup_array<64 x f32>
// CHECK-NEXT:    %x_slot = khal.workgroup_alloc : !khal.workgroup_array<64 x f32>
// CHECK:         scf.for %wg = %wg_begin to %wg_end
// CHECK:           scf.for %lx = %[[ZERO:.*]] to %[[N:.*]] step
// CHECK:             %x = khal.load %a[%gid_x]
// CHECK-NEXT:        khal.workgroup_store %x, %sh[%lx]
// CHECK-NEXT:        khal.workgroup_store %x, %x_slot[%lx]
// CHECK-NEXT:      }
// CHECK-NEXT:      %c63 = arith.constant 63 : i32
// CHECK-NEXT:      scf.for %lx_1 = %[[ZERO]] to %[[N]] step
// CHECK-NEXT:        %x_1 = khal.workgroup_load %x_slot[%lx_1]
// CHECK:             %r = arith.subi %c63, %lx_1 : i32
// CHECK-NEXT:        %y = khal.workgroup_load %sh[%r]
// CHECK-NEXT:        %s = arith.addf %x_1, %y : f32
// CHECK-NEXT:        khal.store %s, %a[%gid_x{{.*}}]
// CHECK-NOT:   khal.workgroup_barrier
