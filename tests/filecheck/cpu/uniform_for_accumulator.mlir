// RUN: khal-opt %s -p khal-cpu-workgroup-loops | filecheck %s

// A tiled matmul: the tile loop holds barriers and has uniform bounds (constants and the parameter
// %n), so it runs at workgroup level. Its loop-carried `acc` differs per invocation: it is kept in a
// slot (stored before the loop, reloaded in the body, stored at the end of each iteration, reloaded
// after the loop), and the workgroup-level scf.for carries nothing.

khal.kernel @matmul(%a: !khal.array<f32, read>, %b: !khal.array<f32, read>, %c: !khal.array<f32>, %n: i32)
    workgroup_size(4, 4, 1) {
  %ta = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
  %tb = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
  %lx = khal.local_invocation_id x
  %ly = khal.local_invocation_id y
  %col = khal.global_invocation_id x
  %row = khal.global_invocation_id y
  %lidx = khal.local_invocation_index
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i32
  %zero = arith.constant 0.0 : f32
  %acc = scf.for %t = %c0 to %n step %c4 iter_args(%acc_in = %zero) -> (f32) : i32 {
    %rn = arith.muli %row, %n : i32
    %ac = arith.addi %t, %lx : i32
    %ai = arith.addi %rn, %ac : i32
    %av = khal.load %a[%ai] : !khal.array<f32, read>, i32 -> f32
    khal.workgroup_store %av, %ta[%lidx] : f32, !khal.workgroup_array<16 x f32>, i32
    %br = arith.addi %t, %ly : i32
    %brn = arith.muli %br, %n : i32
    %bi = arith.addi %brn, %col : i32
    %bv = khal.load %b[%bi] : !khal.array<f32, read>, i32 -> f32
    khal.workgroup_store %bv, %tb[%lidx] : f32, !khal.workgroup_array<16 x f32>, i32
    khal.workgroup_barrier
    %sum = scf.for %k = %c0 to %c4 step %c1 iter_args(%s = %acc_in) -> (f32) : i32 {
      %ly4 = arith.muli %ly, %c4 : i32
      %ia = arith.addi %ly4, %k : i32
      %k4 = arith.muli %k, %c4 : i32
      %ib = arith.addi %k4, %lx : i32
      %x = khal.workgroup_load %ta[%ia] : !khal.workgroup_array<16 x f32>, i32 -> f32
      %y = khal.workgroup_load %tb[%ib] : !khal.workgroup_array<16 x f32>, i32 -> f32
      %xy = arith.mulf %x, %y : f32
      %s2 = arith.addf %s, %xy : f32
      scf.yield %s2 : f32
    }
    khal.workgroup_barrier
    scf.yield %sum : f32
  }
  %rn2 = arith.muli %row, %n : i32
  %ci = arith.addi %rn2, %col : i32
  khal.store %acc, %c[%ci] : f32, !khal.array<f32>, i32
  khal.return
}

// CHECK-LABEL: func.func @matmul(
// CHECK-NEXT:    %ta = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
// CHECK-NEXT:    %tb = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
// CHECK-NEXT:    %acc_in_slot = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
// CHECK-NEXT:    %sum_slot = khal.workgroup_alloc : !khal.workgroup_array<16 x f32>
// CHECK:         scf.for %wg = %wg_begin to %wg_end
// The initial value goes into the slot, per invocation, before the loop.
// CHECK:           scf.for %ly = {{.*}} {
// CHECK-NEXT:        scf.for %lx = {{.*}} {
// CHECK-NEXT:          %[[I:.*]] = arith.muli %ly, %{{.*}} : i32
// CHECK-NEXT:          %lidx = arith.addi %[[I]], %lx : i32
// CHECK-NEXT:          khal.workgroup_store %zero, %acc_in_slot[%lidx]
// The tile loop runs once per workgroup and carries nothing.
// CHECK:           scf.for %t = %c0 to %n step %c4 : i32 {
// CHECK:             scf.for %ly_1 = {{.*}} {
// CHECK:               khal.workgroup_store %bv, %tb[%lidx_1]
// CHECK:             scf.for %ly_2 = {{.*}} {
// CHECK:                 %acc_in = khal.workgroup_load %acc_in_slot[%lidx_2]
// CHECK:                 %sum = scf.for %k = %c0 to %c4 step %c1 iter_args(%s = %acc_in) -> (f32) : i32 {
// CHECK:                 khal.workgroup_store %sum, %sum_slot[%lidx_2]
// After the second barrier, the yielded sum becomes the next iteration's accumulator.
// CHECK:             scf.for %ly_3 = {{.*}} {
// CHECK:                 %sum_1 = khal.workgroup_load %sum_slot[%lidx_3]
// CHECK-NEXT:            khal.workgroup_store %sum_1, %acc_in_slot[%lidx_3]
// CHECK-NEXT:          }
// CHECK-NEXT:        }
// CHECK-NEXT:      }
// After the loop, the result is reloaded from the same slot.
// CHECK-NEXT:      scf.for %ly_4 = {{.*}} {
// CHECK:               %acc = khal.workgroup_load %acc_in_slot[%lidx_4]
// CHECK:               khal.store %acc, %c[%ci]
