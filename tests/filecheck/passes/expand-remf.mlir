// RUN: khal-opt %s -p khal-expand-remf | filecheck %s

// `arith.remf` (C's fmod, exact) for targets whose remainder is x - y * trunc(x / y) (Vulkan's
// OpFRem, NVPTX's frem). f32: the 24-bit integer mantissas' remainder, 8 bits of the exponent gap
// a step (33 steps, unrolled), scaled back by a power of two; NaN for y == 0, an infinite or NaN x,
// a NaN y; x itself when |x| < |y| (y infinite included).
// CHECK-LABEL: func.func @remf(
// CHECK-NOT:     arith.remf
// CHECK:         arith.remui %{{.*}}, %[[MY:.*]] : i32
// CHECK-COUNT-32: arith.remui %{{.*}}, %[[MY]] : i32
// CHECK-NOT:     arith.remui
// CHECK:         %[[M:.*]] = arith.uitofp %{{.*}} : i32 to f32
// CHECK-NEXT:    arith.mulf %[[M]], %{{.*}} : f32
// CHECK:         %[[SMALL:.*]] = arith.cmpi ult, %{{.*}}, %{{.*}} : i32
// CHECK-NEXT:    arith.select %[[SMALL]], %a, %{{.*}} : f32
// CHECK:         %[[NAN:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK-NEXT:    %[[R:.*]] = arith.select %{{.*}}, %[[NAN]], %{{.*}} : f32
// CHECK-NEXT:    func.return %[[R]] : f32
func.func @remf(%a: f32, %b: f32) -> f32 {
  %r = arith.remf %a, %b : f32
  func.return %r : f32
}

// f16 goes through f32 (exact both ways).
// CHECK-LABEL: func.func @remf_f16(
// CHECK:         arith.extf %a : f16 to f32
// CHECK:         arith.remui
// CHECK:         arith.truncf %{{.*}} : f32 to f16
func.func @remf_f16(%a: f16, %b: f16) -> f16 {
  %r = arith.remf %a, %b : f16
  func.return %r : f16
}

// f64: long division by float steps, exact with a fused fma (41 steps).
// CHECK-LABEL: func.func @remf_f64(
// CHECK-NOT:     arith.remf
// CHECK-COUNT-41: math.fma
// CHECK-NOT:     math.fma
// CHECK:         func.return
func.func @remf_f64(%a: f64, %b: f64) -> f64 {
  %r = arith.remf %a, %b : f64
  func.return %r : f64
}

// Vectors: element by element.
// CHECK-LABEL: func.func @remf_vector(
// CHECK:         vector.extract %a[0] : f32 from vector<4xf32>
// CHECK:         arith.remui %{{.*}}, %{{.*}} : i32
// CHECK:         vector.extract %a[3] : f32 from vector<4xf32>
// CHECK:         vector.insert %{{.*}}, %{{.*}} [3] : f32 into vector<4xf32>
func.func @remf_vector(%a: vector<4xf32>, %b: vector<4xf32>) -> vector<4xf32> {
  %r = arith.remf %a, %b : vector<4xf32>
  func.return %r : vector<4xf32>
}
