// RUN: khal-opt %s -p khal-expand-arith,convert-arith-to-llvm | filecheck %s

// What a kernel's arith goes through: khal-expand-arith (in the common prefix) spells out division
// by zero, shifts and float-to-int saturation and the rounding divisions in arith; then every arith op
// maps 1:1 (convert_arith_to_llvm_one_to_one.mlir: the pass alone).

// CHECK-LABEL: func.func @ints(
func.func @ints(%a: i32, %b: i32, %v: vector<4xi32>) -> (i32, vector<4xi32>) {
  // CHECK: llvm.add %a, %b overflow<nsw> : i32
  %0 = arith.addi %a, %b overflow<nsw> : i32
  // CHECK: llvm.udiv
  %1 = arith.divui %0, %b : i32
  // CHECK: llvm.ashr
  %2 = arith.shrsi %1, %b : i32
  // CHECK: llvm.call_intrinsic "llvm.umin.i32"(%{{.*}}, %b) : (i32, i32) -> i32
  %3 = arith.minui %2, %b : i32
  // CHECK: llvm.icmp "ult" %{{.*}}, %b : i32
  %c = arith.cmpi ult, %3, %b : i32
  // CHECK: llvm.select %{{.*}}, %a, %b : i1, i32
  %4 = arith.select %c, %a, %b : i32
  // floordivsi is expanded: quotient, remainder, and a sign correction.
  // CHECK: llvm.sdiv
  // CHECK: llvm.srem
  // CHECK: llvm.xor
  // CHECK: llvm.select
  %5 = arith.floordivsi %4, %b : i32
  // CHECK: llvm.call_intrinsic "llvm.smax.v4i32"
  %6 = arith.maxsi %v, %v : vector<4xi32>
  func.return %5, %6 : i32, vector<4xi32>
}

// CHECK-LABEL: func.func @floats(
func.func @floats(%x: f32, %y: f32) -> (f32, i32, i1) {
  // CHECK: llvm.fadd %x, %y : f32
  %0 = arith.addf %x, %y : f32
  // CHECK: llvm.fneg
  %1 = arith.negf %0 : f32
  // minimumf propagates NaN, minnumf ignores it.
  // CHECK: llvm.call_intrinsic "llvm.minimum.f32"
  %2 = arith.minimumf %1, %y : f32
  // CHECK: llvm.call_intrinsic "llvm.minnum.f32"
  %3 = arith.minnumf %2, %y : f32
  // Float-to-int conversions saturate (NaN -> 0): a plain fptosi, then selects.
  // CHECK: llvm.fptosi %{{.*}} : f32 to i32
  // CHECK: llvm.fcmp "oge"
  // CHECK: llvm.fcmp "uno"
  // CHECK: llvm.select
  %4 = arith.fptosi %3 : f32 to i32
  // CHECK: llvm.fcmp "uno" %x, %y : f32
  %5 = arith.cmpf uno, %x, %y : f32
  func.return %3, %4, %5 : f32, i32, i1
}

// CHECK-LABEL: func.func @casts(
func.func @casts(%i: i32, %d: f64) -> (f32, index, i8, f32) {
  // CHECK: llvm.uitofp %i : i32 to f32
  %0 = arith.uitofp %i : i32 to f32
  // index is i64: index_cast sign-extends.
  // CHECK: llvm.sext %i : i32 to i64
  %1 = arith.index_cast %i : i32 to index
  // CHECK: llvm.trunc %i : i32 to i8
  %2 = arith.trunci %i : i32 to i8
  // CHECK: llvm.fptrunc %d : f64 to f32
  %3 = arith.truncf %d : f64 to f32
  func.return %0, %1, %2, %3 : f32, index, i8, f32
}

// CHECK-LABEL: func.func @constants(
func.func @constants() -> (vector<3xf32>, i1, index) {
  // CHECK: llvm.mlir.constant(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : vector<3xf32>) : vector<3xf32>
  %0 = arith.constant dense<[1.0, 2.0, 3.0]> : vector<3xf32>
  // CHECK: llvm.mlir.constant(true) : i1
  %1 = arith.constant true
  // CHECK: llvm.mlir.constant(7) : i64
  %2 = arith.constant 7 : index
  func.return %0, %1, %2 : vector<3xf32>, i1, index
}

// Division cannot trap: a zero divisor (or INT_MIN / -1) is replaced by 1; shifts wrap the amount.
// CHECK-LABEL: func.func @safe(
// CHECK:       %[[Z:.*]] = llvm.icmp "eq" %b, %{{.*}} : i32
// CHECK:       %[[BAD:.*]] = llvm.or %[[Z]], %{{.*}} : i1
// CHECK:       %[[D:.*]] = llvm.select %[[BAD]], %{{.*}}, %b : i1, i32
// CHECK:       llvm.sdiv %a, %[[D]] : i32
// CHECK:       %[[M:.*]] = llvm.and %b, %{{.*}} : i32
// CHECK:       llvm.shl %a, %[[M]] : i32
func.func @safe(%a: i32, %b: i32) -> (i32, i32) {
  %0 = arith.divsi %a, %b : i32
  %1 = arith.shli %a, %b : i32
  func.return %0, %1 : i32, i32
}

// arith.remf (C's fmod) is llvm.frem, exact on the host (libm's fmod).
// CHECK-LABEL: func.func @remf(
// CHECK:         llvm.frem %{{.*}}, %{{.*}} : f32
func.func @remf(%a: f32, %b: f32) -> f32 {
  %r = arith.remf %a, %b : f32
  func.return %r : f32
}
