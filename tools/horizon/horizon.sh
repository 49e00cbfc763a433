#!/usr/bin/env bash
# OpenStack Horizon 27 (from PyPI, Django 5.2) with Karbor's panels
# (dashboard/, the karbor-dashboard distribution) on 127.0.0.1, for users
# who want to try the panels and for the browser tests. It runs under
# gunicorn in a virtual environment of its own (never the project's),
# serves its static files through whitenoise (collected and compressed
# ahead of time), keeps sessions in signed cookies (no memcached) and logs
# users in against a Keystone (tools/keystone/keystone.sh by default).
#
#   tools/horizon/horizon.sh install   # venv + horizon + the panels (pip
#                                      # install -e dashboard/), settings;
#                                      # Debian chromium + chromium-driver
#                                      # for the browser tests unless
#                                      # KARBOR_HORIZON_BROWSER=no
#   tools/horizon/horizon.sh start     # install if needed, copy the enabled
#                                      # files, rebuild static files when
#                                      # they changed, start; no-op if up
#   tools/horizon/horizon.sh status    # exit 0 and print the URL if up
#   tools/horizon/horizon.sh stop      # end the gunicorn started here, by
#                                      # PID (refused while test processes
#                                      # use it, unless "stop --force")
#
# Once started, start and status print (KEY=value lines):
#   KARBOR_HORIZON_URL=http://127.0.0.1:$KARBOR_HORIZON_PORT
#   KARBOR_HORIZON_KEYSTONE_URL=<the Keystone it logs users in to>
#
# Environment:
#   KARBOR_HORIZON_DIR          state directory (default /tmp/karbor-horizon):
#                               venv/, run/, log/, static/, manage.py
#   KARBOR_HORIZON_PORT         port (default 18080)
#   KARBOR_HORIZON_KEYSTONE_URL Keystone (default http://127.0.0.1:15000/v3,
#                               the one of tools/keystone/keystone.sh)
#   KARBOR_HORIZON_PYTHON       interpreter of the venv (default python3)
#   KARBOR_HORIZON_THREADS      requests served at once (default 4)
#   KARBOR_HORIZON_BROWSER      yes (default): install also installs Debian's
#                               chromium and chromium-driver when missing
#                               (apt-get, as root) for the browser tests
#
# Traps met on the way (see also ../shared peers' recipe): Horizon reads its
# local settings only from inside the installed package
# (openstack_dashboard/local/), so one Horizon per venv; the stock cache is
# a memcached that is not there (LocMemCache + signed-cookie sessions
# instead); with offline compression every page answers 500 until
# "compress" ran after any change of the settings or the enabled files;
# after login Horizon lands on /project/, whose default panel needs Nova,
# so users land on Data Protection > Providers instead.
#
# Measured on a 2-core machine: install about 60-200 s (pip), static build
# 15-40 s (only when settings or enabled files change), gunicorn to login
# page 4-12 s.
set -euo pipefail

