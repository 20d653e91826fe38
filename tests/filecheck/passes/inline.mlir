// RUN: khal-opt %s -p khal-inline | filecheck %s
// RUN: khal-opt %s -p khal-inline,khal-infer-access | filecheck %s --check-prefix=ACCESS

// Every call of a device function (a private func.func) is replaced by its body, callees first, so
// that the kernel holds the barrier and the ids of `sync_and_index`. A function that uses kernel-only
// ops is erased once nobody calls it; plain ones (`scale`, `scaled`) stay for the lowering to drop.

// CHECK-NOT:   @sync_and_index
// CHECK:       func.func private @scale(%x: f32, %s: f32) -> f32
// CHECK-LABEL: khal.kernel @k(
// CHECK-NOT:     func.call
// CHECK:         %[[I:.*]] = khal.global_invocation_id x
// CHECK-NEXT:    khal.workgroup_barrier
// CHECK-NEXT:    %[[X:.*]] = khal.load %a[%[[I]]]
// CHECK-NEXT:    %[[Y:.*]] = arith.mulf %[[X]], %s : f32
// CHECK-NEXT:    khal.store %[[Y]], %a[%[[I]]]
// CHECK-NEXT:    khal.return

// khal-infer-access sees the inlined uses: %a is read and written, %b untouched (read).
// ACCESS: khal.kernel @k(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read>, %s: f32)

func.func private @scale(%x: f32, %s: f32) -> f32 {
  %y = arith.mulf %x, %s : f32
  func.return %y : f32
}

func.func private @sync_and_index() -> i32 {
  %i = khal.global_invocation_id x
  khal.workgroup_barrier
  func.return %i : i32
}

func.func private @scaled(%a: !khal.array<f32>, %i: i32, %s: f32) -> f32 {
  %x = khal.load %a[%i] : !khal.array<f32>, i32 -> f32
  %y = func.call @scale(%x, %s) : (f32, f32) -> f32
  func.return %y : f32
}

khal.kernel @k(%a: !khal.array<f32>, %b: !khal.array<f32>, %s: f32) workgroup_size(64, 1, 1) {
  %i = func.call @sync_and_index() : () -> i32
  %y = func.call @scaled(%a, %i, %s) : (!khal.array<f32>, i32, f32) -> f32
  khal.store %y, %a[%i] : f32, !khal.array<f32>, i32
  khal.return
}
