"""`convert-khal-print-to-nvvm`: `khal.print` becomes a CUDA `vprintf` call (the CUDA target's print).

The format and the promoted arguments are the CPU's (`convert-khal-print-to-llvm`'s `PrintLowering`:
`%d`/`%u`/`%lld`, floats as double, bools as `True`/`False`, vectors as tuples, a newline). CUDA's
`vprintf(format, args)` takes the arguments packed in one buffer, each at its natural alignment:
an LLVM struct of the promoted types has exactly that layout. The buffer is one `alloca` per print
in the function's entry block. Runs after `convert-khal-to-nvvm` and before `convert-khal-to-llvm`.
The output appears on the host when the device synchronises (CUDA's rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func, llvm
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i32, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from khal.dialects import khal
from khal.dialects import llvm_ext as llx
from khal.passes.convert_khal_print_to_llvm import PrintLowering
from khal.passes.llvm_common import LoweringError, align_of, declare_function


class VprintfLowering(PrintLowering):
    """Builds the `vprintf` call of each `khal.print`: the CPU's format, arguments packed in a buffer."""

    def lower(self, op: khal.PrintOp) -> None:
        """Replace `op` with `vprintf(format, &args)`."""
        ops: list[Operation] = []
        text, args = self.format_and_args(op, ops)
        fmt = self.address(self.string(text, "__khal_fmt_"), ops)
        ptr = llvm.LLVMPointerType()
        buffer: SSAValue
        if args:
            buffer = self._pack(op, args, ops)
        else:
            null = llvm.ZeroOp(result_types=[ptr])
            ops.append(null)
            buffer = null.res
        declare_function(self.module, "vprintf", [ptr, ptr], i32)
        ops.append(llvm.CallOp("vprintf", fmt, buffer, return_type=i32))
        Rewriter.replace_op(op, ops, [])

    @staticmethod
    def _pack(op: khal.PrintOp, args: list[SSAValue], ops: list[Operation]) -> SSAValue:
        """Store `args` into an entry-block alloca of a struct of their types; its address."""
        layout = llvm.LLVMStructType.from_type_list([a.type for a in args])
        function = op.parent_op()
        while function is not None and not isinstance(function, func.FuncOp):
            function = function.parent_op()
        if function is None:
            raise LoweringError("khal.print must be inside a function (run convert-khal-to-nvvm first)")
        one = llvm.ConstantOp(IntegerAttr(1, i64), i64)
        alloca = llvm.AllocaOp(one.result, layout, alignment=8)
        Rewriter.insert_op([one, alloca], InsertPoint.at_start(function.body.blocks.first))  # pyright: ignore
        for i, arg in enumerate(args):
            gep = llvm.GEPOp(alloca.res, [0, i], layout, result_type=llvm.LLVMPointerType(), inbounds=True)
            align = 8 if isinstance(arg.type, llvm.LLVMPointerType) else align_of(arg.type)
            ops += [gep, llx.StoreOp(arg, gep.result, alignment=align)]
        return alloca.res


@dataclass(frozen=True)
class ConvertKhalPrintToNVVMPass(ModulePass):
    """Lower every `khal.print` to a CUDA `vprintf` call."""

    name = "convert-khal-print-to-nvvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        prints = [o for o in op.walk() if isinstance(o, khal.PrintOp)]
        if not prints:
            return
        printer = VprintfLowering(op, flush=False)
        for p in prints:
            printer.lower(p)


__all__ = ["ConvertKhalPrintToNVVMPass", "VprintfLowering"]
