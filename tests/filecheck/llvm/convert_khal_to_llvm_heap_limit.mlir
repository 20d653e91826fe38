// RUN: not khal-opt %s -p convert-khal-to-llvm 2>&1 | filecheck %s

// Workgroup memory and per-invocation slots of more than 64 MiB per workgroup are refused on the CPU
// (a CompileError at the kernel), rather than left to a malloc that may fail.

// CHECK: kernels.py:3:1: error: kernel 'huge' needs 134217728 bytes per workgroup for its workgroup memory and the values it keeps across barriers (at most 67108864 on the CPU)
func.func @huge(%i: i32) attributes {khal.workgroup_size = array<i64: 1024, 1, 1>} {
  %slot = khal.workgroup_alloc : !khal.workgroup_array<16777216 x f64>
  %x = khal.workgroup_load %slot[%i] : !khal.workgroup_array<16777216 x f64>, i32 -> f64
  func.return
} loc("kernels.py":3:1)
