// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | filecheck %s
// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | %python -m khal.targets.spirv_writer --validate - | filecheck %s --check-prefix=SPV

// convert-khal-to-spirv on scalar types other than 32-bit: f64 and i64 are native (Float64, Int64, each
// recorded in khal.interface's `requires` with its located first use); an i8 array is an array of 32-bit
// words (a load shifts the byte out, a store is an atomic and + or on its word); i8 arithmetic runs in
// i32 registers, masked back to 8 bits; a signed i64 division runs on si64; sqrt takes f64, exp has no
// f64 form in GLSL.std.450: it is an f64 expansion (khal/passes/spirv_f64_math.py; sin & co. are a
// located error: convert-khal-to-spirv-f64-unsupported.mlir); an
// infinite constant is a bitcast (naga refuses inf literals); `une` is not(oeq) (naga reads
// OpFUnordNotEqual as ordered).

// CHECK:      spirv.module Logical GLSL450 requires <v1.3, [Shader, Float64, Int64], []> {
// CHECK-NEXT:   spirv.GlobalVariable @b bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0]), Block>, StorageBuffer>
// CHECK-NEXT:   spirv.GlobalVariable @d bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f64, stride=8> [0]), Block>, StorageBuffer>
// CHECK-NEXT:   spirv.GlobalVariable @q bind(0, 2) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i64, stride=8> [0]), Block>, StorageBuffer>
// CHECK:        spirv.func @types() attributes {khal.interface = {{.*}} requires = [["shader-f64", "{{.*}}convert-khal-to-spirv-types.mlir:{{[0-9]+}}:1: error: parameter 'd' of f64 needs the WebGPU adapter feature 'shader-f64'{{.*}}"], ["shader-int64", "{{.*}}: error: parameter 'q' of i64/u64 needs the WebGPU adapter feature 'shader-int64'{{.*}}"]]}} {
// CHECK:          %[[WORD:.*]] = spirv.ShiftRightLogical %i, %{{.*}} : i32
// CHECK:          %[[SHIFT:.*]] = spirv.ShiftLeftLogical %{{.*}}, %{{.*}} : i32
// CHECK:          %[[PTR:.*]] = spirv.AccessChain %{{.*}}[%{{.*}}, %[[WORD]]] : {{.*}} -> !spirv.ptr<i32, StorageBuffer>
// CHECK:          %[[LOADED:.*]] = spirv.Load %[[PTR]]
// CHECK:          %[[DOWN:.*]] = spirv.ShiftRightLogical %[[LOADED]], %[[SHIFT]] : i32
// CHECK:          %[[BYTE:.*]] = spirv.BitwiseAnd %[[DOWN]], %{{.*}} : i32
// CHECK:          %[[SUM:.*]] = spirv.IAdd %[[BYTE]], %{{.*}} : i32
// CHECK:          %{{.*}} = spirv.BitwiseAnd %[[SUM]], %{{.*}} : i32
// CHECK:          spirv.AtomicAnd Device <Relaxed> %{{.*}}, %{{.*}} : !spirv.ptr<i32, StorageBuffer>
// CHECK:          spirv.AtomicOr Device <Relaxed> %{{.*}}, %{{.*}} : !spirv.ptr<i32, StorageBuffer>
// CHECK:          %{{.*}} = spirv.GL.Sqrt %{{.*}} : f64
// CHECK:          %{{.*}} = spirv.GL.RoundEven %{{.*}} : f64
// CHECK-NOT:      spirv.GL.Exp
// CHECK:          %[[INF:.*]] = spirv.Bitcast %{{.*}} : i32 to f32
// CHECK:          %{{.*}} = spirv.FConvert %[[INF]] : f32 to f64
// CHECK:          %[[EQ:.*]] = spirv.FOrdEqual
// CHECK:          %{{.*}} = spirv.LogicalNot %[[EQ]]
// CHECK:          %[[SQ:.*]] = spirv.Bitcast %{{.*}} : i64 to si64
// CHECK:          %[[QUOT:.*]] = spirv.SDiv %[[SQ]], %{{.*}} : si64
// CHECK:          %{{.*}} = spirv.Bitcast %[[QUOT]] : si64 to i64

// SPV: OpCapability Float64
// SPV: OpCapability Int64
// SPV: OpTypeFloat 64
// SPV: OpTypeInt 64 1

khal.kernel @types(%b: !khal.array<i8, read_write>, %d: !khal.array<f64, read_write>, %q: !khal.array<i64, read_write>) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %0 = khal.load %b[%i] : !khal.array<i8, read_write>, i32 -> i8
  %1 = arith.constant 100 : i8
  %2 = arith.addi %0, %1 : i8
  khal.store %2, %b[%i] : i8, !khal.array<i8, read_write>, i32
  %3 = khal.load %d[%i] : !khal.array<f64, read_write>, i32 -> f64
  %sin = math.sqrt %3 : f64
  %4 = math.exp %sin : f64
  %5 = arith.constant 0x7FF0000000000000 : f64
  %6 = arith.minimumf %4, %5 : f64
  %7 = arith.cmpf une, %6, %3 : f64
  %8 = arith.select %7, %6, %3 : f64
  khal.store %8, %d[%i] : f64, !khal.array<f64, read_write>, i32
  %9 = khal.load %q[%i] : !khal.array<i64, read_write>, i32 -> i64
  %10 = arith.constant 3 : i64
  %11 = arith.divsi %9, %10 : i64
  khal.store %11, %q[%i] : i64, !khal.array<i64, read_write>, i32
  khal.return
}
