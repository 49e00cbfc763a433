# Shell functions shared by tools/<service>/<service>.sh (Swift, Glance,
# Cinder). Source it after setting SERVICE (the script's name, for
# messages and the lock file) and DIR (the service's state directory).

log() { echo "$SERVICE.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

now() { date +%s.%N; }
# Seconds since $1 (a value of now), with one decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# One command at a time on this state directory: fd 9 holds the lock
# until the script exits (started services must close it: 9>&-).
with_lock() {
    mkdir -p "$DIR"
    exec 9>"$DIR/$SERVICE.lock"
    flock 9
}

# Test processes register in $DIR/fixture-users/ (karbor/tests/functional/
# shared_service.py) while they use the service; stop refuses to pull it
# from under them.
no_test_users() {
    local f pids=
    for f in "$DIR"/fixture-users/*; do
        [ -e "$f" ] || continue
        ! kill -0 "$(basename "$f")" 2>/dev/null || pids="$pids $(basename "$f")"
    done
    [ -z "$pids" ] ||
        die "test processes$pids use this $SERVICE; stop it when they end, or use 'stop --force'"
}

port_open() { (exec 3<>"/dev/tcp/${HOST:-127.0.0.1}/$1") 2>/dev/null; }

# The PID in pid file $1, if that process still runs with $2 in its command
# line: a recycled PID belongs to some other program (gunicorn retitles
# itself "gunicorn: master [<--name>]" when setproctitle is installed, so
# a name that carries the port is found either way).
pid_of() {
    local pid
    [ -f "$1" ] || return 1
    pid=$(cat "$1")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    grep -qa "$2" "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

# End the gunicorn master of pid file $1 (named $2), which stops its
# workers; if it will not go, kill it and its workers; remove the file.
stop_gunicorn() {
    local pid child
    if pid=$(pid_of "$1" "$2"); then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            pid_of "$1" "$2" >/dev/null || break
            sleep 0.05
        done
        if pid_of "$1" "$2" >/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
            # Its workers would be orphaned: end them too, by parent PID.
            for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
                kill -9 "$child" 2>/dev/null || true
            done
        fi
    fi
    rm -f "$1"
}
