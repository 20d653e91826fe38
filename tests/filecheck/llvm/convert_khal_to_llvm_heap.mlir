// RUN: khal-opt %s -p 'convert-khal-to-llvm{max_stack_bytes=4096}' | filecheck %s
// RUN: khal-opt %s -p convert-khal-to-llvm | filecheck %s --check-prefix=STACK
// RUN: khal-opt %s -p 'convert-khal-to-llvm{max_stack_bytes=4096}',convert-vector-to-llvm,convert-math-to-llvm,khal-convert-scf-to-cf,convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts -t llvm | filecheck %s --check-prefix=LLVM

// With workgroup_memory=alloca (the CPU), workgroup arrays and the per-invocation slots of
// khal-cpu-workgroup-loops go on the stack while they total at most max_stack_bytes; past that they
// are carved out of one malloc'd block (each at a 16-byte aligned offset), freed before the return,
// and a failed malloc aborts with a message instead of writing through a null pointer.

// CHECK-LABEL: func.func @big
// CHECK:       %[[SIZE:.*]] = llvm.mlir.constant(8208) : i64
// CHECK-NEXT:  %[[BLOCK:.*]] = llvm.call @malloc(%[[SIZE]]) : (i64) -> !llvm.ptr
// CHECK:       scf.if
// CHECK:         llvm.call @abort() : () -> ()
// CHECK:       llvm.getelementptr inbounds %[[BLOCK]][0] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK:       llvm.getelementptr inbounds %[[BLOCK]][16] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK-NOT:   llvm.alloca
// CHECK:       llvm.call @free(%[[BLOCK]]) : (!llvm.ptr) -> ()
// CHECK-NEXT:  func.return
// STACK-LABEL: func.func @big
// STACK-NOT:   malloc
// STACK-DAG:   llvm.alloca %{{.*}} x !llvm.array<3 x f32>
// STACK-DAG:   llvm.alloca %{{.*}} x !llvm.array<1024 x f64>
// LLVM:        call ptr @"malloc"(i64 8208)
// LLVM:        call void @"abort"()
// LLVM:        call void @"free"(ptr
func.func @big(%out: !khal.array<f32>, %i: i32) attributes {khal.workgroup_size = array<i64: 1024, 1, 1>} {
  %small = khal.workgroup_alloc : !khal.workgroup_array<3 x f32>
  %slot = khal.workgroup_alloc : !khal.workgroup_array<1024 x f64>
  %x = khal.workgroup_load %small[%i] : !khal.workgroup_array<3 x f32>, i32 -> f32
  %y = khal.workgroup_load %slot[%i] : !khal.workgroup_array<1024 x f64>, i32 -> f64
  khal.store %x, %out[%i] : f32, !khal.array<f32>, i32
  func.return
}

// Small allocations stay on the stack.
// CHECK-LABEL: func.func @small
// CHECK-NOT:   malloc
// CHECK:       llvm.alloca %{{.*}} x !llvm.array<64 x f32>
func.func @small(%out: !khal.array<f32>, %i: i32) attributes {khal.workgroup_size = array<i64: 64, 1, 1>} {
  %mem = khal.workgroup_alloc : !khal.workgroup_array<64 x f32>
  %x = khal.workgroup_load %mem[%i] : !khal.workgroup_array<64 x f32>, i32 -> f32
  khal.store %x, %out[%i] : f32, !khal.array<f32>, i32
  func.return
}
