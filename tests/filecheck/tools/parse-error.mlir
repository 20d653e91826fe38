// RUN: not khal-opt %s 2>&1 | filecheck %s
// RUN: not khal-opt %s 2>&1 | filecheck %s --check-prefix=NOTB
// RUN: not khal-opt - < %s 2>&1 | filecheck %s --check-prefix=STDIN

// A parse error: the file, line and column, the source line, a caret and the message; exit 1.

// CHECK:      parse-error.mlir:[[# @LINE + 6]]:21
// CHECK-NEXT:   %y = khal.load %a[%i] : !khal.array<f32, read>, i64 -> f32
// CHECK-NEXT:                     ^^
// CHECK-NEXT:                     operand is used with type i64, but has been previously used or defined with type i32
// STDIN: <stdin>:[[# @LINE + 2]]:21
khal.kernel @k(%a: !khal.array<f32, read>, %i: i32) workgroup_size(1, 1, 1) {
  %y = khal.load %a[%i] : !khal.array<f32, read>, i64 -> f32
  khal.return
}

// NOTB-NOT: Traceback
