// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | filecheck %s
// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | khal-opt | filecheck %s
// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | %python -m khal.targets.spirv_writer --validate - | filecheck %s --check-prefix=SPV
// RUN: khal-opt %s -p 'khal-spirv-lower-abi,convert-khal-to-spirv{fold=false}' | filecheck %s --check-prefix=NOFOLD
// RUN: khal-opt %s -p 'khal-spirv-lower-abi,convert-khal-to-spirv{flat=true}' | filecheck %s --check-prefix=FLAT
// RUN: khal-opt %s -p 'khal-spirv-lower-abi,convert-khal-to-spirv{flat=true}' | %python -m khal.targets.spirv_writer --validate - | filecheck %s --check-prefix=SPV
// RUN: khal-opt %s -p 'khal-spirv-lower-abi,convert-khal-to-spirv{flat=true exact=true}' | filecheck %s --check-prefix=EXACT
// RUN: khal-opt %s -p 'khal-spirv-lower-abi,convert-khal-to-spirv{flat=true exact=true}' | %python -m khal.targets.spirv_writer --validate - | filecheck %s --check-prefix=SPV

// convert-khal-to-spirv: a workgroup reduction (workgroup array, barriers, a while loop, an if with a
// result), a uniform scalar and an atomic add, from khal IR after the common prefix to one spirv.module
// that spirv-val (vulkan1.1) accepts. Bindings come from khal.interface; the uniform block (uvec4 words)
// gives the logical workgroup counts, `len(x)` and `scale` (a bitcast word); the grid is unfolded on entry
// (a workgroup past the logical grid returns); values leaving a region go through Function variables; the
// while loop is header -> cond (conditional break) -> body -> continue.

