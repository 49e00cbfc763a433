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
