#!/usr/bin/env bash
# Benchmark: one run over three Kubernetes versions (`--kube-version A,B,C`) vs three separate runs
# (`--kube-version A`, then B, then C) on the same input (N generated objects plus the webapp chart),
# cold (no plane running: the run starts its planes) and warm (planes running). Prints wall times,
# kvalidate's peak RSS, and the RSS of all planes together (the goal: under 1.2 GB for three).
# Usage: bench/kube_versions.sh [VERSIONS] [N] [RUNS]   (default 1.35,1.36,1.37, 500 objects, 3 runs)
# The versions' binaries must be built (scripts/setup.sh --kube-versions 1.35,1.36).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kv=${KVALIDATE_BIN:-$root/build/kvalidate}
versions=${1:-1.35,1.36,1.37}; n=${2:-500}; runs=${3:-3}
out=$root/bench/out; mkdir -p "$out"
python3 "$root/bench/gen_objects.py" "$n" 10 "$out/objects" >/dev/null
export KVALIDATE_HOME; KVALIDATE_HOME=$(mktemp -d /tmp/kv-bench-versions-XXXXXX)
trap '"$kv" down >/dev/null 2>&1 || true; rm -rf "$KVALIDATE_HOME"' EXIT
IFS=, read -ra each <<< "$versions"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# timed LABEL ARGS...: runs kvalidate, appends "seconds peak-KB" to $out/LABEL.times.
timed() {
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$kv" "$@" >/dev/null 2>"$out/stderr.txt" || {
    rc=$?; [ $rc = 1 ] || { cat "$out/stderr.txt" >&2; exit $rc; }; }
  cat "$out/time.txt" >> "$out/$label.times"
}
planes_rss_mb() {
  "$kv" status -o json | python3 -c '
import json, sys
st = json.load(sys.stdin)
planes = ([st] if st.get("processes") else []) + st.get("versionPlanes", [])
kb = 0
for p in planes:
    for pr in p["processes"]:
        with open("/proc/%d/status" % pr["pid"]) as f:
            kb += next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
print("%.0f MB in %d processes" % (kb / 1024, sum(len(p["processes"]) for p in planes)))'
}
# one_run / separate_runs MODE: the input through all versions at once, or one version after another.
one_run() { timed "$1-one" manifests "$out/objects" --kube-version "$versions" -o json="$out/one.json"
            timed "$1-one" chart "$root/fixtures/charts/webapp" --kube-version "$versions"; }
separate_runs() { for v in "${each[@]}"; do
                    timed "$1-sep" manifests "$out/objects" --kube-version "$v"
                    timed "$1-sep" chart "$root/fixtures/charts/webapp" --kube-version "$v"; done; }
# sum_per_run LABEL PER: sums every PER consecutive lines of LABEL.times into one time per run.
sum_per_run() { awk -v per="$2" '{t += $1; if (NR % per == 0) {print t; t = 0}}' "$out/$1.times"; }
peak_kb() { awk '{print $2}' "$out/$1.times" | sort -n | tail -1; }

rm -f "$out"/*.times
"$kv" up --kube-version "$versions" >/dev/null   # builds nothing if built; warms the discovery caches below
for r in $(seq "$runs"); do
  "$kv" down >/dev/null; one_run cold
  "$kv" down >/dev/null; separate_runs cold
  one_run warm
  separate_runs warm
done
rss_all=$(planes_rss_mb)

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $n generated objects + fixtures/charts/webapp; versions: $versions; runs: $runs"
for mode in cold warm; do
  one=$(sum_per_run "$mode-one" 2 | median); sep=$(sum_per_run "$mode-sep" $((2 * ${#each[@]})) | median)
  echo "$mode: one run --kube-version $versions: median ${one}s; three separate runs: median ${sep}s" \
       "(one run / separate: $(echo "scale=2; $one / $sep" | bc))"
done
echo "kvalidate peak RSS: one run $(( $(peak_kb warm-one) / 1024 )) MB; separate runs $(( $(peak_kb warm-sep) / 1024 )) MB"
echo "planes running after the runs: $rss_all"
