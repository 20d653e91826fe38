// RUN: khal-opt %s -p khal-unsigned-division | filecheck %s

// The SPIR-V target's signed division and remainder go through unsigned ones (NVIDIA's Vulkan driver
// got OpSDiv/OpSRem of negative operands wrong): the magnitudes divided by divui/remui, the sign put
// back by C's truncation rule (quotient negative when the signs differ, remainder takes the dividend's).

// CHECK-LABEL: func.func @div(
// CHECK:         %[[Z:.*]] = arith.constant 0 : i32
// CHECK-NEXT:    %[[AN:.*]] = arith.cmpi slt, %a, %[[Z]] : i32
// CHECK-NEXT:    %[[BN:.*]] = arith.cmpi slt, %b, %[[Z]] : i32
// CHECK-NEXT:    %[[NA:.*]] = arith.subi %[[Z]], %a : i32
// CHECK-NEXT:    %[[AX:.*]] = arith.select %[[AN]], %[[NA]], %a : i32
// CHECK-NEXT:    %[[NB:.*]] = arith.subi %[[Z]], %b : i32
// CHECK-NEXT:    %[[BX:.*]] = arith.select %[[BN]], %[[NB]], %b : i32
// CHECK-NEXT:    %[[Q:.*]] = arith.divui %[[AX]], %[[BX]] : i32
// CHECK-NEXT:    %[[NEG:.*]] = arith.xori %[[AN]], %[[BN]] : i1
// CHECK-NEXT:    %[[NQ:.*]] = arith.subi %[[Z]], %[[Q]] : i32
// CHECK-NEXT:    %[[R:.*]] = arith.select %[[NEG]], %[[NQ]], %[[Q]] : i32
// CHECK-NEXT:    func.return %[[R]] : i32
func.func @div(%a : i32, %b : i32) -> i32 {
  %0 = arith.divsi %a, %b : i32
  func.return %0 : i32
}

// CHECK-LABEL: func.func @rem(
// CHECK:         %[[AN:.*]] = arith.cmpi slt, %a, %{{.*}} : vector<2xi64>
// CHECK:         %[[M:.*]] = arith.remui %{{.*}}, %{{.*}} : vector<2xi64>
// CHECK-NEXT:    %[[NM:.*]] = arith.subi %{{.*}}, %[[M]] : vector<2xi64>
// CHECK-NEXT:    %[[R:.*]] = arith.select %[[AN]], %[[NM]], %[[M]] : vector<2xi64>
// CHECK-NEXT:    func.return %[[R]] : vector<2xi64>
func.func @rem(%a : vector<2xi64>, %b : vector<2xi64>) -> vector<2xi64> {
  %0 = arith.remsi %a, %b : vector<2xi64>
  func.return %0 : vector<2xi64>
}

// Unsigned division is left as it is.
// CHECK-LABEL: func.func @unsigned(
// CHECK-NEXT:    %[[Q:.*]] = arith.divui %a, %b : i32
// CHECK-NEXT:    func.return %[[Q]] : i32
func.func @unsigned(%a : i32, %b : i32) -> i32 {
  %0 = arith.divui %a, %b : i32
  func.return %0 : i32
}
