"""Which spelling of khal-wrapping-abs's 64-bit abs keeps `abs(INT64_MIN)` negative on this webgpu adapter
(diagnostic, not a test). Runs tests/runtime's `abs_of_gathered_i64` kernel compiled with each spelling of
`expand_arith.wide_abs` (swapped in before each compile), against cpu."""

import importlib.util
import sys
import tempfile
from pathlib import Path

import numpy as np
from xdsl.dialects import arith, scf

import khal
from khal.passes import expand_arith as ea
from khal.runtime.select import make_backend

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT / "tests/runtime/runtime_kernels.py").read_text()
KERNEL = SOURCE[SOURCE.index("@khal.kernel\ndef abs_of_gathered_i64") :]
KERNEL = KERNEL[: KERNEL.index("\n\n\n")]
HEADER = "import khal\nimport khal.std as ks\nfrom khal import Array, i32, i64, u32\n\n\n"


def plain(build, x):
    zero = build.const(0, x.type)
    return build.select(build.cmpi("slt", x, zero), build.add(arith.SubiOp(zero, x)), x)


def guarded(build, x):
    return build.select(build.cmpi("eq", x, build.const(-(1 << 63), x.type)), x, plain(build, x))


def branch(build, x):
    zero = build.const(0, x.type)
    negative = build.cmpi("slt", x, zero)
    neg = arith.SubiOp(zero, x)
    return build.add(scf.IfOp(negative, [x.type], [neg, scf.YieldOp(neg)], [scf.YieldOp(x)]))


def xor_sign(build, x):
    s = build.add(arith.ShRSIOp(x, build.const(63, x.type)))
    return build.add(arith.SubiOp(build.add(arith.XOrIOp(x, s)), s))


VARIANTS = {"halves": ea.wide_abs, "plain": plain, "guarded": guarded, "branch": branch, "xor_sign": xor_sign}


def main() -> None:
    names = sys.argv[1:] or ["webgpu"]
    rng = np.random.default_rng(3)
    a = rng.integers(-(2**63), 2**63, 256, dtype=np.int64)
    a[::7] = np.iinfo(np.int64).min
    n = 1024
    idx = rng.integers(-(2**31), 2**31, n, dtype=np.int32)
    b = rng.integers(-(2**40), 2**40, n, dtype=np.int64) >> rng.integers(0, 40, n)
    b[b == 0] = -25
    tmp = Path(tempfile.mkdtemp())
    for variant, spelling in VARIANTS.items():
        path = tmp / f"abs_{variant}.py"
        path.write_text(HEADER + KERNEL.replace("abs_of_gathered_i64", f"abs_{variant}") + "\n")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        kernel = getattr(module, f"abs_{variant}")
        ea.wide_abs = spelling
        outs = {}
        for name in ["cpu", *names]:
            out = np.zeros(n * 3, np.int64)
            khal.launch(kernel, n, a, idx, b, out, backend=make_backend(name))
            outs[name] = out.reshape(-1, 3)
        for name in names:
            bad = (outs[name] != outs["cpu"]).sum(axis=0)
            print(f"{variant:9s} {name:7s} wrong (//, <0, %): {bad.tolist()} of {n}")


if __name__ == "__main__":
    main()
