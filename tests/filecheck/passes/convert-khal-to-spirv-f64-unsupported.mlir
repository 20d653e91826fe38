// RUN: not khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv 2>&1 | filecheck %s
// RUN: sed s/math.sin/math.fma/ %s | sed 's/%x : f64/%x, %x, %x : f64/' | not khal-opt -p khal-spirv-lower-abi,convert-khal-to-spirv 2>&1 | filecheck %s --check-prefix=FMA

// f64 sin, cos, tan, tanh, asin, acos, atan, atan2 have no f64 form in GLSL.std.450 and no accurate
// f64 expansion yet, and GLSL's f64 Fma need not be fused: a located error, not an f32 result.

// CHECK: kernels.py:9:5: error: f64 sin has no accurate implementation on the webgpu target yet; compute in f32 or use the cpu/cuda backend
// FMA:   kernels.py:9:5: error: f64 fma has no accurate implementation on the webgpu target yet
khal.kernel @sin64(%a: !khal.array<f64, read_write>) workgroup_size(64, 1, 1) {
  %0 = arith.constant 0 : i32
  %x = khal.load %a[%0] : !khal.array<f64, read_write>, i32 -> f64
  %1 = math.sin %x : f64 loc("kernels.py":9:5)
  khal.store %1, %a[%0] : f64, !khal.array<f64, read_write>, i32
  khal.return
}
