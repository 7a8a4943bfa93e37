#!/usr/bin/env bash
# Side-by-side benchmark of Parley and the reference server (../shared/reference/socketio-plain),
# in one run, with the same users and the same parley-bench settings. Builds parley and
# parley-bench, starts each server on loopback with a fresh database, runs the modes of
# parley-bench against each, and writes the JSON reports and a markdown table to
# bench/results/ (latest.md).
#
#   bench/compare.sh                # about 12 minutes on a 2-core machine
#   QUICK=1 bench/compare.sh        # a shorter pass (fewer repeats, shorter steps)
#
# Settings (environment): USERS (200), BENCH_THREADS (2: the generator's threads), MAX_BUDGET (90 s per max search),
# STEP_SECONDS (5), REPEATS (2 max searches per target), FIXED_RATE (2000 msgs/s),
# FIXED_SECONDS (10), CONNECTIONS (10000), HOLD (5 s), HANDSHAKE_SECONDS (5),
# PARLEY_ONE_THREAD (1: also a max search against Parley with --threads 1), BUILD_DIR,
# RESULTS_DIR, REFERENCE_DIR; SKIP_BUILD=1 with PARLEY_BIN and BENCH_BIN to use binaries as they are;
# NICE=-5 (say) runs the servers and the generator at that priority, so that other work on a shared
# machine disturbs the comparison less (needs root). Each step's report says how much CPU the rest
# of the machine took ("other_cores", the oth% column). TABLE_ONLY=1 only rewrites latest.md from the
# JSON reports already in RESULTS_DIR.
#
# Targets are listed in `targets` below; each has a start_<target> function that starts the
# server and sets `url` and `server_pid`. PostgreSQL targets (Parley and the reference on
# DATABASE_URL/DB_URL=postgres://...) go there too: see the PostgreSQL placeholder.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
results=${RESULTS_DIR:-$root/bench/results}
reference=${REFERENCE_DIR:-$(cd "$root/.." && pwd)/shared/reference/socketio-plain}
users_count=${USERS:-200}
threads=${BENCH_THREADS:-2}
max_budget=${MAX_BUDGET:-90}
step_seconds=${STEP_SECONDS:-5}
repeats=${REPEATS:-2}
fixed_rate=${FIXED_RATE:-2000}
fixed_seconds=${FIXED_SECONDS:-10}
connections=${CONNECTIONS:-10000}
hold=${HOLD:-5}
handshake_seconds=${HANDSHAKE_SECONDS:-5}
parley_one_thread=${PARLEY_ONE_THREAD:-1}
if [ -n "${QUICK:-}" ]; then
  max_budget=40; step_seconds=3; repeats=1; fixed_seconds=5; connections=5000; hold=2; handshake_seconds=3
fi
secret=compare-sh-secret-0123456789abcdef0123456789
prio=()
if [ -n "${NICE:-}" ]; then prio=(nice -n "$NICE"); fi

command -v jq >/dev/null || { echo "compare.sh needs jq (apt-get install jq)"; exit 1; }
mkdir -p "$results"
targets=(parley-sqlite reference-sqlite)

if [ -z "${TABLE_ONLY:-}" ]; then
command -v node >/dev/null || { echo "compare.sh needs Node.js for the reference server"; exit 1; }

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target parley parley-bench
fi
parley=${PARLEY_BIN:-$build/parley}
bench=${BENCH_BIN:-$build/bench/parley_bench/parley-bench}

