// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: %python -m khal.targets.spirv_writer --validate %s | filecheck %s --check-prefix=SPV

// Shapes a lowering of Python control flow needs, all accepted by naga: an early return inside a
// selection (its merge block continues the function), and a `while True` loop left by a break from
// its body. For i < len(a): a[i] += 3 * b[i], the 3 counted by the loop.

// CHECK:      spirv.mlir.selection {
// CHECK-NEXT:   spirv.BranchConditional %oob, ^ret, ^done
// CHECK-NEXT: ^ret:
// CHECK-NEXT:   spirv.Return

// SPV:      OpSelectionMerge %[[DONE:[0-9]+]] None
// SPV-NEXT: OpBranchConditional %{{[0-9]+}} %[[RET:[0-9]+]] %[[DONE]]
// SPV-NEXT: %[[RET]] = OpLabel
// SPV-NEXT: OpReturn
// SPV-NEXT: %[[DONE]] = OpLabel
// SPV:      OpLoopMerge %[[MERGE:[0-9]+]] %[[CONT:[0-9]+]] None
// SPV:      OpBranchConditional %{{[0-9]+}} %[[MERGE]] %[[CONT]]

spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {
  spirv.GlobalVariable @a bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @b bind(0, 1) NonWritable : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
  spirv.func @main() {
    %acc = spirv.Variable : !spirv.ptr<f32, Function>
    %c0 = spirv.Constant 0 : i32
    %c1 = spirv.Constant 1 : i32
    %c3 = spirv.Constant 3 : i32
    %f0 = spirv.Constant 0.0 : f32
    %true = spirv.Constant true
    %gidp = spirv.mlir.addressof @gid : !spirv.ptr<vector<3xi32>, Input>
    %gidv = spirv.Load %gidp : !spirv.ptr<vector<3xi32>, Input> -> vector<3xi32>
    %i = spirv.CompositeExtract %gidv[0] : vector<3xi32> -> i32
    %a = spirv.mlir.addressof @a : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %b = spirv.mlir.addressof @b : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %n = spirv.ArrayLength %a, 0 : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %oob = spirv.UGreaterThanEqual %i, %n : i32
    spirv.mlir.selection {
      spirv.BranchConditional %oob, ^ret, ^done
    ^ret:
      spirv.Return
    ^done:
      spirv.mlir.merge
    }
    %pb = spirv.AccessChain %b[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    %vb = spirv.Load %pb : !spirv.ptr<f32, StorageBuffer> -> f32
    spirv.Store %acc, %f0 : !spirv.ptr<f32, Function>, f32
    spirv.mlir.loop {
      spirv.Branch ^header(%c0 : i32)
    ^header(%k: i32):
      spirv.BranchConditional %true, ^body, ^merge
    ^body:
      %stop = spirv.IEqual %k, %c3 : i32
      spirv.BranchConditional %stop, ^merge, ^continue
    ^continue:
      %s = spirv.Load %acc : !spirv.ptr<f32, Function> -> f32
      %s2 = spirv.FAdd %s, %vb : f32
      spirv.Store %acc, %s2 : !spirv.ptr<f32, Function>, f32
      %k2 = spirv.IAdd %k, %c1 : i32
      spirv.Branch ^header(%k2 : i32)
    ^merge:
      spirv.mlir.merge
    }
    %pa = spirv.AccessChain %a[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    %va = spirv.Load %pa : !spirv.ptr<f32, StorageBuffer> -> f32
    %total = spirv.Load %acc : !spirv.ptr<f32, Function> -> f32
    %sum = spirv.FAdd %va, %total : f32
    spirv.Store %pa, %sum : !spirv.ptr<f32, StorageBuffer>, f32
    spirv.Return
  }
  spirv.EntryPoint GLCompute @main, [@gid]
  spirv.ExecutionMode @main LocalSize [64, 1, 1]
}
