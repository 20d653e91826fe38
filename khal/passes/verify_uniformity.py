"""`khal-verify-uniformity`: every workgroup barrier sits in uniform control flow.

Every invocation of a workgroup must reach the same barriers (`khal.workgroup_barrier`,
`khal.storage_barrier`) the same number of times: an `scf.if` whose branch holds one needs a
uniform condition, an `scf.for` uniform bounds and step, an `scf.while` a uniform condition. Else
the kernel is rejected, on every target, with a `CompileError` at the barrier's source line that
names the line of the control flow. Run after `khal-inline`, so barriers of device functions count.

Uniform values (the same in every invocation of a workgroup): kernel parameters, constants,
workgroup ids and counts, `khal.len`, workgroup allocations, loads from `read` arrays (nothing
writes those during a dispatch) at uniform indices, and effect-free ops of uniform values
(control flow included, as long as no invocation id is read inside; calls of device functions
that touch no memory). Loop-carried and result values of barrier-holding control flow are uniform
when every value flowing into them is (an optimistic fixpoint). Invocation ids and
`subgroup_invocation_id` are not uniform; subgroup reductions and broadcasts of uniform values are.

`khal-cpu-workgroup-loops` splits kernels at barriers with these same rules (imported from here),
so that what this pass accepts the CPU lowering can run. Subgroup operations are not required to
be in uniform control flow: kernels use them under bounds checks (`if i < len(a)`).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func, scf
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import RecursiveMemoryEffect, is_side_effect_free

from khal.dialects import khal
from khal.errors import CompileError
from khal.passes.diagnostics import describe_location, op_error

BARRIERS = (khal.WorkgroupBarrierOp, khal.StorageBarrierOp)
# Ops whose value differs between the invocations of one workgroup.
INVOCATION_IDS = (khal.GlobalInvocationIdOp, khal.LocalInvocationIdOp, khal.LocalInvocationIndexOp)
_VARYING = (*INVOCATION_IDS, khal.SubgroupInvocationIdOp)
_CONTROL = (scf.IfOp, scf.ForOp, scf.WhileOp)
# Pure in MLIR, but xDSL 0.74 declares no memory effects for them (so they would count as effects).
_PURE_WITHOUT_TRAIT = frozenset(
    {"arith.remui", "arith.extsi", "vector.bitcast", "vector.create_mask", "vector.reduction"}
)


# --------------------------------------------------------------------------- the rules


def external_operands(op: Operation) -> list[SSAValue]:
    """The values `op` and the ops nested in it use but do not define, in order of first use."""
    inside = {id(o) for o in op.walk()}
    found: dict[SSAValue, None] = {}
    for nested in op.walk():
        for operand in nested.operands:
            owner = operand.owner
            owner_op = owner if isinstance(owner, Operation) else owner.parent_op()
            if owner_op is None or id(owner_op) not in inside:
                found[operand] = None
    return list(found)


def effect_free(op: Operation, pure_callees: AbstractSet[str] = frozenset()) -> bool:
    """Does `op` (with what it nests) neither read nor write memory? Calls: to `pure_callees` only."""
    if op.name in _PURE_WITHOUT_TRAIT:
        return True
    if isinstance(op, func.CallOp):
        return op.callee.string_value() in pure_callees
    if op.regions and op.has_trait(RecursiveMemoryEffect):
        return all(
            effect_free(inner, pure_callees)
            for region in op.regions
            for block in region.blocks
            for inner in block.ops
        )
    return is_side_effect_free(op)


def pure_functions(module: ModuleOp) -> frozenset[str]:
    """The device functions whose bodies (calls included) neither read nor write memory."""
    bodies = {f.sym_name.data: f for f in module.ops if isinstance(f, func.FuncOp) and not f.is_declaration}
    pure = set(bodies)
    changed = True
    while changed:  # optimistic start, so that pure functions calling each other stay pure
        changed = False
        for name in list(pure):
            ops = (op for block in bodies[name].body.blocks for op in block.ops)
            if not all(isinstance(op, func.ReturnOp) or effect_free(op, pure) for op in ops):
                pure.discard(name)
                changed = True
    return frozenset(pure)


def is_hoistable(op: Operation, pure_callees: AbstractSet[str] = frozenset()) -> bool:
    """May `op` run once per workgroup instead of once per invocation, given uniform operands?"""
    if isinstance(op, _VARYING):
        return False
    if isinstance(op, khal.SubgroupReduceOp | khal.SubgroupBroadcastFirstOp):
        return True  # of a uniform value, uniform (a sum: as long as every subgroup is full)
    if op.regions:
        # Control flow without effects (the frontend's short-circuits and break flags): uniform when
        # everything it reads from outside is, as long as nothing inside reads an invocation id.
        return (
            bool(op.results)
            and effect_free(op, pure_callees)
            and not any(isinstance(n, (*_VARYING, khal.WorkgroupAllocOp)) for n in op.walk())
        )
    if isinstance(op, khal.LoadOp):
        # Nothing writes a `read` array during the dispatch, so every invocation loads the same value.
        assert isinstance(op.array.type, khal.ArrayType)
        return op.array.type.access_kind == khal.Access.READ
    # A call to an effect-free device function of uniform values gives a uniform value.
    return bool(op.results) and effect_free(op, pure_callees)


def divergent_barrier_error(control: Operation, kernel: str, what: str) -> CompileError:
    """The error for a barrier under `control`, whose `what` ("an 'if' condition") is not uniform.

    It points at the barrier (what the user must move) and names the control flow's line when known.
    """
    barrier = next((n for n in control.walk() if isinstance(n, BARRIERS)), control)
    where = describe_location(control, relative_to=barrier) if control.location != barrier.location else None
    return op_error(
        barrier,
        f"a workgroup barrier is under {what}{f' (at {where})' if where else ''} that depends on the "
        f"invocation id; every invocation of a workgroup must reach the same barriers (in kernel '{kernel}')",
    )


# --------------------------------------------------------------------------- the check


def _holds_barrier(op: Operation) -> bool:
    return any(isinstance(n, BARRIERS) for n in op.walk())


def _blocks(op: Operation) -> list[Block]:
    return [block for region in op.regions for block in region.blocks]


def carried(op: Operation) -> list[tuple[list[SSAValue], list[SSAValue]]]:
    """For each group of values `op` carries or yields: (the values, what flows into them)."""
    groups: list[tuple[list[SSAValue], list[SSAValue]]] = []
    if isinstance(op, scf.ForOp):
        body = op.body.block
        yield_op = body.last_op
        assert yield_op is not None
        for i, result in enumerate(op.results):
            groups.append(([body.args[i + 1], result], [op.iter_args[i], yield_op.operands[i]]))
    elif isinstance(op, scf.IfOp):
        for i, result in enumerate(op.results):
            sources = [r.block.last_op.operands[i] for r in op.regions if r.blocks]  # pyright: ignore
            groups.append(([result], sources))
    elif isinstance(op, scf.WhileOp):
        before, after = op.before_region.block, op.after_region.block
        cond, yield_op = before.last_op, after.last_op
        assert isinstance(cond, scf.ConditionOp) and yield_op is not None
        for i, arg in enumerate(before.args):
            groups.append(([arg], [op.arguments[i], yield_op.operands[i]]))
        for j, arg in enumerate(after.args):
            groups.append(([arg, op.results[j]], [cond.args[j]]))
    return groups


def uniform_values(
    kernel: khal.KernelOp,
    control: AbstractSet[Operation],
    varying_carried: AbstractSet[SSAValue],
    pure_callees: AbstractSet[str],
) -> set[SSAValue]:
    """One round of the uniformity analysis: the values every invocation of a workgroup agrees on.

    Uniform are the kernel's parameters, workgroup memory, hoistable ops of uniform operands, and
    the arguments and results of the barrier-holding `control` ops except those in `varying_carried`
    (the caller iterates to a fixpoint). `khal-cpu-workgroup-loops` uses the same rule.
    """
    uniform: set[SSAValue] = set(kernel.body.block.args)

    def visit(block: Block) -> None:
        for op in block.ops:
            if op in control:
                for inner in _blocks(op):
                    uniform.update(a for a in inner.args if a not in varying_carried)
                    visit(inner)
                uniform.update(r for r in op.results if r not in varying_carried)
            elif isinstance(op, khal.WorkgroupAllocOp) or (
                is_hoistable(op, pure_callees) and all(o in uniform for o in external_operands(op))
            ):
                uniform.update(op.results)

    visit(kernel.body.block)
    return uniform


class _Uniformity:
    """The uniform values of one kernel, and the barrier-holding control flow that needs them."""

    def __init__(self, kernel: khal.KernelOp, pure_callees: AbstractSet[str]):
        self.kernel = kernel
        self.pure_callees = pure_callees
        self.control = [op for op in kernel.walk() if isinstance(op, _CONTROL) and _holds_barrier(op)]
        self.varying_carried: set[SSAValue] = set()
        self.uniform: set[SSAValue] = set()

    def _compute(self) -> set[SSAValue]:
        return uniform_values(self.kernel, set(self.control), self.varying_carried, self.pure_callees)

    def analyse(self) -> None:
        # Optimistic fixpoint: carried values start uniform and turn varying when a source is.
        while True:
            self.uniform = self._compute()
            changed = False
            for op in self.control:
                for values, sources in carried(op):
                    if values[0] not in self.varying_carried and not all(s in self.uniform for s in sources):
                        self.varying_carried.update(values)
                        changed = True
            if not changed:
                return

    def check(self) -> None:
        """Raise the `CompileError` of the first barrier under non-uniform control flow."""
        name = self.kernel.sym_name.data
        for op in self.control:
            if isinstance(op, scf.IfOp):
                needed = [(op.cond, "an 'if' condition")]
            elif isinstance(op, scf.ForOp):
                needed = [(v, "the bounds of a loop") for v in (op.lb, op.ub, op.step)]
            else:
                assert isinstance(op, scf.WhileOp)
                condition = op.before_region.block.last_op
                assert isinstance(condition, scf.ConditionOp)
                needed = [(condition.condition, "a 'while' condition")]
            for value, what in needed:
                if value not in self.uniform:
                    raise divergent_barrier_error(op, name, what)


@dataclass(frozen=True)
class VerifyUniformityPass(ModulePass):
    """Reject a kernel whose barriers are not reached by every invocation of a workgroup."""

    name = "khal-verify-uniformity"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        pure = pure_functions(op)
        for kernel in op.ops:
            if isinstance(kernel, khal.KernelOp) and _holds_barrier(kernel):
                uniformity = _Uniformity(kernel, pure)
                uniformity.analyse()
                uniformity.check()
