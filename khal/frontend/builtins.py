"""Calls inside a kernel: `khal.std` functions, Python builtins, casts, constructors and device functions.

`call()` dispatches on what the callee evaluated to; each `khal.std` function has a `std_<name>`
handler here that checks arity and types and emits `khal`, `arith`, `math` or `vector` ops.
"""

from __future__ import annotations

import ast
import builtins
from typing import TYPE_CHECKING, Any

from xdsl.dialects import arith, func, vector
from xdsl.dialects import math as xmath

from khal.dialects import khal as kd
from khal.frontend import fastops as fast
from khal.frontend import types as kt
from khal.frontend.ops import describe, element_of, tname, value_type
from khal.frontend.values import Const, LazyVector, Memory, PyObj, Typed, Value, Void

if TYPE_CHECKING:
    from khal.frontend.compiler import FunctionCompiler


def call(c: FunctionCompiler, callee: Value, node: ast.Call) -> Value:
    """Compile `callee(*node.args, **node.keywords)`."""
    from khal.kernel import Func

    for a in node.args:
        if isinstance(a, ast.Starred):
            raise c.error(a, "*args unpacking is not supported in a kernel")
    for k in node.keywords:
        if k.arg is None:
            raise c.error(k, "**kwargs unpacking is not supported in a kernel")
    if not isinstance(callee, PyObj):
        raise c.error(node.func, f"{describe(callee)} is not callable")
    obj = callee.obj
    std_name = getattr(obj, "__khal_std__", None)
    if std_name is not None:
        return _std(c, std_name, node)
    if obj is builtins.print:
        return _print(c, node)
    name = next((n for f, n in _PY_FUNCS.items() if f is obj), None)
    if name is not None:
        if name == "range":
            raise c.error(node, "range() can only be used as the iterable of a for loop")
        if name in ("int", "float", "bool"):
            return _cast(c, {"int": kt.i32, "float": kt.f32, "bool": kt.bool_}[name], node)
        return _std(c, name, node, label=name)
    if isinstance(obj, Func):
        return _call_func(c, obj, node)
    if getattr(obj, "__khal_struct__", None) is not None:
        return _construct_struct(c, obj.__khal_struct__, node)
    t = kt.as_khal_type(obj)
    if isinstance(t, kt.ScalarType):
        return _cast(c, t, node)
    if isinstance(t, kt.VectorType):
        return _construct_vector(c, t, node)
    if isinstance(t, kt.MatrixType):
        return _construct_matrix(c, t, node)
    raise c.error(node.func, f"'{callee.name}' cannot be called in a kernel")


_PY_FUNCS = {
    builtins.range: "range", builtins.len: "len", builtins.abs: "abs", builtins.min: "min",
    builtins.max: "max", builtins.int: "int", builtins.float: "float", builtins.bool: "bool",
}  # fmt: skip


def _positional(c: FunctionCompiler, node: ast.Call, label: str, counts: tuple[int, ...]) -> list[Value]:
    if node.keywords:
        raise c.error(node.keywords[0], f"{label}() takes no keyword arguments")
    if len(node.args) not in counts:
        want = " or ".join(str(n) for n in counts)
        noun = "argument" if counts == (1,) else "arguments"
        raise c.error(node, f"{label}() takes {want} {noun}, got {len(node.args)}")
    return [c.expr(a) for a in node.args]


# ---------------------------------------------------------------------- casts and constructors


def _cast(c: FunctionCompiler, t: kt.ScalarType, node: ast.Call) -> Value:
    (arg,) = _positional(c, node, t.name, (1,))
    return c.cast(arg, t, node.args[0])


