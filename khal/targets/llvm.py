"""The `llvm` dialect (xDSL's plus `khal.dialects.llvm_ext`) to an llvmlite `ir.Module`.

It reuses `xdsl.backend.llvm` (types, constants, most instructions) and adds or fixes what khal
needs: `fptosi`/`fptoui`/`uitofp`, `addrspacecast`, `extractelement`, vector `fcmp`/`select`,
atomics (`atomicrmw` incl. `fadd`, `cmpxchg`, atomic `load`/`store`), `fence`, GEPs on pointers
of any address space (xDSL's bitcasts them to address space 0), function linkage, calling
conventions, function attributes (`passthrough`) and parameter attributes (`noalias`, `readonly`,
`writeonly`, `nocapture`, ...), globals with any initializer, and blocks translated in dominance
order so that values defined in a later-listed block are available. An op it cannot translate
raises `LLVMTranslationError` naming the op.

`LLVM_LOWERING` is the pass pipeline from khal's CPU-ABI form (after `khal-cpu-workgroup-loops`)
to this dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

import llvmlite.ir as ir
from llvmlite.ir import instructions
from xdsl.backend.llvm.convert_op import convert_op as xdsl_convert_op
from xdsl.backend.llvm.convert_type import convert_type
from xdsl.context import Context
from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.utils.exceptions import LLVMTranslationException
from xdsl.utils.target import Target

from khal.dialects import llvm_ext as llx
from khal.passes import LLVM_LOWERING  # noqa: F401 - re-exported: the lowering this translator expects


class LLVMTranslationError(LLVMTranslationException):
    """The llvm-dialect module holds something the translator cannot express in LLVM IR."""


# --------------------------------------------------------------------------- attributes

_ARG_FLAGS = {
    "llvm.noalias": "noalias",
    "llvm.nocapture": "captures(none)",
    "llvm.readonly": "readonly",
    "llvm.writeonly": "writeonly",
    "llvm.readnone": "readnone",
    "llvm.nonnull": "nonnull",
    "llvm.noundef": "noundef",
    "llvm.nofree": "nofree",
    "llvm.signext": "signext",
    "llvm.zeroext": "zeroext",
    "llvm.inreg": "inreg",
}

_ARG_INTS = {
    "llvm.align": "align",
    "llvm.dereferenceable": "dereferenceable",
    "llvm.dereferenceable_or_null": "dereferenceable_or_null",
}


def _int_of(attr: Attribute) -> int:
    if isinstance(attr, IntegerAttr):
        return attr.value.data
    if isinstance(attr, IntAttr):
        return attr.data
    raise LLVMTranslationError(f"expected an integer attribute, got {attr}")


def _add_arg_attributes(arg: ir.Argument, attrs: DictionaryAttr) -> None:
    for name, value in attrs.data.items():
        if name in _ARG_FLAGS:
            # llvmlite validates names against an old list (no readonly/writeonly): bypass it.
            set.add(arg.attributes, _ARG_FLAGS[name])
        elif name in _ARG_INTS:
            setattr(arg.attributes, _ARG_INTS[name], _int_of(value))


def _add_function_attributes(fn: ir.Function, passthrough: ArrayAttr | None) -> None:
    if passthrough is None:
        return
    for item in passthrough:
        if isinstance(item, StringAttr):
            set.add(fn.attributes, item.data)
        elif isinstance(item, ArrayAttr) and len(item) == 2:
            key, value = item
            assert isinstance(key, StringAttr) and isinstance(value, StringAttr)
            set.add(fn.attributes, f'"{key.data}"="{value.data}"')
        else:
            raise LLVMTranslationError(f"unsupported function attribute {item}")


def _declare_function(op: llvm.FuncOp, module: ir.Module) -> ir.Function:
    try:
        ftype = convert_type(op.function_type)
    except LLVMTranslationException as e:
        raise LLVMTranslationError(f"@{op.sym_name.data}: {e}") from None
    assert isinstance(ftype, ir.FunctionType)
    name = op.sym_name.data
    if name in module.globals:
        raise LLVMTranslationError(f"symbol @{name} is defined twice")
    fn = ir.Function(module, ftype, name=name)
    linkage = op.linkage.linkage.data
    if linkage != "external":
        fn.linkage = linkage
    cconv = op.CConv.cconv_name
    if cconv != "ccc":
        fn.calling_convention = cconv
    custom_cc = op.attributes.get("llvm.calling_convention")
    if isinstance(custom_cc, StringAttr):
        fn.calling_convention = custom_cc.data
    if "nvvm.kernel" in op.attributes:
        fn.calling_convention = "ptx_kernel"
    if op.arg_attrs is not None:
        for arg, attrs in zip(fn.args, op.arg_attrs, strict=True):
            _add_arg_attributes(arg, attrs)
    if op.body.blocks:
        passthrough = op.passthrough if op.passthrough is not None else op.attributes.get("passthrough")
        _add_function_attributes(fn, passthrough if isinstance(passthrough, ArrayAttr) else None)
    return fn


def _global_initializer(op: llvm.GlobalOp, gtype: ir.Type) -> ir.Constant | None:
    value = op.value
    if value is None:
        return None
    if isinstance(value, StringAttr):
        raw = bytearray(value.data.encode("utf-8"))
        if isinstance(gtype, ir.ArrayType) and len(raw) < gtype.count:
            raw += bytes(gtype.count - len(raw))  # zero padding (the C string's NUL)
        return ir.Constant(gtype, raw)
    return _constant(gtype, value)


def _convert_global(op: llvm.GlobalOp, module: ir.Module) -> None:
    gtype = convert_type(op.global_type)
    space = op.addr_space.value.data
    gvar = ir.GlobalVariable(module, gtype, name=op.sym_name.data, addrspace=space)
    # llvmlite types a global's address as a typed pointer (`[4 x i32]*`); the dialect's (and
    # LLVM's) pointers are opaque, and selects/phis of two globals need one pointer type.
    gvar.type = ir.PointerType(addrspace=space)
    linkage = op.linkage.linkage.data
    if linkage != "external":
        gvar.linkage = linkage
    gvar.global_constant = op.constant is not None
    init = _global_initializer(op, gtype)
    if init is None and linkage in ("internal", "private"):
        init = ir.Constant(gtype, ir.Undefined)  # uninitialised storage (e.g. GPU shared memory)
    if init is not None:
        gvar.initializer = init
    if op.alignment is not None:
        gvar.align = op.alignment.value.data
    if op.unnamed_addr is not None and op.unnamed_addr.value.data:
        gvar.unnamed_addr = True


# --------------------------------------------------------------------------- constants


def _constant(t: ir.Type, value: Attribute) -> ir.Constant:
    if isinstance(value, IntegerAttr):
        v = value.value.data
        if isinstance(t, ir.IntType) and t.width == 1:
            v = 1 if v else 0
        return ir.Constant(t, v)
    if isinstance(value, FloatAttr):
        return ir.Constant(t, value.value.data)
    if isinstance(value, DenseIntOrFPElementsAttr):
        values = list(value.get_values())
        if isinstance(t, ir.VectorType | ir.ArrayType):
            count = t.count
            element = t.element
            if len(values) == 1 and count != 1:
                values = values * count
            if isinstance(element, ir.IntType) and element.width == 1:
                values = [1 if v else 0 for v in values]
            if isinstance(element, ir.VectorType | ir.ArrayType):
                inner = element.count
                return ir.Constant(
                    t,
                    [ir.Constant(element, values[i * inner : (i + 1) * inner]) for i in range(count)],
                )
            return ir.Constant(t, values)
        if len(values) == 1:
            return ir.Constant(t, values[0])
    raise LLVMTranslationError(f"unsupported constant {value} of type {t}")


# --------------------------------------------------------------------------- instructions


class _AtomicRMW(instructions.AtomicRMW):
    """llvmlite's atomicrmw plus `syncscope` and `align`."""

    def __init__(
        self,
        parent: Any,
        op: str,
        ptr: ir.Value,
        val: ir.Value,
        ordering: str,
        scope: str | None,
        align: int | None,
    ):
        super().__init__(parent, op, ptr, val, ordering, name="")
        self.scope = scope
        self.align = align

    def descr(self, buf: list[str]) -> None:
        ptr, val = self.operands
        scope = f' syncscope("{self.scope}")' if self.scope else ""
        align = f", align {self.align}" if self.align else ""
        buf.append(
            f"atomicrmw {self.operation} {ptr.type} {ptr.get_reference()}, {val.type} {val.get_reference()}"
            f"{scope} {self.ordering}{align}{self._stringify_metadata(leading_comma=True)}\n"
        )


