// RUN: khal-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// One case per verifier rule of khal/dialects/khal.py. Each diagnostic points into this file.

// === types (checked while parsing)

// CHECK: invalid.mlir:[[# @LINE + 2]]:{{[0-9]+}}
// CHECK: invalid khal.struct: struct S repeats a field name
func.func @f(%s: !khal.struct<"S", a: f32, a: i32>) {
  func.return
}

// -----

// CHECK: invalid khal.struct: struct field type index is not a scalar, vector or struct
func.func @f(%s: !khal.struct<"S", a: index>) {
  func.return
}

// -----

// CHECK: invalid khal.array: array element index is not a scalar, vector or struct
func.func @f(%a: !khal.array<index, read>) {
  func.return
}

// -----

// CHECK: invalid khal.array: an array of i1 has no memory layout; use i8
func.func @f(%a: !khal.array<i1, read>) {
  func.return
}

// -----

// CHECK: Expected one of 'read', 'read_write', 'write'
func.func @f(%a: !khal.array<f32, readonly>) {
  func.return
}

// -----

// CHECK: invalid khal.workgroup_array: workgroup array size must be positive
func.func @f(%a: !khal.workgroup_array<0 x f32>) {
  func.return
}

// -----

// CHECK: invalid khal.workgroup_array: workgroup array element i1 is not storable
func.func @f(%a: !khal.workgroup_array<4 x i1>) {
  func.return
}

// -----
// === khal.kernel

// CHECK: workgroup_size takes three integers
khal.kernel @k() workgroup_size(64) {
  khal.return
}

// -----

// CHECK: invalid.mlir:[[# @LINE + 2]]:1
// CHECK: Operation does not verify: workgroup_size must be three positive integers
khal.kernel @k() workgroup_size(0, 1, 1) {
  khal.return
}

// -----

// CHECK: Operation does not verify: a kernel returns nothing
"khal.kernel"() <{sym_name = "k", function_type = () -> i32, workgroup_size = array<i64: 1, 1, 1>}> ({
  "khal.return"() : () -> ()
}) : () -> ()

// -----

// CHECK: Operation does not verify: kernel parameter types must match the entry block's arguments
"khal.kernel"() <{sym_name = "k", function_type = (f32) -> (), workgroup_size = array<i64: 1, 1, 1>}> ({
^bb0(%x: i32):
  "khal.return"() : () -> ()
}) : () -> ()

// -----

// CHECK: Operation does not verify: kernel parameter type index is not an array, scalar, vector or struct
khal.kernel @k(%i: index) workgroup_size(1, 1, 1) {
  khal.return
}

// -----

// CHECK: Operation does not verify: a kernel body must end with khal.return
khal.kernel @k() workgroup_size(1, 1, 1) {
  "test.termop"() : () -> ()
}

// -----

// CHECK: Operation does not verify: 'khal.return' expects parent op 'khal.kernel'
func.func @f() {
  khal.return
}

// -----
// === arrays

// CHECK: Operation does not verify: index must be an integer, got i1
khal.kernel @k(%a: !khal.array<f32, read>, %c: i1) workgroup_size(1, 1, 1) {
  %x = khal.load %a[%c] : !khal.array<f32, read>, i1 -> f32
  khal.return
}

// -----

// CHECK: Operation does not verify: result type i32 does not match the element type f32
khal.kernel @k(%a: !khal.array<f32, read>, %i: i32) workgroup_size(1, 1, 1) {
  %x = khal.load %a[%i] : !khal.array<f32, read>, i32 -> i32
  khal.return
}

// -----

// CHECK: Operation does not verify: stored value type i32 does not match the element type f32
khal.kernel @k(%a: !khal.array<f32, write>, %i: i32) workgroup_size(1, 1, 1) {
  khal.store %i, %a[%i] : i32, !khal.array<f32, write>, i32
  khal.return
}

// -----

// CHECK: Operation does not verify: operand 'array' at position 0 does not verify:
// CHECK-NEXT: f32 should be of base attribute khal.array
khal.kernel @k(%x: f32) workgroup_size(1, 1, 1) {
  %n = "khal.len"(%x) : (f32) -> i32
  khal.return
}

// -----
// === workgroup memory

// CHECK: Operation does not verify: workgroup memory can only be allocated inside a khal.kernel
func.func @f() {
  %m = khal.workgroup_alloc : !khal.workgroup_array<4 x f32>
  func.return
}

// -----

// CHECK: Operation does not verify: result type f16 does not match the element type f32
khal.kernel @k(%i: i32) workgroup_size(4, 1, 1) {
  %m = khal.workgroup_alloc : !khal.workgroup_array<4 x f32>
  %x = khal.workgroup_load %m[%i] : !khal.workgroup_array<4 x f32>, i32 -> f16
  khal.return
}

// -----

// CHECK: Operation does not verify: stored value type i32 does not match the element type f32
khal.kernel @k(%i: i32) workgroup_size(4, 1, 1) {
  %m = khal.workgroup_alloc : !khal.workgroup_array<4 x f32>
  khal.workgroup_store %i, %m[%i] : i32, !khal.workgroup_array<4 x f32>, i32
  khal.return
}

// -----
// === atomics

