#!/usr/bin/env bash
# Builds everything (scripts/setup.sh does all set-up) and runs the whole test suite under ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
cd "$root/build"
ctest --output-on-failure --timeout 900 "$@"
