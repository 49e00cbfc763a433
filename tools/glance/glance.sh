#!/usr/bin/env bash
# A throwaway OpenStack Glance 33 (from PyPI) on 127.0.0.1 for Karbor's
# functional tests of the Glance image plugin. Glance 33 is only a WSGI app
# (no standalone glance-api server any more): it runs under gunicorn, in a
# virtual environment of its own (never the project's), with a SQLite
# database and the local file store, and either no Keystone (the paste
# "unauthenticated-context" pipeline makes every request an admin request,
# whatever token it carries) or, with KARBOR_GLANCE_AUTH=keystone, behind
# keystonemiddleware and a real Keystone (tools/keystone/keystone.sh).
#
#   tools/glance/glance.sh install   # venv + glance + gunicorn (pip)
#   tools/glance/glance.sh start     # install if needed, start; no-op if up
#   tools/glance/glance.sh status    # exit 0 and print the endpoint if up
#   tools/glance/glance.sh stop      # end the gunicorn started here, by PID
#                                    # (refused while test processes use it,
#                                    # unless "stop --force")
#
# Once started, start and status print (KEY=value line):
#   KARBOR_GLANCE_ENDPOINT=http://127.0.0.1:$KARBOR_GLANCE_PORT
# Clients: glanceclient.Client('2', endpoint=<that>, token=<anything>).
#
# Environment:
#   KARBOR_GLANCE_DIR     state directory (default /tmp/karbor-glance):
#                         venv/, etc/, run/ (PID file), log/, images/,
#                         staging/, tasks/, locks/, glance.sqlite
#   KARBOR_GLANCE_PORT    API port (default 19292, off Glance's usual 9292)
#   KARBOR_GLANCE_PYTHON  interpreter of the venv (default python3)
#   KARBOR_GLANCE_THREADS requests served at once (default 1; more makes
#                         SQLite answer "database is locked" at times)
#   KARBOR_GLANCE_VENV    the venv (default $KARBOR_GLANCE_DIR/venv); another
#                         instance may name the first one's, so that Glance
#                         is installed once (installs hold
#                         $KARBOR_GLANCE_VENV.lock)
#   KARBOR_GLANCE_AUTH    none (default) or keystone: tokens validated by
#                         keystonemiddleware with Glance's service user, and
#                         a caller's expired token accepted when a service
#                         token with the service role comes with it
#                         (service_token_roles_required); then also
#     KARBOR_GLANCE_KEYSTONE_URL       the Keystone (http://.../v3)
#     KARBOR_GLANCE_KEYSTONE_PASSWORD  of user glance (project service;
#                                      default glance)
#
# Every start begins from an empty database and an empty image store: this
# Glance is for tests. Commands that change state hold a lock
# ($KARBOR_GLANCE_DIR/glance.lock), so concurrent starts start it once.
#
# Measured on a 2-core machine: install ~31 s (pip into a new venv), start
# 2.5-5.5 s (db_sync 1.3-1.6 s, then gunicorn loading the app), stop
# ~0.7 s. SQLite waits up to 60 s for its lock (?timeout=60), and gunicorn
# serves one request at a time (KARBOR_GLANCE_THREADS): with 8 threads and
# the default 5 s, parallel test workers got "database is locked" (500).
set -euo pipefail

DIR=${KARBOR_GLANCE_DIR:-/tmp/karbor-glance}
SERVICE=glance
# shellcheck source=../service-common.sh
. "$(cd "$(dirname "$0")" && pwd)/../service-common.sh"
PORT=${KARBOR_GLANCE_PORT:-19292}
PYTHON=${KARBOR_GLANCE_PYTHON:-python3}
# Glance on SQLite with concurrent requests answers 500 "database is
# locked" now and then (a transaction that read and then writes while
# another writes is refused at once, whatever the busy timeout): by
# default one request at a time.
THREADS=${KARBOR_GLANCE_THREADS:-1}
AUTH=${KARBOR_GLANCE_AUTH:-none}
case $AUTH in
    none) ;;
    keystone)
        KEYSTONE_URL=${KARBOR_GLANCE_KEYSTONE_URL:?KARBOR_GLANCE_AUTH=keystone needs KARBOR_GLANCE_KEYSTONE_URL}
        KEYSTONE_PASSWORD=${KARBOR_GLANCE_KEYSTONE_PASSWORD:-glance} ;;
    *) die "KARBOR_GLANCE_AUTH must be none or keystone, not $AUTH" ;;
