#!/usr/bin/env bash
# Scale: `kvalidate manifests --no-cache` on one warm plane over
#   list  — one file holding a List of LIST_ITEMS ConfigMaps (default 100,000)
#   tree  — TREE_OBJECTS mixed objects (default 50,000) in TREE_FILES files (default 10,000, in folders)
# printing wall time, kvalidate's peak RSS and what it judged. Goals (issue 18): the List under 300 MB,
# the tree in 60 s or less with memory flat in the number of objects (compare SIZES=… runs).
# Usage: bench/scale.sh [list|tree]...   Env: LIST_ITEMS, TREE_OBJECTS, TREE_FILES, KVALIDATE_HOME
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kv=${KVALIDATE_BIN:-$root/build/kvalidate}
export KVALIDATE_HOME=${KVALIDATE_HOME:-$root/build/bench-home}
items=${LIST_ITEMS:-100000}; objects=${TREE_OBJECTS:-50000}; files=${TREE_FILES:-10000}
[ $# -gt 0 ] || set -- list tree
out=$(mktemp -d /tmp/kv-scale-XXXXXX)
trap 'rm -rf "$out"' EXIT
"$kv" up >/dev/null

. "$root/bench/plane_cpu.sh"

run() {  # run NAME PATH: one timed run, then its summary (wall, peak RSS, kvalidate's CPU, the plane's CPU)
  local name=$1 path=$2 c0 c1
  c0=$(plane_cpu)
  /usr/bin/time -f '%e %M %U %S' -o "$out/time.txt" "$kv" manifests "$path" --no-cache -o json="$out/$name.json" \
    >/dev/null 2>"$out/$name.err" || true
  c1=$(plane_cpu)
  read -r secs kb user sys <"$out/time.txt"
  python3 - "$out/$name.json" "$name" "$secs" "$kb" "$(cut -d' ' -f1-3 /proc/loadavg)" "$user" "$sys" \
    "$(echo "$c1 - $c0" | bc)" <<'PY'
import json, sys
path, name, secs, kb, load, user, sys_, plane = sys.argv[1:]
try:
    s = json.load(open(path))["summary"]
    what = f"{s['resources']} objects: {s['valid']} valid, {s['invalid']} invalid, {s['errors']} errors"
except (OSError, ValueError, KeyError) as e:
    what = f"no report ({e})"
print(f"{name:6} {float(secs):8.1f} s  peak RSS {int(kb) // 1024:6d} MiB  {what}  (load {load})")
print(f"       CPU: kvalidate {float(user) + float(sys_):.1f} s, plane (kube-apiserver + etcd) {plane} s")
PY
  [ -s "$out/$name.err" ] && head -3 "$out/$name.err" | sed 's/^/       stderr: /' || true
}

for what in "$@"; do
  case $what in
    list)
      python3 - "$items" "$out/list.yaml" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("apiVersion: v1\nkind: List\nitems:\n")
    for i in range(n):
        f.write(f"  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cm-{i}\n"
                f"      namespace: default\n    data:\n      key: value-{i}\n")
PY
      run list "$out/list.yaml" ;;
    tree)
      python3 "$root/bench/gen_objects.py" "$objects" 20 "$out/tree" $(( (objects + files - 1) / files )) >/dev/null
      run tree "$out/tree" ;;
    *) echo "bench/scale.sh: unknown case $what (list or tree)" >&2; exit 2 ;;
  esac
done
