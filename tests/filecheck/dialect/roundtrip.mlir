// RUN: khal-opt %s | khal-opt | filecheck %s
// RUN: khal-opt --print-op-generic %s | khal-opt | filecheck %s
// RUN: khal-opt %s | khal-opt > %t && khal-opt %t | diff %t -

// Every khal op and type in its custom syntax; printing, parsing back and printing again is identical.

// CHECK-LABEL: khal.kernel @ids
// CHECK-SAME: (%n: i32) workgroup_size(64, 1, 1) {
// CHECK-NEXT:   %gx = khal.global_invocation_id x
// CHECK-NEXT:   %ly = khal.local_invocation_id y
// CHECK-NEXT:   %wz = khal.workgroup_id z
// CHECK-NEXT:   %nx = khal.num_workgroups x
// CHECK-NEXT:   %li = khal.local_invocation_index
// CHECK-NEXT:   %ss = khal.subgroup_size
// CHECK-NEXT:   %si = khal.subgroup_invocation_id
// CHECK-NEXT:   khal.return
khal.kernel @ids(%n: i32) workgroup_size(64, 1, 1) {
  %gx = khal.global_invocation_id x
  %ly = khal.local_invocation_id y
  %wz = khal.workgroup_id z
  %nx = khal.num_workgroups x
  %li = khal.local_invocation_index
  %ss = khal.subgroup_size
  %si = khal.subgroup_invocation_id
  khal.return
}

// CHECK-LABEL: khal.kernel @arrays
// CHECK-SAME: (%a: !khal.array<f32, read>, %b: !khal.array<vector<3xf32>, write>, %c: !khal.array<i32, read_write>, %d: !khal.array<i8, read_write>) workgroup_size(8, 8, 1) {
// CHECK-NEXT:   %i = khal.global_invocation_id x
// CHECK-NEXT:   %n = khal.len %a : !khal.array<f32, read>
// CHECK-NEXT:   %x = khal.load %a[%i] : !khal.array<f32, read>, i32 -> f32
// CHECK-NEXT:   %v = vector.broadcast %x : f32 to vector<3xf32>
// CHECK-NEXT:   khal.store %v, %b[%i] : vector<3xf32>, !khal.array<vector<3xf32>, write>, i32
// CHECK-NEXT:   %j = arith.extui %i : i32 to i64
// CHECK-NEXT:   %y = khal.load %c[%j] : !khal.array<i32, read_write>, i64 -> i32
// CHECK-NEXT:   khal.store %n, %c[%j] : i32, !khal.array<i32, read_write>, i64
// CHECK-NEXT:   %z = khal.load %d[%i] : !khal.array<i8, read_write>, i32 -> i8
// CHECK-NEXT:   khal.return
khal.kernel @arrays(%a: !khal.array<f32, read>, %b: !khal.array<vector<3xf32>, write>,
                    %c: !khal.array<i32, read_write>, %d: !khal.array<i8>) workgroup_size(8, 8, 1) {
  %i = khal.global_invocation_id x
  %n = khal.len %a : !khal.array<f32, read>
  %x = khal.load %a[%i] : !khal.array<f32, read>, i32 -> f32
  %v = vector.broadcast %x : f32 to vector<3xf32>
  khal.store %v, %b[%i] : vector<3xf32>, !khal.array<vector<3xf32>, write>, i32
  %j = arith.extui %i : i32 to i64
  %y = khal.load %c[%j] : !khal.array<i32, read_write>, i64 -> i32
  khal.store %n, %c[%j] : i32, !khal.array<i32, read_write>, i64
  %z = khal.load %d[%i] : !khal.array<i8, read_write>, i32 -> i8
  khal.return
}

