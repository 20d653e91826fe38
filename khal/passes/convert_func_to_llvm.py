"""`convert-func-to-llvm`: `func.func`/`func.call`/`func.return` to `llvm.func`/`llvm.call`/`llvm.return`.

Signatures get their LLVM types (several results are packed in a literal struct). A private
`func.func` becomes an `internal` function, the others `external`. Every defined function is
`nounwind` (kernels never unwind); with `inline_private` (the default) private functions with a body
are also `alwaysinline`, as GPU compilers inline device functions. `arg_attrs` (e.g. the
`llvm.noalias`/`llvm.readonly` that `convert-khal-to-llvm` puts on array pointers) and other
discardable attributes are carried over; an `llvm.passthrough` array attribute adds more
function attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func, llvm
from xdsl.dialects.builtin import ArrayAttr, ModuleOp, StringAttr
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from khal.passes.llvm_common import (
    LoweringError,
    convert_block_args,
    extract_value,
    from_llvm,
    insert_value,
    llvm_type,
    to_llvm,
    undef,
)


def _result_type(outputs: tuple[Attribute, ...] | list[Attribute]) -> Attribute:
    converted = [llvm_type(t) for t in outputs]
    if not converted:
        return llvm.LLVMVoidType()
    if len(converted) == 1:
        return converted[0]
    return llvm.LLVMStructType.from_type_list(converted)


@dataclass
class FuncLowering(RewritePattern):
    """`func.func` -> `llvm.func` (the body moves over; entry arguments are retyped)."""

    inline_private: bool = True

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: func.FuncOp, rewriter: PatternRewriter, /) -> None:
        ftype = op.function_type
        inputs = [llvm_type(t) for t in ftype.inputs]
        fn_type = llvm.LLVMFunctionType(inputs, _result_type(ftype.outputs.data))
        private = op.sym_visibility is not None and op.sym_visibility.data == "private"
        has_body = bool(op.body.blocks)
        linkage = "internal" if private and has_body else "external"
        passthrough: list[Attribute] = []
        if has_body:
            passthrough.append(StringAttr("nounwind"))
            if private and self.inline_private:
                passthrough.append(StringAttr("alwaysinline"))
        extra = op.attributes.get("llvm.passthrough")
        if isinstance(extra, ArrayAttr):
            passthrough += [a for a in extra if a not in passthrough]
        props: dict[str, Attribute | None] = {}
        if op.arg_attrs is not None:
            props["arg_attrs"] = op.arg_attrs
        if op.res_attrs is not None and len(ftype.outputs) == 1:
            props["res_attrs"] = op.res_attrs
        if passthrough:
            props["passthrough"] = ArrayAttr(passthrough)
        attrs = {k: v for k, v in op.attributes.items() if k != "llvm.passthrough"}
        body = op.detach_region(op.body)
        new = llvm.FuncOp(
            op.sym_name.data,
            fn_type,
            linkage=llvm.LinkageAttr(linkage),
            body=body,
            other_props=props,
            extra_attrs=attrs,
        )
        rewriter.replace(op, new)
        if body.blocks:
            convert_block_args(body.blocks.first)  # type: ignore[arg-type]


class ReturnLowering(RewritePattern):
    """`func.return` -> `llvm.return` (several values packed in a struct)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: func.ReturnOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        values = [to_llvm(v, ops) for v in op.arguments]
        value: SSAValue | None = None
        if len(values) == 1:
            value = values[0]
        elif values:
            value = undef(_result_type([v.type for v in op.arguments]), ops)
            for i, v in enumerate(values):
                value = insert_value(value, v, [i], ops)
        rewriter.replace(op, [*ops, llvm.ReturnOp(value)])


class CallLowering(RewritePattern):
    """`func.call` -> `llvm.call`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: func.CallOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        args = [to_llvm(v, ops) for v in op.arguments]
        rtype = _result_type(op.result_types)
        call = llvm.CallOp(
            op.callee, *args, return_type=None if isinstance(rtype, llvm.LLVMVoidType) else rtype
        )
        ops.append(call)
        results: list[SSAValue] = []
        if len(op.results) == 1:
            assert call.returned is not None
            results = [from_llvm(call.returned, op.results[0].type, ops)]
        elif op.results:
            assert call.returned is not None
            for i, r in enumerate(op.results):
                results.append(from_llvm(extract_value(call.returned, [i], ops), r.type, ops))
        rewriter.replace(op, ops, results)


@dataclass(frozen=True)
class ConvertFuncToLLVMPass(ModulePass):
    """Lower `func` functions, calls and returns to the `llvm` dialect."""

    name = "convert-func-to-llvm"

    inline_private: bool = True
    """Mark private functions with a body `alwaysinline`."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([FuncLowering(self.inline_private), ReturnLowering(), CallLowering()])
        ).rewrite_module(op)
        for inner in op.walk():
            if inner.dialect_name() == "func":
                raise LoweringError(f"convert-func-to-llvm: {inner.name} is not supported")
