"""The conformance tables: scalar types, their operators with numpy references, conversions, math.

Each table row is (name, kernel expression, reference). One kernel per type holds every row (a kernel
compiles once and serves many inputs: compile time dominates the suite), writing row k of input i to
`out[i * ROWS + k]`. References follow docs/language.md and `khal-expand-arith`: integers wrap; `//`
and `%` floor like Python; a zero divisor divides by 1 (`x // 0 == x`, `x % 0 == 0`) and
`MIN // -1 == MIN`; shift amounts are taken modulo the bit width; float -> int truncates and
saturates, NaN -> 0; min/max propagate NaN like numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

Ref = Callable[..., np.ndarray]

INT_TYPES = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"]
FLOAT_TYPES = ["f16", "f32", "f64"]
SCALAR_TYPES = [*INT_TYPES, *FLOAT_TYPES, "bool_"]
DTYPES: dict[str, np.dtype[Any]] = {
    **{t: np.dtype(("int" if t[0] == "i" else "uint") + t[1:]) for t in INT_TYPES},
    "f16": np.dtype(np.float16),
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
    "bool_": np.dtype(np.bool_),
}


def wrap(x: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    """Python ints (an object array) wrapped to `dtype`'s range, as two's complement hardware does."""
    info = np.iinfo(dtype)
    span = 1 << (8 * dtype.itemsize)
    return np.array([(int(v) - int(info.min)) % span + int(info.min) for v in x], dtype)


def _int_binary(f: Callable[[Any, Any, np.dtype[Any]], Any]) -> Ref:
    def ref(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return wrap(f(a.astype(object), b.astype(object), a.dtype), a.dtype)

    return ref


def _safe(b: Any) -> Any:
    return np.where(b == 0, 1, b)  # khal-expand-arith: a zero divisor divides by 1


def _bits(dt: np.dtype[Any]) -> int:
    return 8 * dt.itemsize


# name -> (expression over x and y, reference over numpy arrays a and b)
INT_OPS: dict[str, tuple[str, Ref]] = {
    "add": ("x + y", _int_binary(lambda a, b, dt: a + b)),
    "sub": ("x - y", _int_binary(lambda a, b, dt: a - b)),
    "mul": ("x * y", _int_binary(lambda a, b, dt: a * b)),
    "floordiv": ("x // y", _int_binary(lambda a, b, dt: a // _safe(b))),
    "mod": ("x % y", _int_binary(lambda a, b, dt: a % _safe(b))),
    "and": ("x & y", _int_binary(lambda a, b, dt: a & b)),
    "or": ("x | y", _int_binary(lambda a, b, dt: a | b)),
    "xor": ("x ^ y", _int_binary(lambda a, b, dt: a ^ b)),
    "shl": ("x << y", _int_binary(lambda a, b, dt: a << (b & (_bits(dt) - 1)))),
    "shr": ("x >> y", _int_binary(lambda a, b, dt: a >> (b & (_bits(dt) - 1)))),
    "min": ("min(x, y)", _int_binary(lambda a, b, dt: np.where(a < b, a, b))),
    "max": ("max(x, y)", _int_binary(lambda a, b, dt: np.where(a > b, a, b))),
    "neg": ("-x", _int_binary(lambda a, b, dt: -a)),
    "invert": ("~x", _int_binary(lambda a, b, dt: ~a)),
    "abs": ("abs(x)", _int_binary(lambda a, b, dt: abs(a))),
    # abs(MIN) used after, not only stored: ptxas kept an i16's IABS result of +32768 in its 32-bit
    # register and folded min(abs(x), 0) to 0 (khal/targets/ptx.py `spell_abs`)
    "abs_shr": ("abs(x) >> 1", _int_binary(lambda a, b, dt: wrap(abs(a), dt).astype(object) >> 1)),
    "abs_min0": ("min(abs(x), x - x)", _int_binary(lambda a, b, dt: np.minimum(wrap(abs(a), dt), 0))),
}

# name -> (expression, numpy reference in the type itself, ulp bound on every backend)
FLOAT_OPS: dict[str, tuple[str, Ref, float]] = {
    "add": ("x + y", np.add, 0),
    "sub": ("x - y", np.subtract, 0),
    "mul": ("x * y", np.multiply, 0),
    "div": ("x / y", np.divide, 0),
    # numpy's fmod-based npy_divmod (Python's float_divmod), edges included
    "floordiv": ("x // y", np.floor_divide, 0),
    "mod": ("x % y", np.remainder, 0),
    "min": ("min(x, y)", np.minimum, 0),
    "max": ("max(x, y)", np.maximum, 0),
    "neg": ("-x", lambda a, b: -a, 0),
    "abs": ("abs(x)", lambda a, b: np.abs(a), 0),
}

# Rows whose zero's sign is unspecified: min/max of -0.0 and 0.0 may give either (IEEE 754-2019
# minimum/maximum order -0.0 < 0.0, numpy returns the second operand, GPUs differ); sign(-0.0) is
# -0.0 on the CPU (copysign), 0.0 in numpy.
ZERO_SIGN_FREE = {"min", "max", "sign"}

BOOL_OPS: dict[str, tuple[str, Ref]] = {
    "and": ("x and y", np.logical_and),
    "or": ("x or y", np.logical_or),
    "not": ("not x", lambda a, b: ~a),
    "xor": ("x ^ y", np.logical_xor),
    "eq": ("x == y", np.equal),
    "ne": ("x != y", np.not_equal),
}

COMPARISONS: dict[str, tuple[str, Ref]] = {
    "lt": ("x < y", np.less),
    "le": ("x <= y", np.less_equal),
    "gt": ("x > y", np.greater),
    "ge": ("x >= y", np.greater_equal),
    "eq": ("x == y", np.equal),
    "ne": ("x != y", np.not_equal),
}


def ops_of(t: str) -> list[tuple[str, str, Ref, float]]:
    """The rows of type `t`'s operator kernel: (name, expression, reference, ulp bound)."""
    if t == "bool_":
        return [(n, e, r, 0) for n, (e, r) in BOOL_OPS.items()]
    if t in FLOAT_TYPES:
        return [(n, e, r, u) for n, (e, r, u) in FLOAT_OPS.items()]
    return [(n, e, r, 0) for n, (e, r) in INT_OPS.items()]


