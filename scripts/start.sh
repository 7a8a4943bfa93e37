#!/usr/bin/env bash
# Sets up and starts Parley with its embedded default storage (SQLite): installs the system
# packages, builds in Release, and runs `parley` in the current directory (the database file
# parley.db and the generated JWT secret parley.secret are created there on first start).
# Arguments are passed to parley, e.g. `scripts/start.sh --port 8080`; see `parley --help`.
set -euo pipefail
here=$PWD
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target parley

cd "$here"
echo "Parley: Socket.IO at http://localhost:${PORT:-3000} (REST API under /api, health at /healthz)"
exec "$root/build/parley" "$@"
