// RUN: not khal-opt %s -p convert-khal-to-llvm 2>&1 | filecheck %s

// What must be gone before the LLVM lowering is refused with the op's name.

// CHECK: khal.workgroup_barrier must be lowered before
func.func @barrier() {
  khal.workgroup_barrier
  func.return
}
