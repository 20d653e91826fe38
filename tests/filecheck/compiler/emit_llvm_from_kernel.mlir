// RUN: khal-opt %s -t llvm | filecheck %s

// `khal-opt -t llvm` on a module that still holds a khal.kernel runs the whole CPU pipeline
// (khal.compiler.PIPELINES["cpu"]: infer-access, workgroup loops, LLVM lowering) and prints LLVM IR.
// The kernel becomes a function over a workgroup range; `x` is only read, so it is readonly.

// CHECK: define void @"saxpy"(ptr captures(none) %{{[^,]*}}, i64 %{{[^,]*}}, ptr captures(none) readonly %{{[^,]*}}, i64 %{{[^,]*}}, float %{{[^,]*}}, i32 %{{[^,]*}}, i32 %{{[^,]*}}, i32 %{{[^,]*}}, i32 %{{[^,]*}}, i32 %{{[^)]*}})
// CHECK: fmul float
// CHECK: fadd float
// CHECK: store float
// CHECK-NOT: khal.
builtin.module {
  khal.kernel @saxpy(%y: !khal.array<f32>, %x: !khal.array<f32>, %alpha: f32) workgroup_size(128, 1, 1) {
    %i = khal.global_invocation_id x
    %0 = khal.len %y : !khal.array<f32>
    %1 = arith.cmpi ult, %i, %0 : i32
    scf.if %1 {
      %2 = khal.load %x[%i] : !khal.array<f32>, i32 -> f32
      %3 = arith.mulf %alpha, %2 : f32
      %4 = khal.load %y[%i] : !khal.array<f32>, i32 -> f32
      %5 = arith.addf %3, %4 : f32
      khal.store %5, %y[%i] : f32, !khal.array<f32>, i32
    }
    khal.return
  }
}
