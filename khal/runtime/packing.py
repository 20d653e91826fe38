"""The generated fast argument packer: one `record(grid, args)` per launch plan, from the kernel's interface.

A call must cost a few microseconds, so a plan does not interpret the layout at each call: it writes
Python source specialised to one kernel on one backend and compiles it once. That function tests each
argument against its parameter inline (falling back to the generic checker, which converts or
raises), works out the workgroup counts, and fills a fresh argument block with one
`struct.pack_into` laid out exactly as `Interface` says (the target's ABI pass decided it).

Where each parameter lands comes from the interface; how a value is written comes from its language
type (the interface's IR-derived layout knows sizes, not signedness): a scalar is packed with its
`struct` code, a vector, matrix or struct as the bytes its checker returns, an array as its buffer's
`_ptr`/`_len` in the array's `ptr`/`len` fields (each only where the interface has it: a GPU binding
has no `ptr`). The plan says how wide the `len` field is (`len_code`: u64 `"Q"` on the CPU, u32 `"I"`
in a SPIR-V uniform block). The workgroup counts go to `num_workgroups` (where the interface has it).
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from khal.runtime.backend import (
    MAX_WORKGROUPS,
    arity_error,
    element_layout,
    indirect_counts,
    layout_key,
    workgroup_counts,
)
from khal.targets import Interface, ParamInterface
from khal.types import STRUCT_CODES, ArrayType, ScalarType

NUM_WORKGROUPS = "__num_workgroups"


def interface_of_dtype(kernel: Any, dtype: np.dtype[Any]) -> Interface:
    """The interface of a block described only by a numpy dtype (a hand-made native entry).

    Fields are named as the CPU target names them: `<array>.ptr`, `<array>.len`, `<value>`,
    `__num_workgroups`. Arrays count as read and written.
    """
    fields = dtype.fields
    if fields is None:
        raise RuntimeError(f"{kernel.name}: the argument layout {dtype} has no fields")
    try:
        params: list[ParamInterface] = []
        for p in kernel.params:
            if isinstance(p.type, ArrayType):
                ptr, length = fields[f"{p.name}.ptr"][1], fields[f"{p.name}.len"][1]
                params.append(
                    ParamInterface(p.name, "array", "read_write", ptr, 16, {"ptr": ptr, "len": length})
                )
            else:
                fdt, offset = fields[p.name][:2]
                params.append(ParamInterface(p.name, "value", "value", offset, fdt.itemsize))
        counts = fields[NUM_WORKGROUPS][1]
    except KeyError as e:
        raise RuntimeError(f"{kernel.name}: the argument layout lacks field {e} ({dtype})") from None
    wg = tuple(kernel.workgroup_size)
    return Interface(
        kernel.name, (wg[0], wg[1], wg[2]), tuple(params), dtype.itemsize, dtype.alignment, counts
    )


def _fields(kernel: Any, interface: Interface, len_code: str = "Q") -> list[tuple[int, int, str, str]]:
    """(offset, size, struct code, Python expression) of each field of the block, in offset order.

    `len_code` is the `struct` code of an array's `len` field (`"Q"`: u64, `"I"`: u32).
    """
    # Parameters match by position, the ABI's contract (an IR name hint is only a hint).
    if len(interface.params) != len(kernel.params):
        names = [p.name for p in interface.params]
        raise RuntimeError(f"{kernel.name}: the compiled interface has parameters {names}")
    out = []
    if interface.num_workgroups is not None:
        out.append((interface.num_workgroups, 12, "3I", "x, y, z"))
    len_size = struct.calcsize("<" + len_code)
    for i, (p, ip) in enumerate(zip(kernel.params, interface.params, strict=True)):
        if isinstance(p.type, ArrayType):
            if "ptr" in ip.fields:
                out.append((ip.fields["ptr"], 8, "Q", f"v{i}._ptr"))
            if "len" in ip.fields:
                out.append((ip.fields["len"], len_size, len_code, f"v{i}._len"))
            continue
        dtype = p.type.dtype
        if dtype.itemsize != ip.size:
            raise RuntimeError(
                f"{kernel.name}: parameter {p.name} is {dtype.itemsize} bytes, the interface says {ip.size}"
            )
        code = STRUCT_CODES.get((dtype.kind, dtype.itemsize)) if isinstance(p.type, ScalarType) else None
        out.append((ip.offset, ip.size, code or f"{ip.size}s", f"v{i}"))
    return sorted(out)


def block_struct(kernel: Any, interface: Interface, len_code: str = "Q") -> tuple[struct.Struct, list[str]]:
    """A `struct.Struct` laying the block's fields out at the interface's offsets, and their expressions."""
    fmt, pos, exprs = "<", 0, []
    for offset, size, code, expr in _fields(kernel, interface, len_code):
        if offset < pos:
            raise RuntimeError(f"{kernel.name}: overlapping argument fields in {interface}")
        fmt += "x" * (offset - pos) + code
        pos = offset + size
        exprs.append(expr)
    if interface.block_size < pos:
        raise RuntimeError(f"{kernel.name}: the argument block ({interface.block_size} bytes) is too small")
    return struct.Struct(fmt + "x" * (interface.block_size - pos)), exprs


def fast_test(var: str, t: Any, i: int, env: dict[str, Any]) -> str | None:
    """An inline expression true when argument `var` needs no conversion for a parameter of type `t`."""
    if isinstance(t, ArrayType):
        env[f"K{i}"] = layout_key(*element_layout(t.element))
        return (
            f"type({var}) is Buffer and {var}.backend is backend and {var}._elem_key == K{i} "
            f"and {var}._storage"
        )
    if isinstance(t, ScalarType):
        if t.is_bool:
            return f"type({var}) is bool"
        if t.is_int:
            return f"type({var}) is int and {int(t.min)} <= {var} <= {int(t.max)}"
        if t.bits == 64:
            return f"type({var}) is float"
        env[f"L{i}"] = float(np.finfo(t.dtype).max)
        return f"type({var}) is float and -L{i} <= {var} <= L{i}"
    return None


def generate_record(
    plan: Any,
    kernel: Any,
    backend: Any,
    interface: Interface,
    checkers: Sequence[Callable[[Any], Any]],
    buffer_type: type,
    command: Callable[..., Any],
    *,
    len_code: str = "Q",
    block: str = "ctypes",
    counts: str = "x * y * z",
) -> Callable[..., Any]:
    """Write the plan's `record(grid, args)` as Python source specialised to this kernel and compile it.

    The returned function checks the arguments, packs a fresh block and returns
    `command(plan, block, <counts>, indirect_or_None, args_kept_alive)`. An argument of exactly
    `buffer_type` from `backend` with the right element layout skips its checker.

    The plan chooses the layout details its ABI needs: `len_code` (see `_fields`); `block`: a fresh
    ctypes string buffer (`"ctypes"`, what a native entry reads by address) or `bytes` (`"bytes"`, what
    a GPU backend copies into its upload arena); `counts`: the expression of the workgroup counts
    handed to `command` (`"x * y * z"`, the total, or `"x, y, z"`); for an `Indirect` grid x, y, z are 0.
    """
    if block not in ("ctypes", "bytes"):
        raise ValueError(f"block must be 'ctypes' or 'bytes', not {block!r}")
    params = kernel.params
    wg = interface.workgroup_size
    pack, exprs = block_struct(kernel, interface, len_code)
    env: dict[str, Any] = {
        "Buffer": buffer_type,
        "Command": command,
        "backend": backend,
        "plan": plan,
        "kernel": kernel,
        "arity_error": arity_error,
        "workgroup_counts": workgroup_counts,
        "indirect_counts": indirect_counts,
        # A ready-made array type: instantiating it is ~3x cheaper than create_string_buffer(n).
        "new_block": ctypes.c_char * max(pack.size, 1),
        "pack": pack.pack_into,
        "pack_bytes": pack.pack,
        "WG": wg,
        "MAXG": MAX_WORKGROUPS,
    }
    names = [f"v{i}" for i in range(len(params))]
    lines = [
        "def record(grid, args):",
        f"    if len(args) != {len(params)}:",
        "        raise arity_error(kernel, len(args))",
    ]
    if names:
        lines.append(f"    {', '.join(names)}, = args")
    for i, (p, var) in enumerate(zip(params, names, strict=True)):
        env[f"check{i}"] = checkers[i]
        test = fast_test(var, p.type, i, env)
        if test is None:
            lines.append(f"    {var} = check{i}({var})")
        else:
            lines += [f"    if not ({test}):", f"        {var} = check{i}({var})"]
    lines += [
        "    indirect = None",
        "    if type(grid) is int and 0 <= grid <= MAXG:",
        f"        x, y, z = -(-grid // {wg[0]}), 1, 1",
        "    else:",
        "        counts = workgroup_counts(grid, WG)",
        "        if type(counts) is tuple:",
        "            x, y, z = counts",
        "        else:",
        "            indirect_counts(counts, backend)",
        "            indirect, x, y, z = counts, 0, 0, 0",
    ]
    if block == "ctypes":
        lines += ["    block = new_block()", f"    pack(block, 0, {', '.join(exprs)})"]
    else:
        lines.append(f"    block = pack_bytes({', '.join(exprs)})")
    lines.append(f"    return Command(plan, block, {counts}, indirect, ({''.join(n + ', ' for n in names)}))")
    exec("\n".join(lines), env)  # noqa: S102 - source generated above from the kernel's parameter types
    return env["record"]


__all__ = [
    "NUM_WORKGROUPS",
    "STRUCT_CODES",
    "block_struct",
    "fast_test",
    "generate_record",
    "interface_of_dtype",
]
