#!/usr/bin/env bash
# A throwaway OpenStack Cinder 29 (from PyPI) on 127.0.0.1 for Karbor's
# functional tests: cinder-api without Keystone (auth_strategy = noauth),
# cinder-scheduler, cinder-volume with the file-backed test driver beside
# this script (karbor_file_volume.py: real bytes, so backups and restores
# move data) and cinder-backup, whose backups go to a directory (posix
# driver, the default) or into a Swift container (swift driver). Cinder
# lives in a virtual environment of its own (never the project's).
#
#   tools/cinder/cinder.sh install   # venv + cinder (pip)
#   tools/cinder/cinder.sh start     # install if needed, start; no-op if up
#   tools/cinder/cinder.sh status    # exit 0 and print the endpoint if up
#   tools/cinder/cinder.sh stop      # end the processes started here, by
#                                    # PID, and drop the database
#
# Once started, start and status print (KEY=value lines):
#   KARBOR_CINDER_ENDPOINT=http://127.0.0.1:$PORT/v3
#   KARBOR_CINDER_PROJECT=<hex project id used by the readiness check>
#   KARBOR_CINDER_VOLUME_DIR=<directory of the volume files>
#   KARBOR_CINDER_BACKUP=posix|swift
#   KARBOR_CINDER_SWIFT_CONTAINER=<container of the backups> (swift only)
# Clients speak noauth: python-cinderclient's
# cinderclient.contrib.noauth.CinderNoAuthPlugin(user, project, endpoint=
# .../v3), or an X-Auth-Token "user:project" with the project in the URL.
# Project ids in URLs must be hex (Cinder's project_id_regex).
#
# Shared servers it uses (already running on the machine):
#   PostgreSQL  $KARBOR_CINDER_PG_URL (default postgresql://postgres@127.0.0.1
#               :5432), database $KARBOR_CINDER_DB (default karbor_cinder),
#               created empty at every start and dropped at stop.
#   RabbitMQ    $KARBOR_CINDER_RABBIT (default guest:guest@127.0.0.1:5672),
#               in a vhost of its own ($KARBOR_CINDER_VHOST, default
#               karbor-cinder, made with rabbitmqctl); when rabbitmqctl is
#               not usable, the default vhost with a unique control exchange
#               and topic names, so no other Cinder's queues are touched.
#
# Environment:
#   KARBOR_CINDER_DIR     state directory (default /tmp/karbor-cinder):
#                         venv/, etc/, run/ (PID files), log/, volumes/,
#                         backups/
#   KARBOR_CINDER_PORT    API port (default 18776)
#   KARBOR_CINDER_PYTHON  interpreter of the venv (default python3)
#   KARBOR_CINDER_VENV    the venv (default $KARBOR_CINDER_DIR/venv); another
#                         instance may name the first one's, so that Cinder
#                         is installed once. Installs into it hold its own
#                         lock ($KARBOR_CINDER_VENV.lock).
#   KARBOR_CINDER_BACKUP  posix (default): backups under $KARBOR_CINDER_DIR/
#                         backups; swift: backups in a container of a Swift
#                         with v1 auth (tempauth, one user for every
#                         project), as tools/swift/swift.sh runs it:
#     KARBOR_CINDER_SWIFT_AUTH_URL   default http://127.0.0.1:8080/auth/v1.0
#     KARBOR_CINDER_SWIFT_USER       default test:tester
#     KARBOR_CINDER_SWIFT_KEY        default testing
#     KARBOR_CINDER_SWIFT_CONTAINER  default karbor-cinder-backups; one per
#                                    instance: start and stop empty and
#                                    delete it, as they do the posix
#                                    directory.
#                         The Swift must be up before start (checked: its
#                         auth must accept the user). python-swiftclient is
#                         installed into the venv with Cinder (and added to
#                         an older venv that lacks it).
#
# A second instance next to the default one, backups into Swift:
#   KARBOR_CINDER_DIR=/tmp/karbor-cinder-swift KARBOR_CINDER_PORT=18777 \
#   KARBOR_CINDER_DB=karbor_cinder_swift KARBOR_CINDER_VHOST=karbor-cinder-swift \
#   KARBOR_CINDER_BACKUP=swift KARBOR_CINDER_VENV=/tmp/karbor-cinder/venv \
#       tools/cinder/cinder.sh start      # and the same variables for stop
# (karbor/tests/functional/cinder_fixture.py runs it so.) Its own directory,
# port, database and vhost keep it apart; the cinder-volume host name is the
# same in both, which is fine as they share no database or queue.
#
# Needs psql (and rabbitmqctl for the vhost) on PATH.
#
# Measured on a 2-core machine: install 24 s (pip, warm cache), start 8 s
# (db sync 3 s, then until a 1 GiB volume is available), stop ~16 s
# (eventlet services ending, rabbitmqctl delete_vhost). The recipe this
# was written from measured about 1 GB RSS for the four services. With
# swift backups: start 10-15 s in the first instance's venv (adding
# python-swiftclient to an older one: 1.3 s), stop ~8 s; a backup of a
# 1 GiB volume holding 3 MiB of data, ~11 s (21 objects of 50 MiB before
# zlib, 4 MB stored).
#
# Every start begins from an empty database and empty volume/backup
# directories: this Cinder is for tests. Commands hold a lock
# ($KARBOR_CINDER_DIR/cinder.lock) so that concurrent starts start it once.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${KARBOR_CINDER_DIR:-/tmp/karbor-cinder}
SERVICE=cinder
# shellcheck source=../service-common.sh
. "$HERE/../service-common.sh"
PORT=${KARBOR_CINDER_PORT:-18776}
PYTHON=${KARBOR_CINDER_PYTHON:-python3}
PG_URL=${KARBOR_CINDER_PG_URL:-postgresql://postgres@127.0.0.1:5432}
DB=${KARBOR_CINDER_DB:-karbor_cinder}
RABBIT=${KARBOR_CINDER_RABBIT:-guest:guest@127.0.0.1:5672}
VHOST=${KARBOR_CINDER_VHOST:-karbor-cinder}
VENV=${KARBOR_CINDER_VENV:-$DIR/venv}
BACKUP=${KARBOR_CINDER_BACKUP:-posix}
SWIFT_AUTH_URL=${KARBOR_CINDER_SWIFT_AUTH_URL:-http://127.0.0.1:8080/auth/v1.0}
SWIFT_USER=${KARBOR_CINDER_SWIFT_USER:-test:tester}
SWIFT_KEY=${KARBOR_CINDER_SWIFT_KEY:-testing}
SWIFT_CONTAINER=${KARBOR_CINDER_SWIFT_CONTAINER:-karbor-cinder-backups}

CINDER_REQ='cinder==29.*'
PROJECT=0123456789abcdef0123456789abcdef
SERVICES="api scheduler volume backup"
ETC=$DIR/etc
RUN=$DIR/run
LOG=$DIR/log

case "$BACKUP" in
    posix | swift) ;;
    *) die "KARBOR_CINDER_BACKUP must be posix or swift, not '$BACKUP'" ;;