esac

GLANCE_REQ='glance==33.*'
HOST=127.0.0.1
ENDPOINT=http://$HOST:$PORT
VENV=${KARBOR_GLANCE_VENV:-$DIR/venv}
ETC=$DIR/etc
RUN=$DIR/run
LOG=$DIR/log
PIDFILE=$RUN/gunicorn.pid
PROC_NAME=karbor-glance-$PORT




# ---------------------------------------------------------------- install

installed() {
    [ -f "$VENV/.karbor-installed" ] && [ -x "$VENV/bin/gunicorn" ] &&
        [ -x "$VENV/bin/glance-manage" ]
}

do_install() {
    installed && return 0
    # The venv may be another instance's: one install at a time.
    mkdir -p "$(dirname "$VENV")"
    exec 8>"$VENV.lock"
    flock 8
    installed && return 0
    local t0; t0=$(now)
    log "installing $GLANCE_REQ and gunicorn into $VENV"
    [ -x "$VENV/bin/pip" ] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "$GLANCE_REQ" gunicorn
    "$VENV/bin/python" -c 'import glance.wsgi.api' 2>/dev/null ||
        "$VENV/bin/python" -c 'import glance, gunicorn'
    [ -f "$VENV/etc/glance/glance-api-paste.ini" ] ||
        die "the wheel did not install etc/glance/glance-api-paste.ini"
    "$VENV/bin/python" -c \
        'import importlib.metadata as m; print(m.version("glance"))' \
        >"$VENV/.karbor-installed"
    log "installed glance $(cat "$VENV/.karbor-installed") in $(since "$t0") s"
}

# ---------------------------------------------------------------- configs

keystone_section() {
    [ "$AUTH" = keystone ] || return 0
    cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
username = glance
password = $KEYSTONE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
service_token_roles = service
service_token_roles_required = true
# No cache of validated tokens: a revoked token is refused at once.
token_cache_time = -1
EOF
}

write_configs() {
    # Behind Keystone: today's policy defaults (a member of a project
    # manages its images); without: every request is an admin request.
    local FLAVOR= NEW_DEFAULTS=false
    [ "$AUTH" != keystone ] || { FLAVOR=keystone; NEW_DEFAULTS=true; }
    rm -rf "$ETC" "$DIR/images" "$DIR/staging" "$DIR/tasks" \
        "$DIR/glance.sqlite"
    mkdir -p "$ETC" "$RUN" "$LOG" "$DIR/images" "$DIR/staging" \
        "$DIR/tasks" "$DIR/locks"

    # The paste file of the wheel, with its healthcheck's disable-file path
    # moved into our state directory.
    sed "s#^disable_by_file_path = .*#disable_by_file_path = $DIR/healthcheck_disable#" \
        "$VENV/etc/glance/glance-api-paste.ini" >"$ETC/glance-api-paste.ini"

    # The unauthenticated context is is_admin but has no roles; today's
    # defaults of these two rules ask for role:admin by name.
    cat >"$ETC/policy.yaml" <<EOF
"publicize_image": ""
"communitize_image": ""
EOF

    cat >"$ETC/glance-api.conf" <<EOF
[DEFAULT]
debug = false
log_file = $LOG/glance-api.log
enabled_backends = fs:file
enabled_import_methods = [glance-direct]
show_image_direct_url = false
show_multiple_locations = false

[database]
connection = sqlite:///$DIR/glance.sqlite?timeout=60

[paste_deploy]
# No flavor: the default pipeline, with unauthenticated-context; keystone:
# keystonemiddleware's auth_token.
flavor = $FLAVOR
config_file = $ETC/glance-api-paste.ini
$(keystone_section)

[glance_store]
default_backend = fs

[fs]
filesystem_store_datadir = $DIR/images/

[os_glance_staging_store]
filesystem_store_datadir = $DIR/staging/

[os_glance_tasks_store]
filesystem_store_datadir = $DIR/tasks/

[oslo_concurrency]
lock_path = $DIR/locks

[oslo_policy]
enforce_new_defaults = $NEW_DEFAULTS
enforce_scope = false
policy_file = $ETC/policy.yaml

[image_format]
# Tests upload random bytes as "raw" images.
require_image_format_match = false
EOF
}

