#!/usr/bin/env bash
# A throw-away PostgreSQL 15 server for the tests, kept entirely inside one directory.
#
#   scripts/pg-test-server.sh start DIR   # prints postgres://postgres@127.0.0.1:PORT/parley_test
#   scripts/pg-test-server.sh stop DIR
#
# `start` creates the cluster on first use (trust authentication, superuser `postgres`), listens
# on a free loopback port only (the unix socket lives in DIR, so nothing system-wide is touched),
# keeps fsync on (the tests check durability), creates the database `parley_test` and writes the
# URL to DIR/url. Both commands are idempotent: `start` on a running server only prints the URL,
# and a restarted server keeps its port while that port is free, so a store holding the URL can
# reconnect. Run as root, the server runs as the `postgres` user (PostgreSQL refuses root).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
command=$1
dir=$2
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
data=$dir/data

as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -f "$data/PG_VERSION" ] && as_server_user "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

# Something already answers on the port (bash's /dev/tcp: no extra tools needed).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local port
  if [ -f "$dir/port" ]; then
    port=$(cat "$dir/port")
    if ! port_in_use "$port"; then echo "$port"; return; fi
  fi
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! port_in_use "$port"; then echo "$port"; return; fi
  done
  echo "no free port found" >&2
  exit 1
}

start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  data=$dir/data
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$data/PG_VERSION" ]; then
    # --no-sync only skips initdb's own flushes of a cluster that is thrown away; the server
    # itself runs with fsync on.
    as_server_user "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if ! running; then
    local attempt port
    for attempt in 1 2 3 4 5; do
      port=$(pick_port)
      if as_server_user "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null; then
        echo "$port" >"$dir/port"
        break
      fi
      # Lost a race for the port with another process: try another one.
      rm -f "$dir/port"
      if [ "$attempt" -eq 5 ]; then tail -20 "$dir/server.log" >&2; exit 1; fi
    done
  fi
  local port
  port=$(cat "$dir/port")
  local psql=("$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -tA)
  if [ -z "$(as_server_user "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'parley_test'")" ]; then
    as_server_user "${psql[@]}" -c "CREATE DATABASE parley_test" >/dev/null
  fi
  local url="postgres://postgres@127.0.0.1:$port/parley_test"
  echo "$url" >"$dir/url"
  echo "$url"
}

stop() {
  [ -d "$dir" ] || return 0
  if running; then as_server_user "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null; fi
}

case $command in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
