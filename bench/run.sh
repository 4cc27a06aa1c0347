#!/usr/bin/env bash
# The benchmark: machine ceilings and scenarios S1-S6 against a running stack, several rounds, medians.
#
#   bench/run.sh [smoke | ceilings | s1 s2 s3 s4 s5 s6 ...]     (no argument: ceilings and every scenario)
#
# Needs the stack of BENCH_PROFILE (default dev: `./dev up`) to be running; ./dev bench starts a fresh one.
# Environment:
#   BENCH_ROUNDS=3            rounds; the table quotes the median of each figure
#   BENCH_PROFILE=dev         whose ports to use (`./dev env PROFILE`; MESSENGER_PORT_OFFSET applies)
#   BENCH_BUILD_DIR=build/release   where the bench binaries are (built there if missing)
#   BENCH_QUICK=1             a short run: 2 s steps, 5 s closed loops, 10,000 history messages, 2,000 sockets
#   BENCH_HISTORY_MESSAGES, BENCH_SOCKETS, BENCH_USERS   override the scenario sizes
#   BENCH_LOADGEN_FLAGS       extra flags for every messenger-loadgen scenario run
#   BENCH_GATEWAY_URL, BENCH_GATEWAY_PID   a gateway started some other way (default: the profile's)
# Writes bench/results/latest.json (and the raw rounds under bench/results/rounds/).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
ROUNDS="${BENCH_ROUNDS:-3}"
PROFILE="${BENCH_PROFILE:-dev}"
BUILD_DIR="${BENCH_BUILD_DIR:-$ROOT/build/release}"
QUICK="${BENCH_QUICK:-0}"

say() { printf '\033[1;35m[bench]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bench] error:\033[0m %s\n' "$*" >&2; exit 1; }

BIN_TARGETS=(messenger-loadgen messenger-bench-hello messenger-bench-mongo)

ensure_binaries() {
  local missing=0 t
  for t in "${BIN_TARGETS[@]}"; do [[ -x "$BUILD_DIR/bench/$t" ]] || missing=1; done
  if [[ $missing -eq 1 || "${BENCH_REBUILD:-0}" == 1 ]]; then
    export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/messenger/ccache}" CCACHE_BASEDIR="$ROOT"
    if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
      say "configuring $BUILD_DIR (Release)"
      cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMESSENGER_SANITIZE=OFF >/dev/null
    fi
    say "building ${BIN_TARGETS[*]} in $BUILD_DIR"
    cmake --build "$BUILD_DIR" --target "${BIN_TARGETS[@]}" >/dev/null
  fi
  LOADGEN="$BUILD_DIR/bench/messenger-loadgen"
  HELLO="$BUILD_DIR/bench/messenger-bench-hello"
  MONGO_BENCH="$BUILD_DIR/bench/messenger-bench-mongo"
}

# The hello server on a free port; sets HELLO_PID and HELLO_URL.
start_hello() {
  local out="$RUN_DIR/hello.out" port="" i
  "$HELLO" --port 0 >"$out" 2>&1 &
  HELLO_PID=$!
  for i in $(seq 1 100); do
    port="$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$out")"
    [[ -n "$port" ]] && break
    sleep 0.05
  done
  [[ -n "$port" ]] || die "the hello server did not start: $(cat "$out")"
  HELLO_URL="http://127.0.0.1:$port"
}

stop_hello() {
  [[ -n "${HELLO_PID:-}" ]] || return 0
  kill "$HELLO_PID" 2>/dev/null || true
  wait "$HELLO_PID" 2>/dev/null || true
  HELLO_PID=""
}

# ------------------------------------------------------------------------------------------- ceilings

ceiling_hello() {
  start_hello
  local steps=(--step-s 3)
  [[ "$QUICK" == 1 ]] && steps=(--step-s 2)
  "$LOADGEN" hello --target "$HELLO_URL" "${steps[@]}" --threads "$(nproc)" --source-addresses 0 \
    --out "$1" >/dev/null || true
  stop_hello
}

ceiling_argon2() {
  local d=5
  [[ "$QUICK" == 1 ]] && d=3
  "$LOADGEN" argon2 --duration-s "$d" --out "$1" >/dev/null || true
}

pg() { PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -p "$PG_PORT" -U messenger -v ON_ERROR_STOP=1 -qtA "$@"; }

