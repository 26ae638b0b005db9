#!/usr/bin/env bash
# Real-world charts and manifests through kvalidate, with `helm template` + `kubectl apply --server-side
# --dry-run=server` as the truth: a table input | verdict | lines checked | time (see bench/realcharts.py
# for what each column means). The inputs are fetched outside the repo, one folder per input in DIR
# (charts with their dependencies in charts/, or folders of manifests); missing ones are skipped.
# Usage: bench/realcharts.sh DIR [NAME...]
# Uses its own plane (KVALIDATE_HOME, default build/bench-home): every CRD on it is deleted between runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 DIR [NAME...]" >&2; exit 2; }
export KVALIDATE_BIN=${KVALIDATE_BIN:-$root/build/kvalidate}
export KVALIDATE_HOME=${KVALIDATE_HOME:-$root/build/bench-home}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kvalidate/bin"
export KUBECTL=${KUBECTL:-$(ls -d "$cache"/*/kubectl | sort -V | tail -1)}
export HELM=${HELM:-$(ls -d "$cache"/*/helm | sort -V | tail -1)}
"$KVALIDATE_BIN" up >/dev/null
eval "$("$KVALIDATE_BIN" env)"
exec python3 "$root/bench/realcharts.py" "$@"
