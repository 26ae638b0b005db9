"""e2e security guarantees (issue 9): a planted Secret value appears in no report and no log; private keys
and kubeconfigs are 0600 and state dirs 0700; the plane listens on 127.0.0.1 only; TLS is verified
toward the plane and toward external clusters unless their kubeconfig says insecure-skip-tls-verify;
nothing is created or changed on an external cluster (a second plane used as one)."""
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

import kvtest
from kvtest import explain, fixture, kv
from test_bad_input import with_wrong_ca
from test_controlplane import apiservers_for

SECRET = "pl4nted-hardening-s3cret"
SECRET_DOC = f"""apiVersion: v1
kind: Secret
metadata:
  name: planted
  namespace: default
  labels:
    bad: "{SECRET}!"
  annotations:
    note: "{SECRET}"
stringData:
  password: {SECRET}
  unknown: [{SECRET}]
data:
  token: {SECRET}
---
apiVersion: v1
kind: Secret
metadata:
  name: planted-ok
  namespace: default
stringData:
  password: {SECRET}
"""


def files_under(root):
    for d, _, names in os.walk(root):
        for n in names:
            yield os.path.join(d, n)


def plane_pids(home):
    with open(os.path.join(home, "state.json")) as f:
        return [p["pid"] for p in json.load(f)["processes"]]