class _CmpXchg(instructions.CmpXchg):
    """llvmlite's cmpxchg plus `syncscope`."""

    def __init__(
        self,
        parent: Any,
        ptr: ir.Value,
        cmp: ir.Value,
        val: ir.Value,
        success: str,
        failure: str,
        scope: str | None,
    ):
        super().__init__(parent, ptr, cmp, val, success, failure, name="")
        self.scope = scope

    def descr(self, buf: list[str]) -> None:
        ptr, cmpval, val = self.operands
        scope = f' syncscope("{self.scope}")' if self.scope else ""
        buf.append(
            f"cmpxchg {ptr.type} {ptr.get_reference()}, {cmpval.type} {cmpval.get_reference()}, "
            f"{val.type} {val.get_reference()}{scope} {self.ordering} {self.failordering}"
            f"{self._stringify_metadata(leading_comma=True)}\n"
        )


class _Fence(instructions.Fence):
    """llvmlite's fence with a quoted `syncscope`."""

    def descr(self, buf: list[str]) -> None:
        scope = f' syncscope("{self.targetscope}")' if self.targetscope else ""
        buf.append(f"fence{scope} {self.ordering}\n")


def _natural_align(t: ir.Type) -> int:
    if isinstance(t, ir.IntType):
        return max(1, t.width // 8)
    if isinstance(t, ir.HalfType):
        return 2
    if isinstance(t, ir.FloatType):
        return 4
    if isinstance(t, ir.DoubleType):
        return 8
    if isinstance(t, ir.PointerType):
        return 8
    raise LLVMTranslationError(f"an atomic access of {t} needs an explicit alignment")


_ORDERING = llx.ORDERING_NAMES


class _FunctionTranslator:
    """Translates the body of one `llvm.func`."""

    def __init__(self, op: llvm.FuncOp, fn: ir.Function):
        self.op = op
        self.fn = fn
        self.values: dict[SSAValue, ir.Value] = {}
        self.blocks: dict[Block, ir.Block] = {}

    def run(self) -> None:
        body = list(self.op.body.blocks)
        for i, block in enumerate(body):
            self.blocks[block] = self.fn.append_basic_block(name=block.name_hint or "")
            if i == 0:
                if len(block.args) != len(self.fn.args):
                    raise LLVMTranslationError(
                        f"@{self.op.sym_name.data}: the entry block has {len(block.args)} arguments "
                        f"for {len(self.fn.args)} parameters"
                    )
                self.values.update(zip(block.args, self.fn.args, strict=True))
                for arg, llvm_arg in zip(block.args, self.fn.args, strict=True):
                    if arg.name_hint:
                        llvm_arg.name = arg.name_hint
            elif block.args:
                builder = ir.IRBuilder(self.blocks[block])
                for arg in block.args:
                    self.values[arg] = builder.phi(convert_type(arg.type), name=arg.name_hint or "")
        for block in self._dominance_order(body):
            builder = ir.IRBuilder(self.blocks[block])
            if self.blocks[block].instructions:
                builder.position_after(self.blocks[block].instructions[-1])
            for op in block.ops:
                self._convert(op, builder)

    @staticmethod
    def _dominance_order(body: list[Block]) -> list[Block]:
        """Reverse post-order from the entry (every block after its dominators), then unreachable blocks."""
        seen: set[Block] = set()
        post: list[Block] = []
        stack: list[tuple[Block, int]] = [(body[0], 0)]
        seen.add(body[0])
        while stack:
            block, i = stack.pop()
            term = block.last_op
            succs = list(term.successors) if term is not None else []
            if i < len(succs):
                stack.append((block, i + 1))
                nxt = succs[i]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, 0))
            else:
                post.append(block)
        order = list(reversed(post))
        return order + [b for b in body if b not in seen]

    def _convert(self, op: Operation, builder: ir.IRBuilder) -> None:
        try:
            if not self._convert_khal(op, builder):
                xdsl_convert_op(op, builder, self.values, self.blocks)
            for result in op.results:
                # Keep the IR's value names (deduplicated by llvmlite) for readable LLVM IR.
                value = self.values.get(result)
                if (
                    result.name_hint
                    and isinstance(value, instructions.Instruction)
                    and value.name.startswith(".")
                ):
                    value.name = result.name_hint
        except LLVMTranslationError:
            raise
        except (
            LLVMTranslationException,
            NotImplementedError,
            KeyError,
            TypeError,
            ValueError,
            AssertionError,
            AttributeError,
        ) as e:
            raise LLVMTranslationError(
                f"cannot translate {op.name} in @{self.op.sym_name.data} to LLVM IR: {e or type(e).__name__}"
            ) from e

    def _v(self, value: SSAValue) -> ir.Value:
        try:
            return self.values[value]
        except KeyError:
            raise LLVMTranslationError(f"value {value} is used before it is defined") from None

    def _set(self, result: SSAValue, value: ir.Value) -> None:
        self.values[result] = value

    def _convert_khal(self, op: Operation, b: ir.IRBuilder) -> bool:
        """The ops xDSL's translator lacks or gets wrong; False leaves `op` to xDSL."""
        match op:
            case llx.FCmpOp() | llvm.FCmpOp():
                pred = llvm.FCmpPredicateFlag.from_int(op.predicate.value.data).value.strip("_")
                instr = instructions.FCMPInstr(b.block, pred, self._v(op.lhs), self._v(op.rhs))
                b._insert(instr)
                self._set(op.res, instr)
            case llx.SelectOp() | llvm.SelectOp():
                self._set(op.res, b.select(self._v(op.cond), self._v(op.lhs), self._v(op.rhs)))
            case llx.FPToSIOp():
                self._set(op.res, b.fptosi(self._v(op.arg), convert_type(op.res.type)))
            case llx.FPToUIOp():
                self._set(op.res, b.fptoui(self._v(op.arg), convert_type(op.res.type)))
            case llx.UIToFPOp():
                self._set(op.res, b.uitofp(self._v(op.arg), convert_type(op.res.type)))
            case llvm.SIToFPOp():
                self._set(op.result, b.sitofp(self._v(op.arg), convert_type(op.result.type)))
            case llx.AddrSpaceCastOp():
                self._set(op.res, b.addrspacecast(self._v(op.arg), convert_type(op.res.type)))
            case llx.ExtractElementOp():
                self._set(op.res, b.extract_element(self._v(op.vector), self._v(op.position)))
            case llvm.GEPOp():
                self._gep(op, b)
            case llvm.LoadOp():
                self._load(op, b)
            case llx.StoreOp() | llvm.StoreOp():
                self._store(op, b)
            case llx.AtomicRMWOp():
                align = op.alignment.value.data if op.alignment is not None else None
                scope = op.syncscope.data if op.syncscope is not None else None
                instr = _AtomicRMW(
                    b.block, op.bin_op.data, self._v(op.ptr), self._v(op.val),
                    _ORDERING[op.ordering.value.data], scope, align,
                )  # fmt: skip
                b._insert(instr)
                self._set(op.res, instr)
            case llx.AtomicCmpXchgOp():
                scope = op.syncscope.data if op.syncscope is not None else None
                success = _ORDERING[op.success_ordering.value.data]
                failure = _ORDERING[op.failure_ordering.value.data]
                instr = _CmpXchg(
                    b.block, self._v(op.ptr), self._v(op.cmp), self._v(op.val), success, failure, scope
                )
                b._insert(instr)
                self._set(op.res, instr)
            case llx.FenceOp():
                scope = op.syncscope.data if op.syncscope is not None else None
                b._insert(_Fence(b.block, _ORDERING[op.ordering.value.data], scope))
            case llvm.ConstantOp():
                self._set(op.result, _constant(convert_type(op.result.type), op.value))
            case llvm.ExtractValueOp():
                self._set(op.res, b.extract_value(self._v(op.container), list(op.position.iter_values())))
            case llvm.InsertValueOp():
                pos = list(op.position.iter_values())
                self._set(op.res, b.insert_value(self._v(op.container), self._v(op.value), pos))
            case llvm.CallIntrinsicOp():
                self._call_intrinsic(op, b)
            case llvm.CondBrOp():
                self._cond_br(op, b)
            case llvm.CallOp() if op.callee is not None:
                callee = b.module.get_global(op.callee.string_value())
                cconv = op.CConv.cconv_name
                result = b.call(
                    callee,
                    [self._v(a) for a in op.args],
                    cconv=None if cconv == "ccc" else cconv,
                    tail=op.TailCallKind.data != "none",
                )
                if op.returned is not None:
                    self._set(op.returned, result)
            case llvm.AddressOfOp():
                self._set(op.result, b.module.get_global(op.global_name.root_reference.data))
            case llvm.AllocaOp():
                instr = b.alloca(convert_type(op.elem_type), size=self._v(op.size))
                instr.type = ir.PointerType()  # opaque, like every other pointer here
                if op.alignment is not None:
                    instr.align = op.alignment.value.data
                self._set(op.res, instr)
            case _:
                return False
        return True

    def _gep(self, op: llvm.GEPOp, b: ir.IRBuilder) -> None:
        # Unlike xDSL, keep the pointer (and its address space) as it is: GEPs on opaque pointers
        # need no bitcast, and a bitcast to `ptr` (addrspace 0) is invalid IR for `ptr addrspace(N)`.
        ssa = iter(op.ssa_indices)
        indices = [
            self._v(next(ssa)) if idx == llvm.GEP_USE_SSA_VAL else ir.Constant(ir.IntType(32), idx)
            for idx in op.rawConstantIndices.iter_values()
        ]
        self._set(
            op.result,
            b.gep(
                self._v(op.ptr),
                indices,
                inbounds=op.inbounds is not None,
                source_etype=convert_type(op.elem_type),
            ),
        )

    def _load(self, op: llvm.LoadOp, b: ir.IRBuilder) -> None:
        t = convert_type(op.dereferenced_value.type)
        ordering = op.ordering.value.data
        align = op.alignment.value.data if op.alignment is not None else None
        if ordering:
            instr = instructions.LoadAtomicInstr(
                b.block, self._v(op.ptr), _ORDERING[ordering], align or _natural_align(t), "", typ=t
            )
            b._insert(instr)
        else:
            instr = b.load(self._v(op.ptr), typ=t)
            if align:
                instr.align = align
        self._set(op.dereferenced_value, instr)

    def _store(self, op: Operation, b: ir.IRBuilder) -> None:
        value, ptr = self._v(op.operands[0]), self._v(op.operands[1])
        ordering_attr = op.properties.get("ordering")
        ordering = ordering_attr.value.data if isinstance(ordering_attr, IntegerAttr) else 0
        align_attr = op.properties.get("alignment")
        align = align_attr.value.data if isinstance(align_attr, IntegerAttr) else None
        if ordering:
            instr = instructions.StoreAtomicInstr(
                b.block, value, ptr, _ORDERING[ordering], align or _natural_align(value.type)
            )
            b._insert(instr)
        else:
            # Not `b.store`: it insists on a typed pointer's pointee matching the value.
            store = instructions.StoreInstr(b.block, value, ptr)
            b._insert(store)
            if align:
                store.align = align

    def _edge(self, source: ir.Block, dest: Block, args: Sequence[SSAValue]) -> None:
        for arg, value in zip(dest.args, args, strict=True):
            phi = self.values[arg]
            assert isinstance(phi, instructions.PhiInstr)
            phi.add_incoming(self._v(value), source)

    def _cond_br(self, op: llvm.CondBrOp, b: ir.IRBuilder) -> None:
        then_dest, else_dest = self.blocks[op.then_block], self.blocks[op.else_block]
        if op.then_block is op.else_block and op.then_block.args:
            # One successor reached twice with different arguments: a phi cannot tell the two
            # edges apart, so route each through its own block.
            then_dest = self.fn.append_basic_block()
            else_dest = self.fn.append_basic_block()
            for block, args in ((then_dest, op.then_arguments), (else_dest, op.else_arguments)):
                ir.IRBuilder(block).branch(self.blocks[op.then_block])
                self._edge(block, op.then_block, args)
        else:
            self._edge(b.block, op.then_block, op.then_arguments)
            self._edge(b.block, op.else_block, op.else_arguments)
        b.cbranch(self._v(op.cond), then_dest, else_dest)

    def _call_intrinsic(self, op: llvm.CallIntrinsicOp, b: ir.IRBuilder) -> None:
        args = [self._v(a) for a in op.args]
        ret = convert_type(op.ress.type) if op.ress is not None else ir.VoidType()
        name = op.intrin.data
        fnty = ir.FunctionType(ret, [a.type for a in args])
        fn = b.module.globals.get(name)
        if fn is None:
            fn = ir.Function(b.module, fnty, name=name)
        elif not isinstance(fn, ir.Function) or fn.ftype != fnty:
            raise LLVMTranslationError(f"intrinsic {name} is used with two types ({fnty})")
        result = b.call(fn, args)
        if op.ress is not None:
            self._set(op.ress, result)


