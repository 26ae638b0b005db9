#!/usr/bin/env bash
# Measures kvalidate's control plane: cold `up` (empty state dir → /readyz answers) and warm ensure
# (`kvalidate status` and `kvalidate up` on the running plane), over RUNS runs each; prints medians.
# Usage: bench/controlplane.sh [path/to/kvalidate] (default: build/kvalidate). Env: RUNS (default 5).
# Goals: cold < 5 s median, warm < 50 ms median.
set -euo pipefail
BIN=${1:-$(dirname "$0")/../build/kvalidate}
RUNS=${RUNS:-5}
HOME_DIR=$(mktemp -d /tmp/kv-bench-XXXXXX)
export KVALIDATE_HOME=$HOME_DIR
cleanup() { "$BIN" down >/dev/null 2>&1 || true; rm -rf "$HOME_DIR"; }
trap cleanup EXIT

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

cold=()
for i in $(seq "$RUNS"); do
  "$BIN" down >/dev/null
  t0=$(now_ms); "$BIN" up --wait 120s >/dev/null; t1=$(now_ms)
  cold+=($((t1 - t0)))
done
warm_status=() warm_up=()
for i in $(seq "$RUNS"); do
  t0=$(now_ms); "$BIN" status >/dev/null; t1=$(now_ms)
  warm_status+=($((t1 - t0)))
  t0=$(now_ms); "$BIN" up >/dev/null; t1=$(now_ms)
  warm_up+=($((t1 - t0)))
done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cold up -> ready   runs(ms): ${cold[*]}   median: $(printf '%s\n' "${cold[@]}" | median) ms"
echo "warm status        runs(ms): ${warm_status[*]}   median: $(printf '%s\n' "${warm_status[@]}" | median) ms"
echo "warm up (ensure)   runs(ms): ${warm_up[*]}   median: $(printf '%s\n' "${warm_up[@]}" | median) ms"
