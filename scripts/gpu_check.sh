#!/usr/bin/env bash
# Everything that needs the lent GPU machine, in one command (device time is scarce: one call does it all):
#   1. the CUDA backend: scripts/cuda_check.sh's steps (compile cache warm-up, runtime tests on cuda,
#      benchmarks/cuda.py, compute-sanitizer), each time-boxed;
#   2. the WebGPU backend on the GPU through Vulkan: the runtime tests on webgpu, benchmarks/webgpu.py;
#   3. the conformance suite on every backend, and differential fuzzing of cuda and webgpu against cpu
#      (FUZZ_JOBS processes of FUZZ_N kernels each, distinct seeds; each kernel runs on all three backends).
# Logs go to $OUT when set. Budget each step with the *_S variables (seconds). Start the device command with
# `source .gpu/env.sh;` (DEVELOPERS.md).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
LOGS="$(mktemp -d)"
mkdir -p "$LOGS"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export KHAL_CACHE_DIR="${KHAL_CACHE_DIR:-$(mktemp -d)}"
start=$SECONDS
# STEPS="cuda-tests webgpu-tests ..." runs only the named steps (default: all of them).
want() { [ -z "${STEPS:-}" ] || [[ " $STEPS " == *" $1 "* ]]; }
xdist=()
if "$PYTHON" -c "import xdist" 2>/dev/null; then xdist=(-n 12 --dist loadfile); fi
# Every log is also packed into $OUT/logs.tgz after each step (the device tool returns only a few files).
step() {
  echo "== $1 ($((SECONDS - start)) s)"
  [ -n "${OUT:-}" ] && tar czf "$OUT/logs.tgz.part" --exclude='logs.tgz*' -C "$LOGS" . 2>/dev/null \
    && mv "$OUT/logs.tgz.part" "$OUT/logs.tgz"
}

step "device"
(nvidia-smi -L 2>/dev/null || echo "no nvidia-smi") | head -2
"$PYTHON" -c "import khal; print(khal.available_backends()); print(khal.Cuda()); print(khal.WebGpu())" 2>&1 | tail -3

step "cuda runtime tests"
if want cuda-tests; then
timeout "${CUDA_TESTS_S:-75}" "$PYTHON" -m pytest tests/runtime -k cuda -q -p no:cacheprovider -rfs --tb=short --maxfail=25 \
  "${xdist[@]}" 2>&1 | tee "$LOGS/cuda-tests.log" | grep -v "^\.*$" | tail -40

fi
step "webgpu runtime tests"
if want webgpu-tests; then
timeout "${WEBGPU_TESTS_S:-45}" "$PYTHON" -m pytest tests/runtime -k webgpu -q -p no:cacheprovider -rf --tb=short --maxfail=60 \
  "${xdist[@]}" 2>&1 | tee "$LOGS/webgpu-tests.log" | grep -v "^\.*$" | tail -25

fi
step "benchmarks/cuda.py"
if want cuda-bench; then
timeout "${CUDA_BENCH_S:-40}" "$PYTHON" benchmarks/cuda.py 2>&1 | tee "$LOGS/cuda-bench.log" | tail -20

fi
step "benchmarks/webgpu.py"
if want webgpu-bench; then
timeout "${WEBGPU_BENCH_S:-30}" "$PYTHON" benchmarks/webgpu.py 2>&1 | tee "$LOGS/webgpu-bench.log" | tail -14

fi
step "compute-sanitizer"
if want sanitize; then
OUT="$LOGS" timeout "${SANITIZE_S:-25}" bash scripts/cuda_sanitize.sh >"$LOGS/cuda-sanitize.log" 2>&1
echo "sanitizer exit $?"
grep -E "ERROR SUMMARY|RACECHECK SUMMARY|results|skipped|rror" "$LOGS/cuda-sanitize.log" | head -12
fi
step "conformance suite"
if want conformance; then
timeout "${CONF_S:-90}" "$PYTHON" -m pytest tests/conformance ${CONF_K:+-k "$CONF_K"} -q -p no:cacheprovider -rfs --tb=short --maxfail=100 \
  "${xdist[@]}" 2>&1 | tee "$LOGS/conformance.log" | grep -v "^\.*$" | tail -30

fi
step "fuzz: ${FUZZ_JOBS:-0} x ${FUZZ_N:-0} kernels on cpu,cuda,webgpu"
if want fuzz; then
if [ "${FUZZ_JOBS:-0}" -gt 0 ]; then
  for j in $(seq 1 "$FUZZ_JOBS"); do
    mkdir -p "$LOGS/fuzz-cases-$j"
    KHAL_CACHE_DIR="$KHAL_CACHE_DIR-fuzz$j" timeout "${FUZZ_S:-200}" "$PYTHON" benchmarks/fuzz.py \
      --examples "$FUZZ_N" --backends cpu,cuda,webgpu --seed "$((1000 + j))" --save-dir "$LOGS/fuzz-cases-$j" \
      >"$LOGS/fuzz-$j.log" 2>&1 &
  done
  wait
  for j in $(seq 1 "$FUZZ_JOBS"); do echo "job $j: $(grep -E "kernels ran|skipped on|backends" "$LOGS/fuzz-$j.log" | tr '\n' ' ')"; done
fi
fi
step "done"
