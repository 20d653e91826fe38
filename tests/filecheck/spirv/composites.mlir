// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: khal-opt --print-op-generic %s | khal-opt | filecheck %s
// RUN: %python -m khal.targets.spirv_writer --validate %s | filecheck %s --check-prefix=SPV

// Composite values: a matrix (vector<2x2xf32> is OpTypeMatrix of two vec2 columns), a struct value
// without layout, CompositeInsert, VectorShuffle, and a dynamic component through a Function variable:
// y[i] = m1[1][1] (through the variable) + s.1.y + m1[1][0].

// CHECK:      %col0 = spirv.CompositeConstruct %x, %one : (f32, f32) -> vector<2xf32>
// CHECK-NEXT: %m = spirv.CompositeConstruct %col0, %col0 : (vector<2xf32>, vector<2xf32>) -> vector<2x2xf32>
// CHECK-NEXT: %m1 = spirv.CompositeInsert %col1, %m[1] : vector<2xf32> into vector<2x2xf32>
// CHECK-NEXT: %c1 = spirv.CompositeExtract %m1[1] : vector<2x2xf32> -> vector<2xf32>
// CHECK-NEXT: %e = spirv.CompositeExtract %m1[1, 0] : vector<2x2xf32> -> f32
// CHECK-NEXT: %yx = spirv.VectorShuffle [1, 0] %c1, %c1 : vector<2xf32>, vector<2xf32> -> vector<2xf32>
// CHECK-NEXT: %s = spirv.CompositeConstruct %x, %yx : (f32, vector<2xf32>) -> !spirv.struct<(f32, vector<2xf32>)>

// SPV:      %[[F32:[0-9]+]] = OpTypeFloat 32
// SPV:      %[[V2:[0-9]+]] = OpTypeVector %[[F32]] 2
// SPV:      %[[M2:[0-9]+]] = OpTypeMatrix %[[V2]] 2
// SPV:      OpCompositeConstruct %[[M2]]
// SPV:      OpCompositeInsert %[[M2]] %{{[0-9]+}} %{{[0-9]+}} 1
// SPV:      OpCompositeExtract %[[F32]] %{{[0-9]+}} 1 0
// SPV:      OpVectorShuffle %[[V2]] %{{[0-9]+}} %{{[0-9]+}} 1 0

spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {
  spirv.GlobalVariable @y bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
  spirv.func @main() {
    %tmp = spirv.Variable : !spirv.ptr<vector<2xf32>, Function>
    %c0 = spirv.Constant 0 : i32
    %one = spirv.Constant 1.0 : f32
    %gidp = spirv.mlir.addressof @gid : !spirv.ptr<vector<3xi32>, Input>
    %gidv = spirv.Load %gidp : !spirv.ptr<vector<3xi32>, Input> -> vector<3xi32>
    %i = spirv.CompositeExtract %gidv[0] : vector<3xi32> -> i32
    %y = spirv.mlir.addressof @y : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %py = spirv.AccessChain %y[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    %x = spirv.Load %py : !spirv.ptr<f32, StorageBuffer> -> f32
    %col1 = spirv.CompositeConstruct %one, %x : (f32, f32) -> vector<2xf32>
    %col0 = spirv.CompositeConstruct %x, %one : (f32, f32) -> vector<2xf32>
    %m = spirv.CompositeConstruct %col0, %col0 : (vector<2xf32>, vector<2xf32>) -> vector<2x2xf32>
    %m1 = spirv.CompositeInsert %col1, %m[1] : vector<2xf32> into vector<2x2xf32>
    %c1 = spirv.CompositeExtract %m1[1] : vector<2x2xf32> -> vector<2xf32>
    %e = spirv.CompositeExtract %m1[1, 0] : vector<2x2xf32> -> f32
    %yx = spirv.VectorShuffle [1, 0] %c1, %c1 : vector<2xf32>, vector<2xf32> -> vector<2xf32>
    %s = spirv.CompositeConstruct %x, %yx : (f32, vector<2xf32>) -> !spirv.struct<(f32, vector<2xf32>)>
    spirv.Store %tmp, %yx : !spirv.ptr<vector<2xf32>, Function>, vector<2xf32>
    %pj = spirv.AccessChain %tmp[%c0] : !spirv.ptr<vector<2xf32>, Function>, i32 -> !spirv.ptr<f32, Function>
    %first = spirv.Load %pj : !spirv.ptr<f32, Function> -> f32
    %sv = spirv.CompositeExtract %s[1, 1] : !spirv.struct<(f32, vector<2xf32>)> -> f32
    %sum = spirv.FAdd %first, %sv : f32
    %out = spirv.FAdd %sum, %e : f32
    spirv.Store %py, %out : !spirv.ptr<f32, StorageBuffer>, f32
    spirv.Return
  }
  spirv.EntryPoint GLCompute @main, [@gid]
  spirv.ExecutionMode @main LocalSize [64, 1, 1]
}
