// RUN: khal-opt %s -p khal-expand-math | filecheck %s

// khal's own f32 math library for targets whose math is approximate (SPIR-V's GLSL.std.450): each
// transcendental op on f32 becomes plain `arith` (+ the `math` ops SPIR-V has exactly), accurate to
// 1 ulp; tests/unit/test_expand_math.py measures the algorithms, this file shows the IR's shape.

// sin: an integer Payne-Hanek reduction (16-bit limb products of the significand and a window of
// 2/pi) under an scf.if for |x| >= 2^9, Cody-Waite (roundeven of x * 2/pi, pi/2 in parts) below,
// then the kernels and NaN for inf/NaN. Nothing approximate is left.
// CHECK-LABEL: func.func @sin(
// CHECK-NOT:     math.sin
// CHECK:         %[[LARGE:.*]] = arith.cmpf oge, %{{.*}}, %{{.*}} : f32
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}} = scf.if %[[LARGE]] -> (i32, f32, f32) {
// CHECK:           arith.constant -1560706194 : i32
// CHECK:           arith.muli %{{.*}}, %{{.*}} : i32
// CHECK:         } else {
// CHECK:           math.roundeven %{{.*}} : f32
// CHECK:         }
// CHECK-NOT:     math.sin
// CHECK:         func.return
func.func @sin(%x: f32) -> f32 {
  %0 = math.sin %x : f32
  func.return %0 : f32
}

// f64 is left to the target (native f64 math where the adapter has it).
// CHECK-LABEL: func.func @f64_untouched(
// CHECK-NEXT:    %{{.*}} = math.exp %x : f64
func.func @f64_untouched(%x: f64) -> f64 {
  %0 = math.exp %x : f64
  func.return %0 : f64
}

// exp: n = rint(x log2 e), a polynomial, and 2^n built from its bits in two steps (subnormals
// rounded once); the clamps let NaN through.
// CHECK-LABEL: func.func @exp(
// CHECK:         arith.select
// CHECK:         math.roundeven
// CHECK:         arith.shli
// CHECK:         arith.bitcast %{{.*}} : i32 to f32
// CHECK-NOT:     math.exp
// CHECK:         func.return
func.func @exp(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  func.return %0 : f32
}

// min/max propagate NaN and order -0 < +0 (IEEE 754-2019 minimum, numpy's): GLSL's FMin does not.
// CHECK-LABEL: func.func @minimum(
// CHECK-NEXT:    %[[LT:.*]] = arith.cmpf olt, %a, %b : f32
// CHECK:         %[[TIE:.*]] = arith.ori %{{.*}}, %{{.*}} : i32
// CHECK:         %[[EQ:.*]] = arith.cmpf oeq, %a, %b : f32
// CHECK:         arith.select %[[LT]], %a, %{{.*}} : f32
// CHECK:         %[[NAN:.*]] = arith.cmpf uno, %a, %b : f32
// CHECK:         %[[R:.*]] = arith.select %[[NAN]], %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:    func.return %[[R]] : f32
func.func @minimum(%a: f32, %b: f32) -> f32 {
  %0 = arith.minimumf %a, %b : f32
  func.return %0 : f32
}

// fma: fused exactly without an fma instruction (Dekker's product, a sum rounded to odd).
// CHECK-LABEL: func.func @fma(
// CHECK-NOT:     math.fma
// CHECK:         arith.constant 4.097000e+03 : f32
// CHECK-NOT:     math.fma
// CHECK:         func.return
func.func @fma(%a: f32, %b: f32, %c: f32) -> f32 {
  %0 = math.fma %a, %b, %c : f32
  func.return %0 : f32
}

// A vector goes one component at a time (xDSL's comparisons are scalar-only).
// CHECK-LABEL: func.func @vector(
// CHECK:         vector.extract %v[0] : f32 from vector<2xf32>
// CHECK:         vector.extract %v[1] : f32 from vector<2xf32>
// CHECK:         %[[B:.*]] = vector.broadcast %{{.*}} : f32 to vector<2xf32>
// CHECK-NEXT:    %[[R:.*]] = vector.insert %{{.*}}, %[[B]] [1] : f32 into vector<2xf32>
// CHECK-NEXT:    func.return %[[R]] : vector<2xf32>
func.func @vector(%v: vector<2xf32>) -> vector<2xf32> {
  %0 = math.log %v : vector<2xf32>
  func.return %0 : vector<2xf32>
}

// naga refuses non-finite float literals: inf and NaN constants become bitcasts of their bits.
// CHECK-LABEL: func.func @non_finite_constants(
// CHECK-NEXT:    %[[I:.*]] = arith.constant 2139095040 : i32
// CHECK-NEXT:    %[[F:.*]] = arith.bitcast %[[I]] : i32 to f32
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:    func.return %[[F]], %[[ONE]] : f32, f32
func.func @non_finite_constants() -> (f32, f32) {
  %0 = arith.constant 0x7F800000 : f32
  %1 = arith.constant 1.0 : f32
  func.return %0, %1 : f32, f32
}

// f16 goes through f32 (GLSL's f16 math is as approximate as its f32): each operand extended exactly,
// the f32 algorithm, one truncation; a vector of f16 one component at a time.
// CHECK-LABEL: func.func @f16_exp(
// CHECK-NEXT:    %[[W:.*]] = arith.extf %x : f16 to f32
// CHECK-NOT:     math.exp
// CHECK:         %[[R:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK-NEXT:    func.return %[[R]] : f16
func.func @f16_exp(%x: f16) -> f16 {
  %0 = math.exp %x : f16
  func.return %0 : f16
}

// CHECK-LABEL: func.func @f16_vector_max(
// CHECK:         %[[A0:.*]] = vector.extract %a[0] : f16 from vector<2xf16>
// CHECK:         arith.extf %[[A0]] : f16 to f32
// CHECK:         arith.cmpf uno, %{{.*}}, %{{.*}} : f32
// CHECK:         %[[L0:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK:         vector.extract %a[1] : f16 from vector<2xf16>
// CHECK:         %[[L1:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK-NEXT:    %[[V:.*]] = vector.broadcast %[[L0]] : f16 to vector<2xf16>
// CHECK-NEXT:    %{{.*}} = vector.insert %[[L1]], %[[V]] [1] : f16 into vector<2xf16>
// CHECK-NOT:     arith.maximumf
func.func @f16_vector_max(%a: vector<2xf16>, %b: vector<2xf16>) -> vector<2xf16> {
  %0 = arith.maximumf %a, %b : vector<2xf16>
  func.return %0 : vector<2xf16>
}

// f64 min/max propagate NaN too (GLSL's FMin/FMax do not), in f64 ops: no bitcast to i64 for the tie of
// two zeros (max: a + b; min: -((-a) + (-b))).
// CHECK-LABEL: func.func @f64_min(
// CHECK:         %[[LT:.*]] = arith.cmpf olt, %a, %b : f64
// CHECK:         arith.negf
// CHECK:         %[[UNO:.*]] = arith.cmpf uno, %a, %b : f64
// CHECK-NOT:     arith.minimumf
func.func @f64_min(%a: f64, %b: f64) -> f64 {
  %0 = arith.minimumf %a, %b : f64
  func.return %0 : f64
}

// f16 division goes through f32 (the H200's Vulkan driver divides f16 3 ulp off); f32 division and
// f64 division stay as they are.
// CHECK-LABEL: func.func @div_f16(
// CHECK-NEXT:    %[[A:.*]] = arith.extf %a : f16 to f32
// CHECK-NEXT:    %[[B:.*]] = arith.extf %b : f16 to f32
// CHECK-NEXT:    %[[Q:.*]] = arith.divf %[[A]], %[[B]] : f32
// CHECK-NEXT:    %[[R:.*]] = arith.truncf %[[Q]] : f32 to f16
// CHECK-NEXT:    %{{.*}} = arith.divf %c, %d : f32
// CHECK-NEXT:    func.return %[[R]]
func.func @div_f16(%a: f16, %b: f16, %c: f32, %d: f32) -> f16 {
  %0 = arith.divf %a, %b : f16
  %1 = arith.divf %c, %d : f32
  func.return %0 : f16
}
