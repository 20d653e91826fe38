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

// 64-bit abs is computed on 32-bit halves: NVIDIA's Vulkan driver took the plain spelling of an i64 for a
// non-negative abs (abs(INT64_MIN) < 0 was false there). Negative: ~hi:~lo + 1, the carry into hi where
// lo is 0.
// CHECK-LABEL: func.func @wide(
// CHECK-NEXT:    %[[Z:.*]] = arith.constant 0 : i64
// CHECK-NEXT:    %[[N:.*]] = arith.cmpi slt, %x, %[[Z]] : i64
// CHECK-NEXT:    %[[LO:.*]] = arith.trunci %x : i64 to i32
// CHECK-NEXT:    %[[C32:.*]] = arith.constant 32 : i64
// CHECK-NEXT:    %[[SH:.*]] = arith.shrui %x, %[[C32]] : i64
// CHECK-NEXT:    %[[HI:.*]] = arith.trunci %[[SH]] : i64 to i32
// CHECK-NEXT:    %[[Z32:.*]] = arith.constant 0 : i32
// CHECK-NEXT:    %[[NLO:.*]] = arith.subi %[[Z32]], %[[LO]] : i32
// CHECK-NEXT:    %[[LZ:.*]] = arith.cmpi eq, %[[LO]], %[[Z32]] : i32
// CHECK-NEXT:    %[[CARRY:.*]] = arith.extui %[[LZ]] : i1 to i32
// CHECK-NEXT:    %[[ONES:.*]] = arith.constant -1 : i32
// CHECK-NEXT:    %[[NOT:.*]] = arith.xori %[[HI]], %[[ONES]] : i32
// CHECK-NEXT:    %[[NHI:.*]] = arith.addi %[[NOT]], %[[CARRY]] : i32
// CHECK-NEXT:    %[[RHI:.*]] = arith.select %[[N]], %[[NHI]], %[[HI]] : i32
// CHECK-NEXT:    %[[WHI:.*]] = arith.extui %[[RHI]] : i32 to i64
// CHECK-NEXT:    %[[RLO:.*]] = arith.select %[[N]], %[[NLO]], %[[LO]] : i32
// CHECK-NEXT:    %[[WLO:.*]] = arith.extui %[[RLO]] : i32 to i64
// CHECK-NEXT:    %[[C32B:.*]] = arith.constant 32 : i64
// CHECK-NEXT:    %[[UP:.*]] = arith.shli %[[WHI]], %[[C32B]] : i64
// CHECK-NEXT:    %[[R:.*]] = arith.ori %[[UP]], %[[WLO]] : i64
// CHECK-NEXT:    func.return %[[R]] : i64
func.func @wide(%x : i64) -> i64 {
  %0 = math.absi %x : i64
  func.return %0 : i64
}

// Element by element for vectors of i64.
// CHECK-LABEL: func.func @wide_vector(
// CHECK-NEXT:    %[[E0:.*]] = vector.extract %x[0] : i64 from vector<2xi64>
// CHECK:         arith.trunci %[[E0]] : i64 to i32
// CHECK:         %[[A0:.*]] = arith.ori
// CHECK-NEXT:    %[[E1:.*]] = vector.extract %x[1] : i64 from vector<2xi64>
// CHECK:         %[[A1:.*]] = arith.ori
// CHECK-NEXT:    %[[B:.*]] = vector.broadcast %[[A0]] : i64 to vector<2xi64>
// CHECK-NEXT:    %[[V:.*]] = vector.insert %[[A1]], %[[B]] [1] : i64 into vector<2xi64>
// CHECK-NEXT:    func.return %[[V]] : vector<2xi64>
func.func @wide_vector(%x : vector<2xi64>) -> vector<2xi64> {
  %0 = math.absi %x : vector<2xi64>
  func.return %0 : vector<2xi64>
}
