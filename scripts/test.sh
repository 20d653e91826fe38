#!/usr/bin/env bash
# Runs the whole test suite: pytest (tests/) and lit + filecheck (tests/filecheck), then prints the
# counts. Exits non-zero if either fails. Sets everything up on first use. Extra arguments go to pytest.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh" || exit 1
cd "$ROOT"
BIN="$ROOT/.venv/bin"
REPORTS="$(mktemp -d)"
trap 'rm -rf "$REPORTS"' EXIT

echo "== pytest tests"
"$BIN/python" -m pytest tests -q -p no:cacheprovider --junitxml="$REPORTS/pytest.xml" "$@"
pytest_status=$?

echo "== lit tests/filecheck"
"$BIN/lit" tests/filecheck -q --xunit-xml-output="$REPORTS/lit.xml"
lit_status=$?

if [ "$pytest_status" -ne 0 ] || [ "$lit_status" -ne 0 ]; then
  echo "FAILED (pytest exit $pytest_status, lit exit $lit_status)"
fi

# Count from the JUnit reports, which both runners write the same way; the total is the last line.
"$BIN/python" - "$REPORTS/pytest.xml" "$REPORTS/lit.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET

total = {"passed": 0, "failed": 0, "skipped": 0}
for path, name in zip(sys.argv[1:], ("pytest", "lit")):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        print(f"{name}: no report (the runner did not finish)")
        total["failed"] += 1
        continue
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        counts["failed"] += failed
        counts["skipped"] += skipped
        counts["passed"] += tests - failed - skipped
    for key in total:
        total[key] += counts[key]
    print(f"{name}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
print(f"total: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
PY

[ "$pytest_status" -eq 0 ] && [ "$lit_status" -eq 0 ]
