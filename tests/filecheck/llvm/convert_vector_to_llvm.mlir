// RUN: khal-opt %s -p convert-vector-to-llvm | filecheck %s

// CHECK-LABEL: func.func @vectors(
func.func @vectors(%x: f32, %v: vector<3xf32>, %i: index) -> (vector<3xf32>, f32, vector<4xf32>, f32) {
  // A splat: insertelement + shufflevector.
  // CHECK: %[[U:.*]] = llvm.mlir.undef : vector<3xf32>
  // CHECK: %[[I:.*]] = llvm.insertelement %x, %[[U]]
  // CHECK: llvm.shufflevector %[[I]], %[[I]] [0, 0, 0] : vector<3xf32>
  %0 = vector.broadcast %x : f32 to vector<3xf32>
  // CHECK: llvm.insertelement %x, %{{.*}}[%{{.*}} : i32] : vector<3xf32>
  %1 = vector.insert %x, %0[1] : f32 into vector<3xf32>
  // A dynamic position is an index, i.e. i64.
  // CHECK: %[[P:.*]] = builtin.unrealized_conversion_cast %i : index to i64
  // CHECK: llvm.extractelement %v[%[[P]] : i64] : vector<3xf32>
  %2 = vector.extract %v[%i] : f32 from vector<3xf32>
  // Operands of different lengths are widened first.
  // CHECK: %[[W:.*]] = llvm.shufflevector %short, %short [0, 1, 1, 1] : vector<2xf32>
  // CHECK: llvm.shufflevector %s, %[[W]] [0, 4, 2, 5] : vector<4xf32>
  %s = vector.shuffle %v, %0 [0, 3, 2, 4] : vector<3xf32>, vector<3xf32>
  %short = vector.shuffle %v, %v [0, 1] : vector<3xf32>, vector<3xf32>
  %3 = vector.shuffle %s, %short [0, 4, 2, 5] : vector<4xf32>, vector<2xf32>
  // CHECK: llvm.call_intrinsic "llvm.vector.reduce.fadd.v3f32"(%{{.*}}, %v) : (f32, vector<3xf32>) -> f32
  %4 = vector.reduction <add>, %v : vector<3xf32> into f32
  func.return %1, %2, %3, %4 : vector<3xf32>, f32, vector<4xf32>, f32
}

// Matrices are arrays of column vectors.
// CHECK-LABEL: func.func @matrices(
func.func @matrices(%m: vector<2x2xf32>, %c: vector<2xf32>, %k: index, %b: i1) -> (vector<2xf32>, vector<2x2xf32>, f32, vector<2x2xf32>) {
  // CHECK: %[[M:.*]] = builtin.unrealized_conversion_cast %m : vector<2x2xf32> to !llvm.array<2 x vector<2xf32>>
  // CHECK: llvm.extractvalue %[[M]][1] : !llvm.array<2 x vector<2xf32>>
  %0 = vector.extract %m[1] : vector<2xf32> from vector<2x2xf32>
  // A dynamic column: a select over the columns.
  // CHECK: llvm.icmp "eq"
  // CHECK: llvm.select %{{.*}}, %{{.*}}, %{{.*}} : i1, vector<2xf32>
  %1 = vector.insert %c, %m[%k] : vector<2xf32> into vector<2x2xf32>
  %2 = vector.extract %m[0, 1] : f32 from vector<2x2xf32>
  // CHECK: llvm.mlir.constant(dense<[1.000000e+00, 0.000000e+00]> : vector<2xf32>) : vector<2xf32>
  // CHECK: llvm.mlir.constant(dense<[0.000000e+00, 1.000000e+00]> : vector<2xf32>) : vector<2xf32>
  %id = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : vector<2x2xf32>
  // CHECK: llvm.select %b, %{{.*}}, %{{.*}} : i1, !llvm.array<2 x vector<2xf32>>
  %3 = arith.select %b, %id, %m : vector<2x2xf32>
  func.return %0, %1, %2, %3 : vector<2xf32>, vector<2x2xf32>, f32, vector<2x2xf32>
}
