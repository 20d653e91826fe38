// RUN: khal-opt %s -p khal-verify-workgroup-memory | filecheck %s
// RUN: not khal-opt %s -p 'khal-verify-workgroup-memory{limit=49151}' 2>&1 | filecheck %s --check-prefix=OVER

// Every target gives a kernel at most 48 KiB (49152 bytes) of workgroup memory, counted in host layout
// (n times the element's size). Past it: a CompileError at the allocation that crosses the limit,
// naming the sizes and the limit.

// Exactly 48 KiB passes (8192 f32 + 2048 vec2<f32>), unchanged.
// CHECK: khal.kernel @fits
// CHECK: khal.workgroup_alloc : !khal.workgroup_array<8192 x f32>
// CHECK: khal.workgroup_alloc : !khal.workgroup_array<2048 x vector<2xf32>>

// One byte less and the second array crosses the limit: the error is at that array, with the total.
// OVER: kernels.py:21:8: error: this workgroup array (16384 bytes) brings kernel 'fits' to 49152 bytes; every target allows at most 49151 bytes (47.999 KiB) of workgroup memory per kernel
khal.kernel @fits(%out: !khal.array<f32>) workgroup_size(64, 1, 1) {
  %a = khal.workgroup_alloc : !khal.workgroup_array<8192 x f32> loc("kernels.py":20:8)
  %b = khal.workgroup_alloc : !khal.workgroup_array<2048 x vector<2xf32>> loc("kernels.py":21:8)
  khal.return
}