// CHECK:      spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {
// CHECK-NEXT:   spirv.GlobalVariable @out bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
// CHECK-NEXT:   spirv.GlobalVariable @x bind(0, 1) NonWritable : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>
// CHECK-NEXT:   spirv.GlobalVariable @count bind(0, 2) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
// CHECK-NEXT:   spirv.GlobalVariable @block bind(0, 4) : !spirv.ptr<!spirv.struct<(!spirv.array<2 x vector<4xi32>, stride=16> [0]), Block>, Uniform>
// CHECK-NEXT:   spirv.GlobalVariable @workgroupId built_in(WorkgroupId) : !spirv.ptr<vector<3xi32>, Input>
// CHECK-NEXT:   spirv.GlobalVariable @numWorkgroups built_in(NumWorkgroups) : !spirv.ptr<vector<3xi32>, Input>
// CHECK-NEXT:   spirv.GlobalVariable @localInvocationId built_in(LocalInvocationId) : !spirv.ptr<vector<3xi32>, Input>
// CHECK-NEXT:   spirv.GlobalVariable @shared : !spirv.ptr<!spirv.array<64 x f32>, Workgroup>
// CHECK-NEXT:   spirv.func @reduce() attributes {khal.interface = {workgroup_size = array<i64: 64, 1, 1>,
// CHECK-NEXT:     %[[WID:.*]] = spirv.Variable : !spirv.ptr<i32, Function>
// CHECK-NEXT:     %[[V:.*]] = spirv.Variable : !spirv.ptr<f32, Function>
// `len(x)`: the u32 at byte 20 of the block (word 1 of uvec4 1)
// CHECK:          %[[C1:.*]] = spirv.Constant 1 : i32
// CHECK-NEXT:     %[[C1B:.*]] = spirv.Constant 1 : i32
// CHECK-NEXT:     %[[P:.*]] = spirv.AccessChain %{{.*}}[%{{.*}}, %[[C1]], %[[C1B]]] : {{.*}} -> !spirv.ptr<i32, Uniform>
// CHECK-NEXT:     %x_len = spirv.Load %[[P]] : !spirv.ptr<i32, Uniform> -> i32
// The grid: folded when nx != 0; the linear workgroup id; past the logical grid, return; a grid flat
// above x takes the linear id as x's without the modulo.
// The fold=false variant (what the runtime runs for unfolded dispatches) reads the builtin directly:
// NOFOLD:      spirv.func @reduce()
// NOFOLD-NOT:  %folded
// NOFOLD-NOT:  spirv.UMod
// NOFOLD-NOT:  %nx = spirv.Load
// NOFOLD:      %[[BX:.*]] = spirv.CompositeExtract %{{.*}}[0] : vector<3xi32> -> i32
// NOFOLD-NEXT: spirv.Store %{{.*}}, %[[BX]]
// The flat=true variant (what the runtime runs for folded grids of one row): the linear workgroup is the
// x id, no test of the fold, no division; past nx, return.
// FLAT:      spirv.func @reduce()
// FLAT-NOT:  %folded
// FLAT-NOT:  spirv.UMod
// FLAT-NOT:  spirv.UDiv
// FLAT:      %linear = spirv.IAdd %{{.*}}, %{{.*}} : i32
// FLAT:      %nx = spirv.Load
// FLAT-NEXT: %[[PAST:.*]] = spirv.UGreaterThanEqual %linear, %nx : i32
// FLAT-NEXT: spirv.mlir.selection {
// FLAT-NEXT:   spirv.BranchConditional %[[PAST]], ^[[RET:.*]], ^{{.*}}
// FLAT-NEXT: ^[[RET]]:
// FLAT-NEXT:   spirv.Return
// FLAT:      %[[C64:.*]] = spirv.Constant 64 : i32
// FLAT-NEXT: %[[BASE:.*]] = spirv.IMul %linear, %[[C64]] : i32
// FLAT:      %g = spirv.IAdd %[[BASE]], %{{.*}} : i32
// With exact=true (a fold into exactly nx workgroups) no workgroup is past the grid: no test, no return.
// EXACT:      spirv.func @reduce()
// EXACT-NOT:  %nx = spirv.Load
// EXACT:      %linear = spirv.IAdd %{{.*}}, %{{.*}} : i32
// EXACT-NEXT: %[[C64:.*]] = spirv.Constant 64 : i32
// EXACT-NEXT: %[[BASE:.*]] = spirv.IMul %linear, %[[C64]] : i32
// CHECK:          %nx = spirv.Load
// CHECK:          %ny = spirv.Load
// CHECK:          %nz = spirv.Load
// CHECK:          %folded = spirv.INotEqual %nx, %{{.*}} : i32
// CHECK-NEXT:     spirv.mlir.selection {
// CHECK-NEXT:       spirv.BranchConditional %folded, ^[[FOLD:.*]], ^[[PLAIN:.*]]
// CHECK-NEXT:     ^[[FOLD]]:
// CHECK:            %linear = spirv.IAdd
// CHECK:            %total = spirv.IMul %{{.*}}, %nz : i32
// CHECK-NEXT:       %[[PAST:.*]] = spirv.UGreaterThanEqual %linear, %total : i32
// CHECK-NEXT:       spirv.mlir.selection {
// CHECK-NEXT:         spirv.BranchConditional %[[PAST]], ^[[RET:.*]], ^[[GO:.*]]
// CHECK-NEXT:       ^[[RET]]:
// CHECK-NEXT:         spirv.Return
// CHECK:            %[[LX:.*]] = spirv.UMod %linear, %nx : i32
// CHECK-NEXT:       spirv.Store %[[WID]], %[[LX]]
// CHECK:          ^[[PLAIN]]:
// CHECK:            %[[BX:.*]] = spirv.CompositeExtract %{{.*}}[0] : vector<3xi32> -> i32
// CHECK-NEXT:       spirv.Store %[[WID]], %[[BX]]
// CHECK:          %[[WX:.*]] = spirv.Load %[[WID]]
// CHECK-NEXT:     %[[C64:.*]] = spirv.Constant 64 : i32
// CHECK-NEXT:     %[[BASE:.*]] = spirv.IMul %[[WX]], %[[C64]] : i32
// CHECK:          %g = spirv.IAdd %[[BASE]], %{{.*}} : i32
// CHECK:          %[[W:.*]] = spirv.Load %{{.*}} : !spirv.ptr<i32, Uniform> -> i32
// CHECK-NEXT:     %scale = spirv.Bitcast %[[W]] : i32 to f32
// CHECK:          %[[IN:.*]] = spirv.ULessThan %g, %x_len : i32
// CHECK-NEXT:     spirv.mlir.selection {
// CHECK-NEXT:       spirv.BranchConditional %[[IN]], ^[[THEN:.*]], ^[[ELSE:.*]]
// CHECK:            spirv.Store %[[V]], %v_1 : !spirv.ptr<f32, Function>, f32
// CHECK:            spirv.Store %[[V]], %v : !spirv.ptr<f32, Function>, f32
// CHECK:            spirv.mlir.merge
// CHECK:          spirv.ControlBarrier Workgroup, Workgroup, <AcquireRelease,WorkgroupMemory>
// CHECK:          spirv.mlir.loop {
// CHECK-NEXT:       spirv.Branch ^[[HEADER:.*]]
// CHECK-NEXT:     ^[[HEADER]]:
// CHECK-NEXT:       spirv.Branch ^[[COND:.*]]
// CHECK-NEXT:     ^[[COND]]:
// CHECK:            %[[MORE:.*]] = spirv.UGreaterThan
// CHECK:            spirv.BranchConditional %[[MORE]], ^[[BODY:.*]], ^[[MERGE:.*]]
// CHECK-NEXT:     ^[[BODY]]:
// CHECK:            spirv.mlir.selection {
// CHECK:            spirv.ControlBarrier Workgroup, Workgroup, <AcquireRelease,WorkgroupMemory>
// CHECK:            %s_1 = spirv.UDiv
// CHECK:            spirv.Branch ^[[CONT:.*]]
// CHECK-NEXT:     ^[[CONT]]:
// CHECK-NEXT:       spirv.Branch ^[[HEADER]]
// CHECK-NEXT:     ^[[MERGE]]:
// CHECK-NEXT:       spirv.mlir.merge
// CHECK:          %scaled = spirv.FMul %{{.*}}, %scale : f32
// CHECK:          spirv.AccessChain %{{.*}}[%{{.*}}, %[[WX]]]
// CHECK:          %old = spirv.AtomicIAdd Device <Relaxed> %{{.*}}, %one : !spirv.ptr<i32, StorageBuffer>
// CHECK:        spirv.EntryPoint GLCompute @reduce, [@workgroupId, @numWorkgroups, @localInvocationId]
// CHECK-NEXT:   spirv.ExecutionMode @reduce LocalSize [64, 1, 1]

