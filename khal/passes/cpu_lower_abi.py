"""`khal-cpu-lower-abi`: decide the CPU argument block of each kernel and record it as `khal.interface`.

Runs right after `khal-cpu-workgroup-loops`, on every `func.func` carrying `khal.workgroup_size` (a
kernel in the CPU ABI: its parameters, then five i32 workgroup parameters). The runtime fills one
argument block per call and the JIT'd entry (`khal.targets.cpu`) reads the parameters from it; this
pass fixes where each one lives, from the IR types alone, and writes the answer on the function
(MLIR's `spirv.interface_var_abi` model: the lowering decides the ABI, later stages only read it):

    khal.interface = {workgroup_size = array<i64: 64, 1, 1>, block_size = 48 : i64, block_align = 8 : i64,
                      num_workgroups = 32 : i64, params = [{name = "a", kind = "array",
                      access = "read_write", offset = 0 : i64, size = 16 : i64,
                      fields = {ptr = 0 : i64, len = 8 : i64}, leaves = array<i64>}, ...]}

The layout is numpy's aligned host layout, the one users hand in: an array is two u64 fields (`ptr`,
`len`); a value is laid out like its numpy dtype (scalars at their natural alignment, bool as one
byte, vectors and matrices packed at their element's alignment, structs as `np.dtype(...,
align=True)`); the workgroup counts are 3 x u32 after the parameters; the block is padded to its
alignment. `leaves` lists the offset of each scalar of a value in IR order, for the entry's loads.
The attribute is discardable and survives the LLVM lowering onto the `llvm.func`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    StringAttr,
    VectorType,
    i64,
)
from xdsl.ir import Attribute
from xdsl.passes import ModulePass

from khal.dialects.khal import ArrayType, StructType

INTERFACE_ATTR = "khal.interface"  # = khal.targets.INTERFACE_ATTR (passes sit below targets)
_WORKGROUP_PARAMS = 5  # wg_begin, wg_end, nwg_x, nwg_y, nwg_z


@dataclass(frozen=True)
class _Layout:
    """Size, alignment and scalar offsets (relative) of a value type in numpy's host layout."""

    size: int
    align: int
    leaves: tuple[int, ...]


def _align(n: int, a: int) -> int:
    return -(-n // a) * a


def value_layout(t: Attribute) -> _Layout:
    """The host layout of a value of IR type `t` (a scalar, vector, matrix or struct)."""
    if isinstance(t, IntegerType):
        size = max(1, t.width.data // 8)  # i1 is a bool: one byte, like numpy's
        return _Layout(size, size, (0,))
    if isinstance(t, Float16Type | Float32Type | Float64Type):
        size = t.bitwidth // 8
        return _Layout(size, size, (0,))
    if isinstance(t, VectorType):
        element = value_layout(t.element_type)
        count = 1
        for d in t.get_shape():
            count *= d
        # Packed like numpy's (n, 3) float32 rows; a matrix is its columns one after another.
        return _Layout(element.size * count, element.align, tuple(i * element.size for i in range(count)))
    if isinstance(t, StructType):
        offset, align, leaves = 0, 1, []
        for _, ft in t.fields:
            f = value_layout(ft)
            offset = _align(offset, f.align)
            leaves += [offset + leaf for leaf in f.leaves]
            offset += f.size
            align = max(align, f.align)
        return _Layout(_align(offset, align), align, tuple(leaves))
    raise ValueError(f"no host layout for a kernel parameter of type {t}")


def _i(n: int) -> IntegerAttr:
    return IntegerAttr(n, i64)


def _param_attr(name: str, t: Attribute, offset: int) -> tuple[DictionaryAttr, int, int]:
    """The attribute of one parameter placed at or after `offset`; with its end and its alignment."""
    if isinstance(t, ArrayType):
        offset = _align(offset, 8)
        entry = {
            "name": StringAttr(name),
            "kind": StringAttr("array"),
            "access": StringAttr(t.access.data),
            "offset": _i(offset),
            "size": _i(16),
            "fields": DictionaryAttr({"ptr": _i(offset), "len": _i(offset + 8)}),
            "leaves": DenseArrayBase.from_list(i64, []),
        }
        return DictionaryAttr(entry), offset + 16, 8
    layout = value_layout(t)
    offset = _align(offset, layout.align)
    entry = {
        "name": StringAttr(name),
        "kind": StringAttr("value"),
        "access": StringAttr("value"),
        "offset": _i(offset),
        "size": _i(layout.size),
        "fields": DictionaryAttr({}),
        "leaves": DenseArrayBase.from_list(i64, [offset + leaf for leaf in layout.leaves]),
    }
    return DictionaryAttr(entry), offset + layout.size, layout.align


def interface_attr(function: func.FuncOp) -> DictionaryAttr:
    """The `khal.interface` of a kernel function in the CPU ABI."""
    args = function.body.block.args[:-_WORKGROUP_PARAMS]
    params: list[Attribute] = []
    offset, align = 0, 4
    for i, arg in enumerate(args):
        entry, offset, a = _param_attr(arg.name_hint or f"arg{i}", arg.type, offset)
        params.append(entry)
        align = max(align, a)
    counts = _align(offset, 4)
    workgroup_size = function.attributes["khal.workgroup_size"]
    return DictionaryAttr(
        {
            "workgroup_size": workgroup_size,
            "params": ArrayAttr(params),
            "block_size": _i(_align(counts + 12, align)),
            "block_align": _i(align),
            "num_workgroups": _i(counts),
        }
    )


@dataclass(frozen=True)
class CpuLowerAbiPass(ModulePass):
    """Write `khal.interface` (the CPU argument-block layout) on every kernel function."""

    name = "khal-cpu-lower-abi"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in op.walk():
            if isinstance(function, func.FuncOp) and "khal.workgroup_size" in function.attributes:
                if len(function.body.block.args) < _WORKGROUP_PARAMS:
                    raise ValueError(f"@{function.sym_name.data} lacks the CPU ABI's workgroup parameters")
                function.attributes[INTERFACE_ATTR] = interface_attr(function)
