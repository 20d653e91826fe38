// khal-opt parses back the llvm ops that khal's LLVM lowering adds to xDSL's llvm dialect, and translates them.
// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: khal-opt %s -t llvm | filecheck %s --check-prefix=LLVM

builtin.module {
  llvm.func @f(%p: !llvm.ptr, %x: f32) -> i32 {
    %v = llvm.mlir.constant(1 : i32) : i32
    %old = llvm.atomicrmw add %p, %v monotonic {alignment = 4 : i64} : !llvm.ptr, i32
    llvm.return %old : i32
  }
}

// CHECK: llvm.atomicrmw add %{{.*}}, %{{.*}} monotonic
// LLVM: atomicrmw add ptr %{{.*}}, i32 1 monotonic
