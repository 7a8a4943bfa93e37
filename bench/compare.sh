#!/usr/bin/env bash
# Side-by-side benchmark of Parley and the reference server (../shared/reference/socketio-plain),
# in one run, with the same users and the same parley-bench settings, on SQLite and on PostgreSQL.
# Builds parley and parley-bench, starts each server on loopback with a fresh database (one
# PostgreSQL server for the run, from scripts/pg-test-server.sh, with a database per server), runs
# the modes of parley-bench against each, and writes the JSON reports and a markdown table to
# bench/results/ (latest.md).
#
#   bench/compare.sh                # about 30 minutes on a 2-core machine
#   QUICK=1 bench/compare.sh        # a shorter pass (fewer repeats, shorter steps)
#   POSTGRES=0 bench/compare.sh     # SQLite only (about half of that)
#   GROUP_RUN=1 bench/compare.sh    # also group sends (groups of 10 and of 100 members), Parley only
#   GROUP_ONLY=1 bench/compare.sh   # only the group runs (no reference server, no other mode)
#
# Settings (environment): USERS (200), BENCH_THREADS (2: the generator's threads), MAX_BUDGET (120 s per max search),
# STEP_SECONDS (5), REPEATS (2 max searches per target), FIXED_RATE (2000 msgs/s),
# FIXED_SECONDS (10), CONNECTIONS (10000), HOLD (5 s), HANDSHAKE_SECONDS (5),
# PARLEY_ONE_THREAD (1: also a max search against Parley on SQLite with --threads 1), BUILD_DIR,
# RESULTS_DIR, REFERENCE_DIR; SKIP_BUILD=1 with PARLEY_BIN and BENCH_BIN to use binaries as they are;
# POSTGRES (1; 0 skips the PostgreSQL targets), PG_BIN (the PostgreSQL server's binaries,
# /usr/lib/postgresql/15/bin, as for scripts/pg-test-server.sh); QUICK=1 shortens the settings
# that are not given explicitly;
# GROUP_RUN=1 adds `parley-bench group` against each Parley target: GROUPS_10 (20) groups of 10 members at
# GROUP_RATE_10 (500 sends/s), and GROUPS_100 (5) groups of 100 members at GROUP_RATE_100 (50 sends/s), for
# GROUP_SECONDS (10) each, with users minted from --secret (Parley creates them on connect); the
# reference server has no groups, so these rows are Parley's alone;
# NICE=-5 (say) runs the servers and the generator at that priority, so that other work on a shared
# machine disturbs the comparison less (needs root). Each step's report says how much CPU the rest
# of the machine took ("other_cores", the oth% column). TABLE_ONLY=1 only rewrites latest.md from the
# JSON reports already in RESULTS_DIR.
#
# Targets are listed in `targets` below; start_target starts each one's server (start_parley with
# a database URL, start_reference with the reference's database environment) and records its URL
# and pid. Each reference database is seeded by the reference's seed.js, which makes fresh random
# user ids, so each database has its own users file; Parley uses the one of the reference on the
# same kind of database (it creates the users from the tokens' claims on first connect).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
results=${RESULTS_DIR:-$root/bench/results}
reference=${REFERENCE_DIR:-$(cd "$root/.." && pwd)/shared/reference/socketio-plain}
quick() { if [ -n "${QUICK:-}" ]; then echo "$1"; else echo "$2"; fi; }  # quick-default default
users_count=${USERS:-200}
threads=${BENCH_THREADS:-2}
max_budget=${MAX_BUDGET:-$(quick 50 120)}
step_seconds=${STEP_SECONDS:-$(quick 3 5)}
repeats=${REPEATS:-$(quick 1 2)}
fixed_rate=${FIXED_RATE:-2000}
fixed_seconds=${FIXED_SECONDS:-$(quick 5 10)}
connections=${CONNECTIONS:-$(quick 5000 10000)}
hold=${HOLD:-$(quick 2 5)}
handshake_seconds=${HANDSHAKE_SECONDS:-$(quick 3 5)}
parley_one_thread=${PARLEY_ONE_THREAD:-1}
postgres=${POSTGRES:-1}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
secret=compare-sh-secret-0123456789abcdef0123456789
prio=()
if [ -n "${NICE:-}" ]; then prio=(nice -n "$NICE"); fi

group_only=${GROUP_ONLY:-}
group_run=${GROUP_RUN:-${group_only:+1}}
group_run=${group_run:-0}
groups_10=${GROUPS_10:-20}
group_rate_10=${GROUP_RATE_10:-500}
groups_100=${GROUPS_100:-5}
group_rate_100=${GROUP_RATE_100:-50}
group_seconds=${GROUP_SECONDS:-$(quick 5 10)}

