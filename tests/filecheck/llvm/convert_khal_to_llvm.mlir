// RUN: khal-opt %s -p convert-khal-print-to-llvm,convert-khal-to-llvm | filecheck %s
// RUN: khal-opt %s -p 'convert-khal-print-to-llvm,convert-khal-to-llvm{noalias=true atomic_ordering=seq_cst}' | filecheck %s --check-prefix=OPT

// print's format string and the C functions are module-level.
// CHECK:      llvm.func @fflush(!llvm.ptr) -> i32
// CHECK-NEXT: llvm.func @printf(!llvm.ptr, ...) -> i32
// CHECK: llvm.mlir.global internal constant @__khal_fmt_0("v=(%g, %g) n=%d 50%%\0A")

// Arrays become (ptr, i64 len) in place; the pointer says how it is used.
// CHECK-LABEL: func.func @saxpy(
// CHECK-SAME:    %x: !llvm.ptr {llvm.nocapture, llvm.readonly}, %x_len: i64,
// CHECK-SAME:    %y: !llvm.ptr {llvm.nocapture}, %y_len: i64, %a: f32)
// OPT-LABEL: func.func @saxpy(
// OPT-SAME:    %x: !llvm.ptr {llvm.nocapture, llvm.readonly, llvm.noalias}
func.func @saxpy(%x: !khal.array<f32, read>, %y: !khal.array<f32>, %a: f32) {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  // CHECK: %n = llvm.trunc %y_len : i64 to i32
  %n = khal.len %y : !khal.array<f32>
  scf.for %i = %c0 to %n step %c1 : i32 {
    // The index is a u32: zero-extended, then one GEP over the element type.
    // CHECK:      %[[I:.*]] = llvm.zext %i : i32 to i64
    // CHECK-NEXT: %[[P:.*]] = llvm.getelementptr inbounds %x[%[[I]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    // CHECK-NEXT: llvm.load %[[P]] {alignment = 4 : i64} : !llvm.ptr -> f32
    %xv = khal.load %x[%i] : !khal.array<f32, read>, i32 -> f32
    %yv = khal.load %y[%i] : !khal.array<f32>, i32 -> f32
    %ax = arith.mulf %a, %xv : f32
    %r = arith.addf %ax, %yv : f32
    // CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr
    khal.store %r, %y[%i] : f32, !khal.array<f32>, i32
  }
  func.return
}

// A Vec3 is 12 bytes in memory: addressed as [3 x f32], read as a vector with align 4.
// CHECK-LABEL: func.func @vec3(
// CHECK: %[[P:.*]] = llvm.getelementptr inbounds %v[%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<3 x f32>
// CHECK: llvm.load %[[P]] {alignment = 4 : i64} : !llvm.ptr -> vector<3xf32>
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : vector<3xf32>, !llvm.ptr
func.func @vec3(%v: !khal.array<vector<3xf32>>, %i: i32) {
  %e = khal.load %v[%i] : !khal.array<vector<3xf32>>, i32 -> vector<3xf32>
  khal.store %e, %v[%i] : vector<3xf32>, !khal.array<vector<3xf32>>, i32
  func.return
}

// A matrix is loaded column by column into an array of column vectors.
// CHECK-LABEL: func.func @mat(
// CHECK: llvm.getelementptr inbounds %{{.*}}[0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<2 x !llvm.array<2 x f32>>
// CHECK: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr -> vector<2xf32>
// CHECK: llvm.insertvalue %{{.*}}, %{{.*}}[1] : !llvm.array<2 x vector<2xf32>>
func.func @mat(%m: !khal.array<vector<2x2xf32>>, %i: i32) -> vector<2x2xf32> {
  %e = khal.load %m[%i] : !khal.array<vector<2x2xf32>>, i32 -> vector<2x2xf32>
  func.return %e : vector<2x2xf32>
}

