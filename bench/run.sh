#!/usr/bin/env bash
# Benchmarks the production build of wxpay-merchant on MariaDB/MySQL (see bench/README.md):
#   1. copies the working tree (tracked + untracked, not ignored; bench/ and test/ left out)
#      to a build directory and compiles it there (`ets && tsc`), so the repo gets no .js files;
#   2. creates a throw-away database and migrates it (`npm run db:migrate` in the copy);
#   3. starts the standalone WeChat sandbox and the app (egg-scripts, EGG_SERVER_ENV=prod,
#      BENCH_WORKERS workers) once per pool size in BENCH_POOL_SIZES;
#   4. runs bench/notify-v2.js (10k orders) and bench/orders-with-pay.js, then, with
#      BENCH_LARGE=1, notify-v2.js on 1M orders; with BENCH_BASELINE=1 (default) the same
#      notify bench against bench/baseline-notify.js (bare node:http + mysql2);
#      with BENCH_PROFILE=1 one more notify run under --cpu-prof, summarised (BENCH_V2=0 skips
#      all of step 4);
#   4b. with BENCH_V3=1 (default): fresh RSA keys and APIv3 key, the app restarted in v3 mode
#      (WECHATPAY_API_VERSION=v3, public-key mode) and bench/notify-v3.js on 10k orders;
#   with BENCH_REFUNDS=1 (default) each pay-notify bench of the app on 10k orders is followed,
#      in the same app, by the refund-notify bench of its mode (bench/refund-notify-v2.js,
#      bench/refund-notify-v3.js: 10k PAID orders with a PROCESSING refund each); 0 skips them;
#   4c. with BENCH_BILLS=1 (default 0): bench/bill-reconcile.js, the daily bill reconciliation of a
#      generated v2 bill (BENCH_BILL_ROWS, default "100000 1000000"), the app restarted per size;
#   4d. with BENCH_SHUTDOWN=1 (default 0): bench/shutdown-storm.js, egg-scripts stop during a notify storm;
#   4e. with BENCH_RETENTION=1 (default 0): bench/retention-notify.js, notify throughput over 1.5M
#      expired payment_events rows without, then with, the retention schedule deleting them;
#   5. stops everything it started and drops the database, whatever happens (trap).
#
# Every duration is bounded; load goes to 127.0.0.1 only.
set -Eeuo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
# The tree to build: this repo, or BENCH_SOURCE (e.g. a patched copy; need not be a git work tree).
SOURCE="$(cd "${BENCH_SOURCE:-$REPO}" && pwd)"
RUN_ID="$$"
TMP="${TMPDIR:-/tmp}"
BUILD_DIR="${BENCH_BUILD_DIR:-$TMP/wxbench-build-$RUN_ID}"
OUT_DIR="${BENCH_OUT_DIR:-$TMP/wxbench-out-$RUN_ID}"
DB_SERVER_URL="${BENCH_DB_SERVER_URL:-mysql://root@127.0.0.1:3306}"
DB_NAME="${BENCH_DB_NAME:-wxbench_$RUN_ID}"
APP_PORT="${BENCH_APP_PORT:-7401}"
SANDBOX_PORT="${BENCH_SANDBOX_PORT:-7402}"
BASELINE_PORT="${BENCH_BASELINE_PORT:-7403}"
WORKERS="${BENCH_WORKERS:-2}"
POOL_SIZES="${BENCH_POOL_SIZES:-10}"
SMALL_ORDERS="${BENCH_SMALL_ORDERS:-10000}"
LARGE_ORDERS="${BENCH_LARGE_ORDERS:-1000000}"
TITLE="wxbench-$RUN_ID"
RESULTS="$OUT_DIR/results.txt"

export BENCH_DURATION="${BENCH_DURATION:-15}"
export BENCH_WARMUP="${BENCH_WARMUP:-3}"
export BENCH_STORM_DURATION="${BENCH_STORM_DURATION:-10}"
export BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-32}"

