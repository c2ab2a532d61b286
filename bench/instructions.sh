#!/usr/bin/env bash
# Instructions per v2 notify of one or more builds, counted by valgrind's callgrind (see bench/README.md):
#
#   bash bench/instructions.sh TREE [TREE...]      e.g. a `git worktree` of the previous release, and .
#
# Each tree is built as bench/run.sh builds one, then, INSTR_ROUNDS times (2) in turn, started as one
# process (bench/single-process.js, agent and worker together) under callgrind on a fresh database,
# sent BENCH_WARM_NOTIFIES (1000) notifies to warm up and BENCH_MEASURED_NOTIFIES (2000) to count
# (bench/notify-instructions.js), and stopped. Needs valgrind (Debian's package) and MariaDB.
# BENCH_KEEP_DUMPS=1 keeps the callgrind files (callgrind_annotate reads them; with
# INSTR_NODE_OPTIONS=--perf-basic-prof, /tmp/perf-<pid>.map names the JavaScript among them).
# Slow (a notify costs ~100 times its CPU under callgrind: ~3 min per run) but repeatable: the count
# does not depend on what else the machine is doing, where notifies per second do.
set -Eeuo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
[[ $# -ge 1 ]] || { echo "usage: bash bench/instructions.sh TREE [TREE...]" >&2; exit 2; }
command -v valgrind >/dev/null && command -v callgrind_control >/dev/null || { echo "valgrind missing (apt-get install valgrind)" >&2; exit 2; }
TREES=()
for tree in "$@"; do TREES+=("$(cd "$tree" && pwd)"); done
RUN_ID="$$"
TMP="${TMPDIR:-/tmp}"
OUT_DIR="${BENCH_OUT_DIR:-$TMP/wxinstr-out-$RUN_ID}"
DB_SERVER_URL="${BENCH_DB_SERVER_URL:-mysql://root@127.0.0.1:3306}"
DB_NAME="wxinstr_bench_$RUN_ID"
PORT="${BENCH_APP_PORT:-7401}"
ROUNDS="${INSTR_ROUNDS:-2}"
RESULTS="$OUT_DIR/results.txt"
export BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-8}"

[[ -d "$REPO/node_modules/mysql2" ]] || { echo "node_modules missing: run npm ci first" >&2; exit 2; }
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

APP_JOB="" DB_CREATED=""
BUILDS=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid APP_JOB
  if [[ -n "$DB_CREATED" ]]; then sql "$DB_SERVER_URL" "DROP DATABASE IF EXISTS \`$DB_NAME\`" || echo "could not drop database $DB_NAME" >&2; fi
  rm -rf "${BUILDS[@]}" "$OUT_DIR/logs" "$OUT_DIR/v2-keys"
  [[ "${BENCH_KEEP_DUMPS:-0}" == 1 ]] || rm -f "$OUT_DIR"/callgrind.*
  [[ -f "$RESULTS" ]] && echo "results: $RESULTS" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT_DIR/logs"
: > "$RESULTS"
export DATABASE_URL="$DB_SERVER_URL/$DB_NAME" LOG_DIR="$OUT_DIR/logs" BASE_URL="http://127.0.0.1:$PORT"
# No WeChat is reached: the notify path never calls it, and the schedules that would are kept idle.
use_v2_env "$OUT_DIR/v2-keys" "$PORT" 1
export RECONCILE_INTERVAL=1h
# Under callgrind a connection takes seconds to open: the app's own limits would fail the warm-up.
export DATABASE_ACQUIRE_TIMEOUT_MS=60000 NOTIFY_DEADLINE_MS=60000

for i in "${!TREES[@]}"; do
  BUILDS+=("$TMP/wxinstr-build-$RUN_ID-$i")
  log "build $((i + 1)): ${TREES[$i]}"
  build_tree "${TREES[$i]}" "${BUILDS[$i]}" "$OUT_DIR/build-$i.log"
done

for ((round = 1; round <= ROUNDS; round++)); do
  for i in "${!BUILDS[@]}"; do
    build=${BUILDS[$i]} label="build $((i + 1)) round $round"
    sql "$DB_SERVER_URL" "DROP DATABASE IF EXISTS \`$DB_NAME\`"
    sql "$DB_SERVER_URL" "CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    DB_CREATED=1
    (cd "$build" && npm run --silent db:migrate) > "$OUT_DIR/migrate.log" 2>&1 || { cat "$OUT_DIR/migrate.log" >&2; exit 1; }
    log "$label: ${TREES[$i]}"
    cg_out="$OUT_DIR/callgrind.$i.$round"
    # --instr-atstart=no: the start runs uncounted (and faster); the driver switches counting on.
    (cd "$build" && BENCH_APP_PORT="$PORT" DATABASE_POOL_MAX="${BENCH_POOL:-10}" exec valgrind --tool=callgrind \
      --smc-check=all-non-file --instr-atstart=no --callgrind-out-file="$cg_out" \
      node ${INSTR_NODE_OPTIONS:-} "$BENCH_DIR/single-process.js") > "$OUT_DIR/app-$i-$round.log" 2>&1 &
    APP_JOB=$!
    wait_http "$BASE_URL/healthz" 300 || { tail -30 "$OUT_DIR/app-$i-$round.log" >&2; exit 1; }
    BENCH_CALLGRIND_PID="$APP_JOB" BENCH_CALLGRIND_OUT="$cg_out" BENCH_LABEL="$label" \
      node "$BENCH_DIR/notify-instructions.js" 2>&1 | tee -a "$RESULTS" || log "notify-instructions FAILED ($label)"
    stop_pid APP_JOB
  done
done

# Per build: each round's count and the mean, and each build against the first.
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l.startsWith("BENCH_INSTRUCTIONS "));
  const byBuild = new Map();
  for (const line of lines) {
    const r = JSON.parse(line.slice("BENCH_INSTRUCTIONS ".length));
    const build = r.label.replace(/ round .*/, "");
    if (!byBuild.has(build)) byBuild.set(build, []);
    byBuild.get(build).push(r.perNotify / 1e6);
  }
  const trees = process.argv.slice(2);
  const mean = xs => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean([ ...byBuild.values() ][0] || [ NaN ]);
  console.log("\n| build | tree | M instructions per notify, each round | mean | against build 1 |\n| --- | --- | --- | ---: | ---: |");
  [ ...byBuild.entries() ].forEach(([ build, xs ], i) => console.log(`| ${build} | ${trees[i]} | ${xs.map(x => x.toFixed(3)).join(", ")} | ${mean(xs).toFixed(3)} | ${((mean(xs) / first - 1) * 100).toFixed(1)} % |`));
' "$RESULTS" "${TREES[@]}" | tee -a "$RESULTS"
