// RUN: not khal-opt %s -p convert-arith-to-llvm --split-input-file 2>&1 | filecheck %s

// Alone, convert-arith-to-llvm maps arith 1:1 with LLVM's meaning: no guard on the divisor, no mask on
// the shift amount, a plain fptosi (poison out of range). khal-expand-arith adds khal's definitions.

// CHECK-LABEL: func.func @plain(
// CHECK-NEXT:    llvm.sdiv %a, %b : i32
// CHECK-NEXT:    llvm.shl %a, %b : i32
// CHECK-NEXT:    llvm.fptosi %x : f32 to i32
func.func @plain(%a: i32, %b: i32, %x: f32) -> (i32, i32, i32) {
  %0 = arith.divsi %a, %b : i32
  %1 = arith.shli %a, %b : i32
  %2 = arith.fptosi %x : f32 to i32
  func.return %0, %1, %2 : i32, i32, i32
}

// -----

// The rounding divisions have no LLVM instruction: khal-expand-arith expands them first.
// CHECK: arith.floordivsi needs khal-expand-arith first
func.func @floor(%a: i32, %b: i32) -> i32 {
  %0 = arith.floordivsi %a, %b : i32
  func.return %0 : i32
}
