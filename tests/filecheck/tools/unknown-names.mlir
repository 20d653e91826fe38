// RUN: khal-opt %s --split-input-file --parsing-diagnostics | filecheck %s
// RUN: not khal-opt %s 2>&1 | filecheck %s --check-prefix=FIRST
// RUN: not khal-opt %s 2>&1 | filecheck %s --check-prefix=NOTB

// Unknown ops and types, and types whose own verifier fails, are located in the input.

// CHECK:      unknown-names.mlir:[[# @LINE + 7]]:8
// CHECK-NEXT:   %x = khal.frobnicate
// CHECK-NEXT:        ^^^^^^^^^^^^^^^
// CHECK-NEXT:        Operation khal.frobnicate is not registered
// FIRST: unknown-names.mlir:[[# @LINE + 3]]:8
// FIRST: Operation khal.frobnicate is not registered
khal.kernel @k() workgroup_size(1, 1, 1) {
  %x = khal.frobnicate
  khal.return
}

// -----

// CHECK: unknown-names.mlir:[[# @LINE + 2]]:32
// CHECK: 'khal.tensor' is not registered
khal.kernel @k(%a: !khal.tensor<f32>) workgroup_size(1, 1, 1) {
  khal.return
}

// -----

// CHECK:      unknown-names.mlir:[[# @LINE + 4]]:29
// CHECK-NEXT: func.func @f(%a: !khal.array<i1, read>) {
// CHECK-NEXT:                             ^^^^^^^^^^
// CHECK-NEXT:                             invalid khal.array: an array of i1 has no memory layout; use i8
func.func @f(%a: !khal.array<i1, read>) {
  func.return
}

// NOTB-NOT: Traceback
