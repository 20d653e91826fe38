"""The Python AST -> khal IR compiler: one visitor over a kernel's or device function's body.

`FunctionCompiler` walks the statements with a scope of typed values (`values.py`) and builds xDSL
ops directly into the current block. Python locals become SSA values: an `if` yields the locals its
branches change, a loop carries the locals its body assigns. `break`, `continue` and early `return`
set hidden boolean locals (`%brk1`, `%cont1`, `%ret`) that the loop condition and a guard around the
rest of the statement list test. Typed arithmetic, casts, vectors and matrices live in `ops.py`;
`khal.std` and Python builtins in `builtins.py`. Every diagnostic is a located `CompileError`.
"""

from __future__ import annotations

import ast
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xdsl.dialects import arith, func, scf
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, ModuleOp, StringAttr
from xdsl.ir import Block, Operation, Region, SSAValue

from khal.dialects import khal as kd
from khal.frontend import fastops as fast
from khal.frontend import types as kt
from khal.frontend.ops import OpsMixin
from khal.frontend.signature import annotation_value, is_func, is_kernel, read_params
from khal.frontend.source import FunctionSource, ascii_name, function_source, is_constant
from khal.frontend.values import Const, LazyVector, LoopContext, Memory, PyObj, Typed, Value, Void

if TYPE_CHECKING:
    from khal.kernel import Func, Kernel  # for annotations only: the frontend never imports khal.kernel

_UNSUPPORTED = {
    ast.Lambda: "lambda",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.ClassDef: "a class definition",
    ast.Try: "try/except",
    ast.With: "a with statement",
    ast.AsyncWith: "async with",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
    ast.Await: "await",
    ast.Starred: "*args unpacking",
    ast.FunctionDef: "a nested function definition",
    ast.AsyncFunctionDef: "a nested function definition",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Delete: "del",
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.Raise: "raise",
    ast.Assert: "assert",
    ast.Match: "match",
    ast.NamedExpr: "the walrus operator",
    ast.List: "a list",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.Slice: "slicing",
    ast.AsyncFor: "async for",
}


@dataclass
class _PendingFunc:
    """A device function whose signature is known and whose body is compiled later (see ModuleBuilder)."""

    fn: Any
    compiler: FunctionCompiler
    symbol: str
    callees: list[int]  # ids of the functions its body calls, in call order
    op: func.FuncOp | None = None


class ModuleBuilder:
    """Collects the kernel and the device functions it reaches into one module.

    A call needs only the callee's signature (its annotations), so a callee's body is compiled from
    a worklist after its caller's, not inside it: a chain of 100 functions calling each other costs no
    Python recursion. Recursion among functions is found on the call graph as each call is recorded.
    """

    def __init__(self) -> None:
        self.ops: list[Operation] = []
        self.funcs: dict[Any, tuple[str, list[kt.KhalType], kt.KhalType | None]] = {}
        self.pending: dict[Any, _PendingFunc] = {}
        self.worklist: list[Any] = []
        self.roots: list[Any] = []  # the functions the kernel (or the function asked for) calls
        self.signatures: dict[int, tuple[list[kt.KhalType], kt.KhalType | None]] = {}
        self.names: set[str] = set()

    def unique_name(self, name: str) -> str:
        """A symbol name not used yet in this module."""
        candidate, n = name, 1
        while candidate in self.names:
            candidate, n = f"{name}_{n}", n + 1
        self.names.add(candidate)
        return candidate

    def signature(self, fn: Func) -> tuple[list[kt.KhalType], kt.KhalType | None]:
        """The parameter and return types of device function `fn`, from its annotations."""
        if id(fn) not in self.signatures:
            self.signatures[id(fn)] = FunctionCompiler(
                self, function_source(fn.pyfunc), kind="func"
            ).func_signature()
        return self.signatures[id(fn)]

    def function(
        self, fn: Func, node: ast.AST, caller: FunctionCompiler | None, workgroup: tuple[Any, ...] = ()
    ) -> tuple[str, list, Any]:
        """The symbol, parameter types and return type of device function `fn` (its body compiles later).

        `workgroup` lists `(parameter index, size)` for each `Array[T]` parameter that receives a
        workgroup array: the function is compiled once per such combination (its parameter is then
        workgroup memory of that size).
        """
        key = (id(fn), workgroup)
        if key not in self.funcs:
            compiler = FunctionCompiler(self, function_source(fn.pyfunc), kind="func")
            compiler.func_key = key
            compiler.workgroup_params = dict(workgroup)
            symbol = self.unique_name(ascii_name(fn.name))
            params, ret = compiler.func_signature()
            self.funcs[key] = (symbol, params, ret)
            self.pending[key] = _PendingFunc(fn, compiler, symbol, [])
            self.worklist.append(key)
        caller_key = getattr(caller, "func_key", None)
        callees = self.pending[caller_key].callees if caller_key is not None else self.roots
        if key not in callees:
            callees.append(key)
        if caller_key is not None:
            cycle = self._path(key, caller_key)
            if cycle is not None:
                chain = " -> ".join(self.pending[k].fn.name for k in [*cycle, key])
                raise caller.error(node, f"recursion is not supported in kernels ({chain})")  # type: ignore[union-attr]
        return self.funcs[key]

    def _path(self, start: Any, goal: Any) -> list[Any] | None:
        """A call path from function `start` to function `goal` (both included), or None."""
        parents: dict[Any, Any] = {start: None}
        stack = [start]
        while stack:
            cur = stack.pop()
            if cur == goal:
                path = [cur]
                while (parent := parents[path[-1]]) is not None:
                    path.append(parent)
                return path[::-1]
            for nxt in self.pending[cur].callees:
                if nxt not in parents:
                    parents[nxt] = cur
                    stack.append(nxt)
        return None

    def compile_pending(self) -> None:
        """Compile the bodies of every function reached so far (and of those they reach)."""
        while self.worklist:
            entry = self.pending[self.worklist.pop(0)]
            op = entry.compiler.compile_func_body(entry.symbol)
            op.location = entry.compiler.location()  # the `def` line
            entry.op = op

    def module(self) -> ModuleOp:
        """The verified module of everything built: each callee before its callers."""
        self.compile_pending()
        done: set[int] = set()
        for root in self.roots:  # an iterative post-order walk of the call graph
            if root in done:
                continue
            stack = [(root, iter(self.pending[root].callees))]
            done.add(root)
            while stack:
                key, children = stack[-1]
                child = next((c for c in children if c not in done), None)
                if child is None:
                    stack.pop()
                    self.ops.append(self.pending[key].op)  # type: ignore[arg-type]
                else:
                    done.add(child)
                    stack.append((child, iter(self.pending[child].callees)))
        module = ModuleOp(self.ops)
        module.verify()
        return module


