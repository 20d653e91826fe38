// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | filecheck %s
// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | %python -m khal.targets.spirv_writer --validate - | filecheck %s --check-prefix=SPV

// convert-khal-to-spirv: an f16 array is an array of 32-bit words (GLSL.std.450 UnpackHalf2x16 reads a
// half exactly, PackHalf2x16 writes one, as naga has no 16-bit ints to bitcast through); a subgroup
// minimum of i8 values sign-extends them, runs on si32 and masks the result back to 8 bits; a bool
// converts to f16 by a select; the interface records `shader-f16` and `subgroup` at their first use.

// CHECK:      spirv.module Logical GLSL450 requires <v1.3, [Shader, Float16, GroupNonUniform, GroupNonUniformArithmetic], []> {
// CHECK:        spirv.func @halves() attributes {khal.interface = {{.*}} requires = [["shader-f16", "{{.*}}: error: parameter 'h' of f16 needs the WebGPU adapter feature 'shader-f16'{{.*}}"], ["subgroup", "kernels.py:5:9: error: subgroup operations need{{.*}}"]]}} {
// CHECK:          %[[PAIR:.*]] = spirv.GL.UnpackHalf2x16 %{{.*}} : i32 -> vector<2xf32>
// CHECK-NEXT:     %[[WIDE:.*]] = spirv.CompositeExtract %[[PAIR]][0] : vector<2xf32> -> f32
// CHECK-NEXT:     %{{.*}} = spirv.FConvert %[[WIDE]] : f32 to f16
// CHECK:          %[[UP:.*]] = spirv.ShiftLeftLogical %{{.*}}, %{{.*}} : i32
// CHECK:          %[[S:.*]] = spirv.ShiftRightArithmetic %{{.*}}, %{{.*}} : si32
// CHECK:          %[[MIN:.*]] = spirv.GroupNonUniformSMin Subgroup Reduce %{{.*}} : si32
// CHECK-NEXT:     %[[BACK:.*]] = spirv.Bitcast %[[MIN]] : si32 to i32
// CHECK:          %{{.*}} = spirv.BitwiseAnd %[[BACK]], %{{.*}} : i32
// CHECK:          %[[ONE:.*]] = spirv.Constant 1.000000e+00 : f16
// CHECK-NEXT:     %[[ZERO:.*]] = spirv.Constant 0.000000e+00 : f16
// CHECK-NEXT:     %{{.*}} = spirv.Select %{{.*}}, %[[ONE]], %[[ZERO]] : i1, f16
// CHECK:          %[[NARROW:.*]] = spirv.FConvert %{{.*}} : f16 to f32
// CHECK:          %[[HALF:.*]] = spirv.CompositeConstruct %[[NARROW]], %{{.*}} : (f32, f32) -> vector<2xf32>
// CHECK-NEXT:     %{{.*}} = spirv.GL.PackHalf2x16 %[[HALF]] : vector<2xf32> -> i32
// CHECK:          spirv.AtomicAnd Device <Relaxed>
// CHECK-NEXT:     spirv.AtomicOr Device <Relaxed>

// SPV: OpCapability Float16
// SPV: OpCapability GroupNonUniformArithmetic
// SPV: OpExtInst %{{.*}} %{{.*}} UnpackHalf2x16
// SPV: OpGroupNonUniformSMin %{{.*}} %{{.*}} Reduce
// SPV: OpExtInst %{{.*}} %{{.*}} PackHalf2x16

khal.kernel @halves(%h: !khal.array<f16, read_write>, %b: !khal.array<i8, read_write>) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %0 = khal.load %h[%i] : !khal.array<f16, read_write>, i32 -> f16
  %1 = khal.load %b[%i] : !khal.array<i8, read_write>, i32 -> i8
  %2 = khal.subgroup_reduce min %1 : i8 loc("kernels.py":5:9)
  %3 = arith.constant 0 : i8
  %4 = arith.cmpi slt, %2, %3 : i8
  %5 = arith.uitofp %4 : i1 to f16
  %6 = arith.addf %0, %5 : f16
  khal.store %6, %h[%i] : f16, !khal.array<f16, read_write>, i32
  khal.return
}
