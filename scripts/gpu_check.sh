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
LOGS="${OUT:-$(mktemp -d)}"
mkdir -p "$LOGS"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export KHAL_CACHE_DIR="${KHAL_CACHE_DIR:-$(mktemp -d)}"
start=$SECONDS
xdist=()
if "$PYTHON" -c "import xdist" 2>/dev/null; then xdist=(-n 12 --dist loadfile); fi
step() { echo "== $1 ($((SECONDS - start)) s)"; }

step "device"
(nvidia-smi -L 2>/dev/null || echo "no nvidia-smi") | head -2
"$PYTHON" -c "import khal; print(khal.available_backends()); print(khal.Cuda()); print(khal.WebGpu())" 2>&1 | tail -3

step "cuda runtime tests"
timeout "${CUDA_TESTS_S:-75}" "$PYTHON" -m pytest tests/runtime -k cuda -q -p no:cacheprovider -rfs --maxfail=25 \
  "${xdist[@]}" 2>&1 | tee "$LOGS/cuda-tests.log" | grep -v "^\.*$" | tail -40

step "webgpu runtime tests"
timeout "${WEBGPU_TESTS_S:-45}" "$PYTHON" -m pytest tests/runtime -k webgpu -q -p no:cacheprovider -rf --maxfail=15 \
  "${xdist[@]}" 2>&1 | tee "$LOGS/webgpu-tests.log" | grep -v "^\.*$" | tail -25

step "benchmarks/cuda.py"
timeout "${CUDA_BENCH_S:-40}" "$PYTHON" benchmarks/cuda.py 2>&1 | tee "$LOGS/cuda-bench.log" | tail -20

step "benchmarks/webgpu.py"
timeout "${WEBGPU_BENCH_S:-30}" "$PYTHON" benchmarks/webgpu.py 2>&1 | tee "$LOGS/webgpu-bench.log" | tail -14

step "compute-sanitizer"
OUT="$LOGS" timeout "${SANITIZE_S:-25}" bash scripts/cuda_sanitize.sh >"$LOGS/cuda-sanitize.log" 2>&1
echo "sanitizer exit $?"
grep -E "ERROR SUMMARY|RACECHECK SUMMARY|results|skipped|rror" "$LOGS/cuda-sanitize.log" | head -12
step "conformance suite"
timeout "${CONF_S:-90}" "$PYTHON" -m pytest tests/conformance -q -p no:cacheprovider -rfs --maxfail=40 \
  "${xdist[@]}" 2>&1 | tee "$LOGS/conformance.log" | grep -v "^\.*$" | tail -30

step "fuzz: ${FUZZ_JOBS:-0} x ${FUZZ_N:-0} kernels on cpu,cuda,webgpu"
if [ "${FUZZ_JOBS:-0}" -gt 0 ]; then
  for j in $(seq 1 "$FUZZ_JOBS"); do
    mkdir -p "$LOGS/fuzz-cases-$j"
    KHAL_CACHE_DIR="$KHAL_CACHE_DIR-fuzz$j" timeout "${FUZZ_S:-200}" "$PYTHON" benchmarks/fuzz.py \
      --examples "$FUZZ_N" --backends cpu,cuda,webgpu --seed "$((1000 + j))" --save-dir "$LOGS/fuzz-cases-$j" \
      >"$LOGS/fuzz-$j.log" 2>&1 &
  done
  wait
  for j in $(seq 1 "$FUZZ_JOBS"); do echo "job $j: $(grep -E "kernels ran|could not|backends" "$LOGS/fuzz-$j.log" | tr '\n' ' ')"; done
fi
step "done"
