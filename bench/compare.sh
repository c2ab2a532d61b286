#!/usr/bin/env bash
# Notify throughput of two builds, A against B, measured side by side (see bench/README.md):
#
#   bash bench/compare.sh TREE_A TREE_B      e.g. a `git worktree` of the previous release, and this repo
#
# Both trees are built as bench/run.sh builds one, and both production apps run at once on one
# database (A on BENCH_APP_PORT, 7401; B on BENCH_COMPARE_PORT, 7411), each with BENCH_WORKERS
# workers; the idle one costs next to nothing. The notify bench of each API version in
# COMPARE_MODES ("v2 v3") then alternates between them for COMPARE_ROUNDS rounds (4), A B in odd
# rounds and B A in even ones, so that a drift of the machine (another tenant, the database's
# background flushing, which separate runs of bench/run.sh each start anew) falls on both alike.
# Prints each run, then per mode the mean of each build and B against A, paired by round.
set -Eeuo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
[[ $# -eq 2 ]] || { echo "usage: bash bench/compare.sh TREE_A TREE_B" >&2; exit 2; }
TREE_A="$(cd "$1" && pwd)"
TREE_B="$(cd "$2" && pwd)"
RUN_ID="$$"
TMP="${TMPDIR:-/tmp}"
OUT_DIR="${BENCH_OUT_DIR:-$TMP/wxcompare-out-$RUN_ID}"
DB_SERVER_URL="${BENCH_DB_SERVER_URL:-mysql://root@127.0.0.1:3306}"
DB_NAME="wxcompare_bench_$RUN_ID"
PORT_A="${BENCH_APP_PORT:-7401}"
PORT_B="${BENCH_COMPARE_PORT:-7411}"
SANDBOX_PORT="${BENCH_SANDBOX_PORT:-7402}"
WORKERS="${BENCH_WORKERS:-2}"
POOL="${BENCH_POOL:-10}"
ORDERS="${BENCH_ORDERS:-10000}"
ROUNDS="${COMPARE_ROUNDS:-4}"
MODES="${COMPARE_MODES:-v2 v3}"
RESULTS="$OUT_DIR/results.txt"
export BENCH_DURATION="${BENCH_DURATION:-15}" BENCH_WARMUP="${BENCH_WARMUP:-3}"
export BENCH_STORM_DURATION="${BENCH_STORM_DURATION:-10}" BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-32}"

[[ -d "$REPO/node_modules/autocannon" ]] || { echo "node_modules (with autocannon) missing: run npm ci first" >&2; exit 2; }
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

BUILD_A="$TMP/wxcompare-a-$RUN_ID" BUILD_B="$TMP/wxcompare-b-$RUN_ID"
TITLE_A="wxcompare-a-$RUN_ID" TITLE_B="wxcompare-b-$RUN_ID"
JOB_A="" JOB_B="" PIDS_A="" PIDS_B="" SANDBOX_JOB="" DB_CREATED=""

stop_apps() {
  stop_egg "$BUILD_A" "$TITLE_A" "$JOB_A"; JOB_A=""
  stop_egg "$BUILD_B" "$TITLE_B" "$JOB_B"; JOB_B=""
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_apps
  stop_pid SANDBOX_JOB
  rm -rf "$BUILD_A" "$BUILD_B" "$OUT_DIR/logs"
  end_bench "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT_DIR/logs"
: > "$RESULTS"
export DATABASE_URL="$DB_SERVER_URL/$DB_NAME" LOG_DIR="$OUT_DIR/logs"
use_v2_env "$OUT_DIR/v2-keys" "$PORT_A" "$SANDBOX_PORT"

log "A: $TREE_A"
build_tree "$TREE_A" "$BUILD_A" "$OUT_DIR/build-a.log"
log "B: $TREE_B"
build_tree "$TREE_B" "$BUILD_B" "$OUT_DIR/build-b.log"

sql "$DB_SERVER_URL" "CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
DB_CREATED=1
# Both builds' migrations: each runs those the other lacks (they only add).
for build in "$BUILD_A" "$BUILD_B"; do
  (cd "$build" && npm run --silent db:migrate) >> "$OUT_DIR/migrate.log" 2>&1 || { cat "$OUT_DIR/migrate.log" >&2; exit 1; }
done
DB_PIDS="$(pgrep -x mariadbd || pgrep -x mysqld || true)"

(cd "$BUILD_A" && exec node sandbox/standalone.js) > "$OUT_DIR/sandbox.log" 2>&1 &
SANDBOX_JOB=$!
wait_http "http://127.0.0.1:$SANDBOX_PORT/" 20 any || { cat "$OUT_DIR/sandbox.log" >&2; exit 1; }

start_apps() { # start_apps MODE
  start_egg "$BUILD_A" "$PORT_A" "$TITLE_A" "$POOL" "$WORKERS" "$OUT_DIR/app-a-$1.log" || { JOB_A=$EGG_JOB; exit 1; }
  JOB_A=$EGG_JOB PIDS_A=$EGG_PIDS
  start_egg "$BUILD_B" "$PORT_B" "$TITLE_B" "$POOL" "$WORKERS" "$OUT_DIR/app-b-$1.log" || { JOB_B=$EGG_JOB; exit 1; }
  JOB_B=$EGG_JOB PIDS_B=$EGG_PIDS
}

one_run() { # one_run MODE A|B ROUND FILL
  local mode=$1 which=$2 round=$3 fill=$4 port pids script=notify-v2
  [[ "$which" == A ]] && { port=$PORT_A; pids=$PIDS_A; } || { port=$PORT_B; pids=$PIDS_B; }
  [[ "$mode" == v3 ]] && script=notify-v3
  log "$mode round $round: $which"
  BASE_URL="http://127.0.0.1:$port" BENCH_LABEL="$which $mode round $round" BENCH_APP_PIDS="$pids" BENCH_DB_PIDS="$DB_PIDS" \
    BENCH_SKIP_FILL="$((1 - fill))" timeout 900 node "$BENCH_DIR/$script.js" --orders="$ORDERS" >> "$RESULTS" 2>&1 \
    || log "$script FAILED ($which, round $round)"
}

for mode in $MODES; do
  # The notify URL only matters to WeChat's side (the sandbox), which these runs do not use.
  [[ "$mode" == v3 ]] && use_v3_env "$OUT_DIR/v3-keys" "$PORT_A"
  start_apps "$mode"
  log "machine: $(nproc) cores, $(node -v), $mode, $WORKERS workers each, pool $POOL, $ROUNDS rounds"
  fill=1
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order=(A B); else order=(B A); fi
    for which in "${order[@]}"; do one_run "$mode" "$which" "$round" "$fill"; fill=0; done
  done
  stop_apps
done

node "$BENCH_DIR/compare-summary.js" "$RESULTS" | tee -a "$RESULTS"
