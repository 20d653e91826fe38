// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: khal-opt --print-op-generic %s | khal-opt | filecheck %s
// RUN: %python -m khal.targets.spirv_writer --validate %s | filecheck %s --check-prefix=SPV

// OpAtomicCompareExchange in a compare-exchange loop (the shape of a float atomic add emulated on u32
// bits): valid for spirv-val, but naga (wgpu 0.32, naga 29) cannot take it in any shape tried:
// - its result used by OpStore or OpPhi directly: create_shader_module fails, "Used by a statement before
//   it was introduced into the scope by any of the dominating blocks";
// - its result unused, or first fed to an expression (OpIAdd 0, OpIEqual): the shader module is created,
//   then create_compute_pipeline panics inside naga's SPIR-V backend ("internal error: entered unreachable
//   code: Expression [N] is not cached!"), which aborts the process.
// So this module is validated here and never run through wgpu.

// CHECK:      %got = spirv.AtomicCompareExchange Device <None> <None> %p, %want, %exp : !spirv.ptr<i32, StorageBuffer>, i32
// CHECK-NEXT: %ok = spirv.IEqual %got, %exp : i32

// SPV:      OpBranch %[[HEADER:[0-9]+]]
// SPV-NEXT: %[[HEADER]] = OpLabel
// SPV-NEXT: %[[EXP:[0-9]+]] = OpPhi %{{[0-9]+}} %{{[0-9]+}} %{{[0-9]+}} %[[GOT:[0-9]+]] %[[CONT:[0-9]+]]
// SPV:      %[[GOT]] = OpAtomicCompareExchange %{{[0-9]+}} %{{[0-9]+}} %{{[0-9]+}} %{{[0-9]+}} %{{[0-9]+}} %{{[0-9]+}} %[[EXP]]
// SPV:      OpLoopMerge %{{[0-9]+}} %[[CONT]] None

spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {
  spirv.GlobalVariable @counter bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
  spirv.func @main() {
    %c0 = spirv.Constant 0 : i32
    %c1 = spirv.Constant 1 : i32
    %counter = spirv.mlir.addressof @counter : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
    %p = spirv.AccessChain %counter[%c0, %c0] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<i32, StorageBuffer>
    %init = spirv.AtomicLoad Device <None> %p : !spirv.ptr<i32, StorageBuffer> -> i32
    spirv.mlir.loop {
      spirv.Branch ^header(%init : i32)
    ^header(%exp: i32):
      %want = spirv.IAdd %exp, %c1 : i32
      %got = spirv.AtomicCompareExchange Device <None> <None> %p, %want, %exp : !spirv.ptr<i32, StorageBuffer>, i32
      %ok = spirv.IEqual %got, %exp : i32
      spirv.BranchConditional %ok, ^merge, ^continue
    ^continue:
      spirv.Branch ^header(%got : i32)
    ^merge:
      spirv.mlir.merge
    }
    spirv.Return
  }
  spirv.EntryPoint GLCompute @main, []
  spirv.ExecutionMode @main LocalSize [64, 1, 1]
}