def comparisons_of(t: str) -> list[tuple[str, str, Ref]]:
    """The comparison rows of type `t` (bool compares by == and != only, in its operator kernel)."""
    return [] if t == "bool_" else [(n, e, r) for n, (e, r) in COMPARISONS.items()]


def ops_kernel_source(t: str) -> str:
    """One kernel applying every operator row of `t` (and every comparison) to a[i], b[i]."""
    rows, cmps = ops_of(t), comparisons_of(t)
    lines = [
        "@khal.kernel",
        f"def ops_{t.rstrip('_')}(a: Array[{t}], b: Array[{t}], out: Array[{t}], cmp: Array[bool_]):",
        "    i = ks.global_invocation_id().x",
        "    if i < len(a):",
        "        x = a[i]",
        "        y = b[i]",
    ]
    lines += [f"        out[i * {len(rows)} + {k}] = {e}" for k, (_, e, _, _) in enumerate(rows)]
    lines += [f"        cmp[i * {max(len(cmps), 1)} + {k}] = {e}" for k, (_, e, _) in enumerate(cmps)]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ inputs


def int_edges(dt: np.dtype[Any]) -> np.ndarray:
    """The values where integer arithmetic goes wrong first."""
    info = np.iinfo(dt)
    w = _bits(dt)
    vals = {
        int(info.min),
        int(info.min) + 1,
        int(info.max),
        int(info.max) - 1,
        0,
        1,
        2,
        3,
        7,
        w - 1,
        w,
        w + 1,
    }
    if info.min < 0:
        vals |= {-1, -2, -3, -7, -w}
    return np.array(sorted(v for v in vals if info.min <= v <= info.max), dt)


FLOAT_SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -2.5, 3.0, 7.0, -7.0]


def float_edges(dt: np.dtype[Any]) -> np.ndarray:
    """Zeros, infinities, NaN, small integers, the largest and smallest normals, denormals."""
    fi = np.finfo(dt)
    extra = [fi.max, -fi.max, fi.tiny, -fi.tiny, fi.smallest_subnormal, -fi.smallest_subnormal]
    return np.array(FLOAT_SPECIALS + extra, dt)