def _construct_vector(c: FunctionCompiler, t: kt.VectorType, node: ast.Call) -> Value:
    args = _positional(c, node, t.name, tuple(range(0, t.size + 1)))
    if not args:
        return c.zero(t)
    if len(args) == 1:
        a = args[0]
        at = value_type(a)
        if isinstance(at, kt.VectorType):
            if at.size != t.size:
                raise c.error(node, f"{t.name}() cannot be built from a {at.name}")
            return c.cast(a, t, node.args[0])
        s = c.materialize(c.coerce(a, t.element, node.args[0], f"{t.name}()"))
        return Typed(c.emit(fast.BroadcastOp(s.ssa, c.ir_type(t))).results[0], t)
    comps = []
    for a, n in zip(args, node.args, strict=True):
        at = value_type(a)
        if isinstance(at, kt.VectorType):
            if at.element != t.element:
                raise c.error(n, f"{t.name}() takes {t.element.name} components, got {at.name}")
            comps += [c.component(a, i).ssa for i in range(at.size)]
        else:
            comps.append(c.materialize(c.coerce(a, t.element, n, f"a component of {t.name}")).ssa)
    if len(comps) != t.size:
        raise c.error(node, f"{t.name}() needs {t.size} components, got {len(comps)}")
    return Typed(c.build_vector(comps, t), t)


def _construct_matrix(c: FunctionCompiler, t: kt.MatrixType, node: ast.Call) -> Value:
    n = t.size
    args = _positional(c, node, t.name, (0, 1, n, n * n))
    if not args:
        return c.zero(t)
    if len(args) == 1:  # a scalar: that value on the diagonal (like GLSL's mat3(s))
        s = c.materialize(c.coerce(args[0], t.element, node.args[0], f"{t.name}()"))
        zero = c.const_ssa(0.0, t.element)
        cols = []
        for j in range(n):
            col = c.emit(fast.BroadcastOp(zero, c.ir_type(t.column))).results[0]
            cols.append(c.emit(fast.InsertOp(s.ssa, col, [j])).results[0])
        return Typed(c.from_columns(cols, t), t)
    if len(args) == n:
        cols = [
            c.materialize(c.coerce(a, t.column, an, f"a column of {t.name}")).ssa
            for a, an in zip(args, node.args, strict=True)
        ]
        return Typed(c.from_columns(cols, t), t)
    scalars = [
        c.materialize(c.coerce(a, t.element, an, f"an element of {t.name}")).ssa
        for a, an in zip(args, node.args, strict=True)
    ]
    cols = [c.build_vector(scalars[j * n : (j + 1) * n], t.column) for j in range(n)]
    return Typed(c.from_columns(cols, t), t)


def _construct_struct(c: FunctionCompiler, st: kt.StructType, node: ast.Call) -> Value:
    names = [n for n, _ in st.fields]
    if len(node.args) > len(names):
        raise c.error(node, f"{st.name}() takes at most {len(names)} arguments, got {len(node.args)}")
    given: dict[str, tuple[Value, ast.AST]] = {}
    for name, a in zip(names, node.args, strict=False):
        given[name] = (c.expr(a), a)
    for k in node.keywords:
        assert k.arg is not None
        if k.arg not in names:
            raise c.error(k, f"struct {st.name} has no field '{k.arg}'")
        if k.arg in given:
            raise c.error(k, f"field '{k.arg}' of {st.name} is given twice")
        given[k.arg] = (c.expr(k.value), k.value)
    fields = []
    for name, ft in st.fields:
        if name in given:
            v, n = given[name]
            fields.append(c.materialize(c.coerce(v, ft, n, f"field '{name}' of {st.name}")).ssa)
        else:
            fields.append(c.zero(ft).ssa)  # missing fields start at zero
    return Typed(c.emit(kd.StructConstructOp(c.ir_type(st), fields)).results[0], st)


def _call_func(c: FunctionCompiler, fn: Any, node: ast.Call) -> Value:
    symbol, params, ret = c.builder.function(fn, node, c)
    if node.keywords:
        raise c.error(node.keywords[0], f"khal.func {fn.name}() takes positional arguments only")
    if len(node.args) != len(params):
        raise c.error(node, f"{fn.name}() takes {len(params)} arguments, got {len(node.args)}")
    operands = []
    for i, (a, t) in enumerate(zip(node.args, params, strict=True)):
        v = c.expr(a)
        if isinstance(t, kt.ArrayType):
            if not isinstance(v, Memory) or v.workgroup or v.element != t.element:
                raise c.error(a, f"argument {i + 1} of {fn.name}() must be an {t.name}, got {describe(v)}")
            operands.append(v.ssa)
            continue
        if isinstance(v, Const) and isinstance(v.value, bool | int | float) and v.type is None:
            if not isinstance(t, kt.ScalarType):
                raise c.error(
                    a, f"argument {i + 1} of {fn.name}() must be a {t.name}, got the literal {v.value!r}"
                )
        elif value_type(v) != t:
            raise c.error(a, f"argument {i + 1} of {fn.name}() must be a {t.name}, got {describe(v)}")
        operands.append(c.materialize(c.coerce(v, t, a, f"argument {i + 1} of {fn.name}()")).ssa)
    results = [c.ir_type(ret)] if ret is not None else []
    op = c.emit(func.CallOp(symbol, operands, results))
    if ret is None:
        return Void(f"{fn.name}()")
    return Typed(op.results[0], ret)


