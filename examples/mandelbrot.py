"""The Mandelbrot set on a 2-D grid of invocations, checked against a numpy version.

    python examples/mandelbrot.py [OUT.png] [--size WxH] [--backend cpu|cpu-parallel|webgpu|cuda]

One invocation per pixel (workgroups of 16 x 16); each iterates `z = z^2 + c` in a `while` loop that
`break`s when |z| > 2. Runs on `khal.default_backend()` (KHAL_BACKEND picks one), compares the iteration
counts with numpy's, and writes a PNG image only when given a path (written with zlib and struct: no
image library). Exits 1 on a mismatch.
"""

from __future__ import annotations

import argparse
import struct
import sys
import time
import zlib
from pathlib import Path

import numpy as np

import khal
import khal.std as ks
from khal import Array, f32, u32
from khal.backends import BACKEND_NAMES
from khal.runtime.select import make_backend

WIDTH, HEIGHT, MAX_ITER = 384, 256, 100


@khal.kernel(workgroup_size=(16, 16))
def mandelbrot(out: Array[u32], width: u32, height: u32, max_iter: u32):
    gid = ks.global_invocation_id()
    if gid.x < width and gid.y < height:
        cx = -2.25 + 3.0 * f32(gid.x) / f32(width)
        cy = -1.0 + 2.0 * f32(gid.y) / f32(height)
        x = 0.0
        y = 0.0
        i = u32(0)
        while i < max_iter:
            if x * x + y * y > 4.0:
                break
            xt = x * x - y * y + cx
            y = 2.0 * x * y + cy
            x = xt
            i += 1
        out[gid.y * width + gid.x] = i


def mandelbrot_numpy(width: int, height: int, max_iter: int) -> np.ndarray:
    """The same iteration in float32 numpy, all pixels at once."""
    f = np.float32
    cx = f(-2.25) + f(3.0) * np.arange(width, dtype=f) / f(width)
    cy = f(-1.0) + f(2.0) * np.arange(height, dtype=f) / f(height)
    cx, cy = np.meshgrid(cx, cy)
    x = np.zeros_like(cx)
    y = np.zeros_like(cx)
    count = np.zeros(cx.shape, dtype=np.uint32)
    for _ in range(max_iter):
        live = x * x + y * y <= f(4.0)
        xt = x * x - y * y + cx
        y = np.where(live, f(2.0) * x * y + cy, y)
        x = np.where(live, xt, x)
        count += live
    return count


def write_png(path: Path, gray: np.ndarray) -> None:
    """Write an 8-bit grayscale image as a PNG: signature, IHDR, one zlib IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    height, width = gray.shape
    rows = b"".join(b"\x00" + gray[y].tobytes() for y in range(height))  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def main(argv: list[str]) -> int:
    """Render, compare with numpy, optionally write a PNG; exit 1 on a mismatch."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", nargs="?", type=Path, default=None, help="write the image here (PNG)")
    parser.add_argument("--size", default=f"{WIDTH}x{HEIGHT}", help="WIDTHxHEIGHT")
    parser.add_argument(
        "--backend", choices=BACKEND_NAMES, default=None, help="default: khal.default_backend()"
    )
    args = parser.parse_args(argv[1:])
    width, height = (int(v) for v in args.size.split("x"))
    backend = make_backend(args.backend) if args.backend else khal.default_backend()
    out = backend.uninit_buffer(width * height, u32)

    def run() -> None:
        encoder = backend.begin_encoding()
        with encoder.begin_pass("mandelbrot") as p:
            mandelbrot.call(p, (width, height), out, width, height, MAX_ITER)  # a 2-D grid
        backend.submit(encoder)
        backend.synchronize()

    run()  # compiles (or loads from the cache)
    start = time.perf_counter()
    run()
    ms = (time.perf_counter() - start) * 1e3
    counts = backend.slow_read_vec(out).reshape(height, width)
    expected = mandelbrot_numpy(width, height, MAX_ITER)
    # Contracted multiply-adds may round differently from numpy at a few boundary pixels.
    differ = int(np.count_nonzero(counts != expected))
    ok = differ <= counts.size // 1000
    print(f"mandelbrot on {backend.name}: {width} x {height}, max_iter {MAX_ITER}, {ms:.2f} ms")
    print(f"  pixels inside the set: {int(np.count_nonzero(counts == MAX_ITER))}")
    print(f"  matches numpy: {ok} ({differ} of {counts.size} pixels differ, at most 0.1% allowed)")
    if args.out is not None:
        write_png(args.out, (255 - counts * 255 // MAX_ITER).astype(np.uint8))
        print(f"  wrote {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
