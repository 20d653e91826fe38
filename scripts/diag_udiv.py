"""How far off this adapter's unsigned division is (diagnostic, not a test).

Divides millions of u64 and u32 pairs (every magnitude: log-uniform operands, 2**63 and 2**64 - 1 by small
divisors) on the named backend, and prints per width how many quotients and remainders differ from numpy,
the histogram of quotient errors, and the first pairs. Also checks the exact correction of a quotient
estimate (`q - 1`, then two steps on the remainder) written as khal source, as the SPIR-V target does.
"""

import sys

import numpy as np

import khal
import khal.std as ks
from khal import Array, u32, u64
from khal.runtime.select import make_backend


@khal.kernel(workgroup_size=256)
def div64(a: Array[u64], b: Array[u64], q: Array[u64], r: Array[u64], c: Array[u64]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        q0 = x // y
        q[i] = q0
        r[i] = x % y
        qm = q0 - u64(q0 > u64(0))
        rm = x - qm * y
        if rm >= y:
            qm += u64(1)
            rm -= y
        if rm >= y:
            qm += u64(1)
        c[i] = qm


@khal.kernel(workgroup_size=256)
def div32(a: Array[u32], b: Array[u32], q: Array[u32], r: Array[u32], c: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        q0 = x // y
        q[i] = q0
        r[i] = x % y
        qm = q0 - u32(q0 > u32(0))
        rm = x - qm * y
        if rm >= y:
            qm += u32(1)
            rm -= y
        if rm >= y:
            qm += u32(1)
        c[i] = qm


def log_uniform(rng: np.random.Generator, bits: int, n: int) -> np.ndarray:
    dt = np.uint64 if bits == 64 else np.uint32
    full = rng.integers(0, 2**bits, n, dtype=dt, endpoint=False)
    return full >> rng.integers(0, bits, n).astype(dt)


def operands(bits: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(bits)
    dt = np.uint64 if bits == 64 else np.uint32
    top = dt(1) << dt(bits - 1)
    big = np.array([top, ~dt(0), top + dt(1), top - dt(1)], dt)
    a = np.concatenate(
        [
            log_uniform(rng, bits, n),
            rng.integers(0, 2**bits, n, dtype=dt) | top,
            np.repeat(big, n // 16),
        ]
    )
    b = np.concatenate(
        [
            log_uniform(rng, bits, n),
            rng.integers(1, 2**20, n).astype(dt),
            np.tile(np.arange(1, n // 16 + 1, dtype=dt), 4),
        ]
    )
    b[b == 0] = 1
    return a, b


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "webgpu"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 22
    backend = make_backend(name)
    for bits, kernel in ((64, div64), (32, div32)):
        a, b = operands(bits, n)
        q, r, c = (np.zeros_like(a) for _ in range(3))
        khal.launch(kernel, len(a), a, b, q, r, c, backend=backend)
        wq, wr = a // b, a % b
        bad = np.nonzero(q != wq)[0]
        err = q[bad].astype(np.int64) - wq[bad].astype(np.int64)
        values, counts = np.unique(np.clip(err, -100, 100), return_counts=True)
        print(f"== u{bits} on {name}: {len(a)} pairs")
        print(
            f"quotient wrong {bad.size}; error histogram "
            f"{dict(zip(values.tolist(), counts.tolist(), strict=True))}"
        )
        print(
            f"  first (a, b, got, want): {[(int(a[j]), int(b[j]), int(q[j]), int(wq[j])) for j in bad[:6]]}"
        )
        rbad = np.nonzero(r != wr)[0]
        print(
            f"remainder wrong {rbad.size}; first "
            f"{[(int(a[j]), int(b[j]), int(r[j]), int(wr[j])) for j in rbad[:4]]}"
        )
        cbad = np.nonzero(c != wq)[0]
        print(
            f"corrected quotient wrong {cbad.size}; first "
            f"{[(int(a[j]), int(b[j]), int(c[j])) for j in cbad[:4]]}"
        )


if __name__ == "__main__":
    main()
