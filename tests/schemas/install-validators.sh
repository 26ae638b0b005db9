#!/usr/bin/env bash
# Installs the validators the report tests use (idempotent; safe to run on every set-up):
#  - the SARIF Multitool (npm package @microsoft/sarif-multitool-linux), which also ships the SARIF
#    2.1.0 JSON schema (sarif-2.1.0.json), into ~/.cache/kvalidate/node;
#  - Python's jsonschema, which validate_sarif.py uses to check a file against that schema.
# xmllint (libxml2-utils) validates JUnit output against tests/schemas/junit.xsd.
set -euo pipefail

NODE_DIR="${KV_NODE_DIR:-$HOME/.cache/kvalidate/node}"
PKG="@microsoft/sarif-multitool-linux"
TOOL="$NODE_DIR/node_modules/$PKG/Sarif.Multitool"

if [ ! -x "$TOOL" ] || [ ! -f "$NODE_DIR/node_modules/$PKG/sarif-2.1.0.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$NODE_DIR"
    npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error "$PKG"
    # The package's postinstall only sets the execute bit; do it here too when scripts are not run.
    [ -f "$TOOL" ] && chmod u+x "$TOOL"
  else
    echo "install-validators: npm not found; SARIF validation tests will be skipped" >&2
  fi
fi

if ! python3 -c 'import jsonschema' >/dev/null 2>&1; then
  python3 -m pip install --quiet jsonschema ||
    python3 -m pip install --quiet --break-system-packages jsonschema ||
    echo "install-validators: could not install jsonschema; SARIF validation tests will be skipped" >&2
fi

if ! command -v xmllint >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -qq libxml2-utils >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq libxml2-utils >/dev/null; }
  else
    echo "install-validators: xmllint not found; JUnit schema tests will be skipped" >&2
  fi
fi
echo "install-validators: done"
