#!/usr/bin/env bash
# Smoke test of parley-bench: starts Parley on a free port with a fresh SQLite database and a
# known secret, runs a few seconds of `rate` with minted random users, and fails unless every
# message was acknowledged and delivered exactly once.
#   smoke.sh PARLEY_BINARY PARLEY_BENCH_BINARY
set -euo pipefail
parley=${1:?parley binary}
bench=${2:?parley-bench binary}

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

secret=parley-bench-smoke-secret-0123456789abcdef
"$parley" --host 127.0.0.1 --port 0 --database-url "sqlite:$work/chat.db" --jwt-secret "$secret" \
  --log-level info >"$work/parley.log" 2>&1 &
server_pid=$!

# Parley prints "parley listening on http://HOST:PORT" once it accepts connections.
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*parley listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$work/parley.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "parley exited:"; cat "$work/parley.log"; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { echo "parley did not start listening:"; cat "$work/parley.log"; exit 1; }

status=0
"$bench" rate --url "http://127.0.0.1:$port" --secret "$secret" --users-count 20 --rate 500 --duration 3 \
  --threads 2 --pid "$server_pid" --out "$work/report.json" || status=$?

[ -s "$work/report.json" ] || { echo "FAILED: no report (exit $status)"; tail -20 "$work/parley.log"; exit 1; }
cat "$work/report.json"; echo
# The report is one line of JSON; each of these keys appears once in it.
field() { grep -o "\"$1\":[0-9]*" "$work/report.json" | head -1 | cut -d: -f2; }
sent=$(field sent); delivered=$(field delivered); expected=$(field expected); lost=$(field lost)
failed=$(field failed_acks); unacked=$(field unacked); dup=$(field duplicated); misrouted=$(field misrouted)
echo "sent=$sent delivered=$delivered expected=$expected lost=$lost failed_acks=$failed unacked=$unacked" \
  "duplicated=$dup misrouted=$misrouted exit=$status"
if [ "$status" -ne 0 ] || [ "$sent" -lt 1400 ] || [ "$delivered" -ne "$expected" ] || [ "$lost" -ne 0 ] ||
   [ "$failed" -ne 0 ] || [ "$unacked" -ne 0 ] || [ "$dup" -ne 0 ] || [ "$misrouted" -ne 0 ]; then
  echo "FAILED: parley-bench smoke"; tail -20 "$work/parley.log"; exit 1
fi
echo "parley-bench smoke passed"