class FunctionCompiler(OpsMixin):
    """Compiles one kernel or device function body."""

    def __init__(self, builder: ModuleBuilder, src: FunctionSource, kind: str):
        self.builder = builder
        self.src = src
        self.kind = kind  # "kernel" | "func"
        self.depth = 0  # regions nested around the block being built
        self.func_key: Any = None  # the call-graph node of the function being compiled (None: a kernel)
        self.workgroup_params: dict[int, int] = {}  # Array parameters given workgroup memory: index -> size
        self.params: list[Any] = []
        self.block: Block = Block()
        self.scope: dict[str, Value] = {}
        self.readonly: set[str] = set()
        self.partial: set[str] = set()  # names assigned on some paths only (better "unknown name" errors)
        self.loops: list[LoopContext] = []
        self.return_flag: str | None = None
        self.return_type: kt.KhalType | None = None
        self.final_return: Typed | None = None
        self._ir_types: dict[kt.KhalType, Any] = {}
        self._pinned: dict[int, Value] = {}  # operands already evaluated (chained comparisons)
        self.current_stmt: ast.stmt | None = None
        self.block_parent: dict[int, Block] = {}
        self.constants: dict[int, dict[tuple[Any, ...], SSAValue]] = {}  # per block: (type, value) -> SSA
        # The AST node being compiled: every op built gets its source location (see `location`).
        self.node: ast.AST = src.tree
        self._filename: StringAttr | None = None

    # ------------------------------------------------------------------ entry points

    def compile_kernel(self, kernel: Kernel) -> kd.KernelOp:
        """Build the `khal.kernel` op."""
        params = kernel.params
        self.return_type = None
        op = kd.KernelOp(kernel.name, [self.ir_type(p.type) for p in params], kernel.workgroup_size)
        op.location = self.location()
        self.block = op.body.block
        for p, arg in zip(params, self.block.args, strict=True):
            arg.name_hint = _hint(p.name)
            self.bind_param(p.name, p.type, arg, readonly=True)
        self.compile_body()
        self.emit(kd.ReturnOp())
        return op

    def func_signature(self) -> tuple[list[kt.KhalType], kt.KhalType | None]:
        """A device function's parameter and return types, from its annotations (the body is not read)."""
        params = read_params(self.src, "khal.func")
        annotations = getattr(self.src.pyfunc, "__annotations__", {})
        # `-> None` (also as the string "None" under `from __future__ import annotations`): no result
        returns = self._annotation(annotations["return"]) if "return" in annotations else None
        if returns is not None:
            ret = kt.as_khal_type(returns)
            if ret is None or isinstance(ret, kt.ArrayType):
                raise self.error(
                    self.src.tree.returns, "the return annotation must be a scalar, vector, matrix or struct"
                )
            self.return_type = ret
        if self.return_type is not None and not _always_returns(self.src.tree.body, self.src.facts):
            raise self.error(
                self.src.tree,
                f"khal.func {self.src.tree.name} can reach its end without returning a "
                f"{self.return_type.name}; end it with a return statement",
            )
        self.params = params
        return [p.type for p in params], self.return_type

    def compile_func_body(self, symbol: str) -> func.FuncOp:
        """Build the `func.func` op of a device function (after `func_signature`)."""
        arg_types = [self._param_ir_type(i, p.type) for i, p in enumerate(self.params)]
        self.block = Block(arg_types=arg_types)
        for i, (p, arg) in enumerate(zip(self.params, self.block.args, strict=True)):
            arg.name_hint = _hint(p.name)
            if i in self.workgroup_params:
                self.scope[p.name] = Memory(arg, p.type.element, True, self.workgroup_params[i], p.name)
                self.readonly.add(p.name)
            else:
                self.bind_param(p.name, p.type, arg, readonly=False)
        self.compile_body()
        results = [self.ir_type(self.return_type)] if self.return_type is not None else []
        if self.return_type is None:
            self.emit(func.ReturnOp())
        elif self.return_flag is not None:
            value = self.scope["%retval"]
            assert isinstance(value, Typed)
            self.emit(func.ReturnOp(value.ssa))
        else:
            assert self.final_return is not None  # _always_returns holds
            self.emit(func.ReturnOp(self.final_return.ssa))
        # Private: only this module calls it, so LLVM makes it internal and alwaysinline.
        return func.FuncOp(symbol, (arg_types, results), Region(self.block), visibility="private")

    def _param_ir_type(self, index: int, t: kt.KhalType) -> Any:
        """A parameter's IR type: workgroup memory for an `Array[T]` given a workgroup array."""
        if index not in self.workgroup_params:
            return self.ir_type(t)
        assert isinstance(t, kt.ArrayType)
        stored = kt.u8 if t.element == kt.bool_ else t.element  # bytes, as in the kernel's allocation
        return kd.WorkgroupArrayType(self.ir_type(stored), self.workgroup_params[index])

    def _annotation(self, value: Any) -> Any:
        return annotation_value(self.src, value)

    def bind_param(self, name: str, t: kt.KhalType, arg: SSAValue, readonly: bool) -> None:
        """Put a parameter in scope."""
        if isinstance(t, kt.ArrayType):
            self.scope[name] = Memory(arg, t.element, name=name)
            self.readonly.add(name)
        else:
            self.scope[name] = Typed(arg, t)
            if readonly:
                self.readonly.add(name)

    def compile_body(self) -> None:
        """Compile the function's statements, setting up the early-return flag if needed."""
        body = self.src.tree.body
        trailing = bool(body) and isinstance(body[-1], ast.Return)
        if self.facts(body[:-1] if trailing else body).returns:
            self.return_flag = "%ret"
            self.scope["%ret"] = Typed(self.const_ssa(False, kt.bool_), kt.bool_)
            if self.return_type is not None:
                self.scope["%retval"] = self.zero(self.return_type)
        self.statements(body)

    # ------------------------------------------------------------------ emission helpers

    def error(self, node: ast.AST | None, message: str) -> Exception:
        """A CompileError at `node` (or at the statement being compiled)."""
        return self.src.error(node if node is not None else self.current_stmt, message)

    def emit(self, op: Operation) -> Operation:
        """Append `op` to the current block, located at the node being compiled."""
        op.location = self.location()
        self.block.add_op(op)
        return op

    def emit_in(self, block: Block, op: Operation) -> Operation:
        """Append `op` to `block` (a region's terminator), located at the node being compiled."""
        op.location = self.location()
        block.add_op(op)
        return op

    def location(self) -> FileLineColLoc:
        """The source location of the node being compiled (file, line, 1-based column), cached per source.

        Passes report errors at it (`khal.passes.diagnostics`); the printer shows it only when asked.
        """
        node: Any = self.node
        key = (node.lineno, node.col_offset)
        loc = self.src.locations.get(key)
        if loc is None:
            if self._filename is None:
                self._filename = StringAttr(self.src.filename)
            loc = FileLineColLoc(self._filename, IntAttr(node.lineno), IntAttr(self.src.column(node)))
            self.src.locations[key] = loc
        return loc

    def ir_type(self, t: kt.KhalType) -> Any:
        """The (cached) IR type of a khal type."""
        ir = self._ir_types.get(t)
        if ir is None:
            ir = kt.ir_type(t)
            self._ir_types[t] = ir
        return ir

    @contextmanager
    def at(self, block: Block) -> Iterator[None]:
        """Emit into `block` for the duration of the `with`."""
        saved = self.block
        self.block = block
        try:
            yield
        finally:
            self.block = saved

    def in_block(
        self, fn: Callable[[], Any], arg_types: Sequence[Any] = ()
    ) -> tuple[Block, dict[str, Value], Any]:
        """Run `fn` emitting into a fresh block with a copy of the scope; returns (block, scope, result)."""
        if self.depth >= MAX_NESTING:
            raise self.error(
                self.node,
                f"the code nests more than {MAX_NESTING} blocks deep (an elif chain counts one per "
                "branch), the compiler's limit; split it into device functions",
            )
        block = Block(arg_types=arg_types)
        self.block_parent[id(block)] = self.block  # constants of enclosing blocks are visible inside
        saved_block, saved_scope = self.block, self.scope
        self.block, self.scope = block, dict(saved_scope)
        self.depth += 1
        try:
            result = fn()
            return block, self.scope, result
        finally:
            self.block, self.scope = saved_block, saved_scope
            self.depth -= 1

    # ------------------------------------------------------------------ statements

    def statements(self, stmts: list[ast.stmt]) -> None:
        """Compile a statement list; after a statement that may exit, guard the rest with the exit flags.

        The rest is nested in the guard (`if not exited: rest`), which keeps the loop-carried flags
        of a short body in one region. A list with many statements that may exit (300 early-return
        `if`s) would nest that deep, so it is compiled as a flat sequence of guards instead.
        """
        exits = sum(1 for s in stmts if self._may_exit(s))
        if exits > _NESTED_GUARDS:
            self._statements_flat(stmts)
            return
        for k, stmt in enumerate(stmts):
            self.statement(stmt)
            if _is_exit(stmt):
                return  # the rest of this list is unreachable
            rest = stmts[k + 1 :]
            if rest and self._may_exit(stmt):
                flags = self.exit_flags()
                if flags:
                    cond = self.not_any(flags)
                    self.emit_if(cond, lambda rest=rest: self.statements(rest), None, fill_undefined=True)
                    return

    def _statements_flat(self, stmts: list[ast.stmt]) -> None:
        """`statements` as a flat sequence of guards, each over the statements up to the next that may exit.

        Once a flag is set every later guard is false too, so this is the nested form's meaning.
        """
        k, may_exit = 0, False
        while k < len(stmts):
            flags = self.exit_flags() if may_exit else []
            end = k
            if not flags:
                self.statement(stmts[k])
            else:
                while end < len(stmts) - 1 and not _is_exit(stmts[end]) and not self._may_exit(stmts[end]):
                    end += 1
                group = stmts[k : end + 1]
                cond = self.not_any(flags)
                guarded = lambda group=group: self._statements_in_guard(group)  # noqa: E731
                self.emit_if(cond, guarded, None, fill_undefined=True)
            if _is_exit(stmts[end]):
                return  # the rest of this list is unreachable
            may_exit, k = self._may_exit(stmts[end]), end + 1

    def _statements_in_guard(self, stmts: list[ast.stmt]) -> None:
        """A guarded run of statements: only its last one may exit, so none needs a guard of its own."""
        for stmt in stmts:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        """Compile one statement."""
        method = getattr(self, "stmt_" + type(stmt).__name__, None)
        if method is None:
            raise self.unsupported(stmt)
        outer, self.current_stmt = self.current_stmt, stmt
        outer_node, self.node = self.node, stmt
        try:
            method(stmt)
        except RecursionError:
            raise self.error(
                stmt,
                "the statements nest too deeply for the compiler (it stops at Python's recursion "
                f"limit, {sys.getrecursionlimit()} frames); split the nesting into a device function",
            ) from None
        finally:
            self.current_stmt = outer
            self.node = outer_node

    def unsupported(self, node: ast.AST) -> Exception:
        """The error for Python syntax khal does not compile."""
        what = _UNSUPPORTED.get(type(node), type(node).__name__)
        return self.error(node, f"{what} is not supported in a kernel")

    def exit_flags(self) -> list[str]:
        """The hidden flags that, when set, skip the rest of the current statement list."""
        flags = [self.return_flag] if self.return_flag else []
        if self.loops:
            loop = self.loops[-1]
            flags += [f for f in (loop.break_flag, loop.continue_flag) if f]
        return [f for f in flags if f in self.scope]

    def _may_exit(self, stmt: ast.stmt) -> bool:
        """Does `stmt` contain a return, or a break/continue of the current loop?"""
        f = self.facts([stmt])
        if self.loops and (f.breaks or f.continues):
            return True
        return f.returns and self.return_flag is not None

    def facts(self, stmts: list[ast.stmt]) -> Facts:
        """What a statement list contains (returns, loop exits, assigned names), memoised per statement."""
        memo = self.src.facts
        parts = [_facts(s, memo) for s in stmts]
        if len(parts) == 1:
            return parts[0]
        return Facts(
            any(p.returns for p in parts),
            any(p.breaks for p in parts),
            any(p.continues for p in parts),
            frozenset().union(*(p.direct for p in parts)),
            frozenset().union(*(p.rooted for p in parts)),
        )

    def not_any(self, flags: list[str]) -> SSAValue:
        """`not (flag1 or flag2 ...)`."""
        values = [self.scope_typed(f).ssa for f in flags]
        acc = values[0]
        for v in values[1:]:
            acc = self.emit(fast.OrIOp(acc, v)).results[0]
        return self.emit(fast.XOrIOp(acc, self.const_ssa(True, kt.bool_))).results[0]

    def scope_typed(self, name: str) -> Typed:
        """A hidden scalar local."""
        v = self.scope[name]
        assert isinstance(v, Typed)
        return v

    def stmt_Expr(self, node: ast.Expr) -> None:
        """An expression statement (a call); docstrings are skipped."""
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring
        self.expr(node.value)

    def stmt_Pass(self, node: ast.Pass) -> None:
        """`pass`."""
        del node

    def stmt_Assign(self, node: ast.Assign) -> None:
        """`x = v`, `a[i] = v`, `p.f = v`, `x = y = v`, `a, b = b, a`."""
        if isinstance(node.value, ast.Tuple) and any(isinstance(t, ast.Tuple) for t in node.targets):
            values: list[Value] = [self.expr(e) for e in node.value.elts]
            for target in node.targets:
                self._assign_tuple(target, values, node)
            return
        value = self.expr(node.value)
        for target in node.targets:
            if isinstance(target, ast.Tuple):
                if not (isinstance(value, Const) and isinstance(value.value, tuple)):
                    raise self.error(target, "only a tuple can be unpacked")
                self._assign_tuple(target, [Const(v) for v in value.value], node)
            else:
                self.assign(target, value)

    def _assign_tuple(self, target: ast.expr, values: list[Value], node: ast.AST) -> None:
        if not isinstance(target, ast.Tuple):
            raise self.error(target, "cannot assign a tuple of kernel values to one name; unpack it")
        if len(target.elts) != len(values):
            raise self.error(node, f"cannot unpack {len(values)} values into {len(target.elts)} targets")
        for t, v in zip(target.elts, values, strict=True):
            self.assign(t, v)

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        """`x: T = v` declares a local of type T."""
        if node.value is None:
            raise self.error(node, "a declaration needs a value: write `x: f32 = 0.0`")
        if not isinstance(node.target, ast.Name):
            raise self.error(node.target, "only a plain name can be annotated")
        t = self.type_expr(node.annotation)
        value = self.coerce(self.expr(node.value), t, node.value, "the annotated type")
        self.assign(node.target, value)

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        """`t op= v` on locals, array elements, fields and swizzles (the target is evaluated once)."""
        lvalue = self.lvalue(node.target)
        current = lvalue.load()
        rhs = self.expr(node.value)
        self.assign_lvalue(lvalue, self.binop(node.op, current, rhs, node), node.target)

    def stmt_If(self, node: ast.If) -> None:
        """`if/elif/else` as scf.if (a constant condition compiles only the taken branch)."""
        test = self.expr(node.test)
        if isinstance(test, Const):
            self.statements(node.body if test.value else node.orelse)
            return
        cond = self.truth(test, node.test)
        orelse = node.orelse
        # `if c: return` / `else: x = ...`: x is defined after the if on every path that continues
        then_exits, else_exits = _always_exits(node.body), bool(orelse) and _always_exits(orelse)
        fill = "else" if then_exits and not else_exits else "then" if else_exits and not then_exits else ""
        self.emit_if(
            cond,
            lambda: self.statements(node.body),
            (lambda: self.statements(orelse)) if orelse else None,
            fill_undefined=bool(fill),
            fill_from=fill or "both",
        )

    def stmt_Return(self, node: ast.Return) -> None:
        """`return [v]`: direct at the end of a function, else through the hidden return flag."""
        if self.kind == "kernel":
            if node.value is not None:
                raise self.error(node.value, "a kernel cannot return a value; write results into an array")
        elif node.value is not None and self.return_type is None:
            raise self.error(
                node.value, f"khal.func {self.src.tree.name} returns a value but has no return annotation"
            )
        elif node.value is None and self.return_type is not None:
            raise self.error(node, f"khal.func {self.src.tree.name} must return a {self.return_type.name}")
        value = None
        if node.value is not None:
            assert self.return_type is not None
            value = self.materialize(
                self.coerce(self.expr(node.value), self.return_type, node.value, "the return type")
            )
        if self.return_flag is None:
            self.final_return = value
            return
        if value is not None:
            self.scope["%retval"] = value
        self.scope[self.return_flag] = Typed(self.const_ssa(True, kt.bool_), kt.bool_)

    def stmt_Break(self, node: ast.Break) -> None:
        """`break` sets the loop's break flag."""
        if not self.loops or self.loops[-1].break_flag is None:
            raise self.error(node, "break outside a loop")
        self.scope[self.loops[-1].break_flag] = Typed(self.const_ssa(True, kt.bool_), kt.bool_)

    def stmt_Continue(self, node: ast.Continue) -> None:
        """`continue` sets the loop's continue flag."""
        if not self.loops or self.loops[-1].continue_flag is None:
            raise self.error(node, "continue outside a loop")
        self.scope[self.loops[-1].continue_flag] = Typed(self.const_ssa(True, kt.bool_), kt.bool_)

    # ------------------------------------------------------------------ if / merge

    def emit_if(
        self,
        cond: SSAValue,
        then_fn: Callable[[], Any],
        else_fn: Callable[[], Any] | None,
        fill_undefined: bool = False,
        fill_from: str = "both",
    ) -> None:
        """Emit an `scf.if`; locals the branches change become its results.

        With `fill_undefined`, a local bound on one side only (the `fill_from` side, when the other
        side always exits) still becomes a result; the exiting side yields a zero that is never read.
        """
        before = self.scope
        then_block, then_scope, _ = self.in_block(then_fn)
        else_block, else_scope, _ = self.in_block(else_fn or (lambda: None))
        names: list[str] = []
        for name in dict.fromkeys([*then_scope, *else_scope]):
            tv, ev = then_scope.get(name), else_scope.get(name)
            old = before.get(name)
            if tv is None or ev is None:
                side = "then" if tv is not None else "else"
                fillable = fill_undefined and fill_from in ("both", side)
                if fillable and old is None and isinstance(tv or ev, Typed | LazyVector):
                    names.append(name)
                elif old is None:
                    self.partial.add(name)
                continue
            if tv is old and ev is old:
                continue
            if tv is ev:
                continue
            if old is None and _type_of(tv) != _type_of(ev):
                self.partial.add(name)
                continue
            names.append(name)
        then_vals, else_vals = [], []
        for name in names:
            tv, ev = then_scope.get(name), else_scope.get(name)
            with self.at(then_block):
                t_typed = self.carry(name, tv if tv is not None else None, ev)
            with self.at(else_block):
                e_typed = self.carry(name, ev if ev is not None else None, t_typed)
            then_vals.append(t_typed)
            else_vals.append(e_typed)
        self.emit_in(then_block, fast.YieldOp(*[v.ssa for v in then_vals]))
        else_region = Region()
        if else_fn is not None or names:
            self.emit_in(else_block, fast.YieldOp(*[v.ssa for v in else_vals]))
            else_region = Region(else_block)
        op = self.emit(scf.IfOp(cond, [v.ssa.type for v in then_vals], Region(then_block), else_region))
        merged = dict(before)
        for name, v, res in zip(names, then_vals, op.results, strict=True):
            merged[name] = Typed(res, v.type)
        self.scope = merged

    def carry(self, name: str, value: Value | None, other: Any) -> Typed:
        """`value` as an SSA value that can cross a region boundary (zero where it is undefined)."""
        if value is None:
            t = other.type if isinstance(other, Typed) else _type_of(other)
            return self.zero(t)
        if isinstance(value, Memory | PyObj | Void) or (
            isinstance(value, Const) and isinstance(value.value, tuple)
        ):
            raise self.error(
                None, f"'{name}' holds {_describe(value)}, which cannot be reassigned inside control flow"
            )
        return self.materialize(value)

    # ------------------------------------------------------------------ loops

    def _loop_context(self, body: list[ast.stmt], depth: int) -> LoopContext:
        f = self.facts(body)
        return LoopContext(f"%brk{depth}" if f.breaks else None, f"%cont{depth}" if f.continues else None)

    def _carried(self, body: list[ast.stmt], extra: Sequence[str] = ()) -> list[str]:
        f = self.facts(body)
        direct, rooted = f.direct, f.rooted
        # `v.x = ...` / `a[i] = ...` rebinds v only when v is a value (vector, struct), not an array
        assigned = direct | {n for n in rooted if isinstance(self.scope.get(n), Typed | LazyVector)}
        names = [
            n for n in self.scope if n in assigned or n in extra or n == self.return_flag or n == "%retval"
        ]
        if self.return_flag is None or not f.returns:
            names = [n for n in names if n not in ("%ret", "%retval") or n in assigned]
        # read-only names (parameters, arrays) are never carried: a store into one fails at the statement
        return [n for n in names if n not in self.readonly]

    def stmt_While(self, node: ast.While) -> None:
        """`while c:` as scf.while."""
        if node.orelse:
            raise self.error(node.orelse[0], "while ... else is not supported in a kernel")
        self._general_loop(node.body, node, cond_fn=lambda: self.truth(self.expr(node.test), node.test))

    def stmt_For(self, node: ast.For) -> None:
        """`for i in range(...)` (scf.for or scf.while) or over a compile-time tuple (unrolled)."""
        if node.orelse:
            raise self.error(node.orelse[0], "for ... else is not supported in a kernel")
        if not isinstance(node.target, ast.Name):
            raise self.error(node.target, "the loop variable must be a plain name")
        it = node.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"):
            self._unrolled_for(node)
            return
        if self.scope.get("range") is not None or not self.src.lookup("range")[0]:
            raise self.error(it.func, "'range' is shadowed")
        start, stop, step, t = self.range_args(it)
        if node.target.id in self.readonly:
            raise self._readonly_error(node.target.id, node.target)
        ctx = self._loop_context(node.body, len(self.loops) + 1)
        has_exit = (
            self.facts(node.body).returns or ctx.break_flag is not None or ctx.continue_flag is not None
        )
        if isinstance(step, Const) and step.value > 0 and t.is_signed and not has_exit:
            self._scf_for(node, start, stop, step, t)
            return
        self._range_while(node, start, stop, step, t)

    def _unrolled_for(self, node: ast.For) -> None:
        """`for w in WEIGHTS:` over a compile-time tuple: the body is repeated once per item."""
        assert isinstance(node.target, ast.Name)
        seq = self.expr(node.iter)
        if not (isinstance(seq, Const) and isinstance(seq.value, tuple)):
            raise self.error(node.iter, "a kernel loops only over range(...) or a compile-time tuple")
        for n in (n for stmt in node.body for n in ast.walk(stmt)):
            if isinstance(n, ast.Break | ast.Continue | ast.Return):
                raise self.error(
                    n, "a loop over a compile-time tuple is unrolled and cannot break, continue or return"
                )
        if isinstance(self.scope.get(node.target.id), Typed | LazyVector):
            raise self.error(
                node.target, f"'{node.target.id}' is a local; use a new name for the tuple's items"
            )
        for item in seq.value:
            self.scope[node.target.id] = Const(item)  # each item stays a literal
            self.statements(node.body)

    def range_args(self, call: ast.Call) -> tuple[Value, Value, Value, kt.ScalarType]:
        """The (start, stop, step) of a range() call and the type they share."""
        if call.keywords or not 1 <= len(call.args) <= 3:
            raise self.error(call, "range() takes 1 to 3 positional arguments")
        args = [self.expr(a) for a in call.args]
        if len(args) == 1:
            args = [Const(0), args[0], Const(1)]
        elif len(args) == 2:
            args.append(Const(1))
        nodes = list(call.args) + [call] * (3 - len(call.args))
        if len(call.args) == 1:
            nodes = [call, call.args[0], call]
        t: kt.ScalarType | None = None
        for a, n in zip(args, nodes, strict=True):
            at = _type_of(a)
            if isinstance(a, Const) and a.type is None:
                if not isinstance(a.value, int) or isinstance(a.value, bool):
                    raise self.error(n, f"range() takes integers, not {a.value!r}")
                continue
            if not (isinstance(at, kt.ScalarType) and at.is_int):
                raise self.error(n, f"range() takes integers, not {_tname(at)}")
            if t is None:
                t = at
            elif t != at:
                raise self.error(
                    n, f"range() arguments mix {t.name} and {at.name}; write {t.name}(...) around one"
                )
        t = t or kt.i32
        out = []
        for a, n in zip(args, nodes, strict=True):
            if isinstance(a, Const):
                out.append(Const(self.check_literal(a.value, t, n), t))
            else:
                out.append(a)
        if isinstance(out[2], Const) and out[2].value == 0:
            raise self.error(nodes[2], "range() step must not be zero")
        return out[0], out[1], out[2], t

    def _scf_for(self, node: ast.For, start: Value, stop: Value, step: Value, t: kt.ScalarType) -> None:
        assert isinstance(node.target, ast.Name)
        target = node.target.id
        lb, ub, st = (self.materialize(v).ssa for v in (start, stop, step))
        carried = self._carried(node.body)
        if target in self.scope and target not in carried:
            carried.append(target)  # after the loop it holds the last value, as in Python
        init = [self.carry(n, self.scope[n], None) for n in carried]
        ir_t = self.ir_type(t)
        self.loops.append(LoopContext(None, None))

        def body() -> list[Typed]:
            iv = self.block.args[0]
            iv.name_hint = _hint(target)
            for n, v, arg in zip(carried, init, self.block.args[1:], strict=True):
                self.scope[n] = Typed(arg, v.type)
            self.scope[target] = Typed(iv, t)
            self.statements(node.body)
            return [self._carry_out(n, v.type, node) for n, v in zip(carried, init, strict=True)]

        try:
            block, _, outs = self.in_block(body, [ir_t, *[v.ssa.type for v in init]])
        finally:
            self.loops.pop()
        self.emit_in(block, fast.YieldOp(*[v.ssa for v in outs]))
        op = self.emit(scf.ForOp(lb, ub, st, [v.ssa for v in init], block))
        for n, v, res in zip(carried, init, op.results, strict=True):
            self.scope[n] = Typed(res, v.type)
        self._mark_loop_locals(node.body, node.target.id)

    def _mark_loop_locals(self, body: list[ast.stmt], *more: str) -> None:
        """Names first bound inside a loop are not defined after it (the loop may not run)."""
        direct = self.facts(body).direct
        self.partial.update(n for n in (*direct, *more) if n not in self.scope)

    def _carry_out(self, name: str, t: kt.KhalType, node: ast.AST) -> Typed:
        value = self.scope.get(name)
        if value is None:
            raise self.error(node, f"'{name}' is not defined on every path through the loop body")
        typed = self.carry(name, value, None)
        if typed.type != t:
            raise self.error(node, f"'{name}' changes type from {t.name} to {typed.type.name} in the loop")
        return typed

    def _range_while(self, node: ast.For, start: Value, stop: Value, step: Value, t: kt.ScalarType) -> None:
        assert isinstance(node.target, ast.Name)
        target = node.target.id
        stop_v, step_v = self.materialize(stop), self.materialize(step)
        counter = f"%it{len(self.loops) + 1}"
        self.scope[counter] = self.materialize(start)
        signed = t.is_signed

        def cond() -> SSAValue:
            it = self.scope_typed(counter).ssa
            if isinstance(step, Const):
                pred = ("slt" if signed else "ult") if step.value > 0 else ("sgt" if signed else "ugt")
                return self.emit(arith.CmpiOp(it, stop_v.ssa, pred)).results[0]
            # A runtime step: the direction is its sign (an unsigned step always counts up).
            up = self.emit(arith.CmpiOp(it, stop_v.ssa, "slt" if signed else "ult")).results[0]
            if not signed:
                return up
            down = self.emit(arith.CmpiOp(it, stop_v.ssa, "sgt")).results[0]
            positive = self.emit(arith.CmpiOp(step_v.ssa, self.const_ssa(0, t), "sgt")).results[0]
            return self.emit(arith.SelectOp(positive, up, down)).results[0]

        def prologue() -> None:
            self.scope[target] = self.scope[counter]

        def epilogue() -> None:
            it = self.scope_typed(counter)
            self.scope[counter] = Typed(self.emit(fast.AddiOp(it.ssa, step_v.ssa)).results[0], t)

        self._general_loop(node.body, node, cond, prologue, epilogue, extra=[counter], cheap_cond=True)
        del self.scope[counter]

    def _general_loop(
        self,
        body: list[ast.stmt],
        node: ast.AST,
        cond_fn: Callable[[], SSAValue],
        prologue: Callable[[], None] | None = None,
        epilogue: Callable[[], None] | None = None,
        extra: Sequence[str] = (),
        cheap_cond: bool = False,
    ) -> None:
        """An `scf.while`: the condition (and no break/return flag set) in `before`, the body in `after`.

        A user's `while` condition is evaluated only while no flag is set (it may read guarded memory);
        a range test (`cheap_cond`) is simply and-ed with the flags.
        """
        ctx = self._loop_context(body, len(self.loops) + 1)
        if ctx.break_flag:
            self.scope[ctx.break_flag] = Typed(self.const_ssa(False, kt.bool_), kt.bool_)
        carried = self._carried(body, extra=[*extra, *([ctx.break_flag] if ctx.break_flag else [])])
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and node.target.id in self.scope:
            if node.target.id not in carried:
                carried.append(node.target.id)
        init = [self.carry(n, self.scope[n], None) for n in carried]
        arg_types = [v.ssa.type for v in init]
        flags = [f for f in (ctx.break_flag, self.return_flag) if f and f in carried]

        def before() -> None:
            for n, v, arg in zip(carried, init, self.block.args, strict=True):
                self.scope[n] = Typed(arg, v.type)
            if flags and cheap_cond:
                c = self.emit(fast.AndIOp(self.not_any(flags), cond_fn())).results[0]
            elif flags:
                c = self._guarded_cond(self.not_any(flags), cond_fn)
            else:
                c = cond_fn()
            self.emit(scf.ConditionOp(c, *self.block.args))

        def after() -> list[Typed]:
            for n, v, arg in zip(carried, init, self.block.args, strict=True):
                self.scope[n] = Typed(arg, v.type)
            if prologue:
                prologue()
            if ctx.continue_flag:
                self.scope[ctx.continue_flag] = Typed(self.const_ssa(False, kt.bool_), kt.bool_)
            self.statements(body)
            if epilogue:
                epilogue()
            return [self._carry_out(n, v.type, node) for n, v in zip(carried, init, strict=True)]

        before_block, _, _ = self.in_block(before, arg_types)
        self.loops.append(ctx)
        try:
            after_block, _, outs = self.in_block(after, arg_types)
        finally:
            self.loops.pop()
        self.emit_in(after_block, fast.YieldOp(*[v.ssa for v in outs]))
        op = self.emit(
            scf.WhileOp([v.ssa for v in init], arg_types, Region(before_block), Region(after_block))
        )
        for n, v, res in zip(carried, init, op.results, strict=True):
            self.scope[n] = Typed(res, v.type)
        self._mark_loop_locals(body)
        if ctx.break_flag:
            del self.scope[ctx.break_flag]

    def _guarded_cond(self, go: SSAValue, cond_fn: Callable[[], SSAValue]) -> SSAValue:
        """`go and cond()`, evaluating cond only when go holds (it may load guarded memory)."""
        then_block, _, c = self.in_block(cond_fn)
        self.emit_in(then_block, fast.YieldOp(c))
        else_block = Block()
        self.emit_in(else_block, fast.YieldOp(self._const_in(else_block, False)))
        i1 = self.ir_type(kt.bool_)
        return self.emit(scf.IfOp(go, [i1], Region(then_block), Region(else_block))).results[0]

    def _const_in(self, block: Block, value: Any, t: kt.ScalarType = kt.bool_) -> SSAValue:
        with self.at(block):
            return self.const_ssa(value, t)

    # ------------------------------------------------------------------ assignment

    def assign(self, target: ast.expr, value: Value) -> None:
        """Store `value` into an assignment target."""
        if isinstance(target, ast.Name):
            self.bind(target.id, value, target)
            return
        if isinstance(target, ast.Tuple):
            if not (isinstance(value, Const) and isinstance(value.value, tuple)):
                raise self.error(target, "only a tuple can be unpacked")
            self._assign_tuple(target, [Const(v) for v in value.value], target)
            return
        self.assign_lvalue(self.lvalue(target), value, target)

    def bind(self, name: str, value: Value, node: ast.AST) -> None:
        """Bind a local; its type is fixed by its first assignment."""
        if name in self.readonly:
            raise self._readonly_error(name, node)
        if isinstance(value, Void):
            raise self.error(node, f"{value.what} returns nothing")
        old = self.scope.get(name)
        if isinstance(value, Const) and not isinstance(value.value, tuple | str):
            value = value if old is None else self.coerce(value, _type_of(old), node, f"'{name}'")
            value = self.materialize(value, node, fresh=True)  # its own op: it gets the local's name
        if old is not None and isinstance(old, Typed | LazyVector):
            new_t = _type_of(value)
            if new_t != old.type:
                raise self.error(
                    node,
                    f"'{name}' is {old.type.name} but is assigned {_tname(new_t)}; a local keeps the type of "
                    f"its first assignment (convert with {old.type.name}(...) or use a new name)",
                )
        if isinstance(value, Typed):
            value.ssa.name_hint = value.ssa.name_hint or _hint(name)
        self.scope[name] = value
        self.partial.discard(name)

    def _readonly_error(self, name: str, node: ast.AST | None) -> Exception:
        value = self.scope.get(name)
        if isinstance(value, Memory):
            return self.error(
                node, f"cannot assign to array '{name}'; store into its elements: {name}[i] = ..."
            )
        return self.error(
            node,
            f"cannot assign to kernel parameter '{name}': parameters are read-only, copy it to a local first",
        )

    def type_expr(self, node: ast.expr) -> kt.KhalType:
        """Evaluate an expression that must name a khal type."""
        v = self.expr(node)
        t = kt.as_khal_type(v.obj) if isinstance(v, PyObj) else None
        if t is None:
            raise self.error(node, "expected a khal type (f32, Vec3, a @khal.struct, ...)")
        return t

    # ------------------------------------------------------------------ names

    def expr_Name(self, node: ast.Name) -> Value:
        """A local, or a global/closure/builtin read at compile time."""
        value = self.scope.get(node.id)
        if value is not None:
            return value
        if node.id in self.partial:
            raise self.error(
                node,
                f"'{node.id}' is not assigned on every path before this use "
                "(it is assigned only inside a branch or a loop; assign it before)",
            )
        found, obj = self.src.lookup(node.id)
        if not found:
            raise self.error(node, f"unknown name '{node.id}'")
        return self.classify(obj, node.id, node)

    def classify(self, obj: Any, name: str, node: ast.AST) -> Value:
        """A Python object read at compile time, as a kernel value."""
        if is_constant(obj):
            if isinstance(obj, tuple):
                return Const(obj)
            if isinstance(obj, bool | int | float):
                return Const(obj)
            t = kt.as_khal_type(type(obj))
            return Const(obj.item(), t if isinstance(t, kt.ScalarType) else None)
        if isinstance(obj, str):
            return Const(obj)
        if is_kernel(obj):
            raise self.error(
                node, f"'{name}' is a kernel; a kernel cannot be called from a kernel (use @khal.func)"
            )
        if (
            is_func(obj)
            or isinstance(obj, kt.KhalType | kt._ArrayFactory | types.ModuleType)
            or getattr(obj, "__khal_std__", None)
            or getattr(obj, "__khal_struct__", None) is not None
            or kt.as_khal_type(obj) is not None
            or any(obj is b for b in _PY_BUILTINS)
        ):
            return PyObj(obj, name)
        raise self.error(
            node,
            f"'{name}' is a {type(obj).__name__}, not a compile-time constant: a kernel can read "
            "Python ints, "
            "floats, bools and tuples, khal types, @khal.func and @khal.struct objects",
        )

    def expr_Attribute(self, node: ast.Attribute) -> Value:
        """A module attribute, struct field or vector swizzle."""
        base = self.expr(node.value)
        if isinstance(base, PyObj):
            if isinstance(base.obj, types.ModuleType):
                if not hasattr(base.obj, node.attr):
                    raise self.error(node, f"module '{base.obj.__name__}' has no attribute '{node.attr}'")
                return self.classify(getattr(base.obj, node.attr), f"{base.name}.{node.attr}", node)
            raise self.error(node, f"'{base.name}.{node.attr}' cannot be used in a kernel")
        return self.attribute(base, node.attr, node)

    def expr_Constant(self, node: ast.Constant) -> Value:
        """A literal."""
        if isinstance(node.value, bool | int | float | str):
            return Const(node.value)
        raise self.error(node, f"the constant {node.value!r} is not supported in a kernel")

    def expr_Tuple(self, node: ast.Tuple) -> Value:
        """A tuple of compile-time constants."""
        values = [self.expr(e) for e in node.elts]
        if all(isinstance(v, Const) for v in values):
            return Const(tuple(v.value for v in values))  # type: ignore[union-attr]
        raise self.error(node, "a tuple of kernel values is only allowed on the right of a tuple assignment")

    def expr_JoinedStr(self, node: ast.JoinedStr) -> Value:
        """f-strings only appear inside print()."""
        raise self.error(node, "f-strings are only supported as print() arguments")

    # ------------------------------------------------------------------ expressions

    def expr(self, node: ast.expr) -> Value:
        """Evaluate an expression."""
        if self._pinned:
            pinned = self._pinned.get(id(node))
            if pinned is not None:
                return pinned
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.unsupported(node)
        outer, self.node = self.node, node
        try:
            return method(node)
        finally:
            self.node = outer

    def expr_BinOp(self, node: ast.BinOp) -> Value:
        """Arithmetic, bitwise and matrix operators.

        `a + b + c + ...` nests to the left in the AST; the spine is walked in a loop, so a sum of
        700 terms costs no Python recursion.
        """
        spine = self._spine(node, ast.BinOp, lambda n: n.left)
        value = self.expr(spine[-1].left)
        for n in reversed(spine):
            with self.at_node(n):
                value = self.binop(n.op, value, self.expr(n.right), n)
        return value

    def expr_UnaryOp(self, node: ast.UnaryOp) -> Value:
        """`-x`, `+x`, `~x`, `not x` (a run of them, `- - - x`, in a loop)."""
        spine = self._spine(node, ast.UnaryOp, lambda n: n.operand)
        value = self.expr(spine[-1].operand)
        for n in reversed(spine):
            with self.at_node(n):
                value = self.unaryop(n.op, value, n)
        return value

    def _spine(self, node: Any, kind: type, child: Callable[[Any], Any]) -> list[Any]:
        """`node` and its descendants of the same kind along `child` (outermost first)."""
        spine = [node]
        while isinstance(child(spine[-1]), kind) and id(child(spine[-1])) not in self._pinned:
            spine.append(child(spine[-1]))
        return spine

    @contextmanager
    def at_node(self, node: ast.AST) -> Iterator[None]:
        """Locate the ops built inside the `with` at `node`."""
        outer, self.node = self.node, node
        try:
            yield
        finally:
            self.node = outer

    def expr_Compare(self, node: ast.Compare) -> Value:
        """Comparisons; chains short-circuit like `and`.

        `a < b < c < d` is `(a < b) and (b < c) and (c < d)`, each operand evaluated once and only
        if the links before it held. The links are a flat sequence of scf.ifs, not nested ones (a
        1000-term chain must not nest 1000 regions): each link yields its truth and, when another
        link follows, the operand it evaluated, which the next link compares against.
        """
        left = self.expr(node.left)
        right = self.expr(node.comparators[0])
        acc = self.compare(node.ops[0], left, right, node)
        links = list(zip(node.ops[1:], node.comparators[1:], strict=True))
        for k, (op, comparator) in enumerate(links):
            if isinstance(acc, Const) and not acc.value:
                return Const(False)  # the rest is never evaluated
            carry = k + 1 < len(links)
            if isinstance(acc, Const):
                right, prev = self.expr(comparator), right
                acc = self.compare(op, prev, right, node)
            else:
                acc, right = self._compare_link(acc, right, op, comparator, carry, node)
        return acc

    def _compare_link(
        self, acc: Value, prev: Value, op: ast.cmpop, comparator: ast.expr, carry: bool, node: ast.AST
    ) -> tuple[Value, Value]:
        """`acc and (prev op comparator)` as an scf.if, and the comparator's value (for the next link)."""
        cond = self.truth(acc, node)

        def link() -> tuple[SSAValue, Value, list[Typed]]:
            value = self.expr(comparator)
            result = self.compare(op, prev, value, node)
            keep = carry and not isinstance(value, Const)
            return self.truth(result, node), value, [self.materialize(value, comparator)] if keep else []

        then_b, _, (truth, value, carried) = self.in_block(link)
        else_b = Block()
        with self.at(else_b):
            dummies = [self.zero(v.type).ssa for v in carried]  # never read: the chain is false
        self.emit_in(then_b, fast.YieldOp(truth, *(v.ssa for v in carried)))
        self.emit_in(else_b, fast.YieldOp(self._const_in(else_b, False), *dummies))
        types = [self.ir_type(kt.bool_), *(v.ssa.type for v in carried)]
        op_ = self.emit(scf.IfOp(cond, types, Region(then_b), Region(else_b)))
        if carried:
            value = Typed(op_.results[1], carried[0].type)
        return Typed(op_.results[0], kt.bool_), value

    def expr_BoolOp(self, node: ast.BoolOp) -> Value:
        """`and` / `or`, short-circuit."""
        is_and = isinstance(node.op, ast.And)
        acc = self.expr(node.values[0])
        for operand in node.values[1:]:
            acc = self.short_circuit(is_and, acc, lambda operand=operand: self.expr(operand), node)
        return acc

    def short_circuit(self, is_and: bool, first: Value, rest: Callable[[], Value], node: ast.AST) -> Value:
        """`first and rest()` / `first or rest()` as an scf.if (rest is evaluated only when needed)."""
        if isinstance(first, Const):
            if bool(first.value) != is_and:
                return Const(bool(first.value))
            second = rest()
            return second if isinstance(second, Const) else Typed(self.truth(second, node), kt.bool_)
        cond = self.truth(first, node)

        def eval_rest() -> SSAValue:
            second = rest()
            if isinstance(second, Const):
                return self.const_ssa(bool(second.value), kt.bool_)
            return self.truth(second, node)

        rest_block, _, r = self.in_block(eval_rest)
        self.emit_in(rest_block, fast.YieldOp(r))
        short_block = Block()
        self.emit_in(short_block, fast.YieldOp(self._const_in(short_block, not is_and)))
        then_b, else_b = (rest_block, short_block) if is_and else (short_block, rest_block)
        i1 = self.ir_type(kt.bool_)
        op = self.emit(scf.IfOp(cond, [i1], Region(then_b), Region(else_b)))
        return Typed(op.results[0], kt.bool_)

    def expr_IfExp(self, node: ast.IfExp) -> Value:
        """`a if c else b`, short-circuit."""
        test = self.expr(node.test)
        if isinstance(test, Const):
            return self.expr(node.body if test.value else node.orelse)
        cond = self.truth(test, node.test)
        then_block, _, tv = self.in_block(lambda: self.expr(node.body))
        else_block, _, ev = self.in_block(lambda: self.expr(node.orelse))
        t = self.unify_types(tv, ev, node)
        with self.at(then_block):
            ts = self.materialize(self.coerce(tv, t, node.body, "the other branch"))
        with self.at(else_block):
            es = self.materialize(self.coerce(ev, t, node.orelse, "the other branch"))
        self.emit_in(then_block, fast.YieldOp(ts.ssa))
        self.emit_in(else_block, fast.YieldOp(es.ssa))
        op = self.emit(scf.IfOp(cond, [ts.ssa.type], Region(then_block), Region(else_block)))
        return Typed(op.results[0], t)

    def expr_Subscript(self, node: ast.Subscript) -> Value:
        """Indexing arrays, vectors, matrices, tuples; `Array[T]` in annotations."""
        base = self.expr(node.value)
        if isinstance(base, PyObj) and base.obj is kt.Array:
            return PyObj(kt.Array[self.type_expr(node.slice)], "Array[...]")
        index = self.expr(node.slice)
        return self.subscript(base, index, node)

    def expr_Call(self, node: ast.Call) -> Value:
        """Calls: khal.std, builtins, casts, constructors, device functions."""
        from khal.frontend.builtins import call

        callee = self.expr(node.func)
        return call(self, callee, node)

    # ------------------------------------------------------------------ lvalues

    def lvalue(self, target: ast.expr) -> LValue:
        """Resolve an assignment target once (its base and index are evaluated a single time)."""
        if isinstance(target, ast.Name):
            name = target.id
            if name in self.readonly:
                raise self._readonly_error(name, target)
            return LValue(
                self, target, load=lambda: self.expr_Name(target), store=lambda v: self.bind(name, v, target)
            )
        if isinstance(target, ast.Subscript):
            base_node = target.value
            base = self.expr(base_node)
            index = self.expr(target.slice)
            if isinstance(base, Memory):
                return LValue(
                    self,
                    target,
                    load=lambda: self.subscript(base, index, target),
                    store=lambda v: self.store_element(base, index, v, target),
                )
            parent = self.lvalue(base_node)
            cached: list[Value] = [base]
            return LValue(
                self,
                target,
                load=lambda: self.subscript(cached[0], index, target),
                store=lambda v: parent.store(self.insert_element(cached[0], index, v, target)),
            )
        if isinstance(target, ast.Attribute):
            base_node = target.value
            parent = self.lvalue(base_node)
            cached_p: list[Value] = [parent.load()]
            if isinstance(cached_p[0], PyObj):
                raise self.error(target, f"cannot assign to '{ast.unparse(target)}': it is read-only")
            return LValue(
                self,
                target,
                load=lambda: self.attribute(cached_p[0], target.attr, target),
                store=lambda v: parent.store(self.insert_attribute(cached_p[0], target.attr, v, target)),
            )
        raise self.error(target, f"cannot assign to '{ast.unparse(target)}': it is read-only")

    def assign_lvalue(self, lvalue: LValue, value: Value, node: ast.AST) -> None:
        """Store through a resolved target."""
        del node
        lvalue.store(value)


