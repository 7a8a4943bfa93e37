#!/usr/bin/env bash
# Smoke test of parley-bench: starts Parley on a free port with a fresh SQLite database and a
# known secret, runs a few seconds of `rate` (or, with `group`, of group sends: 4 groups of 5
# members) with minted random users, and fails unless every message was acknowledged and
# delivered exactly once (in `group`: to each of the other 4 members of its group).
# `presence`: 200 users in 4 overlapping groups of 10 each, one reconnect storm within the
# server's default grace: every user must be back, and nobody may be told anyone went offline.
# `presence-offline`: the server at --presence-grace 1s, half of the users dropped for 3 s: the
# other half must be told they went offline and came back (online:false and online:true).
# `typing`: 4 groups of 5, 40 typing changes/s for 3 s (each user well under the server's 10/s):
# every change acked, every typing_update matched to its change, none lost or unexpected.
#   smoke.sh PARLEY_BINARY PARLEY_BENCH_BINARY [rate|group|presence|presence-offline|typing]
set -euo pipefail
parley=${1:?parley binary}
bench=${2:?parley-bench binary}
mode=${3:-rate}

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

secret=parley-bench-smoke-secret-0123456789abcdef
grace_args=()
[ "$mode" = presence-offline ] && grace_args=(--presence-grace 1s)
"$parley" --host 127.0.0.1 --port 0 --database-url "sqlite:$work/chat.db" --jwt-secret "$secret" \
  --log-level info --send-rate-per-user 0 ${grace_args[@]+"${grace_args[@]}"} >"$work/parley.log" 2>&1 &
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

# The report is one line of JSON; each of the keys read below appears once in it.
field() { grep -o "\"$1\":[0-9]*" "$work/report.json" | head -1 | cut -d: -f2; }

if [ "$mode" = presence ] || [ "$mode" = presence-offline ]; then
  status=0
  if [ "$mode" = presence ]; then
    storm=(--offline-s 0)
  else
    storm=(--presence-grace 1 --offline-s 3 --storm-fraction 0.5)
  fi
  "$bench" presence --url "http://127.0.0.1:$port" --secret "$secret" --users-count 200 --conversations-per-user 4 \
    --members 10 --threads 2 --connect-timeout 20 --quiet 1 --duration 60 --pid "$server_pid" "${storm[@]}" \
    --out "$work/report.json" || status=$?
  [ -s "$work/report.json" ] || { echo "FAILED: no report (exit $status)"; tail -20 "$work/parley.log"; exit 1; }
  cat "$work/report.json"; echo
  created=$(field created); stormed=$(field stormed); reconnected=$(field reconnected)
  online=$(field online); offline=$(field offline)
  echo "created=$created stormed=$stormed reconnected=$reconnected online=$online offline=$offline exit=$status"
  if [ "$status" -ne 0 ] || [ "$created" != 80 ] || [ -z "$stormed" ] || [ "$reconnected" != "$stormed" ]; then
    echo "FAILED: parley-bench $mode smoke (not every user back, or the run failed)"; tail -20 "$work/parley.log"; exit 1
  fi
  if [ "$mode" = presence ] && [ "$stormed" != 200 -o "$offline" != 0 ]; then
    echo "FAILED: a reconnect within the grace must tell nobody that anyone went offline"; exit 1
  fi
  if [ "$mode" = presence-offline ] && [ "$offline" -eq 0 -o "$online" -eq 0 ]; then
    echo "FAILED: users offline past the grace must be seen to leave and to come back"; exit 1
  fi
  echo "parley-bench $mode smoke passed"
  exit 0
fi

if [ "$mode" = typing ]; then
  status=0
  "$bench" typing --url "http://127.0.0.1:$port" --secret "$secret" --groups 4 --members 5 --rate 40 --duration 3 \
    --drain 2 --threads 2 --connect-timeout 20 --pid "$server_pid" --out "$work/report.json" || status=$?
  [ -s "$work/report.json" ] || { echo "FAILED: no report (exit $status)"; tail -20 "$work/parley.log"; exit 1; }
  cat "$work/report.json"; echo
  created=$(field created); sent=$(field sent); acked=$(field acked); limited=$(field rate_limited)
  due=$(field due); delivered=$(field delivered); lost=$(field lost); unexpected=$(field unexpected)
  echo "created=$created sent=$sent acked=$acked rate_limited=$limited due=$due delivered=$delivered" \
    "lost=$lost unexpected=$unexpected exit=$status"
  if [ "$status" -ne 0 ] || [ "$created" != 4 ] || [ "$sent" -lt 100 ] || [ "$acked" -ne "$sent" ] ||
     [ "$limited" -ne 0 ] || [ "$due" -ne $((sent * 4)) ] || [ "$delivered" -ne "$due" ] || [ "$lost" -ne 0 ] ||
     [ "$unexpected" -ne 0 ]; then
    echo "FAILED: parley-bench typing smoke"; tail -20 "$work/parley.log"; exit 1
  fi
  echo "parley-bench typing smoke passed"
  exit 0
fi

status=0
if [ "$mode" = group ]; then
  "$bench" group --url "http://127.0.0.1:$port" --secret "$secret" --groups 4 --members 5 --rate 500 --duration 3 \
    --threads 2 --connect-timeout 20 --pid "$server_pid" --out "$work/report.json" || status=$?
else
  "$bench" rate --url "http://127.0.0.1:$port" --secret "$secret" --users-count 20 --rate 500 --duration 3 \
    --threads 2 --pid "$server_pid" --out "$work/report.json" || status=$?
fi

[ -s "$work/report.json" ] || { echo "FAILED: no report (exit $status)"; tail -20 "$work/parley.log"; exit 1; }
cat "$work/report.json"; echo
sent=$(field sent); delivered=$(field delivered); expected=$(field expected); lost=$(field lost)
failed=$(field failed_acks); unacked=$(field unacked); dup=$(field duplicated); misrouted=$(field misrouted)
echo "sent=$sent delivered=$delivered expected=$expected lost=$lost failed_acks=$failed unacked=$unacked" \
  "duplicated=$dup misrouted=$misrouted exit=$status"
per_send=1
if [ "$mode" = group ]; then
  per_send=4
  created=$(field created); fanout=$(field fanout)
  echo "created=$created fanout=$fanout"
  if [ "$created" != 4 ] || [ "$fanout" != 4 ]; then echo "FAILED: groups not created"; exit 1; fi
fi
if [ "$status" -ne 0 ] || [ "$sent" -lt 1400 ] || [ "$delivered" -ne "$expected" ] ||
   [ "$delivered" -ne $((sent * per_send)) ] || [ "$lost" -ne 0 ] ||
   [ "$failed" -ne 0 ] || [ "$unacked" -ne 0 ] || [ "$dup" -ne 0 ] || [ "$misrouted" -ne 0 ]; then
  echo "FAILED: parley-bench smoke"; tail -20 "$work/parley.log"; exit 1
fi
echo "parley-bench $mode smoke passed"