# ---------------------------------------------------------------------- print


def _print(c: FunctionCompiler, node: ast.Call) -> Value:
    sep = " "
    for k in node.keywords:
        if k.arg == "sep" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str):
            sep = k.value.value
        else:
            raise c.error(k, "print() in a kernel takes only sep= (a string constant)")
    pieces: list[str] = []
    values = []
    unsigned: list[int] = []  # IR integers are signless: printf needs to know which are unsigned

    def add(v: Value, n: ast.AST) -> None:
        if isinstance(v, Const) and isinstance(v.value, str | bool | int | float) and v.type is None:
            pieces.append(str(v.value).replace("{}", "{ }"))
            return
        t = c.materialize(v, n)
        if not isinstance(t.type, kt.ScalarType | kt.VectorType):
            raise c.error(n, f"print() cannot print {tname(t.type)}; print its fields or components")
        pieces.append("{}")
        element = t.type.element if isinstance(t.type, kt.VectorType) else t.type
        if element.is_unsigned:
            unsigned.append(len(values))
        values.append(t.ssa)

    parts = []
    for a in node.args:
        if isinstance(a, ast.JoinedStr):
            start = len(pieces)
            for piece in a.values:
                if isinstance(piece, ast.Constant):
                    pieces.append(str(piece.value).replace("{}", "{ }"))  # `{}` is a hole in khal.print
                elif isinstance(piece, ast.FormattedValue):
                    if piece.format_spec is not None or piece.conversion != -1:
                        raise c.error(piece, "format specs are not supported in kernel prints")
                    add(c.expr(piece.value), piece.value)
            parts.append("".join(pieces[start:]))
            del pieces[start:]
        else:
            start = len(pieces)
            add(c.expr(a), a)
            parts.append("".join(pieces[start:]))
            del pieces[start:]
    c.emit(kd.PrintOp(sep.join(parts), values, unsigned))
    return Void("print()")


# ---------------------------------------------------------------------- khal.std


def _std(c: FunctionCompiler, name: str, node: ast.Call, label: str | None = None) -> Value:
    handler = _STD.get(name)
    if handler is None:
        raise c.error(node, f"khal.std.{name} is not supported")
    return handler(c, node, label or f"ks.{name}")