DIR=${KARBOR_HORIZON_DIR:-/tmp/karbor-horizon}
SERVICE=horizon
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=../service-common.sh
. "$HERE/../service-common.sh"
PORT=${KARBOR_HORIZON_PORT:-18080}
PYTHON=${KARBOR_HORIZON_PYTHON:-python3}
THREADS=${KARBOR_HORIZON_THREADS:-4}
KEYSTONE_URL=${KARBOR_HORIZON_KEYSTONE_URL:-http://127.0.0.1:15000/v3}
BROWSER=${KARBOR_HORIZON_BROWSER:-yes}

HORIZON_REQ='horizon==27.*'
DJANGO_REQ='Django>=5.2,<6'
HOST=127.0.0.1
URL=http://$HOST:$PORT
VENV=$DIR/venv
RUN=$DIR/run
LOG=$DIR/log
PIDFILE=$RUN/gunicorn.pid
PROC_NAME=karbor-horizon-$PORT
STAMP=$DIR/.static-built
DASHBOARD=$REPO/dashboard

# ---------------------------------------------------------------- install

site() { "$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
openstack_dashboard() { echo "$(site)/openstack_dashboard"; }

installed() {
    [ -f "$VENV/.karbor-installed" ] && [ -x "$VENV/bin/gunicorn" ] &&
        [ "$(cat "$VENV/.karbor-dashboard-path" 2>/dev/null)" = "$DASHBOARD" ]
}

install_browser() {
    [ "$BROWSER" = yes ] || return 0
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
    command -v apt-get >/dev/null ||
        die "no /usr/bin/chromium or /usr/bin/chromedriver, and no apt-get to install them"
    local t0; t0=$(now)
    log "installing Debian chromium and chromium-driver (apt-get)"
    apt-get update -q >"$LOG/apt.log" 2>&1 ||
        { tail -n 20 "$LOG/apt.log" >&2; die "apt-get update failed"; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
        chromium-driver >>"$LOG/apt.log" 2>&1 ||
        { tail -n 20 "$LOG/apt.log" >&2; die "apt-get install chromium chromium-driver failed"; }
    log "chromium installed in $(since "$t0") s"
}

do_install() {
    mkdir -p "$RUN" "$LOG"
    install_browser
    installed && return 0
    local t0; t0=$(now)
    [ -x "$VENV/bin/pip" ] || "$PYTHON" -m venv "$VENV"
    if ! "$VENV/bin/python" -c 'import openstack_dashboard, gunicorn, whitenoise' 2>/dev/null; then
        log "installing $HORIZON_REQ, $DJANGO_REQ, gunicorn and whitenoise into $VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check \
            "$HORIZON_REQ" "$DJANGO_REQ" gunicorn whitenoise
    fi
    # The panels, editable: a change in dashboard/ is live at the next start.
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -e "$DASHBOARD"
    echo "$DASHBOARD" >"$VENV/.karbor-dashboard-path"
    "$VENV/bin/python" -c \
        'import importlib.metadata as m; print(m.version("horizon"))' \
        >"$VENV/.karbor-installed"
    rm -f "$STAMP"
    log "installed horizon $(cat "$VENV/.karbor-installed") and karbor-dashboard in $(since "$t0") s"
}

# ---------------------------------------------------------------- configs

write_settings() {
    local D; D=$(openstack_dashboard)
    mkdir -p "$DIR/static" "$D/local/local_settings.d" "$D/local/enabled"
    [ -s "$DIR/secret_key" ] || "$VENV/bin/python" -c \
        'import secrets; print(secrets.token_urlsafe(50))' >"$DIR/secret_key"
    cat >"$D/local/local_settings.py" <<EOF
# Written by tools/horizon/horizon.sh of Karbor.
from openstack_dashboard.settings import HORIZON_CONFIG

DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
WEBROOT = '/'
with open('$DIR/secret_key') as _f:
    SECRET_KEY = _f.read().strip()

OPENSTACK_HOST = '127.0.0.1'
OPENSTACK_KEYSTONE_URL = '$KEYSTONE_URL'
OPENSTACK_KEYSTONE_DEFAULT_ROLE = 'member'
OPENSTACK_KEYSTONE_MULTIDOMAIN_SUPPORT = False
OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = 'Default'
OPENSTACK_ENDPOINT_TYPE = 'publicURL'
TIME_ZONE = 'UTC'

# The stock landing page's panel needs Nova: land on Data Protection.
HORIZON_CONFIG['user_home'] = '/project/data_protection_providers/'

# No memcached: sessions in signed cookies, a per-process cache.
SESSION_ENGINE = 'django.contrib.sessions.backends.signed_cookies'
CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}

STATIC_ROOT = '$DIR/static'
STATIC_URL = '/static/'
COMPRESS_ENABLED = True
COMPRESS_OFFLINE = True

LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'handlers': {'file': {'class': 'logging.FileHandler',
                          'filename': '$LOG/horizon.log'}},
    'root': {'handlers': ['file'], 'level': 'INFO'},
}
EOF
    cat >"$D/local/local_settings.d/_90_karbor_whitenoise.py" <<'EOF'
# Written by tools/horizon/horizon.sh: serve STATIC_ROOT from the WSGI app.
MIDDLEWARE = ('whitenoise.middleware.WhiteNoiseMiddleware',) + tuple(MIDDLEWARE)
EOF
    # The panels' enabled files (what an operator copies by hand).
    rm -f "$D"/local/enabled/_6[0-9][0-9][0-9]_data_protection*.py
    cp "$DASHBOARD"/karbor_dashboard/enabled/_6*.py "$D/local/enabled/"
    # The wheel has no manage.py.
    cat >"$DIR/manage.py" <<EOF
#!$VENV/bin/python
import os, sys
if __name__ == '__main__':
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'openstack_dashboard.settings')
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
EOF
    chmod +x "$DIR/manage.py"
}

