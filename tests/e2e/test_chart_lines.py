"""e2e (issue 19): findings of chart objects point at the template line that wrote them, whatever order
helm prints the objects in (it sorts by kind); risk-rule lines are template lines; duplicate keys in
rendered output are findings on the object, which is still judged; redaction leaves field paths alone."""
import os
import shutil
import tempfile
import unittest

import kvtest
from kvtest import explain, fixture, kv, kv_json


def chart(name):
    return fixture("charts", name)


def objects(report):
    return {(r["kind"], r["name"]): r for r in report["results"] if r["kind_of_result"] == "object"}


def findings(report, rule_prefix):
    return [(r["kind"], f) for r in report["results"] for f in r["findings"] if f["rule"].startswith(rule_prefix)]


class TemplateIdentity(unittest.TestCase):
    def test_defect_in_the_object_helm_sorts_last(self):
        # app.yaml writes Deployment, Service, ConfigMap; helm prints ConfigMap, Service, Deployment.
        p, report = kv_json("chart", chart("sorted-kinds"), "--set", "pullPolicy=Sometimes", "--no-lint")
        self.assertEqual(p.returncode, 1, explain(p))
        objs = objects(report)
        self.assertEqual(objs[("Deployment", "sorted-kinds-web")]["source"]["line"], 2)
        self.assertEqual(objs[("Service", "sorted-kinds-web")]["source"]["line"], 23)
        self.assertEqual(objs[("ConfigMap", "sorted-kinds-web")]["source"]["line"], 34)
        bad = [f for k, f in findings(report, "dry-run/") if k == "Deployment"]
        self.assertEqual(len(bad), 1, explain(p))
        self.assertIn("Sometimes", bad[0]["message"])
        self.assertTrue(bad[0]["file"].endswith("templates/app.yaml"), bad[0])
        self.assertEqual(bad[0]["line"], 21, bad[0])
        text = kv("chart", chart("sorted-kinds"), "--set", "pullPolicy=Sometimes", "--no-lint")
        self.assertIn("sorted-kinds/templates/app.yaml:21: error: Deployment/default/sorted-kinds-web", text.stdout,
                      explain(text))

    def test_cluster_role_wildcards_after_other_documents(self):
        # rbac.yaml: ServiceAccount, ClusterRoleBinding, then the ClusterRole whose '*' are on lines 32 and 34.
        p, report = kv_json("chart", chart("sorted-kinds"), "--no-lint")
        objs = objects(report)
        self.assertEqual(objs[("ClusterRole", "sorted-kinds-operator")]["source"]["line"], 19)
        self.assertEqual(objs[("ClusterRoleBinding", "sorted-kinds-operator")]["source"]["line"], 6)
        risks = {f["rule"]: f for k, f in findings(report, "KV-RBAC-") if k == "ClusterRole"}
        self.assertEqual(risks["KV-RBAC-002"]["line"], 32, risks)
        self.assertEqual(risks["KV-RBAC-001"]["line"], 34, risks)
        with open(os.path.join(chart("sorted-kinds"), "templates", "rbac.yaml")) as f:
            lines = f.read().splitlines()
        for rule in ("KV-RBAC-001", "KV-RBAC-002"):
            self.assertIn("'*'", lines[risks[rule]["line"] - 1])


class DuplicateKeys(unittest.TestCase):
    def test_rendered_duplicate_key_is_a_finding_and_the_last_value_is_judged(self):
        p, report = kv_json("chart", chart("duplicate-keys"), "--no-lint")
        self.assertEqual(p.returncode, 1, explain(p))
        dep = objects(report)[("Deployment", "duplicate-keys")]
        self.assertEqual(dep["status"], "invalid")
        rules = {f["rule"]: f for f in dep["findings"]}
        self.assertEqual(rules["input/duplicate-key"]["line"], 20, dep)
        self.assertTrue(rules["input/duplicate-key"]["file"].endswith("templates/deployment.yaml"), dep)
        # The server judged the value kubectl would send: the last one.
        server = rules["dry-run/FieldValueNotSupported"]
        self.assertIn("Sometimes", server["message"])
        self.assertEqual(server["line"], 20)
        self.assertFalse([r for r in report["results"] if r["kind_of_result"] == "render"], explain(p))

    def test_plain_yaml_duplicate_key_is_judged_with_the_last_value(self):
        d = tempfile.mkdtemp(prefix="kv-dup-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "cm.yaml")
        with open(path, "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup-ok\n  labels:\n    a: ok\n"
                    "    a: not a valid label\n")
        p, report = kv_json("manifests", path)
        self.assertEqual(p.returncode, 1, explain(p))
        cm = objects(report)[("ConfigMap", "dup-ok")]
        by_rule = {f["rule"]: f for f in cm["findings"]}
        self.assertEqual(by_rule["input/duplicate-key"]["line"], 7, cm)
        self.assertIn("not a valid label", by_rule["dry-run/FieldValueInvalid"]["message"], cm)

    def test_invalid_map_key_is_refused_at_its_line_and_never_sent(self):
        d = tempfile.mkdtemp(prefix="kv-key-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "cm.yaml")
        with open(path, "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: complex-key\ndata:\n  ? [a, b]\n  : c\n")
        p = kv("manifests", path)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn(f"{path}:6:", p.stdout, explain(p))
        self.assertIn("invalid map key", p.stdout)
        self.assertIn("[input/invalid-key]", p.stdout)


class Redaction(unittest.TestCase):
    def test_a_secret_value_that_is_a_field_name_leaves_paths_alone(self):
        d = tempfile.mkdtemp(prefix="kv-redact-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "in.yaml")
        with open(path, "w") as f:
            f.write("apiVersion: v1\nkind: Secret\nmetadata:\n  name: words\nstringData:\n  w: selector\n---\n"
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: no-selector\nspec:\n  template:\n"
                    "    metadata:\n      labels: {app: x}\n    spec:\n      containers:\n        - name: x\n"
                    "          image: registry.k8s.io/pause:3.10\n")
        p = kv("manifests", path)
        self.assertEqual(p.returncode, 1, explain(p))
        self.assertIn("spec.selector: Required value", p.stdout, explain(p))
        self.assertNotIn("spec.[REDACTED]", p.stdout)


class ChartFolderGivenToManifests(unittest.TestCase):
    def test_manifests_on_a_chart_says_use_chart(self):
        p = kv("manifests", chart("webapp"))
        self.assertEqual(p.returncode, 2, explain(p))
        out = p.stdout + p.stderr
        self.assertIn("this is a chart", out)
        self.assertIn("kvalidate chart", out)
        self.assertLessEqual(len([l for l in out.splitlines() if ": error:" in l]), 1, explain(p))


if __name__ == "__main__":
    kvtest.main()
