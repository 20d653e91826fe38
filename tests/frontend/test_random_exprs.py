"""Random integer and float expressions: the compiled kernel (CPU backend) agrees with Python.

The expressions mix every arithmetic, bitwise and comparison operator, literals, `min`/`max`/`abs`,
ternaries and short-circuit `and`/`or`, so the literal rules and Python's floor `//` and `%` are
checked against the interpreter itself.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np
import pytest

import khal

N_EXPRS = 40


def _int_expr(rnd: random.Random, depth: int) -> str:
    if depth == 0 or rnd.random() < 0.25:
        return rnd.choice(["x", "y", "z", str(rnd.randint(-9, 9))])
    a, b = _int_expr(rnd, depth - 1), _int_expr(rnd, depth - 1)
    kind = rnd.randrange(9)
    if kind < 3:
        return f"({a} {rnd.choice(['+', '-', '*'])} {b})"
    if kind == 3:  # divisors are odd, so never zero
        return f"({a} {rnd.choice(['//', '%'])} (({b}) | 1))"
    if kind == 4:
        return f"({a} {rnd.choice(['&', '|', '^'])} {b})"
    if kind == 5:
        return f"{rnd.choice(['min', 'max'])}({a}, {b})"
    if kind == 6:
        return f"abs({a})" if rnd.random() < 0.5 else f"(-{a})"
    if kind == 7:
        return f"({a} if {_cond(rnd, depth - 1)} else {b})"
    return f"({a} >> 2)" if rnd.random() < 0.5 else f"({a} << 3)"


def _cond(rnd: random.Random, depth: int) -> str:
    a, b = _int_expr(rnd, depth), _int_expr(rnd, depth)
    c = f"({a} {rnd.choice(['<', '<=', '>', '>=', '==', '!='])} {b})"
    if rnd.random() < 0.3:
        return f"({c} {rnd.choice(['and', 'or'])} {_cond(rnd, max(depth - 1, 0))})"
    return c


def _float_expr(rnd: random.Random, depth: int) -> str:
    if depth == 0 or rnd.random() < 0.25:
        return rnd.choice(["u", "v", str(rnd.randint(-4, 4)), f"{rnd.uniform(-3, 3):.3f}"])
    a, b = _float_expr(rnd, depth - 1), _float_expr(rnd, depth - 1)
    kind = rnd.randrange(5)
    if kind < 3:
        return f"({a} {rnd.choice(['+', '-', '*'])} {b})"
    if kind == 3:  # |b| + 1 keeps the divisor away from zero; float // and % are tested apart
        return f"({a} / (abs({b}) + 1.0))"
    return f"({a} if {a} < {b} else {b})"


@pytest.fixture(scope="module")
def cpu() -> khal.Backend:
    return khal.Cpu()


def test_random_expressions_match_python(cpu: khal.Backend, tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    print(f"expression seed: {seed}")
    rnd = random.Random(seed)
    int_exprs = [_int_expr(rnd, 3) for _ in range(N_EXPRS)]
    float_exprs = [_float_expr(rnd, 3) for _ in range(N_EXPRS)]
    lines = [
        "import khal",
        "import khal.std as ks",
        "from khal import Array, f32, i32",
        "",
        "@khal.kernel",
        "def rnd(xs: Array[i32], ys: Array[i32], zs: Array[i32], us: Array[f32], vs: Array[f32],",
        "        out: Array[i32], fout: Array[f32]):",
        "    i = ks.global_invocation_id().x",
        "    if i < len(xs):",
        "        x, y, z = xs[i], ys[i], zs[i]",
        "        u, v = us[i], vs[i]",
        f"        base = i * {N_EXPRS}",
    ]
    lines += [f"        out[base + {k}] = {e}" for k, e in enumerate(int_exprs)]
    lines += [f"        fout[base + {k}] = {e}" for k, e in enumerate(float_exprs)]
    path = tmp_path / f"random_kernel_{seed}.py"
    path.write_text("\n".join(lines) + "\n")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)

    nprng = np.random.default_rng(seed)
    n = 64
    xs, ys, zs = (nprng.integers(-20, 20, n).astype(np.int32) for _ in range(3))
    us, vs = (nprng.uniform(-5, 5, n).astype(np.float32) for _ in range(2))
    out = np.zeros(n * N_EXPRS, np.int32)
    fout = np.zeros(n * N_EXPRS, np.float32)
    khal.launch(module.rnd, n, xs, ys, zs, us, vs, out, fout, backend=cpu)

    for i in range(n):
        env = {"x": int(xs[i]), "y": int(ys[i]), "z": int(zs[i]), "min": min, "max": max, "abs": abs}
        for k, e in enumerate(int_exprs):
            want = np.int32(np.int64(eval(e, {}, env)).astype(np.int32))  # noqa: S307 - our own expression
            assert out[i * N_EXPRS + k] == want, f"{e} at x={xs[i]} y={ys[i]} z={zs[i]}"
        fenv = {"u": np.float32(us[i]), "v": np.float32(vs[i]), "abs": abs}
        for k, e in enumerate(float_exprs):
            want_f = float(eval(e, {}, fenv))  # noqa: S307
            got = float(fout[i * N_EXPRS + k])
            assert got == pytest.approx(want_f, rel=1e-4, abs=1e-4), f"{e} at u={us[i]} v={vs[i]}"
