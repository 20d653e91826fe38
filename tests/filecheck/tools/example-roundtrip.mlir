// The README's add_assign example: the frontend's IR verifies, round-trips through khal-opt, and
// khal-infer-access finds that it reads and writes `a` and only reads `b`.

// RUN: %python -c "import runpy; print(runpy.run_path('%S/../../../examples/add_assign.py')['add_assign'].ir())" > %t
// RUN: khal-opt %t | khal-opt | filecheck %s
// RUN: khal-opt %t > %t.1 && khal-opt %t.1 | diff - %t.1
// RUN: khal-opt %t -p khal-infer-access | filecheck %s --check-prefix=ACCESS

// CHECK:      khal.kernel @add_assign(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
// CHECK-NEXT:   %tid = khal.global_invocation_id x
// CHECK:        khal.len %a
// CHECK:        scf.if
// CHECK:          khal.load %a
// CHECK:          khal.load %b
// CHECK:          arith.addf
// CHECK:          khal.store {{.*}}, %a[%tid]
// CHECK:        khal.return
// ACCESS:     khal.kernel @add_assign(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read>)
