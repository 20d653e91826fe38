"""`convert-khal-print-to-llvm`: `khal.print` becomes a libc `printf` call (the CPU's print).

Printing is per target: the CPU calls `printf` (this pass), CUDA would call `vprintf`, and WebGPU
drops prints. The format is built from the `{}` holes: integers `%d`/`%lld`, or `%u`/`%llu` for
the values `khal.print` marks `unsigned` (IR integers are signless); floats `%g` through double;
bools `True`/`False`; vectors `(a, b, c)`; a newline at the end. `fflush(NULL)` follows each print
when `flush`, so that the output interleaves with the host's. Run it before `convert-khal-to-llvm`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import llvm
from xdsl.dialects.builtin import AnyFloat, IntegerType, ModuleOp, StringAttr, VectorType, f64, i1, i8, i32
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from khal.dialects import khal
from khal.dialects import llvm_ext as llx
from khal.passes.llvm_common import LoweringError, declare_function, extract_element, to_llvm


def _format_of(t: Attribute, unsigned: bool) -> str:
    if t == i1:
        return "%s"
    if isinstance(t, IntegerType):
        return ("%ll" if t.width.data == 64 else "%") + ("u" if unsigned else "d")
    if isinstance(t, AnyFloat):
        return "%g"
    if isinstance(t, VectorType) and t.get_num_dims() == 1:
        return "(" + ", ".join([_format_of(t.element_type, unsigned)] * t.get_shape()[0]) + ")"
    raise LoweringError(f"khal.print cannot print a {t}")


class PrintLowering:
    """Builds the printf call of each `khal.print` (a plain walk: it adds module-level globals)."""

    def __init__(self, module: ModuleOp, flush: bool):
        self.module = module
        self.flush = flush
        self.names = {o.sym_name.data for o in module.ops if isinstance(o, llvm.GlobalOp | llvm.FuncOp)}
        self.bools: tuple[str, str] | None = None

    def string(self, text: str, hint: str) -> str:
        i = 0
        while f"{hint}{i}" in self.names:
            i += 1
        name = f"{hint}{i}"
        self.names.add(name)
        size = len(text.encode("utf-8")) + 1
        glob = llvm.GlobalOp(
            llvm.LLVMArrayType(size, i8), name, "internal", constant=True, value=StringAttr(text), alignment=1
        )
        block = self.module.body.block
        if block.first_op is None:
            block.add_op(glob)
        else:
            block.insert_op_before(glob, block.first_op)
        return name

    def address(self, name: str, ops: list[Operation]) -> SSAValue:
        op = llvm.AddressOfOp(name, llvm.LLVMPointerType())
        ops.append(op)
        return op.result

    def _scalar_args(self, value: SSAValue, unsigned: bool, ops: list[Operation]) -> list[SSAValue]:
        """`value` as C's default argument promotions pass it to a variadic function."""
        t = value.type
        if t == i1:
            if self.bools is None:
                self.bools = (self.string("True", "__khal_true"), self.string("False", "__khal_false"))
            sel = llx.SelectOp(value, self.address(self.bools[0], ops), self.address(self.bools[1], ops))
            ops.append(sel)
            return [sel.res]
        if isinstance(t, IntegerType) and t.width.data < 32:
            ext = (llvm.ZExtOp if unsigned else llvm.SExtOp)(value, i32)
            ops.append(ext)
            return [ext.res]
        if isinstance(t, AnyFloat) and t.bitwidth < 64:
            ext = llvm.FPExtOp(value, f64)
            ops.append(ext)
            return [ext.result]
        return [value]

    def format_and_args(self, op: khal.PrintOp, ops: list[Operation]) -> tuple[str, list[SSAValue]]:
        """The printf format of `op` (with its newline) and its promoted arguments (C's variadic rules)."""
        pieces = op.format.data.split("{}")
        text = pieces[0].replace("%", "%%")
        args: list[SSAValue] = []
        for i, (value, piece) in enumerate(zip(op.values, pieces[1:], strict=True)):
            unsigned = op.is_unsigned(i)
            text += _format_of(value.type, unsigned) + piece.replace("%", "%%")
            v = to_llvm(value, ops)
            if isinstance(v.type, VectorType):
                for k in range(v.type.get_shape()[0]):
                    args += self._scalar_args(extract_element(v, k, ops), unsigned, ops)
            else:
                args += self._scalar_args(v, unsigned, ops)
        return text + "\n", args

    def lower(self, op: khal.PrintOp) -> None:
        """Replace `op` with a `printf` call (and `fflush` when `flush`)."""
        ops: list[Operation] = []
        text, args = self.format_and_args(op, ops)
        fmt = self.address(self.string(text, "__khal_fmt_"), ops)
        ptr = llvm.LLVMPointerType()
        declare_function(self.module, "printf", [ptr], i32, variadic=True)
        ops.append(llvm.CallOp("printf", fmt, *args, return_type=i32, variadic_args=len(args)))
        if self.flush:
            declare_function(self.module, "fflush", [ptr], i32)
            null = llvm.ZeroOp(result_types=[ptr])
            ops += [null, llvm.CallOp("fflush", null.res, return_type=i32)]
        Rewriter.replace_op(op, ops, [])


@dataclass(frozen=True)
class ConvertKhalPrintToLLVMPass(ModulePass):
    """Lower every `khal.print` to a `printf` call (and `fflush` when `flush`)."""

    name = "convert-khal-print-to-llvm"

    flush: bool = True
    """Call `fflush(NULL)` after each print."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        prints = [o for o in op.walk() if isinstance(o, khal.PrintOp)]
        if not prints:
            return
        printer = PrintLowering(op, self.flush)
        for p in prints:
            printer.lower(p)
