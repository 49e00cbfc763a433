#!/usr/bin/env bash
# A throwaway OpenStack Keystone 30 (from PyPI) on 127.0.0.1 for Karbor's
# functional and end-to-end tests. Keystone 30 is only a WSGI app: it runs
# under gunicorn, in a virtual environment of its own (never the
# project's), with fernet tokens, a SQLite database and dogpile's
# in-memory cache.
#
#   tools/keystone/keystone.sh install   # venv + keystone + gunicorn (pip)
#   tools/keystone/keystone.sh start     # install if needed, start, seed;
#                                        # no-op if up
#   tools/keystone/keystone.sh status    # exit 0 and print how to reach it
#   tools/keystone/keystone.sh env USER  # export lines (OS_*) for USER
#   tools/keystone/keystone.sh stop      # end the gunicorn started here, by
#                                        # PID (refused while test processes
#                                        # use it, unless "stop --force")
#
# What start seeds (seed.py beside this script; every password below is a
# test password):
#   projects  admin (the cloud's admin project: [resource]
#             admin_project_name), alpha, beta, gamma, service
#   users     admin   admin of project admin: the cloud administrator
#             alice   member of alpha            (password secret)
#             rita    reader of alpha            (password secret)
#             bob     member of beta             (password secret)
#             betty   admin of beta: a project administrator, not a
#                     cloud administrator         (password secret)
#             olga    member of gamma             (password secret)
#             karbor  service of service: Karbor's service user
#                     (password karbor)
#             glance  service of service: the user of a Glance behind
#                     this Keystone (password glance)
#   roles     Keystone's own admin > member > reader (implied roles), and
#             service
#   catalog   identity; data-protect "karbor" (public and internal
#             http://127.0.0.1:8799/v1/$(project_id)s) in RegionOne
#
# A second server on the same database and keys issues tokens that expire
# after $KARBOR_KEYSTONE_SHORT_EXPIRATION seconds (default 10), which either
# server validates (a fernet token carries its expiry): tests get a token
# that expires without waiting two hours.
#
# Once started, start and status print (KEY=value lines):
#   KARBOR_KEYSTONE_AUTH_URL=http://127.0.0.1:$PORT/v3
#   KARBOR_KEYSTONE_SHORT_AUTH_URL=http://127.0.0.1:$((PORT + 1))/v3
#   KARBOR_KEYSTONE_ADMIN_PASSWORD=admin
#   KARBOR_KEYSTONE_USER_PASSWORD=secret
#   KARBOR_KEYSTONE_SERVICE_PASSWORD=karbor
#   KARBOR_KEYSTONE_GLANCE_PASSWORD=glance
#
# Environment:
#   KARBOR_KEYSTONE_DIR     state directory (default /tmp/karbor-keystone):
#                           venv/, etc/, run/, log/, fernet-keys/,
#                           credential-keys/, keystone.sqlite
#   KARBOR_KEYSTONE_PORT    port (default 15000; the short-token server
#                           listens on the next one)
#   KARBOR_KEYSTONE_PYTHON  interpreter of the venv (default python3)
#   KARBOR_KEYSTONE_THREADS requests served at once (default 4)
#
# Every start begins from an empty database and new keys: this Keystone is
# for tests. Commands that change state hold a lock
# ($KARBOR_KEYSTONE_DIR/keystone.lock), so concurrent starts start it once.
#
# Traps met on the way:
# Keystone parses sys.argv when it loads its configuration, which under
# gunicorn is gunicorn's command line: a shim module empties argv first.
# Without a cache a token validation costs hundreds of SQL queries (about
# a second here): the in-memory dogpile cache is on, and there is one
# worker process, so that a revocation is seen at once. bcrypt at cost 4
# instead of 12 keeps a password check (each token issue) at a few ms.
set -euo pipefail

DIR=${KARBOR_KEYSTONE_DIR:-/tmp/karbor-keystone}
SERVICE=keystone
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../service-common.sh
. "$HERE/../service-common.sh"
PORT=${KARBOR_KEYSTONE_PORT:-15000}
PYTHON=${KARBOR_KEYSTONE_PYTHON:-python3}
THREADS=${KARBOR_KEYSTONE_THREADS:-4}
SHORT_PORT=$((PORT + 1))
SHORT_EXPIRATION=${KARBOR_KEYSTONE_SHORT_EXPIRATION:-10}

KEYSTONE_REQ='keystone==30.*'
HOST=127.0.0.1
AUTH_URL=http://$HOST:$PORT/v3
SHORT_AUTH_URL=http://$HOST:$SHORT_PORT/v3
VENV=$DIR/venv
ETC=$DIR/etc
RUN=$DIR/run
LOG=$DIR/log
PIDFILE=$RUN/gunicorn.pid
SHORT_PIDFILE=$RUN/gunicorn-short.pid
PROC_NAME=karbor-keystone-$PORT
SHORT_PROC_NAME=karbor-keystone-short-$SHORT_PORT

