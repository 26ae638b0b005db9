#!/usr/bin/env python3
"""Benchmark: planes of several Kubernetes versions with one etcd each (what kvalidate does) vs one shared
etcd with a per-version --etcd-prefix. For each layout: wall time from nothing to every /readyz answering
(all started at once), and the RSS of all processes after one validation on each plane.

The shared layout is started by hand from the exact command lines kvalidate used for the separate
layout (read from /proc), so both run the same flags; only the etcd flags differ.

Usage: bench/etcd_layouts.py [VERSIONS] [RUNS]   (default 1.35,1.36,1.37 and 3 runs)
Env: KVALIDATE_BIN (default build/kvalidate). The versions' binaries must be built.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
KV = os.environ.get("KVALIDATE_BIN", os.path.join(ROOT, "build", "kvalidate"))
VERSIONS = sys.argv[1] if len(sys.argv) > 1 else "1.35,1.36,1.37"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
INPUT = os.path.join(ROOT, "fixtures", "manifests", "valid")


def kv(home, *args):
    env = dict(os.environ, KVALIDATE_HOME=home, NO_COLOR="1")
    return subprocess.run([KV, *args], capture_output=True, text=True, env=env, timeout=1200)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return [a.decode() for a in f.read().split(b"\0") if a]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flag(argv, name):
    for a in argv:
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def set_flag(argv, name, value):
    out = [a for a in argv if not a.startswith(name + "=")]
    return out + [f"{name}={value}"]


def ready(port, pki):
    ctx = ssl.create_default_context(cafile=f"{pki}/ca.crt")
    ctx.load_cert_chain(f"{pki}/admin.crt", f"{pki}/admin.key")
    try:
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=1)
        c.request("GET", "/readyz")
        return c.getresponse().status == 200
    except OSError:
        return False


def planes(home):
    """(state dir, state) of every plane recorded under home."""
    out = []
    for d in sorted(os.listdir(home)):
        p = os.path.join(home, d, "state.json")
        if os.path.exists(p):
            with open(p) as f:
                out.append((os.path.join(home, d), json.load(f)))
    return out


def separate(home):
    t0 = time.monotonic()
    p = kv(home, "up", "--kube-version", VERSIONS, "--wait", "300s")
    secs = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"kvalidate up failed:\n{p.stderr}")
    for d, _ in planes(home):
        p = kv(home, "manifests", INPUT, "--kubeconfig", f"{d}/kubeconfig")
        if p.returncode not in (0, 1):
            sys.exit(f"kvalidate manifests failed:\n{p.stdout}{p.stderr}")
    pids = [pr["pid"] for _, st in planes(home) for pr in st["processes"]]
    return secs, sum(rss_kb(x) for x in pids), len(pids)


def shared(home, work):
    """One etcd and every version's kube-apiserver, from the separate layout's command lines."""
    recorded = planes(home)
    argv = {st["versions"]["kube-apiserver"]: (d, [cmdline(pr["pid"]) for pr in st["processes"]])
            for d, st in recorded}
    kv(home, "down", "--keep-data")
    first_dir, first = next(iter(argv.values()))
    etcd_port, peer_port = free_port(), free_port()
    etcd = first[0]
    etcd = set_flag(etcd, "--data-dir", f"{work}/etcd-data")
    for name, port, scheme in (("--listen-client-urls", etcd_port, "https"), ("--advertise-client-urls", etcd_port, "https"),
                               ("--listen-peer-urls", peer_port, "http"), ("--initial-advertise-peer-urls", peer_port, "http")):
        etcd = set_flag(etcd, name, f"{scheme}://127.0.0.1:{port}")
    etcd = set_flag(etcd, "--initial-cluster", f"kvalidate=http://127.0.0.1:{peer_port}")
    procs, ports = [], []
    t0 = time.monotonic()
    log = open(f"{work}/log", "ab")
    procs.append(subprocess.Popen(etcd, stdout=log, stderr=log, start_new_session=True))
    for version, (d, (_, api)) in argv.items():
        port = free_port()
        api = set_flag(api, "--secure-port", str(port))
        api = set_flag(api, "--etcd-servers", f"https://127.0.0.1:{etcd_port}")
        api = set_flag(api, "--etcd-prefix", f"/registry/{version}")
        # One CA for etcd: every apiserver talks to it with the first plane's etcd client certificate.
        for f in ("--etcd-cafile", "--etcd-certfile", "--etcd-keyfile"):
            api = set_flag(api, f, flag(api, f).replace(d, first_dir))
        procs.append(subprocess.Popen(api, stdout=log, stderr=log, start_new_session=True))
        ports.append((port, f"{d}/pki", d))
    while not all(ready(p, pki) for p, pki, _ in ports):
        if time.monotonic() - t0 > 300 or any(p.poll() is not None for p in procs):
            sys.exit(f"shared layout did not start; see {work}/log")
        time.sleep(0.05)
    secs = time.monotonic() - t0
    for port, pki, d in ports:
        with open(f"{d}/kubeconfig") as f:
            text = f.read()
        server = [l for l in text.splitlines() if "server:" in l][0].split("server:")[1].strip()
        cfg = f"{work}/kubeconfig-{port}"
        with open(cfg, "w") as f:
            f.write(text.replace(server, f"https://127.0.0.1:{port}"))
        p = kv(home, "manifests", INPUT, "--kubeconfig", cfg)
        if p.returncode not in (0, 1):
            sys.exit(f"kvalidate manifests (shared etcd) failed:\n{p.stdout}{p.stderr}")
    rss = sum(rss_kb(p.pid) for p in procs)
    for p in reversed(procs):
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(30)
    return secs, rss, len(procs)


def main():
    sep, sha = [], []
    for _ in range(RUNS):
        home, work = tempfile.mkdtemp(prefix="kv-bench-"), tempfile.mkdtemp(prefix="kv-bench-shared-")
        try:
            sep.append(separate(home))
            sha.append(shared(home, work))
        finally:
            kv(home, "down")
            shutil.rmtree(home, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, load average {open('/proc/loadavg').read().split()[:3]}")
    print(f"versions: {VERSIONS}, runs: {RUNS}")
    for name, rows in (("one etcd per version", sep), ("one shared etcd, --etcd-prefix per version", sha)):
        print(f"{name}: {rows[0][2]} processes; all ready in median {statistics.median(r[0] for r in rows):.2f}s "
              f"(runs {', '.join(f'{r[0]:.2f}' for r in rows)}); RSS after a validation on each: median "
              f"{statistics.median(r[1] for r in rows) / 1024:.0f} MB (runs {', '.join(str(r[1] // 1024) for r in rows)})")


if __name__ == "__main__":
    main()
