#!/usr/bin/env bash
# A throwaway one-node, one-replica OpenStack Swift on 127.0.0.1 for Karbor's
# Swift (and later S3) bank tests: Swift 2.38 from PyPI in a virtual
# environment of its own (never the project's), tempauth, and s3api in the
# proxy pipeline.
#
#   tools/swift/swift.sh install   # venv + swift, memcached (apt) if missing
#   tools/swift/swift.sh start     # install if needed, start; no-op if up
#   tools/swift/swift.sh status    # exit 0 and print the endpoints if up
#   tools/swift/swift.sh stop      # end the processes started here, by PID
#                                  # (refused while test processes use it,
#                                  # unless "stop --force")
#
# Endpoints once started (also printed by start and status, as KEY=value):
#   Swift  auth http://127.0.0.1:$KARBOR_SWIFT_PORT/auth/v1.0 (v1.0 auth),
#          user test:tester, key testing
#   S3     http://127.0.0.1:$KARBOR_SWIFT_PORT, access key test:tester,
#          secret testing, path-style, region us-east-1
#
# Environment:
#   KARBOR_SWIFT_DIR     state directory (default /tmp/karbor-swift): venv/,
#                        etc/, run/ (PID files), log/, srv/ (object data)
#   KARBOR_SWIFT_PORT    proxy port (default 8080)
#   KARBOR_SWIFT_STORAGE_PORT
#                        first of three storage-server ports, object,
#                        container, account (default 6210: 6210-6212, off
#                        Swift's usual 6200-6202)
#   KARBOR_SWIFT_MEMCACHED_PORT
#                        port of the memcached started here (default 11311;
#                        tempauth keeps its tokens there)
#   KARBOR_SWIFT_PYTHON  interpreter of the venv (default python3)
#
# Every start begins from empty storage: this Swift is for tests. Commands
# that change state hold a lock ($KARBOR_SWIFT_DIR/swift.lock), so
# concurrent "start"s (parallel test workers) start Swift once.
#
# Measured on a 2-core machine: install 15 s (apt memcached ~6 s, pip ~9 s;
# up to ~28 s when the machine is busy), start 1.2-4.5 s, stop 0.6 s.
set -euo pipefail

DIR=${KARBOR_SWIFT_DIR:-/tmp/karbor-swift}
SERVICE=swift
# shellcheck source=../service-common.sh
. "$(cd "$(dirname "$0")" && pwd)/../service-common.sh"
PORT=${KARBOR_SWIFT_PORT:-8080}
STORAGE_PORT=${KARBOR_SWIFT_STORAGE_PORT:-6210}
MC_PORT=${KARBOR_SWIFT_MEMCACHED_PORT:-11311}
PYTHON=${KARBOR_SWIFT_PYTHON:-python3}

SWIFT_REQ='swift==2.38.*'
OBJ_PORT=$STORAGE_PORT
CONT_PORT=$((STORAGE_PORT + 1))
ACCT_PORT=$((STORAGE_PORT + 2))
HOST=127.0.0.1
USER_NAME=test:tester
USER_KEY=testing
AUTH_URL=http://$HOST:$PORT/auth/v1.0

VENV=$DIR/venv
ETC=$DIR/etc
RUN=$DIR/run
LOG=$DIR/log
SRV=$DIR/srv
SERVERS="account container object proxy"




# ---------------------------------------------------------------- install

installed() {
    [ -f "$VENV/.karbor-installed" ] && [ -x "$VENV/bin/swift-proxy-server" ]
}

install_memcached() {
    command -v memcached >/dev/null && return 0
    local sudo=
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null ||
            die "memcached is missing and we are not root: apt-get install memcached"
        sudo=sudo
    fi
    log "installing memcached (Debian package)"
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
        --no-install-recommends memcached >/dev/null
    command -v memcached >/dev/null || die "memcached did not install"
}

do_install() {
    install_memcached
    if installed; then
        return 0
    fi
    local t0; t0=$(now)
    log "installing $SWIFT_REQ into $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "$SWIFT_REQ" python-swiftclient
    "$VENV/bin/python" -c 'import swift.common.ring, swiftclient'
    "$VENV/bin/python" -c 'import swift; print(swift.__version__)' \
        >"$VENV/.karbor-installed"
    log "installed swift $(cat "$VENV/.karbor-installed") in $(since "$t0") s"
}

# ---------------------------------------------------------------- configs

write_configs() {
    rm -rf "$ETC" "$SRV"
    mkdir -p "$ETC" "$RUN" "$LOG" "$SRV/d1"

    cat >"$ETC/swift.conf" <<EOF
[swift-hash]
swift_hash_path_prefix = karbor-test
swift_hash_path_suffix = karbor-test

[storage-policy:0]
name = default
default = yes
EOF

    # Swift logs to syslog; there may be no /dev/log here, so send syslog to
    # a UDP port nobody reads and keep the console log (-v) in log/.
    local common="[DEFAULT]
swift_dir = $ETC
devices = $SRV
mount_check = false
disable_fallocate = true
bind_ip = $HOST
workers = 0
log_level = INFO
log_udp_host = $HOST
log_udp_port = 5514"

    local kind port
    for kind in account container object; do
        case $kind in
            account) port=$ACCT_PORT ;;
            container) port=$CONT_PORT ;;
            object) port=$OBJ_PORT ;;
        esac
        cat >"$ETC/$kind-server.conf" <<EOF
$common
bind_port = $port

[pipeline:main]
pipeline = $kind-server

[app:$kind-server]
use = egg:swift#$kind
EOF
    done

    cat >"$ETC/proxy-server.conf" <<EOF
