#!/usr/bin/env bash
# Throughput on one warm plane, the same N-object mix (bench/gen_objects.py: ConfigMaps, Services,
# Deployments, ServiceAccounts in 20 namespaces) through:
#   kvalidate cold  — `kvalidate manifests DIR --no-cache` (every object asked)
#   kubectl         — `kubectl apply --server-side --dry-run=server -f DIR`
#   ceiling         — h2load: N dry-run server-side-apply PATCHes of one Deployment over one HTTP/2
#                     connection, 32 streams (what the server does at most; needs h2load, Debian package
#                     nghttp2-client; skipped without it)
#   kvalidate warm  — the unchanged input again with the result cache (a pre-commit or CI rerun)
# and the plane's CPU per object (kube-apiserver + etcd, from /proc) during the cold kvalidate run.
# Prints medians and the issue-18 goals (cold ≥ 0.9 × ceiling and ≥ 8 × kubectl; warm ≥ 50 × kubectl).
# Usage: bench/throughput.sh [N] [RUNS]   Env: KVALIDATE_HOME (default build/bench-home)
# The ceiling authenticates as a ServiceAccount `kv-bench` (namespace bench-ceiling, cluster-admin) made
# on that plane once and kept (a namespace is not deleted without its controller).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kv=${KVALIDATE_BIN:-$root/build/kvalidate}
n=${1:-2000}; runs=${2:-3}
export KVALIDATE_HOME=${KVALIDATE_HOME:-$root/build/bench-home}
out=$(mktemp -d /tmp/kv-throughput-XXXXXX)
trap 'rm -rf "$out"' EXIT
python3 "$root/bench/gen_objects.py" "$n" 20 "$out/objects" >/dev/null
kubectl=$(ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/kvalidate/bin/*/kubectl | sort -V | tail -1)
"$kv" up >/dev/null
eval "$("$kv" env)"
"$kubectl" apply -f "$out/objects/00-namespaces.yaml" >/dev/null  # kubectl's objects need their namespaces
"$kv" manifests "$out/objects" --no-cache -o json >/dev/null 2>&1 || true  # discovery cached, plane warm

. "$root/bench/plane_cpu.sh"
secs() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

ceiling_cmd=()
if command -v h2load >/dev/null; then
  "$kubectl" create namespace bench-ceiling --dry-run=client -o yaml | "$kubectl" apply -f - >/dev/null
  "$kubectl" -n bench-ceiling create serviceaccount kv-bench --dry-run=client -o yaml | "$kubectl" apply -f - >/dev/null
  "$kubectl" create clusterrolebinding kv-bench --clusterrole=cluster-admin --serviceaccount=bench-ceiling:kv-bench \
    --dry-run=client -o yaml | "$kubectl" apply -f - >/dev/null
  token=$("$kubectl" -n bench-ceiling create token kv-bench --duration=1h)
  cat >"$out/deployment.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: ceiling, namespace: bench-ceiling, labels: {app: ceiling}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ceiling}}
  template:
    metadata: {labels: {app: ceiling}}
    spec:
      containers:
        - {name: app, image: "nginx:1.27", ports: [{containerPort: 8080}], resources: {requests: {cpu: 50m}}}
EOF
  server=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["server"])' "$KVALIDATE_HOME/state.json")
  ceiling_cmd=(h2load -n "$n" -c 1 -m 32 -d "$out/deployment.yaml" -H ":method: PATCH"
               -H "Content-Type: application/apply-patch+yaml" -H "Authorization: Bearer $token"
               "$server/apis/apps/v1/namespaces/bench-ceiling/deployments/ceiling?dryRun=All&fieldManager=kv-bench")
fi

cold=() kc=() ceil=() warm=() cpu=()
for r in $(seq "$runs"); do
  c0=$(plane_cpu); s=$(secs)
  "$kv" manifests "$out/objects" --no-cache -o json="$out/cold.json" >/dev/null 2>&1 || true
  e=$(secs); c1=$(plane_cpu)
  cold+=("$(echo "$e - $s" | bc)"); cpu+=("$(echo "scale=4; ($c1 - $c0) * 1000 / $n" | bc)")
  s=$(secs)
  "$kubectl" apply --server-side --dry-run=server -f "$out/objects" >/dev/null 2>"$out/kubectl.err" || true
  kc+=("$(echo "$(secs) - $s" | bc)")
  if [ ${#ceiling_cmd[@]} -gt 0 ]; then
    s=$(secs)
    "${ceiling_cmd[@]}" >"$out/h2load.txt" 2>&1 || true
    ceil+=("$(echo "$(secs) - $s" | bc)")
    grep -q "status codes: $n 2xx" "$out/h2load.txt" || { echo "h2load: not all requests succeeded:"; grep -E "status codes|errored" "$out/h2load.txt"; }
  fi
  "$kv" manifests "$out/objects" >/dev/null 2>&1 || true  # fills the result cache
  s=$(secs)
  "$kv" manifests "$out/objects" -o json="$out/warm.json" >/dev/null 2>&1 || true
  warm+=("$(echo "$(secs) - $s" | bc)")
done

m() { printf '%s\n' "$@" | median; }
coldm=$(m "${cold[@]}"); kcm=$(m "${kc[@]}"); warmm=$(m "${warm[@]}"); cpum=$(m "${cpu[@]}")
python3 - "$out/cold.json" "$out/warm.json" <<'PY'
import json, sys
for name, path in (("cold", sys.argv[1]), ("warm", sys.argv[2])):
    s = json.load(open(path))["summary"]
    print(f"kvalidate {name}: {s['resources']} objects, {s['valid']} valid, {s['invalid']} invalid, "
          f"{s['errors']} errors, {s.get('cached', 0)} from the result cache")
PY
printf 'objects: %s  runs: %s  (medians; 2 cores, load %s)\n' "$n" "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %8.2fs\n' "kvalidate cold (--no-cache)" "$coldm" "kubectl apply --server-side --dry-run" "$kcm"
if [ ${#ceil[@]} -gt 0 ]; then
  ceilm=$(m "${ceil[@]}")
  printf '%-34s %8.2fs\n' "ceiling (h2load, $n PATCHes)" "$ceilm"
fi
printf '%-34s %8.2fs\n' "kvalidate warm (result cache)" "$warmm"
printf 'plane CPU per object (cold kvalidate): %s ms\n' "$cpum"
printf 'cold vs kubectl: %sx (goal >= 8)   warm vs kubectl: %sx (goal >= 50)\n' \
  "$(echo "scale=1; $kcm / $coldm" | bc)" "$(echo "scale=1; $kcm / $warmm" | bc)"
if [ ${#ceil[@]} -gt 0 ]; then
  printf 'cold vs ceiling: %s of the ceiling (goal >= 0.9)\n' "$(echo "scale=2; $ceilm / $coldm" | bc)"
fi
