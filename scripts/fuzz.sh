#!/usr/bin/env bash
# Builds every libFuzzer target (*/fuzz_*.cpp) with clang, ASan and UBSan in build-fuzz, and runs each
# for a bounded time, seeded from fixtures/. Prints runs, executions and crashes per target.
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   space-separated target names (default: all)
#   FUZZ_BUILD     build dir (default build-fuzz)
# Exit 0 when no target crashed; crash inputs are kept in $FUZZ_BUILD/fuzz-out/<target>/.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
build="${FUZZ_BUILD:-$src/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
jobs="${FUZZ_BUILD_JOBS:-2}"

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }
CXX=clang++ cmake -S "$src" -B "$build" -G Ninja -DKV_FUZZ=ON -DKV_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets="${FUZZ_TARGETS:-$(cd "$src" && ls */fuzz_*.cpp | xargs -n1 basename | sed 's/\.cpp$//' | sort | tr '\n' ' ')}"
# shellcheck disable=SC2086
ninja -C "$build" -j"$jobs" $targets

# Seeds: the fixtures each target reads in real use.
seed_dirs() {
  case "$1" in
    fuzz_loader) echo "$src/fixtures/loader $src/fixtures/manifests $src/fixtures/bad-input $src/fixtures/bad-input-extra" ;;
    fuzz_kubeconfig) echo "$src/fixtures/bad-input-extra/kubeconfig" ;;
    fuzz_api_status) echo "$src/fixtures/bad-input-extra/api-status" ;;
    fuzz_expectations) echo "$src/fixtures/rbac" ;;
    *) echo "$src/fixtures" ;;
  esac
}

failed=0
printf '%-20s %8s %12s %8s\n' target seconds executions crashes
for t in $targets; do
  out="$build/fuzz-out/$t"
  corpus="$build/fuzz-corpus/$t"
  mkdir -p "$out" "$corpus"
  seeds=()
  for d in $(seed_dirs "$t"); do
    [ -d "$d" ] || continue
    # libFuzzer reads only the top level of a corpus dir: copy nested seed files flat.
    while IFS= read -r -d '' f; do cp -f "$f" "$corpus/seed-$(echo "$f" | md5sum | cut -c1-12)"; done \
      < <(find "$d" -type f -size -256k -print0)
  done
  log="$out/run.log"
  set +e
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/$t" -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="$out/" -print_final_stats=1 "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-20s %8s %12s %8s\n' "$t" "$seconds" "${execs:-?}" "$crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    echo "  $t: exit $rc; see $log and $out/" >&2
    grep -m5 -E 'ERROR: |runtime error|SUMMARY' "$log" >&2 || true
  fi
done
exit "$failed"
