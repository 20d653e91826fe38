// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | filecheck %s
// RUN: sed s/math.sin/math.fma/ %s | sed 's/%x : f64/%x, %x, %x : f64/' | khal-opt -p khal-spirv-lower-abi,convert-khal-to-spirv | filecheck %s --check-prefix=FMA

// f64 sin, cos, tan, tanh, asin, acos, atan, atan2 have no f64 form in GLSL.std.450, and GLSL's f64 Fma
// need not be fused (lavapipe's is not): each is an f64 expansion (spirv_f64_math), never an f32 result
// or GL.Fma. sin: Cody-Waite reduction (RoundEven of x 2/pi), n mod 4 by Floor, and for large |x|
// Payne-Hanek in i64 (so it needs shader-int64), then fdlibm's kernels.

// CHECK:     requires <v1.3, [Shader, Float64, Int64], []>
// CHECK:     "shader-int64", "kernels.py:9:5: error: f64 sin (computed through the i64 bits of its operands) needs
// CHECK-NOT: spirv.GL.Sin
// CHECK-NOT: spirv.FConvert %x
// CHECK:     spirv.GL.RoundEven %{{.*}} : f64
// CHECK:     spirv.GL.Floor %{{.*}} : f64
// CHECK:     spirv.IMul %{{.*}} : i64
// CHECK-NOT: spirv.GL.Sin

// fma: Dekker's product and a sum rounded to odd through the i64 bits (so it needs shader-int64).
// FMA:       requires <v1.3, [Shader, Float64, Int64], []>
// FMA:       "shader-int64", "kernels.py:9:5: error: f64 fma (computed through the i64 bits of its operands) needs
// FMA-NOT:   spirv.GL.Fma
// FMA:       spirv.Bitcast %{{.*}} : f64 to i64
// FMA-NOT:   spirv.GL.Fma
khal.kernel @sin64(%a: !khal.array<f64, read_write>) workgroup_size(64, 1, 1) {
  %0 = arith.constant 0 : i32
  %x = khal.load %a[%0] : !khal.array<f64, read_write>, i32 -> f64
  %1 = math.sin %x : f64 loc("kernels.py":9:5)
  khal.store %1, %a[%0] : f64, !khal.array<f64, read_write>, i32
  khal.return
}