# ---------------------------------------------------------------- processes

# PID of the gunicorn master started here, if it is still that process.
live_pid() { pid_of "$PIDFILE" "$PROC_NAME"; }


# One real request: the image list answers 200 (without Keystone; behind
# it, an unauthenticated request answers 401 from keystonemiddleware).
api_ok() {
    if [ "$AUTH" = keystone ]; then
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
            "$ENDPOINT/v2/images")" = 401 ]
    else
        curl -sf -o /dev/null --max-time 5 -H 'X-Auth-Token: karbor-test' \
            "$ENDPOINT/v2/images"
    fi
}

running() { live_pid >/dev/null && api_ok; }

print_env() {
    echo "KARBOR_GLANCE_ENDPOINT=$ENDPOINT"
    echo "KARBOR_GLANCE_AUTH=$AUTH"
}

kill_started() { stop_gunicorn "$PIDFILE" "$PROC_NAME"; }

do_start() {
    if running; then
        log "already running"
        print_env
        return 0
    fi
    do_install
    kill_started   # leftovers of a half-dead earlier start
    ! port_open "$PORT" ||
        die "port $PORT is taken by another program; choose another with KARBOR_GLANCE_PORT"
    local t0; t0=$(now)
    write_configs
    rm -f "$LOG"/*.log
    "$VENV/bin/glance-manage" --config-file "$ETC/glance-api.conf" db_sync \
        >"$LOG/db_sync.log" 2>&1 9>&- ||
        { tail -n 30 "$LOG/db_sync.log" >&2; die "glance-manage db_sync failed"; }
    local t1; t1=$(now)
    # One worker process with $THREADS thread(s); gthread supports chunked
    # uploads. The server must not inherit the lock (fd 9), or it would
    # outlive us.
    OS_GLANCE_CONFIG_DIR=$ETC "$VENV/bin/gunicorn" \
        --bind "$HOST:$PORT" --workers 1 --worker-class gthread \
        --threads "$THREADS" --timeout 600 --no-control-socket --name "$PROC_NAME" \
        --pid "$PIDFILE" glance.wsgi.api:application \
        >"$LOG/gunicorn.log" 2>&1 9>&- &
    echo $! >"$PIDFILE"
    local deadline=$((SECONDS + 120))
    until api_ok; do
        if [ $SECONDS -ge $deadline ] || ! live_pid >/dev/null; then
            log "Glance did not come up; logs in $LOG:"
            tail -n 30 "$LOG"/*.log >&2 || true
            kill_started
            exit 1
        fi
        sleep 0.1
    done
    log "started in $(since "$t0") s (db_sync $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s); $ENDPOINT"
    print_env
}

do_status() {
    local pid
    if ! pid=$(live_pid); then
        log "not running"
        return 3
    fi
    if ! api_ok; then
        log "gunicorn (pid $pid) runs, but $ENDPOINT/v2/images does not answer"
        return 3
    fi
    log "running, pid $pid"
    print_env
}


cmd=${1:-}
case $cmd in
    install) with_lock; do_install ;;
    start) with_lock; do_start ;;
    stop) with_lock; [ "${2:-}" = --force ] || no_test_users
          kill_started; log "stopped" ;;
    status) do_status ;;
    *) echo "usage: $0 install|start|stop [--force]|status" >&2; exit 2 ;;
esac
