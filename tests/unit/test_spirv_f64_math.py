"""`spirv_f64_math`'s f64 algorithms (sin cos tan tanh asin acos atan atan2 pow fma) on numpy float64
(`NumpyEmitter64`: IEEE ops, one rounding each, no contraction), over many more inputs than a WebGPU
run takes: within 2 ulp of x87 long double references, fma bit for bit against Fractions.
tests/runtime/test_f64_math.py runs the same functions through SPIR-V on WebGPU."""

from __future__ import annotations

import numpy as np
import pytest
from math_emulation import NumpyEmitter64, exact_fma64

from khal.passes import spirv_f64_math as fm

E = NumpyEmitter64()
LD = np.longdouble
N = 1 << 17
REFERENCE = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
}


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    seed = int(np.random.SeedSequence().entropy) % 2**63  # type: ignore[arg-type]
    print(f"rng seed for {request.node.nodeid}: {seed}")
    return np.random.default_rng(seed)


def run(name: str, *args: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(fm.ALGORITHMS[f"math.{name}"](E, *args), np.float64)


def ulp_error(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    rounded = ref.astype(np.float64)
    with np.errstate(all="ignore"):
        d = (np.abs(got.astype(LD) - ref) / np.spacing(np.abs(rounded)).astype(LD)).astype(np.float64)
    same = (got == rounded) | (np.isnan(got) & np.isnan(rounded))
    return np.where(same, 0.0, np.where(np.isnan(d), np.inf, d))


def wide(rng: np.random.Generator, lo: float, hi: float) -> np.ndarray:
    return np.exp2(rng.uniform(lo, hi, N)) * rng.choice([-1.0, 1.0], N)


DOMAINS = {
    "sin": [(-10, 10, False), (-60, np.log2(fm.TRIG_LIMIT), True), (np.log2(fm.TRIG_LIMIT), 1024, True)],
    "tanh": [(-3, 3, False), (-60, 6, True)],
    "asin": [(-1, 1, False), (-60, 0, True)],
    "atan": [(-5, 5, False), (-60, 80, True)],
}
DOMAINS |= {"cos": DOMAINS["sin"], "tan": DOMAINS["sin"], "acos": DOMAINS["asin"]}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_within_2_ulp(rng: np.random.Generator, name: str) -> None:
    for lo, hi, log in DOMAINS[name]:
        x = wide(rng, lo, hi) if log else rng.uniform(lo, hi, N)
        d = ulp_error(run(name, x), REFERENCE[name](x.astype(LD)))
        worst = int(np.argmax(d))
        assert d.max() <= 2, f"{name}({x[worst]!r}): {d.max()} ulp"


def test_trig_near_multiples_of_pi_over_2(rng: np.random.Generator) -> None:
    """The doubles nearest k pi/2: the reduction cancels most of x there (6381956970095103 * 2**797
    the most of all doubles: 2**-61 of pi/2 left)."""
    k = rng.integers(1, 2**20, N).astype(LD)
    x = np.append((k * LD(np.pi) / 2).astype(np.float64), 6381956970095103 * 2.0**797)
    for name in ("sin", "cos", "tan"):
        assert ulp_error(run(name, x), REFERENCE[name](x.astype(LD))).max() <= 2, name


def test_special_values() -> None:
    s = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1e-310, 1.0, -1.0, 1.0000000000000002,
                  -1.0000000000000002, 0.5, 22.0, -22.0, 1e300, 1.7976931348623157e308])  # fmt: skip
    for name, fn in REFERENCE.items():
        with np.errstate(invalid="ignore"):  # numpy's own sin(inf) & co. are NaN, as wanted
            got, want = run(name, s), fn(s)
        same = (got.view(np.int64) == want.view(np.int64)) | (np.isnan(got) & np.isnan(want))
        assert same.all(), (name, s[~same], got[~same], want[~same])
    y, x = (v.ravel() for v in np.meshgrid(s, s))
    got = run("atan2", y, x)
    with np.errstate(all="ignore"):
        want = np.arctan2(y.astype(LD), x.astype(LD))
    d = ulp_error(got, want)
    assert d.max() <= 2, [(y[i], x[i], got[i], want[i]) for i in np.nonzero(d > 2)[0][:5]]
    zero = want == 0  # C99's signed zeros and exact quadrant values
    np.testing.assert_array_equal(np.signbit(got[zero]), np.signbit(want[zero]))


def test_atan2_within_2_ulp(rng: np.random.Generator) -> None:
    y, x = wide(rng, -40, 40), wide(rng, -40, 40)
    d = ulp_error(run("atan2", y, x), np.arctan2(y.astype(LD), x.astype(LD)))
    assert d.max() <= 2, (y[np.argmax(d)], x[np.argmax(d)], d.max())


def test_pow_within_2_ulp(rng: np.random.Generator) -> None:
    """pow: y ln|x| up to the overflow and subnormal edges, x near 1 with huge y, negative x."""
    cases = [
        (rng.uniform(0, 100, N), rng.uniform(-8, 8, N)),
        (np.abs(wide(rng, -1074, 1024)), rng.uniform(-1, 1, N)),
        (rng.uniform(0.99, 1.01, N), rng.uniform(-60000, 60000, N)),
        (rng.uniform(-4, 4, N), rng.integers(-300, 300, N).astype(np.float64)),
    ]
    for x, y in cases:
        with np.errstate(all="ignore"):
            d = ulp_error(run("powf", x, y), np.power(x.astype(LD), y.astype(LD)))
        worst = int(np.argmax(d))
        assert d.max() <= 2, f"pow({x[worst]!r}, {y[worst]!r}): {d.max()} ulp"


def test_fma_is_exact(rng: np.random.Generator) -> None:
    n = 4000
    ia, ib = rng.integers(2**26, 2**27, (2, n))
    ea = rng.integers(-560, -500, n)
    a1 = ia * np.exp2(ea.astype(np.float64))  # products of 54 bits near 2**-1023: ties on the subnormal grid
    b1 = ib * np.exp2((-1075 - ea + rng.integers(-2, 2, n)).astype(np.float64))
    c1 = np.where(rng.random(n) < 0.5, 0.0, np.exp2(rng.integers(-1074, -1030, n).astype(np.float64)))
    bits = rng.integers(-(2**63), 2**63, (3, n), dtype=np.int64).view(np.float64)
    a0, b0 = rng.standard_normal(n), rng.standard_normal(n)
    tiny = np.exp2(rng.uniform(-560, -500, (2, n)))
    cases = [
        tuple(bits),
        (a1, b1, c1 * rng.choice([-1.0, 1.0], n)),
        (a0, b0, -a0 * b0 * (1 + rng.standard_normal(n) * 1e-12)),
        (np.exp2(rng.uniform(500, 530, n)), -np.exp2(rng.uniform(480, 500, n)), bits[2]),
        (tiny[0], tiny[1], -np.exp2(rng.uniform(-1074, -1060, n))),
    ]
    for a, b, c in cases:
        got, want = run("fma", a, b, c), exact_fma64(a, b, c)
        same = (got.view(np.int64) == want.view(np.int64)) | (np.isnan(got) & np.isnan(want))
        assert same.all(), [(a[i], b[i], c[i], got[i], want[i]) for i in np.nonzero(~same)[0][:4]]
