# RUN: %python %s > %t.mlir
# RUN: khal-opt %t.mlir > %t.roundtrip.mlir
# RUN: diff %t.mlir %t.roundtrip.mlir
# RUN: filecheck %s < %t.roundtrip.mlir
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# The frontend's output for every API.md example and for a zoo covering the whole language reads back
# through khal-opt unchanged (print -> parse -> print is identical).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "frontend"))

from kernel_zoo import ALL_KERNELS  # noqa: E402
from xdsl.dialects.builtin import ModuleOp  # noqa: E402

ops = []
for kernel in ALL_KERNELS:
    module = kernel.module()
    for op in list(module.body.block.ops):
        op.detach()
        if op.name != "func.func" or all(getattr(o, "sym_name", None) != op.sym_name for o in ops):
            ops.append(op)
combined = ModuleOp(ops)
combined.verify()
print(combined, end="\n\n")  # khal-opt ends its output with a blank line

# CHECK: khal.kernel @add_assign
# CHECK: khal.kernel @squares
# CHECK: khal.kernel @particles
# CHECK: khal.kernel @reduce_sum
# CHECK: khal.kernel @control
# CHECK: khal.kernel @maths
# CHECK: khal.kernel @matrices
