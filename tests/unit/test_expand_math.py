"""`khal-expand-math`: khal's f32 math library for targets without one (SPIR-V).

Three levels: the algorithms run on numpy float32 (`NumpyEmitter`: IEEE ops, one rounding each)
against float64 references over random values, random bit patterns, subnormals and special values;
the pass's IR through the CPU's LLVM lowering gives bit for bit the numpy run's results (scalars and
vectors); the pass leaves nothing that SPIR-V approximates. `benchmarks/math_accuracy.py` runs the
same comparison on millions of inputs (and on WebGPU) and prints the max ulp table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from llvm_harness import LOWERING, call, jit, lower
from math_emulation import SPECIALS, NumpyEmitter, exact_fma, random_floats, ulp_distance

from khal.passes import expand_math as em

F = np.float32
E = NumpyEmitter()
N = 1 << 16


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """Fresh random inputs each run (tests/runtime's fixture); the seed is printed for a failure."""
    seed = int(np.random.SeedSequence().entropy) % 2**63  # type: ignore[arg-type]
    print(f"rng seed for {request.node.nodeid}: {seed}")
    return np.random.default_rng(seed)


# name -> (float64 reference, uniform domain, max ulp allowed)
UNARY: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float, float, int]] = {
    "sin": (np.sin, -100, 100, 1),
    "cos": (np.cos, -100, 100, 1),
    "tan": (np.tan, -10, 10, 1),
    "exp": (np.exp, -104, 89, 1),
    "exp2": (np.exp2, -150, 128, 1),
    "log": (np.log, 0, 100, 1),
    "log2": (np.log2, 0, 100, 1),
    "tanh": (np.tanh, -10, 10, 1),
    "asin": (np.arcsin, -1, 1, 1),
    "acos": (np.arccos, -1, 1, 1),
    "atan": (np.arctan, -5, 5, 1),
    "rsqrt": (lambda x: 1 / np.sqrt(x), 0, 100, 1),
}


def reference(fn: Callable[..., np.ndarray], *args: np.ndarray) -> np.ndarray:
    """fn in float64, rounded to float32: the correctly rounded result but for rare double roundings."""
    with np.errstate(all="ignore"):
        return fn(*(a.astype(np.float64) for a in args)).astype(F)


