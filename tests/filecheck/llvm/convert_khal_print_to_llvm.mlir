// RUN: khal-opt %s -p convert-khal-print-to-llvm | filecheck %s
// RUN: khal-opt %s -p 'convert-khal-print-to-llvm{flush=false}' | filecheck %s --check-prefix=NOFLUSH

// `khal.print` is a printf call: `unsigned` values print with %u / %llu (a narrow one is
// zero-extended), the others with %d / %lld; fflush(NULL) follows unless flush=false.

// CHECK: llvm.mlir.global internal constant @__khal_fmt_0("u=%u s=%d b=%u w=%llu v=(%u, %u)\0A")
// CHECK-LABEL: func.func @show(
// CHECK:         llvm.zext %b : i8 to i32
// CHECK:         llvm.call @printf(
// CHECK:         llvm.call @fflush
// NOFLUSH-NOT:   @fflush
func.func @show(%u: i32, %s: i32, %b: i8, %w: i64, %v: vector<2xi32>) {
  khal.print "u={} s={} b={} w={} v={}"(%u, %s, %b, %w, %v) : i32, i32, i8, i64, vector<2xi32> unsigned [0, 2, 3, 4]
  func.return
}
