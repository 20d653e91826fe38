// RUN: khal-opt %s -t llvm-opt | filecheck %s

// `khal-opt -t <stage>` emits any stage of a registered target: `llvm-opt` is what the CPU runs, the
// kernel plus the `__entry` that reads the parameters from the argument block at the offsets
// `khal.interface` gives (y.ptr 0, y.len 8, x.ptr 16, x.len 24, alpha 32, workgroup counts 36).

// CHECK: define void @saxpy__entry(ptr noalias readonly captures(none) %args, i32 %wg_begin, i32 %wg_end)
// CHECK-DAG: getelementptr inbounds nuw i8, ptr %args, i64 32
// CHECK-DAG: getelementptr inbounds nuw i8, ptr %args, i64 36
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
