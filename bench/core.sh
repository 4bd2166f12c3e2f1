#!/usr/bin/env bash
# Core figures for the README (a benchmark, not a test): release binary size, cold start
# to first answer, idle RSS, and /api/v1/health latency while 20 logins run at once.
# Needs curl, wrk and python3. Usage: bash bench/core.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/steward
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
pw=bench-password-0123456789
export STEWARD_AUTH__INITIAL_ADMIN_PASSWORD=$pw STEWARD_AUTH__LOGIN_RATE_PER_MINUTE=1000000 \
  STEWARD_AUTH__LOCKOUT_THRESHOLD=1000000 STEWARD_LOG_LEVEL=warn
cleanup() { kill "${pid:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

start_and_time() {
  local t0; t0=$(date +%s%N)
  "$bin" serve --data-dir "$dir" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  until curl -sf "$url/api/v1/health" >/dev/null; do sleep 0.002; done
  elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
}

start_and_time; first=$elapsed
kill -TERM "$pid"; wait "$pid" || true
start_and_time; warm=$elapsed
sleep 2
start_rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
# Steady idle: past the first minute, when code only start-up ran has been given back.
sleep 63
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")

echo "binary: $(( $(stat -c %s "$bin") / 1024 / 1024 )) MiB ($(stat -c %s "$bin") bytes)"
echo "cold start to first answer: first start ${first} ms (creates key, admin, bcrypt), later starts ${warm} ms"
echo "idle RSS: $(( rss / 1024 )) MiB (${rss} KiB) after 65 s; $(( start_rss / 1024 )) MiB (${start_rss} KiB) 2 s after start"

body="{\"username\":\"admin\",\"password\":\"$pw\"}"
login_loop() {
  local end=$(( $(date +%s) + 12 )) n=0
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -o /dev/null -H 'content-type: application/json' -d "$body" "$url/api/v1/auth/login"; n=$((n + 1))
  done
  echo "$n"
}
for _ in $(seq 20); do login_loop > "$dir/logins.$RANDOM" & done
sleep 1
echo "health latency while 20 logins run at once (wrk, 10 s, 4 connections):"
wrk -t1 -c4 -d10s --latency "$url/api/v1/health" | grep -E 'Latency|50%|90%|99%|Requests/sec'
wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
echo "logins completed: $(cat "$dir"/logins.* | paste -sd+ | bc)"