command -v jq >/dev/null || { echo "compare.sh needs jq (apt-get install jq)"; exit 1; }
mkdir -p "$results"
targets=(parley-sqlite reference-sqlite)
databases=(sqlite)  # one "Parley ÷ reference" column each
if [ "$postgres" != 0 ]; then
  targets+=(parley-postgres reference-postgres)
  databases+=(postgres)
fi
parley_targets=()
for target in "${targets[@]}"; do [[ $target == parley-* ]] && parley_targets+=("$target"); done
if [ -n "$group_only" ]; then targets=("${parley_targets[@]}"); fi

if [ -z "${TABLE_ONLY:-}" ]; then
[ -n "$group_only" ] || command -v node >/dev/null || { echo "compare.sh needs Node.js for the reference server"; exit 1; }
if [ "$postgres" != 0 ]; then
  for tool in initdb pg_ctl postgres psql; do
    [ -x "$pg_bin/$tool" ] && continue
    echo "compare.sh: the PostgreSQL targets need the PostgreSQL server binaries, and $pg_bin/$tool is missing." >&2
    echo "Install PostgreSQL 15 (apt-get install postgresql-15), set PG_BIN to their directory, or run with" >&2
    echo "POSTGRES=0 to benchmark on SQLite only." >&2
    exit 1
  done
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target parley parley-bench
fi
parley=${PARLEY_BIN:-$build/parley}
bench=${BENCH_BIN:-$build/bench/parley_bench/parley-bench}

echo "== reference server dependencies"
if [ -z "$group_only" ] && [ ! -d "$reference/node_modules" ]; then
  (cd "$reference" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Thousands of connections on both ends: raise the open-file limit (root may raise the hard one).
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/parley-compare.XXXXXX)
pids=()
pg_dir=
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$pg_dir" ]; then
    bash "$root/scripts/pg-test-server.sh" stop "$pg_dir" || echo "could not stop the PostgreSQL server in $pg_dir"
    rm -rf "$pg_dir"
  fi
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

