#!/usr/bin/env bash
# Measures the full plane (`kvalidate up --full`) against a plain one: cold start time (empty state dir →
# ready: API server /readyz, controller-manager and scheduler /healthz, simulated nodes Ready) and the
# resident memory (RSS) of every plane process once settled, over RUNS runs each; prints medians and the
# difference. The full plane's binaries must be built already (tools/go/build.sh kubernetes-full kwok).
# Usage: bench/full_plane.sh [path/to/kvalidate] (default: build/kvalidate). Env: RUNS (default 3),
# SETTLE (seconds to wait before reading RSS, default 20).
set -euo pipefail
BIN=${1:-$(dirname "$0")/../build/kvalidate}
RUNS=${RUNS:-3}
SETTLE=${SETTLE:-20}
HOME_DIR=$(mktemp -d /tmp/kv-bench-full-XXXXXX)
export KVALIDATE_HOME=$HOME_DIR
cleanup() { "$BIN" down >/dev/null 2>&1 || true; rm -rf "$HOME_DIR"; }
trap cleanup EXIT

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# RSS in MiB of each recorded process, "component=MiB ..." and the total last.
rss() {
  python3 - "$HOME_DIR/state.json" <<'PY'
import json, sys
total = 0
parts = []
for p in json.load(open(sys.argv[1]))["processes"]:
    kb = 0
    for line in open(f"/proc/{p['pid']}/status"):
        if line.startswith("VmRSS:"):
            kb = int(line.split()[1])
    total += kb
    parts.append(f"{p['component']}={kb // 1024}")
print(" ".join(parts), f"total={total // 1024}")
PY
}

run_mode() {  # run_mode LABEL UP-ARGS...: prints "LABEL cold median" and the RSS of the last run
  local label=$1; shift
  local times=() last_rss=""
  for i in $(seq "$RUNS"); do
    "$BIN" down >/dev/null
    t0=$(now_ms); "$BIN" up "$@" --wait 300s >/dev/null; t1=$(now_ms)
    times+=($((t1 - t0)))
  done
  sleep "$SETTLE"
  last_rss=$(rss)
  echo "$label cold up -> ready   runs(ms): ${times[*]}   median: $(printf '%s\n' "${times[@]}" | median) ms"
  echo "$label RSS after ${SETTLE}s (MiB): $last_rss"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
plain=$(run_mode plain); echo "$plain"
full=$(run_mode full --full); echo "$full"
p=$(echo "$plain" | sed -n 's/.*total=\([0-9]*\).*/\1/p'); f=$(echo "$full" | sed -n 's/.*total=\([0-9]*\).*/\1/p')
echo "extra RSS of the full plane: $((f - p)) MiB"
