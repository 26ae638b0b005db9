#!/usr/bin/env bash
# Builds everything (scripts/setup.sh does all set-up) and runs the whole test suite under ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# One Kubernetes version besides the default, for the multi-version end-to-end test (tests/e2e/test_versions.py).
. "$root/tools/go/versions.env"
"$root/scripts/setup.sh" --for-tests --kube-versions "$KUBERNETES_TEST_VERSION"
# Helm 4 is the default (built by setup.sh); the chart tests run under Helm 3 as well.
"$root/tools/go/build.sh" helm3
# The full plane's components (kube-controller-manager, kube-scheduler, KWOK), for tests/e2e/test_full_plane.py.
"$root/tools/go/build.sh" kubernetes-full kwok
cd "$root/build"
ctest --output-on-failure --timeout 900 "$@"
