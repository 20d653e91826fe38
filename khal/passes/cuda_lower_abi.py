"""`khal-cuda-lower-abi`: the kernel-parameter block of each CUDA kernel, written as `khal.interface`.

Runs after `convert-khal-to-nvvm`, on every `func.func` marked `khal.cuda_kernel`. The PTX entry
takes, in order, for an array two parameters (`u64` data pointer, `u64` element count) and for a
value one parameter of its LLVM type (scalars; a vector as an LLVM vector, aligned to its size
rounded up to a power of two; a matrix as an array of such column vectors; a struct in C layout
with its vector fields as arrays). The block is what `cuLaunchKernel` takes through
`CU_LAUNCH_PARAM_BUFFER_POINTER`: each parameter at the next offset aligned to its alignment. For
`kernelParams` (one pointer per PTX parameter), an array's `fields` give the offsets of `ptr` and
`len`, a value's `offset` its start. The grid size is not in the block (`num_workgroups` is absent):
it is the launch's grid dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    VectorType,
    i64,
)
from xdsl.ir import Attribute
from xdsl.passes import ModulePass

from khal.dialects.khal import ArrayType
from khal.passes.convert_khal_to_nvvm import CUDA_KERNEL_ATTR
from khal.passes.cpu_lower_abi import INTERFACE_ATTR, value_layout


def _align(n: int, a: int) -> int:
    return -(-n // a) * a


def _pow2(n: int) -> int:
    p = 1
    while p < n:
        p *= 2
    return p


def param_layout(t: Attribute) -> tuple[int, int, tuple[int, ...]]:
    """(size, alignment, scalar offsets) of a value parameter of IR type `t` in the PTX parameter space."""
    if isinstance(t, VectorType):
        element = value_layout(t.element_type).size
        shape = t.get_shape()
        rows = shape[-1]
        vector = _pow2(rows * element)  # LLVM's vector alignment (and allocation size) on NVPTX
        columns = shape[0] if len(shape) == 2 else 1
        leaves = tuple(c * vector + r * element for c in range(columns) for r in range(rows))
        return vector * columns, vector, leaves
    layout = value_layout(t)
    return layout.size, layout.align, layout.leaves


def _i(n: int) -> IntegerAttr:
    return IntegerAttr(n, i64)


def _entry(name: str, t: Attribute, offset: int) -> tuple[DictionaryAttr, int, int]:
    if isinstance(t, ArrayType):
        offset = _align(offset, 8)
        fields = DictionaryAttr({"ptr": _i(offset), "len": _i(offset + 8)})
        kind, access, size, align, leaves = "array", t.access.data, 16, 8, ()
    else:
        size, align, relative = param_layout(t)
        offset = _align(offset, align)
        fields = DictionaryAttr({})
        kind, access, leaves = "value", "value", tuple(offset + leaf for leaf in relative)
    entry = {
        "name": StringAttr(name),
        "kind": StringAttr(kind),
        "access": StringAttr(access),
        "offset": _i(offset),
        "size": _i(size),
        "fields": fields,
        "leaves": DenseArrayBase.from_list(i64, list(leaves)),
    }
    return DictionaryAttr(entry), offset + size, align


def interface_attr(function: func.FuncOp) -> DictionaryAttr:
    """The `khal.interface` of a CUDA kernel function (parameters still khal types)."""
    params: list[Attribute] = []
    offset, align = 0, 1
    for i, arg in enumerate(function.body.block.args):
        entry, offset, a = _entry(arg.name_hint or f"arg{i}", arg.type, offset)
        params.append(entry)
        align = max(align, a)
    attrs: dict[str, Attribute] = {
        "workgroup_size": function.attributes["khal.workgroup_size"],
        "params": ArrayAttr(params),
        "block_size": _i(_align(offset, align)),
        "block_align": _i(align),
    }
    return DictionaryAttr(attrs)


@dataclass(frozen=True)
class CudaLowerAbiPass(ModulePass):
    """Write `khal.interface` (the CUDA kernel-parameter block) on every CUDA kernel function."""

    name = "khal-cuda-lower-abi"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in op.walk():
            if isinstance(function, func.FuncOp) and CUDA_KERNEL_ATTR in function.attributes:
                function.attributes[INTERFACE_ATTR] = interface_attr(function)


__all__ = ["CudaLowerAbiPass", "param_layout"]
