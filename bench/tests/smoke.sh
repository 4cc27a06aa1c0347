#!/usr/bin/env bash
# Smoke test of the load generator: ~2 s at 500 requests/s against the hello server, every request must
# succeed. Usage: smoke.sh HELLO_BINARY LOADGEN_BINARY
set -euo pipefail
hello="$1"
loadgen="$2"
out="$(mktemp)"
"$hello" --port 0 --threads 1 >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$out")"
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; echo "hello server exited" >&2; exit 1; }
  sleep 0.05
done
[[ -n "$port" ]] || { echo "hello server did not report its port" >&2; exit 1; }
"$loadgen" smoke --target "http://127.0.0.1:$port" --source-addresses 0
