#!/usr/bin/env bash
# Sets up and runs every test: system packages, the build, the npm test tools, the CTest suite
# (unit tests, end-to-end tests with the official clients), and a short fuzzing smoke run.
# This is the test command README.md gives; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-20}

bash scripts/install-deps.sh

echo "== build (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"

echo "== npm tools for the end-to-end tests"
for dir in sio/tests/e2e tests/parley tests/web; do
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== fuzzing smoke run (${fuzz_seconds}s per target, committed seed corpus)"
CXX=clang++ cmake -S . -B build-fuzz -DPARLEY_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$jobs"
for target in build-fuzz/sio/fuzz_*; do
  name=$(basename "$target")
  corpus=sio/tests/fuzz/corpus/$name
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  "$target" -max_total_time="$fuzz_seconds" -print_final_stats=0 "$work" >"$work.log" 2>&1 || {
    echo "FAILED: $name"; tail -40 "$work.log"; exit 1; }
  echo "$name: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$work.log" | tail -1)s, no crash"
  rm -rf "$work" "$work.log"
done
echo "all tests passed"
