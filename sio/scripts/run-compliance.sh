#!/usr/bin/env bash
# Runs the official protocol compliance suites against the conformance fixture
# (sio/examples/conformance_fixture.cpp; docs: shared/conformance-fixture.md).
#
#   sio/scripts/run-compliance.sh DIR
#
# DIR holds checkouts of the two suites, each with its dependencies installed (`npm ci`):
#   DIR/socket.io-protocol/test-suite    DIR/engine.io-protocol/test-suite
# The suites are third-party code: they stay outside this repository. This script builds
# nothing: build the `conformance-fixture` target first (or point CONFORMANCE_FIXTURE at it).
# The suites talk to localhost:3000, so the fixture listens there; the port must be free.
# Exits non-zero when a suite fails or the fixture cannot be started.
set -uo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR   (DIR/socket.io-protocol/test-suite and DIR/engine.io-protocol/test-suite)" >&2
  exit 2
fi
suites_dir=$(cd "$1" 2>/dev/null && pwd) || { echo "run-compliance: no directory $1" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)  # the repository
fixture=${CONFORMANCE_FIXTURE:-$root/build/sio/conformance-fixture}
port=3000
suites=(socket.io-protocol engine.io-protocol)

if [ ! -x "$fixture" ]; then
  echo "run-compliance: $fixture not found: build the conformance-fixture target first" >&2
  exit 2
fi
for suite in "${suites[@]}"; do
  dir=$suites_dir/$suite/test-suite
  if [ ! -f "$dir/test-suite.js" ]; then
    echo "run-compliance: $dir/test-suite.js not found" >&2
    exit 2
  fi
  if [ ! -x "$dir/node_modules/.bin/mocha" ]; then
    echo "run-compliance: $dir has no node_modules: run \`npm ci\` there first" >&2
    exit 2
  fi
done
# The fixture shares its port with SO_REUSEPORT: another server on 3000 would silently take
# part of the suites' connections, so refuse to run beside one.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "run-compliance: something already listens on port $port; stop it first" >&2
  exit 2
fi

coproc FIXTURE { exec "$fixture" --port "$port"; }
fixture_pid=$FIXTURE_PID
stop_fixture() {
  if kill -0 "$fixture_pid" 2>/dev/null; then
    kill -TERM "$fixture_pid"
    wait "$fixture_pid" 2>/dev/null
  fi
}
trap stop_fixture EXIT

# The fixture prints one line once it listens.
if ! read -r -t 10 ready <&"${FIXTURE[0]}"; then
  echo "run-compliance: the conformance fixture did not start" >&2
  exit 1
fi
echo "run-compliance: $ready"

failed=()
for suite in "${suites[@]}"; do
  echo "== $suite"
  if ! (cd "$suites_dir/$suite/test-suite" && npx mocha test-suite.js); then
    failed+=("$suite")
  fi
done

if ! kill -0 "$fixture_pid" 2>/dev/null; then
  echo "run-compliance: the conformance fixture died during the run" >&2
  failed+=("conformance-fixture")
fi
stop_fixture
trap - EXIT

if ((${#failed[@]})); then
  echo "run-compliance: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "run-compliance: all suites passed"
