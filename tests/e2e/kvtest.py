"""Shared helpers for kvalidate's end-to-end tests (stdlib only).

Each tests/e2e/test_*.py is one ctest test that runs the built `kvalidate` binary against a real
control plane. The suite shares one warm plane in KVALIDATE_HOME (started by fixture_up.py, stopped by
fixture_down.py); tests that manage a plane's lifecycle use a private home from `private_home()`.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("KVALIDATE_BIN", "kvalidate")
SRC = os.environ.get("KV_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("KV_BUILD_DIR", os.path.join(SRC, "build"))
SHARED_HOME = os.environ.get("KVALIDATE_HOME", os.path.join(BUILD, "e2e-home"))


def fixture(*parts):
    """Absolute path of a file under fixtures/."""
    return os.path.join(SRC, "fixtures", *parts)


def kv(*args, home=None, input=None, timeout=300, env=None, cwd=None):
    """Runs kvalidate with args; returns CompletedProcess with text stdout/stderr."""
    e = dict(os.environ)
    e["KVALIDATE_HOME"] = home or SHARED_HOME
    e.setdefault("NO_COLOR", "1")
    if env:
        e.update(env)
    # Without `input`, stdin is empty: never the runner's own (a job started with a pipe would feed it to
    # kvalidate, which reads stdin when given no PATH).
    return subprocess.run([BIN, *map(str, args)], input=input, capture_output=True, text=True,
                          timeout=timeout, env=e, cwd=cwd, stdin=subprocess.DEVNULL if input is None else None)


def pooled_crds(home=None):
    """Names of the CRDs in the plane's CRD pool (kept between runs, hidden from runs without them)."""
    d = os.path.join(home or SHARED_HOME, "crd-pool")
    return {n[:-5] for n in os.listdir(d) if n.endswith(".json")} if os.path.isdir(d) else set()


def pooled_namespaces(home=None):
    """Names of the namespaces in the plane's namespace pool (kept between runs, hidden from runs without them)."""
    d = os.path.join(home or SHARED_HOME, "namespace-pool")
    return {n[:-5] for n in os.listdir(d) if n.endswith(".json")} if os.path.isdir(d) else set()


def kv_json(*args, **kw):
    """Runs kvalidate with `-o json` added; returns (CompletedProcess, parsed JSON or None)."""
    p = kv(*args, "-o", "json", **kw)
    try:
        return p, json.loads(p.stdout)
    except json.JSONDecodeError:
        return p, None


def cached_tool(name):
    """Path of a Go-built tool in kvalidate's cache (highest version), or None."""
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kvalidate", "bin")
    if not os.path.isdir(cache):
        return None
    def key(v):
        return [int(x) if x.isdigit() else -1 for x in v.lstrip("v").split(".")]
    for v in sorted(os.listdir(cache), key=key, reverse=True):
        p = os.path.join(cache, v, name)
        if os.access(p, os.X_OK):
            return p
    return None


def cached_helm_without_building(major):
    """Path of the newest Helm `major` (3 or 4) in kvalidate's cache, or None."""
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kvalidate", "bin")
    found = [v for v in (os.listdir(cache) if os.path.isdir(cache) else [])
             if v.startswith(f"v{major}.") and os.access(os.path.join(cache, v, "helm"), os.X_OK)]
    found.sort(key=lambda v: [int(x) if x.isdigit() else -1 for x in v.lstrip("v").split(".")], reverse=True)
    return os.path.join(cache, found[0], "helm") if found else None


def cached_helm(major):
    """Path of the newest Helm `major` (3 or 4) in kvalidate's cache, building it with tools/go/build.sh
    when it is missing (once; the script waits on the cache's lock); (path, why-not)."""
    path = cached_helm_without_building(major)
    if path:
        return path, ""
    target = "helm3" if major == 3 else "helm"
    try:
        p = subprocess.run(["bash", os.path.join(SRC, "tools", "go", "build.sh"), target], capture_output=True,
                           text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"Helm {major} is not built and tools/go/build.sh {target} failed: {e}"
    path = cached_helm_without_building(major)
    return (path, "") if path else (None, f"Helm {major} is not built and tools/go/build.sh {target} failed: "
                                          f"{p.stderr.strip()[-300:]}")


def cached_tool_version(version, name):
    """Path of `name` in kvalidate's cache folder of exactly `version`, or None."""
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kvalidate", "bin")
    p = os.path.join(cache, version, name)
    return p if os.access(p, os.X_OK) else None


class PrivateHome:
    """A temporary KVALIDATE_HOME whose plane is stopped (kvalidate down) on exit."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="kv-e2e-")
        return self.path

    def __exit__(self, *exc):
        try:
            kv("down", home=self.path, timeout=60)
        finally:
            shutil.rmtree(self.path, ignore_errors=True)


def private_home():
    return PrivateHome()


def alive(pid):
    """True while process `pid` runs (not gone, not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def explain(p):
    """Message for a failed assertion about a CompletedProcess."""
    return f"exit {p.returncode}\n--- stdout\n{p.stdout[-4000:]}\n--- stderr\n{p.stderr[-4000:]}"


def main():
    unittest.main(verbosity=2)