# ---- PostgreSQL: one server for the run, in its own directory (as root, pg-test-server.sh runs it
# as the postgres user, which could not enter $work), with a fresh database for each server.
if [ "$postgres" != 0 ]; then
  echo "== PostgreSQL server"
  pg_dir=$(mktemp -d /tmp/parley-compare-pg.XXXXXX)
  pg_url=$(PG_BIN=$pg_bin bash "$root/scripts/pg-test-server.sh" start "$pg_dir") || {
    echo "the PostgreSQL server did not start (scripts/pg-test-server.sh start $pg_dir)"; exit 1; }
  pg_url=${pg_url##*$'\n'}  # the last line: postgres://postgres@127.0.0.1:PORT/parley_test
  "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE DATABASE parley_bench" -c "CREATE DATABASE reference_bench"
  pg_parley_url=${pg_url%/*}/parley_bench
  pg_reference_url=${pg_url%/*}/reference_bench
  echo "PostgreSQL $("$pg_bin/psql" -X -tA "$pg_url" -c 'SHOW server_version') at ${pg_url%/*}"
fi

# ---- users: the reference's seed script makes them (random ids + tokens signed with $secret) in
# the reference's database; Parley creates the same users from the tokens' claims on first connect.
# One users file per reference database, as seed.js makes new ids on each run.
seed_reference() {  # out-file database-environment... (DB_URL=... or SQLITE_PATH=...)
  local out=$1
  shift
  (cd "$reference" && env JWT_SECRET="$secret" "$@" node seed.js --count "$users_count" --out "$out" --reset --expires 24h)
}
users="$work/users.json"
[ -n "$group_only" ] || seed_reference "$users" DB_URL= SQLITE_PATH="$work/reference.sqlite"
if [ "$postgres" != 0 ] && [ -z "$group_only" ]; then
  users_postgres="$work/users-postgres.json"
  seed_reference "$users_postgres" DB_URL="$pg_reference_url"
fi
users_of() {  # target: the users file of its database
  case "$1" in
    *-postgres) echo "$users_postgres" ;;
    *) echo "$users" ;;
  esac
}

# ---- targets ---------------------------------------------------------------------------------
# Parley's per-user send limit is off: parley-bench sends from 200 users at up to ~80,000 msgs/s
# (~400/s per user on average, more in bursts), far beyond any human's default. The reference
# server has no limit either. (Per-address limits exempt loopback already.)
start_parley() {  # log-name database-URL event-loop-threads (0: one per core)
  local log="$work/$1.log"
  "${prio[@]}" "$parley" --host 127.0.0.1 --port 0 --database-url "$2" --jwt-secret "$secret" \
    --threads "$3" --log-level info --send-rate-per-user 0 >"$log" 2>&1 &
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

start_reference() {  # log-name database-environment... (DB_URL=... or SQLITE_PATH=...), as for its seed
  local port log="$work/$1.log"
  shift
  port=$(free_port)
  (cd "$reference" && exec "${prio[@]}" env JWT_SECRET="$secret" PORT="$port" HOST=127.0.0.1 "$@" \
    node server.js) >"$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for_port 127.0.0.1 "$port" "$server_pid" "$log"
  url="http://127.0.0.1:$port"
}

declare -A target_url target_pid
start_target() {
  case "$1" in
    parley-sqlite) start_parley "$1" "sqlite:$work/parley.db" 0 ;;
    parley-sqlite-1thread) start_parley "$1" "sqlite:$work/parley-1thread.db" 1 ;;
    reference-sqlite) start_reference "$1" DB_URL= SQLITE_PATH="$work/reference.sqlite" ;;
    parley-postgres) start_parley "$1" "$pg_parley_url" 0 ;;
    reference-postgres) start_reference "$1" DB_URL="$pg_reference_url" ;;
    *) echo "unknown target $1"; exit 1 ;;
  esac
  target_url[$1]=$url
  target_pid[$1]=$server_pid
}

run_bench() {  # target mode report-name args...
  local target=$1 mode=$2 name=$3
  shift 3
  echo "== $target: $mode ($name)"
  rm -f "$results/$target-$name.json"  # a failed run leaves no report of an earlier run behind
  "${prio[@]}" "$bench" "$mode" --url "${target_url[$target]}" --pid "${target_pid[$target]}" \
    --users "$(users_of "$target")" --threads "$threads" --label "$target" --out "$results/$target-$name.json" "$@" || true
}

for target in "${targets[@]}"; do start_target "$target"; done

if [ -z "$group_only" ]; then
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
  start_target parley-sqlite-1thread
  run_bench parley-sqlite-1thread max max-1 --duration "$max_budget" --step-duration "$step_seconds" --p99-ms 100 \
    --start-rate 1000
fi
fi  # not GROUP_ONLY

# Group sends: Parley only (the reference server has no create_conversation). Users minted from
# the secret, G x M of them, fresh for each run (Parley creates them on connect).
run_group() {  # target groups members rate
  local target=$1 name="group-$3"
  echo "== $target: group ($2 groups of $3 members, $4 sends/s, $group_seconds s)"
  rm -f "$results/$target-$name.json"
  "${prio[@]}" "$bench" group --url "${target_url[$target]}" --pid "${target_pid[$target]}" --secret "$secret" \
    --groups "$2" --members "$3" --rate "$4" --duration "$group_seconds" --threads "$threads" --label "$target" \
    --out "$results/$target-$name.json" || true
}
if [ "$group_run" = 1 ]; then
  echo "== group runs: Parley only (the reference server, reference/socketio-plain, has no groups)"
  for target in "${parley_targets[@]}"; do
    run_group "$target" "$groups_10" 10 "$group_rate_10"
    run_group "$target" "$groups_100" 100 "$group_rate_100"
  done
fi

fi  # TABLE_ONLY

# ---- the table -------------------------------------------------------------------------------
q() {  # file jq-expression: the value, or "–" when the report is missing
  if [ -s "$1" ]; then jq -r "$2 // \"–\"" "$1"; else echo "–"; fi
}
fmt0() { awk -v v="$1" 'BEGIN { if (v == "–" || v == "") print "–"; else printf "%.0f", v }'; }
fmt1() { awk -v v="$1" 'BEGIN { if (v == "–" || v == "") print "–"; else printf "%.1f", v }'; }
fmt2() { awk -v v="$1" 'BEGIN { if (v == "–" || v == "") print "–"; else printf "%.2f", v }'; }
scale() { awk -v m="$1" '{ if ($1 == "–" || $1 == "") print "–"; else print $1 * m }'; }  # stdin × m, "–" kept
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

group_table() {  # the group runs' rows, when there are reports
  local any=
  for target in "${parley_targets[@]}"; do
    for m in 10 100; do [ -s "$results/$target-group-$m.json" ] && any=1; done
  done
  [ -n "$any" ] || return 0
  echo
  echo "## Group sends (Parley only: the reference server has no groups)"
  echo
  echo "Each send reaches the group's other members (members − 1 deliveries, one socket per user; the sender's"
  echo "own copy is not counted). Latency: from the send to each member's receive_message."
  echo
  echo "| target | groups × members | sends/s (target) | deliveries/s | delivery p50 / p99 ms | lost / failed acks / errors | server CPU | rest of the machine |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for target in "${parley_targets[@]}"; do
    for m in 10 100; do
      local f="$results/$target-group-$m.json"
      [ -s "$f" ] || continue
      echo "| $target | $(q "$f" .result.groups) × $(q "$f" .result.members) |" \
           "$(fmt0 "$(q "$f" .result.sends_per_second)") ($(fmt0 "$(q "$f" .result.step.target_rate)")) |" \
           "$(fmt0 "$(q "$f" .result.deliveries_per_second)") |" \
           "$(fmt2 "$(q "$f" .result.step.delivery_latency.p50_ms)") / $(fmt2 "$(q "$f" .result.step.delivery_latency.p99_ms)") |" \
           "$(q "$f" .result.step.lost) / $(q "$f" .result.step.failed_acks) / $(q "$f" '.result.step.error_events + .result.step.misrouted + .result.step.duplicated') |" \
           "$(fmt0 "$(q "$f" .result.step.server.busy_cores | scale 100)") % |" \
           "$(fmt0 "$(q "$f" .result.step.other_cores | scale 100)") % |"
    done
  done
}

md="$results/latest.md"
if [ -n "$group_only" ]; then
  group_table >"$results/groups.md"
  cat "$results/groups.md"
  exit 0
fi
{
  echo "# parley-bench: Parley vs the reference server"
  echo
  ran_at=$(q "$results/parley-sqlite-connections.json" .run.started_at)
  echo "Made by \`bench/compare.sh\`$( [ -n "${QUICK:-}" ] && echo ' (QUICK=1)') on $ran_at:" \
       "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(uname -sr)," \
       "$(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo) RAM; the generator shares the cores with the server."
  echo "Users: $users_count (reference seed.js$( [ "$postgres" != 0 ] && echo ", one set per reference database, Parley using the set of its database")), generator: $threads threads$( [ -n "${NICE:-}" ] && echo ", servers and generator at nice $NICE"), one WebSocket per user," \
       "64-byte messages. Parley: default settings (SQLite synchronous=FULL, one event loop per core);" \
       "reference: its defaults (better-sqlite3, WAL, synchronous=NORMAL$( [ "$postgres" != 0 ] && echo "; pg with a pool of 10"))."
  if [ "$postgres" != 0 ]; then
    pg_version=$("$pg_bin/postgres" --version 2>/dev/null | sed -n 's/.*(PostgreSQL) \([0-9.]*\).*/\1/p' || true)
    echo "PostgreSQL${pg_version:+ $pg_version}: one server on loopback TCP for the run (\`scripts/pg-test-server.sh\`: fsync on," \
         "otherwise its defaults), a fresh database for each server, on the same cores. Its processes are not the server's:" \
         "their CPU is in \"the rest of the machine\", not in the server CPU rows."
  fi
  echo
  db_name() { case "$1" in sqlite) echo SQLite ;; postgres) echo PostgreSQL ;; *) echo "$1" ;; esac; }
  header="| measure |"; sep="|---|"
  for target in "${targets[@]}"; do header+=" $target |"; sep+="---:|"; done
  for db in "${databases[@]}"; do header+=" Parley ÷ reference ($(db_name "$db")) |"; sep+="---:|"; done
  echo "$header"; echo "$sep"

  ratio() {  # a b: a / b
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "–" || b == "–" || b + 0 == 0) print "–"; else printf "%.2f×", a / b }'
  }
  row() {  # label cell-function [report-name jq-expression]: a cell per target, then per database
           # the ratio parley-DB ÷ reference-DB of that value in that report (empty without one)
    local line="| $1 |"
    for target in "${targets[@]}"; do line+=" $($2 "$target") |"; done
    for db in "${databases[@]}"; do
      if [ -n "${3:-}" ]; then
        line+=" $(ratio "$(q "$results/parley-$db-$3.json" "$4")" "$(q "$results/reference-$db-$3.json" "$4")") |"
      else
        line+="  |"
      fi
    done
    echo "$line"
  }

  for run in $(seq 1 "$repeats"); do
    cell() { max_cell "$1" "$run"; }
    row "max delivered msgs/s at p99 ≤ 100 ms, lossless (search $run)" cell "max-$run" .result.max_rate_passed
  done
  cell() { local f="$results/$1-max-1.json"; echo "$(fmt1 "$(q "$f" .result.best.delivery_latency.p50_ms)") / $(fmt1 "$(q "$f" .result.best.delivery_latency.p99_ms)")"; }
  row "delivery p50 / p99 ms at that rate (search 1)" cell
  cell() { local f="$results/$1-max-1.json"; echo "$(fmt0 "$(q "$f" ".result.best.server.busy_cores // .result.best.server.cores" | scale 100)") % / $(fmt0 "$(q "$f" ".result.best.generator.busy_cores // .result.best.generator.cores" | scale 100)") %"; }
  row "server / generator CPU at that rate (search 1)" cell
  for run in $(seq 1 "$repeats"); do
    cell() { local f="$results/$1-max-$run.json"; echo "$(fmt0 "$(q "$f" '[.result.steps[].other_cores] | add / length' | scale 100)") %"; }
    row "CPU taken by the rest of the machine during search $run (mean over steps)" cell
  done
  f_rate() { echo "$results/$1-rate-$fixed_rate.json"; }
  cell() { local f; f=$(f_rate "$1"); echo "$(fmt2 "$(q "$f" .result.delivery_latency.p50_ms)") / $(fmt2 "$(q "$f" .result.delivery_latency.p99_ms)")"; }
  row "delivery p50 / p99 ms at a steady $fixed_rate msgs/s" cell
  cell() { local f; f=$(f_rate "$1"); echo "$(fmt1 "$(q "$f" .result.server_cpu_us_per_msg)")"; }
  row "server CPU µs per message at $fixed_rate msgs/s" cell "rate-$fixed_rate" .result.server_cpu_us_per_msg
  cell() { local f; f=$(f_rate "$1"); echo "$(q "$f" .result.lost) / $(q "$f" .result.failed_acks)"; }
  row "lost / failed acks at $fixed_rate msgs/s" cell
  cell() { local f="$results/$1-connections.json"; echo "$(fmt2 "$(q "$f" .result.server_bytes_per_connection | scale 0.0009765625)")"; }
  row "server RSS KiB per idle connection ($connections connections)" cell connections .result.server_bytes_per_connection
  cell() { local f="$results/$1-handshake-websocket.json"; echo "$(fmt0 "$(q "$f" .result.per_second)")$(flag "$(q "$f" .result.generator_limited)")$(sat "$(q "$f" .result.machine_saturated)")"; }
  row "authenticated handshakes/s, WebSocket" cell handshake-websocket .result.per_second
  cell() { local f="$results/$1-handshake-polling.json"; echo "$(fmt0 "$(q "$f" .result.per_second)")$(flag "$(q "$f" .result.generator_limited)")$(sat "$(q "$f" .result.machine_saturated)")"; }
  row "authenticated handshakes/s, HTTP long-polling" cell handshake-polling .result.per_second
  echo
  best=
  for db in "${databases[@]}"; do
    pb=$(best_max "parley-$db"); rb=$(best_max "reference-$db")
    best+="${best:+; }$(db_name "$db"): Parley $(fmt0 "${pb:-–}") msgs/s, reference $(fmt0 "${rb:-–}") msgs/s: $(ratio "$pb" "$rb")"
  done
  echo "Best of the searches: $best."
  if [ "$parley_one_thread" = 1 ]; then
    echo "Parley on SQLite with one event-loop thread (\`--threads 1\`): $(max_cell parley-sqlite-1thread 1) msgs/s."
  fi
  echo
  echo "⚠gen marks a result where the generator used nearly all of its threads (generator-limited); ⚠sat one"
  echo "where generator and server together used ≥ 90 % of the cores (the machine, not the server alone, was the limit)."
  echo "Each max search raises the rate per ${step_seconds}-s step from 1,000 msgs/s, ×2 while the delivery p99 is"
  echo "under 10 ms and ×1.15 after that, until a step's p99 passes 100 ms or anything is lost, then bisects to"
  echo "within 5 %. Reports: \`bench/results/*.json\`."
  echo
  group_table
  echo
  echo "Command: \`$( [ "$group_run" = 1 ] && echo "GROUP_RUN=1 ")$( [ -n "${NICE:-}" ] && echo "NICE=$NICE ")$( [ -n "${QUICK:-}" ] && echo 'QUICK=1 ')$( [ "$postgres" = 0 ] && echo 'POSTGRES=0 ')bench/compare.sh\`"
} >"$md"
cat "$md"