// Structs have numpy's aligned (C) layout; vector fields are arrays, converted on access.
// CHECK-LABEL: func.func @structs(
// CHECK: llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr -> !llvm.struct<(i8, !llvm.array<3 x f32>, f64)>
// CHECK: %[[F:.*]] = llvm.extractvalue %{{.*}}[1] : !llvm.struct<(i8, !llvm.array<3 x f32>, f64)>
// CHECK: llvm.extractvalue %[[F]][2] : !llvm.array<3 x f32>
// CHECK: llvm.insertelement
// CHECK: llvm.insertvalue %{{.*}}, %{{.*}}[1] : !llvm.struct<(i8, !llvm.array<3 x f32>, f64)>
func.func @structs(%s: !khal.array<!khal.struct<"S", a: i8, p: vector<3xf32>, b: f64>>, %i: i32) {
  %v = khal.load %s[%i] : !khal.array<!khal.struct<"S", a: i8, p: vector<3xf32>, b: f64>>, i32 -> !khal.struct<"S", a: i8, p: vector<3xf32>, b: f64>
  %p = khal.struct_extract %v["p"] : !khal.struct<"S", a: i8, p: vector<3xf32>, b: f64> -> vector<3xf32>
  %w = khal.struct_insert %p, %v["p"] : vector<3xf32>, !khal.struct<"S", a: i8, p: vector<3xf32>, b: f64>
  khal.store %w, %s[%i] : !khal.struct<"S", a: i8, p: vector<3xf32>, b: f64>, !khal.array<!khal.struct<"S", a: i8, p: vector<3xf32>, b: f64>>, i32
  func.return
}

// Workgroup memory is an entry-block alloca; atomics are monotonic by default.
// CHECK-LABEL: func.func @shared(
// CHECK-NEXT:  %[[ONE:.*]] = llvm.mlir.constant(1) : i64
// CHECK-NEXT:  %[[MEM:.*]] = llvm.alloca %[[ONE]] x !llvm.array<64 x i32> {alignment = 16 : i64} : (i64) -> !llvm.ptr
// CHECK: llvm.atomicrmw add %{{.*}}, %{{.*}} monotonic {alignment = 4 : i64} : !llvm.ptr, i32
// CHECK: llvm.atomicrmw fadd %{{.*}}, %{{.*}} monotonic {alignment = 4 : i64} : !llvm.ptr, f32
// CHECK: %[[X:.*]] = llvm.cmpxchg %{{.*}}, %{{.*}}, %{{.*}} monotonic monotonic : !llvm.ptr, i32
// CHECK: llvm.extractvalue %[[X]][0] : !llvm.struct<(i32, i1)>
// CHECK: llvm.load %{{.*}} atomic monotonic {alignment = 4 : i64} : !llvm.ptr -> i32
// CHECK: llvm.store %{{.*}}, %{{.*}} atomic monotonic {alignment = 4 : i64} : i32, !llvm.ptr
// OPT-LABEL: func.func @shared(
// OPT: llvm.atomicrmw add %{{.*}}, %{{.*}} seq_cst
func.func @shared(%h: !khal.array<i32>, %f: !khal.array<f32>, %i: i32, %v: f32) attributes {khal.workgroup_size = array<i64: 64, 1, 1>} {
  %c1 = arith.constant 1 : i32
  %mem = khal.workgroup_alloc : !khal.workgroup_array<64 x i32>
  %o = khal.atomic_rmw add %mem[%i], %c1 : !khal.workgroup_array<64 x i32>, i32, i32
  %fo = khal.atomic_rmw add %f[%i], %v : !khal.array<f32>, i32, f32
  %x = khal.atomic_cmpxchg %h[%i], %o, %c1 : !khal.array<i32>, i32, i32
  %l = khal.atomic_load %h[%i] : !khal.array<i32>, i32 -> i32
  khal.atomic_store %l, %h[%x] : i32, !khal.array<i32>, i32
  func.return
}

// Calls pass both halves of an array.
// CHECK-LABEL: func.func @caller(
// CHECK: func.call @saxpy(%x, %x_len, %y, %y_len, %a) : (!llvm.ptr, i64, !llvm.ptr, i64, f32) -> ()
func.func @caller(%x: !khal.array<f32, read>, %y: !khal.array<f32>, %a: f32) {
  func.call @saxpy(%x, %y, %a) : (!khal.array<f32, read>, !khal.array<f32>, f32) -> ()
  func.return
}

// print: printf of a format built from the holes (floats through double), then fflush.
// CHECK-LABEL: func.func @show(
// CHECK: llvm.fpext %{{.*}} : f32 to f64
// CHECK: llvm.call @printf(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) vararg(!llvm.func<i32 (!llvm.ptr, ...)>)
// CHECK: llvm.call @fflush
func.func @show(%v: vector<2xf32>, %n: i32) {
  khal.print "v={} n={} 50%"(%v, %n) : vector<2xf32>, i32
  func.return
}

