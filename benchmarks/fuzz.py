"""Differential fuzzing on demand: many random kernels, compared across backends.

    python benchmarks/fuzz.py --examples 2000 --backends cpu,webgpu [--types f32,i32,...] [--shrink]

Generates kernels with tests/conformance/fuzzing.py, runs each on every named backend (default:
every available one; the first is the reference) and in Python (tests/conformance/emulator.py, against
the reference), and prints how many ran, how many a backend could not express (a type its device
lacks), and how many differed. Each differing case is saved under
--save-dir (default: a temporary directory) as it was found; with --shrink the run stops at the
first difference, hypothesis shrinks it, and the shrunk case is saved under
tests/conformance/regressions/, where tests/conformance/test_conf_regressions.py runs it from then on.
Exits 1 when a case differed.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file's folder must not be on the path: `import cuda` (cuda-python) would find benchmarks/cuda.py.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "conformance")]

from fuzzing import REGRESSIONS, Outcome, Program, programs, run_program, save_regression  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

import khal  # noqa: E402
from khal.runtime.select import make_backend  # noqa: E402


def main() -> int:
    """Run the fuzzer; print the counts; exit 1 on a difference."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=200, help="how many kernels to generate")
    parser.add_argument("--backends", default=",".join(khal.available_backends()), help="comma-separated")
    parser.add_argument("--types", default="", help="scalar types to draw from (default: all)")
    parser.add_argument("--shrink", action="store_true", help="stop at the first difference, shrink, save")
    parser.add_argument("--save-dir", type=Path, default=None, help="where unshrunk differing cases go")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    args = parser.parse_args()
    names = [n for n in args.backends.split(",") if n]
    if len(names) < 2:
        parser.error("--backends needs at least two backends to compare")
    backends = {n: make_backend(n) for n in names}
    types = [t for t in args.types.split(",") if t] or None
    save_dir = args.save_dir or Path(tempfile.mkdtemp(prefix="khal-fuzz-"))
    counts = {"ran": 0, "differed": 0, "errors": 0}
    skipped: dict[str, int] = {}
    found: list[tuple[Program, Outcome]] = []

    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(programs(types))
    def one(program: Program) -> None:
        counts["ran"] += 1
        try:
            outcome = run_program(program, backends)
        except Exception as e:  # an internal error compiling or running: as bad as a difference
            outcome = Outcome(ran=names, differences=[f"{type(e).__name__}: {e}"])
            counts["errors"] += 1
        for name, why in outcome.skipped.items():
            if why.startswith("an inf"):
                key = f"{name}: an inf, NaN or subnormal arose (indeterminate there)"
            else:
                key = f"{name}: could not express it (a type its device lacks)"
            skipped[key] = skipped.get(key, 0) + 1
        if outcome.differences:
            found.append((program, outcome))
            if args.shrink:
                raise AssertionError(outcome.differences[0])
            counts["differed"] += 1
            path = save_regression(program, outcome, save_dir)
            print(f"case {program.key()} differs ({outcome.differences[0][:200]}): saved {path}")

    if args.seed is not None:
        one = seed(args.seed)(one)  # type: ignore[assignment]
    start = time.perf_counter()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # `timeout` ends a long run: the counts so far still print
    try:
        one()
    except KeyboardInterrupt:
        print("stopped early (interrupted): the counts below are those so far")
    except AssertionError:
        program, outcome = found[-1]
        counts["differed"] = 1
        print(f"shrunk case saved as {save_regression(program, outcome, REGRESSIONS)}")
    seconds = time.perf_counter() - start
    print(f"backends {', '.join(names)} (reference {names[0]}); {seconds:.0f} s")
    print(
        f"kernels ran: {counts['ran']}, differed: {counts['differed']} (internal errors: {counts['errors']})"
    )
    for key, n in skipped.items():
        print(f"  skipped on {key}: {n}")
    return 1 if counts["differed"] else 0


if __name__ == "__main__":
    sys.exit(main())
