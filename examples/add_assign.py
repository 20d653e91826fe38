"""khal's first example: `a[i] += b[i]` on the best backend this machine has, checked against numpy.

    python examples/add_assign.py [N] [--backend cpu|cpu-parallel|webgpu|cuda]

Prints the kernel's khal IR (the compiler's output for every target), then runs it with
`khal.launch` on `khal.default_backend()` (KHAL_BACKEND=cpu|cpu-parallel|cuda|webgpu picks one)
and compares with numpy. Where no backend can run it yet, it says so after the IR.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import khal
import khal.std as ks
from khal import Array, f32
from khal.backends import BACKEND_NAMES
from khal.runtime.select import make_backend


@khal.kernel(workgroup_size=64)
def add_assign(a: Array[f32], b: Array[f32]):
    tid = ks.global_invocation_id().x
    if tid < len(a):
        a[tid] += b[tid]


def run_on_default_backend(n: int, name: str | None = None) -> bool | None:
    """Launch on backend `name` (default: the default backend) and check against numpy; None when no
    backend can run it."""
    try:
        backend = make_backend(name) if name else khal.default_backend()
    except (ImportError, khal.BackendUnavailable) as e:
        print(f"\nno backend to run it on yet: {e}")
        return None
    rng = np.random.default_rng(0)
    a = rng.standard_normal(n, dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    expected = a + b
    try:
        khal.launch(add_assign, n, a, b, backend=backend)  # a is copied back in place
    except (ImportError, NotImplementedError, khal.BackendUnavailable) as e:
        # The compiler stage this backend needs is not in this build yet.
        print(f"\nthe {backend.name} backend cannot run it yet: {e}")
        return None
    ok = bool(np.array_equal(a, expected))
    where = getattr(backend, "adapter_name", "")  # the GPU (or lavapipe) a webgpu backend runs on
    print(f"\nran add_assign on {backend.name}{f' ({where})' if where else ''} for n = {n}")
    print(f"  a[:4] after  = {np.array2string(a[:4], precision=4)}")
    print(f"  numpy a + b  = {np.array2string(expected[:4], precision=4)}")
    print(f"  matches numpy on all {n} elements: {ok}")
    return ok


def main(argv: list[str]) -> int:
    """Print the IR, run the kernel where possible; exit 1 only if a result is wrong."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument(
        "--backend", choices=BACKEND_NAMES, default=None, help="default: khal.default_backend()"
    )
    args = parser.parse_args(argv[1:])
    n = args.n
    print("add_assign, as khal IR:\n")
    print(add_assign.ir())
    return 1 if run_on_default_backend(n, args.backend) is False else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