def listening_sockets(pid):
    """(family, local address hex, port) of every LISTEN socket the process holds."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))
    found = []
    for family in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{family}") as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                addr, port = cols[1].split(":")
                if cols[3] == "0A" and cols[9] in inodes:  # 0A = LISTEN
                    found.append((family, addr, int(port, 16)))
    return found


LOOPBACK = {"0100007F",                                 # 127.0.0.1
            "00000000000000000000000001000000",         # ::1
            "0000000000000000FFFF00000100007F"}         # ::ffff:127.0.0.1


class Security(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kv-sec-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_planted_secret_in_no_report_and_no_log(self):
        src = os.path.join(self.dir, "secret.yaml")
        with open(src, "w") as f:
            f.write(SECRET_DOC)
        reports = {fmt: os.path.join(self.dir, f"r.{fmt}") for fmt in ["json", "junit", "sarif", "github", "text"]}
        outputs = []
        for fmt in reports:
            p = kv("manifests", src, "-o", fmt, timeout=120)
            self.assertIn(p.returncode, (0, 1), explain(p))
            outputs.append((fmt + " stdout/stderr", p.stdout + p.stderr))
        p = kv("manifests", src, *[a for fmt, path in reports.items() for a in ("-o", f"{fmt}={path}")], timeout=120)
        self.assertEqual(p.returncode, 1, explain(p))  # the bad label makes the first Secret invalid
        outputs.append(("all formats run", p.stdout + p.stderr))
        debug = kv("manifests", src, "-o", "json", env={"KVALIDATE_DEBUG_HTTP": "1"}, timeout=120)
        outputs.append(("KVALIDATE_DEBUG_HTTP=1", debug.stdout + debug.stderr))
        for fmt, path in reports.items():
            with open(path, encoding="utf-8", errors="replace") as f:
                outputs.append((path, f.read()))
        self.assertGreater(len(outputs), 10)
        for where, text in outputs:
            self.assertNotIn(SECRET, text, f"secret value leaked into {where}")
        # The run did judge the Secret (the check above is not vacuous).
        with open(reports["json"]) as f:
            judged = {(r["kind"], r["name"], r["status"]) for r in json.load(f)["results"]}
        self.assertIn(("Secret", "planted", "invalid"), judged)
        self.assertIn(("Secret", "planted-ok", "valid"), judged)

    # Found by this test: for a Secret whose stringData holds a non-string, kube-apiserver itself logs
    # "failed to create typed patch object ... Value:[...\"<the value>\"]" into its log. kvalidate now
    # judges such Secrets itself and never sends them (validators/dryrun.cpp: secret_type_errors).
    def test_planted_secret_not_in_plane_logs(self):
        src = os.path.join(self.dir, "secret.yaml")
        with open(src, "w") as f:
            f.write(SECRET_DOC)
        p = kv("manifests", src, timeout=120)
        self.assertEqual(p.returncode, 1, explain(p))
        for path in files_under(kvtest.SHARED_HOME):  # the plane's logs and state
            if "etcd-data" in path:
                continue  # etcd's own database holds only what was created for real (never a dry-run)
            with open(path, "rb") as f:
                self.assertNotIn(SECRET, f.read().decode("utf-8", "replace"), f"secret value leaked into {path}")

    def test_file_modes_of_state_dirs(self):
        home = kvtest.SHARED_HOME
        if not os.path.exists(os.path.join(home, "state.json")):
            self.skipTest("the shared plane is not running")
        self.assertEqual(stat.S_IMODE(os.stat(home).st_mode), 0o700)
        for d, dirs, names in os.walk(home):
            if "etcd-data" in d:
                continue
            for n in dirs:
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, n)).st_mode) & 0o077, 0, os.path.join(d, n))
            for n in names:
                path = os.path.join(d, n)
                mode = stat.S_IMODE(os.lstat(path).st_mode)
                if n.endswith(".key") or n == "kubeconfig" or n.endswith(".log") or n == "state.json":
                    self.assertEqual(mode, 0o600, f"{path} is {oct(mode)}")
                self.assertEqual(mode & 0o022, 0, f"{path} is group/world writable: {oct(mode)}")

    def test_plane_listens_on_loopback_only(self):
        home = kvtest.SHARED_HOME
        if not os.path.exists(os.path.join(home, "state.json")):
            self.skipTest("the shared plane is not running")
        pids = plane_pids(home)
        self.assertEqual(len(pids), 2)
        seen = []
        for pid in pids:
            for family, addr, port in listening_sockets(pid):
                seen.append((pid, family, addr, port))
                self.assertIn(addr, LOOPBACK, f"pid {pid} listens on {family} {addr}:{port}")
        with open(os.path.join(home, "state.json")) as f:
            ports = set(json.load(f)["ports"].values())
        self.assertTrue(ports <= {s[3] for s in seen}, (ports, seen))

    def test_tls_verified_toward_the_plane(self):
        kc = os.path.join(kvtest.SHARED_HOME, "kubeconfig")
        if not os.path.exists(kc) or not shutil.which("openssl"):
            self.skipTest("needs the shared plane's kubeconfig and openssl")
        wrong = os.path.join(self.dir, "wrong-ca.kubeconfig")
        with open(wrong, "w") as f:
            f.write(with_wrong_ca(kc, self.dir))
        src = fixture("manifests", "valid", "service.yaml")
        p = kv("manifests", src, "--kubeconfig", wrong, timeout=60)
        self.assertEqual(p.returncode, 3, explain(p))
        self.assertIn("SSL certificate problem", p.stderr)
        # The same server with its kubeconfig saying insecure-skip-tls-verify is trusted as told.
        with open(wrong) as f:
            text = f.read()
        insecure = os.path.join(self.dir, "insecure.kubeconfig")
        with open(insecure, "w") as f:
            f.write(re.sub(r"( *)certificate-authority-data: \S+", r"\1insecure-skip-tls-verify: true", text))
        p = kv("manifests", src, "--kubeconfig", insecure, timeout=120)
        self.assertEqual(p.returncode, 0, explain(p))
        # A CA that matches (the plane's own) works, and a missing CA falls back to the system store: fails.
        noca = os.path.join(self.dir, "noca.kubeconfig")
        with open(noca, "w") as f:
            f.write(re.sub(r" *certificate-authority-data: \S+\n", "", text))
        p = kv("manifests", src, "--kubeconfig", noca, timeout=60)
        self.assertEqual(p.returncode, 3, explain(p))

    def test_nothing_changes_on_an_external_cluster(self):
        kubectl = kvtest.cached_tool("kubectl") or shutil.which("kubectl")
        if not kubectl:
            self.skipTest("kubectl not found: cannot read the external cluster's objects")
        with kvtest.private_home() as other:
            up = kv("up", "--wait", "180s", home=other, timeout=300)
            self.assertEqual(up.returncode, 0, explain(up))
            kc = os.path.join(other, "kubeconfig")

            def snapshot():
                kinds = "namespaces,customresourcedefinitions,configmaps,secrets,serviceaccounts,roles,rolebindings," \
                        "clusterroles,clusterrolebindings,deployments,services"
                k = subprocess.run([kubectl, "--kubeconfig", kc, "get", kinds, "-A", "-o", "json"],
                                   capture_output=True, text=True, timeout=120)
                self.assertEqual(k.returncode, 0, k.stderr)
                return {(i["kind"], i["metadata"].get("namespace", ""), i["metadata"]["name"]):
                        i["metadata"]["resourceVersion"] for i in json.loads(k.stdout)["items"]}

            before = snapshot()
            inputs = os.path.join(self.dir, "in.yaml")
            with open(fixture("rbac", "manifests", "app.yaml")) as f:
                app = f.read()
            with open(fixture("manifests", "valid", "crd-and-cr.yaml")) as f:
                crd = f.read()
            with open(inputs, "w") as f:
                f.write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ext-new\n---\n"
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ext-new\n---\n"
                        + app + "\n---\n" + crd)
            client_home = os.path.join(self.dir, "client-home")
            p = kv("manifests", inputs, "--kubeconfig", kc, "--rbac", fixture("rbac", "expectations-pass.yaml"),
                   "-o", "json", home=client_home, timeout=300)
            self.assertIn(p.returncode, (0, 1), explain(p))
            report = json.loads(p.stdout)
            self.assertGreater(len(report["results"]), 5, explain(p))
            statuses = {r["status"] for r in report["results"]}
            self.assertIn("skipped", statuses, "objects in a namespace missing there are skipped")
            after = snapshot()
            self.assertEqual(before, after, "the external cluster changed")
            self.assertFalse(os.path.exists(os.path.join(client_home, "state.json")),
                             "an external cluster starts no plane")


if __name__ == "__main__":
    kvtest.main()
