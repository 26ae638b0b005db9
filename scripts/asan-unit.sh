#!/usr/bin/env bash
# Configures and builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer in
# build-asan (-DKV_SANITIZE=ON) and runs kvalidate_tests; any sanitizer report fails the run.
#   ASAN_BUILD  build dir (default build-asan next to the sources)
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
build="${ASAN_BUILD:-$src/build-asan}"
cmake -S "$src" -B "$build" -G Ninja -DKV_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
ninja -C "$build" -j"${ASAN_BUILD_JOBS:-2}" kvalidate_tests
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$src"
exec "$build/kvalidate_tests" "$@"