# --------------------------------------------------------------------------- module


def translate_module(module: ModuleOp, *, triple: str | None = None, data_layout: str = "") -> ir.Module:
    """The llvmlite module of an llvm-dialect `module` (triple: the module's `llvm.target_triple`,
    else `triple`, else the host's)."""
    out = ir.Module(name=module.sym_name.data if module.sym_name else "khal")
    module_triple = module.attributes.get("llvm.target_triple")
    if isinstance(module_triple, StringAttr):
        out.triple = module_triple.data
    elif triple is not None:
        out.triple = triple
    else:
        from llvmlite import binding

        out.triple = binding.get_default_triple()
    layout = module.attributes.get("llvm.data_layout")
    if isinstance(layout, StringAttr):
        out.data_layout = layout.data
    elif data_layout:
        out.data_layout = data_layout

    funcs: list[tuple[llvm.FuncOp, ir.Function]] = []
    globals_: list[llvm.GlobalOp] = []
    for op in module.ops:
        if isinstance(op, llvm.GlobalOp):
            globals_.append(op)
        elif not isinstance(op, llvm.FuncOp):
            raise LLVMTranslationError(
                f"cannot translate top-level op {op.name} to LLVM IR (is a convert-*-to-llvm pass missing?)"
            )
    for op in globals_:
        _convert_global(op, out)
    for op in module.ops:
        if isinstance(op, llvm.FuncOp):
            funcs.append((op, _declare_function(op, out)))
    for op, fn in funcs:
        if op.body.blocks:
            _FunctionTranslator(op, fn).run()
    return out


@dataclass(frozen=True)
class LLVMTarget(Target):
    """`khal-opt -t llvm`: print the LLVM IR of an llvm-dialect module."""

    name = "llvm"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        print(translate_module(module), file=output)