// CHECK-LABEL: khal.kernel @structs
// CHECK-SAME: (%p: !khal.array<!khal.struct<"Particle", pos: vector<3xf32>, mass: f32>, read_write>, %s: !khal.struct<"Params", dt: f32, m: vector<3x3xf32>>) workgroup_size(32, 2, 2) {
// CHECK-NEXT:   %i = khal.global_invocation_id x
// CHECK-NEXT:   %q = khal.load %p[%i] : !khal.array<!khal.struct<"Particle", pos: vector<3xf32>, mass: f32>, read_write>, i32 -> !khal.struct<"Particle", pos: vector<3xf32>, mass: f32>
// CHECK-NEXT:   %m = khal.struct_extract %q["mass"] : !khal.struct<"Particle", pos: vector<3xf32>, mass: f32> -> f32
// CHECK-NEXT:   %dt = khal.struct_extract %s["dt"] : !khal.struct<"Params", dt: f32, m: vector<3x3xf32>> -> f32
// CHECK-NEXT:   %m2 = arith.mulf %m, %dt : f32
// CHECK-NEXT:   %q2 = khal.struct_insert %m2, %q["mass"] : f32, !khal.struct<"Particle", pos: vector<3xf32>, mass: f32>
// CHECK-NEXT:   %pos = khal.struct_extract %q2["pos"] : !khal.struct<"Particle", pos: vector<3xf32>, mass: f32> -> vector<3xf32>
// CHECK-NEXT:   %q3 = khal.struct_construct(%pos, %m2) : (vector<3xf32>, f32) -> !khal.struct<"Particle", pos: vector<3xf32>, mass: f32>
// CHECK-NEXT:   khal.store %q3, %p[%i] : !khal.struct<"Particle", pos: vector<3xf32>, mass: f32>, !khal.array<!khal.struct<"Particle", pos: vector<3xf32>, mass: f32>, read_write>, i32
// CHECK-NEXT:   khal.return
khal.kernel @structs(%p: !khal.array<!khal.struct<"Particle", pos: vector<3xf32>, mass: f32>, read_write>,
                     %s: !khal.struct<"Params", dt: f32, m: vector<3x3xf32>>) workgroup_size(32, 2, 2) {
  %i = khal.global_invocation_id x
  %q = khal.load %p[%i] : !khal.array<!khal.struct<"Particle", pos: vector<3xf32>, mass: f32>, read_write>, i32 -> !khal.struct<"Particle", pos: vector<3xf32>, mass: f32>
  %m = khal.struct_extract %q["mass"] : !khal.struct<"Particle", pos: vector<3xf32>, mass: f32> -> f32
  %dt = khal.struct_extract %s["dt"] : !khal.struct<"Params", dt: f32, m: vector<3x3xf32>> -> f32
  %m2 = arith.mulf %m, %dt : f32
  %q2 = khal.struct_insert %m2, %q["mass"] : f32, !khal.struct<"Particle", pos: vector<3xf32>, mass: f32>
  %pos = khal.struct_extract %q2["pos"] : !khal.struct<"Particle", pos: vector<3xf32>, mass: f32> -> vector<3xf32>
  %q3 = khal.struct_construct(%pos, %m2) : (vector<3xf32>, f32) -> !khal.struct<"Particle", pos: vector<3xf32>, mass: f32>
  khal.store %q3, %p[%i] : !khal.struct<"Particle", pos: vector<3xf32>, mass: f32>, !khal.array<!khal.struct<"Particle", pos: vector<3xf32>, mass: f32>, read_write>, i32
  khal.return
}

// CHECK-LABEL: khal.kernel @shared_and_sync
// CHECK-SAME: (%out: !khal.array<f32, write>) workgroup_size(256, 1, 1) attributes {khal.note = "attrs survive"} {
// CHECK-NEXT:   %tile = khal.workgroup_alloc : !khal.workgroup_array<256 x f32>
// CHECK-NEXT:   %l = khal.local_invocation_id x
// CHECK-NEXT:   %f = arith.uitofp %l : i32 to f32
// CHECK-NEXT:   khal.workgroup_store %f, %tile[%l] : f32, !khal.workgroup_array<256 x f32>, i32
// CHECK-NEXT:   khal.workgroup_barrier
// CHECK-NEXT:   %t = khal.workgroup_load %tile[%l] : !khal.workgroup_array<256 x f32>, i32 -> f32
// CHECK-NEXT:   khal.storage_barrier
// CHECK-NEXT:   khal.store %t, %out[%l] : f32, !khal.array<f32, write>, i32
// CHECK-NEXT:   khal.return
khal.kernel @shared_and_sync(%out: !khal.array<f32, write>) workgroup_size(256, 1, 1) attributes {khal.note = "attrs survive"} {
  %tile = khal.workgroup_alloc : !khal.workgroup_array<256 x f32>
  %l = khal.local_invocation_id x
  %f = arith.uitofp %l : i32 to f32
  khal.workgroup_store %f, %tile[%l] : f32, !khal.workgroup_array<256 x f32>, i32
  khal.workgroup_barrier
  %t = khal.workgroup_load %tile[%l] : !khal.workgroup_array<256 x f32>, i32 -> f32
  khal.storage_barrier
  khal.store %t, %out[%l] : f32, !khal.array<f32, write>, i32
  khal.return
}

