"""Which 16-bit operation, widened to 32 bits, comes out wrong on an adapter (diagnostic, not a test; the H200
fuzz case tests/conformance/regressions/case_77a685de668d.py: `i32(0 - (v << s))` for i16 v and s, fed to an
`atomic_xor`, came out zero-extended on cuda). Each row: one spelling, over every i16 v and shifts 0-15
(1,048,576 invocations); printed: how many differ from cpu, and the first few.

    python scripts/diag_i16.py [--no-spell-neg] [backend ...]   (default: cuda and webgpu where available)

`--no-spell-neg` compiles the CUDA kernels without khal/targets/ptx.py's `spell_neg` (PTX `neg.sN` as
LLVM emits it), uncached: the fault that function works around.
"""

import sys

import numpy as np

import khal
import khal.std as ks
from khal import Array, i16, i32, u16, u32
from khal.runtime.select import make_backend

LABELS = [
    "i32(-(v << s))",
    "i32(0 - (v << s))",
    "i32(v << s)",
    "i32(-v)",
    "u32(-(v << s))",
    "i32(-(v * w))",
    "i32(-(v + w))",
    "i32(v - (v << s))",
    "i32(~(v << s))",
    "i32(-(v >> s))",
    "i32(u16(v) << u16(s))",
    "i32(-i16(u16(v) << u16(s)))",
    "i32((v << s) + w)",
    "i32(v * w)",
    "i32((v * w) + w)",
    "i32(w - (v << s))",
]
K = len(LABELS)


@khal.kernel(workgroup_size=64)
def ops16(a: Array[i16], s: Array[i16], b: Array[i16], out: Array[i32], acc: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        v = a[i]
        n = s[i]
        w = b[i]
        k = i * u32(K)
        out[k + 0] = i32(-(v << n))
        out[k + 1] = i32((n - n) - (v << n))
        out[k + 2] = i32(v << n)
        out[k + 3] = i32(-v)
        out[k + 4] = i32(u32(-(v << n)))
        out[k + 5] = i32(-(v * w))
        out[k + 6] = i32(-(v + w))
        out[k + 7] = i32(v - (v << n))
        out[k + 8] = i32(~(v << n))
        out[k + 9] = i32(-(v >> n))
        out[k + 10] = i32(u16(v) << u16(n))
        out[k + 11] = i32(-i16(u16(v) << u16(n)))
        out[k + 12] = i32((v << n) + w)
        out[k + 13] = i32(v * w)
        out[k + 14] = i32((v * w) + w)
        out[k + 15] = i32(w - (v << n))
        # As in the fuzz case: the value goes to an atomic (xor per slot; the slot's xor checked against cpu)
        ks.atomic_xor(acc, i % u32(4096), i32((n - n) - (v << n)))


def operands() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    v = np.repeat(np.arange(-(2**15), 2**15, dtype=np.int32), 16).astype(np.int16)
    s = np.tile(np.arange(16, dtype=np.int16), 2**16)
    w = np.random.default_rng(3).integers(-(2**15), 2**15, v.size, dtype=np.int16)
    return v, s, w


def run(name: str, v: np.ndarray, s: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = np.zeros(v.size * K, np.int32)
    acc = np.zeros(4096, np.int32)
    khal.launch(ops16, v.size, v, s, w, out, acc, backend=make_backend(name))
    return out.reshape(-1, K), acc


def main() -> None:
    args = sys.argv[1:]
    if "--no-spell-neg" in args:
        import os

        import khal.targets.ptx

        args.remove("--no-spell-neg")
        os.environ["KHAL_NO_CACHE"] = "1"
        khal.targets.ptx.spell_neg = lambda ptx: ptx
    names = args or [n for n in ("cuda", "webgpu") if n in khal.available_backends()]
    v, s, w = operands()
    ref, ref_acc = run("cpu", v, s, w)
    for name in names:
        got, acc = run(name, v, s, w)
        print(f"== {name} vs cpu ({v.size} invocations)")
        for k, label in enumerate(LABELS):
            bad = np.nonzero(got[:, k] != ref[:, k])[0]
            first = [(int(v[j]), int(s[j]), int(w[j]), int(got[j, k]), int(ref[j, k])) for j in bad[:3]]
            print(f"{label:30s} wrong {bad.size:7d}  first (v, s, w, got, want): {first}")
        bad = np.nonzero(acc != ref_acc)[0]
        label = "atomic_xor of i32(0 - (v << s))"
        print(f"{label:30s} wrong {bad.size:7d} slots of 4096: {bad[:4].tolist()}")


if __name__ == "__main__":
    main()
