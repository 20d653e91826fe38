// RUN: khal-opt %s -p khal-expand-arith | filecheck %s

// khal's definitions of what `arith` leaves undefined, spelled out in `arith` so that every lowering
// maps it 1:1 (WGSL's rules): a / 0 == a, a % 0 == 0, INT_MIN / -1 == INT_MIN, shift amounts modulo
// the width, float-to-int saturating with NaN -> 0.

// A variable divisor is replaced by 1 where the division would trap; a safe constant is kept, so
// that LLVM still turns `x // 4` into shifts.
// CHECK-LABEL: func.func @div(
// CHECK:         %[[Z:.*]] = arith.cmpi eq, %b, %{{.*}} : i32
// CHECK:         %[[MIN:.*]] = arith.cmpi eq, %a, %{{.*}} : i32
// CHECK:         %[[M1:.*]] = arith.cmpi eq, %b, %{{.*}} : i32
// CHECK:         %[[OVF:.*]] = arith.andi %[[MIN]], %[[M1]] : i1
// CHECK:         %[[BAD:.*]] = arith.ori %[[Z]], %[[OVF]] : i1
// CHECK:         %[[D:.*]] = arith.select %[[BAD]], %{{.*}}, %b : i32
// CHECK-NEXT:    arith.divsi %a, %[[D]] : i32
// CHECK-NEXT:    arith.divui %a, %c4 : i32
// CHECK-NEXT:    arith.remsi %a, %c4 : i32
func.func @div(%a: i32, %b: i32) -> (i32, i32, i32) {
  %c4 = arith.constant 4 : i32
  %0 = arith.divsi %a, %b : i32
  %1 = arith.divui %a, %c4 : i32
  %2 = arith.remsi %a, %c4 : i32
  func.return %0, %1, %2 : i32, i32, i32
}

// An unsigned division only guards against 0; a signed one by the constant -1 is guarded.
// CHECK-LABEL: func.func @div_unsigned_and_minus_one(
// CHECK:         %[[Z:.*]] = arith.cmpi eq, %b, %{{.*}} : i32
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT:    %[[D:.*]] = arith.select %[[Z]], %[[ONE]], %b : i32
// CHECK-NEXT:    arith.remui %a, %[[D]] : i32
// CHECK:         arith.select
// CHECK-NEXT:    arith.divsi %a, %{{.*}} : i32
func.func @div_unsigned_and_minus_one(%a: i32, %b: i32) -> (i32, i32) {
  %m1 = arith.constant -1 : i32
  %0 = arith.remui %a, %b : i32
  %1 = arith.divsi %a, %m1 : i32
  func.return %0, %1 : i32, i32
}

// CHECK-LABEL: func.func @shift(
// CHECK:         %[[W:.*]] = arith.constant 31 : i32
// CHECK-NEXT:    %[[S:.*]] = arith.andi %b, %[[W]] : i32
// CHECK-NEXT:    arith.shli %a, %[[S]] : i32
// CHECK-NEXT:    arith.shrsi %a, %c3 : i32
func.func @shift(%a: i32, %b: i32) -> (i32, i32) {
  %c3 = arith.constant 3 : i32
  %0 = arith.shli %a, %b : i32
  %1 = arith.shrsi %a, %c3 : i32
  func.return %0, %1 : i32, i32
}

// The plain conversion, then the ends of the range where it would be out of range, then 0 for NaN.
// CHECK-LABEL: func.func @cast(
// CHECK:         %[[R:.*]] = arith.fptosi %x : f32 to i32
// CHECK:         %[[HI:.*]] = arith.cmpf oge, %x, %{{.*}} : f32
// CHECK:         %[[R1:.*]] = arith.select %[[HI]], %{{.*}}, %[[R]] : i32
// CHECK:         %[[LO:.*]] = arith.cmpf olt, %x, %{{.*}} : f32
// CHECK:         %[[R2:.*]] = arith.select %[[LO]], %{{.*}}, %[[R1]] : i32
// CHECK:         %[[NAN:.*]] = arith.cmpf uno, %x, %x : f32
// CHECK:         arith.select %[[NAN]], %{{.*}}, %[[R2]] : i32
// CHECK:         arith.fptoui %v : f64 to i8
// CHECK:         arith.constant 2.560000e+02 : f64
func.func @cast(%x: f32, %v: f64) -> (i32, i8) {
  %0 = arith.fptosi %x : f32 to i32
  %1 = arith.fptoui %v : f64 to i8
  func.return %0, %1 : i32, i8
}

