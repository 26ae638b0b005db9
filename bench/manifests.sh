#!/usr/bin/env bash
# Benchmark: 2,000 generated objects (mixed kinds, 20 namespaces) on one warm plane, kvalidate vs
# `kubectl apply --dry-run=server -f` on the same files. Prints wall times, the ratio and kvalidate's
# peak RSS. Usage: bench/manifests.sh [N] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kv=${KVALIDATE_BIN:-$root/build/kvalidate}
n=${1:-2000}; runs=${2:-3}
out=$root/bench/out; mkdir -p "$out"
python3 "$root/bench/gen_objects.py" "$n" 20 "$out/objects" >/dev/null
kubectl=$(ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/kvalidate/bin/*/kubectl | sort -V | tail -1)
"$kv" up >/dev/null
eval "$("$kv" env)"
# Namespaces must exist for kubectl's dry-run of objects in them (kvalidate creates them itself).
"$kubectl" apply -f "$out/objects/00-namespaces.yaml" >/dev/null
"$kv" manifests "$out/objects" -o json >/dev/null   # warm discovery cache

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
kv_times=(); kc_times=(); rss=()
for r in $(seq "$runs"); do
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$kv" manifests "$out/objects" -o json="$out/kv.json" >/dev/null || true
  read -r t m < "$out/time.txt"; kv_times+=("$t"); rss+=("$m")
  s=$(date +%s.%N)
  "$kubectl" apply --dry-run=server -f "$out/objects" >/dev/null 2>"$out/kubectl.err" || true
  kc_times+=("$(echo "$(date +%s.%N) - $s" | bc)")
done
kvm=$(printf '%s\n' "${kv_times[@]}" | median); kcm=$(printf '%s\n' "${kc_times[@]}" | median)
rssm=$(printf '%s\n' "${rss[@]}" | median)
python3 - "$out/kv.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(f"kvalidate judged {s['resources']} objects: {s['valid']} valid, {s['invalid']} invalid, {s['errors']} errors")
PY
echo "objects: $n  runs: $runs"
echo "kvalidate median: ${kvm}s  peak RSS median: $((rssm / 1024)) MiB"
echo "kubectl apply --dry-run=server median: ${kcm}s"
echo "ratio (kubectl / kvalidate): $(echo "scale=1; $kcm / $kvm" | bc)x"
