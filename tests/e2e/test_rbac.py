"""RBAC end to end: `kvalidate can-i` agrees with `kubectl auth can-i --as` on the shared plane, expectations
(--rbac) pass and fail as they should and never leak between runs, risk rules reach the report."""
import concurrent.futures
import os
import shlex
import subprocess
import tempfile
import time
import unittest

import kvtest

NS = "kvrbac-e2e"
SA_READER = f"system:serviceaccount:{NS}:reader"
SA_DEPLOYER = f"system:serviceaccount:{NS}:deployer"
SA_OTHER = f"system:serviceaccount:{NS}:other"

OBJECTS = f"""
apiVersion: v1
kind: Namespace
metadata: {{name: {NS}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: reader, namespace: {NS}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: deployer, namespace: {NS}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: kvrbac-reader, namespace: {NS}}}
rules:
  - {{apiGroups: [""], resources: [pods], verbs: [get, list]}}
  - {{apiGroups: [""], resources: [configmaps], resourceNames: [app-config], verbs: [get]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: kvrbac-reader, namespace: {NS}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: kvrbac-reader}}
subjects: [{{kind: ServiceAccount, name: reader, namespace: {NS}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: kvrbac-deployer, namespace: {NS}}}
rules:
  - {{apiGroups: [apps], resources: [deployments], verbs: [get, create, update]}}
  - {{apiGroups: [""], resources: [pods/exec], verbs: [create]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: kvrbac-deployer, namespace: {NS}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: kvrbac-deployer}}
subjects: [{{kind: ServiceAccount, name: deployer, namespace: {NS}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: kvrbac-services, namespace: {NS}}}
rules: [{{apiGroups: [""], resources: [services], verbs: [list]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: kvrbac-all-sas, namespace: {NS}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: kvrbac-services}}
subjects: [{{kind: Group, name: "system:serviceaccounts:{NS}", apiGroup: rbac.authorization.k8s.io}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: kvrbac-node-viewer}}
rules: [{{apiGroups: [""], resources: [nodes], verbs: [get, list]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: kvrbac-alice-nodes}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kvrbac-node-viewer}}
subjects: [{{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: kvrbac-secret-getter}}
rules: [{{apiGroups: [""], resources: [secrets], verbs: [get]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: kvrbac-auditors, namespace: {NS}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kvrbac-secret-getter}}
subjects: [{{kind: Group, name: auditors, apiGroup: rbac.authorization.k8s.io}}]
"""

# (verb, resource, user, extra flags) asked of both tools; the namespace is NS unless the flags say otherwise.
COMBINATIONS = [
    ("get", "pods", SA_READER, []),
    ("list", "pods", SA_READER, []),
    ("watch", "pods", SA_READER, []),
    ("delete", "pods", SA_READER, []),
    ("get", "pods/web-0", SA_READER, []),
    ("get", "configmaps/app-config", SA_READER, []),
    ("get", "configmaps/other", SA_READER, []),
    ("list", "configmaps", SA_READER, []),
    ("get", "pods", SA_READER, ["-n", "default"]),
    ("list", "pods", SA_READER, ["--all-namespaces"]),
    ("get", "serviceaccounts", SA_READER, []),
    ("create", "deployments.apps", SA_DEPLOYER, []),
    ("update", "deploy", SA_DEPLOYER, []),
    ("delete", "deployments.apps", SA_DEPLOYER, []),
    ("create", "pods", SA_DEPLOYER, ["--subresource", "exec"]),
    ("get", "pods", SA_DEPLOYER, ["--subresource", "log"]),
    ("list", "services", SA_OTHER, []),
    ("list", "services", SA_DEPLOYER, []),
    ("list", "services", "carol", []),
    ("get", "nodes", "alice", []),
    ("list", "nodes", "alice", []),
    ("delete", "nodes", "alice", []),
    ("create", "namespaces", "alice", []),
    ("impersonate", "users", "alice", []),
    ("*", "*", "alice", []),
    ("get", "secrets", "bob", ["--as-group", "auditors"]),
    ("get", "secrets", "bob", []),
    ("list", "secrets", "bob", ["--as-group", "auditors"]),
    ("get", "pods", "system:serviceaccount:elsewhere:reader", []),
    ("impersonate", "serviceaccounts", SA_DEPLOYER, []),
    ("get", "/healthz", "alice", []),
    ("list", "pods", SA_OTHER, []),
]


def answer(p):
    """'yes', 'no' or None (an error) from a can-i run of either tool."""
    words = p.stdout.split()
    if p.returncode in (0, 1) and words and words[0] in ("yes", "no"):
        return words[0]
    return None


class RbacTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kubectl = kvtest.cached_tool("kubectl")
        env = kvtest.kv("env")
        if env.returncode != 0:
            raise RuntimeError("kvalidate env failed: " + kvtest.explain(env))
        words = shlex.split(env.stdout.strip())
        cls.kubeconfig = next(w.split("=", 1)[1] for w in words if w.startswith("KUBECONFIG="))
        if cls.kubectl:
            p = cls.run_kubectl("apply", "-f", "-", input=OBJECTS)
            if p.returncode != 0:
                raise RuntimeError("kubectl apply failed: " + p.stderr)
            # The authorizer's caches follow the store within moments.
            deadline = time.time() + 20
            while time.time() < deadline:
                ok = [cls.run_kubectl("auth", "can-i", "get", "secrets", "--as", "bob", "--as-group", "auditors",
                                      "-n", NS).returncode == 0,
                      cls.run_kubectl("auth", "can-i", "get", "nodes", "--as", "alice").returncode == 0]
                if all(ok):
                    break
                time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        if cls.kubectl:
            cls.run_kubectl("delete", "--ignore-not-found", "-f", "-", input=OBJECTS.split("---", 1)[1])

    @classmethod
    def run_kubectl(cls, *args, input=None):
        return subprocess.run([cls.kubectl, "--kubeconfig", cls.kubeconfig, *args], input=input,
                              capture_output=True, text=True, timeout=120)

    def test_can_i_agrees_with_kubectl(self):
        if not self.kubectl:
            self.skipTest("kubectl is not built yet (tools/go/build.sh puts it in ~/.cache/kvalidate/bin)")
        self.assertGreaterEqual(len(COMBINATIONS), 20)
        answers = {"yes": 0, "no": 0}
        for verb, resource, user, extra in COMBINATIONS:
            flags = ["--as", user, *extra]
            if "-n" not in extra and "--all-namespaces" not in extra:
                flags += ["-n", NS]
            with self.subTest(verb=verb, resource=resource, user=user, extra=extra):
                k = self.run_kubectl("auth", "can-i", verb, resource, *flags)
                v = kvtest.kv("can-i", verb, resource, *flags)
                self.assertIsNotNone(answer(k), f"kubectl: {k.stdout} {k.stderr}")
                self.assertEqual(answer(v), answer(k), kvtest.explain(v))
                self.assertEqual(v.returncode, k.returncode)
                answers[answer(k)] += 1
        # Both answers occur often: the comparison is not one-sided.
        self.assertGreaterEqual(answers["yes"], 8)
        self.assertGreaterEqual(answers["no"], 8)

    def test_can_i_reason_quiet_and_errors(self):
        if not self.kubectl:
            self.skipTest("kubectl is not built yet: the RBAC objects of this test are applied with it")
        p = kvtest.kv("can-i", "list", "pods", "--as", SA_READER, "-n", NS)
        self.assertEqual(p.returncode, 0, kvtest.explain(p))
        self.assertTrue(p.stdout.startswith("yes"))
        self.assertIn("kvrbac-reader", p.stdout)  # the authorizer's reason names the RoleBinding
        q = kvtest.kv("can-i", "delete", "pods", "--as", SA_READER, "-n", NS, "-q")
        self.assertEqual(q.returncode, 1, kvtest.explain(q))
        self.assertEqual(q.stdout, "")
        bad = kvtest.kv("can-i", "get", "podz", "--as", "alice")
        self.assertEqual(bad.returncode, 2, kvtest.explain(bad))
        self.assertIn('unknown resource "podz"', bad.stderr)
        noas = kvtest.kv("can-i", "get", "pods")
        self.assertEqual(noas.returncode, 2, kvtest.explain(noas))
        lst = kvtest.kv("can-i", "--list", "--as", SA_READER, "-n", NS)
        self.assertEqual(lst.returncode, 0, kvtest.explain(lst))
        rows = {line.split()[0]: line.split(None, 1)[1] for line in lst.stdout.splitlines()[1:]}
        self.assertEqual(lst.stdout.split()[:2], ["Resources", "Verbs"])
        self.assertEqual(rows.get("pods"), "[get list]")
        self.assertEqual(rows.get("services"), "[list]")
        self.assertNotIn("secrets", rows)

    def test_can_i_without_plane_is_exit_3(self):
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "kubeconfig")
            with open(cfg, "w") as f:
                f.write("apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
                        "contexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n"
                        "users: [{name: u, user: {token: x}}]\n")
            p = kvtest.kv("can-i", "get", "pods", "--as", "alice", "--kubeconfig", cfg, timeout=60)
            self.assertEqual(p.returncode, 3, kvtest.explain(p))

    def test_expectations_hold_and_fail(self):
        app = kvtest.fixture("rbac", "manifests", "app.yaml")
        ok = kvtest.kv("manifests", app, "--rbac", kvtest.fixture("rbac", "expectations-pass.yaml"))
        self.assertEqual(ok.returncode, 0, kvtest.explain(ok))
        bad = kvtest.kv("manifests", app, "--rbac", kvtest.fixture("rbac", "expectations-fail.yaml"))
        self.assertEqual(bad.returncode, 1, kvtest.explain(bad))
        self.assertIn("system:serviceaccount:demo:app watch pods in demo: expected allow, got deny", bad.stdout)
        # The applied objects are gone again: outside a run the service account may do nothing.
        deadline = time.time() + 10
        while True:
            p = kvtest.kv("can-i", "list", "pods", "--as", "system:serviceaccount:demo:app", "-n", "demo", "-q")
            if p.returncode == 1 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(p.returncode, 1, "the RBAC objects of the run were left on the plane")

    def test_external_cluster_is_only_asked(self):
        # The same plane named with --kubeconfig is an external cluster: nothing is applied, so the service
        # account may not list pods, and each result says what it was checked against.
        app = kvtest.fixture("rbac", "manifests", "app.yaml")
        p = kvtest.kv("manifests", app, "--rbac", kvtest.fixture("rbac", "expectations-pass.yaml"),
                      "--kubeconfig", self.kubeconfig)
        self.assertEqual(p.returncode, 1, kvtest.explain(p))
        self.assertIn("system:serviceaccount:demo:app list pods in demo: expected allow, got deny", p.stdout)
        self.assertIn("the input's RBAC objects were not applied", p.stdout)

    def test_chart_expectations(self):
        chart = kvtest.fixture("rbac", "chart")
        ok = kvtest.kv("chart", chart, "-n", "demo", "--rbac", kvtest.fixture("rbac", "expectations-pass.yaml"))
        self.assertEqual(ok.returncode, 0, kvtest.explain(ok))
        bad = kvtest.kv("chart", chart, "-n", "demo", "--rbac", kvtest.fixture("rbac", "expectations-fail.yaml"))
        self.assertEqual(bad.returncode, 1, kvtest.explain(bad))
        self.assertIn("system:serviceaccount:demo:app watch pods in demo: expected allow, got deny", bad.stdout)

    def test_bad_expectations_are_exit_2_naming_the_line(self):
        app = kvtest.fixture("rbac", "manifests", "app.yaml")
        for name, where in (("expectations-bad-verb.yaml", ":5:"), ("expectations-bad-resource.yaml", ":6:")):
            with self.subTest(name=name):
                p = kvtest.kv("manifests", app, "--rbac", kvtest.fixture("rbac", name))
                self.assertEqual(p.returncode, 2, kvtest.explain(p))
                self.assertIn(name + where, p.stdout + p.stderr)

    def test_concurrent_runs_do_not_see_each_others_rbac(self):
        with tempfile.TemporaryDirectory() as d:
            lonely = os.path.join(d, "lonely.yaml")
            with open(lonely, "w") as f:
                f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lonely, namespace: demo}\ndata: {a: b}\n")
            deny = os.path.join(d, "deny.yaml")
            with open(deny, "w") as f:
                f.write("expectations:\n  - as: system:serviceaccount:demo:app\n    deny: [list pods, get pods]\n")
            app = kvtest.fixture("rbac", "manifests", "app.yaml")
            allow = kvtest.fixture("rbac", "expectations-pass.yaml")
            jobs = [(app, allow), (lonely, deny)] * 3
            with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
                runs = list(pool.map(lambda j: kvtest.kv("manifests", j[0], "--rbac", j[1]), jobs))
            for (inp, exp), p in zip(jobs, runs):
                self.assertEqual(p.returncode, 0, f"{os.path.basename(inp)} with {os.path.basename(exp)}: "
                                 + kvtest.explain(p))

    def test_risk_rules_reach_the_report(self):
        # Warnings by default (exit 0); --risk-rules error makes an error-level rule fail the run.
        p, doc = kvtest.kv_json("manifests", kvtest.fixture("rbac", "risks", "KV-RBAC-011.yaml"))
        self.assertEqual(p.returncode, 0, kvtest.explain(p))
        self.assertIn("KV-RBAC-011", p.stdout)
        e = kvtest.kv("manifests", kvtest.fixture("rbac", "risks", "KV-RBAC-011.yaml"), "--risk-rules", "error")
        self.assertEqual(e.returncode, 1, kvtest.explain(e))
        q = kvtest.kv("manifests", kvtest.fixture("rbac", "risks", "KV-RBAC-011.yaml"), "--disable-rule", "KV-RBAC-011")
        self.assertEqual(q.returncode, 0, kvtest.explain(q))
        lp = kvtest.kv("manifests", kvtest.fixture("rbac", "least-privilege.yaml"))
        self.assertEqual(lp.returncode, 0, kvtest.explain(lp))
        self.assertNotIn("KV-RBAC-", lp.stdout)


if __name__ == "__main__":
    kvtest.main()
