#!/usr/bin/env bash
# compute-sanitizer memcheck and racecheck on the reduction, the histogram (workgroup atomics) and the
# tiled matmul, launched through khal.Cuda by a small driver; each kernel's result is checked against numpy.
#   bash scripts/cuda_sanitize.sh        (PYTHON=python3 by default; logs also to $OUT when it is set)
# Exits 0 with "skipped: ..." where there is no CUDA device or no compute-sanitizer; non-zero when a
# tool reports an error or a result is wrong.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
SANITIZER="${COMPUTE_SANITIZER:-$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)}"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export KHAL_CACHE_DIR="${KHAL_CACHE_DIR:-$(mktemp -d)}"
DRIVER="$(mktemp --suffix=.py)"
trap 'rm -f "$DRIVER"' EXIT

cat >"$DRIVER" <<'PY'
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path.cwd() / "tests" / "runtime"))
import runtime_kernels as rk  # noqa: E402

import khal  # noqa: E402

gpu = khal.Cuda()
rng = np.random.default_rng(0)

# The reduction: per-workgroup sums in shared memory with barriers.
data = rng.standard_normal(10_000, dtype=np.float32)
groups = -(-len(data) // rk.REDUCE_WG)
partial = gpu.uninit_buffer(groups, np.float32)
# The histogram: workgroup atomics into shared bins, then global atomics.
values = rng.integers(0, 10_000, 20_000, dtype=np.uint32)
bins = gpu.uninit_buffer(rk.BINS, np.uint32)
# The tiled matmul, with sizes that are not multiples of the tile (the bounds checks run).
m, n, k = 45, 37, 29
a = rng.standard_normal((m, k), dtype=np.float32)
b = rng.standard_normal((k, n), dtype=np.float32)
c = gpu.uninit_buffer(m * n, np.float32)
with gpu.begin_encoding() as enc, enc.begin_pass("sanitize") as p:
    rk.reduce_sum.call(p, len(data), gpu.init_buffer(data), partial)
    rk.histogram_local.call(p, len(values), gpu.init_buffer(values), bins)
    tiles = khal.Workgroups((-(-n // rk.TILE), -(-m // rk.TILE)))
    rk.matmul.call(p, tiles, gpu.init_buffer(a.ravel()), gpu.init_buffer(b.ravel()), c, m, n, k)
sums = gpu.slow_read_vec(partial)
expected = np.add.reduceat(data.astype(np.float64), np.arange(0, len(data), rk.REDUCE_WG))
ok = np.allclose(sums, expected, rtol=1e-4, atol=1e-3)
ok &= np.array_equal(gpu.slow_read_vec(bins), np.bincount(values % rk.BINS, minlength=rk.BINS))
ok &= np.allclose(gpu.slow_read_vec(c).reshape(m, n), a @ b, rtol=1e-4, atol=1e-4)
print("results match numpy" if ok else "RESULTS DIFFER FROM NUMPY")
sys.exit(0 if ok else 2)
PY

if ! "$PYTHON" -c "import khal; khal.Cuda()" 2>/dev/null; then
  echo "skipped: no CUDA device ($("$PYTHON" -c "import khal; khal.Cuda()" 2>&1 | tail -1))"
  exit 0
fi
echo "== without a sanitizer (compiles into the cache, checks the results)"
"$PYTHON" "$DRIVER" || exit 1
if [ ! -x "$SANITIZER" ]; then
  echo "skipped: no compute-sanitizer (set COMPUTE_SANITIZER)"
  exit 0
fi
status=0
for tool in memcheck racecheck; do
  echo "== compute-sanitizer --tool $tool"
  log="${OUT:+$OUT/sanitize-$tool.log}"
  "$SANITIZER" --tool "$tool" --error-exitcode 3 --print-limit 20 "$PYTHON" "$DRIVER" 2>&1 | tee ${log:+"$log"}
  rc=${PIPESTATUS[0]}
  echo "== $tool exit status $rc"
  [ "$rc" -eq 0 ] || status=1
done
exit $status
