"""e2e security guarantees (issues 9 and 14): a planted Secret value appears in no report and no log; every
file of the state folder is 0600 (certificates 0644) in 0700 folders, the discovery cache too, keyed by
identity; the plane listens on 127.0.0.1 only, answers nobody anonymously and its etcd peer port speaks
only TLS with client certificates; TLS is verified toward the plane and toward external clusters unless
their kubeconfig says insecure-skip-tls-verify; nothing is created or changed on an external cluster (a
second plane used as one); a repository's config cannot pick a kubeconfig or write outside its tree; a
state folder or config owned by another user is refused; a chart's symlink leaving the chart is refused."""
import base64
import json
import os
import pwd
import re
import socket
import ssl
import urllib.error
import urllib.request
import shutil
import stat
import subprocess
import tempfile
import time
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
        checked = 0
        for d, dirs, names in os.walk(home):
            for n in dirs:
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, n)).st_mode) & 0o077, 0, os.path.join(d, n))
            for n in names:
                path = os.path.join(d, n)
                mode = stat.S_IMODE(os.lstat(path).st_mode)
                # Certificates and the public service-account key may be 0644: their folder is 0700.
                allowed = (0o600, 0o644) if n.endswith(".crt") or n.endswith(".pub") else (0o600,)
                self.assertIn(mode, allowed, f"{path} is {oct(mode)}")
                checked += 1
        self.assertGreater(checked, 10)

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

            # The plane's own post-start work (its authentication ConfigMap, RBAC reconciliation) may still be
            # writing just after it is ready, on a loaded machine: the baseline is what stops changing.
            before, deadline = snapshot(), time.monotonic() + 30
            while time.monotonic() < deadline:
                time.sleep(1)
                again = snapshot()
                if again == before:
                    break
                before = again
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

    def test_plane_answers_nobody_anonymously_and_etcd_peers_need_certificates(self):
        home = kvtest.SHARED_HOME
        if not os.path.exists(os.path.join(home, "state.json")):
            self.skipTest("the shared plane is not running")
        with open(os.path.join(home, "state.json")) as f:
            ports = json.load(f)["ports"]
        ctx = ssl.create_default_context(cafile=os.path.join(home, "pki", "ca.crt"))
        for path in ("/version", "/healthz", "/readyz", "/api"):
            with self.assertRaises(urllib.error.HTTPError, msg=path) as e:
                urllib.request.urlopen(f"https://127.0.0.1:{ports['apiserver']}{path}", context=ctx, timeout=10)
            self.assertEqual(e.exception.code, 401, path)
        # kvalidate itself still checks health (as admin): status says healthy.
        st = kv("status", timeout=60)
        self.assertEqual(st.returncode, 0, explain(st))
        # etcd's peer port: plain HTTP gets no member list, TLS without a client certificate is refused.
        peer = ports["etcd-peer"]
        answers = []
        with socket.create_connection(("127.0.0.1", peer), timeout=10) as s:
            s.sendall(b"GET /members HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answers.append(s.recv(65536))
        no_cert = ssl.create_default_context(cafile=os.path.join(home, "pki", "ca.crt"))
        try:
            urllib.request.urlopen(f"https://127.0.0.1:{peer}/members", context=no_cert, timeout=10)
            self.fail("the etcd peer port answered a client without a certificate")
        except (ssl.SSLError, urllib.error.URLError, ConnectionError) as e:
            answers.append(str(e).encode())
        for a in answers:
            self.assertNotIn(b"peerURLs", a)
        print(f"[table] anonymous GET /version on the owned plane | - | HTTP 401")

    def test_repo_config_cannot_pick_a_kubeconfig_nor_write_outside(self):
        repo = os.path.join(self.dir, "repo")
        os.makedirs(repo)
        shutil.copy(fixture("manifests", "valid", "service.yaml"), os.path.join(repo, "svc.yaml"))
        cfg = os.path.join(repo, ".kvalidate.yaml")
        with open(cfg, "w") as f:
            f.write("jobs: 2\nkubeconfig: evil.kubeconfig\n")
        p = kv("manifests", "svc.yaml", cwd=repo, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn(f"{cfg}:2:", p.stderr)
        self.assertIn('"kubeconfig" is not allowed in a config file', p.stderr)
        with open(cfg, "w") as f:
            f.write("context: prod\n")
        p = kv("manifests", "svc.yaml", cwd=repo, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        escape = os.path.join(self.dir, "escaped.json")
        with open(cfg, "w") as f:
            f.write("outputs: [json=../escaped.json]\n")
        p = kv("manifests", "svc.yaml", cwd=repo, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("is outside", p.stderr)
        self.assertFalse(os.path.exists(escape))
        os.symlink(self.dir, os.path.join(repo, "link"))
        with open(cfg, "w") as f:
            f.write("outputs: [json=link/escaped.json]\n")
        p = kv("manifests", "svc.yaml", cwd=repo, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertFalse(os.path.exists(escape))
        # The flag still works: the user, not the repository, picks the cluster.
        with open(cfg, "w") as f:
            f.write("outputs: [json=reports/kv.json]\n")
        os.makedirs(os.path.join(repo, "reports"))
        p = kv("manifests", "svc.yaml", "--kubeconfig", os.path.join(kvtest.SHARED_HOME, "kubeconfig"), cwd=repo,
               timeout=120)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertTrue(os.path.exists(os.path.join(repo, "reports", "kv.json")))

    def test_foreign_owned_state_folder_and_config_are_refused(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to give files to another user")
        nobody = pwd.getpwnam("nobody").pw_uid
        src = fixture("manifests", "valid", "service.yaml")
        home = os.path.join(self.dir, "foreign-home")
        os.makedirs(home, mode=0o700)
        os.chown(home, nobody, -1)
        p = kv("manifests", src, home=home, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn(f"state folder {home} belongs to nobody", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        os.chown(home, 0, -1)
        os.chmod(home, 0o777)
        p = kv("manifests", src, home=home, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("writable by everyone", p.stderr)
        p = kv("down", home=home, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        repo = os.path.join(self.dir, "repo")
        os.makedirs(repo)
        cfg = os.path.join(repo, ".kvalidate.yaml")
        with open(cfg, "w") as f:
            f.write("jobs: 2\n")
        os.chown(cfg, nobody, -1)
        p = kv("manifests", src, cwd=repo, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn(f"config file {cfg} belongs to nobody", p.stderr)
        os.chown(cfg, 0, -1)
        os.chmod(cfg, 0o666)
        p = kv("manifests", src, cwd=repo, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("writable by everyone", p.stderr)
        os.chmod(cfg, 0o644)
        p = kv("manifests", src, cwd=repo, timeout=120)
        self.assertEqual(p.returncode, 0, explain(p))

    def test_discovery_cache_is_private_and_keyed_by_identity(self):
        cache = os.path.join(self.dir, "cache")
        kc = os.path.join(kvtest.SHARED_HOME, "kubeconfig")
        src = fixture("manifests", "valid", "service.yaml")
        env = {"XDG_CACHE_HOME": cache}
        p = kv("manifests", src, "--kubeconfig", kc, env=env, timeout=120)
        self.assertEqual(p.returncode, 0, explain(p))
        disc = os.path.join(cache, "kvalidate", "discovery")
        first = set(os.listdir(disc))
        self.assertEqual(len(first), 1, first)
        p = kv("manifests", src, "--kubeconfig", kc, "--as", "system:serviceaccount:default:kv-nobody", env=env,
               timeout=120)
        # Its own discovery (every authenticated user may read it), then the object: RBAC refuses this
        # identity the apply, which is the credentials' fault (exit 2), not a lost plane (exit 3).
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("[server/missing-verb]", p.stdout)
        self.assertNotIn("lost the control plane", p.stdout + p.stderr)
        second = set(os.listdir(disc))
        self.assertEqual(len(second), 2, "another identity gets its own discovery cache entry")
        for d in (os.path.join(cache, "kvalidate"), disc):
            self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700, d)
        for n in second:
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(disc, n)).st_mode), 0o600, n)

    def test_chart_symlink_leaving_the_chart_is_refused(self):
        secret = os.path.join(self.dir, "outside-secret.txt")
        with open(secret, "w") as f:
            f.write(SECRET)
        chart = os.path.join(self.dir, "leaky")
        os.makedirs(os.path.join(chart, "templates"))
        os.makedirs(os.path.join(chart, "files"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: leaky\nversion: 0.1.0\n")
        with open(os.path.join(chart, "templates", "cm.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaky\n  labels:\n"
                    "    leak: {{ .Files.Get \"files/x\" | quote }}\n")
        os.symlink(secret, os.path.join(chart, "files", "x"))
        out = os.path.join(self.dir, "r.json")
        p = kv("chart", chart, "-o", f"json={out}", timeout=180)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn(os.path.join(chart, "files", "x"), p.stderr)
        self.assertIn("--allow-external-symlinks", p.stderr)
        with open(out) as f:
            self.assertNotIn(SECRET, f.read())
        self.assertNotIn(SECRET, p.stdout + p.stderr)
        # Allowed on purpose: helm's own warning about the link becomes a finding.
        p = kv("chart", chart, "--allow-external-symlinks", "-o", "json", timeout=180)
        self.assertIn(p.returncode, (0, 1), explain(p))
        findings = [f for r in json.loads(p.stdout)["results"] for f in r["findings"]]
        self.assertTrue(any(f["rule"] == "helm/warning" and "symbolic link" in f["message"] for f in findings),
                        findings)


if __name__ == "__main__":
    kvtest.main()
