# Shared by bench/run.sh, compare.sh and allocation.sh (sourced, not run): building a tree, the throw-away
# credentials of the app, the sandbox and the benches, starting and stopping what they run, and their common end.
# Expects REPO (this repository), BENCH_DIR, OUT_DIR and RESULTS (the results file) to be set, and
# DB_SERVER_URL, DB_NAME and DB_CREATED for end_bench.

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" | tee -a "$RESULTS" >&2; }
random_hex() { node -e "process.stdout.write(require('crypto').randomBytes($1).toString('hex'))"; }

sql() { # sql SERVER_URL "statement" — on the server, no database selected
  (cd "$REPO" && node -e '
    const mysql = require("mysql2/promise");
    const url = new URL(process.argv[1]);
    mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password) })
      .then(async c => { await c.query(process.argv[2]); await c.end(); })
      .catch(e => { console.error(e.message); process.exit(1); });' "$1" "$2")
}

wait_gone() { # wait_gone PID SECONDS: true once the process has exited
  local pid=$1 i
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

wait_http() { # wait_http URL SECONDS [any]: a 2xx answer (any answer at all with "any")
  local i fail=-f
  [[ "${3:-}" == any ]] && fail=""
  for ((i = 0; i < $2 * 2; i++)); do
    curl $fail -sS -m 1 -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "no answer from $1 after $2 s" >&2
  return 1
}

end_bench() { # end_bench STATUS: the end of every bench's EXIT trap, once it has stopped what it started
  # Drops the bench database (when DB_CREATED), removes the throw-away keys, says where the results are.
  if [[ -n "${DB_CREATED:-}" ]]; then sql "$DB_SERVER_URL" "DROP DATABASE IF EXISTS \`$DB_NAME\`" || echo "could not drop database $DB_NAME" >&2; fi
  rm -rf "$OUT_DIR/v2-keys" "$OUT_DIR/v3-keys"
  if [[ -f "$RESULTS" ]]; then echo "results: $RESULTS" >&2; fi
  exit "$1"
}

stop_pid() { # stop_pid VAR: TERM the job whose pid is in $VAR, then KILL after 10 s
  local pid=${!1}
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  printf -v "$1" '%s' ""
}

build_tree() { # build_tree SOURCE BUILD_DIR LOG: copies SOURCE's files (bench/ and test/ left out) and compiles them there
  local source=$1 build=$2 build_log=$3
  mkdir -p "$build"
  (cd "$source" && {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
      git ls-files; git ls-files --others --exclude-standard
    else
      find . -type f -not -path './node_modules/*' -not -path './.git/*' -not -path './run/*' -not -path './logs/*' | sed 's|^\./||'
    fi
  } | grep -Ev '^(bench|test)/' | sort -u \
    | while IFS= read -r f; do [[ -f "$f" ]] && printf '%s\0' "$f"; done \
    | xargs -0 cp --parents -p -t "$build/")
  ln -sfn "$REPO/node_modules" "$build/node_modules"
  if ! (cd "$build" && node_modules/.bin/ets >/dev/null && node_modules/.bin/tsc -p tsconfig.json --outDir .) > "$build_log" 2>&1; then
    log "WARNING: tsc reported errors in $source (see $build_log); benchmarking what it emitted"
  fi
  [[ -f "$build/app/service/notify.js" && -f "$build/sandbox/standalone.js" ]] || { cat "$build_log" >&2; return 1; }
}

use_v2_env() { # use_v2_env KEYS_DIR APP_PORT SANDBOX_PORT: the app in v2 mode, with a throw-away merchant API certificate
  export EGG_SERVER_ENV=prod NODE_ENV=production
  export AUTH_TOKEN_SECRET; AUTH_TOKEN_SECRET="$(random_hex 24)"
  export WECHAT_APPID="wxbench0000000001"
  export WECHAT_SECRET; WECHAT_SECRET="$(random_hex 16)"
  export WECHATPAY_MCHID="1900000109"
  export WECHATPAY_API_KEY; WECHATPAY_API_KEY="$(random_hex 16)"
  export WECHATPAY_SIGN_TYPE="${WECHATPAY_SIGN_TYPE:-MD5}"
  export WECHATPAY_NOTIFY_URL="http://127.0.0.1:$2/api/pay/notify"
  export WECHAT_API_BASE="http://127.0.0.1:$3/sandbox/wechat"
  export WECHATPAY_API_BASE="http://127.0.0.1:$3/sandbox/pay"
  export SANDBOX_PORT=$3
  # The standalone sandbox also serves TLS; any free port, so it never meets a local `npm run dev`.
  export SANDBOX_TLS_PORT=0
  # Production with v2 requires the merchant API client certificate (refunds).
  mkdir -p "$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$WECHATPAY_MCHID" \
    -keyout "$1/apiclient_key.pem" -out "$1/apiclient_cert.pem" 2>/dev/null
  export WECHATPAY_PRIVATE_KEY="$1/apiclient_key.pem" WECHATPAY_CLIENT_CERT="$1/apiclient_cert.pem"
}

use_v3_env() { # use_v3_env KEYS_DIR APP_PORT: from here on v3 mode (public-key), fresh RSA keys and APIv3 key
  local keys=$1
  mkdir -p -m 700 "$keys"
  node -e '
    const { generateKeyPairSync, randomBytes } = require("node:crypto");
    const fs = require("node:fs");
    const dir = process.argv[1];
    const pair = name => {
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      fs.writeFileSync(`${dir}/${name}_key.pem`, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
      fs.writeFileSync(`${dir}/${name}_public.pem`, publicKey.export({ type: "spki", format: "pem" }));
    };
    pair("wechatpay"); pair("merchant");
    fs.writeFileSync(`${dir}/apiv3.key`, randomBytes(16).toString("hex"), { mode: 0o600 }); // 32 characters
  ' "$keys"
  # WECHATPAY_API_KEY stays set, unused.
  export WECHATPAY_API_VERSION=v3
  export WECHATPAY_APIV3_KEY; WECHATPAY_APIV3_KEY="$(cat "$keys/apiv3.key")"
  export WECHATPAY_CERT_SERIAL; WECHATPAY_CERT_SERIAL="$(random_hex 20 | tr a-f A-F)" # 40 hex, never checked here
  export WECHATPAY_PRIVATE_KEY="$keys/merchant_key.pem"
  export WECHATPAY_PUBLIC_KEY="$keys/wechatpay_public.pem"
  export WECHATPAY_PUBLIC_KEY_ID="PUB_KEY_ID_0100000000BENCH0000000000000001"
  export WECHATPAY_NOTIFY_URL="http://127.0.0.1:$2/api/pay/notify/v3"
  export BENCH_WECHATPAY_PRIVATE_KEY="$keys/wechatpay_key.pem" # the bench signs as WeChat Pay
}

start_egg() { # start_egg BUILD_DIR PORT TITLE POOL WORKERS LOGFILE [egg-scripts args...]: sets EGG_JOB, EGG_PIDS (its workers)
  local build=$1 port=$2 title=$3 pool=$4 workers=$5 logfile=$6; shift 6
  (cd "$build" && DATABASE_POOL_MAX="$pool" exec node_modules/.bin/egg-scripts start \
    --workers="$workers" --port="$port" --title="$title" "$@") > "$logfile" 2>&1 &
  EGG_JOB=$!
  wait_http "http://127.0.0.1:$port/healthz" 60 || { tail -30 "$logfile" >&2; return 1; }
  local master
  master="$(pgrep -f -- "start-cluster .*\"title\":\"$title\"" | head -1)"
  EGG_PIDS="$(pgrep -P "$master" -f app_worker.js | paste -sd, -)"
}

stop_egg() { # stop_egg BUILD_DIR TITLE JOB: egg-scripts stop, then TERM and KILL the job if it lingers
  local build=$1 title=$2 job=$3
  [[ -n "$job" ]] || return 0
  (cd "$build" && node_modules/.bin/egg-scripts stop --title="$title" >/dev/null 2>&1) || true
  if ! wait_gone "$job" 30; then kill -TERM "$job" 2>/dev/null || true; wait_gone "$job" 10 || kill -KILL "$job" 2>/dev/null || true; fi
  wait "$job" 2>/dev/null || true
}
