// RUN: khal-opt %s -p convert-khal-to-nvvm,khal-cuda-lower-abi | filecheck %s
// RUN: khal-opt %s -t ptx | filecheck %s --check-prefix=PTX

// `khal-cuda-lower-abi` lays out the kernel-parameter block as cuLaunchKernel takes it
// (CU_LAUNCH_PARAM_BUFFER_POINTER): an array is two u64 PTX parameters (ptr, len); a value is one
// parameter at its PTX alignment: f32 `s` at 32; vector<3xf32> `v` as an LLVM vector (16 bytes, align
// 16) at 48; the C-layout struct at 64 (size 20); i1 one byte at 84; a 2x2 matrix as two 8-byte column
// vectors at 88. No workgroup counts: the grid is the launch's.

// CHECK:      func.func @k(
// CHECK-SAME: khal.interface = {workgroup_size = array<i64: 32, 1, 1>, params = [
// CHECK-SAME: {name = "a", kind = "array", access = "write", offset = 0 : i64, size = 16 : i64, fields = {ptr = 0 : i64, len = 8 : i64}, leaves = array<i64>},
// CHECK-SAME: {name = "b", kind = "array", access = "read", offset = 16 : i64, size = 16 : i64, fields = {ptr = 16 : i64, len = 24 : i64}, leaves = array<i64>},
// CHECK-SAME: {name = "s", kind = "value", access = "value", offset = 32 : i64, size = 4 : i64, fields = {}, leaves = array<i64: 32>},
// CHECK-SAME: {name = "v", kind = "value", access = "value", offset = 48 : i64, size = 16 : i64, fields = {}, leaves = array<i64: 48, 52, 56>},
// CHECK-SAME: {name = "p", kind = "value", access = "value", offset = 64 : i64, size = 20 : i64, fields = {}, leaves = array<i64: 64, 68, 72, 76, 80>},
// CHECK-SAME: {name = "flag", kind = "value", access = "value", offset = 84 : i64, size = 1 : i64, fields = {}, leaves = array<i64: 84>},
// CHECK-SAME: {name = "m", kind = "value", access = "value", offset = 88 : i64, size = 16 : i64, fields = {}, leaves = array<i64: 88, 92, 96, 100>}],
// CHECK-SAME: block_size = 112 : i64, block_align = 16 : i64}

// The PTX parameters LLVM emits agree: sizes 8 8 8 8 4 16 20 1 16, aggregates at the alignment above.
// PTX:      .param .f32 k_param_4,
// PTX-NEXT: .param .align 16 .b8 k_param_5[16],
// PTX-NEXT: .param .align 4 .b8 k_param_6[20],
// PTX-NEXT: .param .u8 k_param_7,
// PTX-NEXT: .param .align 8 .b8 k_param_8[16]

builtin.module {
  khal.kernel @k(%a: !khal.array<f32, write>, %b: !khal.array<f32, read>, %s: f32, %v: vector<3xf32>, %p: !khal.struct<"P", pos: vector<3xf32>, m: f32, tag: i8>, %flag: i1, %m: vector<2x2xf32>) workgroup_size(32, 1, 1) {
    khal.return
  }
}
