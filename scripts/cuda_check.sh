#!/usr/bin/env bash
# Everything the CUDA backend needs checked on a GPU, in one command (about 150 s on the lent H200):
#   1. warm the compile cache: every kernel of tests/runtime compiled for this device, on all cores;
#   2. the runtime tests on cuda (`pytest tests/runtime -k cuda`: every generic runtime test's [cuda] case,
#      tests/runtime/test_cuda.py with the torch/CuPy interop);
#   3. benchmarks/cuda.py (the ratio table);
#   4. scripts/cuda_sanitize.sh (compute-sanitizer memcheck + racecheck).
# Logs go to $OUT when it is set (else a temporary folder, printed). Without a GPU every step runs what
# it can and skips the rest, saying why. On the lent host, with a checkout prepared by
# ../shared/gpu/prepare.sh, .gpu/env.sh is sourced first when xdsl is not importable.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c "import xdsl" 2>/dev/null && [ -f .gpu/env.sh ]; then
  # shellcheck disable=SC1091
  source .gpu/env.sh
fi
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export KHAL_CACHE_DIR="${KHAL_CACHE_DIR:-$(mktemp -d)}"
LOGS="${OUT:-$(mktemp -d)}"
mkdir -p "$LOGS"
echo "logs: $LOGS"
start=$SECONDS

echo "== device"
(nvidia-smi -L 2>/dev/null || echo "no nvidia-smi") | head -4
"$PYTHON" -c "import khal; print(khal.Cuda())" 2>&1 | tail -1

echo "== 1. warm the compile cache ($((SECONDS - start)) s)"
timeout 45 "$PYTHON" - <<'PY' 2>&1 | tail -3
import concurrent.futures as cf
import importlib
import multiprocessing as mp
import os
import sys
from pathlib import Path

TESTS = Path.cwd() / "tests" / "runtime"


def compile_group(job):
    arch, ptx, items = job
    sys.path.insert(0, str(TESTS))
    from khal.compiler import compile_kernel
    from khal.targets.ptx import CudaOptions, compiling_for

    done = 0
    for module, name in items:
        try:
            with compiling_for(CudaOptions(arch, ptx)):
                compile_kernel(getattr(importlib.import_module(module), name), "cuda")
            done += 1
        except Exception:  # kernels that tests expect to fail to compile
            pass
    return done


def main():
    import khal

    try:
        opts = khal.Cuda().options
    except khal.BackendUnavailable as e:
        print(f"skipped: {e}")
        return
    sys.path.insert(0, str(TESTS))
    items = []
    for path in sorted(TESTS.glob("*.py")):
        if path.stem in ("conftest",):
            continue
        try:
            module = importlib.import_module(path.stem)
        except Exception:
            continue
        items += [(path.stem, n) for n, v in vars(module).items() if isinstance(v, khal.Kernel)]
    workers = max(1, min(len(os.sched_getaffinity(0)), 16))
    groups = [items[i::workers] for i in range(workers)]
    with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        done = sum(pool.map(compile_group, [(opts.arch, opts.ptx, g) for g in groups]))
    print(f"{done} of {len(items)} kernels compiled for {opts.arch}/{opts.ptx} on {workers} processes")


if __name__ == "__main__":
    main()
PY

echo "== 2. runtime tests on cuda ($((SECONDS - start)) s)"
parallel=()  # pytest-xdist where it is installed: one process (and CUDA context) per test file
if "$PYTHON" -c "import xdist" 2>/dev/null; then parallel=(-n 8 --dist loadfile); fi
timeout 100 "$PYTHON" -m pytest tests/runtime -k cuda -q -p no:cacheprovider -rs --durations=5 "${parallel[@]}" \
  --junitxml="$LOGS/cuda-tests.xml" 2>&1 | tee "$LOGS/cuda-tests.log" | tail -60
tests_status=${PIPESTATUS[0]}

echo "== 3. benchmarks/cuda.py ($((SECONDS - start)) s)"
timeout 60 "$PYTHON" benchmarks/cuda.py 2>&1 | tee "$LOGS/cuda-bench.log"
bench_status=${PIPESTATUS[0]}

echo "== 4. scripts/cuda_sanitize.sh ($((SECONDS - start)) s)"
OUT="$LOGS" timeout 60 bash scripts/cuda_sanitize.sh >"$LOGS/cuda-sanitize.log" 2>&1
sanitize_status=$?
grep -E "^==|ERROR SUMMARY|RACECHECK SUMMARY|results|skipped|Error|error" "$LOGS/cuda-sanitize.log" | head -30

echo "== done in $((SECONDS - start)) s: tests exit $tests_status, benchmark exit $bench_status," \
  "sanitizer exit $sanitize_status (124: timed out)"
[ "$tests_status" -eq 0 ] && [ "$bench_status" -eq 0 ] && [ "$sanitize_status" -eq 0 ]
