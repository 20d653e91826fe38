// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: khal-opt --print-op-generic %s | khal-opt | filecheck %s
// RUN: %python -m khal.targets.spirv_writer --validate %s | filecheck %s --check-prefix=SPV

// (d) Atomics and GLSL.std.450 math: for i < len(x),
//   y[i] = fma(sqrt(|x[i]|), exp(clamp(x[i], -1, 1)), floor(x[i]))
//   counters[0] += 1;  counters[1] = max(counters[1], i);  prev[i] = exchange(counters[2], i + 1).
// (OpAtomicCompareExchange is in atomic_compare_exchange.mlir: naga cannot take it.)

// CHECK: %old = spirv.AtomicIAdd Device <None> %p0, %c1 : !spirv.ptr<i32, StorageBuffer>
// CHECK: spirv.AtomicSMax Device <None> %p1, %i : !spirv.ptr<i32, StorageBuffer>
// CHECK: %seen = spirv.AtomicExchange Device <None> %p2, %i1 : !spirv.ptr<i32, StorageBuffer>
// CHECK: %r = spirv.GL.Sqrt %ax : f32
// CHECK: %f = spirv.GL.Fma %r, %e, %fl : f32

// SPV:      %[[GLSL:[0-9]+]] = OpExtInstImport "GLSL.std.450"
// SPV:      OpAtomicIAdd
// SPV:      OpAtomicSMax
// SPV:      OpAtomicExchange
// SPV:      OpExtInst %{{[0-9]+}} %[[GLSL]] FAbs
// SPV-NEXT: OpExtInst %{{[0-9]+}} %[[GLSL]] Sqrt
// SPV-NEXT: OpExtInst %{{[0-9]+}} %[[GLSL]] FClamp
// SPV-NEXT: OpExtInst %{{[0-9]+}} %[[GLSL]] Exp
// SPV-NEXT: OpExtInst %{{[0-9]+}} %[[GLSL]] Floor
// SPV-NEXT: OpExtInst %{{[0-9]+}} %[[GLSL]] Fma

spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {
  spirv.GlobalVariable @x bind(0, 0) NonWritable : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @y bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @counters bind(0, 2) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @prev bind(0, 3) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
  spirv.func @main() {
    %c0 = spirv.Constant 0 : i32
    %c1 = spirv.Constant 1 : i32
    %c2 = spirv.Constant 2 : i32
    %lo = spirv.Constant -1.0 : f32
    %hi = spirv.Constant 1.0 : f32
    %gidp = spirv.mlir.addressof @gid : !spirv.ptr<vector<3xi32>, Input>
    %gidv = spirv.Load %gidp : !spirv.ptr<vector<3xi32>, Input> -> vector<3xi32>
    %i = spirv.CompositeExtract %gidv[0] : vector<3xi32> -> i32
    %x = spirv.mlir.addressof @x : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %n = spirv.ArrayLength %x, 0 : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %in = spirv.ULessThan %i, %n : i32
    spirv.mlir.selection {
      spirv.BranchConditional %in, ^then, ^merge
    ^then:
      %counters = spirv.mlir.addressof @counters : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
      %p0 = spirv.AccessChain %counters[%c0, %c0] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<i32, StorageBuffer>
      %p1 = spirv.AccessChain %counters[%c0, %c1] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<i32, StorageBuffer>
      %p2 = spirv.AccessChain %counters[%c0, %c2] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<i32, StorageBuffer>
      %old = spirv.AtomicIAdd Device <None> %p0, %c1 : !spirv.ptr<i32, StorageBuffer>
      %oldmax = spirv.AtomicSMax Device <None> %p1, %i : !spirv.ptr<i32, StorageBuffer>
      %i1 = spirv.IAdd %i, %c1 : i32
      %seen = spirv.AtomicExchange Device <None> %p2, %i1 : !spirv.ptr<i32, StorageBuffer>
      %prev = spirv.mlir.addressof @prev : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
      %pf = spirv.AccessChain %prev[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<i32, StorageBuffer>
      spirv.Store %pf, %seen : !spirv.ptr<i32, StorageBuffer>, i32
      %px = spirv.AccessChain %x[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
      %v = spirv.Load %px : !spirv.ptr<f32, StorageBuffer> -> f32
      %ax = spirv.GL.FAbs %v : f32
      %r = spirv.GL.Sqrt %ax : f32
      %cl = spirv.GL.FClamp %v, %lo, %hi : f32
      %e = spirv.GL.Exp %cl : f32
      %fl = spirv.GL.Floor %v : f32
      %f = spirv.GL.Fma %r, %e, %fl : f32
      %y = spirv.mlir.addressof @y : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
      %py = spirv.AccessChain %y[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
      spirv.Store %py, %f : !spirv.ptr<f32, StorageBuffer>, f32
      spirv.Branch ^merge
    ^merge:
      spirv.mlir.merge
    }
    spirv.Return
  }
  spirv.EntryPoint GLCompute @main, [@gid]
  spirv.ExecutionMode @main LocalSize [64, 1, 1]
}
