"""`khal-verify-workgroup-memory`: a kernel's `workgroup_array`s fit every target's shared memory.

Workgroup memory is small on a GPU: CUDA gives a block 48 KiB without an opt-in, and so does the
H200's Vulkan adapter to WebGPU. A kernel that works on one backend must work on every backend, so
the limit is one number for every target (the CPU included, where workgroup memory lives on the
stack of the thread that runs the workgroup):
`MAX_WORKGROUP_BYTES` = 48 KiB in all per kernel, counted in host layout (`n` times the element's
numpy itemsize, as `T.dtype` gives it). Past it, a `CompileError` at the allocation that crosses the
limit names both numbers.

It runs first in every pipeline, before canonicalisation can drop an unused allocation, so that the
rule reads off the source and does not depend on the optimiser.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerType, ModuleOp
from xdsl.ir import Attribute
from xdsl.passes import ModulePass

from khal.dialects import khal
from khal.passes.diagnostics import op_error
from khal.passes.llvm_common import memory_type, size_of

MAX_WORKGROUP_BYTES = 48 * 1024
"""Workgroup memory per kernel on every target, in bytes (48 KiB)."""


def element_bytes(t: Attribute) -> int:
    """Bytes of one workgroup-array element in host layout (a bool takes a byte)."""
    if isinstance(t, IntegerType) and t.width.data == 1:
        return 1
    return size_of(memory_type(t))


def workgroup_bytes(alloc: khal.WorkgroupAllocOp) -> int:
    """Bytes of one `khal.workgroup_alloc`."""
    t = alloc.result.type
    assert isinstance(t, khal.WorkgroupArrayType)
    return t.size.data * element_bytes(t.element_type)


@dataclass(frozen=True)
class VerifyWorkgroupMemoryPass(ModulePass):
    """Reject a kernel whose workgroup arrays total more than `limit` bytes (a located CompileError)."""

    name = "khal-verify-workgroup-memory"

    limit: int = MAX_WORKGROUP_BYTES
    """Bytes of workgroup memory a kernel may allocate."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in op.walk():
            if isinstance(kernel, khal.KernelOp):
                self._check(kernel)

    def _check(self, kernel: khal.KernelOp) -> None:
        total = 0
        for alloc in kernel.walk():
            if not isinstance(alloc, khal.WorkgroupAllocOp):
                continue
            size = workgroup_bytes(alloc)
            total += size
            if total > self.limit:
                name = kernel.sym_name.data
                what = (
                    f"this workgroup array of kernel '{name}' takes {size} bytes"
                    if total == size
                    else f"this workgroup array ({size} bytes) brings kernel '{name}' to {total} bytes"
                )
                raise op_error(
                    alloc,
                    f"{what}; every target allows at most {self.limit} bytes ({self.limit / 1024:g} KiB) "
                    "of workgroup memory per kernel",
                )
