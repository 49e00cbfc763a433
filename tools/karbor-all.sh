#!/usr/bin/env bash
# Install Karbor into .venv and start karbor-all, the embedded default:
# API and protection service in one process, SQLite in the state directory,
# in-process messaging, noauth, on http://127.0.0.1:8799/. No config file.
# Arguments go to karbor-all (see "tools/karbor-all.sh --help").
#
# The install is skipped when nothing it depends on changed since the last
# one (Python, requirements.txt, setup.cfg, setup.py); Karbor's own code is
# installed in place, so editing it needs no install.
set -eu -o pipefail
cd "$(dirname "$0")/.."
VENV=${KARBOR_VENV:-.venv}
PYTHON=${PYTHON:-python3}
say() { echo "karbor-all.sh: $*" >&2; }

stamp="$VENV/.karbor-all-installed"
wanted=$({ "$PYTHON" --version; cat requirements.txt setup.cfg setup.py; } |
         sha256sum | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -x "$VENV/bin/karbor-all" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    say "installing Karbor and its requirements into $VENV with pip (the first time takes a few minutes):"
    rm -f "$stamp"
    "$VENV/bin/pip" install --disable-pip-version-check --progress-bar off \
        -r requirements.txt -e . 2>&1 |
        sed -u -n -e 's/^Collecting \([^ ]*\).*/  collecting \1/p' \
            -e 's/^Successfully installed \(.*\)/  installed: \1/p' \
            -e '/^ERROR/p' >&2
    echo "$wanted" > "$stamp"
    say "installed"
else
    say "already installed in $VENV, nothing changed: starting"
fi
exec "$VENV/bin/karbor-all" "$@"
