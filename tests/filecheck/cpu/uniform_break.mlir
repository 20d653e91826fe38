// RUN: khal-opt %s -p khal-cpu-workgroup-loops | filecheck %s

// What the frontend makes of `for i in range(n): ...; workgroup_barrier(); if i == 2: break`: the
// loop condition and the break flag come from `scf.if`s. Control flow without effects that reads only
// uniform values is uniform, so it runs once per workgroup and the loop stays at workgroup level,
// carrying the counter and the flag itself. The varying `acc` is forwarded by the condition in the
// slot it already has.

khal.kernel @brk(%a: !khal.array<f32>, %n: i32) workgroup_size(8, 1, 1) {
  %sh = khal.workgroup_alloc : !khal.workgroup_array<8 x f32>
  %lid = khal.local_invocation_id x
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : i32
  %c0 = arith.constant 0 : i32
  %false = arith.constant false
  %acc, %i, %done = scf.while (%acc0 = %zero, %i0 = %c0, %done0 = %false) : (f32, i32, i1) -> (f32, i32, i1) {
    %true = arith.constant true
    %go = arith.xori %done0, %true : i1
    %more = scf.if %go -> (i1) {
      %lt = arith.cmpi ult, %i0, %n : i32
      scf.yield %lt : i1
    } else {
      scf.yield %false : i1
    }
    scf.condition(%more) %acc0, %i0, %done0 : f32, i32, i1
  } do {
  ^bb0(%acc1: f32, %i1: i32, %done1: i1):
    %v = khal.load %a[%lid] : !khal.array<f32>, i32 -> f32
    khal.workgroup_store %v, %sh[%lid] : f32, !khal.workgroup_array<8 x f32>, i32
    khal.workgroup_barrier
    %w = khal.workgroup_load %sh[%c0] : !khal.workgroup_array<8 x f32>, i32 -> f32
    %acc2 = arith.addf %acc1, %w : f32
    %c2 = arith.constant 2 : i32
    %hit = arith.cmpi eq, %i1, %c2 : i32
    %done2 = scf.if %hit -> (i1) {
      %t = arith.constant true
      scf.yield %t : i1
    } else {
      scf.yield %done1 : i1
    }
    %i2 = arith.addi %i1, %c1 : i32
    scf.yield %acc2, %i2, %done2 : f32, i32, i1
  }
  khal.store %acc, %a[%lid] : f32, !khal.array<f32>, i32
  khal.return
}

// CHECK-LABEL: func.func @brk(
// CHECK-NEXT:    %sh = khal.workgroup_alloc
// CHECK-NEXT:    %acc0_slot = khal.workgroup_alloc : !khal.workgroup_array<8 x f32>
// CHECK-NOT:     khal.workgroup_alloc
// CHECK:           khal.workgroup_store %zero, %acc0_slot[%lx]
// CHECK:         %i, %done = scf.while (%i0 = %c0, %done0 = %false) : (i32, i1) -> (i32, i1) {
// CHECK-NEXT:      %true = arith.constant true
// CHECK-NEXT:      %go = arith.xori %done0, %true : i1
// CHECK-NEXT:      %more = scf.if %go -> (i1) {
// CHECK:           scf.condition(%more) %i0, %done0 : i32, i1
// CHECK-NEXT:    } do {
// CHECK-NEXT:    ^{{.*}}(%i1: i32, %done1: i1):
// CHECK:           scf.for %lx_1 = {{.*}} {
// CHECK:             khal.workgroup_store %v, %sh[%lx_1]
// CHECK-NEXT:      }
// The uniform rest of the body (break flag, counter) runs once, before the invocation loop.
// CHECK-NEXT:      %c2 = arith.constant 2 : i32
// CHECK-NEXT:      %hit = arith.cmpi eq, %i1, %c2 : i32
// CHECK-NEXT:      %done2 = scf.if %hit -> (i1) {
// CHECK:           %i2 = arith.addi %i1, %c1 : i32
// CHECK-NEXT:      scf.for %lx_2 = {{.*}} {
// CHECK-NEXT:        %acc1 = khal.workgroup_load %acc0_slot[%lx_2]
// CHECK-NEXT:        %w = khal.workgroup_load %sh[%c0]
// CHECK-NEXT:        %acc2 = arith.addf %acc1, %w : f32
// CHECK-NEXT:        khal.workgroup_store %acc2, %acc0_slot[%lx_2]
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.yield %i2, %done2 : i32, i1
// CHECK:           %acc = khal.workgroup_load %acc0_slot[%lx_3]
// CHECK-NEXT:      khal.store %acc, %a[%lx_3]
