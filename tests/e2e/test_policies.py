"""e2e: admission policies judged by the real admission chain (fixtures/policies): a policy folder
(--policies) and policies in the input, ConfigMap params, Warn and Audit bindings, Pod Security levels,
a mutating policy, and what is left on the plane afterwards (nothing)."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import kvtest
from kvtest import explain, fixture, kv, kv_json

DEPLOYMENT = fixture("policies", "deployment-10-replicas.yaml")
REPLICAS_LINE = 8  # `replicas: 10` in deployment-10-replicas.yaml


def errors(report, rule=None):
    return [f for r in report["results"] for f in r.get("findings", [])
            if f["severity"] == "error" and (rule is None or f["rule"] == rule)]


def kubectl(*args):
    """The real kubectl against the shared plane; None when it is not built."""
    k = kvtest.cached_tool("kubectl")
    if not k:
        return None
    env = dict(os.environ, KUBECONFIG=os.path.join(kvtest.SHARED_HOME, "kubeconfig"))
    return subprocess.run([k, *args], capture_output=True, text=True, env=env, timeout=60)


class PolicyFolder(unittest.TestCase):
    def test_max_replicas_from_a_policy_folder(self):
        p, report = kv_json("manifests", DEPLOYMENT, "--policies", fixture("policies", "max-replicas"))
        self.assertEqual(p.returncode, 1, explain(p))
        fs = errors(report, "admission/max-replicas")
        self.assertEqual(len(fs), 1, explain(p))
        self.assertEqual(fs[0]["line"], REPLICAS_LINE, fs)
        self.assertIn("ValidatingAdmissionPolicy 'max-replicas' (binding 'max-replicas'): replicas must be at most 5",
                      fs[0]["message"])
        # The policy folder is not input: only the Deployment is reported.
        self.assertEqual([r["kind"] for r in report["results"]], ["Deployment"])
        t = kv("manifests", DEPLOYMENT, "--policies", fixture("policies", "max-replicas"))
        self.assertIn(f"{DEPLOYMENT}:{REPLICAS_LINE}:3: error: Deployment/default/web: ValidatingAdmissionPolicy "
                      f"'max-replicas'", t.stdout, explain(t))

    def test_policy_in_the_input(self):
        path = fixture("policies", "deployment-with-policy.yaml")
        p, report = kv_json("manifests", path)
        self.assertEqual(p.returncode, 1, explain(p))
        fs = errors(report, "admission/max-replicas")
        self.assertEqual(len(fs), 1, explain(p))
        self.assertEqual(fs[0]["line"], 33, fs)  # the Deployment's replicas: line
        statuses = {r["kind"]: r["status"] for r in report["results"]}
        self.assertEqual(statuses["ValidatingAdmissionPolicy"], "valid")
        self.assertEqual(statuses["ValidatingAdmissionPolicyBinding"], "valid")

    def test_every_denial_at_once(self):
        # The API server refuses at the first failing validation of the first denying policy; every one
        # is named, each at the field its expression reads, and the policies still refuse (exit 1).
        path = fixture("policies", "several-denials.yaml")
        p, report = kv_json("manifests", path)
        self.assertEqual(p.returncode, 1, explain(p))
        fs = sorted((f["rule"], f["line"], f["message"].split(": ", 1)[1]) for f in errors(report))
        self.assertEqual(fs, [("admission/images", 69, "images must be pinned by digest"),
                              ("admission/limits", 57, "every Deployment needs a team label"),
                              ("admission/limits", 60, "replicas must be at most 5")], explain(p))
        statuses = {(r["kind"], r["name"]): r["status"] for r in report["results"]}
        self.assertEqual(statuses[("ValidatingAdmissionPolicyBinding", "limits")], "valid")
        self.assertEqual(statuses[("ValidatingAdmissionPolicyBinding", "images")], "valid")
        self.assertEqual(statuses[("Deployment", "web")], "invalid")
        # Nothing of the bindings as applied is left: the Deployment alone passes at once afterwards.
        alone = kv("manifests", DEPLOYMENT)
        self.assertEqual(alone.returncode, 0, explain(alone))

    def test_a_policy_refusal_behind_a_validation_error(self):
        # The server validates before admission: with replicas -1 the policies never ran, so kubectl shows
        # the replicas error alone. The refused field set aside, a further pass names the policies' refusals.
        with open(fixture("policies", "several-denials.yaml")) as f:
            text = f.read().replace("replicas: 10", "replicas: -1")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "mixed.yaml")
            with open(path, "w") as f:
                f.write(text)
            p, report = kv_json("manifests", path)
        self.assertEqual(p.returncode, 1, explain(p))
        fs = sorted((f["rule"], f["line"], f.get("pass", 1)) for f in errors(report))
        self.assertEqual(fs, [("admission/images", 69, 2), ("admission/limits", 57, 2),
                              ("dry-run/FieldValueInvalid", 60, 1)], explain(p))

    def test_nothing_is_left_behind(self):
        for args in (["--policies", fixture("policies", "max-replicas")],
                     [fixture("policies", "deployment-with-policy.yaml")]):
            p = kv("manifests", DEPLOYMENT, *args)
            self.assertEqual(p.returncode, 1, explain(p))
            # At once afterwards, the Deployment alone passes: the policies were removed and the server
            # no longer enforces them.
            alone = kv("manifests", DEPLOYMENT)
            self.assertEqual(alone.returncode, 0, explain(alone))
        k = kubectl("get", "validatingadmissionpolicies,validatingadmissionpolicybindings,"
                           "mutatingadmissionpolicies,mutatingadmissionpolicybindings", "-o", "name")
        if k is not None:
            self.assertEqual(k.returncode, 0, k.stderr)
            self.assertEqual(k.stdout.strip(), "", "left on the plane")

    def test_configmap_params(self):
        p, report = kv_json("manifests", DEPLOYMENT, "--policies", fixture("policies", "replica-limits"))
        self.assertEqual(p.returncode, 1, explain(p))
        fs = errors(report, "admission/replica-limit")
        self.assertEqual(len(fs), 1, explain(p))
        # The messageExpression's text, computed from the ConfigMap's maxReplicas.
        self.assertIn("replicas must be at most 3, not 10", fs[0]["message"])
        self.assertEqual(fs[0]["line"], REPLICAS_LINE)

    def test_warn_binding_warns_and_audit_is_silent(self):
        folder = fixture("policies", "team-label-warn")
        p, report = kv_json("manifests", DEPLOYMENT, "--policies", folder)
        self.assertEqual(p.returncode, 0, explain(p))
        fs = [f for r in report["results"] for f in r["findings"]]
        self.assertEqual(len(fs), 1, fs)  # the Warn binding only; the Audit binding says nothing
        self.assertEqual(fs[0]["severity"], "warning")
        self.assertEqual(fs[0]["rule"], "admission/team-label")
        self.assertIn("(binding 'team-label-warn'): every Deployment needs a team label", fs[0]["message"])
        self.assertEqual(fs[0]["line"], 5)  # metadata.labels, which the expression reads
        strict = kv("manifests", DEPLOYMENT, "--policies", folder, "--warnings-as-errors")
        self.assertEqual(strict.returncode, 1, explain(strict))

    def test_mutating_policy_shown_with_verbose(self):
        folder = fixture("policies", "add-team-label")
        p, report = kv_json("manifests", DEPLOYMENT, "--policies", folder, "-v")
        self.assertEqual(p.returncode, 0, explain(p))
        fs = [f for r in report["results"] for f in r["findings"]]
        self.assertEqual(len(fs), 1, fs)
        self.assertEqual(fs[0]["severity"], "info")
        self.assertEqual(fs[0]["rule"], "admission/add-team-label")
        self.assertIn("would set metadata.labels.team=\"platform\"", fs[0]["message"])
        self.assertEqual(fs[0]["line"], 5)  # the labels it adds to
        quiet, report = kv_json("manifests", DEPLOYMENT, "--policies", folder)
        self.assertEqual(quiet.returncode, 0, explain(quiet))
        self.assertEqual([f for r in report["results"] for f in r["findings"]], [])

    def test_config_policies_key(self):
        with tempfile.TemporaryDirectory() as d:
            shutil.copytree(fixture("policies", "max-replicas"), os.path.join(d, "platform"))
            shutil.copy(DEPLOYMENT, os.path.join(d, "web.yaml"))
            with open(os.path.join(d, ".kvalidate.yaml"), "w") as f:
                f.write("policies: [platform]\n")
            p = kv("manifests", "web.yaml", cwd=d)
            self.assertEqual(p.returncode, 1, explain(p))
            self.assertIn(f"web.yaml:{REPLICAS_LINE}:3: error:", p.stdout)
            with open(os.path.join(d, ".kvalidate.yaml"), "w") as f:
                f.write("policies: [../elsewhere]\n")
            bad = kv("manifests", "web.yaml", cwd=d)
            self.assertEqual(bad.returncode, 2, explain(bad))
            self.assertIn("is outside the folder of this config", bad.stderr)

    def test_bad_policy_folder_is_bad_input(self):
        p = kv("manifests", DEPLOYMENT, "--policies", fixture("policies", "no-such-folder"))
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("--policies", p.stderr)


class ExistingCluster(unittest.TestCase):
    """With a kubeconfig, the plane is an existing cluster: its installed policies judge as they are."""

    POLICY = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: kvpol-e2e-installed}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
  validations: [{expression: "object.spec.replicas <= 5", message: "at most 5 replicas here"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: kvpol-e2e-installed}
spec:
  policyName: kvpol-e2e-installed
  validationActions: [Deny]
  # Only this test's objects: the plane is shared with the other tests.
  matchResources: {objectSelector: {matchLabels: {kvpol-e2e: installed}}}
"""

    def test_installed_policy_judges_and_names_the_field(self):
        if kubectl("version", "--client") is None:
            self.skipTest("kubectl is not built (tools/go/build.sh)")
        with tempfile.TemporaryDirectory() as d:
            policy = os.path.join(d, "policy.yaml")
            with open(policy, "w") as f:
                f.write(self.POLICY)
            deployment = os.path.join(d, "web.yaml")
            with open(DEPLOYMENT) as src, open(deployment, "w") as f:
                f.write(src.read().replace("    app: web\nspec:", "    app: web\n    kvpol-e2e: installed\nspec:"))
            k = kubectl("apply", "-f", policy)
            self.assertEqual(k.returncode, 0, k.stderr)
            try:
                env = {"KVALIDATE_KUBECONFIG": os.path.join(kvtest.SHARED_HOME, "kubeconfig")}
                deadline = time.time() + 30
                while True:  # the server puts a new policy in force within a second or two
                    p, report = kv_json("manifests", deployment, env=env)
                    if p.returncode != 0 or time.time() > deadline:
                        break
                    time.sleep(0.5)
                self.assertEqual(p.returncode, 1, explain(p))
                fs = errors(report, "admission/kvpol-e2e-installed")
                self.assertEqual(len(fs), 1, explain(p))
                self.assertEqual(fs[0]["line"], REPLICAS_LINE + 1, fs)  # one label line added above it
                self.assertIn("at most 5 replicas here", fs[0]["message"])
            finally:
                kubectl("delete", "-f", policy, "--ignore-not-found")