[[ "$DB_NAME" =~ ^[A-Za-z0-9_]*bench[A-Za-z0-9_]*$ ]] || { echo "BENCH_DB_NAME must be [A-Za-z0-9_] and contain 'bench'" >&2; exit 2; }
[[ -d "$REPO/node_modules/autocannon" ]] || { echo "node_modules (with autocannon) missing: run npm ci first" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

# ---- credentials: local, throw-away, shared by the app, the sandbox and the benches ----
export DATABASE_URL="$DB_SERVER_URL/$DB_NAME"
export LOG_DIR="$OUT_DIR/logs"

APP_JOB="" SANDBOX_JOB="" BASELINE_JOB="" DB_CREATED=""

stop_app() {
  stop_egg "$BUILD_DIR" "$TITLE" "$APP_JOB"
  APP_JOB=""
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_app
  stop_pid BASELINE_JOB
  stop_pid SANDBOX_JOB
  if [[ "${BENCH_KEEP_BUILD:-0}" != 1 ]]; then rm -rf "$BUILD_DIR"; fi
  if [[ "${BENCH_KEEP_LOGS:-0}" != 1 ]]; then rm -rf "$OUT_DIR/logs"; fi
  end_bench "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT_DIR/logs"
: > "$RESULTS"

use_v2_env "$OUT_DIR/v2-keys" "$APP_PORT" "$SANDBOX_PORT"

# ---- 1. build a copy ----
log "building the working tree of $SOURCE in $BUILD_DIR"
build_tree "$SOURCE" "$BUILD_DIR" "$OUT_DIR/build.log"

# ---- 2. database ----
log "creating database $DB_NAME and migrating it"
sql "$DB_SERVER_URL" "CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
DB_CREATED=1
(cd "$BUILD_DIR" && npm run --silent db:migrate) > "$OUT_DIR/migrate.log" 2>&1 || { cat "$OUT_DIR/migrate.log" >&2; exit 1; }
DB_PIDS="$(pgrep -x mariadbd || pgrep -x mysqld || true)"

# ---- 3. servers ----
(cd "$BUILD_DIR" && exec node sandbox/standalone.js) > "$OUT_DIR/sandbox.log" 2>&1 &
SANDBOX_JOB=$!
wait_http "http://127.0.0.1:$SANDBOX_PORT/" 20 any || { cat "$OUT_DIR/sandbox.log" >&2; exit 1; }

start_app() { # start_app POOL [extra egg-scripts args...]
  local pool=$1; shift
  start_egg "$BUILD_DIR" "$APP_PORT" "$TITLE" "$pool" "$WORKERS" "$OUT_DIR/${APP_LOG:-app-pool$pool}.log" "$@" || { APP_JOB=$EGG_JOB; exit 1; }
  APP_JOB=$EGG_JOB APP_PIDS=$EGG_PIDS
}

notify_bench() { # notify_bench LABEL BASE_URL PIDS ORDERS [extra args]; NOTIFY_SCRIPT=notify-v3 for v3
  local label=$1 url=$2 pids=$3 orders=$4 script=${NOTIFY_SCRIPT:-notify-v2}; shift 4
  log "$script: $label, $orders orders"
  BASE_URL="$url" BENCH_LABEL="$label" BENCH_APP_PIDS="$pids" BENCH_DB_PIDS="$DB_PIDS" \
    timeout 900 node "$BENCH_DIR/$script.js" --orders="$orders" "$@" 2>&1 | tee -a "$RESULTS" || log "$script FAILED ($label)"
}

refund_bench() { # refund_bench v2|v3 LABEL PIDS: the refund notifies of the running app's mode, unless BENCH_REFUNDS=0
  [[ "${BENCH_REFUNDS:-1}" == 1 ]] || return 0
  NOTIFY_SCRIPT="refund-notify-$1" notify_bench "$2" "http://127.0.0.1:$APP_PORT" "$3" "$SMALL_ORDERS"
}

orders_bench() { # orders_bench LABEL PIDS
  log "orders-with-pay: $1"
  BASE_URL="http://127.0.0.1:$APP_PORT" BENCH_LABEL="$1" BENCH_APP_PIDS="$2" BENCH_DB_PIDS="$DB_PIDS" \
    BENCH_AUX_PIDS="$SANDBOX_JOB" timeout 300 node "$BENCH_DIR/orders-with-pay.js" 2>&1 | tee -a "$RESULTS" || log "orders-with-pay FAILED ($1)"
}

baseline_start() {
  BASELINE_PORT="$BASELINE_PORT" BASELINE_WORKERS="$WORKERS" BASELINE_POOL_MAX="${POOL_SIZES%% *}" \
    node "$BENCH_DIR/baseline-notify.js" > "$OUT_DIR/baseline.log" 2>&1 &
  BASELINE_JOB=$!
  wait_http "http://127.0.0.1:$BASELINE_PORT/healthz" 20
  BASELINE_PIDS="$( { echo "$BASELINE_JOB"; pgrep -P "$BASELINE_JOB"; } | paste -sd, -)"
}

# ---- 4. benches ----
log "machine: $(nproc) cores, $(node -v), workers $WORKERS, pool sizes: $POOL_SIZES, refund benches: ${BENCH_REFUNDS:-1}"
if [[ "${BENCH_V2:-1}" == 1 ]]; then
for pool in $POOL_SIZES; do
  start_app "$pool"
  notify_bench "egg prod, $WORKERS workers, pool $pool" "http://127.0.0.1:$APP_PORT" "$APP_PIDS" "$SMALL_ORDERS"
  refund_bench v2 "egg prod, $WORKERS workers, pool $pool" "$APP_PIDS"
  orders_bench "egg prod, $WORKERS workers, pool $pool" "$APP_PIDS"
  stop_app
done
if [[ "${BENCH_BASELINE:-1}" == 1 ]]; then
  baseline_start
  notify_bench "bare node:http + mysql2 baseline, $WORKERS workers, pool ${POOL_SIZES%% *}" "http://127.0.0.1:$BASELINE_PORT" "$BASELINE_PIDS" "$SMALL_ORDERS"
  stop_pid BASELINE_JOB
fi

if [[ "${BENCH_LARGE:-0}" == 1 ]]; then
  fill=() # the first large run fills the table; the next ones reuse it (paid orders reset)
  for pool in $POOL_SIZES; do
    start_app "$pool"
    notify_bench "egg prod, $WORKERS workers, pool $pool" "http://127.0.0.1:$APP_PORT" "$APP_PIDS" "$LARGE_ORDERS" "${fill[@]}"
    stop_app
    fill=(--skip-fill=1)
  done
  if [[ "${BENCH_BASELINE:-1}" == 1 ]]; then
    baseline_start
    notify_bench "bare node:http + mysql2 baseline, $WORKERS workers, pool ${POOL_SIZES%% *}" "http://127.0.0.1:$BASELINE_PORT" "$BASELINE_PIDS" "$LARGE_ORDERS" --skip-fill=1
    stop_pid BASELINE_JOB
  fi
fi

if [[ "${BENCH_PROFILE:-0}" == 1 ]]; then
  mkdir -p "$OUT_DIR/profiles"
  start_app "${POOL_SIZES%% *}" --node-options--cpu-prof --node-options--cpu-prof-dir="$OUT_DIR/profiles"
  notify_bench "profiled (--cpu-prof), pool ${POOL_SIZES%% *}" "http://127.0.0.1:$APP_PORT" "$APP_PIDS" "$SMALL_ORDERS" --storm-duration=0
  workers_only="$APP_PIDS"
  stop_app
  profiles=()
  for pid in ${workers_only//,/ }; do profiles+=("$OUT_DIR"/profiles/CPU.*."$pid".*.cpuprofile); done
  node "$BENCH_DIR/profile-summary.js" --top=30 "${profiles[@]}" | tee -a "$RESULTS"
fi
fi # BENCH_V2

# ---- 4c. bill reconciliation (BENCH_BILLS=1): the app started against the bench's stand-in for WeChat's
# /pay/downloadbill (bench/bill-reconcile.js serves it on BENCH_BILL_PORT), once per bill size, in v2 mode
# (before 4b, which switches the environment to v3). RECONCILE_AFTER_SECONDS=3600 keeps the order schedule
# from settling the bench's PENDING orders before the bill run does; BENCH_BILL_PROFILE=1 adds --cpu-prof.
if [[ "${BENCH_BILLS:-0}" == 1 ]]; then
  BILL_PORT="${BENCH_BILL_PORT:-7404}"
  bill_pool="${POOL_SIZES%% *}"
  for rows in ${BENCH_BILL_ROWS:-100000 1000000}; do
    prof=()
    if [[ "${BENCH_BILL_PROFILE:-0}" == 1 ]]; then
      mkdir -p "$OUT_DIR/profiles-bills-$rows"
      prof=(--node-options--cpu-prof --node-options--cpu-prof-dir="$OUT_DIR/profiles-bills-$rows")
    fi
    WECHATPAY_API_BASE="http://127.0.0.1:$BILL_PORT" RECONCILE_AFTER_SECONDS=3600 APP_LOG="app-bills-$rows" \
      start_app "$bill_pool" "${prof[@]}"
    log "bill-reconcile: $rows bill rows"
    BASE_URL="http://127.0.0.1:$APP_PORT" BENCH_LABEL="egg prod, $WORKERS workers, pool $bill_pool" BENCH_APP_PIDS="$APP_PIDS" \
      BENCH_DB_PIDS="$DB_PIDS" BENCH_APP_DIR="$BUILD_DIR" BENCH_BILL_PORT="$BILL_PORT" \
      timeout 1800 node "$BENCH_DIR/bill-reconcile.js" --rows="$rows" 2>&1 | tee -a "$RESULTS" || log "bill-reconcile FAILED ($rows rows)"
    stop_app
    if [[ "${BENCH_BILL_PROFILE:-0}" == 1 ]]; then
      node "$BENCH_DIR/profile-summary.js" --top=30 "$OUT_DIR/profiles-bills-$rows"/*.cpuprofile | tee -a "$RESULTS" || true
    fi
  done
fi

# ---- 4d. graceful shutdown (BENCH_SHUTDOWN=1): bench/shutdown-storm.js runs `egg-scripts stop` in the
# middle of a notify storm and checks that every acknowledged notify is a PAID order and that no request
# accepted was dropped. v2 mode, before 4b.
if [[ "${BENCH_SHUTDOWN:-0}" == 1 ]]; then
  APP_LOG="app-shutdown" start_app "${POOL_SIZES%% *}"
  log "shutdown-storm: egg-scripts stop during a notify storm"
  BASE_URL="http://127.0.0.1:$APP_PORT" BENCH_STOP_COMMAND="cd '$BUILD_DIR' && node_modules/.bin/egg-scripts stop --title='$TITLE'" \
    timeout 120 node "$BENCH_DIR/shutdown-storm.js" 2>&1 | tee -a "$RESULTS" || log "shutdown-storm FAILED"
  stop_app
fi

# ---- 4e. retention (BENCH_RETENTION=1): notify throughput over a payment_events table holding
# BENCH_OLD_EVENTS (1.5M) rows past the retention, without, with (every second, so it deletes throughout
# the run), and again without the retention schedule running. v2 mode, before 4b.
if [[ "${BENCH_RETENTION:-0}" == 1 ]]; then
  APP_LOG="app-no-retention" start_app "${POOL_SIZES%% *}"
  BASE_URL="http://127.0.0.1:$APP_PORT" BENCH_FILL=1 BENCH_LABEL="retention idle" \
    timeout 900 node "$BENCH_DIR/retention-notify.js" 2>&1 | tee -a "$RESULTS" || log "retention-notify FAILED (idle)"
  stop_app
  PAYMENT_EVENTS_RETENTION_INTERVAL=1s APP_LOG="app-retention" start_app "${POOL_SIZES%% *}"
  BASE_URL="http://127.0.0.1:$APP_PORT" BENCH_LABEL="retention running" \
    timeout 900 node "$BENCH_DIR/retention-notify.js" 2>&1 | tee -a "$RESULTS" || log "retention-notify FAILED (running)"
  stop_app
  # idle again: brackets the run with the retention, on a machine whose load drifts
  APP_LOG="app-no-retention-2" start_app "${POOL_SIZES%% *}"
  BASE_URL="http://127.0.0.1:$APP_PORT" BENCH_LABEL="retention idle (again)" \
    timeout 900 node "$BENCH_DIR/retention-notify.js" 2>&1 | tee -a "$RESULTS" || log "retention-notify FAILED (idle again)"
  stop_app
fi

# ---- 4f. stalled database (BENCH_STALL=1): bench/db-stall.js holds `LOCK TABLES orders WRITE`
# (BENCH_STALL_SECONDS, 90) and then one order's row while notifies and /healthz keep coming, and
# reports how long they took to answer; then checks no acknowledged payment was lost or credited twice.
if [[ "${BENCH_STALL:-0}" == 1 ]]; then
  APP_LOG="app-stall" start_app "${POOL_SIZES%% *}"
  log "db-stall: notifies and /healthz while the orders table, then a row, is locked"
  BASE_URL="http://127.0.0.1:$APP_PORT" timeout 900 node "$BENCH_DIR/db-stall.js" 2>&1 | tee -a "$RESULTS" || log "db-stall FAILED"
  stop_app
fi

# ---- 4b. v3 notifies: throw-away keys, the app restarted in v3 (public-key) mode ----
if [[ "${BENCH_V3:-1}" == 1 ]]; then
  use_v3_env "$OUT_DIR/v3-keys" "$APP_PORT" # removed by cleanup
  v3_pool="${POOL_SIZES%% *}"
  APP_LOG="app-v3-pool$v3_pool" start_app "$v3_pool"
  NOTIFY_SCRIPT=notify-v3 notify_bench "egg prod v3, $WORKERS workers, pool $v3_pool" "http://127.0.0.1:$APP_PORT" "$APP_PIDS" "$SMALL_ORDERS"
  refund_bench v3 "egg prod v3, $WORKERS workers, pool $v3_pool" "$APP_PIDS"
  stop_app
fi

log "summary"
node "$BENCH_DIR/summary.js" "$RESULTS" | tee -a "$RESULTS"
