#!/usr/bin/env bash
# Runs khal's main demo, examples/add_assign.py, on the best backend this machine has
# (cuda > webgpu > cpu: webgpu wherever a Vulkan driver works, lavapipe included; KHAL_BACKEND picks
# another). Sets everything up on first use.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
# Mesa's Vulkan driver complains on stderr when XDG_RUNTIME_DIR is unset (harmless): give it one.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
    XDG_RUNTIME_DIR="$(mktemp -d)"
    export XDG_RUNTIME_DIR
fi
exec "$ROOT/.venv/bin/python" "$ROOT/examples/add_assign.py" "$@"
