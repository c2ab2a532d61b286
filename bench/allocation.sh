#!/usr/bin/env bash
# Bytes allocated and promoted per v2 notify of one or more builds, from V8's GC trace (see bench/README.md):
#
#   bash bench/allocation.sh TREE [TREE...]      e.g. a `git worktree` of the previous release, and .
#
# Each tree is built as bench/run.sh builds one, then, ALLOC_ROUNDS times (2) in turn, started as one
# process (bench/single-process.js, agent and worker together) with --trace-gc-nvp on a fresh
# database, sent BENCH_WARM_NOTIFIES (3000) notifies to warm up and BENCH_MEASURED_NOTIFIES (10000)
# to measure (bench/notify-allocation.js), and stopped: ~1 min per run. What a notify allocates, and
# above all what survives the young generation, moves little with the machine's other work, where
# notifies per second move by twenty per cent.
set -Eeuo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
[[ $# -ge 1 ]] || { echo "usage: bash bench/allocation.sh TREE [TREE...]" >&2; exit 2; }
TREES=()
for tree in "$@"; do TREES+=("$(cd "$tree" && pwd)"); done
RUN_ID="$$"
TMP="${TMPDIR:-/tmp}"
OUT_DIR="${BENCH_OUT_DIR:-$TMP/wxalloc-out-$RUN_ID}"
DB_SERVER_URL="${BENCH_DB_SERVER_URL:-mysql://root@127.0.0.1:3306}"
DB_NAME="wxalloc_bench_$RUN_ID"
PORT="${BENCH_APP_PORT:-7401}"
ROUNDS="${ALLOC_ROUNDS:-2}"
RESULTS="$OUT_DIR/results.txt"
export BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-16}"

[[ -d "$REPO/node_modules/mysql2" ]] || { echo "node_modules missing: run npm ci first" >&2; exit 2; }
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

APP_JOB="" DB_CREATED=""
BUILDS=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid APP_JOB
  rm -rf "${BUILDS[@]}" "$OUT_DIR/logs"
  end_bench "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT_DIR/logs"
: > "$RESULTS"
export DATABASE_URL="$DB_SERVER_URL/$DB_NAME" LOG_DIR="$OUT_DIR/logs" BASE_URL="http://127.0.0.1:$PORT"
# No WeChat is reached: the notify path never calls it, and the order reconciliation that would is kept idle.
use_v2_env "$OUT_DIR/v2-keys" "$PORT" 1
export RECONCILE_INTERVAL=1h

for i in "${!TREES[@]}"; do
  BUILDS+=("$TMP/wxalloc-build-$RUN_ID-$i")
  log "build $((i + 1)): ${TREES[$i]}"
  build_tree "${TREES[$i]}" "${BUILDS[$i]}" "$OUT_DIR/build-$i.log"
done

for ((round = 1; round <= ROUNDS; round++)); do
  for i in "${!BUILDS[@]}"; do
    build=${BUILDS[$i]} label="build $((i + 1)) round $round" app_log="$OUT_DIR/app-$((i + 1))-$round.log"
    sql "$DB_SERVER_URL" "DROP DATABASE IF EXISTS \`$DB_NAME\`"
    sql "$DB_SERVER_URL" "CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    DB_CREATED=1
    (cd "$build" && npm run --silent db:migrate) > "$OUT_DIR/migrate.log" 2>&1 || { cat "$OUT_DIR/migrate.log" >&2; exit 1; }
    log "$label: ${TREES[$i]}"
    (cd "$build" && BENCH_APP_PORT="$PORT" DATABASE_POOL_MAX="${BENCH_POOL:-10}" exec node --trace-gc-nvp \
      "$BENCH_DIR/single-process.js") > "$app_log" 2>&1 &
    APP_JOB=$!
    wait_http "$BASE_URL/healthz" 60 || { tail -30 "$app_log" >&2; exit 1; }
    BENCH_APP_LOG="$app_log" BENCH_LABEL="$label" node "$BENCH_DIR/notify-allocation.js" 2>&1 | tee -a "$RESULTS" \
      || log "notify-allocation FAILED ($label)"
    stop_pid APP_JOB
    rm -f "$app_log"
  done
done

# Per build: each round's figures and the means, and each build against the first.
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l.startsWith("BENCH_ALLOCATION "));
  const byBuild = new Map();
  for (const line of lines) {
    const r = JSON.parse(line.slice("BENCH_ALLOCATION ".length));
    const build = r.label.replace(/ round .*/, "");
    if (!byBuild.has(build)) byBuild.set(build, []);
    byBuild.get(build).push(r);
  }
  const trees = process.argv.slice(2);
  const mean = xs => xs.reduce((a, b) => a + b, 0) / xs.length;
  const kb = x => (x / 1024).toFixed(2);
  const [ first ] = byBuild.values();
  const vs = (runs, key) => first ? `${((mean(runs.map(r => r[key])) / mean(first.map(r => r[key])) - 1) * 100).toFixed(1)} %` : "-";
  console.log("\n| build | tree | KB allocated per notify | KB promoted per notify | allocated, promoted against build 1 |");
  console.log("| --- | --- | --- | --- | ---: |");
  [ ...byBuild.entries() ].forEach(([ build, runs ], i) => console.log(`| ${build} | ${trees[i]} | ` +
    `${runs.map(r => kb(r.allocatedPerNotify)).join(", ")} | ${runs.map(r => kb(r.promotedPerNotify)).join(", ")} | ` +
    `${vs(runs, "allocatedPerNotify")}, ${vs(runs, "promotedPerNotify")} |`));
' "$RESULTS" "${TREES[@]}" | tee -a "$RESULTS"
