#!/usr/bin/env bash
# Installs every system package Parley needs to build, run and test, from Debian 12's archive.
# Idempotent: packages already present are left as they are. Run as root.
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config clang libclang-rt-14-dev ccache
  # libraries
  libboost1.74-dev libssl-dev libsimdjson-dev rapidjson-dev libsodium-dev
  libsqlite3-dev sqlite3 libpq-dev libhiredis-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libjemalloc-dev libicu-dev
  # test peers: databases, official clients, browser
  postgresql redis-server python3 python3-socketio python3-websocket python3-requests
  chromium
)
# Node.js and npm run the official JavaScript clients; a machine with its own Node keeps it.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends --no-upgrade "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages present"
fi