// CHECK: Operation does not verify: atomics need a 32- or 64-bit integer element, not f32
khal.kernel @k(%a: !khal.array<f32, read_write>, %i: i32, %x: f32) workgroup_size(1, 1, 1) {
  %o = khal.atomic_rmw max %a[%i], %x : !khal.array<f32, read_write>, i32, f32
  khal.return
}

// -----

// CHECK: Operation does not verify: atomics need a 32- or 64-bit integer element, not i8
khal.kernel @k(%a: !khal.array<i8, read_write>, %i: i32, %x: i8) workgroup_size(1, 1, 1) {
  %o = khal.atomic_rmw add %a[%i], %x : !khal.array<i8, read_write>, i32, i8
  khal.return
}

// -----

// CHECK: Operation does not verify: value type i64 does not match the element type i32
khal.kernel @k(%a: !khal.array<i32, read_write>, %i: i32, %x: i64) workgroup_size(1, 1, 1) {
  %o = khal.atomic_rmw add %a[%i], %x : !khal.array<i32, read_write>, i32, i64
  khal.return
}

// -----

// CHECK: Operation does not verify: index must be an integer, got i1
khal.kernel @k(%a: !khal.array<i32, read_write>, %c: i1, %x: i32) workgroup_size(1, 1, 1) {
  %o = khal.atomic_rmw add %a[%c], %x : !khal.array<i32, read_write>, i1, i32
  khal.return
}

// -----

// CHECK: Operation does not verify: atomics need a 32- or 64-bit integer element, not f32
khal.kernel @k(%a: !khal.array<f32, read_write>, %i: i32, %x: f32) workgroup_size(1, 1, 1) {
  %o = khal.atomic_cmpxchg %a[%i], %x, %x : !khal.array<f32, read_write>, i32, f32
  khal.return
}

// -----

// CHECK: Operation does not verify: atomics need a 32- or 64-bit integer element, not i16
khal.kernel @k(%a: !khal.array<i16, read_write>, %i: i32) workgroup_size(1, 1, 1) {
  %o = khal.atomic_load %a[%i] : !khal.array<i16, read_write>, i32 -> i16
  khal.return
}

// -----

// CHECK: Operation does not verify: value type i64 does not match the element type i32
khal.kernel @k(%a: !khal.array<i32, read_write>, %i: i32, %x: i64) workgroup_size(1, 1, 1) {
  khal.atomic_store %x, %a[%i] : i64, !khal.array<i32, read_write>, i32
  khal.return
}

// -----
// === subgroups

// CHECK: Operation does not verify: expected a scalar or a vector, got i1
khal.kernel @k(%c: i1) workgroup_size(32, 1, 1) {
  %r = khal.subgroup_reduce add %c : i1
  khal.return
}

// -----

// CHECK: Operation does not verify: expected a scalar or a vector, got vector<2x2xf32>
khal.kernel @k(%m: vector<2x2xf32>) workgroup_size(32, 1, 1) {
  %r = khal.subgroup_broadcast_first %m : vector<2x2xf32>
  khal.return
}

// -----
// === struct values

// CHECK: Operation does not verify: operands must have the field types (f32, i32)
khal.kernel @k(%x: f32) workgroup_size(1, 1, 1) {
  %s = khal.struct_construct(%x, %x) : (f32, f32) -> !khal.struct<"S", a: f32, b: i32>
  khal.return
}

// -----

// CHECK: Operation does not verify: struct S has no field c
khal.kernel @k(%s: !khal.struct<"S", a: f32, b: i32>) workgroup_size(1, 1, 1) {
  %x = khal.struct_extract %s["c"] : !khal.struct<"S", a: f32, b: i32> -> f32
  khal.return
}

// -----

// CHECK: Operation does not verify: the result type must be the field's type
khal.kernel @k(%s: !khal.struct<"S", a: f32, b: i32>) workgroup_size(1, 1, 1) {
  %x = khal.struct_extract %s["b"] : !khal.struct<"S", a: f32, b: i32> -> f32
  khal.return
}

// -----

// CHECK: Operation does not verify: struct S has no field c
khal.kernel @k(%s: !khal.struct<"S", a: f32, b: i32>, %x: f32) workgroup_size(1, 1, 1) {
  %t = khal.struct_insert %x, %s["c"] : f32, !khal.struct<"S", a: f32, b: i32>
  khal.return
}

// -----

// CHECK: Operation does not verify: the value type must be the field's type
khal.kernel @k(%s: !khal.struct<"S", a: f32, b: i32>, %x: f32) workgroup_size(1, 1, 1) {
  %t = khal.struct_insert %x, %s["b"] : f32, !khal.struct<"S", a: f32, b: i32>
  khal.return
}

// -----
// === print

// CHECK: Operation does not verify: format has 2 '{}' but 1 values are given
khal.kernel @k(%x: f32) workgroup_size(1, 1, 1) {
  khal.print "{} and {}"(%x) : f32
  khal.return
}

// -----

// CHECK: Operation does not verify: expected a scalar or a vector, got !khal.struct<"S", a: f32>
khal.kernel @k(%s: !khal.struct<"S", a: f32>) workgroup_size(1, 1, 1) {
  khal.print "{}"(%s) : !khal.struct<"S", a: f32>
  khal.return
}
