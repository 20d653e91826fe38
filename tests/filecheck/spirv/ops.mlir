// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: khal-opt --print-op-generic %s | khal-opt | filecheck %s
// RUN: %python -m khal.targets.spirv_writer --validate %s | filecheck %s --check-prefix=SPV
// lit's internal `diff` leaves PYTHONPATH set to lit's own folder for later RUN lines: keep it last.
// RUN: khal-opt %s | khal-opt > %t && khal-opt %t | diff %t -

// Every other spirv op in its custom syntax, in one module that spirv-val also accepts: a device
// function (call, return value), conversions, vectors, GLSL.std.450, subgroup operations, float atomics,
// barriers and function-local variables. naga takes it all (tests/unit/test_spirv_writer.py builds its
// pipeline) but for one thing: a subgroup scan other than add/mul (WGSL has only subgroupInclusiveAdd/Mul),
// e.g. GroupNonUniformUMax InclusiveScan, is "Subgroup operation is invalid: Unknown operation".

// CHECK:      spirv.module Logical GLSL450 requires <v1.3, [Shader, GroupNonUniform, GroupNonUniformArithmetic, GroupNonUniformBallot, AtomicFloat32AddEXT], [SPV_EXT_shader_atomic_float_add]> {
// CHECK:      spirv.func @poly(%x: f32, %k: si32) -> f32 {
// CHECK-NEXT:   %kf = spirv.ConvertSToF %k : si32 to f32
// CHECK-NEXT:   %m = spirv.FMul %x, %kf : f32
// CHECK-NEXT:   %n = spirv.FNegate %m : f32
// CHECK-NEXT:   spirv.ReturnValue %n : f32
// CHECK:        %r = spirv.FunctionCall @poly(%v, %sk) : (f32, si32) -> f32
// CHECK:        %sum = spirv.GroupNonUniformFAdd Subgroup Reduce %r : f32
// CHECK-NEXT:   %imax = spirv.GroupNonUniformUMax Subgroup Reduce %i : i32
// CHECK-NEXT:   %iscan = spirv.GroupNonUniformIAdd Subgroup InclusiveScan %i : i32
// CHECK-NEXT:   %lead = spirv.GroupNonUniformBroadcastFirst Subgroup %r : f32
// CHECK:        %old = spirv.EXT.AtomicFAdd Device <None> %pacc, %sum : !spirv.ptr<f32, StorageBuffer>
// CHECK:        spirv.MemoryBarrier Device, <AcquireRelease,UniformMemory>

// SPV: OpCapability GroupNonUniformArithmetic
// SPV: OpExtension "SPV_EXT_shader_atomic_float_add"
// SPV: %[[POLY:[0-9]+]] = OpFunction %{{[0-9]+}} None
// SPV: OpFunctionParameter
// SPV: OpReturnValue
// SPV: OpFunctionCall %{{[0-9]+}} %[[POLY]]
// SPV: OpGroupNonUniformFAdd %{{[0-9]+}} %{{[0-9]+}} Reduce
// SPV: OpGroupNonUniformUMax %{{[0-9]+}} %{{[0-9]+}} Reduce
// SPV: OpGroupNonUniformIAdd %{{[0-9]+}} %{{[0-9]+}} InclusiveScan
// SPV: OpGroupNonUniformBroadcastFirst
// SPV: OpAtomicFAddEXT
// SPV: OpMemoryBarrier

