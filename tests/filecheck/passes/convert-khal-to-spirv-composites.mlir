// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | filecheck %s
// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | khal-opt | filecheck %s
// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | %python -m khal.targets.spirv_writer --validate - | filecheck %s --check-prefix=SPV

// Composite values: value parameters are assembled from the uniform block's 32-bit words at numpy's
// offsets (the struct `g` at 24: pos +0, m +12; the Mat2 `m` at 40, column after column); arrays of
// vectors and structs are runtime arrays of words (`Array[Vec3]`: 3 words a row, `P`: 4), read and
// written by leaf; vector ops map to CompositeConstruct/Extract/Insert and VectorShuffle; a dynamic
// component goes through a Function variable; a matrix is an OpTypeMatrix; a vector select takes a
// bool vector (SPIR-V 1.3); a dense constant is built from scalar constants.

// CHECK:      spirv.GlobalVariable @ps bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
// CHECK-NEXT: spirv.GlobalVariable @vs bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
// CHECK-NEXT: spirv.GlobalVariable @block bind(0, 5) : !spirv.ptr<!spirv.struct<(!spirv.array<4 x vector<4xi32>, stride=16> [0]), Block>, Uniform>

// g.pos: words 6, 7, 8, bitcast, then g.m at word 9; the struct value from its members.
// CHECK:      %[[G0:.*]] = spirv.Bitcast %{{.*}} : i32 to f32
// CHECK:      %[[G1:.*]] = spirv.Bitcast %{{.*}} : i32 to f32
// CHECK:      %[[G2:.*]] = spirv.Bitcast %{{.*}} : i32 to f32
// CHECK-NEXT: %[[GPOS:.*]] = spirv.CompositeConstruct %[[G0]], %[[G1]], %[[G2]] : (f32, f32, f32) -> vector<3xf32>
// CHECK:      %[[GM:.*]] = spirv.Bitcast %{{.*}} : i32 to f32
// CHECK-NEXT: %g = spirv.CompositeConstruct %[[GPOS]], %[[GM]] : (vector<3xf32>, f32) -> !spirv.struct<(vector<3xf32>, f32)>
// The matrix: two columns, then the matrix.
// CHECK:      spirv.CompositeConstruct %{{.*}}, %{{.*}} : (f32, f32) -> vector<2xf32>
// CHECK:      %[[COL1:.*]] = spirv.CompositeConstruct %{{.*}}, %{{.*}} : (f32, f32) -> vector<2xf32>
// CHECK-NEXT: %m = spirv.CompositeConstruct %{{.*}}, %[[COL1]] : (vector<2xf32>, vector<2xf32>) -> vector<2x2xf32>

// vs[i]: row i starts at word 3 * i.
// CHECK:      %[[ROW:.*]] = spirv.IMul %i, %{{.*}} : i32
// CHECK:      spirv.AccessChain %{{.*}}[%{{.*}}, %[[ROW]]] : {{.*}} -> !spirv.ptr<i32, StorageBuffer>
// CHECK:      %v = spirv.CompositeConstruct %{{.*}}, %{{.*}}, %{{.*}} : (f32, f32, f32) -> vector<3xf32>
// v[j] = 2.0: through a Function variable
// CHECK:      spirv.Store %[[TMP:.*]], %v : !spirv.ptr<vector<3xf32>, Function>, vector<3xf32>
// CHECK-NEXT: %[[PJ:.*]] = spirv.AccessChain %[[TMP]][%j] : !spirv.ptr<vector<3xf32>, Function>, i32 -> !spirv.ptr<f32, Function>
// CHECK-NEXT: spirv.Store %[[PJ]], %{{.*}} : !spirv.ptr<f32, Function>, f32
// CHECK-NEXT: %v_1 = spirv.Load %[[TMP]]
// ps[i].pos += v.zyx * g.m
// CHECK:      %[[POS:.*]] = spirv.CompositeExtract %{{.*}}[0] : !spirv.struct<(vector<3xf32>, f32)> -> vector<3xf32>
// CHECK-NEXT: %[[ZYX:.*]] = spirv.VectorShuffle [2, 1, 0] %v_1, %v_1 : vector<3xf32>, vector<3xf32> -> vector<3xf32>
// CHECK-NEXT: %[[S:.*]] = spirv.CompositeExtract %g[1] : !spirv.struct<(vector<3xf32>, f32)> -> f32
// CHECK-NEXT: %[[SV:.*]] = spirv.CompositeConstruct %[[S]], %[[S]], %[[S]] : (f32, f32, f32) -> vector<3xf32>
// CHECK-NEXT: %[[MUL:.*]] = spirv.FMul %[[ZYX]], %[[SV]] : vector<3xf32>
// CHECK-NEXT: %[[ADD:.*]] = spirv.FAdd %[[POS]], %[[MUL]] : vector<3xf32>
// CHECK-NEXT: %[[P2:.*]] = spirv.CompositeInsert %[[ADD]], %{{.*}}[0] : vector<3xf32> into !spirv.struct<(vector<3xf32>, f32)>
// The store: every leaf as a word (floats bitcast).
// CHECK:      spirv.CompositeExtract %[[P2]][0] : !spirv.struct<(vector<3xf32>, f32)> -> vector<3xf32>
// CHECK:      %[[MASS:.*]] = spirv.CompositeExtract %[[P2]][1] : !spirv.struct<(vector<3xf32>, f32)> -> f32
// CHECK-NEXT: %[[W3:.*]] = spirv.Bitcast %[[MASS]] : f32 to i32
// CHECK-NEXT: %[[C3B:.*]] = spirv.Constant 3 : i32
// CHECK-NEXT: %[[AT3:.*]] = spirv.IAdd %{{.*}}, %[[C3B]] : i32
// CHECK:      %[[PW3:.*]] = spirv.AccessChain %{{.*}}[%{{.*}}, %[[AT3]]]
// CHECK-NEXT: spirv.Store %[[PW3]], %[[W3]] : !spirv.ptr<i32, StorageBuffer>, i32
// m[0]: a column of the matrix
// CHECK:      spirv.CompositeExtract %m[0] : vector<2x2xf32> -> vector<2xf32>
// The dense constant, and a select between vectors by a splatted condition.
// CHECK:      %[[K:.*]] = spirv.CompositeConstruct %{{.*}}, %{{.*}}, %{{.*}} : (f32, f32, f32) -> vector<3xf32>
// CHECK:      %[[CV:.*]] = spirv.CompositeConstruct %[[C:.*]], %[[C]], %[[C]] : (i1, i1, i1) -> vector<3xi1>
// CHECK-NEXT: spirv.Select %[[CV]], %v_1, %[[K]] : vector<3xi1>, vector<3xf32>
// A vector compare (typed i1 by xDSL's cmpi) is a bool vector already: the select takes it as it is.
// CHECK:      %[[LT:.*]] = spirv.FOrdLessThan %v_1, %[[K]] : vector<3xf32>
// CHECK-NEXT: spirv.Select %[[LT]], %v_1, %[[K]] : vector<3xi1>, vector<3xf32>

