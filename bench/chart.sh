#!/usr/bin/env bash
# Benchmark: `kvalidate chart` on the helm-create chart (fixtures/charts/webapp) with a warm plane vs
# `helm template … | kubectl apply --dry-run=server -f -` on the same plane. Prints medians and ratio.
# Usage: bench/chart.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kv=${KVALIDATE_BIN:-$root/build/kvalidate}
runs=${1:-7}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kvalidate/bin"
kubectl=$(ls -d "$cache"/*/kubectl | sort -V | tail -1)
helm=$(ls -d "$cache"/*/helm | sort -V | tail -1)
chart=$root/fixtures/charts/webapp
"$kv" up >/dev/null
eval "$("$kv" env)"
"$kv" chart "$chart" -o json >/dev/null  # warm discovery cache
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
secs() { python3 -c 'import time; print(time.monotonic())'; }
kvt=(); kvnl=(); pipe=()
for r in $(seq "$runs"); do
  s=$(secs); "$kv" chart "$chart" >/dev/null; kvt+=("$(echo "$(secs) - $s" | bc)")
  s=$(secs); "$kv" chart --no-lint "$chart" >/dev/null; kvnl+=("$(echo "$(secs) - $s" | bc)")
  s=$(secs); "$helm" template webapp "$chart" | "$kubectl" apply --dry-run=server -f - >/dev/null
  pipe+=("$(echo "$(secs) - $s" | bc)")
done
a=$(printf '%s\n' "${kvt[@]}" | median); b=$(printf '%s\n' "${kvnl[@]}" | median)
c=$(printf '%s\n' "${pipe[@]}" | median)
echo "runs: $runs"
echo "kvalidate chart (with helm lint) median: ${a}s"
echo "kvalidate chart --no-lint median: ${b}s"
echo "helm template | kubectl apply --dry-run=server median: ${c}s"
echo "ratio (pipe / kvalidate with lint): $(echo "scale=2; $c / $a" | bc)x; without lint: $(echo "scale=2; $c / $b" | bc)x"