[DEFAULT]
swift_dir = $ETC
bind_ip = $HOST
bind_port = $PORT
workers = 0
log_level = INFO
log_udp_host = $HOST
log_udp_port = 5514

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = $HOST:$MC_PORT

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:s3api]
# S3 on the proxy port: access key "<account>:<user>", secret = tempauth key.
use = egg:swift#s3api
location = us-east-1

[filter:tempauth]
use = egg:swift#tempauth
user_admin_admin = admin .admin .reseller_admin
user_test_tester = $USER_KEY .admin

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
EOF

    # Three rings of one device each, 2^6 partitions, one replica: built in
    # one Python process rather than nine swift-ring-builder calls.
    "$VENV/bin/python" - "$ETC" "$HOST" "$OBJ_PORT" "$CONT_PORT" "$ACCT_PORT" <<'EOF'
import sys
from swift.common.ring import RingBuilder
etc, host = sys.argv[1], sys.argv[2]
for kind, port in zip(('object', 'container', 'account'), sys.argv[3:6]):
    builder = RingBuilder(6, 1, 1)
    builder.add_dev({'region': 1, 'zone': 1, 'ip': host, 'port': int(port),
                     'device': 'd1', 'weight': 100, 'meta': ''})
    builder.rebalance()
    builder.save('%s/%s.builder' % (etc, kind))
    builder.get_ring().save('%s/%s.ring.gz' % (etc, kind))
EOF
}

# ---------------------------------------------------------------- processes

# PID of a process started here, if it is still that process.
live_pid() {
    local name=$1 f=$RUN/$1.pid pid
    [ -f "$f" ] || return 1
    pid=$(cat "$f")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # A recycled PID belongs to some other program: check the command line.
    case $name in
        memcached) grep -qa memcached "/proc/$pid/cmdline" ;;
        *) grep -qa "$ETC/$name-server.conf" "/proc/$pid/cmdline" ;;
    esac || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# One real request: tempauth hands out a token and a storage URL.
auth_ok() {
    curl -sf -o /dev/null --max-time 5 \
        -H "X-Auth-User: $USER_NAME" -H "X-Auth-Key: $USER_KEY" "$AUTH_URL"
}

running() {
    local name
    for name in memcached $SERVERS; do
        live_pid "$name" >/dev/null || return 1
    done
    auth_ok
}

print_env() {
    echo "KARBOR_SWIFT_AUTH_URL=$AUTH_URL"
    echo "KARBOR_SWIFT_USER=$USER_NAME"
    echo "KARBOR_SWIFT_KEY=$USER_KEY"
    echo "KARBOR_SWIFT_S3_ENDPOINT=http://$HOST:$PORT"
}

kill_started() {
    local f name pid
    for f in "$RUN"/*.pid; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .pid)
        if pid=$(live_pid "$name"); then
            kill "$pid" 2>/dev/null || true
            # Until it is gone or a zombie (our servers are reparented
            # to init, which may reap them late).
            for _ in $(seq 100); do
                live_pid "$name" >/dev/null || break
                sleep 0.05
            done
            if live_pid "$name" >/dev/null; then
                kill -9 "$pid" 2>/dev/null || true
            fi
        fi
        rm -f "$f"
    done
}

wait_ready() {
    local deadline=$((SECONDS + 60)) p
    for p in $MC_PORT $ACCT_PORT $CONT_PORT $OBJ_PORT $PORT; do
        until port_open "$p"; do
            [ $SECONDS -lt $deadline ] || return 1
            local name
            for name in memcached $SERVERS; do
                live_pid "$name" >/dev/null ||
                    { log "$name exited"; return 1; }
            done
            sleep 0.05
        done
    done
    until auth_ok; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
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
    for p in $MC_PORT $ACCT_PORT $CONT_PORT $OBJ_PORT $PORT; do
        ! port_open "$p" ||
            die "port $p is taken by another program; choose other ports with KARBOR_SWIFT_PORT / KARBOR_SWIFT_STORAGE_PORT / KARBOR_SWIFT_MEMCACHED_PORT"
    done
    local t0; t0=$(now)
    write_configs
    rm -f "$LOG"/*.log

    # The servers must not inherit the lock (fd 9), or it would outlive us.
    local mc_user=()
    [ "$(id -u)" -ne 0 ] || mc_user=(-u root)  # memcached refuses root without -u
    memcached -l "$HOST" -p "$MC_PORT" -U 0 -m 64 "${mc_user[@]}" \
        >"$LOG/memcached.log" 2>&1 9>&- &
    echo $! >"$RUN/memcached.pid"
    # Each server spends ~0.8 s importing and monkey-patching: start them
    # all at once.
    local s
    for s in $SERVERS; do
        "$VENV/bin/swift-$s-server" "$ETC/$s-server.conf" -v \
            >"$LOG/$s.log" 2>&1 9>&- &
        echo $! >"$RUN/$s.pid"
    done
    if ! wait_ready; then
        log "Swift did not come up; logs in $LOG:"
        tail -n 20 "$LOG"/*.log >&2 || true
        kill_started
        exit 1
    fi
    log "started in $(since "$t0") s; proxy http://$HOST:$PORT"
    print_env
}

do_status() {
    local name pid rc=0
    for name in memcached $SERVERS; do
        if pid=$(live_pid "$name"); then
            log "$name running, pid $pid"
        else
            log "$name not running"
            rc=3
        fi
    done
    if [ $rc -eq 0 ] && ! auth_ok; then
        log "processes run, but tempauth at $AUTH_URL does not answer"
        rc=3
    fi
    [ $rc -ne 0 ] || print_env
    return $rc
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