esac

psql_admin() { psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qAt "$@"; }

# ---------------------------------------------------------------- install

installed() {
    [ -f "$VENV/.karbor-installed" ] && [ -x "$VENV/bin/cinder-api" ]
}

has_swiftclient() { "$VENV/bin/python" -c 'import swiftclient' 2>/dev/null; }

install() {
    # The venv may be another instance's (KARBOR_CINDER_VENV), whose lock
    # is not ours: installs into it take a lock of the venv itself.
    mkdir -p "$(dirname "$VENV")"
    exec 8>"$VENV.lock"
    flock 8
    local t0; t0=$(now)
    if ! installed; then
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/pip" install -q --upgrade pip >/dev/null
        # psycopg2-binary: the PostgreSQL database; fixtures: imported by
        # parts of cinder's test helpers that some drivers pull in;
        # python-swiftclient: the swift backup driver (Cinder does not
        # require it).
        "$VENV/bin/pip" install -q "$CINDER_REQ" python-cinderclient \
            psycopg2-binary fixtures python-swiftclient ||
            die "pip install of $CINDER_REQ failed"
        touch "$VENV/.karbor-installed"
        log "installed $("$VENV/bin/pip" show cinder | awk '/^Version/ {print $2}') in $(since "$t0") s"
    elif [ "$BACKUP" = swift ] && ! has_swiftclient; then
        # A venv made before the swift backups were offered.
        "$VENV/bin/pip" install -q python-swiftclient ||
            die "pip install of python-swiftclient failed"
        log "added python-swiftclient to $VENV in $(since "$t0") s"
    fi
    exec 8>&-
}

