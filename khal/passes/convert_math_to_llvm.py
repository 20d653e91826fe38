"""`convert-math-to-llvm`: `math` ops to LLVM intrinsics, or to libm calls where LLVM has none.

Intrinsics (scalars and vectors): sqrt, exp, exp2, log, log2, log10, sin, cos, pow, fabs, floor,
ceil, round, roundeven, trunc, fma, copysign, abs, ctlz, cttz, ctpop; `fpowi` is
`pow(x, float(n))`. On the host LLVM turns
the transcendental ones into calls to the C library (`expf`, `sinf`, ...), which are within an
ulp. The rest call libm by name, element by element on vectors: the f64 function (`tanh`, `atan2`) on
f32 values widened to f64 and the result rounded back (`f32_via_f64`, the default: glibc's f32
functions are up to 2 ulp off, numpy's too, so only the correctly rounded result is safely within
2 ulp of numpy), or the `f`-suffixed f32 function (`tanhf`) without it; f16 goes through f32.
`rsqrt` is `1 / sqrt(x)` and `ipowi` is
exponentiation by squaring (unrolled). No fast-math flag is added.

Options for GPU targets: `libm_prefix` names the library (`__nv_` gives libdevice's `__nv_tanhf`),
and `libm_for_all` routes every function with a libm equivalent there instead of an intrinsic.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import llvm, math
from xdsl.dialects.builtin import (
    AnyFloat,
    Float16Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    VectorType,
    f32,
    f64,
    i1,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, PatternRewriteWalker, RewritePattern

from khal.dialects import llvm_ext as llx
from khal.passes.llvm_common import (
    LoweringError,
    binop,
    call_intrinsic,
    declare_function,
    element_type,
    extract_element,
    from_llvm,
    icmp,
    insert_element,
    intrinsic_suffix,
    module_of,
    select,
    splat,
    to_llvm,
    undef,
)


def fptrunc(value: SSAValue, to: Attribute, ops: list[Operation]) -> SSAValue:
    """`llvm.fptrunc`, except f64 -> f16 (scalar or vector), which goes through f32 with round-to-odd.

    LLVM lowers a direct f64 -> f16 truncation on x86 to compiler-rt's `__truncdfhf2`, which the
    JIT cannot resolve (the process dies). f64 -> f32 -> f16 with two round-to-nearest steps is
    not correctly rounded (double rounding), but rounding the first step to odd is: f32 keeps 13
    more bits than f16, and an inexact result with its last bit set can never look like a tie.
    """
    src, dst = element_type(value.type), element_type(to)
    if not (isinstance(src, Float64Type) and isinstance(dst, Float16Type)):
        op = llvm.FPTruncOp(value, to)
        ops.append(op)
        return op.result
    shape = value.type.get_shape() if isinstance(value.type, VectorType) else None
    f32t: Attribute = VectorType(f32, shape) if shape else f32
    i32t: Attribute = VectorType(IntegerType(32), shape) if shape else IntegerType(32)
    near = llvm.FPTruncOp(value, f32t)  # round to nearest even
    back = llvm.FPExtOp(near.result, value.type)
    ops += [near, back]
    bits = llvm.BitcastOp(near.result, i32t)
    ops.append(bits)
    inexact = _fcmp("one", back.result, value, ops)  # ordered: a NaN stays as it is
    even = icmp(
        "eq", binop(llvm.AndOp, bits.result, _const_like(1, i32t, ops), ops), _const_like(0, i32t, ops), ops
    )
    # Step one ulp toward `value` (the bits are sign-magnitude: -1 shrinks |near|, +1 grows it).
    above = _fcmp("ogt", back.result, value, ops)
    positive = _fcmp("ogt", value, _const_like(0.0, value.type, ops), ops)
    shrink = icmp("eq", above, positive, ops)
    step = select(shrink, _const_like(-1, i32t, ops), _const_like(1, i32t, ops), ops)
    odd = binop(llvm.AddOp, bits.result, step, ops)
    chosen = select(binop(llvm.AndOp, inexact, even, ops), odd, bits.result, ops)
    as_float = llvm.BitcastOp(chosen, f32t)
    narrow = llvm.FPTruncOp(as_float.result, to)
    ops += [as_float, narrow]
    return narrow.result


def _fma_f16(args: list[SSAValue], t: Attribute, ops: list[Operation]) -> SSAValue:
    """f16 `fma` in f64, rounded back with `fptrunc`: `llvm.fma.f16` becomes a call to a compiler-rt
    helper on x86, absent from a JIT process. The f16 product is exact in f64; the sum is rounded
    once there, with 42 bits to spare over f16, then to f16."""
    wide_t: Attribute = VectorType(f64, t.get_shape()) if isinstance(t, VectorType) else f64
    wide = [llvm.FPExtOp(a, wide_t) for a in args]
    ops += wide
    r = call_intrinsic(f"llvm.fma.{intrinsic_suffix(wide_t)}", [w.result for w in wide], wide_t, ops)
    assert r is not None
    return fptrunc(r, t, ops)


def _fcmp(pred: str, lhs: SSAValue, rhs: SSAValue, ops: list[Operation]) -> SSAValue:
    op = llx.FCmpOp(lhs, rhs, pred)
    ops.append(op)
    return op.res


# op -> (intrinsic, libm base name or None)
_INTRINSICS: dict[type[Operation], tuple[str, str | None]] = {
    math.SqrtOp: ("llvm.sqrt", "sqrt"),
    math.ExpOp: ("llvm.exp", "exp"),
    math.Exp2Op: ("llvm.exp2", "exp2"),
    math.LogOp: ("llvm.log", "log"),
    math.Log2Op: ("llvm.log2", "log2"),
    math.Log10Op: ("llvm.log10", "log10"),
    math.SinOp: ("llvm.sin", "sin"),
    math.CosOp: ("llvm.cos", "cos"),
    math.PowFOp: ("llvm.pow", "pow"),
    math.AbsFOp: ("llvm.fabs", None),
    math.FloorOp: ("llvm.floor", None),
    math.CeilOp: ("llvm.ceil", None),
    math.RoundOp: ("llvm.round", None),
    math.RoundEvenOp: ("llvm.roundeven", None),
    math.TruncOp: ("llvm.trunc", None),
    math.FmaOp: ("llvm.fma", None),
    math.CopySignOp: ("llvm.copysign", None),
    math.CtPopOp: ("llvm.ctpop", None),
}

_LIBM: dict[type[Operation], str] = {
    math.TanOp: "tan",
    math.TanhOp: "tanh",
    math.AtanOp: "atan",
    math.Atan2Op: "atan2",
    math.AsinOp: "asin",
    math.AcosOp: "acos",
    math.SinhOp: "sinh",
    math.CoshOp: "cosh",
    math.AsinhOp: "asinh",
    math.AcoshOp: "acosh",
    math.AtanhOp: "atanh",
    math.CbrtOp: "cbrt",
    math.ErfOp: "erf",
    math.ExpM1Op: "expm1",
    math.Log1pOp: "log1p",
}


def _libm_call(
    name: str, args: list[SSAValue], prefix: str, via_f64: bool, op: Operation, ops: list[Operation]
) -> SSAValue:
    """`name(args)` from libm, element by element for vectors; f16 (and f32 with `via_f64`) through a
    wider type, which makes the f32 result correctly rounded in all but rare cases."""
    t = args[0].type
    if isinstance(t, VectorType):
        result = undef(t, ops)
        for i in range(t.get_shape()[0]):
            elems = [extract_element(a, i, ops) for a in args]
            result = insert_element(result, _libm_call(name, elems, prefix, via_f64, op, ops), i, ops)
        return result
    wide_type = f64 if via_f64 else f32
    if isinstance(t, Float16Type) or (via_f64 and t == f32):
        wide = [llvm.FPExtOp(a, wide_type) for a in args]
        ops += wide
        r = _libm_call(name, [w.result for w in wide], prefix, via_f64, op, ops)
        return fptrunc(r, t, ops)
    symbol = prefix + name + ("" if isinstance(t, Float64Type) else "f")
    declare_function(module_of(op), symbol, [t] * len(args), t)
    call = llvm.CallOp(symbol, *args, return_type=t)
    ops.append(call)
    assert call.returned is not None
    return call.returned


def _const_like(value: int | float, t: Attribute, ops: list[Operation]) -> SSAValue:
    e = element_type(t)
    attr = FloatAttr(float(value), e) if isinstance(e, AnyFloat) else IntegerAttr(int(value), e)
    c = llvm.ConstantOp(attr, e)
    ops.append(c)
    return splat(c.result, t, ops) if isinstance(t, VectorType) else c.result


def _ipowi(base: SSAValue, exp: SSAValue, ops: list[Operation]) -> SSAValue:
    """base ** exp on integers: square-and-multiply over every exponent bit; negative exponents
    give 1 / base**-exp truncated (1 for base 1, +-1 for base -1, 0 otherwise, as MLIR defines)."""
    t = base.type
    width = element_type(t).width.data  # type: ignore[union-attr]
    zero, one = _const_like(0, t, ops), _const_like(1, t, ops)
    acc, b, e = one, base, exp
    for _ in range(width):
        bit = icmp("ne", binop(llvm.AndOp, e, one, ops), zero, ops)
        acc = select(bit, binop(llvm.MulOp, acc, b, ops), acc, ops)
        b = binop(llvm.MulOp, b, b, ops)
        e = binop(llvm.LShrOp, e, one, ops)
    negative = icmp("slt", exp, zero, ops)
    minus_one = _const_like(-1, t, ops)
    odd = icmp("ne", binop(llvm.AndOp, exp, one, ops), zero, ops)
    neg_result = select(
        icmp("eq", base, one, ops),
        one,
        select(icmp("eq", base, minus_one, ops), select(odd, minus_one, one, ops), zero, ops),
        ops,
    )
    return select(negative, neg_result, acc, ops)


@dataclass
class MathLowering(RewritePattern):
    """Every `math` op: an intrinsic, a libm call or a short expansion."""

    libm_prefix: str = ""
    libm_for_all: bool = False
    f32_via_f64: bool = True

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if op.dialect_name() != "math":
            return
        ops: list[Operation] = []
        args = [to_llvm(a, ops) for a in op.operands]
        t = args[0].type if args else None
        result = self._lower(op, args, t, ops)
        rewriter.replace(op, ops, [from_llvm(result, op.results[0].type, ops)])

    def _lower(
        self, op: Operation, args: list[SSAValue], t: Attribute | None, ops: list[Operation]
    ) -> SSAValue:
        assert t is not None
        kind = type(op)
        if isinstance(op, math.FmaOp) and isinstance(element_type(t), Float16Type):
            return _fma_f16(args, t, ops)
        if kind in _INTRINSICS:
            intrinsic, libm = _INTRINSICS[kind]
            if libm is not None and self.libm_for_all and libm != "sqrt":
                return _libm_call(libm, args, self.libm_prefix, self.f32_via_f64, op, ops)
            result = call_intrinsic(f"{intrinsic}.{intrinsic_suffix(t)}", args, t, ops)
            assert result is not None
            return result
        if kind in _LIBM:
            return _libm_call(_LIBM[kind], args, self.libm_prefix, self.f32_via_f64, op, ops)
        if isinstance(op, math.RsqrtOp):
            root = call_intrinsic(f"llvm.sqrt.{intrinsic_suffix(t)}", args, t, ops)
            assert root is not None
            return binop(llvm.FDivOp, _const_like(1.0, t, ops), root, ops)
        if isinstance(op, math.AbsIOp | math.CountLeadingZerosOp | math.CountTrailingZerosOp):
            name = {math.AbsIOp: "llvm.abs", math.CountLeadingZerosOp: "llvm.ctlz"}.get(kind, "llvm.cttz")
            # The i1 flag: false = defined for INT_MIN (abs) and for zero (ctlz/cttz give the width).
            flag = llvm.ConstantOp(IntegerAttr(0, i1), i1)
            ops.append(flag)
            result = call_intrinsic(f"{name}.{intrinsic_suffix(t)}", [args[0], flag.result], t, ops)
            assert result is not None
            return result
        if isinstance(op, math.FPowIOp):
            # pow(x, float(n)): exact for the integer exponent, and no `llvm.powi`, whose x86
            # lowering calls compiler-rt's __powisf2 (absent from a JIT process).
            exp = llvm.SIToFPOp(args[1], t)
            ops.append(exp)
            r = call_intrinsic(f"llvm.pow.{intrinsic_suffix(t)}", [args[0], exp.result], t, ops)
            assert r is not None
            return r
        if isinstance(op, math.IPowIOp):
            if not isinstance(element_type(t), IntegerType):
                raise LoweringError("math.ipowi needs integers")
            return _ipowi(args[0], args[1], ops)
        raise LoweringError(f"convert-math-to-llvm: {op.name} is not supported")


@dataclass(frozen=True)
class ConvertMathToLLVMPass(ModulePass):
    """Lower `math` ops to LLVM intrinsics and libm calls."""

    name = "convert-math-to-llvm"

    libm_prefix: str = ""
    """Prefix of libm function names (`__nv_` for libdevice)."""
    libm_for_all: bool = False
    """Call libm (with the prefix) also where an LLVM intrinsic exists (targets without them)."""
    f32_via_f64: bool = True
    """Compute f32 libm functions with the f64 ones (accurate to 0.5 ulp; slower on GPUs)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        pattern = MathLowering(self.libm_prefix, self.libm_for_all, self.f32_via_f64)
        PatternRewriteWalker(pattern, apply_recursively=False).rewrite_module(op)
