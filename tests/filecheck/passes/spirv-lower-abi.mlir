// RUN: khal-opt %s -p khal-spirv-lower-abi | filecheck %s
// RUN: khal-opt %s -p khal-spirv-lower-abi | khal-opt | filecheck %s

// khal-spirv-lower-abi writes the Vulkan bindings as `khal.interface`: array i at binding i (set 0),
// the scalars in one uniform block at binding len(params), each at its natural alignment, the block
// padded to 16 bytes; no workgroup-count offset (SPIR-V has the NumWorkgroups builtin).

// CHECK:      khal.kernel @saxpy
// CHECK-SAME: khal.interface = {workgroup_size = array<i64: 64, 1, 1>, params = [
// CHECK-SAME: {name = "y", kind = "array", access = "read_write", offset = 0 : i64, size = 0 : i64, fields = {binding = 0 : i64}, leaves = array<i64>},
// CHECK-SAME: {name = "alpha", kind = "value", access = "value", offset = 0 : i64, size = 4 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 0>},
// CHECK-SAME: {name = "x", kind = "array", access = "read", offset = 0 : i64, size = 0 : i64, fields = {binding = 2 : i64}, leaves = array<i64>},
// CHECK-SAME: {name = "n", kind = "value", access = "value", offset = 4 : i64, size = 4 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 4>},
// CHECK-SAME: {name = "beta", kind = "value", access = "value", offset = 8 : i64, size = 4 : i64, fields = {binding = 5 : i64}, leaves = array<i64: 8>}]
// CHECK-SAME: block_size = 16 : i64, block_align = 16 : i64, num_workgroups = none}
khal.kernel @saxpy(%y: !khal.array<f32, read_write>, %alpha: f32, %x: !khal.array<f32, read>, %n: i32, %beta: f32) workgroup_size(64, 1, 1) {
  khal.return
}
