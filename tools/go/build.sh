#!/usr/bin/env bash
# Builds the real test binaries (kube-apiserver, kubectl, etcd, helm) from the Go module proxy through
# the wrapper modules beside this script, once, into
#   ${XDG_CACHE_HOME:-$HOME/.cache}/kvalidate/bin/<version>/<tool>
# and reuses them when present. Idempotent; safe to run concurrently (flock).
# Usage: build.sh [kubernetes|kubernetes@VERSION|etcd|helm|helm3|kubernetes-full|kwok]...
#   (default: kubernetes etcd helm)
#   helm is Helm 4 (kvalidate's default); helm3 is Helm 3, still selectable (`helm: 3`) and tested.
#   kubernetes@1.35 or kubernetes@v1.35.4 builds one of KUBERNETES_VERSIONS (a minor = its pinned patch).
#   kubernetes-full (kube-controller-manager, kube-scheduler of KUBERNETES_VERSION) and kwok are only for a
#   full plane (`kvalidate up --full`), which builds them on first use; the default set never builds them.
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

# kube_version V: the pinned exact version for V (a minor like 1.35, or an exact version), or fails.
kube_version() {
  local want=${1#v} v
  for v in $KUBERNETES_VERSIONS; do
    case ${v#v} in "$want"|"$want".*) echo "$v"; return 0 ;; esac
  done
  log "unsupported Kubernetes version: $1 (supported: $KUBERNETES_VERSIONS)"; return 2
}

# kube_build VERSION TOOLS...: builds k8s.io/kubernetes/cmd/TOOL of the pinned VERSION for each TOOL, with
# the version stamped in.
kube_build() {
  local v=$1 minor; shift; minor=${v#v1.}; minor=${minor%%.*}
  local dir=$here/kubernetes; [ "$v" = "$KUBERNETES_VERSION" ] || dir=$here/kubernetes/1.$minor
  local pkg=k8s.io/component-base/version cgo=k8s.io/client-go/pkg/version ld="-s -w" p t pkgs=()
  for p in $pkg $cgo; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ld+=" -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  for t in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$t"); done
  (cd "$dir" && build_into "$v" "$@" -- -ldflags "$ld" "${pkgs[@]}")
}

kubernetes() { kube_build "${1:-$KUBERNETES_VERSION}" kube-apiserver kubectl; }
kubernetes-full() { kube_build "$KUBERNETES_VERSION" kube-controller-manager kube-scheduler; }

kwok() {
  (cd "$here/kwok" && build_into "$KWOK_VERSION" kwok -- \
    -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok)
}

etcd() {
  (cd "$here/etcd" && build_into "$ETCD_VERSION" etcd -- -ldflags "-s -w" go.etcd.io/etcd/server/v3)
}

# Helm 3 sets its default Kubernetes version (.Capabilities without --kube-version) from ldflags; match
# it to the client-go it is built with, as helm's own release build does.
helm3() {
  local kv minor; kv=$(cd "$here/helm3" && go list -m -f '{{.Version}}' k8s.io/client-go)
  minor=${kv#v0.}; minor=${minor%%.*}
  local p=helm.sh/helm/v3
  local ld="-s -w -X $p/internal/version.version=$HELM3_VERSION -X $p/internal/version.gitTreeState=clean"
  ld+=" -X $p/pkg/lint/rules.k8sVersionMajor=1 -X $p/pkg/lint/rules.k8sVersionMinor=$minor"
  ld+=" -X $p/pkg/chartutil.k8sVersionMajor=1 -X $p/pkg/chartutil.k8sVersionMinor=$minor"
  (cd "$here/helm3" && build_into "$HELM3_VERSION" helm -- -ldflags "$ld" $p/cmd/helm)
}

# Helm 4 has no ldflags variables for its default Kubernetes version: it reads the version of
# k8s.io/client-go from the binary's build info (pkg/chart/common/capabilities.go), which the wrapper
# module's go.sum pins. Only its own version is stamped, as its Makefile does.
helm() {
  local p=helm.sh/helm/v4
  local ld="-s -w -X $p/internal/version.version=$HELM_VERSION -X $p/internal/version.gitTreeState=clean"
  (cd "$here/helm4" && build_into "$HELM_VERSION" helm -- -ldflags "$ld" $p/cmd/helm)
}

exec 9>"$cache/bin/.lock"
flock -n 9 || { log "waiting for another build to finish (lock $cache/bin/.lock)"; flock 9; }
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(kubernetes etcd helm)
for t in "${targets[@]}"; do
  case $t in
    kubernetes|etcd|helm|helm3|kubernetes-full|kwok) "$t" ;;
    kubernetes@*) v=$(kube_version "${t#kubernetes@}") || exit 2; kubernetes "$v" ;;
    *) log "unknown target: $t"; exit 2 ;;
  esac
done