// SPV: OpTypeMatrix %{{[0-9]+}} 2
// SPV: OpVectorShuffle %{{[0-9]+}} %{{[0-9]+}} %{{[0-9]+}} 2 1 0
// SPV: OpCompositeInsert

khal.kernel @comp(%ps: !khal.array<!khal.struct<"P", pos: vector<3xf32>, m: f32>, read_write>, %vs: !khal.array<vector<3xf32>, read_write>, %g: !khal.struct<"P", pos: vector<3xf32>, m: f32>, %m: vector<2x2xf32>, %j: i32) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %v = khal.load %vs[%i] : !khal.array<vector<3xf32>, read_write>, i32 -> vector<3xf32>
  %two = arith.constant 2.000000e+00 : f32
  %0 = arith.index_cast %j : i32 to index
  %v_1 = vector.insert %two, %v [%0] : f32 into vector<3xf32>
  %1 = khal.load %ps[%i] : !khal.array<!khal.struct<"P", pos: vector<3xf32>, m: f32>, read_write>, i32 -> !khal.struct<"P", pos: vector<3xf32>, m: f32>
  %2 = khal.struct_extract %1["pos"] : !khal.struct<"P", pos: vector<3xf32>, m: f32> -> vector<3xf32>
  %3 = vector.shuffle %v_1, %v_1 [2, 1, 0] : vector<3xf32>, vector<3xf32>
  %4 = khal.struct_extract %g["m"] : !khal.struct<"P", pos: vector<3xf32>, m: f32> -> f32
  %5 = vector.broadcast %4 : f32 to vector<3xf32>
  %6 = arith.mulf %3, %5 : vector<3xf32>
  %7 = arith.addf %2, %6 : vector<3xf32>
  %8 = khal.struct_insert %7, %1["pos"] : vector<3xf32>, !khal.struct<"P", pos: vector<3xf32>, m: f32>
  khal.store %8, %ps[%i] : !khal.struct<"P", pos: vector<3xf32>, m: f32>, !khal.array<!khal.struct<"P", pos: vector<3xf32>, m: f32>, read_write>, i32
  %c0 = vector.extract %m[0] : vector<2xf32> from vector<2x2xf32>
  %x = vector.extract %c0[0] : f32 from vector<2xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %pos = arith.cmpf ogt, %x, %zero : f32
  %k = arith.constant dense<[1.0, 2.0, 3.0]> : vector<3xf32>
  %9 = arith.select %pos, %v_1, %k : vector<3xf32>
  khal.store %9, %vs[%i] : vector<3xf32>, !khal.array<vector<3xf32>, read_write>, i32
  %lt = arith.cmpf olt, %v_1, %k : vector<3xf32>
  %10 = arith.select %lt, %v_1, %k : vector<3xf32>
  khal.store %10, %vs[%i] : vector<3xf32>, !khal.array<vector<3xf32>, read_write>, i32
  khal.return
}