def random_values(rng: np.random.Generator, dt: np.dtype[Any], n: int) -> np.ndarray:
    """`n` values of `dt` spread over its range: full-range integers and small ones; floats of every
    magnitude (random exponents) and small ones."""
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        wide = rng.integers(int(info.min), int(info.max), n, dtype=dt, endpoint=True)
        small = rng.integers(max(int(info.min), -40), 40, n, dtype=dt, endpoint=True)
        return np.where(rng.random(n) < 0.5, wide, small)
    fi = np.finfo(dt)
    exp = rng.uniform(np.log2(float(fi.tiny)), np.log2(float(fi.max)) - 1, n)
    wide = np.sign(rng.standard_normal(n)) * rng.uniform(1, 2, n) * np.exp2(exp)
    small = np.round(rng.uniform(-20, 20, n), int(rng.integers(0, 3)))
    return np.where(rng.random(n) < 0.5, wide, small).astype(dt)


def operand_pairs(rng: np.random.Generator, dt: np.dtype[Any], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of edge values, then `n` random pairs."""
    edges = (
        int_edges(dt) if dt.kind in "iu" else float_edges(dt) if dt.kind == "f" else np.array([0, 1], bool)
    )
    ea, eb = np.meshgrid(edges, edges)
    a = np.concatenate([ea.ravel(), random_values(rng, dt, n)])
    b = np.concatenate([eb.ravel(), random_values(rng, dt, n)])
    return a, b


# ------------------------------------------------------------------------------------- conversions


def convert_kernel_source(s: str) -> str:
    """One kernel converting a[i] of type `s` to every scalar type, one output array per type."""
    params = ", ".join(f"o_{t.rstrip('_')}: Array[{t}]" for t in SCALAR_TYPES)
    lines = [
        "@khal.kernel",
        f"def convert_{s.rstrip('_')}(a: Array[{s}], {params}):",
        "    i = ks.global_invocation_id().x",
        "    if i < len(a):",
        "        x = a[i]",
    ]
    lines += [f"        o_{t.rstrip('_')}[i] = {t}(x)" for t in SCALAR_TYPES]
    return "\n".join(lines) + "\n"


def convert_reference(a: np.ndarray, dt: np.dtype[Any]) -> np.ndarray:
    """`dt(x)` for each x of `a`, as khal defines it: integers wrap (negative -> unsigned keeps the
    bits), floats round to nearest even, float -> int truncates and saturates with NaN -> 0, anything
    -> bool is `!= 0` (NaN is true)."""
    if dt.kind == "b":
        return a != 0
    if a.dtype.kind == "f" and dt.kind in "iu":
        info = np.iinfo(dt)

        def one(v: float) -> int:
            return 0 if np.isnan(v) else int(min(max(np.trunc(v), float(info.min)), float(info.max)))

        return np.array([min(max(one(float(v)), int(info.min)), int(info.max)) for v in a], dt)
    with np.errstate(all="ignore"):
        return a.astype(dt)


def convert_inputs(rng: np.random.Generator, dt: np.dtype[Any], n: int) -> np.ndarray:
    """Edge values of `dt` and, for floats, the integer types' limits and the points around them."""
    if dt.kind == "b":
        return np.array([False, True] * 4 + list(random_values(rng, dt, n)), bool)
    if dt.kind in "iu":
        edges = {int(v) for t in INT_TYPES for v in int_edges(DTYPES[t])}
        info = np.iinfo(dt)
        fits = [v for v in edges if info.min <= v <= info.max] + [65504, 65520, 2**24 + 1, 2**53 + 1]
        fits = [v for v in fits if info.min <= v <= info.max]
        return np.concatenate([np.array(fits, dt), random_values(rng, dt, n)])
    limits = [float(2**k) for k in (7, 8, 15, 16, 31, 32, 63, 64)]
    near = [s * (v + d) for v in limits for d in (-1.0, -0.5, 0.0, 0.5, 1.0) for s in (1, -1)]
    near += [-0.5, -0.7, -1.5, 0.7, 1.5, 2.5, 65519.0, 65520.0, 1e-8, 1e300]
    fi = np.finfo(dt)
    with np.errstate(all="ignore"):
        vals = np.array(near, np.float64).astype(dt)
    vals = vals[np.isfinite(vals) & (np.abs(vals.astype(np.float64)) <= float(fi.max))]
    return np.concatenate([float_edges(dt), vals, random_values(rng, dt, n)])


# -------------------------------------------------------------------------------------------- math

_F64 = np.float64

# name -> (expression over x, y, z; float64 reference over float64 arrays; random-input range of x)
MATH: dict[str, tuple[str, Ref, tuple[float, float]]] = {
    "sqrt": ("ks.sqrt(x)", lambda x, y, z: np.sqrt(x), (0, 1e4)),
    "rsqrt": ("ks.rsqrt(x)", lambda x, y, z: 1 / np.sqrt(x), (0, 1e4)),
    "exp": ("ks.exp(x)", lambda x, y, z: np.exp(x), (-10, 10)),
    "exp2": ("ks.exp2(x)", lambda x, y, z: np.exp2(x), (-14, 15)),
    "log": ("ks.log(x)", lambda x, y, z: np.log(x), (0, 1e4)),
    "log2": ("ks.log2(x)", lambda x, y, z: np.log2(x), (0, 1e4)),
    "sin": ("ks.sin(x)", lambda x, y, z: np.sin(x), (-10, 10)),
    "cos": ("ks.cos(x)", lambda x, y, z: np.cos(x), (-10, 10)),
    "tan": ("ks.tan(x)", lambda x, y, z: np.tan(x), (-1.5, 1.5)),
    "tanh": ("ks.tanh(x)", lambda x, y, z: np.tanh(x), (-5, 5)),
    "asin": ("ks.asin(x)", lambda x, y, z: np.arcsin(x), (-1, 1)),
    "acos": ("ks.acos(x)", lambda x, y, z: np.arccos(x), (-1, 1)),
    "atan": ("ks.atan(x)", lambda x, y, z: np.arctan(x), (-100, 100)),
    "atan2": ("ks.atan2(x, y)", lambda x, y, z: np.arctan2(x, y), (-100, 100)),
    "pow": ("ks.pow(abs(x), y)", lambda x, y, z: np.power(np.abs(x), y), (0, 8)),
    "abs": ("ks.abs(x)", lambda x, y, z: np.abs(x), (-100, 100)),
    "sign": ("ks.sign(x)", lambda x, y, z: np.sign(x), (-100, 100)),
    "floor": ("ks.floor(x)", lambda x, y, z: np.floor(x), (-100, 100)),
    "ceil": ("ks.ceil(x)", lambda x, y, z: np.ceil(x), (-100, 100)),
    "round": ("ks.round(x)", lambda x, y, z: np.round(x), (-100, 100)),
    "trunc": ("ks.trunc(x)", lambda x, y, z: np.trunc(x), (-100, 100)),
    "fract": ("ks.fract(x)", lambda x, y, z: x - np.floor(x), (-100, 100)),
    "min": ("ks.min(x, y)", lambda x, y, z: np.minimum(x, y), (-100, 100)),
    "max": ("ks.max(x, y)", lambda x, y, z: np.maximum(x, y), (-100, 100)),
    "fma": ("ks.fma(x, y, z)", lambda x, y, z: exact_fma(x, y, z), (-100, 100)),
    "step": ("ks.step(x, y)", lambda x, y, z: np.where(y < x, 0.0, 1.0), (-100, 100)),
    "select": ("ks.select(x < y, y, z)", lambda x, y, z: np.where(x < y, y, z), (-100, 100)),
}


def exact_fma(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """x * y + z rounded once to float64 (exact rationals where finite; numpy has no fma)."""
    with np.errstate(all="ignore"):
        out = x * y + z
    for i in np.nonzero(np.isfinite(out))[0]:
        exact = Fraction(float(x[i])) * Fraction(float(y[i])) + Fraction(float(z[i]))
        if exact:  # an exact zero keeps the sign IEEE gives it, as computed above
            out[i] = float(exact)
    return out


# Functions whose result is exact (0 ulp: one rounding of the exact value, or no rounding at all);
EXACT_MATH = {
    "fma",
    "sqrt",
    "abs",
    "sign",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fract",
    "min",
    "max",
    "step",
    "select",
}
# The stated bound of every other function, per type (the CPU's libm/LLVM; a GPU may need more:
# docs/semantics.md lists what each backend gets).
MATH_ULP = {"f16": 1, "f32": 2, "f64": 2}


def math_ulp(name: str, t: str) -> int:
    """The ulp bound of `name` on type `t`."""
    return 0 if name in EXACT_MATH else MATH_ULP[t]


def math_kernel_source(t: str) -> str:
    """One kernel computing every MATH row of type `t` for x = a[i], y = b[i], z = c[i]."""
    lines = [
        "@khal.kernel",
        f"def math_{t}(a: Array[{t}], b: Array[{t}], c: Array[{t}], out: Array[{t}], cls: Array[u32]):",
        "    i = ks.global_invocation_id().x",
        "    if i < len(a):",
        "        x = a[i]",
        "        y = b[i]",
        "        z = c[i]",
        "        cls[i] = u32(ks.isnan(x)) + u32(ks.isinf(x)) * 2",
    ]
    lines += [f"        out[i * {len(MATH)} + {k}] = {e}" for k, (e, _, _) in enumerate(MATH.values())]
    return "\n".join(lines) + "\n"


def math_inputs(rng: np.random.Generator, dt: np.dtype[Any], n: int) -> tuple[np.ndarray, ...]:
    """x: the special values (against every special y), then uniform values over [-100, 100] and over
    each function's own domain; y and z: specials, then random."""
    edges = float_edges(dt)
    ex, ey = np.meshgrid(edges, edges)
    ranges = sorted({r for _, _, r in MATH.values()})
    fi = np.finfo(dt)
    rand_x = np.concatenate([rng.uniform(lo, min(hi, float(fi.max)), n) for lo, hi in ranges]).astype(dt)
    m = len(rand_x)
    x = np.concatenate([ex.ravel(), rand_x])
    y = np.concatenate([ey.ravel(), rng.uniform(-8, 8, m).astype(dt)])
    z = np.concatenate([np.resize(edges[::-1], ex.size), rng.uniform(-100, 100, m).astype(dt)])
    return x, y, z


# mpmath's functions for the float64 references: numpy's own float64 transcendental functions may be a
# few ulp off (SVML on AVX-512 CPUs: np.tanh(0.548...) 3 ulp, seen on the lent GPU host), more than
# the bound being tested.
_MPMATH: dict[str, Callable[..., Any]] = {
    "rsqrt": lambda m, x, y: 1 / m.sqrt(x),
    "exp": lambda m, x, y: m.exp(x),
    "exp2": lambda m, x, y: m.power(2, x),
    "log": lambda m, x, y: m.log(x),
    "log2": lambda m, x, y: m.log(x, 2),
    "sin": lambda m, x, y: m.sin(x),
    "cos": lambda m, x, y: m.cos(x),
    "tan": lambda m, x, y: m.tan(x),
    "tanh": lambda m, x, y: m.tanh(x),
    "asin": lambda m, x, y: m.asin(x),
    "acos": lambda m, x, y: m.acos(x),
    "atan": lambda m, x, y: m.atan(x),
    "atan2": lambda m, x, y: m.atan2(x, y),
    "pow": lambda m, x, y: m.power(abs(x), y),
}


def math_reference(name: str, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """MATH[name]'s float64 reference at float64 inputs. Where numpy's result is finite and nonzero
    (special values stay numpy's, which follow IEEE) the transcendental functions are recomputed with
    mpmath at 96 bits and rounded once, when mpmath is installed."""
    with np.errstate(all="ignore"):
        want = MATH[name][1](x, y, z)
    try:
        import mpmath
    except ImportError:
        return want
    f = _MPMATH.get(name)
    if f is None:
        return want
    out = want.copy()
    with mpmath.workprec(96):
        # mpmath has no signed zero: zero operands keep numpy's (IEEE's) result
        ok = np.isfinite(want) & (want != 0) & np.isfinite(x) & np.isfinite(y) & (x != 0)
        if name in ("atan2", "pow"):
            ok &= y != 0
        for i in np.nonzero(ok)[0]:
            out[i] = float(f(mpmath, mpmath.mpf(float(x[i])), mpmath.mpf(float(y[i]))))
    return out
