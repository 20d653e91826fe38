"""`khal-infer-access`: narrow each array parameter's access to what the kernel does with it.

The frontend types every `!khal.array` parameter `read_write`; targets want to know more
(SPIR-V `NonWritable`, read-only bind groups, LLVM `readonly`/`noalias`). This pass looks at
every use of each kernel array parameter:

- `khal.load` reads, `khal.store` writes, every atomic reads and writes, `khal.len` does neither;
- an array passed to a device function (`func.call`) gets the uses of the callee's parameter,
  followed through nested calls;
- an array never read nor written (only `khal.len`, or unused) becomes `read`.

Any other use keeps the parameter's type as it is: an op this pass does not know (e.g. an array
flowing through `scf.yield`) may tie its own types to the array's, and a callee without a body,
or a call cycle, could do anything with it under a signature that must not change.

Device functions called with a narrowed array are retyped to match their callers (`func.call`
checks operand types against the callee). A function called with two different signatures is
cloned per signature (`@f__read`, ...); an original left without callers is removed and a
lone clone takes its name back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType, ModuleOp, StringAttr, SymbolRefAttr
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from khal.dialects.khal import (
    Access,
    ArrayType,
    AtomicCmpXchgOp,
    AtomicLoadOp,
    AtomicRMWOp,
    AtomicStoreOp,
    KernelOp,
    LenOp,
    LoadOp,
    StoreOp,
)

_ATOMICS = (AtomicRMWOp, AtomicCmpXchgOp, AtomicLoadOp, AtomicStoreOp)


@dataclass(frozen=True)
class _Uses:
    """What a value's uses do to the array behind it. `opaque`: some use is not understood."""

    reads: bool = False
    writes: bool = False
    opaque: bool = False

    def __or__(self, other: _Uses) -> _Uses:
        return _Uses(self.reads or other.reads, self.writes or other.writes, self.opaque or other.opaque)

    @property
    def access(self) -> Access:
        """The narrowest access that allows these uses (never-touched arrays are `read`)."""
        if self.writes and self.reads:
            return Access.READ_WRITE
        return Access.WRITE if self.writes else Access.READ


_READ = _Uses(reads=True)
_WRITE = _Uses(writes=True)
_READ_WRITE = _Uses(reads=True, writes=True)
_OPAQUE = _Uses(reads=True, writes=True, opaque=True)


@dataclass
class _UseAnalysis:
    """Summarises the uses of array values, looking through calls into device functions."""

    functions: dict[str, func.FuncOp]
    _param_uses: dict[tuple[str, int], _Uses] = field(default_factory=dict[tuple[str, int], _Uses])
    _in_progress: set[tuple[str, int]] = field(default_factory=set[tuple[str, int]])

    def value_uses(self, value: SSAValue) -> _Uses:
        """The join of what every use of `value` does."""
        result = _Uses()
        for use in value.uses:
            result = result | self._use(use.operation, use.index)
        return result

    def _use(self, op: Operation, index: int) -> _Uses:
        if isinstance(op, LoadOp):
            return _READ
        if isinstance(op, StoreOp):
            # Operand 0 is the stored value: an array is never an element, so only 1 (the array) counts.
            return _WRITE if op.array is op.operands[index] else _OPAQUE
        if isinstance(op, LenOp):
            return _Uses()
        if isinstance(op, _ATOMICS):
            return _READ_WRITE
        if isinstance(op, func.CallOp):
            return self._param(op.callee.string_value(), index)
        return _OPAQUE

    def _param(self, callee: str, index: int) -> _Uses:
        """What device function `callee` does with its parameter `index`."""
        key = (callee, index)
        if key in self._param_uses:
            return self._param_uses[key]
        function = self.functions.get(callee)
        if function is None or function.is_declaration or key in self._in_progress:
            # Unknown body, or recursion: anything may happen, and the signature must stay as is.
            return _OPAQUE
        self._in_progress.add(key)
        uses = self.value_uses(function.body.block.args[index])
        self._in_progress.discard(key)
        self._param_uses[key] = uses
        return uses