ceiling_pgbench() {
  local out="$1" d=5 script="$RUN_DIR/pgbench-insert.sql" log="$RUN_DIR/pgbench.log"
  [[ "$QUICK" == 1 ]] && d=3
  if ! pg -d postgres -c "SELECT 1" >/dev/null 2>&1; then
    echo '{"scenario":"pgbench","available":false,"reason":"PostgreSQL not reachable"}' >"$out"
    return 0
  fi
  pg -d postgres -c "SELECT 1 FROM pg_database WHERE datname='bench_scratch'" | grep -q 1 ||
    pg -d postgres -c "CREATE DATABASE bench_scratch" >/dev/null
  pg -d bench_scratch -c "CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, chat_id text NOT NULL,
    seq bigint NOT NULL, content text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())" >/dev/null
  cat >"$script" <<'SQL'
\set seq random(1, 1000000000)
INSERT INTO bench_insert (chat_id, seq, content) VALUES ('chat-' || :client_id, :seq, repeat('x', 60));
SQL
  local fsync sync
  fsync="$(pg -d postgres -c "SHOW fsync")"
  sync="$(pg -d postgres -c "SHOW synchronous_commit")"
  if pgbench -h 127.0.0.1 -p "$PG_PORT" -U messenger -n -f "$script" -c 16 -j 2 -T "$d" bench_scratch >"$log" 2>&1; then
    local tps lat
    tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log" | head -1)"
    lat="$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$log" | head -1)"
    printf '{"scenario":"pgbench","available":true,"tps":%s,"latency_avg_ms":%s,"clients":16,"fsync":"%s","synchronous_commit":"%s"}\n' \
      "${tps:-0}" "${lat:-0}" "$fsync" "$sync" >"$out"
  else
    printf '{"scenario":"pgbench","available":false,"reason":"pgbench failed: %s"}\n' \
      "$(tail -1 "$log" | tr -d '"\\')" >"$out"
  fi
  pg -d bench_scratch -c "TRUNCATE bench_insert" >/dev/null || true
}

ceiling_redis() {
  local out="$1" n=300000 csv
  [[ "$QUICK" == 1 ]] && n=100000
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" SET key:__rand_int__ hello >/dev/null 2>&1 || true
  if csv="$(redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t get -n "$n" -c 50 -r 1000 --csv 2>/dev/null)"; then
    printf '%s\n' "$csv" | python3 -c '
import csv, json, sys
rows = [r for r in csv.reader(sys.stdin) if r]
head, get = rows[0], next(r for r in rows[1:] if r[0] == "GET")
d = dict(zip(head, get))
json.dump({"scenario": "redis_get", "available": True, "get_per_s": float(d["rps"]), "clients": 50,
           "latency_ms": {"p50": float(d["p50_latency_ms"]), "p99": float(d["p99_latency_ms"]),
                          "max": float(d["max_latency_ms"])}}, open(sys.argv[1], "w"))
' "$out"
  else
    echo '{"scenario":"redis_get","available":false,"reason":"redis-benchmark failed (Redis not reachable?)"}' >"$out"
  fi
}

ceiling_mongo() {
  local d=5
  [[ "$QUICK" == 1 ]] && d=3
  "$MONGO_BENCH" --uri "$MONGO_URI" --threads 16 --duration-s "$d" >"$1" 2>"$RUN_DIR/mongo.log" ||
    [[ -s "$1" ]] || echo '{"scenario":"mongo_insert","available":false,"reason":"FerretDB not reachable"}' >"$1"
}

# ------------------------------------------------------------------------------------------- scenarios

