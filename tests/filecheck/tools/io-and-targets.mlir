// Input from a file or stdin (`-`), output to stdout or -o; `-t khal` prints IR exactly like `-t mlir`.

// RUN: khal-opt %s | filecheck %s
// RUN: khal-opt - < %s | filecheck %s
// RUN: khal-opt %s -o %t && filecheck %s --input-file %t
// RUN: khal-opt %s -t khal > %t.khal && khal-opt %s -t mlir > %t.mlir && diff %t.khal %t.mlir
// RUN: khal-opt %s -t khal --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: khal-opt %s -p khal-infer-access,canonicalize,cse | filecheck %s --check-prefix=PIPE
// RUN: khal-opt --version | filecheck %s --check-prefix=VERSION

// CHECK:      khal.kernel @scale(%a: !khal.array<f32, read_write>, %s: f32) workgroup_size(64, 1, 1) {
// GENERIC:    "khal.kernel"() <{sym_name = "scale", function_type = (!khal.array<f32, read_write>, f32) -> (), workgroup_size = array<i64: 64, 1, 1>}>
// PIPE:       khal.kernel @scale(%a: !khal.array<f32, read_write>, %s: f32)
// PIPE-NOT:   arith.constant
// VERSION:    khal-opt (khal {{[0-9.]+}}) built on xdsl 0.74
khal.kernel @scale(%a: !khal.array<f32, read_write>, %s: f32) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %unused = arith.constant 7 : i32
  %x = khal.load %a[%i] : !khal.array<f32, read_write>, i32 -> f32
  %y = arith.mulf %x, %s : f32
  khal.store %y, %a[%i] : f32, !khal.array<f32, read_write>, i32
  khal.return
}
