// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: khal-opt --print-op-generic %s | khal-opt | filecheck %s
// RUN: %python -m khal.targets.spirv_writer --validate %s | filecheck %s --check-prefix=SPV

// (c) Scalar parameters in one uniform block with member offsets:
// y[i] = alpha * y[i] + beta * f32(i) for i < n, with {alpha: f32 @ 0, n: u32 @ 4, beta: f32 @ 8}.

// CHECK: spirv.GlobalVariable @params bind(0, 1) : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4], f32 [8]), Block>, Uniform>
// CHECK: %alpha = spirv.Load %palpha : !spirv.ptr<f32, Uniform> -> f32
// CHECK: %fi = spirv.ConvertUToF %i : i32 to f32

// SPV:      OpMemberDecorate %[[PARAMS:[0-9]+]] 1 Offset 4
// SPV-NEXT: OpMemberDecorate %[[PARAMS]] 2 Offset 8
// SPV-NEXT: OpDecorate %[[PARAMS]] Block
// SPV:      OpTypePointer Uniform %[[PARAMS]]
// SPV:      OpConvertUToF

spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {
  spirv.GlobalVariable @y bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @params bind(0, 1) : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4], f32 [8]), Block>, Uniform>
  spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
  spirv.func @main() {
    %c0 = spirv.Constant 0 : i32
    %c1 = spirv.Constant 1 : i32
    %c2 = spirv.Constant 2 : i32
    %gidp = spirv.mlir.addressof @gid : !spirv.ptr<vector<3xi32>, Input>
    %gidv = spirv.Load %gidp : !spirv.ptr<vector<3xi32>, Input> -> vector<3xi32>
    %i = spirv.CompositeExtract %gidv[0] : vector<3xi32> -> i32
    %params = spirv.mlir.addressof @params : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4], f32 [8]), Block>, Uniform>
    %palpha = spirv.AccessChain %params[%c0] : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4], f32 [8]), Block>, Uniform>, i32 -> !spirv.ptr<f32, Uniform>
    %pn = spirv.AccessChain %params[%c1] : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4], f32 [8]), Block>, Uniform>, i32 -> !spirv.ptr<i32, Uniform>
    %pbeta = spirv.AccessChain %params[%c2] : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4], f32 [8]), Block>, Uniform>, i32 -> !spirv.ptr<f32, Uniform>
    %alpha = spirv.Load %palpha : !spirv.ptr<f32, Uniform> -> f32
    %n = spirv.Load %pn : !spirv.ptr<i32, Uniform> -> i32
    %beta = spirv.Load %pbeta : !spirv.ptr<f32, Uniform> -> f32
    %in = spirv.ULessThan %i, %n : i32
    spirv.mlir.selection {
      spirv.BranchConditional %in, ^then, ^merge
    ^then:
      %y = spirv.mlir.addressof @y : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
      %py = spirv.AccessChain %y[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
      %old = spirv.Load %py : !spirv.ptr<f32, StorageBuffer> -> f32
      %fi = spirv.ConvertUToF %i : i32 to f32
      %ay = spirv.FMul %alpha, %old : f32
      %bi = spirv.FMul %beta, %fi : f32
      %new = spirv.FAdd %ay, %bi : f32
      spirv.Store %py, %new : !spirv.ptr<f32, StorageBuffer>, f32
      spirv.Branch ^merge
    ^merge:
      spirv.mlir.merge
    }
    spirv.Return
  }
  spirv.EntryPoint GLCompute @main, [@gid]
  spirv.ExecutionMode @main LocalSize [64, 1, 1]
}
