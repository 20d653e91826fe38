// RUN: not khal-opt %s 2>&1 | filecheck %s
// RUN: not khal-opt %s 2>&1 | filecheck %s --check-prefix=NOTB
// RUN: not khal-opt %s -p khal-infer-access 2>&1 | filecheck %s

// A verifier error is located like a parse error: at the failing op's name, in this file.

// CHECK:      verify-error.mlir:[[# @LINE + 6]]:8
// CHECK-NEXT:   %x = khal.load %a[%i] : !khal.array<f32, read>, i32 -> i32
// CHECK-NEXT:        ^^^^^^^^^
// CHECK-NEXT:        Operation does not verify: result type i32 does not match the element type f32
khal.kernel @k(%a: !khal.array<f32, read>) workgroup_size(1, 1, 1) {
  %i = khal.global_invocation_id x
  %x = khal.load %a[%i] : !khal.array<f32, read>, i32 -> i32
  khal.return
}

// NOTB-NOT: Traceback
