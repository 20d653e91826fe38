"""`khal-spirv-lower-abi`: decide the Vulkan bindings of each kernel and record them as `khal.interface`.

Runs on `khal.kernel` ops after the common prefix, before `convert-khal-to-spirv` (which reads the
attribute, MLIR's `spirv.interface_var_abi` model: the ABI pass decides, the lowering and the runtime
only read). The layout:

- array parameter `i`: a StorageBuffer at descriptor set 0, binding `i` (`fields = {binding = i}`);
- scalar parameters: one uniform block at binding `len(params)` (after every array's binding), each
  scalar at its natural alignment, which std140 and std430 agree on for scalars; `offset`/`size`
  place the scalar in that block, `block_size` is the block's size padded to 16 bytes (the uniform
  buffer rule), 0 when there are no scalars;
- `num_workgroups` is None: SPIR-V reads the workgroup counts from the `NumWorkgroups` builtin.

    khal.interface = {workgroup_size = array<i64: 64, 1, 1>, block_size = 16 : i64, block_align = 16 : i64,
                      params = [{name = "y", kind = "array", access = "read_write", offset = 0 : i64,
                                 size = 0 : i64, fields = {binding = 0 : i64}, leaves = array<i64>}, ...]}

Vector, matrix and struct parameters are not lowered yet: a located `CompileError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    Float32Type,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    NoneAttr,
    StringAttr,
    i64,
)
from xdsl.ir import Attribute
from xdsl.passes import ModulePass

from khal.dialects.khal import ArrayType, KernelOp
from khal.passes.diagnostics import op_error

INTERFACE_ATTR = "khal.interface"  # = khal.targets.INTERFACE_ATTR (passes sit below targets)
UNIFORM_ALIGN = 16  # a uniform buffer's size is a multiple of 16 bytes (std140)


def _i(n: int) -> IntegerAttr:
    return IntegerAttr(n, i64)


def scalar_size(t: Attribute) -> int | None:
    """The byte size of a scalar parameter type this lowering supports (32-bit int or f32), else None."""
    if isinstance(t, IntegerType) and t.width.data == 32:
        return 4
    if isinstance(t, Float32Type):
        return 4
    return None


def _entry(name: str, kind: str, access: str, offset: int, size: int, binding: int) -> DictionaryAttr:
    return DictionaryAttr(
        {
            "name": StringAttr(name),
            "kind": StringAttr(kind),
            "access": StringAttr(access),
            "offset": _i(offset),
            "size": _i(size),
            "fields": DictionaryAttr({"binding": _i(binding)}),
            "leaves": DenseArrayBase.from_list(i64, [offset] if kind == "value" else []),
        }
    )


def interface_attr(kernel: KernelOp) -> DictionaryAttr:
    """The `khal.interface` of a `khal.kernel` on SPIR-V (see the module docstring)."""
    args = kernel.body.block.args
    uniform_binding = len(args)
    params: list[Attribute] = []
    offset = 0
    for i, arg in enumerate(args):
        name = arg.name_hint or f"arg{i}"
        if isinstance(arg.type, ArrayType):
            params.append(_entry(name, "array", arg.type.access.data, 0, 0, i))
            continue
        size = scalar_size(arg.type)
        if size is None:
            raise op_error(kernel, f"parameter '{name}' of type {arg.type} is not supported on SPIR-V yet")
        offset = -(-offset // size) * size
        params.append(_entry(name, "value", "value", offset, size, uniform_binding))
        offset += size
    block_size = -(-offset // UNIFORM_ALIGN) * UNIFORM_ALIGN
    return DictionaryAttr(
        {
            "workgroup_size": kernel.workgroup_size,
            "params": ArrayAttr(params),
            "block_size": _i(block_size),
            "block_align": _i(UNIFORM_ALIGN),
            "num_workgroups": NoneAttr(),
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