def _retype_arrays(args: Sequence[SSAValue], types: Sequence[Attribute]) -> None:
    """Give block arguments new types; their users stay valid (no result type depends on access)."""
    for arg, new_type in zip(args, types, strict=True):
        if arg.type != new_type:
            Rewriter.replace_value_with_new_type(arg, new_type)


def _access_suffix(types: tuple[Attribute, ...]) -> str:
    return "_".join(t.access.data for t in types if isinstance(t, ArrayType))


@dataclass
class _Specialiser:
    """Makes every `func.call` agree with its callee's signature after the kernels' arrays were retyped."""

    module: ModuleOp
    functions: dict[str, func.FuncOp]
    _clones: dict[tuple[str, tuple[Attribute, ...]], str] = field(
        default_factory=dict[tuple[str, tuple[Attribute, ...]], str]
    )
    _visited: set[str] = field(default_factory=set[str])
    cloned_from: dict[str, list[str]] = field(default_factory=dict[str, list[str]])

    def visit(self, op: Operation) -> None:
        """Fix every call inside `op`, then inside the functions they reach."""
        for call in [o for o in op.walk() if isinstance(o, func.CallOp)]:
            callee = self.functions.get(call.callee.string_value())
            if callee is None or callee.is_declaration:
                continue
            wanted = tuple(call.arguments.types)
            if tuple(callee.function_type.inputs.data) != wanted:
                callee = self._specialise(callee, wanted)
                call.callee = SymbolRefAttr(callee.sym_name)
            if callee.sym_name.data not in self._visited:
                self._visited.add(callee.sym_name.data)
                self.visit(callee)

    def _specialise(self, callee: func.FuncOp, inputs: tuple[Attribute, ...]) -> func.FuncOp:
        key = (callee.sym_name.data, inputs)
        if key in self._clones:
            return self.functions[self._clones[key]]
        clone = callee.clone()
        clone.sym_name = StringAttr(self._fresh_name(f"{callee.sym_name.data}__{_access_suffix(inputs)}"))
        _retype_arrays(clone.body.block.args, list(inputs))
        clone.function_type = FunctionType.from_lists(inputs, callee.function_type.outputs.data)
        Rewriter.insert_op(clone, InsertPoint.after(callee))
        self.functions[clone.sym_name.data] = clone
        self._clones[key] = clone.sym_name.data
        self.cloned_from.setdefault(callee.sym_name.data, []).append(clone.sym_name.data)
        return clone

    def _fresh_name(self, base: str) -> str:
        name, n = base, 0
        while name in self.functions:
            n += 1
            name = f"{base}_{n}"
        return name

    def tidy(self) -> None:
        """Drop originals that lost all their callers; a lone clone takes the original's name back."""
        for original, clones in self.cloned_from.items():
            if _callers(self.module, original):
                continue
            Rewriter.erase_op(self.functions.pop(original))
            if len(clones) == 1:
                for call in _callers(self.module, clones[0]):
                    call.callee = SymbolRefAttr(original)
                self.functions[clones[0]].sym_name = StringAttr(original)


def _callers(module: ModuleOp, name: str) -> list[func.CallOp]:
    return [o for o in module.walk() if isinstance(o, func.CallOp) and o.callee.string_value() == name]


@dataclass(frozen=True)
class InferAccessPass(ModulePass):
    """Marks each kernel array parameter read, write or read_write from its uses."""

    name = "khal-infer-access"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        functions = {f.sym_name.data: f for f in op.walk() if isinstance(f, func.FuncOp)}
        analysis = _UseAnalysis(functions)
        kernels = [k for k in op.walk() if isinstance(k, KernelOp)]
        for kernel in kernels:
            new_types: list[Attribute] = []
            for arg in kernel.args:
                uses = analysis.value_uses(arg) if isinstance(arg.type, ArrayType) else _OPAQUE
                if isinstance(arg.type, ArrayType) and not uses.opaque:
                    new_types.append(arg.type.with_access(uses.access))
                else:
                    new_types.append(arg.type)
            _retype_arrays(kernel.args, new_types)
            kernel.update_param_types()
        specialiser = _Specialiser(op, functions)
        for kernel in kernels:
            specialiser.visit(kernel)
        specialiser.tidy()
