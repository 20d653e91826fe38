"""`convert-cf-to-llvm`: `cf.br`/`cf.cond_br` to `llvm.br`/`llvm.cond_br`.

Block arguments of non-entry blocks get their LLVM types here (they become phis in the
translator); entry blocks are `convert-func-to-llvm`'s. `cf.switch` becomes a chain of
`llvm.icmp` + `llvm.cond_br` (khal's translator has no switch instruction to emit).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import cf, llvm
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Block, Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from khal.passes.llvm_common import LoweringError, convert_block_args, to_llvm


class BranchLowering(RewritePattern):
    """`cf.br` -> `llvm.br`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: cf.BranchOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        args = [to_llvm(a, ops) for a in op.arguments]
        rewriter.replace(op, [*ops, llvm.BrOp(op.successor, *args)])


class CondBranchLowering(RewritePattern):
    """`cf.cond_br` -> `llvm.cond_br`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: cf.ConditionalBranchOp, rewriter: PatternRewriter, /) -> None:
        ops: list[Operation] = []
        then_args = [to_llvm(a, ops) for a in op.then_arguments]
        else_args = [to_llvm(a, ops) for a in op.else_arguments]
        new = llvm.CondBrOp(to_llvm(op.cond, ops), op.then_block, then_args, op.else_block, else_args)
        rewriter.replace(op, [*ops, new])


class SwitchLowering(RewritePattern):
    """`cf.switch` -> a chain of compare-and-branch blocks."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: cf.SwitchOp, rewriter: PatternRewriter, /) -> None:
        block = op.parent_block()
        assert block is not None
        ops: list[Operation] = []
        flag = to_llvm(op.flag, ops)
        cases = list(op.case_values.get_values()) if op.case_values is not None else []
        targets = list(op.case_blocks)
        operands = [list(o) for o in op.case_operand]
        default_args = [to_llvm(a, ops) for a in op.default_operands]
        case_args = [[to_llvm(a, ops) for a in args] for args in operands]
        # Test blocks in order: ^t0: if flag == c0 goto case0 else ^t1; ... the last falls to default.
        test_blocks: list[Block] = []
        for _ in cases[1:]:
            b = Block()
            region = block.parent_region()
            assert region is not None
            region.insert_block_after(b, block)
            test_blocks.append(b)
        test_blocks.reverse()
        current_ops = ops
        current: Block | None = None
        for i, value in enumerate(cases):
            c = llvm.ConstantOp(IntegerAttr(value, flag.type), flag.type)
            cmp = llvm.ICmpOp(flag, c.result, IntegerAttr(0, 64))
            last = i == len(cases) - 1
            else_block = op.default_block if last else test_blocks[i]
            else_args = default_args if last else []
            br = llvm.CondBrOp(cmp.res, targets[i], case_args[i], else_block, else_args)
            if current is None:
                current_ops += [c, cmp, br]
            else:
                for new in (c, cmp, br):
                    current.add_op(new)
            current = None if last else test_blocks[i]
        if not cases:
            ops.append(llvm.BrOp(op.default_block, *default_args))
        rewriter.replace(op, ops)


def _convert_non_entry_blocks(module: ModuleOp) -> None:
    for op in module.walk():
        for region in op.regions:
            for i, block in enumerate(region.blocks):
                if i > 0:
                    convert_block_args(block)


@dataclass(frozen=True)
class ConvertCfToLLVMPass(ModulePass):
    """Lower `cf` branches to `llvm` branches and give block arguments their LLVM types."""

    name = "convert-cf-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([BranchLowering(), CondBranchLowering(), SwitchLowering()]),
            apply_recursively=False,
        ).rewrite_module(op)
        _convert_non_entry_blocks(op)
        for inner in op.walk():
            if inner.dialect_name() == "cf":
                raise LoweringError(f"convert-cf-to-llvm: {inner.name} is not supported")
