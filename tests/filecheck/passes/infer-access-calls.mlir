// RUN: khal-opt %s --split-input-file -p khal-infer-access | filecheck %s

// Arrays passed to device functions: the pass looks into the callee's uses of the parameter
// (through nested calls), then retypes the callee so that func.call still type-checks.

// A callee that only reads: the kernel's array becomes read, and so does the callee's parameter.
// CHECK-LABEL: khal.kernel @k
// CHECK-SAME: (%a: !khal.array<f32, read>, %o: !khal.array<f32, write>)
// CHECK: %x = func.call @get(%a, %i) : (!khal.array<f32, read>, i32) -> f32
// CHECK: func.func @get(%arr: !khal.array<f32, read>, %j: i32) -> f32 {
// CHECK-NEXT: khal.load %arr[%j] : !khal.array<f32, read>, i32 -> f32
khal.kernel @k(%a: !khal.array<f32, read_write>, %o: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %x = func.call @get(%a, %i) : (!khal.array<f32, read_write>, i32) -> f32
  khal.store %x, %o[%i] : f32, !khal.array<f32, read_write>, i32
  khal.return
}
func.func @get(%arr: !khal.array<f32, read_write>, %j: i32) -> f32 {
  %v = khal.load %arr[%j] : !khal.array<f32, read_write>, i32 -> f32
  func.return %v : f32
}

// -----

// Nested calls: the write happens two calls down; the kernel's own read adds up to read_write.
// CHECK-LABEL: khal.kernel @k
// CHECK-SAME: (%a: !khal.array<i32, read_write>)
// CHECK: func.call @outer(%a, %i) : (!khal.array<i32, read_write>, i32) -> ()
// CHECK: func.func @outer(%p: !khal.array<i32, read_write>, %j: i32) {
// CHECK-NEXT: func.call @inner(%p, %j) : (!khal.array<i32, read_write>, i32) -> ()
// CHECK: func.func @inner(%q: !khal.array<i32, read_write>, %j: i32) {
khal.kernel @k(%a: !khal.array<i32, read_write>) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %x = khal.load %a[%i] : !khal.array<i32, read_write>, i32 -> i32
  func.call @outer(%a, %i) : (!khal.array<i32, read_write>, i32) -> ()
  khal.return
}
func.func @outer(%p: !khal.array<i32, read_write>, %j: i32) {
  func.call @inner(%p, %j) : (!khal.array<i32, read_write>, i32) -> ()
  func.return
}
func.func @inner(%q: !khal.array<i32, read_write>, %j: i32) {
  khal.store %j, %q[%j] : i32, !khal.array<i32, read_write>, i32
  func.return
}

// -----

// One function called with arrays of different access: a call whose signature no longer matches
// gets a clone of the callee typed for it; calls that still match keep the original.
// CHECK-LABEL: khal.kernel @k
// CHECK-SAME: (%r: !khal.array<f32, read>, %w: !khal.array<f32, read_write>)
// CHECK: func.call @twice__read(%r, %i) : (!khal.array<f32, read>, i32) -> f32
// CHECK: func.call @twice(%w, %i) : (!khal.array<f32, read_write>, i32) -> f32
// CHECK: func.func @twice(%arr: !khal.array<f32, read_write>, %j: i32) -> f32
// CHECK: func.func @twice__read(%arr: !khal.array<f32, read>, %j: i32) -> f32
// CHECK-NEXT: khal.load %arr[%j] : !khal.array<f32, read>, i32 -> f32
khal.kernel @k(%r: !khal.array<f32, read_write>, %w: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %x = func.call @twice(%r, %i) : (!khal.array<f32, read_write>, i32) -> f32
  %y = func.call @twice(%w, %i) : (!khal.array<f32, read_write>, i32) -> f32
  %s = arith.addf %x, %y : f32
  khal.store %s, %w[%i] : f32, !khal.array<f32, read_write>, i32
  khal.return
}
func.func @twice(%arr: !khal.array<f32, read_write>, %j: i32) -> f32 {
  %v = khal.load %arr[%j] : !khal.array<f32, read_write>, i32 -> f32
  %d = arith.addf %v, %v : f32
  func.return %d : f32
}

// -----

// When every call wants the narrower signature, the clone replaces the original under its name.
// CHECK-LABEL: khal.kernel @k
// CHECK-SAME: (%r: !khal.array<f32, read>, %s: !khal.array<f32, read>, %o: !khal.array<f32, write>)
// CHECK: func.call @get(%r, %i) : (!khal.array<f32, read>, i32) -> f32
// CHECK: func.call @get(%s, %i) : (!khal.array<f32, read>, i32) -> f32
// CHECK-NOT: func.func @get__
// CHECK: func.func @get(%arr: !khal.array<f32, read>, %j: i32) -> f32
// CHECK-NOT: func.func @get
khal.kernel @k(%r: !khal.array<f32, read_write>, %s: !khal.array<f32, read_write>,
               %o: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %x = func.call @get(%r, %i) : (!khal.array<f32, read_write>, i32) -> f32
  %y = func.call @get(%s, %i) : (!khal.array<f32, read_write>, i32) -> f32
  %t = arith.addf %x, %y : f32
  khal.store %t, %o[%i] : f32, !khal.array<f32, read_write>, i32
  khal.return
}
func.func @get(%arr: !khal.array<f32, read_write>, %j: i32) -> f32 {
  %v = khal.load %arr[%j] : !khal.array<f32, read_write>, i32 -> f32
  func.return %v : f32
}

// -----

// A function without a body can do anything: the array keeps its type (read_write here).
// CHECK-LABEL: khal.kernel @k
// CHECK-SAME: (%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read>)
// CHECK: func.func private @extern(!khal.array<f32, read_write>) -> ()
khal.kernel @k(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  func.call @extern(%a) : (!khal.array<f32, read_write>) -> ()
  khal.return
}
func.func private @extern(!khal.array<f32, read_write>) -> ()

// -----

// A function the kernel never calls is left as it is.
// CHECK-LABEL: khal.kernel @k
// CHECK-SAME: (%a: !khal.array<f32, read>)
// CHECK: func.func @unused(%x: !khal.array<f32, read_write>)
khal.kernel @k(%a: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  khal.return
}
func.func @unused(%x: !khal.array<f32, read_write>) {
  func.return
}

// -----

// A call cycle: the pass cannot summarise it, so the array keeps its type, and so does the callee.
// CHECK-LABEL: khal.kernel @k
// CHECK-SAME: (%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read>)
// CHECK: func.func @rec(%x: !khal.array<f32, read_write>, %n: i32) {
khal.kernel @k(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  func.call @rec(%a, %i) : (!khal.array<f32, read_write>, i32) -> ()
  %y = khal.load %b[%i] : !khal.array<f32, read_write>, i32 -> f32
  khal.return
}
func.func @rec(%x: !khal.array<f32, read_write>, %n: i32) {
  %v = khal.load %x[%n] : !khal.array<f32, read_write>, i32 -> f32
  func.call @rec(%x, %n) : (!khal.array<f32, read_write>, i32) -> ()
  func.return
}
