#!/usr/bin/env bash
# The servers the functional tests use, on 127.0.0.1 with default ports:
# PostgreSQL (trust auth, user postgres), MariaDB (root, empty password)
# and RabbitMQ (guest/guest).
#
#   tools/test-services.sh check   # say which are down, exit 1 if any
#   tools/test-services.sh start   # start those that are down (as root,
#                                  # with the Debian packages installed)
set -u
action=${1:-check}

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_postgresql() {
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
}
start_mariadb() {
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
}
start_rabbitmq() {
    rabbitmq-server -detached
}

missing=0
for entry in postgresql:5432 mariadb:3306 rabbitmq:5672; do
    name=${entry%%:*}; port=${entry##*:}
    if up "$port"; then
        continue
    fi
    if [ "$action" = start ]; then
        echo "starting $name"
        "start_$name" || true
        for _ in $(seq 1 60); do up "$port" && break; sleep 1; done
    fi
    if ! up "$port"; then
        echo "$name is not listening on 127.0.0.1:$port" >&2
        missing=1
    fi
done
if [ "$missing" -ne 0 ]; then
    echo "The functional tests need these servers; 'tools/test-services.sh start' starts them." >&2
fi
exit "$missing"
