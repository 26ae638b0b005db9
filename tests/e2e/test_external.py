"""e2e: external clusters as people hold them (issue 14), with the shared plane acting as the external
cluster and the real kubectl run on the same kubeconfigs for comparison: exec credential plugins (v1 with
a ServiceAccount token from the TokenRequest API, v1beta1 with a client certificate), refresh after a 401,
a missing plugin, tokenFile relative to the kubeconfig, rejected credentials, a context naming a missing
user, tls-server-name and proxy-url through a real local CONNECT proxy, NO_PROXY and loopback, impersonation
of a weak ServiceAccount (Forbidden, as kubectl), a non-JSON server, and apply with kubectl's verbs only."""
import base64
import http.server
import json
import os
import select
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import unittest

import kvtest
from kvtest import explain, fixture, kv

NS = "kv-ext"
SERVICE = fixture("manifests", "valid", "service.yaml")
CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: ext-cm
  namespace: kv-ext
data:
  a: b
"""


def kubectl_path():
    return kvtest.cached_tool("kubectl") or shutil.which("kubectl")


def load_admin():
    """(server, CA PEM, client cert PEM, client key PEM) of the shared plane's admin: its kubeconfig holds
    the admin's token, the plane's PKI the admin's client certificate (which the plane still accepts)."""
    import re
    with open(os.path.join(kvtest.SHARED_HOME, "kubeconfig")) as f:
        text = f.read()

    def field(name):
        m = re.search(rf"{name}: (\S+)", text)
        return m.group(1) if m else ""

    def pki(name):
        with open(os.path.join(kvtest.SHARED_HOME, "pki", name)) as f:
            return f.read()

    return (field("server"), base64.b64decode(field("certificate-authority-data")).decode(), pki("admin.crt"),
            pki("admin.key"))


def kubeconfig(server, ca_pem, user, cluster_extra=""):
    """A kubeconfig text: one cluster (CA inline), one context "ext", the user mapping `user` (YAML lines)."""
    ca = base64.b64encode(ca_pem.encode()).decode()
    user_lines = "\n".join("    " + line for line in user.strip("\n").split("\n"))
    return (f"apiVersion: v1\nkind: Config\ncurrent-context: ext\n"
            f"clusters:\n- name: ext\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\n"
            f"{cluster_extra}"
            f"contexts:\n- name: ext\n  context: {{cluster: ext, user: u, namespace: {NS}}}\n"
            f"users:\n- name: u\n  user:\n{user_lines}\n")


class ConnectProxy:
    """A real HTTP CONNECT proxy on 127.0.0.1 that tunnels every CONNECT to 127.0.0.1:<asked port>,
    whatever host was asked (so any name reaches the plane), and records the targets it was asked for."""

    def __init__(self):
        self.targets = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                line = data.split(b"\r\n", 1)[0].decode()
                method, target, _ = line.split(" ", 2)
                outer.targets.append(target)
                if method != "CONNECT":
                    self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                    return
                port = int(target.rsplit(":", 1)[1])
                try:
                    upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
                except OSError:
                    self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                    return
                self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                socks = [self.request, upstream]
                try:
                    while True:
                        ready, _, _ = select.select(socks, [], [], 30)
                        if not ready:
                            return
                        for s in ready:
                            buf = s.recv(65536)
                            if not buf:
                                return
                            (upstream if s is self.request else self.request).sendall(buf)
                except OSError:
                    return  # a side hung up mid-transfer (a TLS failure): the tunnel just ends
                finally:
                    upstream.close()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class NotKubernetes:
    """A plain HTTP server on 127.0.0.1 answering 200 "ok" to everything (a health endpoint, not an API)."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"ok"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


PLUGIN = r'''#!/usr/bin/env python3
"""Test exec credential plugin: counts its runs, records KUBERNETES_EXEC_INFO, prints an ExecCredential."""
import json, os, sys
state = sys.argv[1]
runs = os.path.join(state, "runs")
with open(runs, "a") as f:
    f.write("run\n")
n = sum(1 for _ in open(runs))
with open(os.path.join(state, "exec-info-%d.json" % n), "w") as f:
    f.write(os.environ.get("KUBERNETES_EXEC_INFO", ""))
print("kv-test-plugin: run %d, MARK=%s" % (n, os.environ.get("MARK", "")), file=sys.stderr)
spec = json.load(open(os.path.join(state, "spec.json")))
status = dict(spec["status"])
if n <= spec.get("bad_runs", 0):
    status = {"token": "expired-token-from-run-%d" % n}
print(json.dumps({"apiVersion": spec["apiVersion"], "kind": "ExecCredential", "status": status}))
'''


class External(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kubectl = kubectl_path()
        if not os.path.exists(os.path.join(kvtest.SHARED_HOME, "kubeconfig")):
            raise unittest.SkipTest("the shared plane is not running")
        cls.server, cls.ca, cls.cert, cls.key = load_admin()
        cls.admin_kc = os.path.join(kvtest.SHARED_HOME, "kubeconfig")
        if not cls.kubectl:
            raise unittest.SkipTest("kubectl not found (tools/go/build.sh builds it): needed to make tokens")
        setup = f"""apiVersion: v1
