// RUN: khal-opt %s -p khal-infer-access | filecheck %s
// RUN: khal-opt %s -p khal-infer-access | khal-opt -p khal-infer-access | filecheck %s

// khal-infer-access narrows each array parameter from the frontend's read_write to what the
// kernel does with it, in the block arguments, the kernel's function_type and every user.

// The seed example: `a[tid] += b[tid]` reads and writes a, only reads b.
// CHECK-LABEL: khal.kernel @add_assign
// CHECK-SAME: (%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read>)
// CHECK: khal.len %a : !khal.array<f32, read_write>
// CHECK: khal.load %a[%tid] : !khal.array<f32, read_write>, i32 -> f32
// CHECK: khal.load %b[%tid] : !khal.array<f32, read>, i32 -> f32
// CHECK: khal.store %s, %a[%tid] : f32, !khal.array<f32, read_write>, i32
khal.kernel @add_assign(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  %tid = khal.global_invocation_id x
  %n = khal.len %a : !khal.array<f32, read_write>
  %c = arith.cmpi ult, %tid, %n : i32
  scf.if %c {
    %x = khal.load %a[%tid] : !khal.array<f32, read_write>, i32 -> f32
    %y = khal.load %b[%tid] : !khal.array<f32, read_write>, i32 -> f32
    %s = arith.addf %x, %y : f32
    khal.store %s, %a[%tid] : f32, !khal.array<f32, read_write>, i32
  }
  khal.return
}

// Stores only: write. The generic form shows function_type follows the block arguments.
// RUN: khal-opt %s -p khal-infer-access --print-op-generic | filecheck %s --check-prefix=GENERIC
// GENERIC: sym_name = "copy", function_type = (!khal.array<f32, read>, !khal.array<f32, write>) -> ()
// CHECK-LABEL: khal.kernel @copy
// CHECK-SAME: (%src: !khal.array<f32, read>, %dst: !khal.array<f32, write>)
// CHECK: khal.store %x, %dst[%i] : f32, !khal.array<f32, write>, i32
khal.kernel @copy(%src: !khal.array<f32, read_write>, %dst: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %x = khal.load %src[%i] : !khal.array<f32, read_write>, i32 -> f32
  khal.store %x, %dst[%i] : f32, !khal.array<f32, read_write>, i32
  khal.return
}

// khal.len neither reads nor writes; an untouched array stays read; scalars are left alone.
// An access the frontend got too narrow is widened (a read array that is stored to).
// CHECK-LABEL: khal.kernel @len_unused_widen
// CHECK-SAME: (%l: !khal.array<i32, read>, %u: !khal.array<vector<3xf32>, read>, %alpha: f32, %w: !khal.array<f32, read_write>)
khal.kernel @len_unused_widen(%l: !khal.array<i32, read_write>, %u: !khal.array<vector<3xf32>, read_write>,
                              %alpha: f32, %w: !khal.array<f32, read>) workgroup_size(64, 1, 1) {
  %n = khal.len %l : !khal.array<i32, read_write>
  %x = khal.load %w[%n] : !khal.array<f32, read>, i32 -> f32
  %y = arith.mulf %x, %alpha : f32
  khal.store %y, %w[%n] : f32, !khal.array<f32, read>, i32
  khal.return
}

// Every atomic reads and writes its array, atomic_load and atomic_store included.
// Workgroup memory is not a parameter and keeps its type.
// CHECK-LABEL: khal.kernel @atomics
// CHECK-SAME: (%h: !khal.array<i32, read_write>, %f: !khal.array<f32, read_write>, %c: !khal.array<i32, read_write>, %al: !khal.array<i32, read_write>, %as: !khal.array<i32, read_write>)
// CHECK: khal.workgroup_alloc : !khal.workgroup_array<64 x i32>
khal.kernel @atomics(%h: !khal.array<i32, read_write>, %f: !khal.array<f32, read_write>,
                     %c: !khal.array<i32, read_write>, %al: !khal.array<i32, read_write>,
                     %as: !khal.array<i32, read_write>) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %one = arith.constant 1 : i32
  %fone = arith.constant 1.0 : f32
  %0 = khal.atomic_rmw add %h[%i], %one : !khal.array<i32, read_write>, i32, i32
  %1 = khal.atomic_rmw add %f[%i], %fone : !khal.array<f32, read_write>, i32, f32
  %2 = khal.atomic_cmpxchg %c[%i], %one, %i : !khal.array<i32, read_write>, i32, i32
  %3 = khal.atomic_load %al[%i] : !khal.array<i32, read_write>, i32 -> i32
  khal.atomic_store %3, %as[%i] : i32, !khal.array<i32, read_write>, i32
  %m = khal.workgroup_alloc : !khal.workgroup_array<64 x i32>
  %4 = khal.atomic_rmw max %m[%i], %3 : !khal.workgroup_array<64 x i32>, i32, i32
  khal.return
}

// Uses nested in loops and branches count; structs elements too.
// CHECK-LABEL: khal.kernel @nested
// CHECK-SAME: (%p: !khal.array<!khal.struct<"P", m: f32>, read>, %out: !khal.array<f32, write>)
khal.kernel @nested(%p: !khal.array<!khal.struct<"P", m: f32>, read_write>, %out: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
  %lo = arith.constant 0 : i32
  %hi = arith.constant 4 : i32
  %st = arith.constant 1 : i32
  scf.for %k = %lo to %hi step %st : i32 {
    %c = arith.cmpi eq, %k, %lo : i32
    scf.if %c {
      %q = khal.load %p[%k] : !khal.array<!khal.struct<"P", m: f32>, read_write>, i32 -> !khal.struct<"P", m: f32>
      %m = khal.struct_extract %q["m"] : !khal.struct<"P", m: f32> -> f32
      khal.store %m, %out[%k] : f32, !khal.array<f32, read_write>, i32
    }
  }
  khal.return
}

// An array flowing into an op the pass does not know keeps its type, whatever it is: that op may
// tie its own types to it (here scf.if yields the array, so its result type must stay the same).
// CHECK-LABEL: khal.kernel @opaque
// CHECK-SAME: (%a: !khal.array<f32, read>, %b: !khal.array<f32, read>, %c: i1, %d: !khal.array<f32, read>)
// CHECK: scf.if %c -> (!khal.array<f32, read>)
khal.kernel @opaque(%a: !khal.array<f32, read>, %b: !khal.array<f32, read>, %c: i1,
                    %d: !khal.array<f32, read_write>) workgroup_size(1, 1, 1) {
  %z = arith.constant 0 : i32
  %arr = scf.if %c -> (!khal.array<f32, read>) {
    scf.yield %a : !khal.array<f32, read>
  } else {
    scf.yield %b : !khal.array<f32, read>
  }
  %x = khal.load %arr[%z] : !khal.array<f32, read>, i32 -> f32
  %y = khal.load %d[%z] : !khal.array<f32, read_write>, i32 -> f32
  khal.return
}