static_key() {  # what the offline bundles depend on
    local D; D=$(openstack_dashboard)
    cat "$D/local/local_settings.py" "$D"/local/local_settings.d/*.py \
        "$D"/local/enabled/_[0-9]*.py 2>/dev/null | sha256sum | cut -c1-16
}

build() {
    local t0; t0=$(now)
    (cd "$DIR" && "$VENV/bin/python" manage.py collectstatic --noinput \
        --clear -v0) >"$LOG/collectstatic.log" 2>&1 9>&- ||
        { tail -n 30 "$LOG/collectstatic.log" >&2; die "collectstatic failed"; }
    (cd "$DIR" && "$VENV/bin/python" manage.py compress --force -v0) \
        >"$LOG/compress.log" 2>&1 9>&- ||
        { tail -n 30 "$LOG/compress.log" >&2; die "compress failed"; }
    static_key >"$STAMP"
    log "static files built in $(since "$t0") s"
}

# ---------------------------------------------------------------- processes

live_pid() { pid_of "$PIDFILE" "$PROC_NAME"; }

page_ok() {
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
        "$URL/auth/login/")" = 200 ]
}

# What the running server loaded: the panels' code and templates, the
# enabled files and the settings (a server started from older ones is
# restarted by start, and status says so).
code_key() {
    find "$DASHBOARD/karbor_dashboard" -type f \( -name '*.py' -o -name '*.html' \) \
        -not -path '*/tests/*' | sort | xargs cat | sha256sum | cut -c1-16
}
current() { [ "$(cat "$RUN/code-key" 2>/dev/null)" = "$(code_key)" ]; }

running() { live_pid >/dev/null && page_ok && current; }

print_env() {
    echo "KARBOR_HORIZON_URL=$URL"
    echo "KARBOR_HORIZON_KEYSTONE_URL=$KEYSTONE_URL"
}

kill_started() { stop_gunicorn "$PIDFILE" "$PROC_NAME"; }

do_start() {
    if running; then
        log "already running"
        print_env
        return 0
    fi
    if live_pid >/dev/null && ! current; then
        log "the panels changed since Horizon started: restarting it"
    fi
    do_install
    kill_started
    ! port_open "$PORT" ||
        die "port $PORT is taken by another program; choose another with KARBOR_HORIZON_PORT"
    local t0; t0=$(now)
    write_settings
    [ "$(cat "$STAMP" 2>/dev/null)" = "$(static_key)" ] || build
    # The server must not inherit the lock (fd 9) or our stdout, or it
    # would hold them for its whole life.
    "$VENV/bin/gunicorn" --chdir "$DIR" --bind "$HOST:$PORT" --workers 1 \
        --worker-class gthread --threads "$THREADS" --timeout 120 \
        --no-control-socket --name "$PROC_NAME" --pid "$PIDFILE" \
        --access-logfile "$LOG/access.log" \
        openstack_dashboard.wsgi:application \
        </dev/null >"$LOG/gunicorn.log" 2>&1 9>&- &
    echo $! >"$PIDFILE"
    code_key >"$RUN/code-key"
    local deadline=$((SECONDS + 180))
    until page_ok; do
        if [ $SECONDS -ge $deadline ] || ! live_pid >/dev/null; then
            log "Horizon did not come up; logs in $LOG:"
            tail -n 30 "$LOG/gunicorn.log" "$LOG/horizon.log" >&2 || true
            kill_started
            exit 1
        fi
        sleep 0.2
    done
    log "started in $(since "$t0") s; $URL (Keystone $KEYSTONE_URL)"
    print_env
}

do_status() {
    local pid
    if ! pid=$(live_pid); then
        log "not running"
        return 3
    fi
    if ! page_ok; then
        log "gunicorn (pid $pid) runs, but $URL/auth/login/ does not answer 200"
        return 3
    fi
    if ! current; then
        log "running (pid $pid), but with older panels than dashboard/: start restarts it"
        return 3
    fi
    log "running, pid $pid"
    print_env
}

cmd=${1:-}
case $cmd in
    install) with_lock; do_install; write_settings ;;
    start) with_lock; do_start ;;
    stop) with_lock; [ "${2:-}" = --force ] || no_test_users
          kill_started; log "stopped" ;;
    status) do_status ;;
    *) echo "usage: $0 install|start|stop [--force]|status" >&2; exit 2 ;;
esac
