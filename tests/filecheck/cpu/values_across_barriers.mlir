// RUN: khal-opt %s -p khal-cpu-workgroup-loops | filecheck %s

// Per-invocation values defined before a barrier and used after it: a loaded f32 and an i1 (kept as
// i8) are stored to slots where they are defined and reloaded where they are used; a value computed
// from ids alone (`nb`) is recomputed instead. A storage barrier splits like a workgroup barrier.
// Subgroups have one invocation: the reduction is its operand and the subgroup size is 1.

khal.kernel @crossing(%inp: !khal.array<f32>, %out: !khal.array<f32>) workgroup_size(8, 1, 1) {
  %sh = khal.workgroup_alloc : !khal.workgroup_array<8 x f32>
  %lid = khal.local_invocation_id x
  %gid = khal.global_invocation_id x
  %x = khal.load %inp[%gid] : !khal.array<f32>, i32 -> f32
  %zero = arith.constant 0.0 : f32
  %pos = arith.cmpf ogt, %x, %zero : f32
  %c1 = arith.constant 1 : i32
  %c7 = arith.constant 7 : i32
  %l1 = arith.addi %lid, %c1 : i32
  %nb = arith.andi %l1, %c7 : i32
  khal.workgroup_store %x, %sh[%lid] : f32, !khal.workgroup_array<8 x f32>, i32
  khal.workgroup_barrier
  %y = khal.workgroup_load %sh[%nb] : !khal.workgroup_array<8 x f32>, i32 -> f32
  khal.storage_barrier
  %sy = khal.subgroup_reduce add %y : f32
  %size = khal.subgroup_size
  %negx = arith.negf %x : f32
  %abs = arith.select %pos, %x, %negx : f32
  %r = arith.addf %abs, %sy : f32
  khal.store %r, %out[%gid] : f32, !khal.array<f32>, i32
  khal.store %r, %out[%size] : f32, !khal.array<f32>, i32
  khal.return
}

// CHECK-LABEL: func.func @crossing(
// CHECK-NEXT:    %sh = khal.workgroup_alloc : !khal.workgroup_array<8 x f32>
// CHECK-NEXT:    %x_slot = khal.workgroup_alloc : !khal.workgroup_array<8 x f32>
// CHECK-NEXT:    %pos_slot = khal.workgroup_alloc : !khal.workgroup_array<8 x i8>
// CHECK-NEXT:    %y_slot = khal.workgroup_alloc : !khal.workgroup_array<8 x f32>
// CHECK-NOT:     khal.workgroup_alloc
// Piece 1: define and spill.
// CHECK:           scf.for %lx = {{.*}} {
// CHECK:             %x = khal.load %inp[%gid_x]
// CHECK-NEXT:        %pos = arith.cmpf ogt, %x, %zero : f32
// CHECK-NEXT:        khal.workgroup_store %x, %sh[%lx]
// CHECK-NEXT:        khal.workgroup_store %x, %x_slot[%lx]
// CHECK-NEXT:        %[[B:.*]] = arith.extui %pos : i1 to i8
// CHECK-NEXT:        khal.workgroup_store %[[B]], %pos_slot[%lx]
// CHECK-NEXT:      }
// Piece 2: the neighbour index is recomputed from the loop counter.
// CHECK-NEXT:      scf.for %lx_1 = {{.*}} {
// CHECK-NEXT:        %l1 = arith.addi %lx_1, %c1 : i32
// CHECK-NEXT:        %nb = arith.andi %l1, %c7 : i32
// CHECK-NEXT:        %y = khal.workgroup_load %sh[%nb]
// CHECK-NEXT:        khal.workgroup_store %y, %y_slot[%lx_1]
// CHECK-NEXT:      }
// Piece 3 (after the storage barrier): reload, subgroup ops gone.
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT:      scf.for %lx_2 = {{.*}} {
// CHECK-DAG:         %y_1 = khal.workgroup_load %y_slot[%lx_2]
// CHECK-DAG:         %x_1 = khal.workgroup_load %x_slot[%lx_2]
// CHECK-DAG:         %[[P8:.*]] = khal.workgroup_load %pos_slot[%lx_2]
// CHECK-DAG:         %pos_1 = arith.trunci %[[P8]] : i8 to i1
// CHECK:             %negx = arith.negf %x_1 : f32
// CHECK-NEXT:        %abs = arith.select %pos_1, %x_1, %negx : f32
// CHECK-NEXT:        %r = arith.addf %abs, %y_1 : f32
// CHECK-NEXT:        khal.store %r, %out[%gid_x{{.*}}]
// CHECK-NEXT:        khal.store %r, %out[%[[ONE]]]
// CHECK-NOT:   khal.subgroup
// CHECK-NOT:   barrier