# ---------------------------------------------------------------- config

rabbit_vhost() {
    # A vhost of our own; fall back to unique names on the default vhost.
    if command -v rabbitmqctl >/dev/null &&
        timeout 30 rabbitmqctl add_vhost "$VHOST" >/dev/null 2>&1 ||
        timeout 30 rabbitmqctl list_vhosts 2>/dev/null | grep -qx "$VHOST"; then
        timeout 30 rabbitmqctl set_permissions -p "$VHOST" \
            "${RABBIT%%:*}" '.*' '.*' '.*' >/dev/null 2>&1 && {
            echo "$VHOST"; return; }
    fi
    echo ""
}

write_config() {
    local vhost; vhost=$(rabbitmq_vhost_cached)
    mkdir -p "$ETC" "$RUN" "$LOG" "$DIR/state" "$DIR/locks"
    cp "$VENV/etc/cinder/api-paste.ini" "$VENV/etc/cinder/resource_filters.json" "$ETC/"
    sed -e "s#^filters_path=.*#filters_path=$VENV/etc/cinder/rootwrap.d#" \
        -e "s#^exec_dirs=.*#exec_dirs=$VENV/bin,/sbin,/usr/sbin,/bin,/usr/bin#" \
        "$VENV/etc/cinder/rootwrap.conf" >"$ETC/rootwrap.conf"
    local messaging
    if [ -n "$vhost" ]; then
        messaging="transport_url = rabbit://$RABBIT/$vhost"
    else
        # Default vhost: queues are named after topics, so make them ours.
        messaging="transport_url = rabbit://$RABBIT/
control_exchange = karbor_cinder_$PORT
volume_topic = karbor-cinder-$PORT-volume
scheduler_topic = karbor-cinder-$PORT-scheduler
backup_topic = karbor-cinder-$PORT-backup"
    fi
    local backup_conf
    if [ "$BACKUP" = swift ]; then
        # single_user: every project's backups go to this Swift account,
        # whatever the caller's token (noauth has no catalog anyway).
        backup_conf="backup_driver = cinder.backup.drivers.swift.SwiftBackupDriver
backup_swift_auth = single_user
backup_swift_auth_version = 1
backup_swift_auth_url = $SWIFT_AUTH_URL
backup_swift_user = $SWIFT_USER
backup_swift_key = $SWIFT_KEY
backup_swift_container = $SWIFT_CONTAINER"
    else
        backup_conf="backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = $DIR/backups"
    fi
    cat >"$ETC/cinder.conf" <<EOF
[DEFAULT]
auth_strategy = noauth
$messaging
host = karbor-cinder
my_ip = 127.0.0.1
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $PORT
osapi_volume_workers = 1
api_paste_config = $ETC/api-paste.ini
resource_query_filters_file = $ETC/resource_filters.json
state_path = $DIR/state
log_dir = $LOG
debug = false
enabled_backends = karbor-file
default_volume_type = __DEFAULT__
$backup_conf
# Test data is random: compressing it costs most of a backup's time and
# saves nothing.
backup_compression_algorithm = none
# Services report often, so that they count as up soon after start.
report_interval = 2
periodic_interval = 5
# We run as the user that owns the files; os-brick's helpers need no root
# escalation, but rootwrap must find them.
rootwrap_config = $ETC/rootwrap.conf

[karbor-file]
volume_driver = karbor_file_volume.KarborFileVolumeDriver
volume_backend_name = karbor-file
karbor_volume_dir = $DIR/volumes

[database]
connection = postgresql+psycopg2://${PG_URL#postgresql://}/$DB

[oslo_concurrency]
lock_path = $DIR/locks

[oslo_messaging_notifications]
driver = noop

[coordination]
backend_url = file://$DIR/state

[privsep_osbrick]
helper_command = $VENV/bin/privsep-helper --config-file $ETC/cinder.conf --privsep_context os_brick.privileged.default --privsep_sock_path %s

[privsep]
helper_command = $VENV/bin/privsep-helper --config-file $ETC/cinder.conf --privsep_context cinder.privsep.sys_admin_pctxt --privsep_sock_path %s
EOF
}