ADMIN_PASSWORD=admin
USER_PASSWORD=secret
SERVICE_PASSWORD=karbor
GLANCE_PASSWORD=glance

# ---------------------------------------------------------------- install

installed() {
    [ -f "$VENV/.karbor-installed" ] && [ -x "$VENV/bin/gunicorn" ] &&
        [ -x "$VENV/bin/keystone-manage" ]
}

do_install() {
    installed && return 0
    local t0; t0=$(now)
    log "installing $KEYSTONE_REQ and gunicorn into $VENV"
    [ -x "$VENV/bin/pip" ] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "$KEYSTONE_REQ" gunicorn
    "$VENV/bin/python" -c 'import keystone.wsgi.api' 2>/dev/null ||
        "$VENV/bin/python" -c 'import keystone, gunicorn, keystoneauth1'
    "$VENV/bin/python" -c \
        'import importlib.metadata as m; print(m.version("keystone"))' \
        >"$VENV/.karbor-installed"
    log "installed keystone $(cat "$VENV/.karbor-installed") in $(since "$t0") s"
}

# ---------------------------------------------------------------- configs

write_configs() {
    rm -rf "$ETC" "$DIR/fernet-keys" "$DIR/credential-keys" \
        "$DIR/keystone.sqlite"
    mkdir -p "$ETC" "$RUN" "$LOG" "$DIR/fernet-keys" "$DIR/credential-keys"
    chmod 700 "$DIR/fernet-keys" "$DIR/credential-keys"

    cat >"$ETC/keystone.conf" <<CONF
[DEFAULT]
debug = false
log_file = $LOG/keystone.log

[database]
# Wait for the lock rather than fail when two requests write at once.
connection = sqlite:///$DIR/keystone.sqlite?timeout=60

[token]
provider = fernet
expiration = 7200

[fernet_tokens]
key_repository = $DIR/fernet-keys
max_active_keys = 3

[fernet_receipts]
key_repository = $DIR/fernet-keys

[credential]
key_repository = $DIR/credential-keys

[identity]
password_hash_rounds = 4

[resource]
# Tokens of project "admin" say is_admin_project=True, every other token
# False: a project's admin is then not the cloud's admin.
admin_project_name = admin
admin_project_domain_name = Default

[cache]
enabled = true
backend = dogpile.cache.memory
CONF

    # The short-token server: the same, but for the tokens' lifetime.
    mkdir -p "$ETC/short"
    sed -e "s/^expiration = .*/expiration = $SHORT_EXPIRATION/" \
        -e "s#^log_file = .*#log_file = $LOG/keystone-short.log#" \
        "$ETC/keystone.conf" >"$ETC/short/keystone.conf"

    cat >"$ETC/keystone_wsgi.py" <<'PY'
# Keystone parses sys.argv for its options: under gunicorn that is
# gunicorn's command line, which it refuses. Empty it first.
import sys
sys.argv = sys.argv[:1]
from keystone.wsgi.api import application  # noqa: E402,F401
PY
}

# ---------------------------------------------------------------- processes

live_pid() { pid_of "$PIDFILE" "$PROC_NAME"; }
short_pid() { pid_of "$SHORT_PIDFILE" "$SHORT_PROC_NAME"; }


api_ok() { curl -sf -o /dev/null --max-time 5 "$AUTH_URL"; }

# Seeded: the service user can get a token.
seeded_ok() { [ -f "$RUN/seeded" ]; }

short_ok() { curl -sf -o /dev/null --max-time 5 "$SHORT_AUTH_URL"; }

running() {
    live_pid >/dev/null && short_pid >/dev/null && api_ok && short_ok &&
        seeded_ok
}

print_env() {
    echo "KARBOR_KEYSTONE_AUTH_URL=$AUTH_URL"
    echo "KARBOR_KEYSTONE_SHORT_AUTH_URL=$SHORT_AUTH_URL"
    echo "KARBOR_KEYSTONE_ADMIN_PASSWORD=$ADMIN_PASSWORD"
    echo "KARBOR_KEYSTONE_USER_PASSWORD=$USER_PASSWORD"
    echo "KARBOR_KEYSTONE_SERVICE_PASSWORD=$SERVICE_PASSWORD"
    echo "KARBOR_KEYSTONE_GLANCE_PASSWORD=$GLANCE_PASSWORD"
}

user_env() {  # user -> export lines for OpenStack clients
    local user=${1:-admin} project password=$USER_PASSWORD
    case $user in
        admin) project=admin; password=$ADMIN_PASSWORD ;;
        alice|rita) project=alpha ;;
        bob|betty) project=beta ;;
        olga) project=gamma ;;
        karbor) project=service; password=$SERVICE_PASSWORD ;;
        *) die "unknown user $user (admin, alice, rita, bob, betty, olga, karbor)" ;;
    esac
    cat <<ENV
