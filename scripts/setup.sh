#!/usr/bin/env bash
# Does all set-up on a fresh machine, idempotently: installs missing Debian packages, builds the real
# kube-apiserver/etcd/kubectl/helm from the Go module proxy into kvalidate's cache (once), and builds the
# kvalidate binary into ./build.
# Usage: scripts/setup.sh [--for-tests] [--kube-versions V[,V...]]
#   --for-tests also installs the report validators and pre-commit the tests use and builds every target
#   (the unit tests, the fuzzers); without it only what `kvalidate` itself needs is set up.
#   --kube-versions also builds those Kubernetes versions (e.g. 1.35,1.36) for `--kube-version`; without
#   it only the default version is built (the others are built on first use).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { printf '== setup: %s\n' "$*" >&2; }
start=$SECONDS
for_tests=0 kube_versions=()
while [ $# -gt 0 ]; do
  case $1 in
    --for-tests) for_tests=1 ;;
    --no-test-tools) ;;  # the default since --for-tests exists; kept for scripts that pass it
    --kube-versions) shift; IFS=, read -ra kube_versions <<< "${1:-}" ;;
    --kube-versions=*) IFS=, read -ra kube_versions <<< "${1#*=}" ;;
    *) echo "setup.sh: unknown option $1 (usage: setup.sh [--for-tests] [--kube-versions V[,V...]])" >&2; exit 2 ;;
  esac
  shift
done

packages=(build-essential cmake ninja-build pkg-config libyaml-cpp-dev libcurl4-openssl-dev libssl-dev
          libcli11-dev libfmt-dev doctest-dev libxml2-utils python3 golang-go)
missing=()
for p in "${packages[@]}"; do
  # golang-go is only needed when no Go toolchain is on PATH.
  if [ "$p" = golang-go ] && command -v go >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

say "Go-built binaries (cached under ${XDG_CACHE_HOME:-$HOME/.cache}/kvalidate/bin)"
tools/go/build.sh
for v in "${kube_versions[@]}"; do tools/go/build.sh "kubernetes@$v"; done

if [ $for_tests = 1 ]; then
  say "test tools: report validators (xmllint, jsonschema, SARIF Multitool), pre-commit"
  bash tests/schemas/install-validators.sh
  bash tests/e2e/install-precommit.sh
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $for_tests = 1 ]; then
  say "building kvalidate and its tests"
  ninja -C build
else
  say "building kvalidate"
  ninja -C build kvalidate
fi
say "done in $((SECONDS - start))s"