rabbitmq_vhost_cached() {
    if [ ! -f "$RUN/vhost" ]; then
        mkdir -p "$RUN"
        rabbit_vhost >"$RUN/vhost"
    fi
    cat "$RUN/vhost"
}

# ---------------------------------------------------------------- backups

# What the running instance was started with: "posix" when it was started
# before this was recorded.
running_backup() { cat "$RUN/backup" 2>/dev/null || echo posix; }

# Empty and delete the Swift container of the backups: at start (backups of
# an earlier database are orphans) and at stop. Arguments: python of the
# venv, auth URL, user, key, container. Fails if Swift refuses the user.
swift_container_drop() {
    "$1" - "${@:2}" <<'EOF'
import sys
from swiftclient import client, exceptions
url, user, key, container = sys.argv[1:]
conn = client.Connection(authurl=url, user=user, key=key, auth_version='1',
                         retries=0, timeout=10)
try:
    conn.get_auth()
except Exception as e:
    sys.exit('Swift at %s does not let %s in: %s' % (url, user, e))
try:
    _headers, objects = conn.get_container(container, full_listing=True)
    for item in objects:
        try:
            conn.delete_object(container, item['name'])
        except exceptions.ClientException as e:
            if e.http_status != 404:
                raise
    conn.delete_container(container)
except exceptions.ClientException as e:
    if e.http_status != 404:
        raise
EOF
}

prepare_backups() {
    rm -rf "$DIR/backups" "$RUN/swift-backup"
    if [ "$BACKUP" = swift ]; then
        swift_container_drop "$VENV/bin/python" "$SWIFT_AUTH_URL" \
            "$SWIFT_USER" "$SWIFT_KEY" "$SWIFT_CONTAINER" ||
            die "the swift backups need the Swift at $SWIFT_AUTH_URL (tools/swift/swift.sh start)"
        # For stop, which may run with none of the variables of start.
        printf '%s\n' "$VENV/bin/python" "$SWIFT_AUTH_URL" "$SWIFT_USER" \
            "$SWIFT_KEY" "$SWIFT_CONTAINER" >"$RUN/swift-backup"
    else
        mkdir -p "$DIR/backups"
    fi
    echo "$BACKUP" >"$RUN/backup"
}

drop_backups() {
    rm -rf "$DIR/backups"
    if [ -f "$RUN/swift-backup" ]; then
        local args=()
        mapfile -t args <"$RUN/swift-backup"
        # Swift may be gone already, and its storage with it.
        swift_container_drop "${args[@]}" >/dev/null 2>&1 ||
            log "could not empty Swift container ${args[4]} (Swift down?)"
        rm -f "$RUN/swift-backup"
    fi
    rm -f "$RUN/backup"
}

# ---------------------------------------------------------------- processes

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

all_running() {
    local s
    for s in $SERVICES; do pid_alive "$RUN/$s.pid" || return 1; done
}

print_endpoint() {
    echo "KARBOR_CINDER_ENDPOINT=http://127.0.0.1:$PORT/v3"
    echo "KARBOR_CINDER_PROJECT=$PROJECT"
    echo "KARBOR_CINDER_VOLUME_DIR=$DIR/volumes"
    echo "KARBOR_CINDER_BACKUP=$(running_backup)"
    if [ -f "$RUN/swift-backup" ]; then
        echo "KARBOR_CINDER_SWIFT_CONTAINER=$(sed -n 5p "$RUN/swift-backup")"
    fi
}

