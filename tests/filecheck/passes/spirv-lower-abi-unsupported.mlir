// RUN: not khal-opt %s -p khal-spirv-lower-abi 2>&1 | filecheck %s --check-prefix=ERR

// Every khal value type has a host layout; a type without one (bf16: numpy has none) is a located error.
// ERR: kernels.py:3:1: error: parameter 'h': no host layout for a kernel parameter of type bf16
khal.kernel @half(%h: bf16) workgroup_size(64, 1, 1) {
  khal.return
} loc("kernels.py":3:1)
