"""Which i64 operation goes wrong on this webgpu adapter (diagnostic, not a test).

Runs every 64-bit integer operation khal lowers on pairs of edge and random values, on `cpu` and on
`webgpu` (or the backends named in argv), and prints, per operation, how many results differ from cpu and
the first few operand pairs. Used for the H200 webgpu case tests/conformance/regressions/case_fde4ac33dbc7.py.
"""

import sys

import numpy as np

import khal
import khal.std as ks
from khal import Array, i32, i64, u32, u64
from khal.runtime.select import make_backend

LABELS = [
    "x // y",
    "x % y",
    "abs(x)",
    "abs(x) // y",
    "u64(x) // u64(y)",
    "u64(x) % u64(y)",
    "x * y",
    "x + y",
    "x - y",
    "min(x, y)",
    "max(x, y)",
    "x < y",
    "u64 x < y",
    "x >> 3",
    "u64 x >> 3",
    "x << 7",
    "u32(x)",
    "i64(i32(x))",
    "u32(x // y) % 4",
    "x ^ y | x & 5",
    "~x",
    "-x",
]


@khal.kernel(workgroup_size=64)
def ops64(a: Array[i64], b: Array[i64], out: Array[i64]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        k = i * u32(22)
        out[k + 0] = x // y
        out[k + 1] = x % y
        out[k + 2] = abs(x)
        out[k + 3] = abs(x) // y
        out[k + 4] = i64(u64(x) // u64(y))
        out[k + 5] = i64(u64(x) % u64(y))
        out[k + 6] = x * y
        out[k + 7] = x + y
        out[k + 8] = x - y
        out[k + 9] = min(x, y)
        out[k + 10] = max(x, y)
        out[k + 11] = i64(x < y)
        out[k + 12] = i64(u64(x) < u64(y))
        out[k + 13] = x >> 3
        out[k + 14] = i64(u64(x) >> u64(3))
        out[k + 15] = x << 7
        out[k + 16] = i64(u32(x))
        out[k + 17] = i64(i32(x))
        out[k + 18] = i64(u32(x // y) % u32(4))
        out[k + 19] = x ^ y | x & 5
        out[k + 20] = ~x
        out[k + 21] = -x


def operands(n: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    lo, hi = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    edges = np.array(
        [
            0,
            1,
            -1,
            2,
            -2,
            3,
            -3,
            7,
            -7,
            100,
            2**31 - 1,
            -(2**31),
            2**31,
            2**32 - 1,
            2**32,
            2**32 + 1,
            -(2**32),
            2**53,
            2**62,
            -(2**62),
            hi,
            lo,
            hi - 1,
            lo + 1,
        ],
        np.int64,
    )
    pairs = np.array(np.meshgrid(edges, edges)).reshape(2, -1)
    full = rng.integers(lo, hi, (2, n), dtype=np.int64, endpoint=True)
    shifted = full >> rng.integers(0, 63, (2, n))  # every magnitude
    small = rng.integers(-50, 50, (2, n // 4), dtype=np.int64)
    a, b = np.concatenate([pairs, full, shifted, small], axis=1)
    b = np.where(b == 0, 3, b)  # division by zero has its own documented result
    return a.astype(np.int64), b.astype(np.int64)


def run(name: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros(len(a) * 22, np.int64)
    khal.launch(ops64, len(a), a, b, out, backend=make_backend(name))
    return out.reshape(-1, 22)


def main() -> None:
    names = sys.argv[1:] or [n for n in ("webgpu",) if n in khal.available_backends()]
    a, b = operands()
    ref = run("cpu", a, b)
    for name in names:
        got = run(name, a, b)
        print(f"== {name} vs cpu ({len(a)} pairs)")
        for k, label in enumerate(LABELS):
            bad = np.nonzero(got[:, k] != ref[:, k])[0]
            first = [(int(a[j]), int(b[j]), int(got[j, k]), int(ref[j, k])) for j in bad[:4]]
            print(f"{label:18s} wrong {bad.size:5d}  first (a, b, got, want): {first}")


if __name__ == "__main__":
    main()