# Readiness: not the service list (a cinder-backup whose driver failed to
# load still reports "up") but a real 1 GiB volume reaching "available".
ready_check() {
    "$VENV/bin/python" - "$PORT" "$PROJECT" "$1" <<'EOF'
import sys, time
from keystoneauth1 import session
from cinderclient import client
from cinderclient.contrib import noauth
port, project, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
auth = noauth.CinderNoAuthPlugin('karbor', project,
                                 endpoint='http://127.0.0.1:%s/v3' % port)
c = client.Client('3', session=session.Session(auth=auth, timeout=10))
end = time.time() + limit
last = None
while time.time() < end:
    try:
        up = {s.binary for s in c.services.list() if s.state == 'up'}
        if {'cinder-scheduler', 'cinder-volume', 'cinder-backup'} <= up:
            break
        last = 'services up: %s' % sorted(up)
    except Exception as e:
        last = e
    time.sleep(0.3)
else:
    sys.exit('Cinder services not up in %s s: %s' % (limit, last))
v = c.volumes.create(1, name='karbor-cinder-readiness')
while time.time() < end:
    v = c.volumes.get(v.id)
    if v.status == 'available':
        c.volumes.delete(v.id)
        sys.exit(0)
    if v.status.startswith('error'):
        sys.exit('readiness volume %s went %s' % (v.id, v.status))
    time.sleep(0.3)
sys.exit('readiness volume %s still %s after %s s' % (v.id, v.status, limit))
EOF
}

start() {
    if all_running && ready_check 20 >/dev/null 2>&1; then
        # Not restarted under the feet of whoever uses it.
        [ "$(running_backup)" = "$BACKUP" ] ||
            die "running with $(running_backup) backups, $BACKUP asked for: stop it first"
        print_endpoint
        return 0
    fi
    stop_processes
    install
    local t0; t0=$(now)
    rm -rf "$DIR/volumes" "$DIR/state" "$LOG"
    mkdir -p "$DIR/volumes"
    write_config
    prepare_backups
    psql_admin -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" ||
        die "cannot create database $DB at $PG_URL"
    "$VENV/bin/cinder-manage" --config-file "$ETC/cinder.conf" db sync \
        >"$LOG/db-sync.out" 2>&1 || { tail -20 "$LOG/db-sync.out" >&2;
                                      die "cinder-manage db sync failed"; }
    local t1; t1=$(now)
    local s
    for s in $SERVICES; do
        # 8>&- 9>&-: the services must not inherit (and hold forever) the
        # locks.
        PYTHONPATH="$HERE" setsid "$VENV/bin/cinder-$s" \
            --config-file "$ETC/cinder.conf" </dev/null >"$LOG/$s.out" 2>&1 8>&- 9>&- &
        echo $! >"$RUN/$s.pid"
    done
    if ! ready_check 180 >"$LOG/ready.out" 2>&1; then
        cat "$LOG/ready.out" >&2
        for s in $SERVICES; do
            log "--- $s"; tail -5 "$LOG/cinder-$s.log" "$LOG/$s.out" 2>/dev/null >&2 || true
        done
        stop_processes
        die "Cinder did not become ready"
    fi
    log "started in $(since "$t0") s (db sync $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
    print_endpoint
}

status() {
    all_running || { log "not running"; return 1; }
    ready_check 20 >/dev/null 2>&1 || { log "running but not answering"; return 1; }
    print_endpoint
}

stop_processes() {
    local s pid
    for s in $SERVICES; do
        [ -f "$RUN/$s.pid" ] || continue
        pid=$(cat "$RUN/$s.pid")
        # Each service leads a session of its own (setsid): the api and
        # privsep helpers are its children.
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for s in $SERVICES; do
        [ -f "$RUN/$s.pid" ] || continue
        pid=$(cat "$RUN/$s.pid")
        local i
        for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
        rm -f "$RUN/$s.pid"
    done
}

stop() {
    stop_processes
    if [ -f "$RUN/vhost" ] && [ -n "$(cat "$RUN/vhost")" ]; then
        timeout 30 rabbitmqctl delete_vhost "$(cat "$RUN/vhost")" >/dev/null 2>&1 || true
    fi
    rm -f "$RUN/vhost"
    psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null || true
    rm -rf "$DIR/volumes"
    drop_backups
    log "stopped"
}

case "${1:-}" in
    install) with_lock; install ;;
    start) with_lock; start ;;
    status) status ;;
    stop) with_lock; stop ;;
    *) echo "usage: $0 install|start|status|stop" >&2; exit 2 ;;
esac