def run(name: str, *args: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(getattr(em, name)(E, *args), F)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_accuracy(rng: np.random.Generator, name: str) -> None:
    fn, lo, hi, limit = UNARY[name]
    x = random_floats(rng, N, lo, hi)
    d = ulp_distance(run(name, x), reference(fn, x))
    worst = int(np.argmax(d))
    assert d.max() <= limit, f"{name}({x[worst]!r}): {d.max()} ulp"


@pytest.mark.parametrize("name", ["sin", "tan", "atan", "asin", "tanh"])
def test_odd_functions_keep_signed_zeros_and_subnormals(name: str) -> None:
    x = np.array([0.0, -0.0, 1e-40, -1e-40, 1.4e-45, -1.4e-45], F)
    got = run(name, x)
    np.testing.assert_array_equal(got.view(np.int32), x.view(np.int32))


def test_special_values() -> None:
    inf, nan = np.inf, np.nan
    cases = {
        "sin": ([inf, -inf, nan], [nan, nan, nan]),
        "cos": ([0.0, inf, nan], [1.0, nan, nan]),
        "exp": ([-inf, inf, 0.0, 89.0, -104.0], [0.0, inf, 1.0, inf, 0.0]),
        "exp2": ([3.0, -149.0, 128.0, -inf], [8.0, 2.0**-149, inf, 0.0]),
        "log": ([0.0, -0.0, -1.0, inf, 1.0, nan], [-inf, -inf, nan, inf, 0.0, nan]),
        "log2": ([8.0, 2.0**-149, 0.0, -inf], [3.0, -149.0, -inf, nan]),
        "tanh": ([inf, -inf, 20.0], [1.0, -1.0, 1.0]),
        "asin": ([1.0, -1.0, 1.5, nan], [np.pi / 2, -np.pi / 2, nan, nan]),
        "acos": ([1.0, -1.0, -1.5], [0.0, np.pi, nan]),
        "atan": ([inf, -inf], [np.pi / 2, -np.pi / 2]),
        "rsqrt": ([0.0, -0.0, inf, -1.0], [inf, -inf, 0.0, nan]),
    }
    for name, (x, want) in cases.items():
        got = run(name, np.array(x, F))
        assert ulp_distance(got, np.array(want, F)).max() <= 1, (name, x, got)


def test_sin_cos_large_arguments_reduce_exactly(rng: np.random.Generator) -> None:
    # every binade up to FLT_MAX, and the hardest case for f32 (16367173 * 2^72, Kahan/McDonald)
    x = (rng.uniform(1, 2, 1 << 16) * 2.0 ** rng.integers(0, 128, 1 << 16)).astype(F)
    x = np.concatenate([x, -x, np.array([16367173 * 2.0**72, 3.4028235e38], F)])
    for name, fn in (("sin", np.sin), ("cos", np.cos), ("tan", np.tan)):
        assert ulp_distance(run(name, x), reference(fn, x)).max() <= 1, name


def test_atan2_quadrants_and_signed_zeros(rng: np.random.Generator) -> None:
    y, x = (a.ravel() for a in np.meshgrid(SPECIALS, SPECIALS))
    r = random_floats(rng, N, -100, 100)
    y, x = np.concatenate([y, r]), np.concatenate([x, rng.permutation(r)])
    got, want = run("atan2", y, x), reference(np.arctan2, y, x)
    assert ulp_distance(got, want).max() <= 1
    zero = want == 0
    np.testing.assert_array_equal(np.signbit(got[zero]), np.signbit(want[zero]))


def test_pow_accuracy_and_c99_special_cases(rng: np.random.Generator) -> None:
    r = random_floats(rng, N, -3, 3)
    x = np.concatenate([rng.uniform(0, 100, N), rng.uniform(0, 2, N), r]).astype(F)
    y = np.concatenate([rng.uniform(-10, 10, N), rng.uniform(-100, 100, N), rng.permutation(r)]).astype(F)
    assert ulp_distance(run("powf", x, y), reference(np.power, x, y)).max() <= 1
    s = np.concatenate([SPECIALS, np.array([2.0, -2.0, 3.0, -3.0, 2.0**24 + 2, -(2.0**24) - 2], F)])
    y, x = (a.ravel() for a in np.meshgrid(s, s))
    got, want = run("powf", x, y), reference(np.power, x, y)
    assert ulp_distance(got, want).max() <= 1
    zero = want == 0
    np.testing.assert_array_equal(np.signbit(got[zero]), np.signbit(want[zero]))


def test_fma_is_exact(rng: np.random.Generator) -> None:
    wide = lambda: (rng.uniform(-1, 1, N) * 2.0 ** rng.integers(-80, 80, N)).astype(F)  # noqa: E731
    a, b, c = (
        np.concatenate([rng.uniform(-10, 10, N).astype(F), wide(), random_floats(rng, N, -1, 1)[:N]])
        for _ in range(3)
    )
    assert len(a) == len(b) == len(c) == 3 * N
    c[:N] = -(a[:N] * b[:N])  # the product's rounding error is the whole result
    got, want = run("fma", a, b, c), exact_fma(a, b, c)
    d = ulp_distance(got, want)
    # in the top subnormal binade a tie can be rounded the wrong way (see `fma`); nowhere else
    top_subnormal = (np.abs(want) >= 2.0**-127) & (np.abs(want) < 2.0**-126)
    assert d[~top_subnormal].max() == 0
    assert d.max() <= 1


def test_fma_special_values() -> None:
    big, inf, nan = 3e38, np.inf, np.nan
    a = np.array([big, inf, 0.0, 2.0, nan, 1.0, -0.0, 0.0], F)
    b = np.array([big, 0.0, inf, 3.0, 1.0, 1.0, 1.0, 1.0], F)
    c = np.array([-inf, 1.0, 1.0, inf, 1.0, -1.0, 0.0, -0.0], F)
    want = exact_fma(a, b, c)
    got = run("fma", a, b, c)
    assert ulp_distance(got, want).max() == 0, got
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def test_fma_of_halves_rounds_once_to_f16(rng: np.random.Generator) -> None:
    """f16 fma through f32 (the pass's f16 route): bit for bit the correctly rounded f16 result."""
    halves = lambda: rng.integers(0, 1 << 16, 1 << 18, dtype=np.uint16).view(np.float16)  # noqa: E731
    a, b, c = halves(), halves(), halves()
    with np.errstate(all="ignore"):
        c[::4] = -(a[::4].astype(F) * b[::4]).astype(np.float16)  # cancellation: the tail decides
        got = np.asarray(em.fma_of_halves(E, a.astype(F), b.astype(F), c.astype(F)), F).astype(np.float16)
        # an f16 product and sum are exact in f64 (22 + 40 bits of range < 53): one rounding to f16
        want = (a.astype(np.float64) * b + c).astype(np.float16)
    same = (got.view(np.uint16) == want.view(np.uint16)) | (np.isnan(got) & np.isnan(want))
    assert same.all(), (a[~same][:4], b[~same][:4], c[~same][:4], got[~same][:4], want[~same][:4])


@pytest.mark.parametrize(
    ("is_min", "ieee", "num"), [(True, np.minimum, np.fmin), (False, np.maximum, np.fmax)]
)
def test_min_max_propagate_nan_and_order_zeros(is_min: bool, ieee: Callable, num: Callable) -> None:
    y, x = (a.ravel() for a in np.meshgrid(SPECIALS, SPECIALS))
    with np.errstate(all="ignore"):  # the a + b that gives NaN overflows on infinities
        got = np.asarray(em.minimum(E, x, y, is_min), F)
        got_num = np.asarray(em.minnum(E, x, y, is_min), F)
    assert ulp_distance(got, ieee(x, y)).max() == 0
    assert ulp_distance(got_num, num(x, y)).max() == 0
    zeros = np.array([0.0, -0.0], F)
    z = np.asarray(em.minimum(E, zeros, zeros[::-1], is_min), F)
    assert list(np.signbit(z)) == [is_min, is_min]  # IEEE 754-2019: -0 < +0


# ----------------------------------------------------------------------------- through LLVM

OPS = {
    "sin": ("math.sin", 1),
    "cos": ("math.cos", 1),
    "tan": ("math.tan", 1),
    "exp": ("math.exp", 1),
    "exp2": ("math.exp2", 1),
    "log": ("math.log", 1),
    "log2": ("math.log2", 1),
    "tanh": ("math.tanh", 1),
    "asin": ("math.asin", 1),
    "acos": ("math.acos", 1),
    "atan": ("math.atan", 1),
    "rsqrt": ("math.rsqrt", 1),
    "atan2": ("math.atan2", 2),
    "powf": ("math.powf", 2),
    "fma": ("math.fma", 3),
}


def kernel(op: str, arity: int, t: str) -> str:
    """`@k(a, [b, c,] out)`: out[i] = op(a[i], ...) over arrays of `t`."""
    names = "abc"[:arity]
    params = ", ".join(f"%{n}: !khal.array<{t}>" for n in names)
    loads = "\n".join(f"      %{n}v = khal.load %{n}[%i] : !khal.array<{t}>, i32 -> {t}" for n in names)
    args = ", ".join(f"%{n}v" for n in names)
    return f"""
builtin.module {{
  func.func @k({params}, %o: !khal.array<{t}>) {{
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %n = khal.len %o : !khal.array<{t}>
    scf.for %i = %c0 to %n step %c1 : i32 {{
{loads}
      %r = {op} {args} : {t}
      khal.store %r, %o[%i] : {t}, !khal.array<{t}>, i32
    }}
    func.return
  }}
}}
"""


@pytest.mark.parametrize("vector", [False, True], ids=["f32", "vector"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_llvm_lowering_matches_the_numpy_run_bit_for_bit(
    rng: np.random.Generator, name: str, vector: bool
) -> None:
    op, arity = OPS[name]
    n = 4096
    args = [random_floats(rng, n, -10, 10)[: 4 * n] for _ in range(arity)]
    m = min(len(a) for a in args) // 4 * 4
    args = [a[:m] for a in args]
    want = run(name, *args)
    t = "vector<4xf32>" if vector else "f32"
    shape = (m // 4, 4) if vector else (m,)
    out = np.zeros(shape, F)
    engine = jit(kernel(op, arity, t), passes=("khal-expand-math", *LOWERING))
    call(engine, "k", *(a.reshape(shape) for a in args), out)
    got = out.reshape(-1)
    same = (got.view(np.int32) == want.view(np.int32)) | (np.isnan(got) & np.isnan(want))
    assert same.all(), f"{name}: {np.count_nonzero(~same)} differ, e.g. {args[0][~same][:3]}"


def test_min_max_through_llvm_match_llvm_minimum() -> None:
    y, x = (a.ravel().copy() for a in np.meshgrid(SPECIALS, SPECIALS))
    for op, ref in (("arith.minimumf", np.minimum), ("arith.maximumf", np.maximum)):
        out = np.zeros_like(x)
        call(jit(kernel(op, 2, "f32"), passes=("khal-expand-math", *LOWERING)), "k", x, y, out)
        assert ulp_distance(out, ref(x, y)).max() == 0, op


# ----------------------------------------------------------------------------- the IR it leaves

APPROXIMATE_ON_SPIRV = {
    "math." + n
    for n in (
        "sin",
        "cos",
        "tan",
        "exp",
        "exp2",
        "log",
        "log2",
        "tanh",
        "asin",
        "acos",
        "atan",
        "atan2",
        "powf",
        "rsqrt",
        "fma",
    )
}


def test_leaves_no_approximate_op_and_keeps_f64() -> None:
    text = kernel("math.sin", 1, "f32").replace("math.sin %av : f32", "math.powf %av, %av : f32")
    module = lower(text, ("khal-expand-math",))
    names = {op.name for op in module.walk()}
    assert not names & APPROXIMATE_ON_SPIRV
    assert names & {"arith.mulf", "math.floor"} == {"arith.mulf", "math.floor"}
    f64 = lower(kernel("math.sin", 1, "f64"), ("khal-expand-math",))
    assert "math.sin" in {op.name for op in f64.walk()}  # f64 math: the target's own (native f64)


def test_non_finite_constants_become_bitcasts() -> None:
    # naga refuses inf/NaN float literals; xDSL's parser reads a hex dense element as an integer, so
    # the vector constant is built here
    from xdsl.dialects import arith, func
    from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, FloatAttr, ModuleOp, VectorType, f32

    v2 = VectorType(f32, [2])
    consts = [
        arith.ConstantOp(FloatAttr(np.inf, f32), f32),
        arith.ConstantOp(DenseIntOrFPElementsAttr.from_list(v2, [np.nan, 1.0]), v2),
        arith.ConstantOp(FloatAttr(1.5, f32), f32),
    ]
    body = [*consts, func.ReturnOp(*(c.result for c in consts))]
    fn = func.FuncOp("f", ((), (f32, v2, f32)))
    fn.body.block.add_ops(body)
    printed = str(lower(ModuleOp([fn]), ("khal-expand-math",)))
    assert printed.count("arith.bitcast") == 2
    assert "2139095040 : i32" in printed  # 0x7F800000
    assert "dense<[2143289344, 1065353216]> : vector<2xi32>" in printed  # NaN, 1.0
    assert "1.5" in printed


# ----------------------------------------------------------------------------- in the SPIR-V target


def test_spirv_target_runs_it_first_and_emits_no_glsl_approximation() -> None:
    import khal
    import khal.std as ks
    from khal import Array, f32
    from khal.dialects import context
    from khal.targets.spirv import SPIRV_LOWERING, SpirvTarget
    from khal.targets.spirv_writer import spirv_tool, validate

    @khal.kernel(workgroup_size=64)
    def math_mix(x: Array[f32], out: Array[f32]):
        i = ks.global_invocation_id().x
        if i < len(x):
            v = x[i]
            out[i] = (
                ks.sin(v) + ks.exp(v) + ks.pow(v, v) + ks.fma(v, v, v) + ks.min(v, 1.0) + ks.atan2(v, 2.0)
            )

    assert SPIRV_LOWERING.index("khal-expand-math") < SPIRV_LOWERING.index("khal-spirv-lower-abi")
    target = SpirvTarget()
    module = math_mix.module().clone()
    ctx = context()
    for p in target.passes():
        p.apply(ctx, module)
    artifact = target.finish(module)
    asm = str(artifact.asm["spirv-asm"])
    for glsl in ("Sin", "Exp", "Pow", "Fma", "FMin", "NMin", "Atan2"):
        assert f" {glsl} " not in asm, glsl
    assert " RoundEven " in asm  # one of the exact GLSL.std.450 ops the algorithms use
    if spirv_tool("spirv-val") is not None:
        assert validate(artifact.asm["spirv"]) is None