class LValue:
    """An assignment target with its base already evaluated: `load()` reads it, `store(v)` writes it."""

    def __init__(
        self,
        compiler: FunctionCompiler,
        node: ast.expr,
        load: Callable[[], Value],
        store: Callable[[Value], None],
    ):
        self.node = node
        self.load = load
        self.store = store


# Longer hints are cut: LLVM truncates local names at 1024 characters, after its uniquing, so two
# long names sharing a prefix would collide ("multiple definition of local value").
_MAX_HINT = 64


def _hint(name: str) -> str | None:
    """An IR name hint for the Python local `name`; hidden locals (`%ret`) get none.

    xDSL accepts ASCII names only (`[A-Za-z_$.-][\\w$.-]*`) while Python allows any Unicode
    identifier (`α`, `变量`): other characters are spelled as `_uXXXX`.
    """
    if not name.isidentifier():
        return None
    return ascii_name(name)[:_MAX_HINT]


def _type_of(value: Value | None) -> Any:
    if isinstance(value, Typed | LazyVector):
        return value.type
    if isinstance(value, Const):
        return value.type
    return None


def _tname(t: Any) -> str:
    return t.name if isinstance(t, kt.KhalType) else "a literal"


def _describe(value: Value) -> str:
    if isinstance(value, Memory):
        return "an array"
    if isinstance(value, PyObj):
        return f"the compile-time object {value.name}"
    return "a compile-time tuple"


