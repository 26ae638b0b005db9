"""End-to-end: kvalidate's control plane lifecycle (up/status/env/logs/down), reuse, 8 concurrent cold
starts, recovery after kill -9, stale records naming unrelated processes, readiness failure, external
clusters, and the k3s backend where k3s is on PATH. Each test uses a private KVALIDATE_HOME."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

import kvtest
from kvtest import alive, explain, kv


def status_json(home):
    p = kv("status", "-o", "json", home=home, timeout=60)
    return p, json.loads(p.stdout)


def apiservers_for(home):
    """Pids of live (non-zombie) kube-apiserver processes whose certificates live in `home`."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{d}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state in ("Z", "X") or not argv or not argv[0].endswith(b"kube-apiserver"):
            continue
        if any(a == f"--cert-dir={home}/pki".encode() for a in argv):
            pids.append(int(d))
    return pids


class ControlPlaneTest(unittest.TestCase):
    def test_lifecycle_up_reuse_kubectl_down(self):
        with kvtest.private_home() as home:
            p = kv("up", "--wait", "120s", home=home, timeout=200)
            self.assertEqual(p.returncode, 0, explain(p))
            kubeconfig = os.path.join(home, "kubeconfig")
            self.assertIn(f"kubeconfig: {kubeconfig}", p.stdout)
            self.assertEqual(os.stat(kubeconfig).st_mode & 0o777, 0o600)
            self.assertEqual(os.stat(home).st_mode & 0o777, 0o700)
            self.assertEqual(os.stat(os.path.join(home, "pki", "ca.key")).st_mode & 0o777, 0o600)

            p, st = status_json(home)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertTrue(st["healthy"], st)
            self.assertEqual(st["backend"], "apiserver")
            self.assertTrue(st["endpoint"].startswith("https://127.0.0.1:"), st)
            self.assertEqual(st["kubeconfig"], kubeconfig)
            self.assertEqual(st["versions"]["kube-apiserver"], "v1.37.2")
            pids = sorted(x["pid"] for x in st["processes"])
            self.assertEqual(len(pids), 2)

            p = kv("up", home=home, timeout=60)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn("control plane running", p.stdout)
            _, st2 = status_json(home)
            self.assertEqual(sorted(x["pid"] for x in st2["processes"]), pids)

            kubectl = kvtest.cached_tool("kubectl")
            if kubectl:
                k = subprocess.run([kubectl, "--kubeconfig", kubeconfig, "get", "ns", "-o", "name"],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(k.returncode, 0, k.stderr)
                self.assertIn("namespace/default", k.stdout)

            helm = kvtest.cached_tool("helm")
            if helm:
                h = subprocess.run([helm, "--kubeconfig", kubeconfig, "list", "-A"], capture_output=True, text=True,
                                   timeout=60)
                self.assertEqual(h.returncode, 0, h.stderr)

            p = kv("env", home=home, timeout=60)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertEqual(p.stdout.strip(), f"export KUBECONFIG={kubeconfig}")

            p = kv("logs", "--component", "apiserver", home=home, timeout=60)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn("Serving securely on 127.0.0.1", p.stdout)

            p = kv("down", home=home, timeout=60)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn("stopped", p.stdout)
            for pid in pids:
                self.assertFalse(alive(pid), f"pid {pid} still running after down")
            self.assertFalse(os.path.exists(os.path.join(home, "etcd-data")))

            p = kv("status", home=home, timeout=60)
            self.assertEqual(p.returncode, 3, explain(p))
            self.assertIn("not running", p.stdout)
            p, st = status_json(home)
            self.assertFalse(st["running"])

    def test_eight_concurrent_cold_ups_start_one_plane(self):
        with kvtest.private_home() as home:
            with ThreadPoolExecutor(8) as pool:
                results = list(pool.map(lambda _: kv("up", "--wait", "180s", home=home, timeout=300), range(8)))
            for p in results:
                self.assertEqual(p.returncode, 0, explain(p))
            self.assertEqual(sum("started" in p.stdout for p in results), 1, [p.stdout for p in results])
            self.assertEqual(len(apiservers_for(home)), 1, apiservers_for(home))
            _, st = status_json(home)
            self.assertTrue(st["healthy"], st)

    def test_kill9_apiserver_then_up_recovers(self):
        with kvtest.private_home() as home:
            p = kv("up", "--wait", "120s", home=home, timeout=200)
            self.assertEqual(p.returncode, 0, explain(p))
            _, st = status_json(home)
            old = {x["component"]: x["pid"] for x in st["processes"]}
            os.kill(old["apiserver"], signal.SIGKILL)
            deadline = time.time() + 10
            while alive(old["apiserver"]) and time.time() < deadline:
                time.sleep(0.05)
            p, st = status_json(home)
            self.assertEqual(p.returncode, 3, explain(p))
            self.assertFalse(st["healthy"])

            p = kv("up", "--wait", "120s", home=home, timeout=200)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn("started", p.stdout)
            p, st = status_json(home)
            self.assertTrue(st["healthy"], st)
            new = {x["component"]: x["pid"] for x in st["processes"]}
            self.assertNotEqual(new["apiserver"], old["apiserver"])
            self.assertFalse(alive(old["etcd"]), "the old etcd should have been stopped")
            self.assertEqual(len(apiservers_for(home)), 1)

    def test_stale_record_naming_unrelated_process_is_not_trusted_nor_signalled(self):
        sleeper = subprocess.Popen(["sleep", "300"])
        try:
            with kvtest.private_home() as home:
                with open(f"/proc/{sleeper.pid}/stat") as f:
                    start = int(f.read().rsplit(")", 1)[1].split()[19])
                # Two ways a record can name a process that is not ours: a pid reused by another program
                # (right start time, wrong program) and a stale start time.
                state = {"version": 1, "backend": "apiserver", "phase": "ready", "server": "https://127.0.0.1:1",
                         "kubeconfig": os.path.join(home, "kubeconfig"), "startedAt": 1, "ports": {},
                         "versions": {}, "processes": [
                             {"component": "etcd", "pid": sleeper.pid, "startTime": start, "exe": "etcd"},
                             {"component": "apiserver", "pid": sleeper.pid, "startTime": start + 1,
                              "exe": "sleep"}]}
                with open(os.path.join(home, "state.json"), "w") as f:
                    json.dump(state, f)
                p = kv("status", home=home, timeout=60)
                self.assertEqual(p.returncode, 3, explain(p))
                self.assertIn("not running", p.stdout)
                p = kv("up", "--wait", "120s", home=home, timeout=200)
                self.assertEqual(p.returncode, 0, explain(p))
                self.assertIsNone(sleeper.poll(), "kvalidate signalled an unrelated process")
                _, st = status_json(home)
                self.assertTrue(st["healthy"], st)
                self.assertNotIn(sleeper.pid, [x["pid"] for x in st["processes"]])

                # A half-written record is treated as stale too (after down, so nothing leaks).
                self.assertEqual(kv("down", home=home, timeout=60).returncode, 0)
                with open(os.path.join(home, "state.json"), "w") as f:
                    f.write('{"version": 1, "backend": "apiserver", "pha')
                p = kv("status", home=home, timeout=60)
                self.assertEqual(p.returncode, 3, explain(p))
                p = kv("down", home=home, timeout=60)
                self.assertEqual(p.returncode, 0, explain(p))
                self.assertIsNone(sleeper.poll(), "kvalidate signalled an unrelated process")
        finally:
            sleeper.kill()
            sleeper.wait()

    def test_not_ready_in_time_fails_with_log_and_leaves_nothing(self):
        with kvtest.private_home() as home:
            p = kv("up", "--wait", "100ms", home=home, timeout=120)  # a plane from the start template is ready in ~1 s
            self.assertEqual(p.returncode, 3, explain(p))
            self.assertIn("not ready in time", p.stderr)
            self.assertIn("--- last lines of", p.stderr)
            self.assertFalse(os.path.exists(os.path.join(home, "state.json")))
            self.assertEqual(apiservers_for(home), [])

    def test_no_binaries_says_how_to_get_them(self):
        with kvtest.private_home() as home, tempfile.TemporaryDirectory() as empty:
            env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": empty, "KUBEBUILDER_ASSETS": "",
                   "KVALIDATE_KUBE_APISERVER": "", "KVALIDATE_ETCD": "", "KVALIDATE_K3S": ""}
            p = kv("up", home=home, env=env, timeout=60)
            self.assertEqual(p.returncode, 3, explain(p))
            self.assertIn("tools/go/build.sh", p.stderr)
            self.assertIn("KUBEBUILDER_ASSETS", p.stderr)

    def test_external_cluster_flags(self):
        with kvtest.private_home() as home, tempfile.TemporaryDirectory() as other:
            p = kv("up", "--kubeconfig", os.path.join(other, "missing.yaml"), home=home, timeout=60)
            self.assertEqual(p.returncode, 2, explain(p))
            self.assertIn("missing.yaml", p.stderr)
            dead = os.path.join(other, "dead.yaml")
            with open(dead, "w") as f:
                f.write("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
                        "users:\n- name: u\n  user: {}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
                        "current-context: x\n")
            p = kv("up", "--kubeconfig", dead, home=home, timeout=60)
            self.assertEqual(p.returncode, 3, explain(p))
            self.assertIn("does not answer", p.stderr)
            self.assertFalse(os.path.exists(os.path.join(home, "state.json")), "an external cluster starts nothing")

    @unittest.skipUnless(shutil.which("k3s"), "k3s is not on PATH: the k3s backend cannot be exercised here")
    def test_k3s_backend(self):
        with kvtest.private_home() as home:
            p = kv("up", "--backend", "k3s", "--wait", "180s", home=home, timeout=300)
            self.assertEqual(p.returncode, 0, explain(p))
            p, st = status_json(home)
            self.assertTrue(st["healthy"], st)
            self.assertEqual(st["backend"], "k3s")
            self.assertEqual(os.stat(os.path.join(home, "kubeconfig")).st_mode & 0o777, 0o600)
            p = kv("down", home=home, timeout=120)
            self.assertEqual(p.returncode, 0, explain(p))


if __name__ == "__main__":
    kvtest.main()
