#!/usr/bin/env bash
# Install Karbor and its test dependencies into .venv, then run every test:
# unit, functional (real RabbitMQ, MariaDB, PostgreSQL, processes) and
# end-to-end (the real python-karborclient shell against karbor-all).
#
#   tools/run_tests.sh                 # everything
#   tools/run_tests.sh karbor.tests.unit   # a subset (stestr filter)
#
# Ends with one line "karbor: N passed, M failed, K skipped". A skipped test
# fails the run: nothing here may be counted as passing without running.
set -eu -o pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${KARBOR_VENV:-.venv}

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
    -r requirements.txt -r test-requirements.txt -e .

tools/test-services.sh check

export PATH="$PWD/$VENV/bin:$PATH"
# Logs and output of a test are shown only when it fails.
export OS_LOG_CAPTURE=${OS_LOG_CAPTURE:-1} OS_STDOUT_CAPTURE=${OS_STDOUT_CAPTURE:-1} OS_STDERR_CAPTURE=${OS_STDERR_CAPTURE:-1}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
set +e
"$VENV/bin/stestr" run --concurrency "${KARBOR_TEST_CONCURRENCY:-2}" "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e

count() { sed -n "s/^ - $1: *\([0-9][0-9]*\).*/\1/p" "$out" | tail -n 1; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}
echo
echo "karbor: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$rc" -eq 0 ] && [ "$skipped" -ne 0 ]; then
    echo "error: ${skipped} test(s) skipped; every test must run" >&2
    rc=1
fi
if [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ]; then
    echo "error: no test ran" >&2
    rc=1
fi
exit "$rc"