def _always_exits(stmts: list[ast.stmt]) -> bool:
    """Does this statement list end in return/break/continue on every path?"""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, ast.Return | ast.Break | ast.Continue):
        return True
    if isinstance(last, ast.If):
        return _always_exits(last.body) and _always_exits(last.orelse)
    return False


def _always_returns(stmts: list[ast.stmt], memo: dict[int, Any]) -> bool:
    """Does this statement list end in a return on every path (`while True` without break counts)?"""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, ast.Return):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body, memo) and _always_returns(last.orelse, memo)
    if isinstance(last, ast.While) and isinstance(last.test, ast.Constant) and last.test.value is True:
        return not any(_facts(s, memo).breaks for s in last.body)
    return False


@dataclass(frozen=True)
class Facts:
    """What a statement (list) contains: used to plan flags, loop kinds and loop-carried locals."""

    returns: bool  # a `return` anywhere inside
    breaks: bool  # a `break` of the enclosing loop (not of a nested one)
    continues: bool  # a `continue` of the enclosing loop
    direct: frozenset[str]  # names bound: `x = ...`, `for x in`, `x += ...`
    rooted: frozenset[str]  # roots of element/field stores: `x.f = ...`, `x[i] += ...`


def _facts(stmt: ast.stmt, memo: dict[int, Any]) -> Facts:
    cached = memo.get(id(stmt))
    if cached is not None:
        return cached
    returns = isinstance(stmt, ast.Return)
    breaks = isinstance(stmt, ast.Break)
    continues = isinstance(stmt, ast.Continue)
    direct: set[str] = set()
    rooted: set[str] = set()
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, ast.AugAssign | ast.AnnAssign | ast.For):
        targets = [stmt.target]
    for target in targets:
        for n in ast.walk(target):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                direct.add(n.id)
        root = target
        while isinstance(root, ast.Attribute | ast.Subscript):
            root = root.value
        if root is not target and isinstance(root, ast.Name):
            rooted.add(root.id)
    is_loop = isinstance(stmt, ast.For | ast.While)
    for child in ast.iter_child_nodes(stmt):
        if not isinstance(child, ast.stmt):
            continue
        f = _facts(child, memo)
        returns |= f.returns
        if not is_loop:  # a nested loop's break/continue are its own
            breaks |= f.breaks
            continues |= f.continues
        direct |= f.direct
        rooted |= f.rooted
    result = Facts(returns, breaks, continues, frozenset(direct), frozenset(rooted))
    memo[id(stmt)] = result
    return result


