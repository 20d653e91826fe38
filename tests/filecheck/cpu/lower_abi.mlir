// RUN: khal-opt %s -p khal-cpu-lower-abi | filecheck %s
// RUN: khal-opt %s -p khal-cpu-lower-abi,convert-khal-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts | filecheck %s --check-prefix=LLVM

// `khal-cpu-lower-abi` fixes the CPU argument block of a kernel (a func.func in the CPU ABI, as
// khal-cpu-workgroup-loops leaves it) from its IR types, in numpy's aligned host layout, and writes
// it as `khal.interface`: an array is ptr/len u64 fields; f32 `s` at 32; vector<3xf32> `v` packed
// at 36; the struct at 48 (vec3 at +0, f32 at +12, i8 at +16, size 20); i1 is one byte; the 3 x u32
// workgroup counts follow at 72; the block is padded to 8. The attribute survives the lowering.

// CHECK:      func.func @k(
// CHECK-SAME: khal.interface = {workgroup_size = array<i64: 64, 1, 1>, params = [
// CHECK-SAME: {name = "a", kind = "array", access = "write", offset = 0 : i64, size = 16 : i64, fields = {ptr = 0 : i64, len = 8 : i64}, leaves = array<i64>},
// CHECK-SAME: {name = "b", kind = "array", access = "read", offset = 16 : i64, size = 16 : i64, fields = {ptr = 16 : i64, len = 24 : i64}, leaves = array<i64>},
// CHECK-SAME: {name = "s", kind = "value", access = "value", offset = 32 : i64, size = 4 : i64, fields = {}, leaves = array<i64: 32>},
// CHECK-SAME: {name = "v", kind = "value", access = "value", offset = 36 : i64, size = 12 : i64, fields = {}, leaves = array<i64: 36, 40, 44>},
// CHECK-SAME: {name = "p", kind = "value", access = "value", offset = 48 : i64, size = 20 : i64, fields = {}, leaves = array<i64: 48, 52, 56, 60, 64>},
// CHECK-SAME: {name = "flag", kind = "value", access = "value", offset = 68 : i64, size = 1 : i64, fields = {}, leaves = array<i64: 68>}],
// CHECK-SAME: block_size = 88 : i64, block_align = 8 : i64, num_workgroups = 72 : i64}

// LLVM: llvm.func @k(
// LLVM-SAME: khal.interface = {workgroup_size = array<i64: 64, 1, 1>, params = [{name = "a"

builtin.module {
  func.func @k(%a: !khal.array<f32, write>, %b: !khal.array<f32, read>, %s: f32, %v: vector<3xf32>, %p: !khal.struct<"P", pos: vector<3xf32>, m: f32, tag: i8>, %flag: i1, %wg_begin: i32, %wg_end: i32, %nwg_x: i32, %nwg_y: i32, %nwg_z: i32) attributes {khal.workgroup_size = array<i64: 64, 1, 1>} {
    func.return
  }
}
