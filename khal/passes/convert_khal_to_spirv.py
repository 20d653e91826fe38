"""`convert-khal-to-spirv`: from khal IR after the common prefix and `khal-spirv-lower-abi` to `spirv`.

Each `khal.kernel` becomes one `spirv.module` (SPIR-V 1.3, Shader, Logical GLSL450) holding:

- the uniform block (always; binding `len(params)`), declared as an array of uvec4 words and read by
  32-bit word (floats bitcast, a bool a byte), so its layout is numpy's host layout, not std140: the
  logical workgroup counts, each array's u32 count (what `len(a)` reads) and the value parameters,
  assembled on entry into scalars, vectors, matrices and structs;
- per array parameter, a StorageBuffer variable at the binding `khal.interface` gives it (NonWritable
  when the kernel only reads it): a runtime array of its 32-bit scalars, or, for vectors, matrices and
  structs, of 32-bit words read and written by scalar leaf at numpy's offsets (`Array[Vec3]` keeps its
  12-byte rows);
- per builtin the kernel reads, an Input variable (listed in the entry point's interface);
- per `khal.workgroup_alloc`, a Workgroup variable (composite elements as SPIR-V composites);
- the kernel as `spirv.func @<kernel>` carrying `khal.interface`, its EntryPoint and LocalSize.

On entry the grid is unfolded (`grid`): when the block's counts are non-zero the runtime folded a grid
past 65535 workgroups per dimension into y/z; the logical workgroup id is recovered from the linear one
and a workgroup past the logical grid returns before any user code.

Composite values are SPIR-V composites: vectors, matrices (`vector<CxRxf32>`, OpTypeMatrix; khal
lowers matrix arithmetic to column ops) and structs (a `spirv.struct` without layout); `vector.*` and
the struct ops map to CompositeConstruct/Extract/Insert and VectorShuffle, a dynamic component goes
through a Function variable.

Structured control flow maps to `spirv.mlir.selection`/`spirv.mlir.loop`. Values that leave a region
(`scf.if` results, loop-carried values) go through Function variables (`spirv.Variable`), the shape
glslang emits at -O0 and the one naga reads most reliably; no OpPhi is emitted. A `while` loop is
`header -> cond -> body -> continue -> header`, the condition being a conditional break out of the
loop, so the condition may itself hold selections (short-circuit `and`/`or`).

Integers are `i32`/`i64`, SPIR-V's `OpTypeInt N 0`: khal IR is signless (the signedness lives in the
ops, which map 1:1: `divsi` -> `SDiv`, `cmpi ult` -> `ULessThan`, ...). f16, f64 and 64-bit ints are
native (capabilities Float16, Float64, Int64); i8/i16 (and bool arrays, i8 in khal IR) live in i32
registers, zero-extended and masked after each op that could leave the width (numpy's wrap-around),
sign-extended before each signed op; arrays of 8/16-bit elements (and of f16) are arrays of 32-bit
words, stored with an atomic and + or so that neighbours in one word never race. The f64 functions
GLSL.std.450 only defines for 16/32-bit floats (exp, exp2, log, log2, pow, sin, cos, tan, tanh, asin,
acos, atan, atan2), and f64 fma (GLSL's need not be fused), are f64 expansions (`spirv_f64_math`);
f64 trunc and roundeven keep IEEE's signed zeros (`f64_rounding`). Every wgpu
feature the module needs (`shader-f16`, `shader-f64`, `shader-int64`, `subgroup`, `shader-float32-atomic`)
is recorded with the located first use in the interface's `requires`; the runtime checks it against its
adapter. `atomic_compare_exchange` is a located `CompileError` (naga refuses its result, see `cmpxchg`),
and so is anything else not lowered yet; `print` is dropped (API.md).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, scf, vector
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AnyFloat,
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    FunctionType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    VectorType,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from khal.dialects import khal, spirv
from khal.dialects.spirv_tables import (
    BuiltIn,
    Capability,
    ExecutionMode,
    GroupOperation,
    MemorySemantics,
    Scope,
    StorageClass,
)
from khal.errors import CompileError
from khal.passes.cpu_lower_abi import value_layout
from khal.passes.diagnostics import op_error
from khal.passes.spirv_lower_abi import INTERFACE_ATTR

SPIRV_VERSION = (1, 3)  # StorageBuffer needs 1.3 (NOTES.md); 1.3 entry points list Input variables only

_BUILTINS: dict[type[Operation], BuiltIn] = {
    khal.GlobalInvocationIdOp: BuiltIn.GlobalInvocationId,
    khal.LocalInvocationIdOp: BuiltIn.LocalInvocationId,
    khal.WorkgroupIdOp: BuiltIn.WorkgroupId,
    khal.NumWorkgroupsOp: BuiltIn.NumWorkgroups,
}
_DIMS = {"x": 0, "y": 1, "z": 2}

# Ops with one spirv counterpart taking the same operands (same result type, or i1 for comparisons).
_SAME: dict[str, type[Operation]] = {
    "arith.addi": spirv.IAddOp,
    "arith.subi": spirv.ISubOp,
    "arith.muli": spirv.IMulOp,
    "arith.divsi": spirv.SDivOp,
    "arith.divui": spirv.UDivOp,
    "arith.remsi": spirv.SRemOp,
    "arith.remui": spirv.UModOp,
    "arith.shli": spirv.ShiftLeftLogicalOp,
    "arith.shrui": spirv.ShiftRightLogicalOp,
    "arith.shrsi": spirv.ShiftRightArithmeticOp,
    "arith.addf": spirv.FAddOp,
    "arith.subf": spirv.FSubOp,
    "arith.mulf": spirv.FMulOp,
    "arith.divf": spirv.FDivOp,
    "arith.remf": spirv.FRemOp,
    "arith.negf": spirv.FNegateOp,
    "arith.maximumf": spirv.GLFMaxOp,
    "arith.minimumf": spirv.GLFMinOp,
    "arith.maxnumf": spirv.GLFMaxOp,
    "arith.minnumf": spirv.GLFMinOp,
    "arith.maxsi": spirv.GLSMaxOp,
    "arith.minsi": spirv.GLSMinOp,
    "arith.maxui": spirv.GLUMaxOp,
    "arith.minui": spirv.GLUMinOp,
    "math.sqrt": spirv.GLSqrtOp,
    "math.rsqrt": spirv.GLInverseSqrtOp,
    "math.exp": spirv.GLExpOp,
    "math.exp2": spirv.GLExp2Op,
    "math.log": spirv.GLLogOp,
    "math.log2": spirv.GLLog2Op,
    "math.sin": spirv.GLSinOp,
    "math.cos": spirv.GLCosOp,
    "math.tan": spirv.GLTanOp,
    "math.tanh": spirv.GLTanhOp,
    "math.asin": spirv.GLAsinOp,
    "math.acos": spirv.GLAcosOp,
    "math.atan": spirv.GLAtanOp,
    "math.atan2": spirv.GLAtan2Op,
    "math.powf": spirv.GLPowOp,
    "math.absf": spirv.GLFAbsOp,
    "math.absi": spirv.GLSAbsOp,
    "math.floor": spirv.GLFloorOp,
    "math.ceil": spirv.GLCeilOp,
    "math.roundeven": spirv.GLRoundEvenOp,
    "math.trunc": spirv.GLTruncOp,
    "math.fma": spirv.GLFmaOp,
}
# i1 and integer forms of the bitwise ops.
_BITWISE: dict[str, tuple[type[Operation], type[Operation]]] = {
    "arith.andi": (spirv.LogicalAndOp, spirv.BitwiseAndOp),
    "arith.ori": (spirv.LogicalOrOp, spirv.BitwiseOrOp),
    "arith.xori": (spirv.LogicalNotEqualOp, spirv.BitwiseXorOp),
}
_CMPI: dict[str, type[Operation]] = {
    "eq": spirv.IEqualOp,
    "ne": spirv.INotEqualOp,
    "slt": spirv.SLessThanOp,
    "sle": spirv.SLessThanEqualOp,
    "sgt": spirv.SGreaterThanOp,
    "sge": spirv.SGreaterThanEqualOp,
    "ult": spirv.ULessThanOp,
    "ule": spirv.ULessThanEqualOp,
    "ugt": spirv.UGreaterThanOp,
    "uge": spirv.UGreaterThanEqualOp,
}
_CMPI_NAMES = ("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")
_CMPF: dict[int, type[Operation]] = {
    1: spirv.FOrdEqualOp,
    2: spirv.FOrdGreaterThanOp,
    3: spirv.FOrdGreaterThanEqualOp,
    4: spirv.FOrdLessThanOp,
    5: spirv.FOrdLessThanEqualOp,
    6: spirv.FOrdNotEqualOp,
    13: spirv.FUnordNotEqualOp,
}
_CMPF_ORD, _CMPF_UNO = 7, 14
# Unordered predicates (ueq ugt uge ult ule une) as the negation of the ordered one (one ole olt oge ogt oeq).
_UNORDERED: dict[int, int] = {8: 6, 9: 5, 10: 4, 11: 3, 12: 2, 13: 1}
_SI32 = IntegerType(32, Signedness.SIGNED)
# Ops whose meaning depends on the sign, done on si32 (see `_KernelLowering.signed`). Signed comparisons
# too: lavapipe compares `OpTypeInt 32 0` operands of OpSLessThan as signed, as SPIR-V says, but NVIDIA's
# Vulkan driver (580, through naga) compared them as unsigned, so `r ^ b < 0` in Python's floored `//`/`%`
# was always false there. The shape glslang emits (signed operands) is right on both.
_SIGNED: frozenset[type[Operation]] = frozenset(
    {
        spirv.SLessThanOp,
        spirv.SLessThanEqualOp,
        spirv.SGreaterThanOp,
        spirv.SGreaterThanEqualOp,
        spirv.SDivOp,
        spirv.SRemOp,
        spirv.SModOp,
        spirv.SNegateOp,
        spirv.ShiftRightArithmeticOp,
        spirv.GLSMaxOp,
        spirv.GLSMinOp,
        spirv.GLSAbsOp,
        spirv.ConvertSToFOp,
        spirv.ConvertFToSOp,
    }
)
_CONVERT: dict[str, type[Operation]] = {
    "arith.sitofp": spirv.ConvertSToFOp,
    "arith.uitofp": spirv.ConvertUToFOp,
    "arith.fptosi": spirv.ConvertFToSOp,
    "arith.fptoui": spirv.ConvertFToUOp,
    "arith.bitcast": spirv.BitcastOp,
}
_CONVERSIONS = frozenset({*_CONVERT.values(), spirv.SConvertOp, spirv.UConvertOp})
_ATOMICS: dict[str, type[Operation]] = {
    "add": spirv.AtomicIAddOp,
    "sub": spirv.AtomicISubOp,
    "min": spirv.AtomicSMinOp,
    "max": spirv.AtomicSMaxOp,
    "umin": spirv.AtomicUMinOp,
    "umax": spirv.AtomicUMaxOp,
    "and": spirv.AtomicAndOp,
    "or": spirv.AtomicOrOp,
    "xor": spirv.AtomicXorOp,
    "xchg": spirv.AtomicExchangeOp,
}
_SUBGROUP_FLOAT: dict[str, type[Operation]] = {
    "add": spirv.GroupNonUniformFAddOp,
    "min": spirv.GroupNonUniformFMinOp,
    "max": spirv.GroupNonUniformFMaxOp,
}
_SUBGROUP_INT: dict[str, type[Operation]] = {
    "add": spirv.GroupNonUniformIAddOp,
    "min": spirv.GroupNonUniformSMinOp,
    "max": spirv.GroupNonUniformSMaxOp,
    "umin": spirv.GroupNonUniformUMinOp,
    "umax": spirv.GroupNonUniformUMaxOp,
}
# GLSL.std.450 takes only 16/32-bit floats for these: f64 expands exp/log/pow, computes the others in f32.
_F32_ONLY: frozenset[type[Operation]] = frozenset(
    {
        spirv.GLExpOp,
        spirv.GLExp2Op,
        spirv.GLLogOp,
        spirv.GLLog2Op,
        spirv.GLSinOp,
        spirv.GLCosOp,
        spirv.GLTanOp,
        spirv.GLTanhOp,
        spirv.GLAsinOp,
        spirv.GLAcosOp,
        spirv.GLAtanOp,
        spirv.GLAtan2Op,
        spirv.GLPowOp,
    }
)
# Narrow-int ops whose 32-bit result may leave the width (masked back); signed ones are masked too.
_WRAPS = frozenset({"arith.addi", "arith.subi", "arith.muli", "arith.shli"})
_WIDTH_CHANGES = frozenset({"arith.extui", "arith.extsi", "arith.trunci", "arith.extf", "arith.truncf"})
_BARRIER_SEMANTICS = {
    "khal.workgroup_barrier": [MemorySemantics.AcquireRelease, MemorySemantics.WorkgroupMemory],
    "khal.storage_barrier": [MemorySemantics.AcquireRelease, MemorySemantics.UniformMemory],
}


def _scalar_type(t: Attribute, op: Operation) -> Attribute:
    """The SPIR-V register type of a khal scalar: i1, i32, i64, f16, f32, f64.

    i8 and i16 live in i32 registers, zero-extended (masked after each op that could carry out of the
    width; sign-extended just before a signed op): naga has no 8-bit ints and wgpu no feature for them.
    """
    if isinstance(t, IntegerType) and t.width.data in (1, 8, 16, 32, 64):
        return IntegerType(t.width.data if t.width.data in (1, 64) else 32)
    if isinstance(t, Float16Type | Float32Type | Float64Type):
        return t
    raise op_error(op, f"type {t} is not supported by the SPIR-V lowering yet (only scalars)")


def _narrow(t: Attribute) -> int:
    """8 or 16 for i8/i16 (held in i32 registers), else 0."""
    if isinstance(t, IntegerType) and t.width.data in (8, 16):
        return t.width.data
    return 0


def _packed(t: Attribute) -> int:
    """The bit width of a type stored as part of 32-bit words in arrays (i8, i16, f16), else 0.

    wgpu has no feature for 8/16-bit storage access, so such arrays are arrays of 32-bit words: a load
    shifts its element out, a store changes only its bits with an atomic and + or on the word (neighbours
    in the same word may be stored by other invocations at the same time).
    """
    return 16 if isinstance(t, Float16Type) else _narrow(t)


def _memory_type(t: Attribute, op: Operation) -> tuple[Attribute, int]:
    """(element type, ArrayStride) of an array of khal scalars `t` in memory."""
    if _packed(t):
        return i32, 4
    st = _scalar_type(t, op)
    return st, 8 if isinstance(st, Float64Type) or st == i64 else 4


def _type_features(t: Attribute) -> list[tuple[str, Capability, str]]:
    """(wgpu feature, SPIR-V capability, what) needed by values of type `t` (or by its leaves)."""
    if isinstance(t, khal.ArrayType | khal.WorkgroupArrayType | VectorType):
        return _type_features(t.element_type)
    if isinstance(t, khal.StructType):
        return [found for _, ft in t.fields for found in _type_features(ft)]
    found = _scalar_feature(t)
    return [] if found is None else [found]


def _scalar_feature(t: Attribute) -> tuple[str, Capability, str] | None:
    """(wgpu feature, SPIR-V capability, what) needed by a scalar of type `t`, if any."""
    if isinstance(t, Float64Type):
        return "shader-f64", Capability.Float64, "f64"
    if isinstance(t, Float16Type):
        return "shader-f16", Capability.Float16, "f16"
    if isinstance(t, IntegerType) and t.width.data == 64:
        return "shader-int64", Capability.Int64, "i64/u64"
    return None


def _value_type(t: Attribute, op: Operation) -> Attribute:
    """The SPIR-V type of a khal value: a scalar (`_scalar_type`), a vector, a matrix (`vector<CxRxf32>`,
    written as OpTypeMatrix of C columns) or a struct (a `spirv.struct` without layout: values only live
    in registers, Function and Workgroup variables; memory with a host layout is read by scalar leaf)."""
    if isinstance(t, VectorType):
        return VectorType(_scalar_type(t.element_type, op), t.get_shape())
    if isinstance(t, khal.StructType):
        return spirv.StructType([_value_type(ft, op) for _, ft in t.fields])
    return _scalar_type(t, op)


def _is_composite(t: Attribute) -> bool:
    return isinstance(t, VectorType | khal.StructType)


def _signed(t: Attribute) -> Attribute:
    """The signed twin of a signless i32/i64 or of a vector of them (naga reads the signedness bit),
    else `t`."""
    if isinstance(t, VectorType):
        element = _signed(t.element_type)
        return t if element == t.element_type else VectorType(element, t.get_shape())
    if isinstance(t, IntegerType) and t.width.data in (32, 64) and t.signedness.data == Signedness.SIGNLESS:
        return IntegerType(t.width.data, Signedness.SIGNED)
    return t


def _field_offsets(t: khal.StructType) -> list[int]:
    """The byte offset of each field of `t` in numpy's aligned layout (`value_layout`'s rule)."""
    offsets, offset = [], 0
    for _, ft in t.fields:
        layout = value_layout(ft)
        offset = -(-offset // layout.align) * layout.align
        offsets.append(offset)
        offset += layout.size
    return offsets


_Put = Callable[[int, SSAValue, "int | None"], None]
"""`put(word, bits, mask)`: store into word `word` of some memory (see `_KernelLowering.write_leaf`)."""


def _no_accurate_f64(op: Operation) -> Exception:
    """The error for an f64 function this lowering has no accurate implementation of (none of the
    math ops the frontend emits today: a guard for new ones)."""
    fn = op.name.removeprefix("math.").removesuffix("f")
    return op_error(
        op,
        f"f64 {fn} has no accurate implementation on the webgpu target yet; compute in f32 or use the "
        "cpu/cuda backend",
    )


class _KernelLowering:
    """Builds the `spirv.module` of one `khal.kernel`: call `run()` once."""

    def __init__(self, kernel: khal.KernelOp, fold: bool = True, flat: bool = False, exact: bool = False):
        self.kernel = kernel
        self.fold = fold  # False: the variant for grids the runtime does not fold (`grid`)
        self.flat = fold and flat  # the variant for folded grids of one row of workgroups (`grid`)
        self.exact = self.flat and exact  # ... whose physical grid has exactly nx workgroups
        self._nx: SSAValue | None = None  # `logical_count_x`
        self.module = spirv.ModuleOp(spirv.VceAttr(SPIRV_VERSION, [Capability.Shader]))
        self.capabilities: list[Capability] = [Capability.Shader]
        self.extensions: list[str] = []
        self.entry = Block()
        self.cur = self.entry
        self.values: dict[SSAValue, SSAValue] = {}
        self.variables: list[Operation] = []  # Function variables, hoisted to the top of the entry block
        self.inputs: dict[BuiltIn, spirv.GlobalVariableOp] = {}
        self.pointers: dict[SSAValue, SSAValue] = {}  # khal array / workgroup array -> its spirv pointer
        self.names: set[str] = set()
        self.block = None  # type: SSAValue | None  # the uniform block's pointer
        self.lens: dict[SSAValue, SSAValue] = {}  # array parameter -> its u32 count, read on entry
        self.ids: dict[tuple[type[Operation], int], SSAValue] = {}  # logical ids, recovered on entry
        self.requires: dict[str, str] = {}
        # Arrays and workgroup arrays that a signed atomic min/max touches: declared with a signed element
        # type, because naga takes an atomic's signedness from its pointer's type, not from the opcode.
        self.signed_memory: set[SSAValue] = {
            op.memory
            for op in kernel.walk()
            if isinstance(op, khal.AtomicRMWOp)
            and str(op.kind.data) in ("min", "max")
            and isinstance(op.value.type, IntegerType)
        }  # wgpu feature -> located message of its first use

    # ----------------------------------------------------------------- helpers

    def emit(self, op: Operation) -> Operation:
        """Append `op` to the block being filled."""
        self.cur.add_op(op)
        return op

    def value(self, v: SSAValue) -> SSAValue:
        """The spirv value standing for khal value `v`."""
        return self.values[v]

    def bind(self, old: SSAValue, new: SSAValue) -> None:
        """Let `new` stand for `old` (keeping its name for readable IR)."""
        if old.name_hint and new.name_hint is None:
            new.name_hint = old.name_hint
        self.values[old] = new

    def symbol(self, hint: str) -> str:
        """A module-unique symbol name based on `hint`."""
        name, n = hint, 0
        while name in self.names:
            n += 1
            name = f"{hint}_{n}"
        self.names.add(name)
        return name

    def global_var(self, hint: str, type: spirv.PointerType, **kw: object) -> SSAValue:
        """A new global variable and its address, taken in the entry block."""
        var = spirv.GlobalVariableOp(self.symbol(hint), type, **kw)  # pyright: ignore[reportArgumentType]
        self.module.body.block.add_op(var)
        addr = spirv.AddressOfOp(var)
        self.entry.add_op(addr)
        return addr.pointer

    def constant(self, value: int, type: Attribute = i32) -> SSAValue:
        """A spirv constant (the writer uniques them)."""
        return self.emit(spirv.ConstantOp(IntegerAttr(value, type))).results[0]

    def local(self, t: Attribute) -> SSAValue:
        """A new Function variable of type `t`."""
        op = spirv.VariableOp(spirv.PointerType(t, StorageClass.Function))
        self.variables.append(op)
        return op.results[0]

    def load(self, ptr: SSAValue) -> SSAValue:
        """The value `ptr` points to."""
        return self.emit(spirv.LoadOp(ptr)).results[0]

    def store(self, ptr: SSAValue, v: SSAValue) -> None:
        """Store `v` where `ptr` points."""
        self.emit(spirv.StoreOp(ptr, v))

    def builtin(self, which: BuiltIn, component: int) -> SSAValue:
        """Component `component` of a uvec3 builtin, loaded where it is used."""
        vec = self.builtin_vector(which)
        return self.emit(spirv.CompositeExtractOp(vec, [component], i32)).results[0]

    def builtin_vector(self, which: BuiltIn) -> SSAValue:
        """A uvec3 builtin, loaded where it is used."""
        if which not in self.inputs:
            t = spirv.PointerType(VectorType(i32, [3]), StorageClass.Input)
            var = spirv.GlobalVariableOp(
                self.symbol(str(which)[0].lower() + str(which)[1:]), t, built_in=which
            )
            self.module.body.block.add_op(var)
            self.inputs[which] = var
        return self.load(self.emit(spirv.AddressOfOp(self.inputs[which])).results[0])

    # ----------------------------------------------------------------- parameters

    def params(self, interface: DictionaryAttr) -> None:
        """Storage buffers for arrays, the uniform block, and the values read from it on entry.

        An array of 32-bit scalars is a runtime array of them (atomics need the typed element); an array
        of vectors, matrices or structs is a runtime array of 32-bit words read and written by scalar leaf
        at numpy's host offsets (`Array[Vec3]` has a 12-byte stride, which no std430 type has).
        """
        entries = interface.data["params"].data  # pyright: ignore[reportAttributeAccessIssue]
        values: list[tuple[SSAValue, int]] = []
        lens: list[tuple[SSAValue, str, int]] = []
        for arg, entry in zip(self.kernel.body.block.args, entries, strict=True):
            d = entry.data
            if d["kind"].data != "array":
                values.append((arg, d["offset"].value.data))
                continue
            assert isinstance(arg.type, khal.ArrayType)
            element = arg.type.element_type
            if _is_composite(element) and value_layout(element).size % 4:
                raise op_error(
                    self.kernel,
                    f"parameter '{d['name'].data}': an array of {element} ({value_layout(element).size}-byte "
                    "elements) is not supported on SPIR-V: composite elements must fill whole 32-bit words",
                )
            stored, stride = (i32, 4) if _is_composite(element) else _memory_type(element, self.kernel)
            if arg in self.signed_memory:
                stored = _signed(stored)
            buffer = spirv.StructType([spirv.RuntimeArrayType(stored, stride)], [0], block=True)
            binding = d["fields"].data["binding"].value.data
            self.pointers[arg] = self.global_var(
                d["name"].data,
                spirv.PointerType(buffer, StorageClass.StorageBuffer),
                binding=(0, binding),
                non_writable=d["access"].data == "read",
            )
            if any(isinstance(use.operation, khal.LenOp) for use in arg.uses):
                lens.append((arg, d["name"].data, d["fields"].data["len"].value.data))
        size = interface.data["block_size"].value.data  # pyright: ignore[reportAttributeAccessIssue]
        words = spirv.ArrayType(size // 16, VectorType(i32, [4]), 16)
        block = spirv.StructType([words], [0], block=True)
        self.block = self.global_var(
            "block", spirv.PointerType(block, StorageClass.Uniform), binding=(0, len(entries))
        )
        for arg, name, offset in lens:
            self.lens[arg] = self.named(self.uniform_word(offset // 4), f"{name}_len")
        self.grid()
        for arg, offset in values:
            if not arg.uses:
                continue
            try:
                self.bind(arg, self.assemble(arg.type, offset, self.uniform_word))
            except CompileError as e:  # name the parameter: block arguments have no source location
                raise op_error(self.kernel, f"parameter '{arg.name_hint}': {e.message}") from None

    def uniform_word(self, index: int) -> SSAValue:
        """Word `index` (i32) of the uniform block, declared as uvec4s so that no std140 rule applies."""
        assert self.block is not None
        t = spirv.PointerType(i32, StorageClass.Uniform)
        chain = [self.constant(0), self.constant(index // 4), self.constant(index % 4)]
        return self.load(self.emit(spirv.AccessChainOp(self.block, chain, t)).results[0])

    # ----------------------------------------------------------------- values by scalar leaf

    def assemble(self, t: Attribute, offset: int, word: Callable[[int], SSAValue]) -> SSAValue:
        """The value of type `t` at byte `offset` of memory in numpy's host layout (`word(i)`: word i)."""
        if isinstance(t, khal.StructType):
            parts = [
                self.assemble(ft, offset + fo, word)
                for (_, ft), fo in zip(t.fields, _field_offsets(t), strict=True)
            ]
        elif isinstance(t, VectorType):
            part = VectorType(t.element_type, t.get_shape()[1:]) if t.get_num_dims() == 2 else t.element_type
            step = value_layout(part).size
            parts = [self.assemble(part, offset + i * step, word) for i in range(t.get_shape()[0])]
        else:
            return self.read_leaf(t, offset, word)
        new = spirv.CompositeConstructOp(parts, _value_type(t, self.kernel))  # pyright: ignore[reportArgumentType]
        return self.emit(new).results[0]

    def scatter(self, t: Attribute, offset: int, value: SSAValue, put: _Put) -> None:
        """Write `value` of type `t` at byte `offset` as its 32-bit words (`put`: see `write_leaf`)."""
        if isinstance(t, khal.StructType):
            parts = list(zip([ft for _, ft in t.fields], _field_offsets(t), strict=True))
        elif isinstance(t, VectorType):
            part = VectorType(t.element_type, t.get_shape()[1:]) if t.get_num_dims() == 2 else t.element_type
            step = value_layout(part).size
            parts = [(part, i * step) for i in range(t.get_shape()[0])]
        else:
            self.write_leaf(t, offset, value, put)
            return
        for i, (pt, po) in enumerate(parts):
            piece = self.emit(spirv.CompositeExtractOp(value, [i], _value_type(pt, self.kernel)))
            self.scatter(pt, offset + po, piece.results[0], put)

    def read_leaf(self, t: Attribute, offset: int, word: Callable[[int], SSAValue]) -> SSAValue:
        """A scalar of type `t` at byte `offset`: 32-bit ints are words, f32 a bitcast word, a bool a byte."""
        if isinstance(t, Float32Type):
            return self.emit(spirv.BitcastOp(word(offset // 4), t)).results[0]
        if isinstance(t, IntegerType) and t.width.data == 32:
            return word(offset // 4)
        if t == IntegerType(1):  # numpy's bool is one byte
            shifted = self.emit(spirv.ShiftRightLogicalOp(word(offset // 4), self.constant(8 * (offset % 4))))
            byte = self.emit(spirv.BitwiseAndOp(shifted.results[0], self.constant(0xFF))).results[0]
            return self.emit(spirv.INotEqualOp(byte, self.constant(0))).results[0]
        return self.read_other_leaf(t, offset, word)

    def read_other_leaf(self, t: Attribute, offset: int, word: Callable[[int], SSAValue]) -> SSAValue:
        """A leaf of another width (8/16/64-bit ints, f16, f64): its bits are read here (an 8/16-bit
        leaf: the word holding it shifted down and masked; a 64-bit one: its two words, low first,
        numpy's alignment keeping them in one uvec4), then `leaf_from_bits` gives them the type."""
        width = t.width.data if isinstance(t, IntegerType) else t.bitwidth  # pyright: ignore[reportAttributeAccessIssue]
        _scalar_type(t, self.kernel)  # the located error for a type not lowered yet comes first
        if width == 64:
            return self.leaf_from_bits([word(offset // 4), word(offset // 4 + 1)], t)
        shifted = self.emit(spirv.ShiftRightLogicalOp(word(offset // 4), self.constant(8 * (offset % 4))))
        mask = self.constant((1 << width) - 1)
        return self.leaf_from_bits([self.emit(spirv.BitwiseAndOp(shifted.results[0], mask)).results[0]], t)

    def leaf_from_bits(self, bits: Sequence[SSAValue], t: Attribute) -> SSAValue:
        """The value of scalar type `t` whose bits are `bits` (u32 words, low first; an 8/16-bit value
        zero-extended). An 8/16-bit int is its zero-extended word (khal keeps i8/i16 in 32-bit registers,
        zero-extended); an f16 is unpacked exactly by UnpackHalf2x16 (naga has no u16 -> f16 bitcast);
        an i64/u64 is `lo | hi << 32`; an f64 is the bitcast of the `vec2<u32>` of its words."""
        if isinstance(t, IntegerType) and t.width.data in (8, 16):
            return bits[0]
        if isinstance(t, Float16Type):
            pair = self.emit(spirv.GLUnpackHalf2x16Op(bits[0])).results[0]
            wide = self.emit(spirv.CompositeExtractOp(pair, [0], Float32Type())).results[0]
            return self.emit(spirv.FConvertOp(wide, t)).results[0]
        assert isinstance(t, IntegerType | Float64Type) and len(bits) == 2
        self.f64_bits_need_int64(t)
        lo, hi = (self.emit(spirv.UConvertOp(w, i64)).results[0] for w in bits)
        up = self.emit(spirv.ShiftLeftLogicalOp(hi, self.constant(32, i64))).results[0]
        value = self.emit(spirv.BitwiseOrOp(lo, up)).results[0]
        return self.emit(spirv.BitcastOp(value, t)).results[0] if isinstance(t, Float64Type) else value

    def f64_bits_need_int64(self, t: Attribute) -> None:
        """An f64 goes to and from its words through i64: naga types a bitcast of a `vec2<u32>` to f64 as
        a vector ("The type of [N] doesn't match the type stored"), so it needs wgpu's `shader-int64`."""
        if isinstance(t, Float64Type):
            self.require(Capability.Int64)
            self.need("shader-int64", self.kernel, "an f64 in host layout (read through its i64 bits)")

    def write_leaf(self, t: Attribute, offset: int, value: SSAValue, put: _Put) -> None:
        """Store scalar `value` of type `t` at byte `offset` as words (`put(i, w, mask)`; `mask`: the bits
        of word i that are the leaf's when it shares the word with others, None when it fills it)."""
        _scalar_type(t, self.kernel)  # the located error for a type not lowered yet comes first
        word = offset // 4
        if isinstance(t, Float32Type):
            put(word, self.emit(spirv.BitcastOp(value, i32)).results[0], None)
        elif isinstance(t, IntegerType) and t.width.data == 32:
            put(word, value, None)
        elif isinstance(t, Float64Type | IntegerType) and value_layout(t).size == 8:
            self.f64_bits_need_int64(t)
            if isinstance(t, Float64Type):
                value = self.emit(spirv.BitcastOp(value, i64)).results[0]
            high = self.emit(spirv.ShiftRightLogicalOp(value, self.constant(32, i64))).results[0]
            for k, part in enumerate((value, high)):
                put(word + k, self.emit(spirv.UConvertOp(part, i32)).results[0], None)
        else:
            width = t.bitwidth if isinstance(t, Float16Type) else t.width.data  # pyright: ignore[reportAttributeAccessIssue]
            width = 8 if width == 1 else width  # numpy's bool is one byte
            bits = self.leaf_bits(t, value)
            shift = 8 * (offset % 4)
            moved = self.emit(spirv.ShiftLeftLogicalOp(bits, self.constant(shift))).results[0]
            put(word, moved, ((1 << width) - 1) << shift)

    def leaf_bits(self, t: Attribute, value: SSAValue) -> SSAValue:
        """The zero-extended bits of an 8/16-bit leaf (bool: 0 or 1; f16: PackHalf2x16's low half)."""
        if t == IntegerType(1):
            return self.emit(spirv.SelectOp(value, self.constant(1), self.constant(0))).results[0]
        if isinstance(t, Float16Type):  # exact: the f32 holds an f16 value
            wide = self.emit(spirv.FConvertOp(value, Float32Type())).results[0]
            zero = self.emit(spirv.ConstantOp(FloatAttr(0.0, Float32Type()))).results[0]
            pair = self.emit(spirv.CompositeConstructOp([wide, zero], VectorType(Float32Type(), [2])))
            return self.emit(spirv.GLPackHalf2x16Op(pair.results[0])).results[0]
        return value

    # ----------------------------------------------------------------- the grid

    def grid(self) -> None:
        """Recover the logical workgroup ids and counts of a folded grid (the WebGPU contract).

        The runtime dispatches at most 65535 workgroups per dimension and writes the logical counts
        (nx, ny, nz) at the start of the uniform block ((0, 0, 0): not folded, e.g. an indirect dispatch).
        When folded, L = wid.x + NW.x * (wid.y + NW.y * wid.z) is the linear workgroup; a workgroup past
        nx*ny*nz returns at once, before any user code (uniformly, so barriers stay legal); otherwise its
        logical id is (L % nx, (L / nx) % ny, L / (nx * ny)). The global id is logical workgroup id *
        workgroup size + local id. Branching on the fold keeps the divisions out of unfolded dispatches;
        the `fold=false` variant has only the unfolded path (the ids straight from the builtins). The
        `flat=true` variant is for folded grids of one row (ny = nz = 1: the 1-D launch of a large n)
        dispatched as one plane (pz = 1), which need neither test nor division: the logical x id is
        L = wid.x + NW.x * wid.y, y and z are 0. With
        `exact=true` the physical grid has exactly nx workgroups, so none returns early either.
        """
        used = {
            (type(op), _DIMS[str(op.dim.data)]) for op in self.kernel.walk() if isinstance(op, khal._IdOp)
        }  # pyright: ignore
        wid_dims = sorted({d for kind, d in used if kind is not khal.NumWorkgroupsOp})
        count_dims = sorted({d for kind, d in used if kind is khal.NumWorkgroupsOp})
        if self.flat:
            self.flat_grid(wid_dims, count_dims, used)
            return
        if self.fold:
            counts = [self.named(self.uniform_word(k), f"n{'xyz'[k]}") for k in range(3)]
            nonzero = self.emit(spirv.INotEqualOp(counts[0], self.constant(0))).results[0]
            folded = self.named(nonzero, "folded")
        wid_vars = {d: self.local(i32) for d in wid_dims}
        count_vars = {d: self.local(i32) for d in count_dims}

        def fold() -> None:
            wid_vec, nw_vec = (self.builtin_vector(b) for b in (BuiltIn.WorkgroupId, BuiltIn.NumWorkgroups))
            wid = [self.emit(spirv.CompositeExtractOp(wid_vec, [d], i32)).results[0] for d in range(3)]
            nw = [self.emit(spirv.CompositeExtractOp(nw_vec, [d], i32)).results[0] for d in range(3)]
            inner = self.emit(spirv.IAddOp(wid[1], self.emit(spirv.IMulOp(nw[1], wid[2])).results[0]))
            linear = self.emit(
                spirv.IAddOp(wid[0], self.emit(spirv.IMulOp(nw[0], inner.results[0])).results[0])
            )
            lin = self.named(linear.results[0], "linear")
            nxy = self.emit(spirv.IMulOp(counts[0], counts[1])).results[0]
            total = self.named(self.emit(spirv.IMulOp(nxy, counts[2])).results[0], "total")
            past = self.emit(spirv.UGreaterThanEqualOp(lin, total)).results[0]
            self.branch(past, lambda: self.emit(spirv.ReturnOp()), None)
            one = self.constant(1)
            # An integer division by a runtime value costs tens of instructions on a GPU (about a fifth
            # of a folded saxpy's time on the H200): a logical grid flat in the dimensions above d
            # (uniform tests) takes its id from L without the modulo.
            flat_above = {
                0: lambda: self.emit(
                    spirv.IEqualOp(self.emit(spirv.IMulOp(counts[1], counts[2])).results[0], one)
                ),
                1: lambda: self.emit(spirv.IEqualOp(counts[2], one)),
            }
            for d, var in wid_vars.items():
                if d == 2:
                    self.store(var, self.emit(spirv.UDivOp(lin, nxy)).results[0])
                    continue
                above = lin if d == 0 else self.emit(spirv.UDivOp(lin, counts[0])).results[0]

                def plain(var: SSAValue = var, above: SSAValue = above) -> None:
                    self.store(var, above)

                def wrapped(var: SSAValue = var, above: SSAValue = above, d: int = d) -> None:
                    self.store(var, self.emit(spirv.UModOp(above, counts[d])).results[0])

                self.branch(flat_above[d]().results[0], plain, wrapped)
            for d, var in count_vars.items():
                self.store(var, counts[d])

        def unfolded() -> None:
            for which, variables in ((BuiltIn.WorkgroupId, wid_vars), (BuiltIn.NumWorkgroups, count_vars)):
                if variables:
                    vec = self.builtin_vector(which)
                    for d, var in variables.items():
                        self.store(var, self.emit(spirv.CompositeExtractOp(vec, [d], i32)).results[0])

        if self.fold:
            self.branch(folded, fold, unfolded)
        else:
            unfolded()
        for d, var in wid_vars.items():
            # unnamed: the kernel's own names for its ids reach the printed IR
            self.set_workgroup_id(d, self.load(var), used)
        for d, var in count_vars.items():
            self.ids[(khal.NumWorkgroupsOp, d)] = self.load(var)

    def set_workgroup_id(self, d: int, wid: SSAValue, used: set[tuple[type[Operation], int]]) -> None:
        """Logical workgroup id `wid` in dimension `d`, and the global id built on it where used."""
        self.ids[(khal.WorkgroupIdOp, d)] = wid
        if (khal.GlobalInvocationIdOp, d) in used:
            size = int(list(self.kernel.workgroup_size.get_values())[d])
            base = self.emit(spirv.IMulOp(wid, self.constant(size))).results[0]
            lid = self.builtin(BuiltIn.LocalInvocationId, d)
            self.ids[(khal.GlobalInvocationIdOp, d)] = self.emit(spirv.IAddOp(base, lid)).results[0]

    def flat_grid(
        self, wid_dims: list[int], count_dims: list[int], used: set[tuple[type[Operation], int]]
    ) -> None:
        """`grid` for a folded grid of one row, dispatched as one plane: L = wid.x + NW.x * wid.y is the
        x id; a workgroup past nx returns at once (unless `exact`: there is none)."""
        wid_vec, nw_vec = (self.builtin_vector(b) for b in (BuiltIn.WorkgroupId, BuiltIn.NumWorkgroups))
        wid = [self.emit(spirv.CompositeExtractOp(wid_vec, [d], i32)).results[0] for d in range(2)]
        nwx = self.emit(spirv.CompositeExtractOp(nw_vec, [0], i32)).results[0]
        linear = self.emit(spirv.IAddOp(wid[0], self.emit(spirv.IMulOp(nwx, wid[1])).results[0]))
        lin = self.named(linear.results[0], "linear")
        if not self.exact:
            past = self.emit(spirv.UGreaterThanEqualOp(lin, self.logical_count_x())).results[0]
            self.branch(past, lambda: self.emit(spirv.ReturnOp()), None)
        for d in wid_dims:
            self.set_workgroup_id(d, lin if d == 0 else self.constant(0), used)
        for d in count_dims:
            self.ids[(khal.NumWorkgroupsOp, d)] = self.logical_count_x() if d == 0 else self.constant(1)

    def logical_count_x(self) -> SSAValue:
        """nx, the folded grid's logical workgroup count in x (read from the block once)."""
        if self._nx is None:
            self._nx = self.named(self.uniform_word(0), "nx")
        return self._nx

    @staticmethod
    def named(v: SSAValue, hint: str) -> SSAValue:
        """`v`, named `hint` in the printed IR."""
        v.name_hint = hint
        return v

    def branch(
        self, cond: SSAValue, then: Callable[[], object], otherwise: Callable[[], object] | None
    ) -> None:
        """A `spirv.mlir.selection` whose arms `then()` / `otherwise()` fill (an arm may end in a return)."""
        header, merge = Block(), Block([spirv.MergeOp()])
        blocks, targets = [header], []
        for fill in (then, otherwise):
            if fill is None:
                targets.append(merge)
                continue
            arm = Block()
            self.cur, saved = arm, self.cur
            fill()
            if not isinstance(self.cur.last_op, spirv.ReturnOp):
                self.emit(spirv.BranchOp(merge))
            self.cur = saved
            blocks.append(arm)
            targets.append(arm)
        header.add_op(spirv.BranchConditionalOp(cond, targets[0], targets[1]))
        self.emit(spirv.SelectionOp(Region([*blocks, merge])))

    # ----------------------------------------------------------------- ops

    def region(self, block: Block, args: Sequence[SSAValue] | None = None) -> Operation | None:
        """Lower the ops of `block` (its arguments standing for `args`) into `self.cur`; returns its
        terminator (scf.yield/condition, khal.return)."""
        for old, new in zip(block.args, args or (), strict=args is not None):
            self.bind(old, new)
        for op in block.ops:
            if isinstance(op, scf.YieldOp | scf.ConditionOp | khal.ReturnOp):
                return op
            self.op(op)
        return None

    def op(self, op: Operation) -> None:
        """Lower one op (structured ops recursively)."""
        handler = self.HANDLERS.get(type(op))
        if handler is not None:
            handler(self, op)
            return
        self.arith(op)

    def arith(self, op: Operation) -> None:
        """arith and math ops: one spirv op each."""
        name = op.name
        if self.typed_arith(op):
            return
        operands = [self.value(v) for v in op.operands]
        for r in op.results:
            _value_type(r.type, op)
        if name in _SAME:
            new = _SAME[name](*operands)
        elif name in _BITWISE:
            logical, bitwise = _BITWISE[name]
            new = (logical if op.results[0].type == IntegerType(1) else bitwise)(*operands)
        elif name == "arith.cmpi":
            pred = _CMPI_NAMES[op.properties["predicate"].value.data]  # pyright: ignore[reportAttributeAccessIssue]
            if op.operands[0].type == IntegerType(1) and pred in ("eq", "ne"):
                new = (spirv.LogicalEqualOp if pred == "eq" else spirv.LogicalNotEqualOp)(*operands)
            else:
                new = _CMPI[pred](*operands)
        elif name == "arith.cmpf":
            pred = op.properties["predicate"].value.data  # pyright: ignore[reportAttributeAccessIssue]
            if pred in (_CMPF_ORD, _CMPF_UNO):
                self.bind(op.results[0], self.unordered(operands, negate=pred == _CMPF_ORD))
                return
            if pred not in _CMPF:
                raise op_error(
                    op, f"float comparison predicate {pred} is not supported by the SPIR-V lowering"
                )
            new = _CMPF[pred](*operands)
        elif name == "arith.select":
            cond, *sides = operands
            # SPIR-V 1.3 selects vectors by a bool vector: splat a scalar condition. A vector compare's
            # result is typed i1 in arith (xDSL 0.74's cmpi), but its lowered value is a bool vector already.
            if isinstance(sides[0].type, VectorType) and not isinstance(cond.type, VectorType):
                if sides[0].type.get_num_dims() != 1:
                    raise op_error(op, "selecting between matrices is not supported by the SPIR-V lowering")
                splat = VectorType(IntegerType(1), sides[0].type.get_shape())
                cond = self.emit(spirv.CompositeConstructOp([cond] * splat.get_shape()[0], splat)).results[0]
            new = spirv.SelectOp(cond, *sides)
        elif name == "arith.constant":
            value = op.properties["value"]
            if isinstance(value, DenseIntOrFPElementsAttr):
                self.bind(op.results[0], self.dense(value, _value_type(op.results[0].type, op)))
                return
            assert isinstance(value, IntegerAttr | FloatAttr)
            new = spirv.ConstantOp(value)  # pyright: ignore[reportUnknownArgumentType]
        elif name in ("arith.extui", "arith.extsi") and op.operands[0].type == IntegerType(1):
            # bool -> int: no OpConvert takes a bool; select 1 (or -1 for a sign extension) or 0
            t = op.results[0].type
            one = self.constant(1 if name == "arith.extui" else -1, t)
            new = spirv.SelectOp(operands[0], one, self.constant(0, t))
        elif name in _CONVERT:
            new = _CONVERT[name](operands[0], op.results[0].type)
        else:
            raise op_error(op, f"'{name}' is not supported by the SPIR-V lowering yet")
        if type(new) in _SIGNED:
            new = self.signed(new)
        self.emit(new)
        self.bind(op.results[0], new.results[0])

    def signed(self, new: Operation) -> Operation:
        """`new` on si32: naga types a result by its type's signedness bit, so a signed op on `OpTypeInt 32 0`
        values divides (shifts, compares with max, converts) as unsigned. Bitcast the integer operands to si32
        (vectors: of si32) and return a bitcast of the signed result back (the caller emits it)."""
        args = [
            self.emit(spirv.BitcastOp(v, _signed(v.type))).results[0] if _signed(v.type) != v.type else v
            for v in new.operands
        ]
        result_type = new.results[0].type
        if type(new) in _CONVERSIONS:
            op = type(new)(args[0], _signed(result_type))
        else:
            op = type(new)(*args)
        if op.results[0].type == result_type:
            return op
        self.emit(op)
        return spirv.BitcastOp(op.results[0], result_type)

    def dense(self, value: DenseIntOrFPElementsAttr, t: Attribute) -> SSAValue:
        """A vector or matrix constant, built from scalar constants (the writer uniques them)."""
        assert isinstance(t, VectorType)
        element = t.element_type
        attrs = list(value.iter_attrs())
        if len(attrs) == 1:  # a splat
            attrs = attrs * t.get_num_elements()
        scalars = [self.emit(spirv.ConstantOp(type(a)(a.value.data, element))).results[0] for a in attrs]  # pyright: ignore
        if t.get_num_dims() == 1:
            return self.emit(spirv.CompositeConstructOp(scalars, t)).results[0]
        columns, rows = t.get_shape()
        column_t = VectorType(element, [rows])
        cols = [
            self.emit(spirv.CompositeConstructOp(scalars[c * rows : (c + 1) * rows], column_t)).results[0]
            for c in range(columns)
        ]
        return self.emit(spirv.CompositeConstructOp(cols, t)).results[0]

    # ----------------------------------------------------------------- composite values

    def index_cast(self, op: Operation) -> None:
        """`arith.index_cast` of an i32 (a dynamic vector position): the i32 itself."""
        self.bind(op.results[0], self.value(op.operands[0]))

    def broadcast(self, op: Operation) -> None:
        """`vector.broadcast` of a scalar: every component (a matrix: every column) the scalar."""
        t = _value_type(op.results[0].type, op)
        assert isinstance(t, VectorType)
        source = self.value(op.operands[0])
        if isinstance(source.type, VectorType):
            raise op_error(op, "broadcasting a vector is not supported by the SPIR-V lowering")
        shape = t.get_shape()
        if len(shape) == 2:
            column_t = VectorType(t.element_type, shape[1:])
            source = self.emit(spirv.CompositeConstructOp([source] * shape[1], column_t)).results[0]
        self.bind(op.results[0], self.emit(spirv.CompositeConstructOp([source] * shape[0], t)).results[0])

    def positions(self, op: vector.ExtractOp | vector.InsertOp) -> tuple[list[int], list[SSAValue] | None]:
        """The static positions of a vector.extract/insert, and the index values when one is dynamic."""
        static = [int(p) for p in op.static_position.get_values()]
        if DYNAMIC_INDEX not in static:
            return static, None
        dynamic = iter(op.dynamic_position)
        return static, [self.value(next(dynamic)) if p == DYNAMIC_INDEX else self.constant(p) for p in static]

    def dynamic_part(
        self, composite: SSAValue, indices: list[SSAValue], part: Attribute
    ) -> tuple[SSAValue, SSAValue]:
        """A Function variable holding `composite` and a pointer to its part at `indices` (dynamic ones)."""
        var = self.local(composite.type)
        self.store(var, composite)
        chain = spirv.AccessChainOp(var, indices, spirv.PointerType(part, StorageClass.Function))
        return var, self.emit(chain).results[0]

    def extract(self, op: Operation) -> None:
        assert isinstance(op, vector.ExtractOp)
        t = _value_type(op.results[0].type, op)
        static, indices = self.positions(op)
        if indices is None:
            new = self.emit(spirv.CompositeExtractOp(self.value(op.vector), static, t))
            self.bind(op.results[0], new.results[0])
            return
        _, ptr = self.dynamic_part(self.value(op.vector), indices, t)
        self.bind(op.results[0], self.load(ptr))

    def insert(self, op: Operation) -> None:
        assert isinstance(op, vector.InsertOp)
        static, indices = self.positions(op)
        if indices is None:
            new = self.emit(spirv.CompositeInsertOp(self.value(op.source), self.value(op.dest), static))
            self.bind(op.results[0], new.results[0])
            return
        var, ptr = self.dynamic_part(self.value(op.dest), indices, _value_type(op.source.type, op))
        self.store(ptr, self.value(op.source))
        self.bind(op.results[0], self.load(var))

    def shuffle(self, op: Operation) -> None:
        assert isinstance(op, vector.ShuffleOp)
        mask = [int(m) for m in op.mask.get_values()]
        new = self.emit(spirv.VectorShuffleOp(self.value(op.v1), self.value(op.v2), mask))
        self.bind(op.results[0], new.results[0])

    def struct_construct(self, op: Operation) -> None:
        assert isinstance(op, khal.StructConstructOp)
        fields = [self.value(f) for f in op.fields]
        t = _value_type(op.result.type, op)
        self.bind(op.result, self.emit(spirv.CompositeConstructOp(fields, t)).results[0])  # pyright: ignore

    def struct_extract(self, op: Operation) -> None:
        assert isinstance(op, khal.StructExtractOp) and isinstance(op.struct.type, khal.StructType)
        index = op.struct.type.field_index(op.field.data)
        new = spirv.CompositeExtractOp(self.value(op.struct), [index], _value_type(op.result.type, op))
        self.bind(op.result, self.emit(new).results[0])

    def struct_insert(self, op: Operation) -> None:
        assert isinstance(op, khal.StructInsertOp) and isinstance(op.struct.type, khal.StructType)
        index = op.struct.type.field_index(op.field.data)
        new = spirv.CompositeInsertOp(self.value(op.value), self.value(op.struct), [index])
        self.bind(op.result, self.emit(new).results[0])

    def unordered(self, operands: Sequence[SSAValue], *, negate: bool) -> SSAValue:
        """`uno` (either operand NaN), or `ord` (neither) when `negate`."""
        nan = self.emit(spirv.IsNanOp(operands[0])).results[0]
        if operands[1] is not operands[0]:
            other = self.emit(spirv.IsNanOp(operands[1])).results[0]
            nan = self.emit(spirv.LogicalOrOp(nan, other)).results[0]
        return self.emit(spirv.LogicalNotOp(nan)).results[0] if negate else nan

    def id_op(self, op: Operation) -> None:
        dim = _DIMS[str(op.properties["dim"].data)]  # pyright: ignore[reportAttributeAccessIssue]
        if type(op) is khal.LocalInvocationIdOp:
            self.bind(op.results[0], self.builtin(BuiltIn.LocalInvocationId, dim))
        else:  # recovered on entry (`grid`)
            self.bind(op.results[0], self.ids[(type(op), dim)])

    def scalar_input(self, which: BuiltIn) -> SSAValue:
        """A u32 builtin, loaded where it is used."""
        if which not in self.inputs:
            t = spirv.PointerType(i32, StorageClass.Input)
            var = spirv.GlobalVariableOp(
                self.symbol(str(which)[0].lower() + str(which)[1:]), t, built_in=which
            )
            self.module.body.block.add_op(var)
            self.inputs[which] = var
        return self.load(self.emit(spirv.AddressOfOp(self.inputs[which])).results[0])

    def local_index(self, op: Operation) -> None:
        self.bind(op.results[0], self.scalar_input(BuiltIn.LocalInvocationIndex))

    def element_ptr(self, memory: SSAValue, index: SSAValue, op: Operation) -> SSAValue:
        """A pointer to element `index` of a storage buffer or a workgroup array."""
        base = self.pointers[memory]
        element = _value_type(khal.element_of(memory.type), op)
        if memory in self.signed_memory:
            element = _signed(element)
        if isinstance(memory.type, khal.ArrayType):
            indices, storage = [self.constant(0), self.index32(index)], StorageClass.StorageBuffer
        else:
            indices, storage = [self.index32(index)], StorageClass.Workgroup
        chain = spirv.AccessChainOp(base, indices, spirv.PointerType(element, storage))
        return self.emit(chain).results[0]

    def index32(self, index: SSAValue) -> SSAValue:
        """An array index as i32: a 64-bit index is truncated (no binding holds 2**32 elements, and an i64
        index into workgroup memory crashes lavapipe's LLVM 15: "Cannot emit physreg copy instruction")."""
        idx = self.value(index)
        return self.emit(spirv.UConvertOp(idx, i32)).results[0] if idx.type == i64 else idx

    def load_op(self, op: Operation) -> None:
        memory, index = op.operands[0], op.operands[1]
        if self.is_flat(memory):
            t = khal.element_of(memory.type)
            self.bind(op.results[0], self.assemble(t, 0, self.word_reader(memory, index)))
            return
        if _packed(khal.element_of(memory.type)):
            return self.load_packed(op)
        loaded = self.load(self.element_ptr(memory, index, op))
        self.bind(op.results[0], self.from_memory(memory, loaded, op.results[0].type))

    def to_memory(self, memory: SSAValue, value: SSAValue) -> SSAValue:
        """`value` as the element type of `memory` (signed where `signed_memory` says so)."""
        if memory not in self.signed_memory:
            return value
        return self.emit(spirv.BitcastOp(value, _signed(value.type))).results[0]

    def from_memory(self, memory: SSAValue, value: SSAValue, t: Attribute) -> SSAValue:
        """A value loaded from `memory` as the lowering's (signless) register type of `t`."""
        if memory not in self.signed_memory:
            return value
        return self.emit(spirv.BitcastOp(value, _scalar_type(t, self.kernel))).results[0]

    def store_op(self, op: Operation) -> None:
        value, memory, index = op.operands
        if self.is_flat(memory):
            ptr = self.word_pointer(memory, index)
            self.scatter(value.type, 0, self.value(value), lambda w, v, mask: self.put_word(ptr(w), v, mask))
            return
        if _packed(khal.element_of(memory.type)):
            return self.store_packed(op)
        self.store(self.element_ptr(memory, index, op), self.to_memory(memory, self.value(value)))

    def put_word(self, ptr: SSAValue, bits: SSAValue, mask: int | None) -> None:
        """Store `bits` at `ptr`, or only its bits under `mask` (an atomic and + or: the other bits of the
        word may belong to another element that another invocation stores meanwhile)."""
        if mask is None:
            self.store(ptr, bits)
            return
        keep = self.constant(~mask & 0xFFFFFFFF)
        self.emit(spirv.AtomicAndOp(Scope.Device, [MemorySemantics.Relaxed], ptr, keep))
        self.emit(spirv.AtomicOrOp(Scope.Device, [MemorySemantics.Relaxed], ptr, bits))

    def is_flat(self, memory: SSAValue) -> bool:
        """Is `memory` a storage buffer of composites, held as 32-bit words in numpy's host layout?"""
        return isinstance(memory.type, khal.ArrayType) and _is_composite(memory.type.element_type)

    def word_pointer(self, memory: SSAValue, index: SSAValue) -> Callable[[int], SSAValue]:
        """`ptr(w)`: a pointer to word `w` of element `index` of a flat storage buffer."""
        words = value_layout(khal.element_of(memory.type)).size // 4
        first = self.emit(spirv.IMulOp(self.index32(index), self.constant(words))).results[0]
        t = spirv.PointerType(i32, StorageClass.StorageBuffer)

        def ptr(w: int) -> SSAValue:
            at = first if w == 0 else self.emit(spirv.IAddOp(first, self.constant(w))).results[0]
            return self.emit(spirv.AccessChainOp(self.pointers[memory], [self.constant(0), at], t)).results[0]

        return ptr

    def word_reader(self, memory: SSAValue, index: SSAValue) -> Callable[[int], SSAValue]:
        """`word(w)`: word `w` of element `index` of a flat storage buffer, loaded."""
        ptr = self.word_pointer(memory, index)
        return lambda w: self.load(ptr(w))

    def len_op(self, op: Operation) -> None:
        self.bind(op.results[0], self.lens[op.operands[0]])

    def alloc(self, op: Operation) -> None:
        t = op.results[0].type
        assert isinstance(t, khal.WorkgroupArrayType)
        if width := _packed(t.element_type):
            array = spirv.ArrayType(-(-t.size.data * width // 32), i32)
        else:
            element = _value_type(t.element_type, op)
            if op.results[0] in self.signed_memory:
                element = _signed(element)
            array = spirv.ArrayType(t.size.data, element)
        self.pointers[op.results[0]] = self.global_var(
            op.results[0].name_hint or "shared", spirv.PointerType(array, StorageClass.Workgroup)
        )

    def barrier(self, op: Operation) -> None:
        self.emit(spirv.ControlBarrierOp(Scope.Workgroup, Scope.Workgroup, _BARRIER_SEMANTICS[op.name]))

    def atomic(self, op: Operation) -> None:
        assert isinstance(op, khal.AtomicRMWOp)
        kind = _ATOMICS[str(op.kind.data)]
        if not isinstance(op.value.type, IntegerType):
            if str(op.kind.data) != "add" or not isinstance(op.memory.type, khal.ArrayType):
                raise op_error(op, "only atomic_add on Array[f32] takes floats on SPIR-V")
            # wgpu's shader-float32-atomic feature; naga rejects the compare-exchange loop alternative
            kind = spirv.AtomicFAddEXTOp
            self.require(Capability.AtomicFloat32AddEXT, "SPV_EXT_shader_atomic_float_add")
            self.need("shader-float32-atomic", op, "atomic_add on Array[f32]")
        ptr = self.element_ptr(op.memory, op.index, op)
        scope = Scope.Device if isinstance(op.memory.type, khal.ArrayType) else Scope.Workgroup
        value = self.to_memory(op.memory, self.value(op.value))
        new = self.emit(kind(scope, [MemorySemantics.Relaxed], ptr, value))
        self.bind(op.result, self.from_memory(op.memory, new.results[0], op.result.type))

    def atomic_access(self, op: Operation) -> None:
        """`atomic_load` / `atomic_store` as OpAtomicLoad / OpAtomicStore, relaxed like WGSL's."""
        is_load = isinstance(op, khal.AtomicLoadOp)
        memory, index = (op.operands[0], op.operands[1]) if is_load else (op.operands[1], op.operands[2])
        ptr = self.element_ptr(memory, index, op)
        scope = Scope.Device if isinstance(memory.type, khal.ArrayType) else Scope.Workgroup
        props = {
            "memory_scope": spirv.ScopeAttr(scope),
            "semantics": spirv.MemorySemanticsAttr([MemorySemantics.Relaxed]),
        }
        if is_load:
            loaded_type = _signed(op.results[0].type) if memory in self.signed_memory else op.results[0].type
            new = spirv.AtomicLoadOp.create(operands=[ptr], properties=props, result_types=[loaded_type])
            loaded = self.emit(new).results[0]
            self.bind(op.results[0], self.from_memory(memory, loaded, op.results[0].type))
        else:
            value = self.to_memory(memory, self.value(op.operands[0]))
            self.emit(spirv.AtomicStoreOp.create(operands=[ptr, value], properties=props))

    def require(self, capability: Capability, extension: str | None = None) -> None:
        """Declare `capability` (and `extension`) in the module."""
        if capability not in self.capabilities:
            self.capabilities.append(capability)
        if extension is not None and extension not in self.extensions:
            self.extensions.append(extension)

    def subgroup_id(self, op: Operation) -> None:
        """`subgroup_size()` / `subgroup_invocation_id()`: u32 Input builtins (wgpu's `subgroup` feature)."""
        self.require(Capability.GroupNonUniform)
        self.need("subgroup", op, "subgroup operations")
        which = (
            BuiltIn.SubgroupSize if isinstance(op, khal.SubgroupSizeOp) else BuiltIn.SubgroupLocalInvocationId
        )
        self.bind(op.results[0], self.scalar_input(which))

    def subgroup(self, op: Operation) -> None:
        """Subgroup reductions and broadcast (wgpu's `subgroup` feature)."""
        self.require(Capability.GroupNonUniform)
        self.need("subgroup", op, "subgroup operations")
        value = self.value(op.operands[0])
        t = _scalar_type(value.type, op)
        width = _narrow(op.operands[0].type)
        scope = {"execution_scope": spirv.ScopeAttr(Scope.Subgroup)}
        if isinstance(op, khal.SubgroupBroadcastFirstOp):
            self.require(Capability.GroupNonUniformBallot)
            new = spirv.GroupNonUniformBroadcastFirstOp.create(
                operands=[value], properties=scope, result_types=[t]
            )
            self.bind(op.results[0], self.emit(new).results[0])
            return
        self.require(Capability.GroupNonUniformArithmetic)
        kind = str(op.properties["kind"].data)  # pyright: ignore[reportAttributeAccessIssue]
        cls = (_SUBGROUP_FLOAT if isinstance(t, AnyFloat) else _SUBGROUP_INT)[kind]
        reg = t
        signed = kind in ("min", "max") and isinstance(t, IntegerType)
        if signed and width:
            value = self.sext(value, width)
        if signed:  # naga reads the signedness bit (see `signed`)
            t = _signed(t)
            value = self.emit(spirv.BitcastOp(value, t)).results[0]
        props = scope | {"group_operation": spirv.GroupOperationAttr(GroupOperation.Reduce)}
        result = self.emit(cls.create(operands=[value], properties=props, result_types=[t])).results[0]
        if signed:
            result = self.emit(spirv.BitcastOp(result, reg)).results[0]
        if width and kind in ("add", "min", "max"):
            result = self.mask(result, width)
        self.bind(op.results[0], result)

    def drop(self, op: Operation) -> None:
        """`print` inside a kernel is dropped on WebGPU (API.md)."""

    def cmpxchg(self, op: Operation) -> None:
        """wgpu 0.32's naga (29.0.3) refuses every use of OpAtomicCompareExchange's result that was tried
        (used directly, stored to a Function variable at once, used only in a later block): "Expression
        [N] is invalid: Used by a statement before it was introduced into the scope by any of the dominating
        blocks", or, used directly inside a loop, a panic in naga's SPIR-V writer ("Expression [N] is not
        cached!"). OpAtomicCompareExchangeWeak is an "unsupported instruction". The cause is in naga's SPIR-V
        front end: the `AccessIndex` it makes for the old value lies outside every `Emit` range, whatever
        uses it (fixed upstream by gfx-rs/wgpu#9621, after naga 29). So a located error until wgpu-py
        ships that fix; a lock built from other atomics could deadlock a subgroup."""
        raise op_error(
            op,
            "atomic_compare_exchange is not supported on SPIR-V: wgpu's naga rejects the result of "
            "OpAtomicCompareExchange ('used by a statement before it was introduced into the scope')",
        )

    # ----------------------------------------------------------------- scalar types other than 32-bit

    def typed_arith(self, op: Operation) -> bool:
        """Lower `op` if it changes widths, works on i8/i16, or is f64 math GLSL.std.450 lacks; else False."""
        if op.name in _WIDTH_CHANGES:
            self.convert_width(op)
        elif op.name in ("arith.sitofp", "arith.uitofp") and op.operands[0].type == IntegerType(1):
            t = op.results[0].type  # no OpConvert takes a bool: select 1.0 (-1.0 when signed) or 0.0
            one = self.emit(spirv.ConstantOp(FloatAttr(1.0 if op.name == "arith.uitofp" else -1.0, t)))
            zero = self.emit(spirv.ConstantOp(FloatAttr(0.0, t)))
            new = spirv.SelectOp(self.value(op.operands[0]), one.results[0], zero.results[0])
            self.bind(op.results[0], self.emit(new).results[0])
        elif op.name == "arith.constant" and self.special_float(op):
            pass
        elif op.name == "arith.cmpf" and op.properties["predicate"].value.data in _UNORDERED:  # pyright: ignore[reportAttributeAccessIssue]
            # naga reads OpFUnord* as ordered operators (une was false for NaN on wgpu 0.32): not(ordered)
            inverse = _CMPF[_UNORDERED[op.properties["predicate"].value.data]]  # pyright: ignore[reportAttributeAccessIssue]
            ordered = self.emit(inverse(*(self.value(v) for v in op.operands))).results[0]
            self.bind(op.results[0], self.emit(spirv.LogicalNotOp(ordered)).results[0])
        elif any(_narrow(v.type) for v in (*op.operands, *op.results)):
            self.narrow_arith(op)
        elif op.name in _SAME and _SAME[op.name] in _F32_ONLY and isinstance(op.results[0].type, Float64Type):
            self.f64_in_f32(op)
        elif op.name in ("math.trunc", "math.roundeven") and isinstance(op.results[0].type, Float64Type):
            self.f64_rounding(op)
        elif op.name == "math.fma" and isinstance(op.results[0].type, Float64Type):
            self.f64_in_f32(op)  # GLSL's Fma need not be fused, and lavapipe's f64 Fma is not
        else:
            return False
        return True

    def special_float(self, op: Operation) -> bool:
        """An infinite or NaN float constant, as a bitcast of its f32 bits (naga refuses such literals:
        "Float literal is infinite"); converted for f16/f64. False for other constants."""
        value = op.properties["value"]
        if not isinstance(value, FloatAttr) or math.isfinite(value.value.data):
            return False
        bits = struct.unpack("<I", struct.pack("<f", value.value.data))[0]
        v = self.emit(spirv.BitcastOp(self.constant(bits), Float32Type())).results[0]
        if not isinstance(value.type, Float32Type):
            v = self.emit(spirv.FConvertOp(v, value.type)).results[0]
        self.bind(op.results[0], v)
        return True

    def sext(self, v: SSAValue, width: int) -> SSAValue:
        """A zero-extended `width`-bit value in an i32 register, sign-extended to 32 bits."""
        if isinstance(v.owner, spirv.ConstantOp) and isinstance(v.owner.value, IntegerAttr):
            bits = v.owner.value.value.data & ((1 << width) - 1)
            return self.constant((bits ^ (1 << (width - 1))) - (1 << (width - 1)))
        amount = self.constant(32 - width)
        up = self.emit(spirv.ShiftLeftLogicalOp(v, amount)).results[0]
        return self.emit(self.signed(spirv.ShiftRightArithmeticOp(up, amount))).results[0]

    def mask(self, v: SSAValue, width: int) -> SSAValue:
        """The low `width` bits of `v` (numpy's wrap-around of a `width`-bit integer)."""
        return self.emit(spirv.BitwiseAndOp(v, self.constant((1 << width) - 1))).results[0]

    def narrow_arith(self, op: Operation) -> None:
        """An arith op on i8/i16 values held in i32 registers (see `_scalar_type`)."""
        name = op.name
        width = max(_narrow(v.type) for v in (*op.operands, *op.results))
        args = [self.value(v) for v in op.operands]
        result_type = _scalar_type(op.results[0].type, op)
        if name == "arith.constant":
            value = op.properties["value"]
            assert isinstance(value, IntegerAttr)
            self.bind(op.results[0], self.constant(value.value.data & ((1 << width) - 1)))
            return
        if name == "arith.select":
            self.bind(op.results[0], self.emit(spirv.SelectOp(*args)).results[0])
            return
        signed = name in (
            "arith.sitofp",
            "arith.divsi",
            "arith.remsi",
            "arith.shrsi",
            "arith.maxsi",
            "arith.minsi",
            "math.absi",
        )
        if name == "arith.cmpi":
            pred = _CMPI_NAMES[op.properties["predicate"].value.data]  # pyright: ignore[reportAttributeAccessIssue]
            signed = pred.startswith("s")
        if signed:
            args = [
                self.sext(a, _narrow(v.type)) if _narrow(v.type) else a
                for a, v in zip(args, op.operands, strict=True)
            ]
        if name == "arith.cmpi":
            new: Operation = _CMPI[pred](*args)  # pyright: ignore[reportPossiblyUnboundVariable]
        elif name in _CONVERT and name != "arith.bitcast":
            new = _CONVERT[name](args[0], result_type)
        elif name in _SAME:
            new = _SAME[name](*args)
        elif name in _BITWISE:
            new = _BITWISE[name][1](*args)
        else:
            raise op_error(op, f"'{name}' on {width}-bit integers is not supported by the SPIR-V lowering")
        if type(new) in _SIGNED:
            new = self.signed(new)
        result = self.emit(new).results[0]
        if _narrow(op.results[0].type) and (signed or name in _WRAPS or name.startswith("arith.fpto")):
            result = self.mask(result, width)
        self.bind(op.results[0], result)

    def convert_width(self, op: Operation) -> None:
        """extui/extsi/trunci between any integer widths, extf/truncf between f16, f32 and f64."""
        src, dst = op.operands[0].type, op.results[0].type
        x = self.value(op.operands[0])
        reg = _scalar_type(dst, op)
        if op.name in ("arith.extf", "arith.truncf"):
            result = self.emit(spirv.FConvertOp(x, reg)).results[0]
        elif src == IntegerType(1):  # no OpConvert takes a bool: select 1 (-1 when sign-extending) or 0
            assert isinstance(dst, IntegerType)
            one = 1 if op.name == "arith.extui" else (1 << dst.width.data) - 1
            ones = self.constant(one if reg == i64 else one & 0xFFFFFFFF, reg)
            result = self.emit(spirv.SelectOp(x, ones, self.constant(0, reg))).results[0]
        else:
            assert isinstance(src, IntegerType) and isinstance(dst, IntegerType)
            result = self.int_width(op.name, x, src.width.data, dst.width.data)
        self.bind(op.results[0], result)

    def int_width(self, name: str, x: SSAValue, sw: int, dw: int) -> SSAValue:
        """`name` (extui, extsi, trunci) of register value `x` from `sw` to `dw` bits."""
        if name == "arith.trunci":
            if dw == 1:
                low = self.emit(spirv.BitwiseAndOp(x, self.constant(1, x.type))).results[0]
                return self.emit(spirv.INotEqualOp(low, self.constant(0, x.type))).results[0]
            if sw == 64:
                x = self.emit(spirv.UConvertOp(x, i32)).results[0]
            return self.mask(x, dw) if dw < 32 else x
        if name == "arith.extui":  # registers hold zero-extended values already
            return self.emit(spirv.UConvertOp(x, i64)).results[0] if dw == 64 and sw < 64 else x
        if sw < 32:
            x = self.sext(x, sw)
        if dw == 64:
            return self.emit(self.signed(spirv.SConvertOp(x, i64))).results[0]
        return self.mask(x, dw) if dw < 32 else x

    def f64_rounding(self, op: Operation) -> None:
        """f64 trunc and roundeven with IEEE's signed zeros: lavapipe's f64 Trunc and RoundEven gave +0
        for -0 and for small negative x (and its Trunc once kept a fraction), so trunc is
        `x < 0 ? -floor(-x) : floor(x)`, and a zero result takes the sign of x."""
        x = self.value(op.operands[0])
        t = x.type
        zero = self.emit(spirv.ConstantOp(FloatAttr(0.0, t))).results[0]
        below = self.emit(spirv.FOrdLessThanOp(x, zero)).results[0]
        if op.name == "math.trunc":
            neg = self.emit(spirv.FNegateOp(x)).results[0]
            up = self.emit(spirv.FNegateOp(self.emit(spirv.GLFloorOp(neg)).results[0])).results[0]
            r = self.emit(spirv.SelectOp(below, up, self.emit(spirv.GLFloorOp(x)).results[0])).results[0]
        else:
            r = self.emit(spirv.GLRoundEvenOp(x)).results[0]
        minus_zero = self.emit(spirv.FNegateOp(zero)).results[0]
        is_x_zero = self.emit(spirv.FOrdEqualOp(x, zero)).results[0]
        signed = self.emit(spirv.SelectOp(is_x_zero, x, zero)).results[0]
        signed = self.emit(spirv.SelectOp(below, minus_zero, signed)).results[0]
        is_zero = self.emit(spirv.FOrdEqualOp(r, zero)).results[0]
        self.bind(op.results[0], self.emit(spirv.SelectOp(is_zero, signed, r)).results[0])

    def f64_in_f32(self, op: Operation) -> None:
        """A GLSL.std.450 function that takes no f64 (exp, exp2, log, log2, pow, sin, cos, tan, tanh,
        asin, acos, atan, atan2), or f64 `fma` (GLSL's need not be fused): its f64 expansion
        (`spirv_f64_math`). `fma`, `pow` and the Payne-Hanek reduction of sin/cos/tan work on the
        bits of f64 values, through i64."""
        from khal.passes.spirv_f64_math import EXPANSIONS

        if (expand := EXPANSIONS.get(op.name)) is None:
            raise _no_accurate_f64(op)
        if op.name in ("math.fma", "math.sin", "math.cos", "math.tan", "math.powf"):
            self.require(Capability.Int64)
            fn = op.name.removeprefix("math.")
            self.need("shader-int64", op, f"f64 {fn} (computed through the i64 bits of its operands)")
        self.bind(op.results[0], expand(self, *(self.value(v) for v in op.operands)))

    def need(self, feature: str, op: Operation, what: str) -> None:
        """Record that the module needs wgpu's `feature` (first use: `op`) in `khal.interface`."""
        if feature not in self.requires:
            message = f"{what} needs the WebGPU adapter feature '{feature}'"
            self.requires[feature] = str(op_error(op, message))

    def type_features(self) -> None:
        """Declare the capability of every f16/f64/64-bit int the kernel uses, and record its feature."""
        for arg in self.kernel.body.block.args:
            for feature, capability, what in _type_features(arg.type):
                self.require(capability)
                self.need(feature, self.kernel, f"parameter '{arg.name_hint}' of {what}")
        for op in self.kernel.body.walk():
            for v in (*op.results, *(a for r in op.regions for b in r.blocks for a in b.args)):
                for feature, capability, what in _type_features(v.type):
                    self.require(capability)
                    self.need(feature, op, what)

    # ----------------------------------------------------------------- 8/16-bit elements in 32-bit words

    def word_of(self, memory: SSAValue, index: SSAValue, width: int) -> tuple[SSAValue, SSAValue]:
        """(pointer to the 32-bit word holding element `index` of `memory`, the element's bit shift)."""
        idx = self.index32(index)
        per = 32 // width
        word = self.emit(spirv.ShiftRightLogicalOp(idx, self.constant(per.bit_length() - 1))).results[0]
        lane = self.emit(spirv.BitwiseAndOp(idx, self.constant(per - 1))).results[0]
        shift = self.emit(spirv.ShiftLeftLogicalOp(lane, self.constant(width.bit_length() - 1))).results[0]
        base = self.pointers[memory]
        if isinstance(memory.type, khal.ArrayType):
            indices, storage = [self.constant(0), word], StorageClass.StorageBuffer
        else:
            indices, storage = [word], StorageClass.Workgroup
        chain = spirv.AccessChainOp(base, indices, spirv.PointerType(i32, storage))
        return self.emit(chain).results[0], shift

    def load_packed(self, op: Operation) -> None:
        memory, index = op.operands[0], op.operands[1]
        t = khal.element_of(memory.type)
        width = _packed(t)
        ptr, shift = self.word_of(memory, index, width)
        word = self.emit(spirv.ShiftRightLogicalOp(self.load(ptr), shift)).results[0]
        bits = self.mask(word, width)
        if isinstance(
            t, Float16Type
        ):  # GLSL.std.450 unpacks f16 bits exactly (naga has no u16 -> f16 bitcast)
            pair = self.emit(spirv.GLUnpackHalf2x16Op(bits)).results[0]
            wide = self.emit(spirv.CompositeExtractOp(pair, [0], Float32Type())).results[0]
            bits = self.emit(spirv.FConvertOp(wide, t)).results[0]
        self.bind(op.results[0], bits)

    def store_packed(self, op: Operation) -> None:
        value, memory, index = op.operands[0], op.operands[1], op.operands[2]
        t = khal.element_of(memory.type)
        width = _packed(t)
        bits = self.value(value)
        if isinstance(t, Float16Type):  # exact: the f32 holds an f16 value
            wide = self.emit(spirv.FConvertOp(bits, Float32Type())).results[0]
            zero = self.emit(spirv.ConstantOp(FloatAttr(0.0, Float32Type()))).results[0]
            pair = spirv.CompositeConstructOp([wide, zero], VectorType(Float32Type(), [2]))
            bits = self.emit(spirv.GLPackHalf2x16Op(self.emit(pair).results[0])).results[0]
        ptr, shift = self.word_of(memory, index, width)
        ones = self.emit(spirv.ShiftLeftLogicalOp(self.constant((1 << width) - 1), shift)).results[0]
        keep = self.emit(spirv.NotOp(ones)).results[0]
        put = self.emit(spirv.ShiftLeftLogicalOp(bits, shift)).results[0]
        scope = Scope.Device if isinstance(memory.type, khal.ArrayType) else Scope.Workgroup
        # Two atomics: other invocations may store the other elements of this word meanwhile.
        self.emit(spirv.AtomicAndOp(scope, [MemorySemantics.Relaxed], ptr, keep))
        self.emit(spirv.AtomicOrOp(scope, [MemorySemantics.Relaxed], ptr, put))

    # ----------------------------------------------------------------- structured control flow

    def if_op(self, op: Operation) -> None:
        assert isinstance(op, scf.IfOp)
        out = [self.local(_value_type(r.type, op)) for r in op.results]
        header, merge = Block(), Block([spirv.MergeOp()])
        blocks = [header]
        targets: list[Block] = []
        for region in (op.true_region, op.false_region):
            if not region.blocks:
                targets.append(merge)
                continue
            body = Block()
            self.cur, saved = body, self.cur
            yielded = self.region(region.block)
            self.yield_to(yielded, out)
            self.emit(spirv.BranchOp(merge))
            self.cur = saved
            blocks.append(body)
            targets.append(body)
        header.add_op(spirv.BranchConditionalOp(self.value(op.cond), targets[0], targets[1]))
        self.emit(spirv.SelectionOp(Region([*blocks, merge])))
        for r, ptr in zip(op.results, out, strict=True):
            self.bind(r, self.load(ptr))

    def yield_to(self, terminator: Operation | None, ptrs: Sequence[SSAValue]) -> None:
        """Store the values a region yields into the Function variables `ptrs`."""
        values = [] if terminator is None else list(terminator.operands)
        if isinstance(terminator, scf.ConditionOp):
            values = values[1:]
        for v, ptr in zip(values, ptrs, strict=True):
            self.store(ptr, self.value(v))

    def loop(
        self, init: Sequence[SSAValue], op: Operation, fill: Callable[[list[SSAValue], Block, Block], None]
    ) -> list[SSAValue]:
        """A `spirv.mlir.loop` of entry, header, cond, body, continue and merge blocks.

        `init` are stored in new loop-carried variables (returned); `fill(carried, body, merge)` fills the
        cond block (`self.cur`, which branches to body or merge) and the body.
        """
        carried = [self.local(_value_type(v.type, op)) for v in init]
        for v, ptr in zip(init, carried, strict=True):
            self.store(ptr, self.value(v))
        cond, body, cont = Block(), Block(), Block()
        header = Block([spirv.BranchOp(cond)])
        merge = Block([spirv.MergeOp()])
        cont.add_op(spirv.BranchOp(header))
        entry = Block([spirv.BranchOp(header)])
        saved = self.cur
        self.cur = cond
        fill(carried, body, merge)
        self.cur = body
        self.emit(spirv.BranchOp(cont))
        self.cur = saved
        self.emit(spirv.LoopOp(Region([entry, header, cond, body, cont, merge])))
        return carried

    def while_op(self, op: Operation) -> None:
        assert isinstance(op, scf.WhileOp)
        out = [self.local(_value_type(r.type, op)) for r in op.results]

        def fill(carried: list[SSAValue], body: Block, merge: Block) -> None:
            cond = self.region(op.before_region.block, [self.load(p) for p in carried])
            assert isinstance(cond, scf.ConditionOp)
            self.yield_to(cond, out)
            self.emit(spirv.BranchConditionalOp(self.value(cond.condition), body, merge))
            self.cur = body
            self.yield_to(self.region(op.after_region.block, [self.load(p) for p in out]), carried)

        self.loop(op.arguments, op, fill)
        for r, ptr in zip(op.results, out, strict=True):
            self.bind(r, self.load(ptr))

    def for_op(self, op: Operation) -> None:
        assert isinstance(op, scf.ForOp)
        iv_ptr = self.local(_scalar_type(op.lb.type, op))
        self.store(iv_ptr, self.value(op.lb))

        def fill(carried: list[SSAValue], body: Block, merge: Block) -> None:
            iv = self.load(iv_ptr)
            # the frontend emits scf.for only for signed ranges with a positive step
            more = self.emit(self.signed(spirv.SLessThanOp(iv, self.value(op.ub)))).results[0]
            self.emit(spirv.BranchConditionalOp(more, body, merge))
            self.cur = body
            args = [iv, *(self.load(p) for p in carried)]
            self.yield_to(self.region(op.body.block, args), carried)
            step = self.emit(spirv.IAddOp(self.load(iv_ptr), self.value(op.step))).results[0]
            self.store(iv_ptr, step)

        carried = self.loop(op.iter_args, op, fill)
        for r, ptr in zip(op.results, carried, strict=True):
            self.bind(r, self.load(ptr))

    HANDLERS: dict[type[Operation], Callable[[_KernelLowering, Operation], None]] = {}

    def with_requires(self, interface: DictionaryAttr) -> DictionaryAttr:
        """`interface` with `requires`: the wgpu features the module needs (`Interface.requires`)."""
        if not self.requires:
            return interface
        pairs = [ArrayAttr([StringAttr(f), StringAttr(m)]) for f, m in self.requires.items()]
        return DictionaryAttr({**interface.data, "requires": ArrayAttr(pairs)})

    # ----------------------------------------------------------------- the kernel

    def run(self) -> spirv.ModuleOp:
        """The finished `spirv.module`."""
        interface = self.kernel.attributes.get(INTERFACE_ATTR)
        if not isinstance(interface, DictionaryAttr):
            raise op_error(self.kernel, "convert-khal-to-spirv needs khal-spirv-lower-abi first")
        self.type_features()
        self.params(interface)
        self.region(self.kernel.body.block)
        self.emit(spirv.ReturnOp())
        # SPIR-V wants every Function variable at the top of the entry block.
        first = self.entry.first_op
        for var in self.variables:
            if first is None:
                self.entry.add_op(var)
            else:
                self.entry.insert_op_before(var, first)
        name = self.kernel.sym_name.data
        vce = spirv.VceAttr(SPIRV_VERSION, self.capabilities, self.extensions)
        self.module.properties["vce"] = vce
        fn = spirv.FuncOp(name, FunctionType.from_lists([], []), Region(self.entry))
        fn.attributes[INTERFACE_ATTR] = self.with_requires(interface)
        wg = list(self.kernel.workgroup_size.get_values())
        self.module.body.block.add_ops(
            [
                fn,
                spirv.EntryPointOp(name, [v.sym_name.data for v in self.inputs.values()]),
                spirv.ExecutionModeOp(name, ExecutionMode.LocalSize, wg),  # pyright: ignore[reportArgumentType]
            ]
        )
        return self.module


_KernelLowering.HANDLERS = {
    **{t: _KernelLowering.id_op for t in _BUILTINS},
    khal.LocalInvocationIndexOp: _KernelLowering.local_index,
    khal.LoadOp: _KernelLowering.load_op,
    khal.StoreOp: _KernelLowering.store_op,
    khal.LenOp: _KernelLowering.len_op,
    khal.WorkgroupAllocOp: _KernelLowering.alloc,
    khal.WorkgroupLoadOp: _KernelLowering.load_op,
    khal.WorkgroupStoreOp: _KernelLowering.store_op,
    khal.WorkgroupBarrierOp: _KernelLowering.barrier,
    khal.StorageBarrierOp: _KernelLowering.barrier,
    khal.AtomicRMWOp: _KernelLowering.atomic,
    khal.AtomicCmpXchgOp: _KernelLowering.cmpxchg,
    khal.AtomicLoadOp: _KernelLowering.atomic_access,
    khal.AtomicStoreOp: _KernelLowering.atomic_access,
    khal.PrintOp: _KernelLowering.drop,
    khal.SubgroupSizeOp: _KernelLowering.subgroup_id,
    khal.SubgroupInvocationIdOp: _KernelLowering.subgroup_id,
    khal.SubgroupReduceOp: _KernelLowering.subgroup,
    khal.SubgroupBroadcastFirstOp: _KernelLowering.subgroup,
    arith.IndexCastOp: _KernelLowering.index_cast,
    vector.BroadcastOp: _KernelLowering.broadcast,
    vector.ExtractOp: _KernelLowering.extract,
    vector.InsertOp: _KernelLowering.insert,
    vector.ShuffleOp: _KernelLowering.shuffle,
    khal.StructConstructOp: _KernelLowering.struct_construct,
    khal.StructExtractOp: _KernelLowering.struct_extract,
    khal.StructInsertOp: _KernelLowering.struct_insert,
    scf.IfOp: _KernelLowering.if_op,
    scf.WhileOp: _KernelLowering.while_op,
    scf.ForOp: _KernelLowering.for_op,
}


@dataclass(frozen=True)
class ConvertKhalToSpirvPass(ModulePass):
    """Replace every `khal.kernel` by its `spirv.module` (see the module docstring).

    `fold=false` builds the variant for dispatches the runtime does not fold (the grid within the
    device's per-dimension limit, and every `Indirect` one): the ids come straight from the builtins,
    without the uniform tests and divisions that recover a folded grid's (about 15% of a saxpy's time
    on lavapipe). `flat=true` builds the variant the runtime uses for folded grids of one row of
    workgroups (ny = nz = 1) folded into one plane, whose x id is the linear workgroup: no test of the
    fold and no division (the general fold's cost 15% of a folded saxpy's time on lavapipe).
    `flat=true exact=true` is the one for such grids folded into exactly nx workgroups, where no
    workgroup returns early (the test cost 2% of a folded saxpy's time on the H200). The uniform block
    keeps its layout, so every variant shares one ABI."""

    name = "convert-khal-to-spirv"

    fold: bool = True
    flat: bool = False
    exact: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in list(op.body.block.ops):
            if isinstance(kernel, khal.KernelOp):
                module = _KernelLowering(kernel, self.fold, self.flat, self.exact).run()
                op.body.block.insert_op_before(module, kernel)
                op.body.block.erase_op(kernel, safe_erase=False)
            elif isinstance(kernel, func.FuncOp):
                # a device function `khal-inline` already inlined into every kernel: dead here (a call
                # left in a kernel is a located error of its own, raised while lowering the kernel)
                op.body.block.erase_op(kernel, safe_erase=False)
            elif not isinstance(kernel, spirv.ModuleOp):
                raise op_error(kernel, f"'{kernel.name}' is not supported by the SPIR-V lowering")
