"""A 2-D Gaussian blur of an image: a separable 5-tap filter, two passes, edges clamped.

    python examples/blur.py [WIDTH] [HEIGHT] [--backend cpu|cpu-parallel|webgpu|cuda]

One kernel blurs along x or along y (a parameter), one invocation per pixel on a 2-D grid, reading
its neighbours with indices clamped to the image; the weights are a Python tuple, compiled in as
constants and iterated with an unrolled `for`. Both passes are recorded in one encoder. Compared
with the same filter in numpy (within 1e-5). Exits 1 on a mismatch.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from common import setup

import khal
import khal.std as ks
from khal import Array, f32, i32, u32

WEIGHTS = (0.0625, 0.25, 0.375, 0.25, 0.0625)  # binomial: sums to 1
RADIUS = 2


@khal.kernel(workgroup_size=(16, 16))
def blur_1d(src: Array[f32], dst: Array[f32], width: u32, height: u32, along_x: u32):
    g = ks.global_invocation_id()
    if g.x < width and g.y < height:
        acc = 0.0
        k = -RADIUS
        for w in WEIGHTS:
            x = i32(g.x) + (k if along_x == 1 else 0)
            y = i32(g.y) + (0 if along_x == 1 else k)
            x = ks.clamp(x, 0, i32(width) - 1)
            y = ks.clamp(y, 0, i32(height) - 1)
            acc += w * src[u32(y) * width + u32(x)]
            k += 1
        dst[g.y * width + g.x] = acc


def blur_numpy(img: np.ndarray) -> np.ndarray:
    """The same two passes in numpy, edges clamped."""
    out = img
    for axis in (1, 0):
        padded = np.pad(out, [(RADIUS, RADIUS) if a == axis else (0, 0) for a in (0, 1)], mode="edge")
        n = out.shape[axis]
        out = sum(
            np.float32(w) * np.take(padded, np.arange(j, j + n), axis=axis) for j, w in enumerate(WEIGHTS)
        ).astype(np.float32)
    return out


def main(argv: list[str]) -> int:
    """Blur a random image; compare with numpy; exit 1 on a mismatch."""
    args, backend = setup(__doc__, argv, [("width", 640, "image width"), ("height", 480, "image height")])
    w, h = args.width, args.height
    img = np.random.default_rng(0).random((h, w), dtype=np.float32)
    src, tmp, dst = (
        backend.init_buffer(img.ravel()),
        backend.uninit_buffer(w * h, f32),
        backend.uninit_buffer(w * h, f32),
    )

    def run() -> None:
        encoder = backend.begin_encoding()
        with encoder.begin_pass("blur") as p:
            blur_1d.call(p, (w, h), src, tmp, w, h, 1)  # along x
            blur_1d.call(p, (w, h), tmp, dst, w, h, 0)  # then along y
        backend.submit(encoder)
        backend.synchronize()

    run()
    start = time.perf_counter()
    run()
    ms = (time.perf_counter() - start) * 1e3
    got = backend.slow_read_vec(dst).reshape(h, w)
    err = float(np.abs(got - blur_numpy(img)).max())
    ok = err <= 1e-5
    print(f"blur on {backend.name}: {w} x {h}, 5-tap separable, {ms:.2f} ms")
    print(f"  matches numpy: {ok} (max abs error {err:.1e})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
