#!/usr/bin/env bash
# A MariaDB server of the bench's own, for the benches that stop the database
# (db-stall.js with BENCH_PAUSE_PID pauses it with SIGSTOP): a shared server
# must not be paused under other people's work.
#
#   bash bench/private-mariadb.sh start   # prints its pid; serves 127.0.0.1:$BENCH_PRIVATE_DB_PORT (3317), root without password
#   bash bench/private-mariadb.sh stop    # stops it and deletes its data directory
#
# Its settings are the server's defaults (--no-defaults: innodb_buffer_pool_size 128 MB).
set -euo pipefail
PORT="${BENCH_PRIVATE_DB_PORT:-3317}"
DIR="${BENCH_PRIVATE_DB_DIR:-${TMPDIR:-/tmp}/wxbench-mariadb-$PORT}"
RUN_AS="${BENCH_PRIVATE_DB_USER:-mysql}"
# The directory is deleted on start and stop: only ever one of the bench's own.
case "$(basename "$DIR")" in
  wxbench-mariadb-*) ;;
  *) echo "BENCH_PRIVATE_DB_DIR must end in a directory named wxbench-mariadb-*" >&2; exit 2 ;;
esac

case "${1:-}" in
  start)
    if [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then cat "$DIR/pid"; exit 0; fi
    rm -rf "$DIR"
    mkdir -p "$DIR/data"
    chown -R "$RUN_AS" "$DIR"
    mariadb-install-db --no-defaults --user="$RUN_AS" --datadir="$DIR/data" --auth-root-authentication-method=normal \
      --skip-test-db >"$DIR/install.log" 2>&1
    mariadbd --no-defaults --user="$RUN_AS" --datadir="$DIR/data" --port="$PORT" --bind-address=127.0.0.1 \
      --socket="$DIR/sock" --pid-file="$DIR/pid" --log-error="$DIR/error.log" </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 60); do
      if [ -f "$DIR/pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then cat "$DIR/pid"; exit 0; fi
      sleep 0.5
    done
    echo "the private MariaDB did not start; see $DIR/error.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$DIR/pid" ]; then
      pid=$(cat "$DIR/pid")
      kill -CONT "$pid" 2>/dev/null || true   # a paused server cannot stop
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
