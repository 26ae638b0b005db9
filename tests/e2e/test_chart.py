"""e2e: `kvalidate chart` renders with the real helm and judges every object on the real plane."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import kvtest
from kvtest import explain, fixture, kv, kv_json


def chart(name):
    return fixture("charts", name)


def object_results(report):
    return [r for r in report["results"] if r["kind_of_result"] == "object"]


class Charts(unittest.TestCase):
    def test_helm_create_chart_is_clean(self):
        p, report = kv_json("chart", chart("webapp"))
        self.assertEqual(p.returncode, 0, explain(p))
        objs = object_results(report)
        self.assertGreaterEqual(len(objs), 3)
        self.assertEqual({r["status"] for r in objs}, {"valid"}, explain(p))
        kinds = {r["kind"] for r in objs}
        self.assertTrue({"Deployment", "Service", "ServiceAccount"} <= kinds, kinds)
        dep = next(r for r in objs if r["kind"] == "Deployment")
        self.assertEqual(dep["source"]["template"], "templates/deployment.yaml")

    def test_bad_pull_policy_points_at_the_template(self):
        p, report = kv_json("chart", chart("webapp"), "--set", "image.pullPolicy=Sometimes")
        self.assertEqual(p.returncode, 1, explain(p))
        bad = [r for r in object_results(report) if r["status"] == "invalid"]
        self.assertEqual([r["kind"] for r in bad], ["Deployment"], explain(p))
        f = bad[0]["findings"][0]
        self.assertTrue(f["file"].endswith("templates/deployment.yaml") or
                        bad[0]["source"]["file"].endswith("templates/deployment.yaml"), f)
        self.assertIn("Sometimes", f["message"])
        self.assertGreater(f["line"], 0)
        text = kv("chart", chart("webapp"), "--set", "image.pullPolicy=Sometimes")
        self.assertIn("templates/deployment.yaml:", text.stdout, explain(text))

    def test_crd_in_crds_dir_and_cr_in_templates(self):
        p, report = kv_json("chart", chart("with-crd"))
        self.assertEqual(p.returncode, 0, explain(p))
        kinds = {r["kind"]: r["status"] for r in object_results(report)}
        self.assertEqual(kinds.get("CustomResourceDefinition"), "valid", kinds)
        self.assertIn("valid", kinds.values())
        self.assertEqual(set(kinds.values()), {"valid"}, kinds)

    def test_required_value_missing_is_a_render_finding(self):
        p, report = kv_json("chart", chart("required-value"))
        self.assertEqual(p.returncode, 1, explain(p))
        render = [r for r in report["results"] if r["kind_of_result"] == "render"]
        self.assertTrue(render, explain(p))
        msgs = [f["message"] for r in render for f in r["findings"]]
        self.assertTrue(any("database.host is required" in m for m in msgs), msgs)
        self.assertNotIn("Traceback", p.stderr)

    def test_values_matrix_one_suite_passes_one_fails(self):
        p, report = kv_json("chart", chart("matrix"))
        self.assertEqual(p.returncode, 1, explain(p))
        suites = {}
        for r in object_results(report):
            suites.setdefault(r["suite"], set()).add(r["status"])
        a = [s for s in suites if "a-values.yaml" in s]
        b = [s for s in suites if "b-values.yaml" in s]
        self.assertEqual(len(a), 1, suites)
        self.assertEqual(len(b), 1, suites)
        self.assertEqual(suites[a[0]], {"valid"})
        self.assertIn("invalid", suites[b[0]])
        # JUnit: one testsuite per values file.
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "junit.xml")
            kv("chart", chart("matrix"), "-o", f"junit={out}")
            with open(out) as f:
                xml = f.read()
            self.assertIn("a-values.yaml", xml)
            self.assertIn("b-values.yaml", xml)

    def test_kube_version_constraint_sees_the_server_version(self):
        p, report = kv_json("chart", chart("kube-version"))
        self.assertEqual(p.returncode, 0, explain(p))

    def test_missing_dependency_is_a_clear_error(self):
        p = kv("chart", chart("with-dependency"))
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("helm dependency build", p.stderr + p.stdout)

    def test_packaged_chart(self):
        helm = kvtest.cached_tool("helm")
        if not helm:
            self.skipTest("helm is not in kvalidate's cache (run tools/go/build.sh helm)")
        with tempfile.TemporaryDirectory() as d:
            subprocess.run([helm, "package", chart("webapp"), "-d", d], check=True, capture_output=True)
            tgz = [f for f in os.listdir(d) if f.endswith(".tgz")][0]
            p = kv("chart", os.path.join(d, tgz), "-n", "demo", "--release", "r1")
            self.assertEqual(p.returncode, 0, explain(p))


if __name__ == "__main__":
    kvtest.main()
