"""Which part of floored // and % goes wrong on this webgpu adapter (diagnostic, not a test)."""

import numpy as np

import khal
import khal.std as ks
from khal import Array, i32, u32
from khal.runtime.select import make_backend


@khal.kernel(workgroup_size=64)
def diag(a: Array[i32], b: Array[i32], out: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        out[i * 8 + 0] = x // y
        out[i * 8 + 1] = x % y
        out[i * 8 + 2] = i32(x < 0)
        out[i * 8 + 3] = i32(y < 0)
        out[i * 8 + 4] = i32((x < 0) != (y < 0))
        ax = u32(abs(x))
        ay = u32(abs(y))
        qa = i32(ax // ay)
        q = -qa if (x < 0) != (y < 0) else qa
        out[i * 8 + 5] = q  # truncating quotient without OpSDiv
        r = x - q * y
        out[i * 8 + 6] = r  # truncating remainder without OpSRem
        out[i * 8 + 7] = q - 1 if r != 0 and ((r < 0) != (y < 0)) else q


rng = np.random.default_rng(1)
a = np.concatenate([[-7, 7, -7, 7, -1, 33, -2147483647, -2147483648], rng.integers(-100, 100, 200)]).astype(
    np.int32
)
b = np.concatenate(
    [[2, -2, -2, 2, 2, -32, -2147483648, -2147483647], rng.integers(1, 9, 200) * rng.choice([-1, 1], 200)]
).astype(np.int32)
for name in khal.available_backends():
    if name not in ("webgpu", "cpu"):
        continue
    out = np.zeros(len(a) * 8, np.int32)
    khal.launch(diag, len(a), a, b, out, backend=make_backend(name))
    o = out.reshape(-1, 8)
    a64, b64 = a.astype(np.int64), b.astype(np.int64)
    tq = np.trunc(a64 / b64).astype(np.int64)
    tq = np.where(
        np.abs(a64) // np.abs(b64) * np.sign(a64) * np.sign(b64) != tq,
        np.abs(a64) // np.abs(b64) * np.sign(a64) * np.sign(b64),
        tq,
    )
    want = [a64 // b64, a64 % b64, a64 < 0, b64 < 0, (a64 < 0) != (b64 < 0), tq, a64 - tq * b64, a64 // b64]
    labels = [
        "x//y",
        "x%y",
        "x<0",
        "y<0",
        "signs differ",
        "trunc q (u32 path)",
        "trunc r (no srem)",
        "floor (u32 path)",
    ]
    print(f"== {name}")
    for k in range(8):
        w = np.asarray(want[k]).astype(np.int64)
        bad = np.nonzero(o[:, k].astype(np.int64) != w)[0]
        first = [(int(a[j]), int(b[j]), int(o[j, k]), int(w[j])) for j in bad[:3]]
        print(f"{labels[k]:22s} wrong {bad.size:4d}/{len(a)}  first (a, b, got, want): {first}")