spirv.module Logical GLSL450 requires <v1.3, [Shader, GroupNonUniform, GroupNonUniformArithmetic, GroupNonUniformBallot, AtomicFloat32AddEXT], [SPV_EXT_shader_atomic_float_add]> {
  spirv.GlobalVariable @data bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @vecs bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<vector<4xf32>, stride=16> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @ints bind(0, 2) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<si32, stride=4> [0]), Block>, StorageBuffer>
  spirv.GlobalVariable @acc bind(0, 3) : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4]), Block>, StorageBuffer>
  spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
  spirv.func @poly(%x : f32, %k : si32) -> f32 {
    %kf = spirv.ConvertSToF %k : si32 to f32
    %m = spirv.FMul %x, %kf : f32
    %n = spirv.FNegate %m : f32
    spirv.ReturnValue %n : f32
  }
  spirv.func @main() {
    %tmp = spirv.Variable : !spirv.ptr<vector<4xf32>, Function>
    %c0 = spirv.Constant 0 : i32
    %c1 = spirv.Constant 1 : i32
    %c3 = spirv.Constant 3 : i32
    %sk = spirv.Constant -3 : si32
    %half = spirv.Constant 5.000000e-01 : f32
    %gidp = spirv.mlir.addressof @gid : !spirv.ptr<vector<3xi32>, Input>
    %gidv = spirv.Load %gidp : !spirv.ptr<vector<3xi32>, Input> -> vector<3xi32>
    %i = spirv.CompositeExtract %gidv[0] : vector<3xi32> -> i32
    %data = spirv.mlir.addressof @data : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
    %pd = spirv.AccessChain %data[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    %v = spirv.Load %pd : !spirv.ptr<f32, StorageBuffer> -> f32
    %r = spirv.FunctionCall @poly(%v, %sk) : (f32, si32) -> f32
    %vec = spirv.CompositeConstruct %r, %v, %half, %r : (f32, f32, f32, f32) -> vector<4xf32>
    spirv.Store %tmp, %vec : !spirv.ptr<vector<4xf32>, Function>, vector<4xf32>
    %vec2 = spirv.Load %tmp : !spirv.ptr<vector<4xf32>, Function> -> vector<4xf32>
    %len = spirv.GL.Length %vec2 : vector<4xf32> -> f32
    %dot = spirv.Dot %vec, %vec2 : vector<4xf32> -> f32
    %dist = spirv.GL.Distance %vec, %vec2 : vector<4xf32>, vector<4xf32> -> f32
    %nv = spirv.GL.Normalize %vec2 : vector<4xf32>
    %mx = spirv.GL.FMax %len, %dot : f32
    %mn = spirv.GL.FMin %mx, %dist : f32
    %pw = spirv.GL.Pow %mn, %half : f32
    %at = spirv.GL.Atan2 %pw, %half : f32
    %mix = spirv.GL.FMix %at, %pw, %half : f32
    %st = spirv.GL.Step %half, %mix : f32
    %nan = spirv.IsNan %st : f32
    %inf = spirv.IsInf %st : f32
    %bad = spirv.LogicalOr %nan, %inf : i1
    %good = spirv.LogicalNot %bad : i1
    %sel = spirv.Select %good, %st, %half : i1, f32
    %lt = spirv.FOrdLessThan %sel, %half : f32
    %ne = spirv.FUnordNotEqual %sel, %half : f32
    %both = spirv.LogicalAnd %lt, %ne : i1
    %vecs = spirv.mlir.addressof @vecs : !spirv.ptr<!spirv.struct<(!spirv.rtarray<vector<4xf32>, stride=16> [0]), Block>, StorageBuffer>
    %pv = spirv.AccessChain %vecs[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<vector<4xf32>, stride=16> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<vector<4xf32>, StorageBuffer>
    spirv.Store %pv, %nv : !spirv.ptr<vector<4xf32>, StorageBuffer>, vector<4xf32>
    %si = spirv.Bitcast %i : i32 to si32
    %q = spirv.SDiv %si, %sk : si32
    %rem = spirv.SMod %q, %sk : si32
    %sh = spirv.ShiftRightArithmetic %rem, %sk : si32
    %ab = spirv.GL.SAbs %sh : si32
    %cl = spirv.GL.SClamp %ab, %sk, %q : si32
    %fi = spirv.ConvertFToS %sel : f32 to si32
    %mixed = spirv.GL.SMax %cl, %fi : si32
    %ints = spirv.mlir.addressof @ints : !spirv.ptr<!spirv.struct<(!spirv.rtarray<si32, stride=4> [0]), Block>, StorageBuffer>
    %pi = spirv.AccessChain %ints[%c0, %i] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<si32, stride=4> [0]), Block>, StorageBuffer>, i32, i32 -> !spirv.ptr<si32, StorageBuffer>
    %chosen = spirv.Select %both, %mixed, %q : i1, si32
    spirv.Store %pi, %chosen : !spirv.ptr<si32, StorageBuffer>, si32
    %u = spirv.UDiv %i, %c3 : i32
    %um = spirv.UMod %u, %c3 : i32
    %x = spirv.BitwiseXor %um, %c1 : i32
    %sl = spirv.ShiftLeftLogical %x, %c1 : i32
    %nt = spirv.Not %sl : i32
    %mn2 = spirv.GL.UMin %nt, %i : i32
    %uf = spirv.ConvertUToF %mn2 : i32 to f32
    %sum = spirv.GroupNonUniformFAdd Subgroup Reduce %r : f32
    %imax = spirv.GroupNonUniformUMax Subgroup Reduce %i : i32
    %iscan = spirv.GroupNonUniformIAdd Subgroup InclusiveScan %i : i32
    %lead = spirv.GroupNonUniformBroadcastFirst Subgroup %r : f32
    %acc = spirv.mlir.addressof @acc : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4]), Block>, StorageBuffer>
    %pacc = spirv.AccessChain %acc[%c0] : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4]), Block>, StorageBuffer>, i32 -> !spirv.ptr<f32, StorageBuffer>
    %picnt = spirv.AccessChain %acc[%c1] : !spirv.ptr<!spirv.struct<(f32 [0], i32 [4]), Block>, StorageBuffer>, i32 -> !spirv.ptr<i32, StorageBuffer>
    %old = spirv.EXT.AtomicFAdd Device <None> %pacc, %sum : !spirv.ptr<f32, StorageBuffer>
    %cnt = spirv.AtomicLoad Device <None> %picnt : !spirv.ptr<i32, StorageBuffer> -> i32
    %cnt1 = spirv.IAdd %cnt, %imax : i32
    %cnt2 = spirv.IAdd %cnt1, %iscan : i32
    spirv.AtomicStore Device <None> %picnt, %cnt2 : !spirv.ptr<i32, StorageBuffer>, i32
    %was = spirv.AtomicUMin Device <AcquireRelease,UniformMemory> %picnt, %mn2 : !spirv.ptr<i32, StorageBuffer>
    spirv.MemoryBarrier Device, <AcquireRelease,UniformMemory>
    %total = spirv.FAdd %lead, %uf : f32
    spirv.Store %pd, %total : !spirv.ptr<f32, StorageBuffer>, f32
    spirv.Return
  }
  spirv.EntryPoint GLCompute @main, [@gid]
  spirv.ExecutionMode @main LocalSize [32, 1, 1]
}