// floordivsi (no lowering maps it 1:1): truncating quotient and remainder, then a step down when
// the remainder is nonzero and its sign differs from the divisor's.
// CHECK-LABEL: func.func @floor(
// CHECK:         %[[D:.*]] = arith.select %{{.*}}, %{{.*}}, %b : i32
// CHECK:         %[[Q:.*]] = arith.divsi %a, %[[D]] : i32
// CHECK-NEXT:    %[[R:.*]] = arith.remsi %a, %[[D]] : i32
// CHECK:         %[[RN:.*]] = arith.cmpi slt, %[[R]], %{{.*}} : i32
// CHECK-NEXT:    %[[DN:.*]] = arith.cmpi slt, %[[D]], %{{.*}} : i32
// CHECK-NEXT:    %[[X:.*]] = arith.xori %[[RN]], %[[DN]] : i1
// CHECK:         %[[Q1:.*]] = arith.subi %[[Q]], %{{.*}} : i32
// CHECK-NEXT:    arith.select %{{.*}}, %[[Q1]], %[[Q]] : i32
// CHECK-NOT:     arith.floordivsi
func.func @floor(%a: i32, %b: i32) -> i32 {
  %0 = arith.floordivsi %a, %b : i32
  func.return %0 : i32
}

// Python's float divmod is numpy's npy_divmod on the exact fmod (`arith.remf`): the remainder
// moves to the divisor's sign, the quotient (a - fmod) / b snaps to an integer; a zero keeps a sign
// (the divisor's for the remainder, a / b's for the quotient); NaN results are chosen by integer
// tests on the operands' bits.
// CHECK-LABEL: func.func @divmodf(
// CHECK:         %[[MOD:.*]] = arith.remf %a, %b : f32
// CHECK-NEXT:    %[[DIFF:.*]] = arith.subf %a, %[[MOD]] : f32
// CHECK-NEXT:    %[[DIV:.*]] = arith.divf %[[DIFF]], %b : f32
// CHECK:         %[[FIX:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK:         arith.addf %[[MOD]], %b : f32
// CHECK:         %[[FLOOR:.*]] = math.floor %{{.*}} : f32
// CHECK:         arith.cmpf ogt, %{{.*}}, %{{.*}} : f32
// CHECK:         %[[RATIO:.*]] = arith.divf %a, %b : f32
// CHECK:         %[[Q:.*]] = arith.select %{{.*}}, %[[RATIO]], %{{.*}} : f32
// CHECK:         %[[NAN:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK-NEXT:    %q = arith.select %{{.*}}, %[[NAN]], %[[Q]] : f32
// CHECK-NEXT:    %r = arith.select %{{.*}}, %[[NAN]], %{{.*}} : f32
// CHECK-NOT:     khal.divmodf
func.func @divmodf(%a: f32, %b: f32) -> (f32, f32) {
  %q, %r = khal.divmodf %a, %b : f32
  func.return %q, %r : f32, f32
}

// f16 is computed in f32 and rounded back, as numpy's half loops do; vectors element by element
// (xDSL's arith compares give scalar i1 only).
// CHECK-LABEL: func.func @divmodf_f16_vector(
// CHECK:         %[[A0:.*]] = vector.extract %a[0] : f16 from vector<2xf16>
// CHECK-NEXT:    %[[B0:.*]] = vector.extract %b[0] : f16 from vector<2xf16>
// CHECK-NEXT:    %[[WA:.*]] = arith.extf %[[A0]] : f16 to f32
// CHECK-NEXT:    %[[WB:.*]] = arith.extf %[[B0]] : f16 to f32
// CHECK:         arith.remf %[[WA]], %[[WB]] : f32
// CHECK:         %[[Q0:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK:         vector.extract %a[1] : f16 from vector<2xf16>
// CHECK:         %[[QV:.*]] = vector.broadcast %[[Q0]] : f16 to vector<2xf16>
// CHECK-NEXT:    %q = vector.insert %{{.*}}, %[[QV]] [1] : f16 into vector<2xf16>
func.func @divmodf_f16_vector(%a: vector<2xf16>, %b: vector<2xf16>) -> (vector<2xf16>, vector<2xf16>) {
  %q, %r = khal.divmodf %a, %b : vector<2xf16>
  func.return %q, %r : vector<2xf16>, vector<2xf16>
}
