#!/usr/bin/env bash
# CRD-heavy charts with a values matrix: `kvalidate chart` time on one warm plane, in three states:
#   cold  — no CRD in the plane's CRD pool, --no-cache (every CRD created, every object asked, helm run)
#   pool  — the CRDs pooled by an earlier run, --no-cache (helm run, every object asked)
#   warm  — pool, render cache and result cache (an unchanged chart run again: a pre-commit or CI rerun)
# and checks that the three give the same verdicts. Default chart: fixtures/charts/crd-matrix (two CRDs,
# three ci/ values files); pass others (e.g. argo-cd, kube-prometheus-stack fetched outside the repo).
# Usage: bench/crd_charts.sh [CHART...]   Env: RUNS (default 3), KVALIDATE_HOME (default build/bench-home)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kv=${KVALIDATE_BIN:-$root/build/kvalidate}
runs=${RUNS:-3}
export KVALIDATE_HOME=${KVALIDATE_HOME:-$root/build/bench-home}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kvalidate/bin"
kubectl=$(ls -d "$cache"/*/kubectl | sort -V | tail -1)
[ $# -gt 0 ] || set -- "$root/fixtures/charts/crd-matrix"
"$kv" up >/dev/null
eval "$("$kv" env)"
out=$(mktemp -d /tmp/kv-crd-bench-XXXXXX)
trap 'rm -rf "$out"' EXIT
secs() { python3 -c 'import time; print(time.monotonic())'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
empty_pool() {
  "$kubectl" delete crd -l kvalidate.io/run --wait=true >/dev/null 2>&1 || true
  rm -rf "$KVALIDATE_HOME/crd-pool"
}
timed() {  # timed NAME ARGS...: runs kvalidate chart, prints seconds, keeps the JSON report as NAME.json
  local name=$1; shift
  local s; s=$(secs)
  "$kv" chart "$@" -o "json=$out/$name.json" >/dev/null 2>&1 || true
  echo "$(secs) - $s" | bc
}
verdicts() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(sorted((x.get("suite"), x.get("kind"), x.get("name"), x["status"],
              tuple(sorted((f["rule"], f["line"]) for f in x["findings"])))
             for x in r["results"] if x["kind_of_result"] == "object"))
PY
}
printf '%-28s %8s %8s %8s %8s  %s\n' chart suites cold pool warm "same verdicts"
for chart in "$@"; do
  name=$(basename "$chart")
  cold=() pool=() warm=()
  for r in $(seq "$runs"); do
    empty_pool
    cold+=("$(timed "$name-cold" "$chart" --no-cache)")
    pool+=("$(timed "$name-pool" "$chart" --no-cache)")
    "$kv" chart "$chart" >/dev/null 2>&1 || true  # fills the render and result caches
    warm+=("$(timed "$name-warm" "$chart")")
  done
  suites=$(python3 -c "import json,sys; print(len({x['suite'] for x in json.load(open(sys.argv[1]))['results']}))" "$out/$name-cold.json")
  same=no
  if [ "$(verdicts "$out/$name-cold.json")" = "$(verdicts "$out/$name-pool.json")" ] &&
     [ "$(verdicts "$out/$name-cold.json")" = "$(verdicts "$out/$name-warm.json")" ]; then same=yes; fi
  printf '%-28s %8s %7.2fs %7.2fs %7.2fs  %s\n' "$name" "$suites" \
    "$(printf '%s\n' "${cold[@]}" | median)" "$(printf '%s\n' "${pool[@]}" | median)" \
    "$(printf '%s\n' "${warm[@]}" | median)" "$same"
done
echo "(medians of $runs; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
