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
// CHECK:         %[[X:.*]] = arith.xori %[[R]], %[[D]] : i32
// CHECK:         %[[Q1:.*]] = arith.subi %[[Q]], %{{.*}} : i32
// CHECK-NEXT:    arith.select %{{.*}}, %[[Q1]], %[[Q]] : i32
// CHECK-NOT:     arith.floordivsi
func.func @floor(%a: i32, %b: i32) -> i32 {
  %0 = arith.floordivsi %a, %b : i32
  func.return %0 : i32
}
