// RUN: not khal-opt %s -p khal-spirv-lower-abi 2>&1 | filecheck %s --check-prefix=ERR

// A vector parameter is not lowered yet: a located error.
// ERR: kernels.py:3:1: error: parameter 'v' of type vector<3xf32> is not supported on SPIR-V yet
khal.kernel @vec(%v: vector<3xf32>) workgroup_size(64, 1, 1) {
  khal.return
} loc("kernels.py":3:1)