# The deepest region nesting the frontend builds: xDSL's passes recurse per nested region (they ran
# 300 levels at Python's default recursion limit, not 400).
MAX_NESTING = 256

# Up to this many statements that may exit in one list nest their guards; more are guarded flat.
_NESTED_GUARDS = 8


def _is_exit(stmt: ast.stmt) -> bool:
    """A statement after which the rest of its list never runs."""
    return isinstance(stmt, ast.Return | ast.Break | ast.Continue)


_PY_BUILTINS: list[Any] = []


def _init_builtins() -> None:
    import builtins

    for n in ("range", "len", "abs", "min", "max", "print", "int", "float", "bool"):
        _PY_BUILTINS.append(getattr(builtins, n))


_init_builtins()


# Nested statements (an elif chain is an `if` in an `else`) recurse through the visitor, about
# eight Python frames per level; this limit lets a 1000-branch elif chain compile. Python calls
# between Python functions use no C stack (3.11+), so a higher limit is safe here.
_RECURSION_LIMIT = 20_000
_recursion_lock = threading.Lock()
_recursion_users = 0
_saved_limit = 0


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Raise the recursion limit while the frontend runs (restored when the last compile ends)."""
    global _recursion_users, _saved_limit
    with _recursion_lock:
        if _recursion_users == 0:
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_saved_limit, _RECURSION_LIMIT))
        _recursion_users += 1
    try:
        yield
    finally:
        with _recursion_lock:
            _recursion_users -= 1
            if _recursion_users == 0:
                sys.setrecursionlimit(_saved_limit)


def compile_kernel(kernel: Kernel) -> ModuleOp:
    """The verified module of a kernel and the device functions it calls."""
    with deep_recursion():
        return _compile_kernel(kernel)


def _compile_kernel(kernel: Kernel) -> ModuleOp:
    builder = ModuleBuilder()
    builder.names.add(kernel.name)
    compiler = FunctionCompiler(builder, kernel.source(), kind="kernel")
    op = compiler.compile_kernel(kernel)
    builder.ops.insert(0, op)
    return builder.module()


def compile_func(fn: Func) -> ModuleOp:
    """The verified module of a device function and the functions it calls."""
    with deep_recursion():
        builder = ModuleBuilder()
        builder.function(fn, fn.source().tree, None)
        return builder.module()
