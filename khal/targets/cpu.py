"""The CPU target: a kernel's LLVM IR -> host machine code at O3, JIT-compiled, behind a C entry.

The kernel function (the CPU ABI of `khal-cpu-workgroup-loops` after `convert-khal-to-llvm`) is

    void @k(<params>, i32 wg_begin, i32 wg_end, i32 nwg_x, i32 nwg_y, i32 nwg_z)

with every array parameter expanded to `(ptr data, i64 len)`. This module adds the entry the runtime
calls through ctypes,

    void @k__entry(ptr args, i32 wg_begin, i32 wg_end)

which reads the parameters and the workgroup counts from a packed argument block laid out as the
kernel's `Interface` says (`khal-cpu-lower-abi` decided it and wrote it as `khal.interface` on the
function; `CpuArtifact.args_dtype` is the same layout as a numpy dtype): an array `a` is the fields
`a.ptr` and `a.len` (u64 each), a value parameter `x` is stored by value with numpy's alignment
(vectors packed, structs numpy-aligned), and `__num_workgroups` is 3 x u32. The module is then
optimised at O3 for the host CPU with the loop and SLP vectorisers on, and compiled by MCJIT; the
engine stays alive as long as the artifact does. `CpuTarget` is this module's entry in the target
registry (`khal.targets`).

ctypes' `CFUNCTYPE` releases the GIL while native code runs, so several Python threads calling
`CpuArtifact.call` on disjoint workgroup ranges run in parallel (`Cpu(parallel=True)`).

A compiled artifact can be rebuilt without xDSL from `CpuArtifact.record()` (the optimised IR, the
host object code and the layout): `load_artifact(record)` skips optimisation and, when the object
code is there, code generation too.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import llvmlite.binding as llvm
import numpy as np

from khal import types as kt
from khal.passes import LLVM_LOWERING
from khal.targets import (
    Artifact,
    Interface,
    ParamInterface,
    Stage,
    Target,
    kernel_interface_attr,
)

if TYPE_CHECKING:
    from llvmlite import ir
    from xdsl.dialects.builtin import ModuleOp

ENTRY_SUFFIX = "__entry"
NUM_WORKGROUPS = "__num_workgroups"
# Bump when the meaning of a record changes (layout rules, entry signature).
RECORD_VERSION = 2

EntryFunction = Callable[[int, int, int], None]
_ENTRY_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32)

_init_lock = threading.Lock()
# LLVM's global context (parsing, optimisation, code generation) is not thread-safe, and llvmlite
# releases the GIL: one compilation at a time. Running compiled code needs no lock.
_compile_lock = threading.RLock()
_initialised = False


def _fork_locks() -> list[Any]:
    """The locks a compile holds, outermost first: khal's, then llvmlite's own around each LLVM call.

    llvmlite has no public handle on its lock (`ffi.lib._lock`, a re-entrant context manager); without
    it only khal's locks are taken.
    """
    llvmlite_lock = getattr(getattr(llvm.ffi, "lib", None), "_lock", None)
    return [_compile_lock, _init_lock, *([llvmlite_lock] if llvmlite_lock is not None else [])]


def _acquire_before_fork() -> None:
    """Wait until no thread is inside a compile or an LLVM call, and keep them out until the fork is done.

    A child has only the forking thread: a lock another thread held at `fork` would stay held there
    forever (the child's next compile would deadlock), and LLVM's own state could be half-updated.
    Taking the locks here, in the order a compile takes them, makes the fork wait for a consistent point.
    """
    for lock in _fork_locks():
        lock.__enter__()


def _release_after_fork() -> None:
    """Release what `_acquire_before_fork` took (in the parent and in the child: this thread owns them)."""
    for lock in reversed(_fork_locks()):
        lock.__exit__(None, None, None)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_acquire_before_fork,
        after_in_parent=_release_after_fork,
        after_in_child=_release_after_fork,
    )


def _initialise() -> None:
    """Initialise LLVM's native target once per process."""
    global _initialised
    with _init_lock:
        if not _initialised:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            _initialised = True


def host_target_machine() -> llvm.TargetMachine:
    """A fresh target machine for this host's CPU and features at O3 (MCJIT takes ownership of one)."""
    _initialise()
    with _compile_lock:
        target = llvm.Target.from_default_triple()
        return target.create_target_machine(
            cpu=llvm.get_host_cpu_name(),
            features=llvm.get_host_cpu_features().flatten(),
            opt=3,
            codemodel="jitdefault",
        )


# --------------------------------------------------------------------------- argument layout


@dataclass(frozen=True)
class Param:
    """A kernel parameter as the argument block sees it: a name and a language type."""

    name: str
    type: kt.KhalType


def _as_params(params: Sequence[Any]) -> list[Param]:
    """Accept `(name, type)` pairs or objects with `.name` and `.type` (the frontend's parameters)."""
    out: list[Param] = []
    for p in params:
        if isinstance(p, tuple):
            name, t = p  # pyright: ignore[reportUnknownVariableType]
        else:
            name, t = p.name, p.type
        out.append(Param(str(name), t))  # pyright: ignore[reportUnknownArgumentType]
    return out


def args_dtype_of(params: Sequence[Param]) -> np.dtype[Any]:
    """The numpy structured dtype of the argument block of a kernel with `params`."""
    fields: list[tuple[str, Any]] = []
    for p in params:
        if isinstance(p.type, kt.ArrayType):
            fields += [(f"{p.name}.ptr", np.uint64), (f"{p.name}.len", np.uint64)]
        else:
            fields.append((p.name, p.type.dtype))
    fields.append((NUM_WORKGROUPS, (np.uint32, (3,))))
    return np.dtype(fields, align=True)


def _params_from_signature(fn: llvm.ValueRef) -> list[Param]:
    """Parameters guessed from an LLVM signature alone: `(ptr, i64)` pairs are arrays.

    Used when the caller gives no parameter list; names are the LLVM argument names or `argN`.
    """
    args = list(fn.arguments)[:-5]
    out: list[Param] = []
    i = 0
    while i < len(args):
        a = args[i]
        name = a.name or f"arg{len(out)}"
        if a.type.is_pointer:
            if i + 1 >= len(args) or str(args[i + 1].type) != "i64":
                raise ValueError(f"{fn.name}: pointer parameter {name} is not followed by its i64 length")
            out.append(Param(name.removesuffix(".ptr").removesuffix("_ptr"), kt.ArrayType(kt.u8)))
            i += 2
            continue
        out.append(Param(name, _khal_type_of(a.type, name)))
        i += 1
    return out


def _khal_type_of(t: llvm.TypeRef, where: str) -> kt.KhalType:
    text = str(t)
    scalars = {"float": kt.f32, "double": kt.f64, "half": kt.f16, "i1": kt.bool_}
    if text in scalars:
        return scalars[text]
    if text in ("i8", "i16", "i32", "i64"):
        return kt.ScalarType(f"i{text[1:]}", "i", int(text[1:]))
    if t.is_vector or t.is_array:
        base = _khal_type_of(_elements(t)[0], where)
        if isinstance(base, kt.VectorType) and base.size == t.element_count and base.element == kt.f32:
            return kt.MatrixType(f"Mat{base.size}", base.size)  # columns of a square matrix
        if not isinstance(base, kt.ScalarType):
            raise ValueError(f"parameter {where}: no argument-block layout for LLVM type {text}")
        return kt.vector_of(base, t.element_count)
    if t.is_struct:
        fields = tuple((f"f{i}", _khal_type_of(e, where)) for i, e in enumerate(_elements(t)))
        return kt.StructType(t.name or "anon", fields)
    raise ValueError(f"parameter {where}: no argument-block layout for LLVM type {text}")


def _elements(t: llvm.TypeRef) -> list[llvm.TypeRef]:
    """The element types of an aggregate, one per element (LLVM lists an array's type once)."""
    elements = list(t.elements)
    if t.is_array or t.is_vector:
        return elements[:1] * t.element_count
    return elements


# --------------------------------------------------------------------------- the entry


class _EntryWriter:
    """Writes the LLVM IR of `@k__entry`: loads from the argument block, then the call."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.n = 0

    def tmp(self) -> str:
        self.n += 1
        return f"%t{self.n}"

    def load(self, llvm_type: str, offset: int, align: int) -> str:
        ptr, value = self.tmp(), self.tmp()
        self.lines.append(f"  {ptr} = getelementptr inbounds i8, ptr %args, i64 {offset}")
        self.lines.append(f"  {value} = load {llvm_type}, ptr {ptr}, align {align}")
        return value

    def value(self, t: llvm.TypeRef, leaves: list[int], where: str) -> str:
        """Load a value of LLVM type `t` whose scalars lie at `leaves` (consumed from the front)."""
        text = _type_text(t)
        if not (t.is_vector or t.is_array or t.is_struct):
            if not leaves:
                raise ValueError(f"parameter {where}: the layout has fewer scalars than LLVM {text}")
            offset = leaves.pop(0)
            if text == "i1":  # a bool is one byte in the block, like numpy's
                bit = self.tmp()
                self.lines.append(f"  {bit} = icmp ne i8 {self.load('i8', offset, 1)}, 0")
                return bit
            return self.load(text, offset, max(1, t.type_width // 8))
        elements = _elements(t)
        if t.is_vector:
            step = elements[0].type_width // 8
            run = leaves[: len(elements)]
            if len(run) == len(elements) and run == [run[0] + i * step for i in range(len(run))]:
                # Packed, as a vector's store size is: one load.
                del leaves[: len(elements)]
                return self.load(text, run[0], max(1, step))
        value = "poison"
        for i, e in enumerate(elements):
            element = self.value(e, leaves, f"{where}[{i}]")
            new = self.tmp()
            if t.is_vector:
                self.lines.append(f"  {new} = insertelement {text} {value}, {e} {element}, i32 {i}")
            else:
                self.lines.append(f"  {new} = insertvalue {text} {value}, {_type_text(e)} {element}, {i}")
            value = new
        return value


def _type_text(t: llvm.TypeRef) -> str:
    """How IR text names type `t` (a named struct prints its body otherwise)."""
    if t.is_struct and not t.is_literal_struct and t.name:
        return f'%"{t.name}"'
    return str(t)


def _entry_ir(fn: llvm.ValueRef, interface: Interface) -> str:
    """The text of `@<fn>__entry`, to append to the module that defines `@<fn>`."""
    arg_types = [a.type for a in fn.arguments]
    if len(arg_types) < 5 or any(str(t) != "i32" for t in arg_types[-5:]):
        raise ValueError(f"@{fn.name} does not end with the five i32 workgroup parameters of the CPU ABI")
    writer = _EntryWriter()
    values: list[str] = []
    i = 0
    for p in interface.params:
        if i >= len(arg_types) - 5:
            raise ValueError(f"@{fn.name} has fewer LLVM parameters than the kernel's (none for {p.name})")
        if p.kind == "array":
            ptr_t, len_t = arg_types[i], arg_types[i + 1] if i + 1 < len(arg_types) else None
            if not ptr_t.is_pointer or len_t is None or str(len_t) != "i64":
                raise ValueError(f"@{fn.name}: array parameter {p.name} should arrive as (ptr, i64)")
            data = writer.load("ptr", p.fields["ptr"], 8)
            length = writer.load("i64", p.fields["len"], 8)
            values += [f"ptr {data}", f"i64 {length}"]
            i += 2
        else:
            leaves = list(p.leaves)
            value = writer.value(arg_types[i], leaves, p.name)
            if leaves:
                raise ValueError(f"parameter {p.name}: the layout has more scalars than LLVM {arg_types[i]}")
            values.append(f"{_type_text(arg_types[i])} {value}")
            i += 1
    if i != len(arg_types) - 5:
        raise ValueError(f"@{fn.name} has {len(arg_types) - 5 - i} LLVM parameters more than the kernel's")
    assert interface.num_workgroups is not None
    nwg = [writer.load("i32", interface.num_workgroups + 4 * d, 4) for d in range(3)]
    values += ["i32 %wg_begin", "i32 %wg_end", *(f"i32 {v}" for v in nwg)]
    body = "\n".join(writer.lines)
    return (
        f"\ndefine void @{fn.name}{ENTRY_SUFFIX}"
        "(ptr noalias nocapture readonly %args, i32 %wg_begin, i32 %wg_end) nounwind"
        f" {{\nentry:\n{body}\n  call void @{fn.name}({', '.join(values)})\n  ret void\n}}\n"
    )


# --------------------------------------------------------------------------- the host layout


def _leaves(t: kt.KhalType, offset: int) -> list[int]:
    """The offset of each scalar of a value of type `t` at `offset`, numpy's layout, in IR order."""
    if isinstance(t, kt.ScalarType):
        return [offset]
    if isinstance(t, kt.StructType):
        fields = t.dtype.fields
        assert fields is not None
        return [leaf for name, ft in t.fields for leaf in _leaves(ft, offset + fields[name][1])]
    step = t.element.dtype.itemsize  # pyright: ignore[reportAttributeAccessIssue]
    count = t.dtype.itemsize // step
    return [offset + i * step for i in range(count)]  # vectors and matrices: packed


def host_interface(
    name: str, params: Sequence[Param], workgroup_size: tuple[int, int, int] = (1, 1, 1)
) -> Interface:
    """The interface of a kernel with `params` in numpy's host layout (what `khal-cpu-lower-abi`
    computes from IR types), for modules built without that pass; arrays count as written."""
    dtype = args_dtype_of(params)
    fields = dtype.fields
    assert fields is not None
    out: list[ParamInterface] = []
    for p in params:
        if isinstance(p.type, kt.ArrayType):
            ptr, length = fields[f"{p.name}.ptr"][1], fields[f"{p.name}.len"][1]
            out.append(ParamInterface(p.name, "array", "read_write", ptr, 16, {"ptr": ptr, "len": length}))
        else:
            offset = fields[p.name][1]
            size = p.type.dtype.itemsize
            out.append(
                ParamInterface(p.name, "value", "value", offset, size, {}, tuple(_leaves(p.type, offset)))
            )
    return Interface(
        kernel=name,
        workgroup_size=workgroup_size,
        params=tuple(out),
        block_size=dtype.itemsize,
        block_align=dtype.alignment,
        num_workgroups=fields[NUM_WORKGROUPS][1],
    )


def args_dtype_of_interface(interface: Interface) -> np.dtype[Any]:
    """A numpy dtype of the argument block an interface describes (values as raw bytes)."""
    names: list[str] = []
    formats: list[Any] = []
    offsets: list[int] = []
    for p in interface.params:
        if p.kind == "array":
            for part in ("ptr", "len"):
                names.append(f"{p.name}.{part}")
                formats.append(np.uint64)
                offsets.append(p.fields[part])
        else:
            names.append(p.name)
            formats.append(np.dtype(f"V{p.size}"))
            offsets.append(p.offset)
    assert interface.num_workgroups is not None
    names.append(NUM_WORKGROUPS)
    formats.append((np.uint32, (3,)))
    offsets.append(interface.num_workgroups)
    return np.dtype(
        {"names": names, "formats": formats, "offsets": offsets, "itemsize": interface.block_size}
    )


def _dtype_to_json(dtype: np.dtype[Any]) -> Any:
    """numpy's description of `dtype` as JSON values (its tuples become lists)."""
    return json.loads(json.dumps(np.lib.format.dtype_to_descr(dtype)))


def _dtype_from_json(descr: Any) -> np.dtype[Any]:
    """The inverse of `_dtype_to_json`, also after a JSON round trip (which turns tuples into lists)."""

    def fields(d: Any) -> Any:
        if isinstance(d, str):
            return d
        out: list[tuple[Any, ...]] = []
        for name, fmt, *shape in d:
            out.append((name, fields(fmt), *(tuple(s) for s in shape)))
        return out

    return np.lib.format.descr_to_dtype(fields(descr))


# --------------------------------------------------------------------------- the artifact


@dataclass
class CpuArtifact:
    """A kernel JIT-compiled for this host: call `call(args_ptr, wg_begin, wg_end)`.

    `args_ptr` is the address of an argument block laid out as `interface` says (`args_dtype` is
    the same layout as a numpy dtype). The execution engine (and so the code) lives as long as this
    object.
    """

    name: str
    args_dtype: np.dtype[Any]
    llvm_ir: str
    """The optimised LLVM IR that was compiled."""
    entry_address: int
    call: EntryFunction
    interface: Interface
    object_code: bytes | None = None
    """The host object file MCJIT produced (None when it was loaded from a cache without one)."""
    _engine: llvm.ExecutionEngine | None = field(default=None, repr=False)
    _asm: str | None = field(default=None, repr=False)

    @property
    def entry_name(self) -> str:
        """The symbol of the C entry."""
        return self.name + ENTRY_SUFFIX

    @property
    def asm(self) -> str:
        """The host assembly of the optimised module (generated on first use)."""
        if self._asm is None:
            with _compile_lock:
                module = llvm.parse_assembly(self.llvm_ir)
                self._asm = host_target_machine().emit_assembly(module)
        return self._asm

    def record(self) -> dict[str, Any]:
        """What `load_artifact` rebuilds this artifact from without the compiler (JSON values, bytes)."""
        return {
            "cpu_record_version": RECORD_VERSION,
            "kernel": self.name,
            "llvm_ir": self.llvm_ir,
            "object_code": self.object_code,
            "args_dtype": _dtype_to_json(self.args_dtype),
            "interface": self.interface.to_json(),
            "host": host_description(),
        }

    def run(self, args: np.ndarray, wg_begin: int, wg_end: int) -> None:
        """Run workgroups [wg_begin, wg_end) with `args`, a one-element array of `args_dtype`."""
        if args.dtype != self.args_dtype or args.size != 1:
            raise ValueError(f"{self.name}: expected one element of {self.args_dtype}, got {args.dtype}")
        self.call(args.ctypes.data, wg_begin, wg_end)


@functools.cache
def host_description() -> str:
    """The host CPU and features the code is compiled for (part of any cache key)."""
    _initialise()
    features = llvm.get_host_cpu_features().flatten()
    return f"{llvm.get_host_cpu_name()} {features} llvm {llvm.llvm_version_info}"


def _module_text(module: ir.Module | llvm.ModuleRef | str) -> str:
    return module if isinstance(module, str) else str(module)


def optimise(module: llvm.ModuleRef, tm: llvm.TargetMachine) -> None:
    """LLVM's O3 pipeline for `tm`, with loop and SLP vectorisation, unrolling and interleaving on."""
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pto.loop_unrolling = True
    pto.loop_interleaving = True
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(module, pb)


def build_artifact(
    module: ir.Module | llvm.ModuleRef | str,
    kernel_name: str,
    params: Sequence[Any] | None = None,
    interface: Interface | None = None,
) -> CpuArtifact:
    """Add the C entry to `module`, optimise it at O3 for this host and JIT-compile it.

    `module` is an llvmlite `ir.Module`, a parsed module or LLVM IR text holding `@<kernel_name>` in
    the CPU ABI. The argument block is laid out as `interface` says (what `khal-cpu-lower-abi`
    wrote); without one, from `params` (`(name, type)` pairs or objects with `.name`/`.type`,
    language types from `khal.types`) in numpy's host layout; without either, names and types are
    guessed from the LLVM signature.
    """
    with _compile_lock:
        return _build(module, kernel_name, params, interface)


def _build(
    module: ir.Module | llvm.ModuleRef | str,
    kernel_name: str,
    params: Sequence[Any] | None,
    interface: Interface | None,
) -> CpuArtifact:
    _initialise()
    text = _module_text(module)
    # Parsed once to read the kernel's signature, then again with the entry appended: the entry names
    # the module's own types, which a separately parsed module could not.
    probe = llvm.parse_assembly(text)
    fn = probe.get_function(kernel_name)
    if interface is None:
        plist = _params_from_signature(fn) if params is None else _as_params(params)
        interface = host_interface(kernel_name, plist)
        dtype = args_dtype_of(plist)
    else:
        dtype = args_dtype_of_interface(interface)
    mod = llvm.parse_assembly(text + _entry_ir(fn, interface))
    entry = kernel_name + ENTRY_SUFFIX
    # Only the entry is called from outside: everything else may be inlined and dropped.
    for f in mod.functions:
        if not f.is_declaration and f.name != entry:
            f.linkage = llvm.Linkage.internal
    tm = host_target_machine()
    mod.triple = tm.triple
    mod.data_layout = str(tm.target_data)
    mod.verify()
    optimise(mod, tm)
    text = str(mod)
    return _jit(kernel_name, dtype, interface, text, mod, tm, None)


def load_artifact(record: dict[str, Any]) -> CpuArtifact:
    """Rebuild a `CpuArtifact` from `CpuArtifact.record()` (no xDSL, no optimisation).

    With the record's object code, MCJIT loads it instead of generating code again; a record made on
    another host (different CPU or features) is recompiled from its IR.
    """
    if record.get("cpu_record_version") != RECORD_VERSION:
        raise ValueError("CPU artifact record of another format; compile again")
    _initialise()
    text: str = record["llvm_ir"]
    obj: bytes | None = record.get("object_code") if record.get("host") == host_description() else None
    interface = Interface.from_json(record["interface"])
    dtype = _dtype_from_json(record["args_dtype"])
    with _compile_lock:
        tm = host_target_machine()
        mod = llvm.parse_assembly(text)
        return _jit(record["kernel"], dtype, interface, text, mod, tm, obj)


def _jit(
    name: str,
    dtype: np.dtype[Any],
    interface: Interface,
    text: str,
    mod: llvm.ModuleRef,
    tm: llvm.TargetMachine,
    obj: bytes | None,
) -> CpuArtifact:
    engine = llvm.create_mcjit_compiler(mod, tm)
    compiled: list[bytes] = []
    engine.set_object_cache(
        notify_func=lambda _module, buffer: compiled.append(buffer),  # pyright: ignore[reportUnknownLambdaType]
        getbuffer_func=lambda _module: obj,  # pyright: ignore[reportUnknownLambdaType]
    )
    engine.finalize_object()
    address = engine.get_function_address(name + ENTRY_SUFFIX)
    if not address:
        raise RuntimeError(f"the JIT produced no symbol {name}{ENTRY_SUFFIX}")
    call = _ENTRY_TYPE(address)
    return CpuArtifact(
        name=name,
        args_dtype=dtype,
        llvm_ir=text,
        entry_address=address,
        call=call,  # pyright: ignore[reportArgumentType]
        interface=interface,
        object_code=compiled[0] if compiled else obj,
        _engine=engine,
    )


# --------------------------------------------------------------------------- the target


class CpuTarget(Target):
    """This host's CPU: workgroup loops, the CPU argument ABI, the llvm dialect, O3 and MCJIT.

    Stages: `llvm` (the llvm dialect translated by `khal.targets.llvm`) and `llvm-opt` (the module
    with its C entry, optimised for this host: what runs). The artifact's `native` is the
    `CpuArtifact` the CPU backend calls.
    """

    name = "cpu"
    lowering = ",".join(["khal-cpu-workgroup-loops", "khal-cpu-lower-abi", *LLVM_LOWERING])
    stages = (Stage("llvm", ext="ll"), Stage("llvm-opt", ext="ll"))
    llvm_ir_stage = "llvm-opt"

    def options_key(self) -> str:
        """The host CPU, its features and the LLVM version."""
        return host_description()

    def finish(
        self, module: ModuleOp, on_stage: Callable[[Stage, str | bytes], None] | None = None
    ) -> Artifact:
        """Translate the llvm-dialect `module`, add the entry its `khal.interface` describes, JIT it."""
        from khal.targets import interface_from_attr
        from khal.targets.llvm import translate_module

        name, attr = kernel_interface_attr(module, "CPU", "khal-cpu-lower-abi")
        interface = interface_from_attr(attr, name)
        llvm_module = str(translate_module(module))
        if on_stage is not None:
            on_stage(self.stages[0], llvm_module)
        native = build_artifact(llvm_module, name, interface=interface)
        if on_stage is not None:
            on_stage(self.stages[1], native.llvm_ir)
        return self._artifact(native, llvm_module)

    def _artifact(self, native: CpuArtifact, llvm_module: str) -> Artifact:
        record = {**native.record(), "llvm": llvm_module}
        asm: dict[str, str | bytes] = {"llvm": llvm_module, "llvm-opt": native.llvm_ir}
        return Artifact(self.name, native.name, native.interface, asm, native, record)

    def load(self, record: dict[str, Any]) -> Artifact:
        """The artifact of a cache record: llvmlite only."""
        return self._artifact(load_artifact(record), record["llvm"])

    def emit(self, module: ModuleOp, stage: str) -> str | bytes:
        """`khal-opt -t llvm`: the LLVM IR of `module`; `-t llvm-opt`: what would run.

        A module still holding a `khal.kernel` runs the whole pipeline first (after the common
        prefix where it was not run); one past the workgroup loops but not yet in the llvm dialect
        runs the LLVM lowering; an llvm-dialect module is translated as it is.
        """
        from khal.dialects.khal import KernelOp
        from khal.targets.llvm import translate_module

        self.stage(stage)
        ops = list(module.walk())
        if any(isinstance(op, KernelOp) for op in ops):
            passes = self.passes()
        elif any(op.dialect_name() not in ("llvm", "builtin") for op in ops if op is not module):
            passes = _llvm_lowering_passes()
        else:
            passes = []
        from khal.dialects import context

        ctx = context()
        for p in passes:
            p.apply(ctx, module)
        if stage == "llvm-opt":
            return self.finish(module).asm[stage]
        return str(translate_module(module))


def _llvm_lowering_passes() -> list[Any]:
    from xdsl.passes import PassPipeline

    from khal.passes import all_passes

    return list(PassPipeline.parse_spec(all_passes(), ",".join(LLVM_LOWERING)).passes)


__all__ = [
    "CpuArtifact",
    "CpuTarget",
    "host_interface",
    "Param",
    "args_dtype_of",
    "build_artifact",
    "host_description",
    "host_target_machine",
    "load_artifact",
    "optimise",
]