// SPV:      OpEntryPoint GLCompute %[[MAIN:[0-9]+]] "reduce"
// SPV-NEXT: OpExecutionMode %[[MAIN]] LocalSize 64 1 1
// SPV:      OpDecorate %[[X:[0-9]+]] NonWritable
// SPV:      OpControlBarrier
// SPV:      OpLoopMerge
// SPV:      OpAtomicIAdd
khal.kernel @reduce(%out: !khal.array<f32, write>, %x: !khal.array<f32, read>, %count: !khal.array<i32, read_write>, %scale: f32) workgroup_size(64, 1, 1) {
  %0 = khal.workgroup_alloc : !khal.workgroup_array<64 x f32>
  %l = khal.local_invocation_id x
  %g = khal.global_invocation_id x
  %v = arith.constant 0.000000e+00 : f32
  %1 = khal.len %x : !khal.array<f32, read>
  %2 = arith.cmpi ult, %g, %1 : i32
  %3 = scf.if %2 -> (f32) {
    %v_1 = khal.load %x[%g] : !khal.array<f32, read>, i32 -> f32
    scf.yield %v_1 : f32
  } else {
    scf.yield %v : f32
  }
  khal.workgroup_store %3, %0[%l] : f32, !khal.workgroup_array<64 x f32>, i32
  khal.workgroup_barrier
  %s = arith.constant 32 : i32
  %4 = scf.while (%5 = %s) : (i32) -> i32 {
    %6 = arith.constant 0 : i32
    %7 = arith.cmpi ugt, %5, %6 : i32
    scf.condition(%7) %5 : i32
  } do {
  ^bb0(%8: i32):
    %9 = arith.cmpi ult, %l, %8 : i32
    scf.if %9 {
      %10 = khal.workgroup_load %0[%l] : !khal.workgroup_array<64 x f32>, i32 -> f32
      %11 = arith.addi %l, %8 : i32
      %12 = khal.workgroup_load %0[%11] : !khal.workgroup_array<64 x f32>, i32 -> f32
      %13 = arith.addf %10, %12 : f32
      khal.workgroup_store %13, %0[%l] : f32, !khal.workgroup_array<64 x f32>, i32
    }
    khal.workgroup_barrier
    %14 = arith.constant 2 : i32
    %s_1 = arith.divui %8, %14 : i32
    scf.yield %s_1 : i32
  }
  %15 = arith.constant 0 : i32
  %16 = arith.cmpi eq, %l, %15 : i32
  scf.if %16 {
    %17 = khal.workgroup_load %0[%15] : !khal.workgroup_array<64 x f32>, i32 -> f32
    %18 = khal.workgroup_id x
    %scaled = arith.mulf %17, %scale : f32
    khal.store %scaled, %out[%18] : f32, !khal.array<f32, write>, i32
    %one = arith.constant 1 : i32
    %old = khal.atomic_rmw add %count[%15], %one : !khal.array<i32, read_write>, i32, i32
  }
  khal.return
}
