"""`khal-spirv-lower-abi`: decide the Vulkan bindings of each kernel and record them as `khal.interface`.

Runs on `khal.kernel` ops after the common prefix, before `convert-khal-to-spirv` (which reads the
attribute, MLIR's `spirv.interface_var_abi` model: the ABI pass decides, the lowering and the runtime
only read). The layout (the SPIR-V/WebGPU contract shared with the `webgpu` runtime):

- array parameter `i`: a StorageBuffer at descriptor set 0, binding `i`; `fields = {binding = i,
  len = OFF}`, OFF being the byte offset in the uniform block of its u32 element count (rows: an
  `Array[Vec3]` of n rows gets n). `len(a)` reads that count, so the runtime may pad allocations;
- one uniform block, ALWAYS present, at binding `len(params)`: bytes 0..11 hold the logical workgroup
  counts (nx, ny, nz) as 3 x u32 (`num_workgroups = 0`; all zero = not folded), 12..15 are spare;
  after byte 16, in parameter order, each array's u32 count and each value parameter at numpy's
  aligned host layout (`khal.passes.cpu_lower_abi.value_layout`: what `value.tobytes()` gives), so the
  runtime writes host bytes and no std140 rule reaches the host. `leaves` are the absolute offsets of
  a value's scalars in IR order; `block_size` is a multiple of 16, `block_align` 16.

    khal.interface = {workgroup_size = array<i64: 64, 1, 1>, params = [
                      {name = "y", kind = "array", access = "read_write", offset = 16 : i64, size = 4 : i64,
                       fields = {binding = 0 : i64, len = 16 : i64}, leaves = array<i64>}, ...],
                      block_size = 32 : i64, block_align = 16 : i64, num_workgroups = 0 : i64}

Every value type has a host layout here; `convert-khal-to-spirv` raises a located `CompileError` for a
scalar leaf it cannot read yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    i64,
)
from xdsl.ir import Attribute
from xdsl.passes import ModulePass

from khal.dialects.khal import ArrayType, KernelOp
from khal.passes.cpu_lower_abi import value_layout
from khal.passes.diagnostics import op_error

INTERFACE_ATTR = "khal.interface"  # = khal.targets.INTERFACE_ATTR (passes sit below targets)
UNIFORM_ALIGN = 16  # a uniform buffer's size is a multiple of 16 bytes (std140)
GRID_BYTES = 16  # the logical workgroup counts (3 x u32) and a spare word open the block
COUNTS_OFFSET = 0  # `num_workgroups`: where the logical counts are


def _i(n: int) -> IntegerAttr:
    return IntegerAttr(n, i64)


def _align(n: int, a: int) -> int:
    return -(-n // a) * a


def _entry(
    name: str, kind: str, access: str, offset: int, size: int, fields: dict[str, int], leaves: list[int]
) -> DictionaryAttr:
    return DictionaryAttr(
        {
            "name": StringAttr(name),
            "kind": StringAttr(kind),
            "access": StringAttr(access),
            "offset": _i(offset),
            "size": _i(size),
            "fields": DictionaryAttr({k: _i(v) for k, v in fields.items()}),
            "leaves": DenseArrayBase.from_list(i64, leaves),
        }
    )


def interface_attr(kernel: KernelOp) -> DictionaryAttr:
    """The `khal.interface` of a `khal.kernel` on SPIR-V (see the module docstring)."""
    args = kernel.body.block.args
    uniform_binding = len(args)
    params: list[Attribute] = []
    offset = GRID_BYTES
    for i, arg in enumerate(args):
        name = arg.name_hint or f"arg{i}"
        if isinstance(arg.type, ArrayType):
            offset = _align(offset, 4)
            fields = {"binding": i, "len": offset}
            params.append(_entry(name, "array", arg.type.access.data, offset, 4, fields, []))
            offset += 4
            continue
        try:
            layout = value_layout(arg.type)
        except ValueError as e:
            raise op_error(kernel, f"parameter '{name}': {e}") from None
        offset = _align(offset, layout.align)
        leaves = [offset + leaf for leaf in layout.leaves]
        params.append(
            _entry(name, "value", "value", offset, layout.size, {"binding": uniform_binding}, leaves)
        )
        offset += layout.size
    return DictionaryAttr(
        {
            "workgroup_size": kernel.workgroup_size,
            "params": ArrayAttr(params),
            "block_size": _i(_align(offset, UNIFORM_ALIGN)),
            "block_align": _i(UNIFORM_ALIGN),
            "num_workgroups": _i(COUNTS_OFFSET),
        }
    )


@dataclass(frozen=True)
class SpirvLowerAbiPass(ModulePass):
    """Write `khal.interface` (Vulkan bindings and the uniform block) on every `khal.kernel`."""

    name = "khal-spirv-lower-abi"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in op.walk():
            if isinstance(kernel, KernelOp):
                kernel.attributes[INTERFACE_ATTR] = interface_attr(kernel)
