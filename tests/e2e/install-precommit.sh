#!/usr/bin/env bash
# Installs the pre-commit framework for tests/e2e/test_precommit.py into a private venv
# (${XDG_CACHE_HOME:-~/.cache}/kvalidate/venv). Idempotent: does nothing when it is already there.
# Prints the path of the pre-commit executable on success.
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/kvalidate/venv"
exe="$venv/bin/pre-commit"
if [ -x "$exe" ] && "$exe" --version >/dev/null 2>&1; then
  echo "$exe"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check pre-commit >&2
"$exe" --version >&2
echo "$exe"
