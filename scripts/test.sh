#!/usr/bin/env bash
# Sets up and runs every test: system packages, the build, the npm test tools, the CTest suite
# (unit tests, end-to-end tests with the official clients, real PostgreSQL), the same suites
# again under AddressSanitizer + UndefinedBehaviorSanitizer and the multi-threaded ones under
# ThreadSanitizer, and a short fuzzing run of every fuzz target.
# This is the test command README.md gives; .ci/run calls it.
#
#   SANITIZERS=0 bash scripts/test.sh    # skip the sanitizer builds (a quicker local run)
#   FUZZ_SECONDS=60 bash scripts/test.sh # longer fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-20}
sanitizers=${SANITIZERS:-1}
started=$SECONDS
stage() { echo "== $1 ($(( (SECONDS - started) / 60 )) min in)"; }

bash scripts/install-deps.sh

# Compiler cache: a machine that built this tree before (a developer's, or CI's on the same
# machine) recompiles only what changed. Paths are kept relative to the checkout, so another
# clone of the same commit hits the same entries.
export CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR=$PWD

stage "build (Release)"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"

stage "npm tools for the end-to-end tests"
for dir in sio/tests/e2e tests/parley tests/web; do
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

stage "tests (Release)"
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "$sanitizers" = 1 ]; then
  # Each sanitizer build holds what its suites run; the benchmarks, the web client in Chromium
  # and the installed-library test stay with the Release run above.
  sanitized_targets=(sio-unit-tests sio-e2e-server parley-unit-tests parley parley-store-tests)
  export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"

  stage "build (AddressSanitizer + UndefinedBehaviorSanitizer)"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j"$jobs" --target "${sanitized_targets[@]}"
  stage "tests (ASan + UBSan): unit, library end-to-end, chat end-to-end, stores"
  ctest --test-dir build-asan --output-on-failure -j"$jobs" \
    -E '^(web-chromium|parley-bench|sio-installed-example|parley-e2e-postgres-outage)'

  stage "build (ThreadSanitizer)"
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j"$jobs" --target sio-e2e-server parley parley-store-tests
  stage "tests (TSan): the multi-threaded ones (event loops, stores, the chat server)"
  # The randomized model test runs its full 2,000 steps in the Release and ASan passes; here it is
  # the threads that are checked, and 500 steps keep it well inside its timeout under TSan.
  PARLEY_MODEL_STEPS=500 ctest --test-dir build-tsan --output-on-failure -j"$jobs" -R '^(e2e-node|parley-e2e-sqlite|store\.|pg-server)'
fi

stage "fuzzing (${fuzz_seconds}s per target, committed seed corpus)"
CXX=clang++ cmake -S . -B build-fuzz -DPARLEY_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$jobs"
for target in $(find build-fuzz -maxdepth 2 -type f -name 'fuzz_*' -perm -u+x | sort); do
  name=$(basename "$target")
  corpus=$(find sio/tests/fuzz/corpus tests/fuzz/corpus -maxdepth 1 -type d -name "$name" 2>/dev/null | head -1)
  work=$(mktemp -d)
  [ -n "$corpus" ] && cp -r "$corpus"/. "$work"/
  "$target" -max_total_time="$fuzz_seconds" -print_final_stats=0 "$work" >"$work.log" 2>&1 || {
    echo "FAILED: $name"; tail -40 "$work.log"; exit 1; }
  echo "$name: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$work.log" | tail -1)s, no crash"
  rm -rf "$work" "$work.log"
done
stage "all tests passed"