export OS_AUTH_URL=$AUTH_URL
export OS_IDENTITY_API_VERSION=3
export OS_AUTH_TYPE=password
export OS_USERNAME=$user
export OS_PASSWORD=$password
export OS_PROJECT_NAME=$project
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
export OS_INTERFACE=public
ENV
}

kill_started() {
    stop_gunicorn "$PIDFILE" "$PROC_NAME"
    stop_gunicorn "$SHORT_PIDFILE" "$SHORT_PROC_NAME"
    rm -f "$RUN/seeded"
}

serve() {  # port, pid file, name, config dir, log
    OS_KEYSTONE_CONFIG_DIR=$4 "$VENV/bin/gunicorn" \
        --bind "$HOST:$1" --workers 1 --worker-class gthread \
        --threads "$THREADS" --timeout 120 --no-control-socket \
        --name "$3" --pid "$2" --pythonpath "$ETC" \
        keystone_wsgi:application >"$5" 2>&1 9>&- &
    echo $! >"$2"
}

init_db() {
    # Each keystone-manage spends seconds importing Keystone: db_sync and
    # the two key set-ups run at once, then bootstrap.
    local km=("$VENV/bin/keystone-manage" --config-file "$ETC/keystone.conf")
    local pids=() p
    "${km[@]}" db_sync >"$LOG/db_sync.log" 2>&1 9>&- & pids+=($!)
    "${km[@]}" fernet_setup --keystone-user "$(id -un)" \
        --keystone-group "$(id -gn)" >"$LOG/fernet_setup.log" 2>&1 9>&- &
    pids+=($!)
    "${km[@]}" credential_setup --keystone-user "$(id -un)" \
        --keystone-group "$(id -gn)" >"$LOG/credential_setup.log" 2>&1 9>&- &
    pids+=($!)
    for p in "${pids[@]}"; do
        wait "$p" || { tail -n 20 "$LOG"/*.log >&2; die "keystone-manage failed"; }
    done
    "${km[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
        --bootstrap-username admin --bootstrap-project-name admin \
        --bootstrap-role-name admin --bootstrap-service-name keystone \
        --bootstrap-region-id RegionOne --bootstrap-admin-url "$AUTH_URL" \
        --bootstrap-internal-url "$AUTH_URL" \
        --bootstrap-public-url "$AUTH_URL" >"$LOG/bootstrap.log" 2>&1 9>&- ||
        { tail -n 20 "$LOG/bootstrap.log" >&2; die "keystone-manage bootstrap failed"; }
}

do_start() {
    if running; then
        log "already running"
        print_env
        return 0
    fi
    do_install
    kill_started   # leftovers of a half-dead earlier start
    local p
    for p in "$PORT" "$SHORT_PORT"; do
        ! port_open "$p" ||
            die "port $p is taken by another program; choose others with KARBOR_KEYSTONE_PORT"
    done
    local t0; t0=$(now)
    write_configs
    rm -f "$LOG"/*.log
    init_db
    local t1; t1=$(now)
    serve "$PORT" "$PIDFILE" "$PROC_NAME" "$ETC" "$LOG/gunicorn.log"
    serve "$SHORT_PORT" "$SHORT_PIDFILE" "$SHORT_PROC_NAME" "$ETC/short" \
        "$LOG/gunicorn-short.log"
    local deadline=$((SECONDS + 180))
    until api_ok && short_ok; do
        if [ $SECONDS -ge $deadline ] || ! live_pid >/dev/null ||
                ! short_pid >/dev/null; then
            log "Keystone did not come up; logs in $LOG:"
            tail -n 30 "$LOG"/*.log >&2 || true
            kill_started
            exit 1
        fi
        sleep 0.1
    done
    local t2; t2=$(now)
    "$VENV/bin/python" "$HERE/seed.py" "$AUTH_URL" "$ADMIN_PASSWORD" \
        "$USER_PASSWORD" "$SERVICE_PASSWORD" "$GLANCE_PASSWORD" \
        >"$LOG/seed.log" 2>&1 9>&- ||
        { tail -n 30 "$LOG/seed.log" >&2; kill_started; die "seeding failed"; }
    touch "$RUN/seeded"
    log "started in $(since "$t0") s (database and keys $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, gunicorn $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }') s, seed $(since "$t2") s); $AUTH_URL"
    print_env
}

do_status() {
    local pid
    if ! pid=$(live_pid); then
        log "not running"
        return 3
    fi
    if ! short_pid >/dev/null || ! api_ok || ! short_ok || ! seeded_ok; then
        log "gunicorn (pid $pid) runs, but $AUTH_URL does not answer or is not seeded"
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
    env) user_env "${2:-admin}" ;;
    *) echo "usage: $0 install|start|stop [--force]|status|env USER" >&2; exit 2 ;;
esac
