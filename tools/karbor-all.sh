#!/usr/bin/env bash
# Install Karbor into .venv and start karbor-all, the embedded default:
# API and protection service in one process, SQLite in the state directory,
# in-process messaging, noauth, on http://127.0.0.1:8799/. No config file.
# Arguments go to karbor-all (see "tools/karbor-all.sh --help").
set -eu -o pipefail
cd "$(dirname "$0")/.."
VENV=${KARBOR_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt -e .
exec "$VENV/bin/karbor-all" "$@"
