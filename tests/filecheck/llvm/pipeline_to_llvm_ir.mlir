// RUN: khal-opt %s -p convert-khal-to-llvm,convert-vector-to-llvm,convert-math-to-llvm,khal-convert-scf-to-cf,convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts | filecheck %s --check-prefix=DIALECT
// RUN: khal-opt %s -p convert-khal-to-llvm,convert-vector-to-llvm,convert-math-to-llvm,khal-convert-scf-to-cf,convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts -t llvm | filecheck %s

// The whole LLVM_LOWERING leaves only llvm ops, then the translator prints LLVM IR.
// DIALECT-NOT: arith.
// DIALECT-NOT: scf.
// DIALECT-NOT: khal.
// DIALECT-NOT: unrealized_conversion_cast
// DIALECT: llvm.func @k(

// CHECK: define void @"k"(ptr captures(none) readonly %"in", i64 %"in_len", ptr captures(none) %"out", i64 %"out_len", float %"s")
// CHECK: phi i32
// CHECK: getelementptr inbounds [3 x float], ptr
// CHECK: load <3 x float>, ptr %{{.*}}, align 4
// CHECK: call float @"llvm.sqrt.f32"
// CHECK: store <3 x float> %{{.*}}, ptr %{{.*}}, align 4
func.func @k(%in: !khal.array<vector<3xf32>, read>, %out: !khal.array<vector<3xf32>>, %s: f32) {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %n = khal.len %out : !khal.array<vector<3xf32>>
  scf.for %i = %c0 to %n step %c1 : i32 {
    %v = khal.load %in[%i] : !khal.array<vector<3xf32>, read>, i32 -> vector<3xf32>
    %r = math.sqrt %s : f32
    %b = vector.broadcast %r : f32 to vector<3xf32>
    %w = arith.mulf %v, %b : vector<3xf32>
    khal.store %w, %out[%i] : vector<3xf32>, !khal.array<vector<3xf32>>, i32
  }
  func.return
}
