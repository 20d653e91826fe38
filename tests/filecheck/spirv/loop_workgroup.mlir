// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: khal-opt --print-op-generic %s | khal-opt | filecheck %s
// RUN: %python -m khal.targets.spirv_writer --validate %s | filecheck %s --check-prefix=SPV

// (b) A loop with a loop-carried index (OpPhi), a workgroup array and a barrier: every invocation
// stores its element into workgroup memory, waits, then sums its workgroup's 64 elements.

// CHECK: spirv.GlobalVariable @shared : !spirv.ptr<!spirv.array<64 x f32>, Workgroup>
// CHECK: spirv.ControlBarrier Workgroup, Workgroup, <AcquireRelease,WorkgroupMemory>
// CHECK: spirv.mlir.loop {
// CHECK-NEXT: spirv.Branch ^header(%c0 : i32)
// CHECK-NEXT: ^header(%i: i32):

// SPV: OpCapability Shader
// SPV: OpEntryPoint GLCompute %[[MAIN:[0-9]+]] "main" %[[GID:[0-9]+]] %[[LID:[0-9]+]]
// SPV: OpExecutionMode %[[MAIN]] LocalSize 64 1 1
// SPV: OpControlBarrier
// SPV: OpLoopMerge %[[MERGE:[0-9]+]] %[[CONT:[0-9]+]] None
// SPV: %[[CONT]] = OpLabel
// SPV: %[[MERGE]] = OpLabel

spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {
  spirv.GlobalVariable @x bind(0, 0) NonWritable : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @out bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @shared : !spirv.ptr<!spirv.array<64 x f32>, Workgroup>
  spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
  spirv.GlobalVariable @lid built_in(LocalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
  spirv.func @main() {
    %acc = spirv.Variable : !spirv.ptr<f32, Function>
    %c0 = spirv.Constant 0 : i32
    %c1 = spirv.Constant 1 : i32
    %c64 = spirv.Constant 64 : i32
    %f0 = spirv.Constant 0.0 : f32
    %gidp = spirv.mlir.addressof @gid : !spirv.ptr<vector<3xi32>, Input>
    %lidp = spirv.mlir.addressof @lid : !spirv.ptr<vector<3xi32>, Input>
    %gidv = spirv.Load %gidp : !spirv.ptr<vector<3xi32>, Input> -> vector<3xi32>
    %lidv = spirv.Load %lidp : !spirv.ptr<vector<3xi32>, Input> -> vector<3xi32>
    %g = spirv.CompositeExtract %gidv[0] : vector<3xi32> -> i32
    %l = spirv.CompositeExtract %lidv[0] : vector<3xi32> -> i32
    %x = spirv.mlir.addressof @x : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %out = spirv.mlir.addressof @out : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %shared = spirv.mlir.addressof @shared : !spirv.ptr<!spirv.array<64 x f32>, Workgroup>
    %px = spirv.AccessChain %x[%c0, %g] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    %vx = spirv.Load %px : !spirv.ptr<f32, StorageBuffer> -> f32
    %ps = spirv.AccessChain %shared[%l] : !spirv.ptr<!spirv.array<64 x f32>, Workgroup>, i32 -> !spirv.ptr<f32, Workgroup>
    spirv.Store %ps, %vx : !spirv.ptr<f32, Workgroup>, f32
    spirv.Store %acc, %f0 : !spirv.ptr<f32, Function>, f32
    spirv.ControlBarrier Workgroup, Workgroup, <AcquireRelease,WorkgroupMemory>
    spirv.mlir.loop {
      spirv.Branch ^header(%c0 : i32)
    ^header(%i : i32):
      %more = spirv.SLessThan %i, %c64 : i32
      spirv.BranchConditional %more, ^body, ^merge
    ^body:
      %pi = spirv.AccessChain %shared[%i] : !spirv.ptr<!spirv.array<64 x f32>, Workgroup>, i32 -> !spirv.ptr<f32, Workgroup>
      %vi = spirv.Load %pi : !spirv.ptr<f32, Workgroup> -> f32
      %a = spirv.Load %acc : !spirv.ptr<f32, Function> -> f32
      %s = spirv.FAdd %a, %vi : f32
      spirv.Store %acc, %s : !spirv.ptr<f32, Function>, f32
      spirv.Branch ^continue
    ^continue:
      %next = spirv.IAdd %i, %c1 : i32
      spirv.Branch ^header(%next : i32)
    ^merge:
      spirv.mlir.merge
    }
    %total = spirv.Load %acc : !spirv.ptr<f32, Function> -> f32
    %po = spirv.AccessChain %out[%c0, %g] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    spirv.Store %po, %total : !spirv.ptr<f32, StorageBuffer>, f32
    spirv.Return
  }
  spirv.EntryPoint GLCompute @main, [@gid, @lid]
  spirv.ExecutionMode @main LocalSize [64, 1, 1]
}
