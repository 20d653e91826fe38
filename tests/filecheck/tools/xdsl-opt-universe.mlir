// Plain xdsl-opt sees the khal dialect and khal's passes through the `xdsl.universe` entry point.

// RUN: xdsl-opt %s -p khal-infer-access | filecheck %s
// RUN: xdsl-opt %s | khal-opt | filecheck %s --check-prefix=ROUNDTRIP

// CHECK:     khal.kernel @k(%a: !khal.array<f32, read>, %b: !khal.array<f32, write>) workgroup_size(32, 1, 1)
// ROUNDTRIP: khal.kernel @k(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read_write>) workgroup_size(32, 1, 1)
khal.kernel @k(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read_write>) workgroup_size(32, 1, 1) {
  %i = khal.global_invocation_id x
  %x = khal.load %a[%i] : !khal.array<f32, read_write>, i32 -> f32
  khal.store %x, %b[%i] : f32, !khal.array<f32, read_write>, i32
  khal.return
}
