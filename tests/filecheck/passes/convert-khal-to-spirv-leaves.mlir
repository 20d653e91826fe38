// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | filecheck %s
// RUN: khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv | %python -m khal.targets.spirv_writer --validate - | filecheck %s --check-prefix=SPV

// Leaves of every width in host layout: value parameters read from the uniform block's words (an i8 its
// byte, zero-extended; an f16 its half word through UnpackHalf2x16; an f64 or i64 its two words as
// `lo | hi << 32`, an f64 then bitcast from i64, so Int64 is required), struct fields of 8/16-bit types
// stored into word arrays with an atomic and + or (the rest of the word is another field's), 64-bit
// fields as two words; `len()` of a byte array is its count from the block, not OpArrayLength.

// CHECK:      requires <v1.3, [Shader, Float16, Float64, Int64], []>
// CHECK:      %bytes_len = spirv.Load
// a: the low byte of word 7
// CHECK:      %[[A:.*]] = spirv.ShiftRightLogical %{{.*}}, %{{.*}} : i32
// CHECK:      %a = spirv.BitwiseAnd %[[A]], %{{.*}} : i32
// h: the high half of word 7
// CHECK:      spirv.GL.UnpackHalf2x16 %{{.*}} : i32 -> vector<2xf32>
// CHECK:      %h = spirv.FConvert %{{.*}} : f32 to f16
// d: words 8 and 9
// CHECK:      %[[LO:.*]] = spirv.UConvert %{{.*}} : i32 to i64
// CHECK-NEXT: %[[HI:.*]] = spirv.UConvert %{{.*}} : i32 to i64
// CHECK:      %[[UP:.*]] = spirv.ShiftLeftLogical %[[HI]], %{{.*}} : i64
// CHECK-NEXT: %[[BITS:.*]] = spirv.BitwiseOr %[[LO]], %[[UP]] : i64
// CHECK-NEXT: %d = spirv.Bitcast %[[BITS]] : i64 to f64
// CHECK:      %q = spirv.BitwiseOr %{{.*}}, %{{.*}} : i64
// out[i] = (a, h, d): the byte and the half share word 0 of the element
// CHECK:      spirv.Constant -256 : i32
// CHECK-NEXT: spirv.AtomicAnd Device <Relaxed>
// CHECK-NEXT: spirv.AtomicOr Device <Relaxed>
// CHECK:      spirv.GL.PackHalf2x16
// CHECK:      spirv.Constant 65535 : i32
// CHECK-NEXT: spirv.AtomicAnd Device <Relaxed>
// CHECK-NEXT: spirv.AtomicOr Device <Relaxed>
// CHECK:      spirv.Bitcast %{{.*}} : f64 to i64
// CHECK-COUNT-2: spirv.Store %{{.*}}, %{{.*}} : !spirv.ptr<i32, StorageBuffer>, i32
// CHECK:      %sum = spirv.IAdd %bytes_len, %t : i32

// SPV: OpCapability Int64
// SPV: OpAtomicAnd

khal.kernel @leaves(%out: !khal.array<!khal.struct<"L", a: i8, h: f16, d: f64>, read_write>, %bytes: !khal.array<i8, read>, %n: !khal.array<i32, read_write>, %a: i8, %h: f16, %d: f64, %q: i64) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %s = khal.struct_construct(%a, %h, %d) : (i8, f16, f64) -> !khal.struct<"L", a: i8, h: f16, d: f64>
  khal.store %s, %out[%i] : !khal.struct<"L", a: i8, h: f16, d: f64>, !khal.array<!khal.struct<"L", a: i8, h: f16, d: f64>, read_write>, i32
  %len = khal.len %bytes : !khal.array<i8, read>
  %t = arith.trunci %q : i64 to i32
  %sum = arith.addi %len, %t : i32
  khal.store %sum, %n[%i] : i32, !khal.array<i32, read_write>, i32
  khal.return
}
