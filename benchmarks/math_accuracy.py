"""Accuracy of khal's f32 math library (`khal-expand-math`, the WebGPU target's math) over millions
of inputs: max ulp against float64 numpy rounded to f32, per function.

    python benchmarks/math_accuracy.py [--n N] [--backends numpy webgpu]

* numpy: the pass's algorithms run on numpy float32 arrays (tests/unit/math_emulation.py): what IEEE
  arithmetic gives, everywhere.
* webgpu: the same inputs through `tests/runtime/runtime_kernels.py`'s math kernels on the WebGPU
  backend (lavapipe here; the driver's arithmetic, optimiser and denormal handling included).

Inputs per function: special values, N uniform in the function's usual domain, N uniform over all
finite f32 bit patterns, N subnormals; pow and atan2 take pairs of those. Target: <= 2 ulp (1 for
what is not pow or atan2 is what the algorithms reach); fma: 0 ulp (exact).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests", "unit"), os.path.join(ROOT, "tests", "runtime")]

from math_emulation import NumpyEmitter, exact_fma, random_floats, ulp_distance  # noqa: E402

from khal.passes import expand_math as em  # noqa: E402

F = np.float32
UNARY = {
    "sin": (np.sin, -100, 100),
    "cos": (np.cos, -100, 100),
    "tan": (np.tan, -10, 10),
    "exp": (np.exp, -104, 89),
    "exp2": (np.exp2, -150, 128),
    "log": (np.log, 0, 100),
    "log2": (np.log2, 0, 100),
    "tanh": (np.tanh, -10, 10),
    "asin": (np.arcsin, -1, 1),
    "acos": (np.arccos, -1, 1),
    "atan": (np.arctan, -5, 5),
    "rsqrt": (lambda x: 1 / np.sqrt(x), 0, 100),
}
BINARY = {
    "atan2": (np.arctan2, "atan2"),
    "pow": (np.power, "powf"),
    "min": (np.minimum, None),
    "max": (np.maximum, None),
}


def reference(fn, *args):
    with np.errstate(all="ignore"):
        return fn(*(a.astype(np.float64) for a in args)).astype(F)


def emulate(name, *args):
    with np.errstate(all="ignore"):
        if name in ("min", "max"):
            return np.asarray(em.minimum(NumpyEmitter(), *args, name == "min"), F)
        return np.asarray(getattr(em, name)(NumpyEmitter(), *args), F)


def on_webgpu(backend, name, *args):
    from runtime_kernels import BINARY as B
    from runtime_kernels import UNARY as U
    from runtime_kernels import math_binary, math_ternary, math_unary

    import khal

    out = np.zeros_like(args[0])
    if name == "fma":
        res = np.zeros(4 * len(out), F)
        khal.launch(math_ternary, len(out), *args, res, backend=backend)
        return res.reshape(-1, 4)[:, 1]
    if len(args) == 1:
        khal.launch(math_unary, len(out), args[0], out, U.index(name), backend=backend)
    else:
        khal.launch(math_binary, len(out), *args, out, B.index(name), backend=backend)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1 << 20)
    parser.add_argument("--backends", nargs="+", default=["numpy", "webgpu"])
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    backend = None
    if "webgpu" in args.backends:
        import khal

        try:
            backend = khal.WebGpu()
        except khal.BackendUnavailable as e:
            print(f"webgpu: {e}")
    cases = []
    for name, (fn, lo, hi) in UNARY.items():
        x = random_floats(rng, args.n, lo, hi)
        cases.append((name, name, (x,), reference(fn, x)))
    for name, (fn, algo) in BINARY.items():
        r = random_floats(rng, args.n, 0, 100)
        x, y = r, rng.permutation(r)
        if name == "pow":
            x = np.abs(x)
        cases.append((name, algo or name, (x, y), reference(fn, x, y)))
    wide = [(rng.uniform(-1, 1, args.n) * 2.0 ** rng.integers(-80, 80, args.n)).astype(F) for _ in range(3)]
    cases.append(("fma", "fma", tuple(wide), exact_fma(*wide)))
    print(f"{'function':9s} {'inputs':>9s} {'numpy max ulp':>14s} {'webgpu max ulp':>15s} {'webgpu s':>9s}")
    for name, algo, xs, want in cases:
        row = f"{name:9s} {len(want):9d}"
        row += (
            f" {ulp_distance(emulate(algo, *xs), want).max():14d}"
            if "numpy" in args.backends
            else f" {'-':>14s}"
        )
        if backend is not None:
            t = time.perf_counter()
            got = on_webgpu(backend, name, *xs)
            row += f" {ulp_distance(got, want).max():15d} {time.perf_counter() - t:9.2f}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
