// RUN: khal-opt %s -p 'convert-khal-to-nvvm{coarsen=2}' | filecheck %s
// RUN: khal-opt %s -p 'convert-khal-to-nvvm{coarsen=2},khal-cuda-lower-abi' | filecheck %s --check-prefix=ABI

// {coarsen=2}: two workgroups (consecutive in x) per block. The kernel takes `__groups_x` (the logical
// count in x); block b runs workgroups 2b and 2b+1. Where both exist and pass the kernel's guard, they
// run as one straight line: both loads before either store (the fast path); otherwise each runs in a
// loop of constant trip count under its own `group < __groups_x` test (the general path).

// CHECK-LABEL: func.func @saxpy(%y: !khal.array<f32, read_write>, %x: !khal.array<f32, read>, %alpha: f32, %__groups_x: i32)
// CHECK:         %[[CTA:.*]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.ctaid.x"()
// CHECK-NEXT:    %[[TWO:.*]] = arith.constant 2 : i32
// CHECK-NEXT:    %[[G0:.*]] = arith.muli %[[CTA]], %[[TWO]] : i32
// The guard of workgroup 2b, then of 2b+1 (ids from their own workgroup index):
// CHECK:         %[[I0:.*]] = arith.addi %{{.*}}, %{{.*}} : i32
// CHECK-NEXT:    %[[LEN0:.*]] = khal.len %y
// CHECK-NEXT:    %[[IN0:.*]] = arith.cmpi ult, %[[I0]], %[[LEN0]] : i32
// CHECK-NEXT:    %[[E0:.*]] = arith.cmpi ult, %[[G0]], %__groups_x : i32
// CHECK:         %[[G1:.*]] = arith.addi %[[G0]], %{{.*}} : i32
// CHECK:         %[[I1:.*]] = arith.addi %{{.*}}, %{{.*}} : i32
// CHECK-NEXT:    %[[LEN1:.*]] = khal.len %y
// CHECK-NEXT:    %[[IN1:.*]] = arith.cmpi ult, %[[I1]], %[[LEN1]] : i32
// CHECK-NEXT:    %[[E1:.*]] = arith.cmpi ult, %[[G1]], %__groups_x : i32
// CHECK-NEXT:    %[[A:.*]] = arith.andi %[[E0]], %[[IN0]] : i1
// CHECK-NEXT:    %[[B:.*]] = arith.andi %[[A]], %[[E1]] : i1
// CHECK-NEXT:    %[[ALL:.*]] = arith.andi %[[B]], %[[IN1]] : i1
// CHECK-NEXT:    scf.if %[[ALL]] {
// CHECK-NEXT:      %[[X0:.*]] = khal.load %x[%[[I0]]]
// CHECK-NEXT:      %{{.*}} = arith.mulf %alpha, %[[X0]] : f32
// CHECK-NEXT:      %[[Y0:.*]] = khal.load %y[%[[I0]]]
// CHECK-NEXT:      %[[S0:.*]] = arith.addf %{{.*}}, %[[Y0]] : f32
// CHECK-NEXT:      %[[X1:.*]] = khal.load %x[%[[I1]]]
// CHECK-NEXT:      %{{.*}} = arith.mulf %alpha, %[[X1]] : f32
// CHECK-NEXT:      %[[Y1:.*]] = khal.load %y[%[[I1]]]
// CHECK-NEXT:      %[[S1:.*]] = arith.addf %{{.*}}, %[[Y1]] : f32
// CHECK-NEXT:      khal.store %[[S0]], %y[%[[I0]]]
// CHECK-NEXT:      khal.store %[[S1]], %y[%[[I1]]]
// CHECK-NEXT:    } else {
// CHECK:           scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} : i32 {
// CHECK-NEXT:        %[[G:.*]] = arith.addi %[[G0]], %[[J]] : i32
// CHECK-NEXT:        %[[E:.*]] = arith.cmpi ult, %[[G]], %__groups_x : i32
// CHECK-NEXT:        scf.if %[[E]] {
// CHECK:               arith.muli %[[G]], %{{.*}} : i32
// CHECK:               scf.if
// CHECK-COUNT-2:         khal.load
// CHECK:                 khal.store
// CHECK:         func.return

// A barrier (or workgroup memory, or a subgroup op) keeps one workgroup per block: no extra parameter.
// CHECK-LABEL: func.func @with_barrier(%a: !khal.array<f32, read_write>)
// CHECK-NOT:     __groups_x
// CHECK:         llvm.nvvm.barrier0

// ABI:      {name = "__groups_x", kind = "value", access = "value", offset = 36 : i64, size = 4 : i64

builtin.module {
  khal.kernel @saxpy(%y: !khal.array<f32, read_write>, %x: !khal.array<f32, read>, %alpha: f32) workgroup_size(256, 1, 1) {
    %i = khal.global_invocation_id x
    %0 = khal.len %y : !khal.array<f32, read_write>
    %1 = arith.cmpi ult, %i, %0 : i32
    scf.if %1 {
      %2 = khal.load %x[%i] : !khal.array<f32, read>, i32 -> f32
      %3 = arith.mulf %alpha, %2 : f32
      %4 = khal.load %y[%i] : !khal.array<f32, read_write>, i32 -> f32
      %5 = arith.addf %3, %4 : f32
      khal.store %5, %y[%i] : f32, !khal.array<f32, read_write>, i32
    }
    khal.return
  }
  khal.kernel @with_barrier(%a: !khal.array<f32, read_write>) workgroup_size(32, 1, 1) {
    %g = khal.global_invocation_id x
    %v = khal.load %a[%g] : !khal.array<f32, read_write>, i32 -> f32
    khal.workgroup_barrier
    khal.store %v, %a[%g] : f32, !khal.array<f32, read_write>, i32
    khal.return
  }
}
