// RUN: not khal-opt %s -p khal-spirv-lower-abi,convert-khal-to-spirv 2>&1 | filecheck %s

// What the SPIR-V lowering does not take is a located error, never an invalid module (more cases:
// tests/unit/test_spirv_lowering.py).

// CHECK: kernels.py:7:5: error: atomic_compare_exchange is not supported on SPIR-V: wgpu's naga rejects the result of OpAtomicCompareExchange
khal.kernel @cas(%a: !khal.array<i32, read_write>) workgroup_size(64, 1, 1) {
  %0 = arith.constant 0 : i32
  %1 = arith.constant 1 : i32
  %2 = khal.atomic_cmpxchg %a[%0], %0, %1 : !khal.array<i32, read_write>, i32, i32 loc("kernels.py":7:5)
  khal.return
}
