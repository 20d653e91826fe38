// RUN: khal-opt %s -p khal-spirv-lower-abi | filecheck %s
// RUN: khal-opt %s -p khal-spirv-lower-abi | khal-opt | filecheck %s

// khal-spirv-lower-abi writes the Vulkan bindings as `khal.interface` (the WebGPU contract): array i
// at binding i (set 0) with its u32 element count in the uniform block (`len`); the uniform block at
// binding len(params), always present: the logical workgroup counts at 0 (`num_workgroups = 0`), then
// in parameter order each array's count and each value at numpy's aligned host layout (f64 at 8, the
// struct packed like `np.dtype(..., align=True)`, the bool one byte), padded to 16 bytes.

// CHECK:      khal.kernel @saxpy
// CHECK-SAME: khal.interface = {workgroup_size = array<i64: 64, 1, 1>, params = [
// CHECK-SAME: {name = "y", kind = "array", access = "read_write", offset = 16 : i64, size = 4 : i64, fields = {binding = 0 : i64, len = 16 : i64}, leaves = array<i64>},
// CHECK-SAME: {name = "alpha", kind = "value", access = "value", offset = 20 : i64, size = 4 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 20>},
// CHECK-SAME: {name = "x", kind = "array", access = "read", offset = 24 : i64, size = 4 : i64, fields = {binding = 2 : i64, len = 24 : i64}, leaves = array<i64>},
// CHECK-SAME: {name = "n", kind = "value", access = "value", offset = 28 : i64, size = 4 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 28>},
// CHECK-SAME: {name = "beta", kind = "value", access = "value", offset = 32 : i64, size = 4 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 32>}]
// CHECK-SAME: block_size = 48 : i64, block_align = 16 : i64, num_workgroups = 0 : i64}
khal.kernel @saxpy(%y: !khal.array<f32, read_write>, %alpha: f32, %x: !khal.array<f32, read>, %n: i32, %beta: f32) workgroup_size(64, 1, 1) {
  khal.return
}

// A vec3 packed at 16 (12 bytes), the f64 aligned to 32, the struct at 40 (vec3 +0, f32 +12, i8 +16:
// 20 bytes), a Mat2 column after column at 60, the bool at 76; 77 bytes padded to 80.
// CHECK:      khal.kernel @values
// CHECK-SAME: {name = "v", kind = "value", access = "value", offset = 16 : i64, size = 12 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 16, 20, 24>},
// CHECK-SAME: {name = "d", kind = "value", access = "value", offset = 32 : i64, size = 8 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 32>},
// CHECK-SAME: {name = "p", kind = "value", access = "value", offset = 40 : i64, size = 20 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 40, 44, 48, 52, 56>},
// CHECK-SAME: {name = "m", kind = "value", access = "value", offset = 60 : i64, size = 16 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 60, 64, 68, 72>},
// CHECK-SAME: {name = "flag", kind = "value", access = "value", offset = 76 : i64, size = 1 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 76>}],
// CHECK-SAME: block_size = 80 : i64, block_align = 16 : i64, num_workgroups = 0 : i64}
khal.kernel @values(%v: vector<3xf32>, %d: f64, %p: !khal.struct<"P", pos: vector<3xf32>, m: f32, tag: i8>, %m: vector<2x2xf32>, %flag: i1) workgroup_size(64, 1, 1) {
  khal.return
}

// No parameters: the block still holds the workgroup counts.
// CHECK:      khal.kernel @empty
// CHECK-SAME: params = [], block_size = 16 : i64, block_align = 16 : i64, num_workgroups = 0 : i64}
khal.kernel @empty() workgroup_size(8, 8, 1) {
  khal.return
}
