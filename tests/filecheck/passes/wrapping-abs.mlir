// RUN: khal-opt %s -p khal-wrapping-abs | filecheck %s

// The SPIR-V target's integer abs: GLSL's SAbs leaves |INT_MIN| undefined, khal's abs wraps
// (abs(INT_MIN) == INT_MIN, as numpy's): a compare, a wrapping subtraction and a select.

// CHECK-LABEL: func.func @scalar(
// CHECK-NEXT:    %[[Z:.*]] = arith.constant 0 : i16
// CHECK-NEXT:    %[[N:.*]] = arith.cmpi slt, %x, %[[Z]] : i16
// CHECK-NEXT:    %[[M:.*]] = arith.subi %[[Z]], %x : i16
// CHECK-NEXT:    %[[R:.*]] = arith.select %[[N]], %[[M]], %x : i16
// CHECK-NEXT:    func.return %[[R]] : i16
func.func @scalar(%x : i16) -> i16 {
  %0 = math.absi %x : i16
  func.return %0 : i16
}

// CHECK-LABEL: func.func @vector(
// CHECK-NEXT:    %[[Z:.*]] = arith.constant dense<0> : vector<4xi32>
// CHECK-NEXT:    %[[N:.*]] = arith.cmpi slt, %x, %[[Z]] : vector<4xi32>
// CHECK-NEXT:    %[[M:.*]] = arith.subi %[[Z]], %x : vector<4xi32>
// CHECK-NEXT:    %[[R:.*]] = arith.select %[[N]], %[[M]], %x : vector<4xi32>
// CHECK-NEXT:    func.return %[[R]] : vector<4xi32>
func.func @vector(%x : vector<4xi32>) -> vector<4xi32> {
  %0 = math.absi %x : vector<4xi32>
  func.return %0 : vector<4xi32>
}

// Float abs is left alone.
// CHECK-LABEL: func.func @float(
// CHECK-NEXT:    math.absf %x : f32
func.func @float(%x : f32) -> f32 {
  %0 = math.absf %x : f32
  func.return %0 : f32
}