echo "== reference server dependencies"
if [ ! -d "$reference/node_modules" ]; then
  (cd "$reference" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Thousands of connections on both ends: raise the open-file limit (root may raise the hard one).
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/parley-compare.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_for_port() {  # host port pid log
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { echo "server exited:"; cat "$4"; exit 1; }
    sleep 0.05
  done
  echo "server did not listen on $1:$2"; cat "$4"; exit 1
}

# ---- users: the reference's seed script makes them (ids + tokens signed with $secret); Parley
# creates the same users from the tokens' claims on first connect.
users="$work/users.json"
(cd "$reference" && JWT_SECRET=$secret SQLITE_PATH="$work/reference.sqlite" \
  node seed.js --count "$users_count" --out "$users" --reset --expires 24h)

# ---- targets ---------------------------------------------------------------------------------
start_parley_sqlite() {  # $1: event-loop threads (0: one per core)
  local log="$work/parley-$1.log"
  "${prio[@]}" "$parley" --host 127.0.0.1 --port 0 --database-url "sqlite:$work/parley-$1.db" --jwt-secret "$secret" \
    --threads "$1" --log-level info >"$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  local port=
  for _ in $(seq 1 200); do
    port=$(sed -n 's/.*parley listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "parley exited:"; cat "$log"; exit 1; }
    sleep 0.05
  done
  [ -n "$port" ] || { echo "parley did not start"; cat "$log"; exit 1; }
  url="http://127.0.0.1:$port"
}

start_reference_sqlite() {
  local port log="$work/reference.log"
  port=$(free_port)
  (cd "$reference" && exec "${prio[@]}" env JWT_SECRET=$secret PORT="$port" HOST=127.0.0.1 SQLITE_PATH="$work/reference.sqlite" \
    node server.js) >"$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for_port 127.0.0.1 "$port" "$server_pid" "$log"
  url="http://127.0.0.1:$port"
}

# PostgreSQL: another engineer adds these targets (a PostgreSQL server started on loopback,
# `--database-url postgres://...` for Parley, `DB_URL=postgres://...` for the reference, which
# must then be seeded with the same DB_URL). Add `parley-postgres` and `reference-postgres` to
# `targets` with start_parley_postgres / start_reference_postgres functions; the table picks
# up every target listed.
declare -A target_url target_pid
start_target() {
  case "$1" in
    parley-sqlite) start_parley_sqlite 0 ;;
    reference-sqlite) start_reference_sqlite ;;
    *) echo "unknown target $1"; exit 1 ;;
  esac
  target_url[$1]=$url
  target_pid[$1]=$server_pid
}

run_bench() {  # target mode report-name args...
  local target=$1 mode=$2 name=$3
  shift 3
  echo "== $target: $mode ($name)"
  "${prio[@]}" "$bench" "$mode" --url "${target_url[$target]}" --pid "${target_pid[$target]}" --users "$users" \
    --threads "$threads" --label "$target" --out "$results/$target-$name.json" "$@" || true
}

for target in "${targets[@]}"; do start_target "$target"; done

# Idle connections first, while the servers are fresh.
for target in "${targets[@]}"; do
  run_bench "$target" connections connections --connections "$connections" --duration "$hold" \
    --source-addresses $(( (connections + 20000) / 20000 ))
  sleep 2
done
for target in "${targets[@]}"; do
  run_bench "$target" handshake handshake-websocket --duration "$handshake_seconds" --concurrency 64
  run_bench "$target" handshake handshake-polling --duration "$handshake_seconds" --concurrency 64 --transport polling
done
for target in "${targets[@]}"; do
  run_bench "$target" rate "rate-$fixed_rate" --rate "$fixed_rate" --duration "$fixed_seconds"
done
for run in $(seq 1 "$repeats"); do
  for target in "${targets[@]}"; do
    run_bench "$target" max "max-$run" --duration "$max_budget" --step-duration "$step_seconds" --p99-ms 100 \
      --start-rate 1000
  done
done
if [ "$parley_one_thread" = 1 ]; then
  start_parley_sqlite 1
  target_url[parley-sqlite-1thread]=$url
  target_pid[parley-sqlite-1thread]=$server_pid
  run_bench parley-sqlite-1thread max max-1 --duration "$max_budget" --step-duration "$step_seconds" --p99-ms 100 \
    --start-rate 1000
fi

fi  # TABLE_ONLY

