#!/usr/bin/env bash
# Builds the real test binaries (kube-apiserver, kubectl, etcd, helm) from the Go module proxy through
# the wrapper modules beside this script, once, into
#   ${XDG_CACHE_HOME:-$HOME/.cache}/kvalidate/bin/<version>/<tool>
# and reuses them when present. Idempotent; safe to run concurrently (flock).
# Usage: build.sh [kubernetes|etcd|helm|kubernetes-full|kwok]...   (default: kubernetes etcd helm)
# kubernetes-full (kube-controller-manager, kube-scheduler) and kwok are only for a full plane
# (`kvalidate up --full`), which builds them on first use; the default set never builds them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.env"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kvalidate"
mkdir -p "$cache/bin"
export GOFLAGS="${GOFLAGS:--trimpath}" CGO_ENABLED=0

log() { printf 'tools/go/build.sh: %s\n' "$*" >&2; }

# build_into VERSION TOOLS... -- GO-BUILD-ARGS...: runs go build unless every TOOL exists in bin/VERSION.
build_into() {
  local version=$1; shift
  local tools=()
  while [ "$1" != "--" ]; do tools+=("$1"); shift; done; shift
  local dest="$cache/bin/$version" missing=0 t
  for t in "${tools[@]}"; do [ -x "$dest/$t" ] || missing=1; done
  if [ $missing = 0 ]; then log "cached: ${tools[*]} $version"; return 0; fi
  local tmp; tmp=$(mktemp -d "$cache/bin/.build.XXXXXX")
  local start=$SECONDS
  log "building ${tools[*]} $version (first time only; several minutes)"
  # One tool: name the output (a module-root main would otherwise be named "server" or "v3").
  if [ ${#tools[@]} = 1 ]; then go build -o "$tmp/${tools[0]}" "$@"; else go build -o "$tmp/" "$@"; fi
  mkdir -p "$dest"
  for t in "${tools[@]}"; do mv -f "$tmp/$t" "$dest/$t"; done
  rmdir "$tmp" 2>/dev/null || rm -rf "$tmp"
  log "built ${tools[*]} $version in $((SECONDS - start))s"
}

# kube_build TOOLS...: builds k8s.io/kubernetes/cmd/TOOL for each TOOL with the version stamped in.
kube_build() {
  local v=$KUBERNETES_VERSION minor; minor=${v#v1.}; minor=${minor%%.*}
  local pkg=k8s.io/component-base/version cgo=k8s.io/client-go/pkg/version ld="-s -w" p t pkgs=()
  for p in $pkg $cgo; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ld+=" -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  for t in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$t"); done
  (cd "$here/kubernetes" && build_into "$v" "$@" -- -ldflags "$ld" "${pkgs[@]}")
}

kubernetes() { kube_build kube-apiserver kubectl; }
kubernetes-full() { kube_build kube-controller-manager kube-scheduler; }

kwok() {
  (cd "$here/kwok" && build_into "$KWOK_VERSION" kwok -- \
    -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok)
}

etcd() {
  (cd "$here/etcd" && build_into "$ETCD_VERSION" etcd -- -ldflags "-s -w" go.etcd.io/etcd/server/v3)
}

helm() {
  local kv minor; kv=$(cd "$here/helm" && go list -m -f '{{.Version}}' k8s.io/client-go)
  minor=${kv#v0.}; minor=${minor%%.*}
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  ld+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor"
  ld+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
  (cd "$here/helm" && build_into "$HELM_VERSION" helm -- -ldflags "$ld" helm.sh/helm/v3/cmd/helm)
}

exec 9>"$cache/bin/.lock"
flock 9
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(kubernetes etcd helm)
for t in "${targets[@]}"; do
  case $t in kubernetes|etcd|helm|kubernetes-full|kwok) "$t" ;; *) log "unknown target: $t"; exit 2 ;; esac
done
