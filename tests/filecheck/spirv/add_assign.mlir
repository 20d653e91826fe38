// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: khal-opt --print-op-generic %s | khal-opt | filecheck %s
// RUN: %python -m khal.targets.spirv_writer --validate %s | filecheck %s --check-prefix=SPV
// lit's internal `diff` leaves PYTHONPATH set to lit's own folder for later RUN lines: keep it last.
// RUN: khal-opt %s | khal-opt > %t && khal-opt %t | diff %t -

// (a) add_assign: a[i] += b[i] for i < len(a); two storage buffers (b read-only), the global
// invocation id builtin, and the bounds check as a structured selection.

// CHECK:      spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {
// CHECK-NEXT:   spirv.GlobalVariable @a bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
// CHECK-NEXT:   spirv.GlobalVariable @b bind(0, 1) NonWritable : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
// CHECK-NEXT:   spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
// CHECK:        %i = spirv.CompositeExtract %gid[0] : vector<3xi32> -> i32
// CHECK:        %n = spirv.ArrayLength %a, 0 : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
// CHECK-NEXT:   %in = spirv.ULessThan %i, %n : i32
// CHECK-NEXT:   spirv.mlir.selection {
// CHECK-NEXT:     spirv.BranchConditional %in, ^then, ^merge
// CHECK:          spirv.mlir.merge
// CHECK:        spirv.EntryPoint GLCompute @main, [@gid]
// CHECK-NEXT:   spirv.ExecutionMode @main LocalSize [64, 1, 1]

// SPV:      OpCapability Shader
// SPV-NEXT: OpMemoryModel Logical GLSL450
// SPV-NEXT: OpEntryPoint GLCompute %[[MAIN:[0-9]+]] "main" %[[GID:[0-9]+]]
// SPV-NEXT: OpExecutionMode %[[MAIN]] LocalSize 64 1 1
// SPV:      OpDecorate %[[RTA:[0-9]+]] ArrayStride 4
// SPV-NEXT: OpMemberDecorate %[[BLOCK:[0-9]+]] 0 Offset 0
// SPV-NEXT: OpDecorate %[[BLOCK]] Block
// SPV-NEXT: OpDecorate %[[A:[0-9]+]] DescriptorSet 0
// SPV-NEXT: OpDecorate %[[A]] Binding 0
// SPV:      OpDecorate %[[B:[0-9]+]] NonWritable
// SPV-NEXT: OpDecorate %[[GID]] BuiltIn GlobalInvocationId
// SPV:      %[[UINT:[0-9]+]] = OpTypeInt 32 0
// SPV:      %[[MAIN]] = OpFunction
// SPV:      %[[N:[0-9]+]] = OpArrayLength %[[UINT]] %[[A]] 0
// SPV-NEXT: %[[IN:[0-9]+]] = OpULessThan
// SPV-NEXT: OpSelectionMerge %[[MERGE:[0-9]+]] None
// SPV-NEXT: OpBranchConditional %[[IN]] %[[THEN:[0-9]+]] %[[MERGE]]
// SPV-NEXT: %[[THEN]] = OpLabel
// SPV:      OpFAdd
// SPV:      OpBranch %[[MERGE]]
// SPV-NEXT: %[[MERGE]] = OpLabel
// SPV-NEXT: OpReturn
// SPV-NEXT: OpFunctionEnd

spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {
  spirv.GlobalVariable @a bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @b bind(0, 1) NonWritable : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
  spirv.func @main() {
    %gid_ptr = spirv.mlir.addressof @gid : !spirv.ptr<vector<3xi32>, Input>
    %gid = spirv.Load %gid_ptr : !spirv.ptr<vector<3xi32>, Input> -> vector<3xi32>
    %i = spirv.CompositeExtract %gid[0] : vector<3xi32> -> i32
    %a = spirv.mlir.addressof @a : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %b = spirv.mlir.addressof @b : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %n = spirv.ArrayLength %a, 0 : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %in = spirv.ULessThan %i, %n : i32
    spirv.mlir.selection {
      spirv.BranchConditional %in, ^then, ^merge
    ^then:
      %c0 = spirv.Constant 0 : i32
      %pa = spirv.AccessChain %a[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
      %pb = spirv.AccessChain %b[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
      %x = spirv.Load %pa : !spirv.ptr<f32, StorageBuffer> -> f32
      %y = spirv.Load %pb : !spirv.ptr<f32, StorageBuffer> -> f32
      %s = spirv.FAdd %x, %y : f32
      spirv.Store %pa, %s : !spirv.ptr<f32, StorageBuffer>, f32
      spirv.Branch ^merge
    ^merge:
      spirv.mlir.merge
    }
    spirv.Return
  }
  spirv.EntryPoint GLCompute @main, [@gid]
  spirv.ExecutionMode @main LocalSize [64, 1, 1]
}