# ---- the table -------------------------------------------------------------------------------
q() {  # file jq-expression: the value, or "–" when the report is missing
  if [ -s "$1" ]; then jq -r "$2 // \"–\"" "$1"; else echo "–"; fi
}
fmt0() { awk -v v="$1" 'BEGIN { if (v == "–" || v == "") print "–"; else printf "%.0f", v }'; }
fmt1() { awk -v v="$1" 'BEGIN { if (v == "–" || v == "") print "–"; else printf "%.1f", v }'; }
fmt2() { awk -v v="$1" 'BEGIN { if (v == "–" || v == "") print "–"; else printf "%.2f", v }'; }
flag() { [ "$1" = true ] && echo " ⚠gen" || true; }
sat() { [ "$1" = true ] && echo " ⚠sat" || true; }

max_cell() {  # target run
  local f="$results/$1-max-$2.json"
  local rate lim
  rate=$(q "$f" '.result.max_rate_passed')
  lim=$(q "$f" '.result.best.generator_limited')
  echo "$(fmt0 "$rate")$(flag "$lim")"
}

best_max() {  # target: the best search's max_rate_passed (number or empty)
  local best=
  for run in $(seq 1 "$repeats"); do
    local v
    v=$(q "$results/$1-max-$run.json" '.result.max_rate_passed')
    [ "$v" = "–" ] && continue
    if [ -z "$best" ] || awk -v a="$v" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$v; fi
  done
  echo "$best"
}

