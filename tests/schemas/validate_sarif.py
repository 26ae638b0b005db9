#!/usr/bin/env python3
"""Validates SARIF files against the SARIF 2.1.0 JSON schema (and, when present, with the SARIF
Multitool's own rules). Exit 0: valid; 1: invalid (errors printed); 77: no validator installed (run
tests/schemas/install-validators.sh). The schema is the sarif-2.1.0.json shipped in the npm package
@microsoft/sarif-multitool-linux, or the file named by KV_SARIF_SCHEMA."""
import json
import os
import subprocess
import sys

NODE_DIR = os.environ.get("KV_NODE_DIR", os.path.expanduser("~/.cache/kvalidate/node"))
PKG_DIR = os.path.join(NODE_DIR, "node_modules", "@microsoft", "sarif-multitool-linux")


def main(files):
    schema_path = os.environ.get("KV_SARIF_SCHEMA", os.path.join(PKG_DIR, "sarif-2.1.0.json"))
    try:
        import jsonschema  # noqa: PLC0415 (optional dependency)
    except ImportError:
        print("skip: Python jsonschema is not installed (tests/schemas/install-validators.sh)")
        return 77
    if not os.path.isfile(schema_path):
        print(f"skip: SARIF schema not found at {schema_path} (tests/schemas/install-validators.sh)")
        return 77
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.validators.validator_for(schema)(schema)
    bad = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for err in validator.iter_errors(doc):
            bad += 1
            where = "/".join(str(p) for p in err.absolute_path)
            print(f"{path}: schema: {where}: {err.message}")
    tool = os.path.join(PKG_DIR, "Sarif.Multitool")
    if os.access(tool, os.X_OK) and not bad:  # its rules add to the schema; slow, so only when valid
        p = subprocess.run([tool, "validate", "-j", schema_path, *files], capture_output=True, text=True,
                           timeout=300)
        errors = [l for l in p.stdout.splitlines() if ": error " in l]
        if p.returncode != 0 or errors:
            bad += 1
            print(f"Sarif.Multitool exit {p.returncode}")
            print("\n".join(errors or p.stdout.splitlines()[-20:]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
