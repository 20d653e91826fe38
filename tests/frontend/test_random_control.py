"""Random structured programs (if/elif/else, for over range with any step, while, break, continue,
early return): the compiled device function (CPU backend) agrees with the Python interpreter."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np
import pytest

import khal

N_FUNCS = 6


class Gen:
    """Generates one function body; loops stay short so every program terminates quickly."""

    def __init__(self, rnd: random.Random):
        self.rnd = rnd
        self.loop_vars: list[str] = []
        self.counter = 0

    def atom(self) -> str:
        names = ["x", "y", "acc", *self.loop_vars]
        return self.rnd.choice([*names, str(self.rnd.randint(-3, 5))])

    def expr(self) -> str:
        a, b = self.atom(), self.atom()
        return self.rnd.choice([a, f"({a} + {b})", f"({a} - {b})", f"({a} * 2)", f"({a} % 3)", f"({a} // 2)"])

    def cond(self) -> str:
        c = f"{self.expr()} {self.rnd.choice(['<', '>', '==', '!=', '<=', '>='])} {self.expr()}"
        if self.rnd.random() < 0.2:
            c = f"{c} {self.rnd.choice(['and', 'or'])} {self.atom()} > 0"
        return c

    def block(self, depth: int, indent: str, in_loop: bool) -> list[str]:
        lines: list[str] = []
        for _ in range(self.rnd.randint(1, 3)):
            lines += self.stmt(depth, indent, in_loop)
        return lines

    def stmt(self, depth: int, indent: str, in_loop: bool) -> list[str]:
        r = self.rnd.random()
        if depth == 0 or r < 0.3:
            return [f"{indent}acc = (acc + {self.expr()}) % 1000"]
        if r < 0.45:
            out = [f"{indent}if {self.cond()}:", *self.block(depth - 1, indent + "    ", in_loop)]
            if self.rnd.random() < 0.5:
                out += [f"{indent}elif {self.cond()}:", *self.block(depth - 1, indent + "    ", in_loop)]
            if self.rnd.random() < 0.5:
                out += [f"{indent}else:", *self.block(depth - 1, indent + "    ", in_loop)]
            return out
        if r < 0.65:
            self.counter += 1
            v = f"k{self.counter}"
            start, stop = self.rnd.randint(-3, 3), self.rnd.choice(["x % 5", "4", "-2", "y % 4"])
            step = self.rnd.choice(["1", "2", "-1", "-2", "(1 if y > 0 else -1)"])
            self.loop_vars.append(v)
            body = self.block(depth - 1, indent + "    ", True)
            self.loop_vars.pop()
            return [f"{indent}for {v} in range({start}, {stop}, {step}):", *body]
        if r < 0.75:
            self.counter += 1
            w = f"w{self.counter}"
            body = self.block(depth - 1, indent + "    ", True)
            return [f"{indent}{w} = 0", f"{indent}while {w} < (x % 4) + 1:", f"{indent}    {w} += 1", *body]
        if r < 0.85 and in_loop:
            return [f"{indent}if {self.cond()}:", f"{indent}    {self.rnd.choice(['break', 'continue'])}"]
        if r < 0.95:
            return [f"{indent}if {self.cond()}:", f"{indent}    return acc + {self.atom()}"]
        return [f"{indent}acc -= 1"]


def make_source(rnd: random.Random) -> str:
    lines = ["import khal", "import khal.std as ks", "from khal import Array, i32", ""]
    for f in range(N_FUNCS):
        g = Gen(rnd)
        lines += ["@khal.func", f"def f{f}(x: i32, y: i32) -> i32:", "    acc = 0"]
        lines += g.block(3, "    ", False)
        lines += ["    return acc", ""]
    lines += [
        "@khal.kernel",
        "def run_all(xs: Array[i32], ys: Array[i32], out: Array[i32]):",
        "    i = ks.global_invocation_id().x",
        "    if i < len(xs):",
    ]
    lines += [f"        out[i * {N_FUNCS} + {f}] = f{f}(xs[i], ys[i])" for f in range(N_FUNCS)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def cpu() -> khal.Backend:
    return khal.Cpu()


@pytest.mark.parametrize("round_", range(3))
def test_random_programs_match_python(cpu: khal.Backend, tmp_path: Path, round_: int) -> None:
    seed = random.randrange(2**32)
    print(f"program seed: {seed}")
    source = make_source(random.Random(seed))
    path = tmp_path / f"random_program_{seed}_{round_}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)

    n = 48
    nprng = np.random.default_rng(seed)
    xs = nprng.integers(-6, 12, n).astype(np.int32)
    ys = nprng.integers(-6, 12, n).astype(np.int32)
    out = np.zeros(n * N_FUNCS, np.int32)
    khal.launch(module.run_all, n, xs, ys, out, backend=cpu)

    for f in range(N_FUNCS):
        python_f = getattr(module, f"f{f}").pyfunc
        for i in range(n):
            want = python_f(int(xs[i]), int(ys[i]))
            assert out[i * N_FUNCS + f] == want, f"f{f}(x={xs[i]}, y={ys[i]}) seed {seed}\n{source}"