scenario() {
  local name="$1" out="$2"
  if [[ "$GATEWAY_UP" != 1 ]]; then
    printf '{"scenario":"%s","available":false,"reason":"no gateway answers at %s (start the stack: ./dev up)"}\n' \
      "$name" "$GATEWAY_URL" >"$out"
    return 0
  fi
  local args=(--gateway "$GATEWAY_URL" --state "$STATE_FILE" --threads "$(nproc)")
  if [[ "$QUICK" == 1 ]]; then
    args+=(--step-s 2 --duration-s 5 --hold-s 5)
  fi
  case "$name" in
    s3) args+=(--history-messages "${BENCH_HISTORY_MESSAGES:-$([[ "$QUICK" == 1 ]] && echo 10000 || echo 100000)}") ;;
    # The target of S5 bounds p99 at 10 ms (S1's at 50 ms, the generator's default).
    s5) args+=(--p99-ms 10) ;;
    s6) args+=(--sockets "${BENCH_SOCKETS:-$([[ "$QUICK" == 1 ]] && echo 2000 || echo 10000)}")
        [[ -n "$GATEWAY_PID" ]] && args+=(--gateway-pid "$GATEWAY_PID") ;;
  esac
  [[ -n "${BENCH_USERS:-}" ]] && args+=(--users "$BENCH_USERS")
  # shellcheck disable=SC2206
  [[ -n "${BENCH_LOADGEN_FLAGS:-}" ]] && args+=($BENCH_LOADGEN_FLAGS)
  "$LOADGEN" "$name" "${args[@]}" --out "$out" >/dev/null ||
    [[ -s "$out" ]] || printf '{"scenario":"%s","available":false,"reason":"messenger-loadgen failed"}\n' "$name" >"$out"
}

# ---------------------------------------------------------------------------------------------- main

main() {
  ensure_binaries
  set -a
  eval "$("$ROOT/dev" env "$PROFILE")"
  set +a
  GATEWAY_URL="${BENCH_GATEWAY_URL:-$GATEWAY_URL}"
  RUN_DIR="$BENCH/results/rounds/$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$RUN_DIR"
  trap stop_hello EXIT

  if [[ "${1:-}" == smoke ]]; then
    start_hello
    "$LOADGEN" smoke --target "$HELLO_URL" --source-addresses 0
    return
  fi

  local wanted=("$@") all=(ceilings s1 s2 s3 s4 s5 s6) w
  [[ ${#wanted[@]} -eq 0 ]] && wanted=("${all[@]}")
  # S6 first (see below).
  if [[ " ${wanted[*]} " == *" s6 "* ]]; then
    local reordered=(s6)
    for w in "${wanted[@]}"; do [[ "$w" == s6 ]] || reordered+=("$w"); done
    wanted=("${reordered[@]}")
  fi
  for w in "${wanted[@]}"; do
    [[ " ${all[*]} " == *" $w "* ]] || die "unknown scenario '$w' (smoke, ceilings, s1..s6)"
  done

  GATEWAY_UP=0
  curl -fsS -m 2 "$GATEWAY_URL/healthz" >/dev/null 2>&1 && GATEWAY_UP=1
  [[ "$GATEWAY_UP" == 1 ]] || say "no gateway at $GATEWAY_URL: scenarios will be reported as not available"
  GATEWAY_PID="${BENCH_GATEWAY_PID:-}"
  if [[ -z "$GATEWAY_PID" && -z "${BENCH_GATEWAY_URL:-}" && -f "$ROOT/.run/$PROFILE/pids/gateway.pid" ]]; then
    GATEWAY_PID="$(cat "$ROOT/.run/$PROFILE/pids/gateway.pid")"
  fi
  STATE_FILE="$BENCH/results/$PROFILE-$(echo -n "$GATEWAY_URL" | md5sum | cut -c1-8).state.json"

  local load_before
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  say "profile $PROFILE, gateway $GATEWAY_URL, $ROUNDS round(s), load average $load_before"
  local round name
  for round in $(seq 1 "$ROUNDS"); do
    for w in "${wanted[@]}"; do
      # S6 reads the gateway's resident memory, which a process seldom gives back once it has grown: it runs
      # once, first, while the gateway is as fresh as this run gets.
      if [[ "$w" == s6 && "$round" -gt 1 ]]; then
        continue
      fi
      if [[ "$w" == ceilings ]]; then
        for name in hello argon2 pgbench redis mongo; do
          say "round $round: ceiling $name"
          "ceiling_$name" "$RUN_DIR/$name-$round.json"
        done
      else
        say "round $round: scenario $w"
        scenario "$w" "$RUN_DIR/$w-$round.json"
      fi
    done
  done
  local load_after
  load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
  python3 "$BENCH/aggregate.py" --rounds-dir "$RUN_DIR" --out "$BENCH/results/latest.json" \
    --profile "$PROFILE" --gateway "$GATEWAY_URL" --load-before "$load_before" --load-after "$load_after" \
    --commit "$(git -C "$ROOT" rev-parse HEAD)$(git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || echo '-dirty')" \
    --quick "$QUICK"
}

main "$@"
