"""e2e: `kvalidate chart` renders with the real helm and judges every object on the real plane. Every test
runs under each major: Helm 4 (the default) and Helm 3 (KVALIDATE_HELM=3), built when missing."""
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


class ChartTests:
    """The chart tests; each subclass runs them with one major of helm (HELM_MAJOR)."""
    HELM_MAJOR = None

    @classmethod
    def setUpClass(cls):
        cls.helm, why = kvtest.cached_helm(cls.HELM_MAJOR)
        if not cls.helm:
            raise unittest.SkipTest(why)

    def kv(self, *args, **kw):
        return kv(*args, env={"KVALIDATE_HELM": str(self.HELM_MAJOR)}, **kw)

    def kv_json(self, *args, **kw):
        return kv_json(*args, env={"KVALIDATE_HELM": str(self.HELM_MAJOR)}, **kw)

    def test_the_chosen_major_is_used(self):
        p, doc = self.kv_json("version")
        self.assertEqual(doc["tools"]["helm"]["path"], self.helm, explain(p))
        self.assertEqual(doc["tools"]["helm"]["major"], self.HELM_MAJOR)

    def test_helm_create_chart_is_clean(self):
        p, report = self.kv_json("chart", chart("webapp"))
        self.assertEqual(p.returncode, 0, explain(p))
        objs = object_results(report)
        self.assertGreaterEqual(len(objs), 3)
        self.assertEqual({r["status"] for r in objs}, {"valid"}, explain(p))
        kinds = {r["kind"] for r in objs}
        self.assertTrue({"Deployment", "Service", "ServiceAccount"} <= kinds, kinds)
        dep = next(r for r in objs if r["kind"] == "Deployment")
        self.assertEqual(dep["source"]["template"], "templates/deployment.yaml")

    def test_bad_pull_policy_points_at_the_template(self):
        p, report = self.kv_json("chart", chart("webapp"), "--set", "image.pullPolicy=Sometimes")
        self.assertEqual(p.returncode, 1, explain(p))
        bad = [r for r in object_results(report) if r["status"] == "invalid"]
        self.assertEqual([r["kind"] for r in bad], ["Deployment"], explain(p))
        f = bad[0]["findings"][0]
        self.assertTrue(f["file"].endswith("templates/deployment.yaml") or
                        bad[0]["source"]["file"].endswith("templates/deployment.yaml"), f)
        self.assertIn("Sometimes", f["message"])
        # The same line under both majors: the template's imagePullPolicy key.
        with open(os.path.join(chart("webapp"), "templates", "deployment.yaml")) as t:
            line = next(n for n, l in enumerate(t, 1) if "imagePullPolicy:" in l)
        self.assertEqual(f["line"], line, f)
        text = self.kv("chart", chart("webapp"), "--set", "image.pullPolicy=Sometimes")
        self.assertIn(f"templates/deployment.yaml:{line}: error: Deployment/default/webapp: "
                      "spec.template.spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\"",
                      text.stdout, explain(text))

    def test_crd_in_crds_dir_and_cr_in_templates(self):
        p, report = self.kv_json("chart", chart("with-crd"))
        self.assertEqual(p.returncode, 0, explain(p))
        kinds = {r["kind"]: r["status"] for r in object_results(report)}
        self.assertEqual(kinds.get("CustomResourceDefinition"), "valid", kinds)
        self.assertIn("valid", kinds.values())
        self.assertEqual(set(kinds.values()), {"valid"}, kinds)

    def test_required_value_missing_is_a_render_finding(self):
        p, report = self.kv_json("chart", chart("required-value"))
        self.assertEqual(p.returncode, 1, explain(p))
        render = [r for r in report["results"] if r["kind_of_result"] == "render"]
        self.assertTrue(render, explain(p))
        msgs = [f["message"] for r in render for f in r["findings"]]
        self.assertTrue(any("database.host is required" in m for m in msgs), msgs)
        self.assertNotIn("Traceback", p.stderr)

    def test_values_matrix_one_suite_passes_one_fails(self):
        p, report = self.kv_json("chart", chart("matrix"))
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
            self.kv("chart", chart("matrix"), "-o", f"junit={out}")
            with open(out) as f:
                xml = f.read()
            self.assertIn("a-values.yaml", xml)
            self.assertIn("b-values.yaml", xml)

    def test_kube_version_constraint_sees_the_server_version(self):
        p, report = self.kv_json("chart", chart("kube-version"))
        self.assertEqual(p.returncode, 0, explain(p))

    def test_missing_dependency_is_a_clear_error(self):
        p = self.kv("chart", chart("with-dependency"))
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("helm dependency build", p.stderr + p.stdout)

    def test_template_parse_error_is_one_finding_at_the_template_line(self):
        with tempfile.TemporaryDirectory() as d:
            broken = os.path.join(d, "webapp")
            shutil.copytree(chart("webapp"), broken)
            with open(os.path.join(broken, "templates", "broken.yaml"), "w") as f:
                f.write("# a comment\n{{ .Values.x | nosuchfunction }}\n")
            p, report = self.kv_json("chart", broken)
            self.assertEqual(p.returncode, 1, explain(p))
            where = {(r["kind_of_result"], f["file"], f["line"]) for r in report["results"] for f in r["findings"]
                     if f["severity"] == "error"}
            target = os.path.join(broken, "templates", "broken.yaml")
            # helm lint renders too and says the same again: one defect, one finding (the render's).
            self.assertEqual(sorted(w for w in where if w[1] == target), [("render", target, 2)], explain(p))
            self.assertFalse(any("nosuchfunction" in f["message"] for r in report["results"] for f in r["findings"]
                                 if r["kind_of_result"] == "lint"), explain(p))

    def test_every_template_that_fails_to_render_is_found_and_the_rest_is_judged(self):
        # helm stops at its first failing template; kvalidate empties it in a copy and asks again, so four
        # failures of four kinds come out of one run, and the templates that render are judged too.
        c = chart("render-failures")
        p, report = self.kv_json("chart", c, "--no-cache")
        self.assertEqual(p.returncode, 1, explain(p))
        t = os.path.join(c, "templates")
        errors = sorted((r["kind_of_result"], f["file"], f["line"], f["rule"]) for r in report["results"]
                        for f in r["findings"] if f["severity"] == "error")
        self.assertEqual(errors, sorted([
            ("render", os.path.join(t, "database.yaml"), 6, "helm-render"),      # a nil value
            ("render", os.path.join(t, "settings.yaml"), 6, "helm-render"),      # `required` in an include
            ("render", os.path.join(t, "widget-crd.yaml"), 18, "helm-render"),
            ("render", os.path.join(t, "labels.yaml"), 7, "helm-render"),        # output that is not YAML
            ("object", os.path.join(t, "deployment.yaml"), 16, "dry-run/FieldValueNotSupported"),
        ]), explain(p))
        status = {r["kind"]: r["status"] for r in object_results(report)}
        self.assertEqual(status, {"Deployment": "invalid", "Service": "valid", "Widget": "skipped"}, explain(p))
        # The Widget's CRD is in a template that failed: not an error of its own.
        widget = [f["message"] for r in object_results(report) if r["kind"] == "Widget" for f in r["findings"]]
        self.assertTrue(any("failed to render" in m for m in widget), widget)
        # The chart itself is untouched, and a second run (from the render cache) says the same.
        self.assertEqual(sorted(os.listdir(t)), ["_helpers.tpl", "database.yaml", "deployment.yaml", "labels.yaml",
                                                 "service.yaml", "settings.yaml", "widget-crd.yaml", "widget.yaml"])
        p2, report2 = self.kv_json("chart", c)
        errors2 = sorted((r["kind_of_result"], f["file"], f["line"], f["rule"]) for r in report2["results"]
                         for f in r["findings"] if f["severity"] == "error")
        self.assertEqual((p2.returncode, errors2), (1, errors), explain(p2))

    def test_output_that_is_not_yaml_is_at_the_template_line_that_wrote_it(self):
        # helm names a line of the template's output (line 6 here); the finding is at the template's line 8.
        p, report = self.kv_json("chart", chart("not-yaml"))
        self.assertEqual(p.returncode, 1, explain(p))
        target = os.path.join(chart("not-yaml"), "templates", "settings.yaml")
        errors = [(r["kind_of_result"], f["file"], f["line"]) for r in report["results"] for f in r["findings"]
                  if f["severity"] == "error"]
        self.assertEqual(errors, [("render", target, 8)], explain(p))  # lint's repeat of it goes

    def test_values_that_are_not_yaml_are_one_finding_at_their_line(self):
        with tempfile.TemporaryDirectory() as d:
            c = os.path.join(d, "webapp")
            shutil.copytree(chart("webapp"), c)
            with open(os.path.join(c, "values.yaml"), "a") as f:
                f.write("broken: [1, 2\n")
            with open(os.path.join(c, "values.yaml")) as f:
                line = f.read().splitlines().index("broken: [1, 2") + 1
            p, report = self.kv_json("chart", c)
            self.assertEqual(p.returncode, 1, explain(p))
            errors = [(r["kind_of_result"], f["file"], f["line"]) for r in report["results"] for f in r["findings"]
                      if f["severity"] == "error"]
            # helm lint says it too: one defect, one finding, at the values line.
            self.assertEqual(errors, [("render", os.path.join(c, "values.yaml"), line)], explain(p))

    def test_a_values_key_written_twice_is_a_defect_at_its_second_line_once(self):
        # helm keeps the last value without a word (helm lint too): the first is silently overruled.
        with tempfile.TemporaryDirectory() as d:
            c = os.path.join(d, "webapp")
            shutil.copytree(chart("webapp"), c)
            with open(os.path.join(c, "values.yaml")) as f:
                text = f.read()
            self.assertIn("\nreplicaCount: 1\n", text)
            with open(os.path.join(c, "values.yaml"), "w") as f:
                f.write(text.replace("\nreplicaCount: 1\n", "\nreplicaCount: 1\nreplicaCount: 2\n"))
            line = text[:text.index("\nreplicaCount: 1\n")].count("\n") + 3
            os.makedirs(os.path.join(c, "ci"))
            with open(os.path.join(c, "ci", "a-values.yaml"), "w") as f:
                f.write("service:\n  port: 80\n  type: ClusterIP\n  port: 8080\n")
            with open(os.path.join(c, "ci", "b-values.yaml"), "w") as f:
                f.write("replicaCount: 3\n")
            p, report = self.kv_json("chart", c)
            self.assertEqual(p.returncode, 1, explain(p))
            errors = sorted((f["rule"], f["file"], f["line"]) for r in report["results"] for f in r["findings"]
                            if f["severity"] == "error")
            self.assertEqual(errors, [("values/duplicate-key", os.path.join(c, "ci/a-values.yaml"), 4),
                                      ("values/duplicate-key", os.path.join(c, "values.yaml"), line)], explain(p))

    def test_a_value_the_schema_refuses_is_one_finding_at_the_values_line(self):
        with tempfile.TemporaryDirectory() as d:
            c = os.path.join(d, "webapp")
            shutil.copytree(chart("webapp"), c)
            with open(os.path.join(c, "values.schema.json"), "w") as f:
                json.dump({"type": "object", "properties": {"replicaCount": {"type": "integer", "minimum": 1}}}, f)
            with open(os.path.join(c, "values.yaml")) as f:
                text = f.read()
            self.assertIn("\nreplicaCount: 1\n", text)
            with open(os.path.join(c, "values.yaml"), "w") as f:
                f.write(text.replace("\nreplicaCount: 1\n", "\nreplicaCount: \"two\"\n"))
            line = text[:text.index("\nreplicaCount: 1\n")].count("\n") + 2
            p, report = self.kv_json("chart", c)
            self.assertEqual(p.returncode, 1, explain(p))
            errors = [(f["rule"], f["file"], f["line"]) for r in report["results"] for f in r["findings"]
                      if f["severity"] == "error"]
            # helm lint says it too, with the same values: one defect, one finding.
            self.assertEqual(errors, [("helm-render/values-schema", os.path.join(c, "values.yaml"), line)], explain(p))
            p, report = self.kv_json("chart", c, "--set", "replicaCount=0")
            msgs = [f["message"] for r in report["results"] for f in r["findings"] if f["severity"] == "error"]
            self.assertEqual(len(msgs), 1, explain(p))
            self.assertIn("minimum", msgs[0])
            self.assertIn("value set by --set replicaCount", msgs[0])

    def test_lookup_renders_offline_by_default_and_against_the_plane_with_the_flag(self):
        p, report = self.kv_json("chart", chart("lookup"), "--no-lint")
        self.assertEqual(p.returncode, 1, explain(p))  # offline: lookup found nothing, the label is invalid
        infos = [f for r in report["results"] if r["title"] == "lookup" for f in r["findings"]]
        self.assertEqual([f["line"] for f in infos], [1, 2], explain(p))
        self.assertTrue(all("rendered without a cluster" in f["message"] for f in infos), infos)
        p, report = self.kv_json("chart", chart("lookup"), "--no-lint", "--lookup")
        self.assertEqual(p.returncode, 0, explain(p))  # kube-system was found: the label is valid
        infos = [f for r in report["results"] if r["title"] == "lookup" for f in r["findings"]]
        self.assertEqual(len(infos), 1, explain(p))
        self.assertEqual(infos[0]["line"], 2)
        self.assertIn("returned an empty map: no Secret default/lookup-db-password on the cluster", infos[0]["message"])

    def test_chart_api_v3_is_a_finding_at_chart_yaml(self):
        p, report = self.kv_json("chart", chart("api-v3"))
        self.assertEqual(p.returncode, 1, explain(p))
        target = os.path.join(chart("api-v3"), "Chart.yaml")
        errors = [(r["kind_of_result"], f["line"]) for r in report["results"] for f in r["findings"]
                  if f["severity"] == "error" and f["file"] == target]
        self.assertIn(("lint", 1), errors, explain(p))  # both majors' lint: apiVersion 'v3' is not valid
        if self.HELM_MAJOR == 4:
            self.assertIn(("render", 1), errors, explain(p))  # Helm 4.3 refuses to render it

    def test_packaged_chart(self):
        helm = kvtest.cached_tool("helm")
        if not helm:
            self.skipTest("helm is not in kvalidate's cache (run tools/go/build.sh helm)")
        with tempfile.TemporaryDirectory() as d:
            subprocess.run([helm, "package", chart("webapp"), "-d", d], check=True, capture_output=True)
            tgz = [f for f in os.listdir(d) if f.endswith(".tgz")][0]
            p = self.kv("chart", os.path.join(d, tgz), "-n", "demo", "--release", "r1")
            self.assertEqual(p.returncode, 0, explain(p))


class Helm4Charts(ChartTests, unittest.TestCase):
    HELM_MAJOR = 4


class Helm3Charts(ChartTests, unittest.TestCase):
    HELM_MAJOR = 3


if __name__ == "__main__":
    kvtest.main()