md="$results/latest.md"
{
  echo "# parley-bench: Parley vs the reference server"
  echo
  ran_at=$(q "$results/parley-sqlite-connections.json" .run.started_at)
  echo "Made by \`bench/compare.sh\`$( [ -n "${QUICK:-}" ] && echo ' (QUICK=1)') on $ran_at:" \
       "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(uname -sr)," \
       "$(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo) RAM; the generator shares the cores with the server."
  echo "Users: $users_count (reference seed.js), generator: $threads threads$( [ -n "${NICE:-}" ] && echo ", servers and generator at nice $NICE"), one WebSocket per user," \
       "64-byte messages. Parley: default settings (SQLite synchronous=FULL, one event loop per core);" \
       "reference: its defaults (better-sqlite3, WAL, synchronous=NORMAL)."
  echo
  header="| measure |"; sep="|---|"
  for target in "${targets[@]}"; do header+=" $target |"; sep+="---:|"; done
  header+=" Parley ÷ reference |"; sep+="---:|"
  echo "$header"; echo "$sep"

  row() {  # label cell-function ratio
    local line="| $1 |"
    for target in "${targets[@]}"; do line+=" $($2 "$target") |"; done
    line+=" ${3:-} |"
    echo "$line"
  }
  ratio() {  # a b: a / b
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "–" || b == "–" || b + 0 == 0) print "–"; else printf "%.2f×", a / b }'
  }

  for run in $(seq 1 "$repeats"); do
    cell() { max_cell "$1" "$run"; }
    row "max delivered msgs/s at p99 ≤ 100 ms, lossless (search $run)" cell \
      "$(ratio "$(q "$results/parley-sqlite-max-$run.json" .result.max_rate_passed)" \
               "$(q "$results/reference-sqlite-max-$run.json" .result.max_rate_passed)")"
  done
  cell() { local f="$results/$1-max-1.json"; echo "$(fmt1 "$(q "$f" .result.best.delivery_latency.p50_ms)") / $(fmt1 "$(q "$f" .result.best.delivery_latency.p99_ms)")"; }
  row "delivery p50 / p99 ms at that rate (search 1)" cell
  cell() { local f="$results/$1-max-1.json"; echo "$(fmt0 "$(q "$f" ".result.best.server.busy_cores // .result.best.server.cores" | awk '{print $1*100}')") % / $(fmt0 "$(q "$f" ".result.best.generator.busy_cores // .result.best.generator.cores" | awk '{print $1*100}')") %"; }
  row "server / generator CPU at that rate (search 1)" cell
  for run in $(seq 1 "$repeats"); do
    cell() { local f="$results/$1-max-$run.json"; echo "$(fmt0 "$(q "$f" '[.result.steps[].other_cores] | add / length' | awk '{print $1*100}')") %"; }
    row "CPU taken by the rest of the machine during search $run (mean over steps)" cell
  done
  f_rate() { echo "$results/$1-rate-$fixed_rate.json"; }
  cell() { local f; f=$(f_rate "$1"); echo "$(fmt2 "$(q "$f" .result.delivery_latency.p50_ms)") / $(fmt2 "$(q "$f" .result.delivery_latency.p99_ms)")"; }
  row "delivery p50 / p99 ms at a steady $fixed_rate msgs/s" cell
  cell() { local f; f=$(f_rate "$1"); echo "$(fmt1 "$(q "$f" .result.server_cpu_us_per_msg)")"; }
  row "server CPU µs per message at $fixed_rate msgs/s" cell \
    "$(ratio "$(q "$results/parley-sqlite-rate-$fixed_rate.json" .result.server_cpu_us_per_msg)" \
             "$(q "$results/reference-sqlite-rate-$fixed_rate.json" .result.server_cpu_us_per_msg)")"
  cell() { local f; f=$(f_rate "$1"); echo "$(q "$f" .result.lost) / $(q "$f" .result.failed_acks)"; }
  row "lost / failed acks at $fixed_rate msgs/s" cell
  cell() { local f="$results/$1-connections.json"; echo "$(fmt2 "$(q "$f" .result.server_bytes_per_connection | awk '{print $1/1024}')")"; }
  row "server RSS KiB per idle connection ($connections connections)" cell \
    "$(ratio "$(q "$results/parley-sqlite-connections.json" .result.server_bytes_per_connection)" \
             "$(q "$results/reference-sqlite-connections.json" .result.server_bytes_per_connection)")"
  cell() { local f="$results/$1-handshake-websocket.json"; echo "$(fmt0 "$(q "$f" .result.per_second)")$(flag "$(q "$f" .result.generator_limited)")$(sat "$(q "$f" .result.machine_saturated)")"; }
  row "authenticated handshakes/s, WebSocket" cell \
    "$(ratio "$(q "$results/parley-sqlite-handshake-websocket.json" .result.per_second)" \
             "$(q "$results/reference-sqlite-handshake-websocket.json" .result.per_second)")"
  cell() { local f="$results/$1-handshake-polling.json"; echo "$(fmt0 "$(q "$f" .result.per_second)")$(flag "$(q "$f" .result.generator_limited)")$(sat "$(q "$f" .result.machine_saturated)")"; }
  row "authenticated handshakes/s, HTTP long-polling" cell \
    "$(ratio "$(q "$results/parley-sqlite-handshake-polling.json" .result.per_second)" \
             "$(q "$results/reference-sqlite-handshake-polling.json" .result.per_second)")"
  echo
  pb=$(best_max parley-sqlite); rb=$(best_max reference-sqlite)
  echo "Best of the searches: Parley $(fmt0 "${pb:-–}") msgs/s, reference $(fmt0 "${rb:-–}") msgs/s: $(ratio "$pb" "$rb")."
  if [ "$parley_one_thread" = 1 ]; then
    echo "Parley with one event-loop thread (\`--threads 1\`): $(max_cell parley-sqlite-1thread 1) msgs/s."
  fi
  echo
  echo "PostgreSQL: not measured yet (columns parley-postgres and reference-postgres are added by the"
  echo "PostgreSQL targets in compare.sh)."
  echo
  echo "⚠gen marks a result where the generator used nearly all of its threads (generator-limited); ⚠sat one"
  echo "where generator and server together used ≥ 90 % of the cores (the machine, not the server alone, was the limit)."
  echo "Each max search raises the rate ×2 per ${step_seconds}-s step from 1,000 msgs/s until a step's delivery"
  echo "p99 passes 100 ms or anything is lost, then bisects to within 5 %. Reports: \`bench/results/*.json\`."
  echo
  echo "Command: \`$( [ -n "${NICE:-}" ] && echo "NICE=$NICE ")$( [ -n "${QUICK:-}" ] && echo 'QUICK=1 ')bench/compare.sh\`"
} >"$md"
cat "$md"
