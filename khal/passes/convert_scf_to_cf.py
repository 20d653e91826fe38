"""`khal-convert-scf-to-cf`: `scf.if`, `scf.for`, `scf.while` and `scf.index_switch` to `cf` blocks.

xDSL's `convert-scf-to-cf` has no `scf.while`, and lowering the whiles alone first would leave
multi-block regions inside `scf.for`/`scf.if` (invalid IR between passes); this pass lowers them
all in one walk, with xDSL's patterns for if/for/index_switch and its own for while.
The "before" region becomes the loop header: its block arguments are the loop-carried values and
its `scf.condition(%c) %args` becomes `cf.cond_br %c, ^after(%args), ^exit(%args)`. The "after"
region's `scf.yield %next` becomes `cf.br ^before(%next)`. The exit block's arguments replace
the while's results. Regions that already hold several blocks are handled as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import cf, scf
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import BlockInsertPoint, InsertPoint
from xdsl.transforms.convert_scf_to_cf import ForLowering, IfLowering, SwitchLowering


class WhileLowering(RewritePattern):
    """Lowers `scf.while` to a header block, a body and an exit block."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: scf.WhileOp, rewriter: PatternRewriter, /) -> None:
        init_block = op.parent_block()
        if init_block is None:
            return
        exit_block = init_block.split_before(op)
        for i, t in enumerate(op.result_types):
            rewriter.insert_block_argument(exit_block, i, t)

        before = op.before_region.first_block
        after = op.after_region.first_block
        assert before is not None and after is not None
        before_blocks = list(op.before_region.blocks)
        after_blocks = list(op.after_region.blocks)

        for block in before_blocks:
            term = block.last_op
            if isinstance(term, scf.ConditionOp):
                args = list(term.args)
                rewriter.replace(term, cf.ConditionalBranchOp(term.condition, after, args, exit_block, args))
        for block in after_blocks:
            term = block.last_op
            if isinstance(term, scf.YieldOp):
                rewriter.replace(term, cf.BranchOp(before, *term.operands))

        rewriter.inline_region(op.before_region, BlockInsertPoint.before(exit_block))
        rewriter.inline_region(op.after_region, BlockInsertPoint.before(exit_block))
        rewriter.insert(cf.BranchOp(before, *op.arguments), InsertPoint.at_end(init_block))
        rewriter.replace(op, [], exit_block.args)


@dataclass(frozen=True)
class KhalConvertScfToCfPass(ModulePass):
    """Lower every `scf` op (if, for, while, index_switch) to unstructured control flow."""

    name = "khal-convert-scf-to-cf"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([WhileLowering(), IfLowering(), ForLowering(), SwitchLowering()])
        ).rewrite_module(op)
