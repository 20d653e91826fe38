// RUN: khal-opt %s -p khal-cpu-workgroup-loops | filecheck %s

// A kernel without barriers is one piece: the body runs in a loop over the invocations (x innermost)
// inside the loop over the workgroup range. Uniform values (len, constants) are computed once per
// workgroup, outside the invocation loops; the global id comes from the loop counter.

khal.kernel @add_assign(%a: !khal.array<f32>, %b: !khal.array<f32, read>) workgroup_size(16, 2, 1) {
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

// CHECK-LABEL: func.func @add_assign(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read>,
// CHECK-SAME:      %wg_begin: i32, %wg_end: i32, %nwg_x: i32, %nwg_y: i32, %nwg_z: i32)
// CHECK-SAME:      attributes {khal.workgroup_size = array<i64: 16, 2, 1>}
// CHECK-NOT:   khal.workgroup_alloc
// CHECK:       scf.for %wg = %wg_begin to %wg_end step %{{.*}} : i32 {
// CHECK-NEXT:    %wg_x = arith.remui %wg, %nwg_x : i32
// CHECK-NEXT:    %n = khal.len %a
// CHECK-NEXT:    scf.for %ly = %{{.*}} to %{{.*}} step %{{.*}} : i32 {
// CHECK-NEXT:      scf.for %lx = %{{.*}} to %{{.*}} step %{{.*}} : i32 {
// CHECK-NEXT:        %[[BASE:.*]] = arith.muli %wg_x, %{{.*}} : i32
// CHECK-NEXT:        %gid_x = arith.addi %[[BASE]], %lx : i32
// CHECK-NEXT:        %in = arith.cmpi ult, %gid_x, %n : i32
// CHECK-NEXT:        scf.if %in {
// CHECK:               khal.store %s, %a[%gid_x]
// CHECK:       func.return
// CHECK-NOT:   khal.kernel
// CHECK-NOT:   khal.global_invocation_id