// CHECK-LABEL: khal.kernel @atomics
// CHECK-NEXT:   %i = khal.local_invocation_index
// CHECK-NEXT:   %one = arith.constant 1 : i32
// CHECK-NEXT:   %h = khal.workgroup_alloc : !khal.workgroup_array<16 x i32>
// CHECK-NEXT:   %0 = khal.atomic_rmw add %c[%i], %one : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %1 = khal.atomic_rmw sub %c[%i], %one : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %2 = khal.atomic_rmw min %c[%i], %one : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %3 = khal.atomic_rmw max %c[%i], %one : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %4 = khal.atomic_rmw umin %c[%i], %one : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %5 = khal.atomic_rmw umax %c[%i], %one : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %6 = khal.atomic_rmw and %c[%i], %one : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %7 = khal.atomic_rmw or %c[%i], %one : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %8 = khal.atomic_rmw xor %c[%i], %one : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %9 = khal.atomic_rmw xchg %h[%i], %one : !khal.workgroup_array<16 x i32>, i32, i32
// CHECK-NEXT:   %fx = arith.constant 1.500000e+00 : f32
// CHECK-NEXT:   %10 = khal.atomic_rmw add %f[%i], %fx : !khal.array<f32, read_write>, i32, f32
// CHECK-NEXT:   %11 = khal.atomic_cmpxchg %c[%i], %one, %i : !khal.array<i32, read_write>, i32, i32
// CHECK-NEXT:   %12 = khal.atomic_load %u[%i] : !khal.array<i64, read_write>, i32 -> i64
// CHECK-NEXT:   khal.atomic_store %12, %u[%i] : i64, !khal.array<i64, read_write>, i32
// CHECK-NEXT:   khal.return
khal.kernel @atomics(%c: !khal.array<i32, read_write>, %f: !khal.array<f32, read_write>,
                     %u: !khal.array<i64, read_write>) workgroup_size(16, 1, 1) {
  %i = khal.local_invocation_index
  %one = arith.constant 1 : i32
  %h = khal.workgroup_alloc : !khal.workgroup_array<16 x i32>
  %0 = khal.atomic_rmw add %c[%i], %one : !khal.array<i32, read_write>, i32, i32
  %1 = khal.atomic_rmw sub %c[%i], %one : !khal.array<i32, read_write>, i32, i32
  %2 = khal.atomic_rmw min %c[%i], %one : !khal.array<i32, read_write>, i32, i32
  %3 = khal.atomic_rmw max %c[%i], %one : !khal.array<i32, read_write>, i32, i32
  %4 = khal.atomic_rmw umin %c[%i], %one : !khal.array<i32, read_write>, i32, i32
  %5 = khal.atomic_rmw umax %c[%i], %one : !khal.array<i32, read_write>, i32, i32
  %6 = khal.atomic_rmw and %c[%i], %one : !khal.array<i32, read_write>, i32, i32
  %7 = khal.atomic_rmw or %c[%i], %one : !khal.array<i32, read_write>, i32, i32
  %8 = khal.atomic_rmw xor %c[%i], %one : !khal.array<i32, read_write>, i32, i32
  %9 = khal.atomic_rmw xchg %h[%i], %one : !khal.workgroup_array<16 x i32>, i32, i32
  %fx = arith.constant 1.5 : f32
  %10 = khal.atomic_rmw add %f[%i], %fx : !khal.array<f32, read_write>, i32, f32
  %11 = khal.atomic_cmpxchg %c[%i], %one, %i : !khal.array<i32, read_write>, i32, i32
  %12 = khal.atomic_load %u[%i] : !khal.array<i64, read_write>, i32 -> i64
  khal.atomic_store %12, %u[%i] : i64, !khal.array<i64, read_write>, i32
  khal.return
}

// CHECK-LABEL: khal.kernel @subgroups_and_print
// CHECK-NEXT:   %s = khal.subgroup_reduce add %x : f32
// CHECK-NEXT:   %mn = khal.subgroup_reduce min %x : f32
// CHECK-NEXT:   %mx = khal.subgroup_reduce max %x : f32
// CHECK-NEXT:   %k = khal.subgroup_invocation_id
// CHECK-NEXT:   %un = khal.subgroup_reduce umin %k : i32
// CHECK-NEXT:   %ux = khal.subgroup_reduce umax %k : i32
// CHECK-NEXT:   %v = khal.subgroup_reduce add %w : vector<4xf32>
// CHECK-NEXT:   %b = khal.subgroup_broadcast_first %x : f32
// CHECK-NEXT:   khal.print "sum {} first {} lane {}"(%s, %b, %k) : f32, f32, i32
// CHECK-NEXT:   khal.print "no values"
// CHECK-NEXT:   khal.return
khal.kernel @subgroups_and_print(%x: f32, %w: vector<4xf32>) workgroup_size(32, 1, 1) {
  %s = khal.subgroup_reduce add %x : f32
  %mn = khal.subgroup_reduce min %x : f32
  %mx = khal.subgroup_reduce max %x : f32
  %k = khal.subgroup_invocation_id
  %un = khal.subgroup_reduce umin %k : i32
  %ux = khal.subgroup_reduce umax %k : i32
  %v = khal.subgroup_reduce add %w : vector<4xf32>
  %b = khal.subgroup_broadcast_first %x : f32
  khal.print "sum {} first {} lane {}"(%s, %b, %k) : f32, f32, i32
  khal.print "no values"
  khal.return
}

// Device functions take khal values like any func.func.
// CHECK-LABEL: func.func @device(%a: !khal.array<f32, read>, %i: i32) -> f32 {
// CHECK-NEXT:   %x = khal.load %a[%i] : !khal.array<f32, read>, i32 -> f32
// CHECK-NEXT:   func.return %x : f32
func.func @device(%a: !khal.array<f32, read>, %i: i32) -> f32 {
  %x = khal.load %a[%i] : !khal.array<f32, read>, i32 -> f32
  func.return %x : f32
}