kind: Namespace
metadata: {{name: {NS}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: ci, namespace: {NS}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: weak, namespace: {NS}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: kubectl-like, namespace: {NS}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: kv-ext-ci-admin}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}
subjects: [{{kind: ServiceAccount, name: ci, namespace: {NS}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: get-create-configmaps, namespace: {NS}}}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, create]
- apiGroups: [""]
  resources: [namespaces]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: kubectl-like, namespace: {NS}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: get-create-configmaps}}
subjects: [{{kind: ServiceAccount, name: kubectl-like, namespace: {NS}}}]
"""
        p = subprocess.run([cls.kubectl, "--kubeconfig", cls.admin_kc, "apply", "-f", "-"], input=setup,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError(p.stderr)
        cls.token = cls.make_token("ci")

    @classmethod
    def make_token(cls, sa):
        p = subprocess.run([cls.kubectl, "--kubeconfig", cls.admin_kc, "create", "token", sa, "-n", NS,
                            "--duration", "1h"], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(p.stderr)
        return p.stdout.strip()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kv-ext-")
        self.home = os.path.join(self.dir, "home")  # an external cluster needs no plane: nothing may start

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, rel, text, mode=0o600):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def kubectl_run(self, kc, *args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([self.kubectl, "--kubeconfig", kc, *args], capture_output=True, text=True,
                              timeout=120, env=e)

    def plugin(self, api_version, status, bad_runs=0):
        """Writes the plugin and its spec; returns (state dir, exec user YAML)."""
        state = os.path.join(self.dir, "plugin-state")
        os.makedirs(state, exist_ok=True)
        with open(os.path.join(state, "spec.json"), "w") as f:
            json.dump({"apiVersion": api_version, "status": status, "bad_runs": bad_runs}, f)
        self.write("bin/kv-plugin", PLUGIN, 0o700)
        lines = ["exec:", f"  apiVersion: {api_version}", "  command: ../bin/kv-plugin", f"  args: [{state}]",
                 "  env: [{name: MARK, value: from-kubeconfig}]", "  provideClusterInfo: true"]
        if api_version.endswith("/v1"):
            lines.append("  interactiveMode: Never")  # required in v1
        user = "\n".join(lines)
        return state, user

    def runs(self, state):
        with open(os.path.join(state, "runs")) as f:
            return sum(1 for _ in f)

    def test_exec_v1_plugin_with_a_serviceaccount_token(self):
        state, user = self.plugin("client.authentication.k8s.io/v1", {"token": self.token})
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, user))
        p = kv("manifests", SERVICE, "--kubeconfig", kc, "-o", "json", home=self.home, timeout=120)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual({r["status"] for r in json.loads(p.stdout)["results"]}, {"valid"})
        self.assertIn("kv-test-plugin: run 1, MARK=from-kubeconfig", p.stderr, "the plugin's stderr is passed through")
        self.assertEqual(self.runs(state), 1, "the credential is cached for the whole run")
        with open(os.path.join(state, "exec-info-1.json")) as f:
            info = json.load(f)
        self.assertEqual(info["apiVersion"], "client.authentication.k8s.io/v1")
        self.assertEqual(info["spec"]["cluster"]["server"], self.server)
        self.assertFalse(info["spec"]["interactive"])
        self.assertNotIn(self.token, p.stdout + p.stderr)
        k = self.kubectl_run(kc, "get", "serviceaccounts", "-n", NS)
        self.assertEqual(k.returncode, 0, k.stderr)
        print(f"[table] exec v1 plugin (token) | kubectl exit {k.returncode} | kvalidate exit {p.returncode}")

    def test_exec_v1beta1_plugin_with_a_client_certificate(self):
        _, user = self.plugin("client.authentication.k8s.io/v1beta1",
                              {"clientCertificateData": self.cert, "clientKeyData": self.key})
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, user))
        p = kv("manifests", SERVICE, "--kubeconfig", kc, home=self.home, timeout=120)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertNotIn("PRIVATE KEY", p.stdout + p.stderr)
        k = self.kubectl_run(kc, "get", "namespaces")
        self.assertEqual(k.returncode, 0, k.stderr)
        print(f"[table] exec v1beta1 plugin (client cert) | kubectl exit {k.returncode} | kvalidate exit {p.returncode}")

    def test_exec_plugin_runs_again_after_a_401(self):
        state, user = self.plugin("client.authentication.k8s.io/v1", {"token": self.token}, bad_runs=1)
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, user))
        p = kv("manifests", SERVICE, "--kubeconfig", kc, home=self.home, timeout=120)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(self.runs(state), 2, "one run gave a rejected token, one refresh after the 401")

    def test_missing_plugin_names_it_with_its_install_hint(self):
        user = ("exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: kv-no-such-auth-plugin\n"
                "  interactiveMode: IfAvailable\n  installHint: 'install it with: apt-get install kv-auth'")
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, user))
        p = kv("manifests", SERVICE, "--kubeconfig", kc, home=self.home, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("exec: executable kv-no-such-auth-plugin not found", p.stderr)
        self.assertIn("install it with: apt-get install kv-auth", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        k = self.kubectl_run(kc, "get", "namespaces")
        self.assertIn("executable kv-no-such-auth-plugin not found", k.stderr)
        print(f"[table] exec plugin missing | kubectl exit {k.returncode} | kvalidate exit {p.returncode}")

    def test_token_file_is_relative_to_the_kubeconfig_and_wins_over_token(self):
        self.write("kube/ci-token", self.token + "\n")
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, "token: not-the-right-one\ntokenFile: ci-token"))
        p = kv("manifests", SERVICE, "--kubeconfig", kc, home=self.home, timeout=120, cwd="/")
        self.assertEqual(p.returncode, 0, explain(p))
        k = subprocess.run([self.kubectl, "--kubeconfig", kc, "get", "namespaces"], capture_output=True, text=True,
                           timeout=60, cwd="/")
        self.assertEqual(k.returncode, 0, k.stderr)
        print(f"[table] relative tokenFile (+ token) | kubectl exit {k.returncode} | kvalidate exit {p.returncode}")
        # A multi-line token file is refused, not sent as a header.
        self.write("kube/ci-token", self.token + "\nX-Injected: 1\n")
        p = kv("manifests", SERVICE, "--kubeconfig", kc, home=self.home, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("control characters", p.stderr)
        self.assertNotIn(self.token, p.stderr)

    def test_debug_output_masks_the_token(self):
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, f"token: {self.token}"))
        p = kv("manifests", SERVICE, "--kubeconfig", kc, home=self.home, timeout=120,
               env={"KVALIDATE_DEBUG_HTTP": "1"})
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertNotIn(self.token, p.stdout + p.stderr)
        self.assertRegex(p.stderr, r"(?i)authorization: Bearer <masked>")
        self.assertIn("> GET /version", p.stderr, "the debug output still shows the requests")
        k = self.kubectl_run(kc, "get", "namespaces", "-v=9")
        self.assertNotIn(self.token, k.stdout + k.stderr)
        print(f"[table] debug output masks the token | kubectl -v=9: {'<masked>' in k.stderr} | "
              f"KVALIDATE_DEBUG_HTTP=1: {'<masked>' in p.stderr}")

    def test_rejected_credentials_and_a_missing_user(self):
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, "token: wrong-or-expired"))
        out = os.path.join(self.dir, "r.json")
        p = kv("manifests", SERVICE, "--kubeconfig", kc, "-o", f"json={out}", home=self.home, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))  # the credentials given are at fault, not the plane
        self.assertIn("credentials rejected", p.stderr)
        self.assertIn("HTTP 401", p.stderr)
        self.assertNotIn("partial file", p.stderr)
        self.assertTrue(os.path.exists(out), "the report is written even when the run fails")
        k = self.kubectl_run(kc, "get", "namespaces")
        print(f"[table] wrong token (401) | kubectl exit {k.returncode} ({k.stderr.strip()[:60]}) | "
              f"kvalidate exit {p.returncode}")
        with open(kc) as f:
            text = f.read().replace("user: u,", "user: nobody-here,")
        kc2 = self.write("kube/config2", text)
        p = kv("manifests", SERVICE, "--kubeconfig", kc2, home=self.home, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn('names user "nobody-here"', p.stderr)
        k = self.kubectl_run(kc2, "get", "namespaces")
        print(f"[table] context names a missing user | kubectl exit {k.returncode} | kvalidate exit {p.returncode}")

    def test_tls_server_name_and_proxy_url_through_a_connect_proxy(self):
        proxy = ConnectProxy()
        try:
            port = self.server.rsplit(":", 1)[1]
            # kv-external.test resolves nowhere and is not in the plane's certificate: only the proxy reaches it.
            server = f"https://kv-external.test:{port}"
            user = f"token: {self.token}"
            with_name = self.write("kube/with-name", kubeconfig(
                server, self.ca, user, f"    tls-server-name: localhost\n    proxy-url: http://127.0.0.1:{proxy.port}\n"))
            without = self.write("kube/without", kubeconfig(
                server, self.ca, user, f"    proxy-url: http://127.0.0.1:{proxy.port}\n"))
            p = kv("manifests", SERVICE, "--kubeconfig", with_name, home=self.home, timeout=120)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn(f"kv-external.test:{port}", proxy.targets, "requests went through proxy-url")
            k = self.kubectl_run(with_name, "get", "namespaces")
            self.assertEqual(k.returncode, 0, k.stderr)
            print(f"[table] tls-server-name + proxy-url | kubectl exit {k.returncode} | kvalidate exit {p.returncode}")
            p = kv("manifests", SERVICE, "--kubeconfig", without, home=self.home, timeout=60)
            self.assertEqual(p.returncode, 3, explain(p))
            self.assertIn("kv-external.test", p.stderr)
            k = self.kubectl_run(without, "get", "namespaces")
            self.assertNotEqual(k.returncode, 0)
            print(f"[table] host not in certificate, no tls-server-name | kubectl exit {k.returncode} | "
                  f"kvalidate exit {p.returncode}")
            # HTTPS_PROXY from the environment is used for other hosts, NO_PROXY is honoured ...
            env_kc = self.write("kube/env", kubeconfig(server, self.ca, user, "    tls-server-name: localhost\n"))
            proxy.targets.clear()
            env = {"HTTPS_PROXY": f"http://127.0.0.1:{proxy.port}", "https_proxy": f"http://127.0.0.1:{proxy.port}"}
            p = kv("manifests", SERVICE, "--kubeconfig", env_kc, home=self.home, timeout=120, env=env)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn(f"kv-external.test:{port}", proxy.targets)
            p = kv("manifests", SERVICE, "--kubeconfig", env_kc, home=self.home, timeout=60,
                   env={**env, "NO_PROXY": "kv-external.test", "no_proxy": "kv-external.test"})
            self.assertEqual(p.returncode, 3, explain(p))  # direct: the name does not resolve
            # ... and loopback is never proxied (the proxy would answer 502 for a dead port).
            proxy.targets.clear()
            dead = {"HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
            p = kv("manifests", SERVICE, "--kubeconfig", self.admin_kc, home=self.home, timeout=120, env=dead)
            self.assertEqual(p.returncode, 0, explain(p))
            k = self.kubectl_run(self.admin_kc, "get", "namespaces", env=dead)
            print(f"[table] HTTPS_PROXY set, server on 127.0.0.1 | kubectl exit {k.returncode} | "
                  f"kvalidate exit {p.returncode}")
        finally:
            proxy.close()

    def test_impersonating_a_weak_serviceaccount_is_forbidden_as_with_kubectl(self):
        weak = f"system:serviceaccount:{NS}:weak"
        cm = self.write("cm.yaml", CONFIGMAP)
        admin_user = (f"client-certificate-data: {base64.b64encode(self.cert.encode()).decode()}\n"
                      f"client-key-data: {base64.b64encode(self.key.encode()).decode()}")
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, admin_user + f"\nas: {weak}"))
        p = kv("manifests", cm, "--kubeconfig", kc, "-o", "json", home=self.home, timeout=120)
        # RBAC refusing our own requests is not a defect of the object (1) nor a plane unavailable (3): the
        # credentials given lack a verb (2), and the finding names it.
        self.assertEqual(p.returncode, 2, explain(p))
        result = json.loads(p.stdout)["results"][0]
        self.assertEqual(result["status"], "error", result)
        missing = [f for f in result["findings"] if f["rule"] == "server/missing-verb"]
        self.assertTrue(missing, result)
        self.assertIn(weak, missing[0]["message"])
        self.assertIn('"patch"', missing[0]["message"])
        self.assertIn('"get"', missing[0]["message"])
        k = self.kubectl_run(kc, "apply", "--dry-run=server", "-f", cm)
        self.assertNotEqual(k.returncode, 0)
        self.assertIn("Forbidden", k.stderr)
        print(f"[table] kubeconfig as: weak SA | kubectl exit {k.returncode} (Forbidden) | kvalidate exit "
              f"{p.returncode} (server/missing-verb: {missing[0]['message'][:90]}...)")
        # The whole run refused: stderr says so in one line (the findings say it per object), no "lost the
        # control plane", no stack of errors.
        errors = [line for line in p.stderr.splitlines() if line.startswith("kvalidate:")]
        self.assertEqual(len(errors), 1, p.stderr)
        self.assertIn("1 of 1 objects not validated: the cluster's RBAC refuses these credentials (HTTP 403", errors[0])
        self.assertIn(f'user "{weak}" may not "patch"', errors[0])
        self.assertNotIn("lost the control plane", p.stderr)
        print(f"[stderr] {errors[0]}")
        # The same through --as (kubectl's flag), on a kubeconfig without as:.
        plain = self.write("kube/plain", kubeconfig(self.server, self.ca, admin_user))
        p = kv("manifests", cm, "--kubeconfig", plain, "--as", weak, "-o", "json", home=self.home, timeout=120)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn(weak, p.stdout)
        self.assertIn("RBAC refuses these credentials", p.stderr)
        p = kv("manifests", cm, "--kubeconfig", plain, "-o", "json", home=self.home, timeout=120)
        self.assertEqual(p.returncode, 0, explain(p))
        k = self.kubectl_run(plain, "--as", weak, "apply", "--dry-run=server", "-f", cm)
        print(f"[table] --as weak SA | kubectl exit {k.returncode} | kvalidate exit 2 (as above)")
        p = kv("manifests", cm, "--kubeconfig", plain, "--as-group", "system:masters", home=self.home, timeout=60)
        self.assertEqual(p.returncode, 2, explain(p))

    def test_impersonation_the_user_may_not_do_is_one_line_exit_2(self):
        """A user without the impersonate verb asking to act as someone else: every request is a 403, so the run
        stops at discovery with the server's words, exit 2 (kubectl: Forbidden, exit 1)."""
        cm = self.write("cm.yaml", CONFIGMAP)
        token = self.make_token("kubectl-like")
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, f"token: {token}\nas: system:serviceaccount:{NS}:ci"))
        out = os.path.join(self.dir, "r.json")
        p = kv("manifests", cm, "--kubeconfig", kc, "-o", f"json={out}", home=self.home, timeout=120)
        self.assertEqual(p.returncode, 2, explain(p))
        errors = [line for line in p.stderr.splitlines() if line.startswith("kvalidate:")]
        self.assertEqual(len(errors), 1, p.stderr)
        self.assertIn("HTTP 403 Forbidden", errors[0])
        self.assertIn("cannot impersonate", errors[0])
        self.assertIn(f"system:serviceaccount:{NS}:kubectl-like", errors[0])
        self.assertNotIn(token, p.stderr + p.stdout)
        self.assertTrue(os.path.exists(out), "the report asked for is written even when the run fails")
        k = self.kubectl_run(kc, "apply", "--dry-run=server", "-f", cm)
        self.assertEqual(k.returncode, 1, k.stderr)
        # kubectl 1.37 stops at its OpenAPI download ("failed to download openapi: unknown"), older ones
        # print the server's Forbidden: either way exit 1 and, at best, the server's words.
        print(f"[kubectl] {k.stderr.strip()}")
        print(f"[stderr] {errors[0]}")
        print(f"[table] as: an identity the user may not impersonate | kubectl exit {k.returncode} | "
              f"kvalidate exit {p.returncode} (one line, the server's words)")

    def test_apply_needs_only_what_kubectl_apply_needs(self):
        """A ServiceAccount with get+create on configmaps (what `kubectl apply --dry-run=server` needs for a new
        object) but no patch: server-side apply is Forbidden, the dry-run create kubectl would send is not."""
        token = self.make_token("kubectl-like")
        kc = self.write("kube/config", kubeconfig(self.server, self.ca, f"token: {token}"))
        cm = self.write("cm.yaml", CONFIGMAP)
        p = kv("manifests", cm, "--kubeconfig", kc, "-o", "json", home=self.home, timeout=120)
        self.assertEqual(p.returncode, 0, explain(p))
        result = json.loads(p.stdout)["results"][0]
        self.assertEqual(result["status"], "valid")
        notes = [f for f in result["findings"] if f["rule"] == "dry-run/apply-fallback"]
        self.assertTrue(notes and '"patch"' in notes[0]["message"] and "dry-run create" in notes[0]["message"],
                        result)
        k = self.kubectl_run(kc, "apply", "--dry-run=server", "-f", cm)
        self.assertEqual(k.returncode, 0, k.stderr)
        print(f"[table] role with get+create only (new object) | kubectl apply --dry-run=server exit {k.returncode} | "
              f"kvalidate exit {p.returncode}")
        # The fallback judges the object: an invalid one is invalid (exit 1), with the server's cause.
        bad = self.write("bad.yaml", CONFIGMAP.replace("name: ext-cm", "name: ext-cm\n  labels: {app: -bad-}"))
        p = kv("manifests", bad, "--kubeconfig", kc, "-o", "json", home=self.home, timeout=120)
        self.assertEqual(p.returncode, 1, explain(p))
        result = json.loads(p.stdout)["results"][0]
        self.assertEqual(result["status"], "invalid", result)
        self.assertTrue(any(f["rule"].startswith("dry-run/Field") for f in result["findings"]), result)
        # The object exists: kubectl would patch and kvalidate would update; the role has neither.
        existing = CONFIGMAP.replace("ext-cm", "ext-cm-existing")
        a = subprocess.run(
            [self.kubectl, "--kubeconfig", self.admin_kc, "apply", "-f", "-"], input=existing, capture_output=True,
            text=True, timeout=60)
        self.assertEqual(a.returncode, 0, a.stderr)
        cm2 = self.write("cm2.yaml", existing.replace("a: b", "a: changed"))  # changed: kubectl must patch it
        p = kv("manifests", cm2, "--kubeconfig", kc, "-o", "json", home=self.home, timeout=120)
        self.assertEqual(p.returncode, 2, explain(p))
        result = json.loads(p.stdout)["results"][0]
        missing = [f for f in result["findings"] if f["rule"] == "server/missing-verb"]
        self.assertTrue(missing and '"update"' in missing[0]["message"], result)
        k = self.kubectl_run(kc, "apply", "--dry-run=server", "-f", cm2)
        self.assertNotEqual(k.returncode, 0)
        print(f"[table] same role, object exists | kubectl exit {k.returncode} (patch Forbidden) | "
              f"kvalidate exit {p.returncode} (names the missing verb)")

    def test_a_server_that_answers_non_json(self):
        server = NotKubernetes()
        try:
            kc = self.write("kube/config", kubeconfig(f"http://127.0.0.1:{server.port}", self.ca, "token: x"))
            reports = {f: os.path.join(self.dir, f"r.{f}") for f in ("json", "junit", "sarif")}
            p = kv("manifests", SERVICE, "--kubeconfig", kc, *[a for f, path in reports.items()
                                                               for a in ("-o", f"{f}={path}")],
                   home=self.home, timeout=60)
            self.assertEqual(p.returncode, 3, explain(p))
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            self.assertIn(f"http://127.0.0.1:{server.port}/", p.stderr)
            self.assertIn("not a JSON object", p.stderr)
            self.assertNotIn("yaml-cpp", p.stderr)
            for path in reports.values():
                self.assertTrue(os.path.getsize(path) > 0, f"{path} was not written")
            k = self.kubectl_run(kc, "get", "namespaces")
            print(f"[table] server answers non-JSON | kubectl exit {k.returncode} | kvalidate exit {p.returncode}")
        finally:
            server.close()


if __name__ == "__main__":
    kvtest.main()