def _id_vector(op_cls: Any) -> Any:
    def handler(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
        _positional(c, node, label, (0,))
        dims = (kd.Dim.X, kd.Dim.Y, kd.Dim.Z)
        return LazyVector(kt.UVec3, lambda i: Typed(c.emit(op_cls(dims[i])).results[0], kt.u32))

    return handler


def _id_scalar(op_cls: Any) -> Any:
    def handler(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
        _positional(c, node, label, (0,))
        return Typed(c.emit(op_cls()).results[0], kt.u32)

    return handler


def _barrier(op_cls: Any) -> Any:
    def handler(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
        _positional(c, node, label, (0,))
        c.emit(op_cls())
        return Void(f"{label}()")

    return handler


def _workgroup_array(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    dtype, n = _positional(c, node, label, (2,))
    if c.kind != "kernel":
        raise c.error(
            node, "workgroup memory can only be allocated in a kernel; pass it to functions instead"
        )
    t = kt.as_khal_type(dtype.obj) if isinstance(dtype, PyObj) else None
    if t is None or isinstance(t, kt.ArrayType):
        raise c.error(node.args[0], f"{label}() takes an element type (f32, Vec3, a @khal.struct, ...) first")
    if not isinstance(n, Const) or not isinstance(n.value, int) or isinstance(n.value, bool) or n.value <= 0:
        raise c.error(node.args[1], f"{label}() takes a positive compile-time integer size")
    stored = kt.u8 if t == kt.bool_ else t
    if stored != t:
        raise c.error(node.args[0], "workgroup arrays of bool_ are not supported; use u32")
    op = c.emit(kd.WorkgroupAllocOp(c.ir_type(t), n.value))
    return Memory(op.results[0], t, workgroup=True, size=n.value, name="workgroup array")


def _memory_arg(c: FunctionCompiler, v: Value, n: ast.AST, label: str) -> Memory:
    if not isinstance(v, Memory):
        raise c.error(n, f"{label}() takes an array or workgroup array first, got {describe(v)}")
    return v


def _atomic(kind: str) -> Any:
    def handler(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
        arr, idx, val = _positional(c, node, label, (3,))
        m = _memory_arg(c, arr, node.args[0], label)
        e = m.element
        ok = isinstance(e, kt.ScalarType) and e.is_int and e.bits in (32, 64)
        if kind in ("add", "xchg") and e in (kt.f32, kt.f64):
            ok = True
        if not ok:
            raise c.error(
                node.args[0],
                f"{label}() needs an array of u32 or i32{' or f32' if kind == 'add' else ''}, got {tname(e)}",
            )
        op_kind = kind
        if kind in ("min", "max") and isinstance(e, kt.ScalarType) and e.is_unsigned:
            op_kind = "u" + kind
        i = c.index_ssa(idx, node.args[1])
        v = c.materialize(c.coerce(val, e, node.args[2], f"the value of {label}()"))
        return Typed(c.emit(kd.AtomicRMWOp(op_kind, m.ssa, i, v.ssa)).results[0], e)

    return handler


def _atomic_cmpxchg(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    arr, idx, expected, new = _positional(c, node, label, (4,))
    m = _memory_arg(c, arr, node.args[0], label)
    e = m.element
    if not (isinstance(e, kt.ScalarType) and e.is_int and e.bits in (32, 64)):
        raise c.error(node.args[0], f"{label}() needs an array of u32 or i32, got {tname(e)}")
    i = c.index_ssa(idx, node.args[1])
    ex = c.materialize(c.coerce(expected, e, node.args[2], f"the expected value of {label}()"))
    nw = c.materialize(c.coerce(new, e, node.args[3], f"the new value of {label}()"))
    return Typed(c.emit(kd.AtomicCmpXchgOp(m.ssa, i, ex.ssa, nw.ssa)).results[0], e)


def _atomic_elem_check(c: FunctionCompiler, m: Memory, n: ast.AST, label: str) -> kt.KhalType:
    e = m.element
    if not (isinstance(e, kt.ScalarType) and (e.is_int or e.is_float) and e.bits in (32, 64)):
        raise c.error(n, f"{label}() needs an array of 32- or 64-bit numbers, got {tname(e)}")
    return e


def _atomic_load(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    arr, idx = _positional(c, node, label, (2,))
    m = _memory_arg(c, arr, node.args[0], label)
    e = _atomic_elem_check(c, m, node.args[0], label)
    i = c.index_ssa(idx, node.args[1])
    return Typed(c.emit(kd.AtomicLoadOp(m.ssa, i)).results[0], e)


def _atomic_store(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    arr, idx, val = _positional(c, node, label, (3,))
    m = _memory_arg(c, arr, node.args[0], label)
    e = _atomic_elem_check(c, m, node.args[0], label)
    i = c.index_ssa(idx, node.args[1])
    v = c.materialize(c.coerce(val, e, node.args[2], f"the value of {label}()"))
    c.emit(kd.AtomicStoreOp(v.ssa, m.ssa, i))
    return Void(f"{label}()")


def _subgroup(kind: str) -> Any:
    def handler(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
        (x,) = _positional(c, node, label, (1,))
        v = c.materialize(x, node.args[0])
        elem = element_of(v.type)
        if elem is None or elem.is_bool or isinstance(v.type, kt.MatrixType):
            raise c.error(node.args[0], f"{label}() takes a number or a vector, got {tname(v.type)}")
        if kind == "first":
            return Typed(c.emit(kd.SubgroupBroadcastFirstOp(v.ssa)).results[0], v.type)
        k = "u" + kind if kind in ("min", "max") and elem.is_unsigned else kind
        return Typed(c.emit(kd.SubgroupReduceOp(k, v.ssa)).results[0], v.type)

    return handler


# ---------------------------------------------------------------------- math


def _numeric(c: FunctionCompiler, v: Value, n: ast.AST, label: str, float_only: bool) -> Typed:
    """A scalar or vector argument (literals default to f32 for float functions)."""
    if (
        isinstance(v, Const)
        and v.type is None
        and isinstance(v.value, int | float)
        and not isinstance(v.value, bool)
    ):
        v = Const(float(v.value) if float_only else v.value)
    t = c.materialize(v, n)
    elem = element_of(t.type)
    if elem is None or isinstance(t.type, kt.MatrixType) or elem.is_bool:
        raise c.error(n, f"{label}() takes a number or a vector, got {tname(t.type)}")
    if float_only and not elem.is_float:
        hint = f"f32({ast.unparse(n)})" if isinstance(t.type, kt.ScalarType) else f"Vec{t.type.size}(...)"
        raise c.error(n, f"{label}() takes a float or a float vector, got {t.type.name}; write {hint}")
    return t


def _same(
    c: FunctionCompiler, args: list[Value], nodes: list[ast.expr], label: str, float_only: bool
) -> list[Typed]:
    """Arguments of one shared type (a literal takes it; a scalar broadcasts to a vector)."""
    typed = [v for v in args if value_type(v) is not None]
    if not typed:
        first = _numeric(c, args[0], nodes[0], label, float_only)
        args = [first, *args[1:]]
        typed = [first]
    target = max((value_type(v) for v in typed), key=lambda t: isinstance(t, kt.VectorType))
    out = []
    for v, n in zip(args, nodes, strict=True):
        vt = value_type(v)
        if vt is None:
            elem = element_of(target)
            v = Const(c.check_literal(v.value, elem, n), elem)  # type: ignore[union-attr]
            vt = elem
        if vt != target:
            if isinstance(target, kt.VectorType) and vt == target.element:
                s = c.materialize(v, n)
                out.append(Typed(c.emit(fast.BroadcastOp(s.ssa, c.ir_type(target))).results[0], target))
                continue
            raise c.error(n, f"{label}() arguments must share one type: got {tname(vt)} and {tname(target)}")
        out.append(_numeric(c, v, n, label, float_only))
    return out


def _unary_math(op_cls: Any) -> Any:
    def handler(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
        (x,) = _positional(c, node, label, (1,))
        v = _numeric(c, x, node.args[0], label, True)
        return Typed(c.emit(op_cls(v.ssa)).results[0], v.type)

    return handler


def _binary_math(op_cls: Any) -> Any:
    def handler(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
        args = _positional(c, node, label, (2,))
        a, b = _same(c, args, list(node.args), label, True)
        return Typed(c.emit(op_cls(a.ssa, b.ssa)).results[0], a.type)

    return handler


def _abs(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    (x,) = _positional(c, node, label, (1,))
    if isinstance(x, Const) and x.type is None and isinstance(x.value, int | float):
        return Const(builtins.abs(x.value))
    v = _numeric(c, x, node.args[0], label, False)
    elem = element_of(v.type)
    assert elem is not None
    if elem.is_float:
        return Typed(c.emit(xmath.AbsFOp(v.ssa)).results[0], v.type)
    if elem.is_unsigned:
        return v
    return Typed(c.emit(xmath.AbsIOp(v.ssa)).results[0], v.type)


def _minmax(is_min: bool) -> Any:
    def handler(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
        if node.keywords:
            raise c.error(node.keywords[0], f"{label}() takes no keyword arguments")
        counts = (2,) if label.startswith("ks.") else tuple(range(2, 9))
        args = _positional(c, node, label, counts)
        if all(isinstance(a, Const) and a.type is None for a in args):
            vals = [a.value for a in args]  # type: ignore[union-attr]
            return Const(builtins.min(vals) if is_min else builtins.max(vals))
        typed = _same(c, args, list(node.args), label, False)
        acc = typed[0]
        for b in typed[1:]:
            acc = Typed(_minmax_ssa(c, is_min, acc.ssa, b.ssa, acc.type), acc.type)
        return acc

    return handler


def _minmax_ssa(c: FunctionCompiler, is_min: bool, a: Any, b: Any, t: Any) -> Any:
    elem = element_of(t)
    assert elem is not None
    if elem.is_float:
        cls = arith.MinimumfOp if is_min else arith.MaximumfOp
    elif elem.is_signed:
        cls = arith.MinSIOp if is_min else arith.MaxSIOp
    else:
        cls = arith.MinUIOp if is_min else arith.MaxUIOp
    return c.emit(cls(a, b)).results[0]


def _clamp(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    args = _positional(c, node, label, (3,))
    x, lo, hi = _same(c, args, list(node.args), label, False)
    r = _minmax_ssa(c, False, x.ssa, lo.ssa, x.type)
    return Typed(_minmax_ssa(c, True, r, hi.ssa, x.type), x.type)


def _sign(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    (x,) = _positional(c, node, label, (1,))
    v = _numeric(c, x, node.args[0], label, False)
    elem = element_of(v.type)
    assert elem is not None

    def scalar(s: Any) -> Any:
        zero, one, minus = (c.const_ssa(k, elem) for k in (0, 1, -1 if not elem.is_unsigned else 0))
        if elem.is_float:
            pos = c.emit(arith.CmpfOp(s, zero, "ogt")).results[0]
            neg = c.emit(arith.CmpfOp(s, zero, "olt")).results[0]
            inner = c.emit(arith.SelectOp(neg, minus, s)).results[0]  # keeps 0, -0 and NaN as they are
            return c.emit(arith.SelectOp(pos, one, inner)).results[0]
        pos = c.emit(arith.CmpiOp(s, zero, "sgt" if elem.is_signed else "ugt")).results[0]
        if elem.is_unsigned:
            return c.emit(arith.SelectOp(pos, one, zero)).results[0]
        neg = c.emit(arith.CmpiOp(s, zero, "slt")).results[0]
        inner = c.emit(arith.SelectOp(neg, minus, zero)).results[0]
        return c.emit(arith.SelectOp(pos, one, inner)).results[0]

    return Typed(c.elementwise(scalar, v.type, v.ssa), v.type)


def _fract(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    (x,) = _positional(c, node, label, (1,))
    v = _numeric(c, x, node.args[0], label, True)
    fl = c.emit(xmath.FloorOp(v.ssa)).results[0]
    return Typed(c.emit(fast.SubfOp(v.ssa, fl)).results[0], v.type)


def _fma(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    args = _positional(c, node, label, (3,))
    a, b, d = _same(c, args, list(node.args), label, True)
    return Typed(c.emit(xmath.FmaOp(a.ssa, b.ssa, d.ssa)).results[0], a.type)


def _mix(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    args = _positional(c, node, label, (3,))
    a, b, t = _same(c, args, list(node.args), label, True)
    diff = c.emit(fast.SubfOp(b.ssa, a.ssa)).results[0]
    scaled = c.emit(fast.MulfOp(diff, t.ssa)).results[0]
    return Typed(c.emit(fast.AddfOp(a.ssa, scaled)).results[0], a.type)


def _step(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    args = _positional(c, node, label, (2,))
    edge, x = _same(c, args, list(node.args), label, True)
    elem = element_of(x.type)
    assert elem is not None

    def scalar(e: Any, s: Any) -> Any:
        below = c.emit(arith.CmpfOp(s, e, "olt")).results[0]
        return c.emit(arith.SelectOp(below, c.const_ssa(0.0, elem), c.const_ssa(1.0, elem))).results[0]

    return Typed(c.elementwise(scalar, x.type, edge.ssa, x.ssa), x.type)


def _select(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    cond, a, b = _positional(c, node, label, (3,))
    t = c.unify_types(a, b, node)
    av = c.materialize(c.coerce(a, t, node.args[1], f"the second argument of {label}()"))
    bv = c.materialize(c.coerce(b, t, node.args[2], f"the third argument of {label}()"))
    cv = c.materialize(cond, node.args[0])
    if cv.type == kt.bool_:
        return Typed(c.emit(arith.SelectOp(cv.ssa, av.ssa, bv.ssa)).results[0], t)
    if isinstance(t, kt.VectorType) and cv.type == kt.vector_of(kt.bool_, t.size):
        pick = lambda k, x, y: c.emit(arith.SelectOp(k, x, y)).results[0]  # noqa: E731
        return Typed(c.elementwise(pick, t, cv.ssa, av.ssa, bv.ssa), t)
    raise c.error(node.args[0], f"{label}() takes a bool condition first, got {tname(cv.type)}")


def _vec_arg(c: FunctionCompiler, v: Value, n: ast.AST, label: str, float_only: bool = True) -> Typed:
    t = c.materialize(v, n)
    if not isinstance(t.type, kt.VectorType) or (float_only and not t.type.element.is_float):
        raise c.error(n, f"{label}() takes {'a float' if float_only else 'a'} vector, got {tname(t.type)}")
    return t


def _dot(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    a, b = _positional(c, node, label, (2,))
    av = _vec_arg(c, a, node.args[0], label, float_only=False)
    bv = _vec_arg(c, b, node.args[1], label, float_only=False)
    if av.type != bv.type:
        raise c.error(node, f"{label}() takes two vectors of one type, got {av.type.name} and {bv.type.name}")
    assert isinstance(av.type, kt.VectorType)
    return Typed(c.dot_ssa(av.ssa, bv.ssa, av.type), av.type.element)


def _cross(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    a, b = _positional(c, node, label, (2,))
    av = _vec_arg(c, a, node.args[0], label)
    bv = _vec_arg(c, b, node.args[1], label)
    if av.type != bv.type or av.type.size != 3:  # type: ignore[union-attr]
        raise c.error(node, f"{label}() takes two Vec3, got {av.type.name} and {bv.type.name}")
    vt = c.ir_type(av.type)

    def sh(v: Any, mask: list[int]) -> Any:
        from khal.frontend.ops import _i64_array

        return c.emit(vector.ShuffleOp(v, v, _i64_array(mask), result_type=vt)).results[0]

    # a.yzx * b.zxy - a.zxy * b.yzx
    l = c.emit(fast.MulfOp(sh(av.ssa, [1, 2, 0]), sh(bv.ssa, [2, 0, 1]))).results[0]  # noqa: E741
    r = c.emit(fast.MulfOp(sh(av.ssa, [2, 0, 1]), sh(bv.ssa, [1, 2, 0]))).results[0]
    return Typed(c.emit(fast.SubfOp(l, r)).results[0], av.type)


def _length(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    (a,) = _positional(c, node, label, (1,))
    v = _vec_arg(c, a, node.args[0], label)
    assert isinstance(v.type, kt.VectorType)
    d = c.dot_ssa(v.ssa, v.ssa, v.type)
    return Typed(c.emit(xmath.SqrtOp(d)).results[0], v.type.element)


def _distance(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    a, b = _positional(c, node, label, (2,))
    av = _vec_arg(c, a, node.args[0], label)
    bv = _vec_arg(c, b, node.args[1], label)
    if av.type != bv.type:
        raise c.error(node, f"{label}() takes two vectors of one type, got {av.type.name} and {bv.type.name}")
    assert isinstance(av.type, kt.VectorType)
    diff = c.emit(fast.SubfOp(av.ssa, bv.ssa)).results[0]
    return Typed(c.emit(xmath.SqrtOp(c.dot_ssa(diff, diff, av.type))).results[0], av.type.element)


def _normalize(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    (a,) = _positional(c, node, label, (1,))
    v = _vec_arg(c, a, node.args[0], label)
    assert isinstance(v.type, kt.VectorType)
    norm = c.emit(xmath.SqrtOp(c.dot_ssa(v.ssa, v.ssa, v.type))).results[0]
    splat = c.emit(fast.BroadcastOp(norm, c.ir_type(v.type))).results[0]
    return Typed(c.emit(fast.DivfOp(v.ssa, splat)).results[0], v.type)


def _isnan(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    (x,) = _positional(c, node, label, (1,))
    v = _numeric(c, x, node.args[0], label, True)
    out = _bool_like(v.type)
    return Typed(c.elementwise(lambda s: c.emit(arith.CmpfOp(s, s, "uno")).results[0], out, v.ssa), out)


def _isinf(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    (x,) = _positional(c, node, label, (1,))
    v = _numeric(c, x, node.args[0], label, True)
    elem = element_of(v.type)
    assert elem is not None
    out = _bool_like(v.type)

    def scalar(s: Any) -> Any:
        a = c.emit(xmath.AbsFOp(s)).results[0]
        return c.emit(arith.CmpfOp(a, c.const_ssa(float("inf"), elem), "oeq")).results[0]

    return Typed(c.elementwise(scalar, out, v.ssa), out)


def _bool_like(t: Any) -> kt.KhalType:
    return kt.vector_of(kt.bool_, t.size) if isinstance(t, kt.VectorType) else kt.bool_


def _len(c: FunctionCompiler, node: ast.Call, label: str) -> Value:
    (a,) = _positional(c, node, label, (1,))
    if isinstance(a, Memory):
        if a.workgroup:
            return Const(a.size, kt.u32)
        return Typed(c.emit(kd.LenOp(a.ssa)).results[0], kt.u32)
    if isinstance(a, Const) and isinstance(a.value, tuple):
        return Const(len(a.value))
    t = value_type(a)
    if isinstance(t, kt.VectorType | kt.MatrixType):
        return Const(t.size, kt.u32)
    raise c.error(node.args[0], f"len() takes an array, got {describe(a)}")


_STD: dict[str, Any] = {
    "global_invocation_id": _id_vector(kd.GlobalInvocationIdOp),
    "local_invocation_id": _id_vector(kd.LocalInvocationIdOp),
    "workgroup_id": _id_vector(kd.WorkgroupIdOp),
    "num_workgroups": _id_vector(kd.NumWorkgroupsOp),
    "local_invocation_index": _id_scalar(kd.LocalInvocationIndexOp),
    "subgroup_size": _id_scalar(kd.SubgroupSizeOp),
    "subgroup_invocation_id": _id_scalar(kd.SubgroupInvocationIdOp),
    "workgroup_array": _workgroup_array,
    "workgroup_barrier": _barrier(kd.WorkgroupBarrierOp),
    "storage_barrier": _barrier(kd.StorageBarrierOp),
    "atomic_add": _atomic("add"),
    "atomic_sub": _atomic("sub"),
    "atomic_min": _atomic("min"),
    "atomic_max": _atomic("max"),
    "atomic_and": _atomic("and"),
    "atomic_or": _atomic("or"),
    "atomic_xor": _atomic("xor"),
    "atomic_exchange": _atomic("xchg"),
    "atomic_compare_exchange": _atomic_cmpxchg,
    "atomic_load": _atomic_load,
    "atomic_store": _atomic_store,
    "subgroup_add": _subgroup("add"),
    "subgroup_min": _subgroup("min"),
    "subgroup_max": _subgroup("max"),
    "subgroup_broadcast_first": _subgroup("first"),
    "sqrt": _unary_math(xmath.SqrtOp),
    "rsqrt": _unary_math(xmath.RsqrtOp),
    "exp": _unary_math(xmath.ExpOp),
    "exp2": _unary_math(xmath.Exp2Op),
    "log": _unary_math(xmath.LogOp),
    "log2": _unary_math(xmath.Log2Op),
    "sin": _unary_math(xmath.SinOp),
    "cos": _unary_math(xmath.CosOp),
    "tan": _unary_math(xmath.TanOp),
    "tanh": _unary_math(xmath.TanhOp),
    "asin": _unary_math(xmath.AsinOp),
    "acos": _unary_math(xmath.AcosOp),
    "atan": _unary_math(xmath.AtanOp),
    "floor": _unary_math(xmath.FloorOp),
    "ceil": _unary_math(xmath.CeilOp),
    "round": _unary_math(xmath.RoundEvenOp),
    "trunc": _unary_math(xmath.TruncOp),
    "atan2": _binary_math(xmath.Atan2Op),
    "pow": _binary_math(xmath.PowFOp),
    "abs": _abs,
    "sign": _sign,
    "min": _minmax(True),
    "max": _minmax(False),
    "clamp": _clamp,
    "fract": _fract,
    "fma": _fma,
    "mix": _mix,
    "step": _step,
    "select": _select,
    "dot": _dot,
    "cross": _cross,
    "length": _length,
    "distance": _distance,
    "normalize": _normalize,
    "isnan": _isnan,
    "isinf": _isinf,
    "len": _len,
}
