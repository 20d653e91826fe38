// RUN: khal-opt %s -p convert-khal-to-nvvm,convert-khal-print-to-nvvm | filecheck %s
// RUN: khal-opt %s -t ptx | filecheck %s --check-prefix=PTX

// `convert-khal-print-to-nvvm`: the CPU's printf format; the promoted arguments (f32 -> double, i1 -> a
// "True"/"False" pointer) stored in one entry-block alloca of a struct of their types, which has
// vprintf's packing (each at its natural alignment); a print without values passes a null buffer.

// CHECK:      llvm.mlir.global internal constant @__khal_fmt_1("no values\0A")
// CHECK-NEXT: llvm.func @vprintf(!llvm.ptr, !llvm.ptr) -> i32
// CHECK-NEXT: llvm.mlir.global internal constant @__khal_fmt_0("x %g n %d ok %s\0A")
// CHECK:      func.func @k(
// CHECK-NEXT:   %[[ONE:.*]] = llvm.mlir.constant(1) : i64
// CHECK-NEXT:   %[[BUF:.*]] = llvm.alloca %[[ONE]] x !llvm.struct<(f64, i32, !llvm.ptr)> {alignment = 8 : i64} : (i64) -> !llvm.ptr
// CHECK:        %[[X:.*]] = llvm.fpext %x : f32 to f64
// CHECK:        %[[B:.*]] = llvm.select %ok, %{{.*}}, %{{.*}} : i1, !llvm.ptr
// CHECK:        %[[F0:.*]] = llvm.getelementptr inbounds %[[BUF]][0, 0]
// CHECK-NEXT:   llvm.store %[[X]], %[[F0]] {alignment = 8 : i64} : f64, !llvm.ptr
// CHECK-NEXT:   %[[F1:.*]] = llvm.getelementptr inbounds %[[BUF]][0, 1]
// CHECK-NEXT:   llvm.store %n, %[[F1]] {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK-NEXT:   %[[F2:.*]] = llvm.getelementptr inbounds %[[BUF]][0, 2]
// CHECK-NEXT:   llvm.store %[[B]], %[[F2]] {alignment = 8 : i64} : !llvm.ptr, !llvm.ptr
// CHECK-NEXT:   llvm.call @vprintf(%{{.*}}, %[[BUF]]) : (!llvm.ptr, !llvm.ptr) -> i32
// CHECK:        %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT:   llvm.call @vprintf(%{{.*}}, %[[NULL]]) : (!llvm.ptr, !llvm.ptr) -> i32

// PTX:      .extern .func  (.param .b32 func_retval0) vprintf
// PTX:      .local .align 8 .b8 __local_depot0[24];
// PTX:      st.local.b64 [%rd{{[0-9]+}}],
// PTX:      call.uni (retval0), vprintf, (param0, param1);
// PTX:      call.uni (retval0), vprintf, (param0, param1);

builtin.module {
  khal.kernel @k(%a: !khal.array<f32, read>, %n: i32) workgroup_size(32, 1, 1) {
    %i = khal.global_invocation_id x
    %x = khal.load %a[%i] : !khal.array<f32, read>, i32 -> f32
    %ok = arith.cmpi slt, %i, %n : i32
    khal.print "x {} n {} ok {}"(%x, %n, %ok) : f32, i32, i1
    khal.print "no values"
    khal.return
  }
}
