#!/usr/bin/env bash
# Runs khal's main demo, examples/add_assign.py, on the best backend this machine has
# (until a backend exists it prints the kernel's IR). Sets everything up on first use.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
exec "$ROOT/.venv/bin/python" "$ROOT/examples/add_assign.py" "$@"
