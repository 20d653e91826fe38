"""`khal-inline`: every call of a device function is replaced by the function's body.

Device functions (`@khal.func`) are private `func.func`s with one block; this pass inlines each
`func.call` of one, in kernels and in other functions, callees first, so that every later pass
(and every target) sees whole kernels: barriers and invocation ids of a function land in the
kernel that calls it. The inlined ops keep their source locations, so errors found later still
point at the function's Python line. A call cycle (recursion) is a `CompileError` at a call.

Calls to public or external functions, and to functions of several blocks, are left alone.
Afterwards, a private function nobody calls is erased when it uses kernel-only ops (ids, barriers,
subgroup ops), which mean nothing outside a kernel; others stay for the lowering's dead-code
elimination (LLVM drops an unused internal function).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass

from khal.dialects import khal
from khal.passes.diagnostics import op_error

# Ops that only mean something inside a kernel.
_KERNEL_ONLY = (
    khal.GlobalInvocationIdOp,
    khal.LocalInvocationIdOp,
    khal.LocalInvocationIndexOp,
    khal.WorkgroupIdOp,
    khal.NumWorkgroupsOp,
    khal.WorkgroupBarrierOp,
    khal.StorageBarrierOp,
    khal.SubgroupSizeOp,
    khal.SubgroupInvocationIdOp,
    khal.SubgroupReduceOp,
    khal.SubgroupBroadcastFirstOp,
)


def _inlinable(module: ModuleOp) -> dict[str, func.FuncOp]:
    """The private, defined, single-block functions of `module`, by name."""
    return {
        f.sym_name.data: f
        for f in module.ops
        if isinstance(f, func.FuncOp)
        and not f.is_declaration
        and f.sym_visibility is not None
        and f.sym_visibility.data == "private"
        and len(f.body.blocks) == 1
    }


def _calls(op: Operation, callees: dict[str, func.FuncOp]) -> list[func.CallOp]:
    return [c for c in op.walk() if isinstance(c, func.CallOp) and c.callee.string_value() in callees]


def inline_call(call: func.CallOp, callee: func.FuncOp) -> None:
    """Replace `call` by a copy of `callee`'s body (its ops keep their locations)."""
    block = callee.body.block
    mapper: dict[SSAValue, SSAValue] = dict(zip(block.args, call.arguments, strict=True))
    parent = call.parent_block()
    assert parent is not None
    for op in block.ops:
        if isinstance(op, func.ReturnOp):
            for result, value in zip(call.results, op.arguments, strict=True):
                result.replace_all_uses_with(mapper.get(value, value))
            break
        parent.insert_op_before(op.clone(value_mapper=mapper), call)
    call.detach()
    call.erase()


def _callees_first(callees: dict[str, func.FuncOp]) -> list[func.FuncOp]:
    """The functions in an order where each comes after every function it calls; raises on a cycle."""
    order: list[func.FuncOp] = []
    state: dict[str, bool] = {}  # name -> finished (False: on the current path)
    for root in callees:
        stack: list[tuple[str, list[func.CallOp]]] = []
        if root not in state:
            state[root] = False
            stack.append((root, _calls(callees[root], callees)))
        while stack:
            name, pending = stack[-1]
            if not pending:
                stack.pop()
                state[name] = True
                order.append(callees[name])
                continue
            call = pending.pop()
            target = call.callee.string_value()
            if state.get(target) is False:
                raise op_error(call, f"device function '{target}' calls itself (recursion cannot be inlined)")
            if target not in state:
                state[target] = False
                stack.append((target, _calls(callees[target], callees)))
    return order


@dataclass(frozen=True)
class InlinePass(ModulePass):
    """Inline every call of a private single-block `func.func` (device function)."""

    name = "khal-inline"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        callees = _inlinable(op)
        if not callees:
            return
        for function in _callees_first(callees):
            for call in _calls(function, callees):
                inline_call(call, callees[call.callee.string_value()])
        flattened = set(callees.values())
        for caller in list(op.ops):  # kernels and public functions
            if caller not in flattened:
                for call in _calls(caller, callees):
                    inline_call(call, callees[call.callee.string_value()])
        called = {c.callee.string_value() for c in op.walk() if isinstance(c, func.CallOp)}
        for name, function in callees.items():
            if name not in called and any(isinstance(o, _KERNEL_ONLY) for o in function.walk()):
                function.detach()
                function.erase()
