#!/usr/bin/env bash
# Measures kvalidate's control plane: cold `up` (empty state dir → ready), each phase of it (`up -v`),
# the CPU the plane's processes used until ready, and warm ensure (`kvalidate status` and `kvalidate up`
# on the running plane), over RUNS runs each; prints medians. A cold start copies the data template of
# its kube-apiserver+flags; when the cache has none yet, one start first makes it (shown apart, once).
# Usage: bench/controlplane.sh [path/to/kvalidate] (default: build/kvalidate). Env: RUNS (default 5).
# Goals: cold ≤ 1.5 s median, warm ≤ 50 ms median.
set -euo pipefail
BIN=${1:-$(dirname "$0")/../build/kvalidate}
RUNS=${RUNS:-5}
HOME_DIR=$(mktemp -d /tmp/kv-bench-XXXXXX)
export KVALIDATE_HOME=$HOME_DIR
cleanup() { "$BIN" down >/dev/null 2>&1 || true; rm -rf "$HOME_DIR" "$PHASES"; }
PHASES=$(mktemp /tmp/kv-bench-phases-XXXXXX)
trap cleanup EXIT

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
. "$(dirname "$0")/plane_cpu.sh"

"$BIN" down >/dev/null
t0=$(now_ms); out=$("$BIN" up -v --wait 120s); t1=$(now_ms)
if grep -q "template made" <<<"$out"; then
  echo "first start of this kube-apiserver+flags (makes the data template, once): $((t1 - t0)) ms"
fi
cold=() cpu=()
for i in $(seq "$RUNS"); do
  "$BIN" down >/dev/null
  t0=$(now_ms); out=$("$BIN" up -v --wait 120s); t1=$(now_ms)
  cold+=($((t1 - t0)))
  cpu+=("$(plane_cpu)")
  # "  apiserver answering    1918 ms" → "apiserver answering<TAB>1918"
  sed -n 's/^  \(.*[^ ]\) \+\([0-9]\+\) ms$/\1\t\2/p' <<<"$out" >>"$PHASES"
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
echo "plane CPU at ready runs(s):  ${cpu[*]}   median: $(printf '%s\n' "${cpu[@]}" | median) s (etcd + kube-apiserver)"
echo "cold up phases (median ms of $RUNS):"
cut -f1 "$PHASES" | awk '!seen[$0]++' | while IFS= read -r phase; do
  printf '  %-28s %6s\n' "$phase" "$(awk -F'\t' -v p="$phase" '$1 == p {print $2}' "$PHASES" | median)"
done
echo "warm status        runs(ms): ${warm_status[*]}   median: $(printf '%s\n' "${warm_status[@]}" | median) ms"
echo "warm up (ensure)   runs(ms): ${warm_up[*]}   median: $(printf '%s\n' "${warm_up[@]}" | median) ms"
