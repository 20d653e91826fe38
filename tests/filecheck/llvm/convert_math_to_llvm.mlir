// RUN: khal-opt %s -p convert-math-to-llvm | filecheck %s
// RUN: khal-opt %s -p 'convert-math-to-llvm{libm_prefix="__nv_" libm_for_all=true f32_via_f64=false}' | filecheck %s --check-prefix=GPU

// CHECK-DAG: llvm.func @tanh(f64) -> f64
// CHECK-DAG: llvm.func @atan2(f64, f64) -> f64
// GPU-DAG: llvm.func @__nv_tanhf(f32) -> f32
// GPU-DAG: llvm.func @__nv_expf(f32) -> f32

// CHECK-LABEL: func.func @m(
func.func @m(%x: f32, %y: f32, %v: vector<2xf32>, %i: i32) -> (f32, f32, f32, f32, vector<2xf32>, f32, i32) {
  // Functions LLVM knows are intrinsics (also on vectors).
  // CHECK: llvm.call_intrinsic "llvm.exp.f32"(%x) : (f32) -> f32
  // GPU: llvm.call @__nv_expf(%x) : (f32) -> f32
  %0 = math.exp %x : f32
  // CHECK: llvm.call_intrinsic "llvm.sqrt.f32"
  %1 = math.sqrt %0 : f32
  // The others call libm; f32 goes through the f64 function (correctly rounded).
  // CHECK:      %[[W:.*]] = llvm.fpext %x : f32 to f64
  // CHECK-NEXT: %[[T:.*]] = llvm.call @tanh(%[[W]]) : (f64) -> f64
  // CHECK-NEXT: llvm.fptrunc %[[T]] : f64 to f32
  // GPU: llvm.call @__nv_tanhf(%x) : (f32) -> f32
  %2 = math.tanh %x : f32
  // CHECK: llvm.call @atan2(
  %3 = math.atan2 %x, %y : f32
  // On vectors libm is called element by element.
  // CHECK: llvm.extractelement %v
  // CHECK: llvm.call @tanh(
  // CHECK: llvm.insertelement
  // CHECK: llvm.extractelement %v
  // CHECK: llvm.call @tanh(
  %4 = math.tanh %v : vector<2xf32>
  // rsqrt = 1 / sqrt(x)
  // CHECK: %[[S:.*]] = llvm.call_intrinsic "llvm.sqrt.f32"(%y)
  // CHECK: llvm.fdiv %{{.*}}, %[[S]] : f32
  %5 = math.rsqrt %y : f32
  // CHECK: llvm.call_intrinsic "llvm.abs.i32"(%i, %{{.*}}) : (i32, i1) -> i32
  %6 = math.absi %i : i32
  func.return %1, %2, %3, %5, %4, %0, %6 : f32, f32, f32, f32, vector<2xf32>, f32, i32
}
