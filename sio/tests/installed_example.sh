#!/usr/bin/env bash
# sio as another project gets it: (1) the library configures as a project of its own, (2) the
# build installs it into a fresh prefix, (3) examples/standalone, a project outside this tree,
# finds it there with find_package(sio) and builds, (4) the program serves a real client
# (Debian's python-socketio): an ack, a binary event, and a relay to another client.
#
#   installed_example.sh SIO_SOURCE_DIR SIO_BINARY_DIR BUILD_ROOT CXX
set -euo pipefail
source_dir=$1 binary_dir=$2 build_root=$3 cxx=$4
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
server=

echo "== sio configures on its own (no Parley, no database, no npm)"
cmake -S "$source_dir" -B "$work/alone" -DSIO_TESTS=OFF -DCMAKE_CXX_COMPILER="$cxx" >"$work/alone.log" 2>&1 || {
  cat "$work/alone.log"; exit 1; }
grep -qiE "sqlite|postgres|spdlog|sodium|jemalloc|npm" "$work/alone/CMakeCache.txt" && {
  echo "sio's own configuration looked for a dependency of Parley's:"; grep -iE "sqlite|postgres|spdlog|sodium|jemalloc|npm" "$work/alone/CMakeCache.txt"; exit 1; }

echo "== install (component sio) into $work/prefix"
cmake --install "$build_root" --component sio --prefix "$work/prefix" >"$work/install.log"
test -f "$work/prefix/lib/cmake/sio/sioConfig.cmake"
test -f "$work/prefix/include/sio/socketio/server.hpp"
# The public headers show the API and nothing of the implementation behind it.
if grep -rnE "\bdetail::|namespace detail" "$work/prefix/include/sio" | grep -vE "^[^:]*:[0-9]+: *//"; then
  echo "public headers name the library's internals (detail::) -- see above"; exit 1
fi

echo "== the standalone example builds against the installed library"
cp -r "$source_dir/examples/standalone" "$work/example"
cmake -S "$work/example" -B "$work/example/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >"$work/example.log" 2>&1 || { cat "$work/example.log"; exit 1; }
cmake --build "$work/example/build" -j2 >>"$work/example.log" 2>&1 || { cat "$work/example.log"; exit 1; }

echo "== it serves a real client"
"$work/example/build/sio-hello" 0 >"$work/server.out" &
server=$!
for _ in $(seq 100); do
  port=$(sed -n 's/^listening on //p' "$work/server.out")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "sio-hello did not start"; exit 1; }
/usr/bin/python3 - "$port" <<'PY'
import sys, threading
import socketio

url = f"http://127.0.0.1:{sys.argv[1]}"
got_world, got_news = threading.Event(), threading.Event()
world, news = [], []
a, b = socketio.Client(), socketio.Client()
a.on("world", lambda *args: (world.append(args), got_world.set()))
b.on("news", lambda *args: (news.append(args), got_news.set()))
a.connect(url, transports=["websocket"])
b.connect(url, transports=["polling"])
answer = a.call("hello", {"from": "a"}, timeout=5)
assert answer == "got it", answer
assert got_world.wait(5) and world[0] == (42, "text", b"\x01\x02"), world
assert got_news.wait(5) and news[0] == ({"from": "a"},), news
a.disconnect(); b.disconnect()
print("ack, binary event and relay: ok")
PY