class PodSecurity(unittest.TestCase):
    def test_restricted_refuses_a_privileged_pod_at_the_privileged_line(self):
        path = fixture("policies", "pod-privileged.yaml")
        p, report = kv_json("manifests", path, "--pod-security", "restricted")
        self.assertEqual(p.returncode, 1, explain(p))
        fs = errors(report, "admission/pod-security")
        privileged = [f for f in fs if f["message"].startswith('violates PodSecurity "restricted:latest": privileged')]
        self.assertEqual(len(privileged), 1, fs)
        self.assertEqual(privileged[0]["line"], 11, privileged)  # `privileged: true`
        self.assertGreaterEqual(len(fs), 4, fs)  # and the other restricted checks, each its own finding
        # Without a level, the owned plane's namespaces are privileged: the Pod passes.
        plain = kv("manifests", path)
        self.assertEqual(plain.returncode, 0, explain(plain))

    def test_baseline_admits_a_compliant_pod(self):
        p = kv("manifests", fixture("policies", "pod-baseline.yaml"), "--pod-security", "baseline")
        self.assertEqual(p.returncode, 0, explain(p))
        strict = kv("manifests", fixture("policies", "pod-baseline.yaml"), "--pod-security", "restricted:latest")
        self.assertEqual(strict.returncode, 1, explain(strict))

    def test_workload_template_in_an_enforcing_namespace_is_an_error(self):
        p, report = kv_json("manifests", DEPLOYMENT, "--pod-security", "restricted")
        self.assertEqual(p.returncode, 1, explain(p))
        fs = errors(report, "admission/pod-security")
        self.assertTrue(fs, explain(p))
        self.assertTrue(all("would violate PodSecurity" in f["message"] and "pods would be refused" in f["message"]
                            for f in fs), fs)

    def test_a_namespace_in_the_input_keeps_its_own_level(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ns.yaml")
            with open(path, "w") as f:
                f.write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kvpol-privileged\n  labels:\n"
                        "    pod-security.kubernetes.io/enforce: privileged\n---\n")
                with open(fixture("policies", "pod-privileged.yaml")) as pod:
                    f.write(pod.read().replace("name: debug", "name: debug\n  namespace: kvpol-privileged"))
            p = kv("manifests", path, "--pod-security", "restricted")
            self.assertEqual(p.returncode, 0, explain(p))

    def test_external_cluster_refuses_policy_flags(self):
        env = {"KVALIDATE_KUBECONFIG": os.path.join(kvtest.SHARED_HOME, "kubeconfig")}
        for flags in (["--policies", fixture("policies", "max-replicas")], ["--pod-security", "baseline"]):
            p = kv("manifests", DEPLOYMENT, *flags, env=env)
            self.assertEqual(p.returncode, 2, explain(p))
            self.assertIn("is an existing cluster, where kvalidate applies nothing", p.stderr)
        bad = kv("manifests", DEPLOYMENT, "--pod-security", "strict")
        self.assertEqual(bad.returncode, 2, explain(bad))
        self.assertIn('"strict" is not LEVEL[:VERSION]', bad.stderr)


if __name__ == "__main__":
    kvtest.main()
