"""e2e (issue 19): risk rules as warnings by default (--risk-rules, --fail-on, rule_severity), CRDs from
elsewhere (--crds, `crds:` in the config), unknown kinds skipped on an external cluster, and a chart's
CRDs applied once for its whole values matrix."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import kvtest
from kvtest import explain, fixture, kv, kv_json

SORTED = fixture("charts", "sorted-kinds")
EXTERNAL = fixture("charts", "external-crd")
GADGETS = fixture("crds", "gadgets.yaml")


def objects(report):
    return {(r["suite"], r["kind"], r["name"]): r for r in report["results"] if r["kind_of_result"] == "object"}


def shared_kubeconfig():
    p = kv("env")
    m = re.search(r"export KUBECONFIG=(\S+)", p.stdout)
    assert m, explain(p)
    return m.group(1).strip("'\"")


class RiskRules(unittest.TestCase):
    def test_risk_rules_are_warnings_by_default_and_never_make_an_object_invalid(self):
        p, report = kv_json("chart", SORTED, "--no-lint")
        self.assertEqual(p.returncode, 0, explain(p))
        role = next(r for r in report["results"] if r["kind"] == "ClusterRole")
        self.assertEqual(role["status"], "valid")
        sev = {f["rule"]: f["severity"] for f in role["findings"]}
        self.assertEqual(sev.get("KV-RBAC-001"), "warning", role)
        self.assertEqual(sev.get("KV-RBAC-002"), "warning", role)

    def test_risk_rules_error_and_fail_on_warning_decide_the_exit_code(self):
        p, report = kv_json("chart", SORTED, "--no-lint", "--risk-rules", "error")
        self.assertEqual(p.returncode, 1, explain(p))
        role = next(r for r in report["results"] if r["kind"] == "ClusterRole")
        self.assertEqual(role["status"], "invalid")
        q = kv("chart", SORTED, "--no-lint", "--fail-on", "warning")
        self.assertEqual(q.returncode, 1, explain(q))
        self.assertIn("warning: ClusterRole/sorted-kinds-operator", q.stdout)
        off = kv("chart", SORTED, "--no-lint", "--risk-rules", "off", "--fail-on", "warning")
        self.assertEqual(off.returncode, 0, explain(off))
        self.assertNotIn("KV-RBAC-", off.stdout)

    def test_per_rule_severity_in_the_config(self):
        d = tempfile.mkdtemp(prefix="kv-risk-")
        self.addCleanup(shutil.rmtree, d, True)
        cfg = os.path.join(d, ".kvalidate.yaml")
        with open(cfg, "w") as f:
            f.write("rule_severity:\n  KV-RBAC-001: error\n  KV-RBAC-002: 'off'\n")
        p, report = kv_json("chart", SORTED, "--no-lint", "--config", cfg)
        self.assertEqual(p.returncode, 1, explain(p))
        role = next(r for r in report["results"] if r["kind"] == "ClusterRole")
        self.assertEqual({f["rule"]: f["severity"] for f in role["findings"]}, {"KV-RBAC-001": "error"}, role)
        with open(cfg, "w") as f:
            f.write("rule_severity:\n  KV-RBAC-999: error\n")
        bad = kv("chart", SORTED, "--no-lint", "--config", cfg)
        self.assertEqual(bad.returncode, 2, explain(bad))
        self.assertIn("KV-RBAC-999", bad.stderr)


def delete_gadgets_crd(test):
    """The shared plane keeps CRDs an earlier run applied (--crds applies them for real): remove Gadget's."""
    kubectl = kvtest.cached_tool("kubectl")
    if not kubectl:
        test.skipTest("no kubectl in kvalidate's cache to remove the Gadget CRD an earlier test applied")
    env = dict(os.environ, KUBECONFIG=shared_kubeconfig())
    p = subprocess.run([kubectl, "delete", "crd", "gadgets.tools.example.org", "--ignore-not-found", "--wait=true",
                        "--timeout=60s"], capture_output=True, text=True, env=env, timeout=90)
    test.assertEqual(p.returncode, 0, p.stderr)


class ExternalCrds(unittest.TestCase):
    def test_without_the_crd_the_kind_is_unknown(self):
        delete_gadgets_crd(self)
        p, report = kv_json("chart", EXTERNAL, "--no-lint")
        self.assertEqual(p.returncode, 1, explain(p))
        gadget = next(r for r in report["results"] if r["kind"] == "Gadget")
        self.assertEqual(gadget["findings"][0]["rule"], "dry-run/unknown-kind", gadget)

    def test_crds_flag_makes_the_kind_known_and_judged_by_its_schema(self):
        p, report = kv_json("chart", EXTERNAL, "--no-lint", "--crds", GADGETS)
        self.assertEqual(p.returncode, 0, explain(p))
        kinds = {r["kind"]: r["status"] for r in report["results"] if r["kind_of_result"] == "object"}
        self.assertEqual(kinds, {"ConfigMap": "valid", "Gadget": "valid"}, report)  # the --crds CRD is not reported
        bad, report = kv_json("chart", EXTERNAL, "--no-lint", "--crds", fixture("crds"), "--set", "gadget.replicas=0")
        self.assertEqual(bad.returncode, 1, explain(bad))
        gadget = next(r for r in report["results"] if r["kind"] == "Gadget")
        f = gadget["findings"][0]
        self.assertIn("spec.replicas", f["message"])
        self.assertEqual(f["line"], 13, f)  # templates/gadget.yaml: `replicas:`

    def test_crds_in_the_config_and_a_bad_crds_path(self):
        d = tempfile.mkdtemp(prefix="kv-crds-")
        self.addCleanup(shutil.rmtree, d, True)
        shutil.copy(GADGETS, os.path.join(d, "gadgets.yaml"))
        cfg = os.path.join(d, ".kvalidate.yaml")
        with open(cfg, "w") as f:
            f.write("crds: [gadgets.yaml]\n")
        p = kv("chart", EXTERNAL, "--no-lint", "--config", cfg)
        self.assertEqual(p.returncode, 0, explain(p))
        missing = kv("chart", EXTERNAL, "--no-lint", "--crds", os.path.join(d, "nope.yaml"))
        self.assertEqual(missing.returncode, 2, explain(missing))
        self.assertIn("nope.yaml", missing.stderr)
        none = kv("chart", EXTERNAL, "--no-lint", "--crds", fixture("manifests", "valid", "service.yaml"))
        self.assertEqual(none.returncode, 2, explain(none))
        self.assertIn("no CustomResourceDefinition", none.stderr)

    def test_unknown_kind_on_an_external_cluster_is_skipped_with_the_reason(self):
        d = tempfile.mkdtemp(prefix="kv-ext-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "in.yaml")
        with open(path, "w") as f:
            f.write("apiVersion: nowhere.example.net/v1\nkind: Nothing\nmetadata: {name: n}\n---\n"
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ext-ok}\n")
        p, report = kv_json("manifests", path, "--kubeconfig", shared_kubeconfig())
        self.assertEqual(p.returncode, 0, explain(p))
        nothing = next(r for r in report["results"] if r["kind"] == "Nothing")
        self.assertEqual(nothing["status"], "skipped", nothing)
        self.assertIn("does not serve nowhere.example.net/v1 Nothing", nothing["findings"][0]["message"])
        owned = kv("manifests", path)
        self.assertEqual(owned.returncode, 1, explain(owned))  # on kvalidate's own plane it is an error
        self.assertIn("dry-run/unknown-kind", owned.stdout)


class CrdsPerMatrixRun(unittest.TestCase):
    def test_crds_the_whole_matrix_shares_are_applied_once(self):
        chart = fixture("charts", "crd-matrix")
        # Within one run (without the CRD pool, which keeps them between runs: CrdPool below).
        p, report = kv_json("chart", chart, "--no-lint", env={"KVALIDATE_CRD_POOL": "off"})
        self.assertEqual(p.returncode, 0, explain(p))
        suites = sorted({r["suite"] for r in report["results"] if r["kind_of_result"] == "object"})
        self.assertEqual(len(suites), 3, suites)
        crds = [r for r in report["results"] if r["kind"] == "CustomResourceDefinition"]
        self.assertEqual(len(crds), 6)
        self.assertTrue(all(r["status"] == "valid" for r in crds), crds)
        # Every values file has the same CRDs: they are applied (sent) once, by the first file, and stay on
        # kvalidate's plane for the next files; the others' CRD results are judged without a request.
        first = suites[0]
        sent = {r["suite"] for r in crds if r["duration_ms"] > 0}
        self.assertEqual(sent, {first}, crds)
        for kind in ("Sprocket", "Cog"):
            self.assertEqual({r["status"] for r in report["results"] if r["kind"] == kind}, {"valid"})

    def test_a_values_file_without_the_crd_does_not_see_an_earlier_files(self):
        # Run isolation on kvalidate's own plane: each values file sees the baseline plus its own input. b
        # renders no CRD, so the CRD a applied is removed before b is judged (or, with the CRD pool, hidden),
        # and b's Lever is an unknown kind; c has the CRD again and applies it again (or adopts it).
        chart = fixture("charts", "crd-toggle")
        for pool in ("off", "on"):
            with self.subTest(crd_pool=pool):
                self.check_toggle(chart, pool)

    def check_toggle(self, chart, pool):
        p, report = kv_json("chart", chart, "--no-lint", env={"KVALIDATE_CRD_POOL": pool})
        self.assertEqual(p.returncode, 1, explain(p))
        def values_file(r):
            return r["suite"].rsplit("(values: ", 1)[-1].rstrip(")")
        levers = {values_file(r): r for r in report["results"] if r["kind"] == "Lever"}
        self.assertEqual(sorted(levers), ["ci/a-values.yaml", "ci/b-values.yaml", "ci/c-values.yaml"], levers)
        self.assertEqual(levers["ci/a-values.yaml"]["status"], "valid", levers)
        self.assertEqual(levers["ci/b-values.yaml"]["status"], "invalid", levers)
        self.assertEqual([f["rule"] for f in levers["ci/b-values.yaml"]["findings"]], ["dry-run/unknown-kind"])
        self.assertEqual(levers["ci/c-values.yaml"]["status"], "valid", levers)
        crds = {values_file(r): r for r in report["results"] if r["kind"] == "CustomResourceDefinition"}
        self.assertEqual(sorted(crds), ["ci/a-values.yaml", "ci/c-values.yaml"], crds)
        self.assertEqual({r["status"] for r in crds.values()}, {"valid"}, crds)
        if pool == "off":
            self.assertTrue(all(r["duration_ms"] > 0 for r in crds.values()), crds)  # sent by a and by c


def verdicts(report):
    return sorted((r["kind"], r["name"], r["status"], tuple(sorted((f["rule"], f["line"]) for f in r["findings"])))
                  for r in report["results"] if r["kind_of_result"] == "object")


class CrdPool(unittest.TestCase):
    """CRDs stay on kvalidate's plane between runs (the CRD pool): a run with the same CRD adopts it, a run
    with another version of it or a new CRD of its group evicts it, a run without it never sees it (not its
    kind, not helm's .Capabilities), and every verdict is the one a run without the pool gives."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kv-pool-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def crd(self, maximum, plural="pumps", kind="Pump"):
        return self.write(f"crd-{plural}-{maximum}.yaml", f"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.pool.kvalidate.io
spec:
  group: pool.kvalidate.io
  scope: Namespaced
  names: {{plural: {plural}, singular: {kind.lower()}, kind: {kind}}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                rate: {{type: integer, maximum: {maximum}}}
""")

    def test_adopted_hidden_and_evicted_with_the_verdicts_of_no_pool(self):
        cr = self.write("pump.yaml", "apiVersion: pool.kvalidate.io/v1\nkind: Pump\nmetadata: {name: p}\n"
                        "spec:\n  rate: 5\n")
        crd10, crd1 = self.crd(10), self.crd(1)
        ref_ok, ref_ok_report = kv_json("manifests", crd10, cr, env={"KVALIDATE_CRD_POOL": "off"})
        self.assertEqual(ref_ok.returncode, 0, explain(ref_ok))
        first, first_report = kv_json("manifests", crd10, cr)
        self.assertEqual(first.returncode, 0, explain(first))
        self.assertIn("pumps.pool.kvalidate.io", kvtest.pooled_crds())
        again, again_report = kv_json("manifests", crd10, cr)
        self.assertEqual(again.returncode, 0, explain(again))
        for report in (first_report, again_report):
            self.assertEqual(verdicts(report), verdicts(ref_ok_report))
        [adopted] = [r for r in again_report["results"] if r["kind"] == "CustomResourceDefinition"]
        self.assertEqual(adopted["duration_ms"], 0, adopted)  # adopted from the pool: nothing sent

        # Without the CRD: the pooled kind is not there for this run.
        alone, alone_report = kv_json("manifests", cr)
        self.assertEqual(alone.returncode, 1, explain(alone))
        self.assertEqual([(r["status"], [f["rule"] for f in r["findings"]]) for r in alone_report["results"]],
                         [("invalid", ["dry-run/unknown-kind"])])

        # Nor for helm: .Capabilities.APIVersions does not list the pooled group.
        chart = os.path.join(self.dir, "caps")
        os.makedirs(os.path.join(chart, "templates"))
        self.write("caps/Chart.yaml", "apiVersion: v2\nname: caps\nversion: 0.1.0\n")
        self.write("caps/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "
                   "{{ if .Capabilities.APIVersions.Has \"pool.kvalidate.io/v1\" }}sees-pool{{ else }}baseline{{ end }}\n")
        caps, caps_report = kv_json("chart", chart, "--no-lint")
        self.assertEqual(caps.returncode, 0, explain(caps))
        self.assertEqual([r["name"] for r in caps_report["results"] if r["kind"] == "ConfigMap"], ["baseline"])

        # Another version of the CRD (same name): the pooled one is evicted, the new one judges the Pump.
        ref_bad, ref_bad_report = kv_json("manifests", crd1, cr, env={"KVALIDATE_CRD_POOL": "off"})
        self.assertEqual(ref_bad.returncode, 1, explain(ref_bad))
        bad, bad_report = kv_json("manifests", crd1, cr)
        self.assertEqual(bad.returncode, 1, explain(bad))
        self.assertEqual(verdicts(bad_report), verdicts(ref_bad_report))
        self.assertIn("dry-run/FieldValueInvalid", [f["rule"] for r in bad_report["results"] for f in r["findings"]])

        # A new CRD of the same group evicts the pooled ones the run does not adopt.
        valves = self.crd(10, "valves", "Valve")
        new, _ = kv_json("manifests", valves)
        self.assertEqual(new.returncode, 0, explain(new))
        self.assertNotIn("pumps.pool.kvalidate.io", kvtest.pooled_crds())
        self.assertIn("valves.pool.kvalidate.io", kvtest.pooled_crds())

    def pooled_uid(self, name):
        with open(os.path.join(kvtest.SHARED_HOME, "crd-pool", name + ".json")) as f:
            return json.load(f)["uid"]

    def plane_uid(self, name):
        kubectl = kvtest.cached_tool("kubectl")
        if not kubectl:
            self.skipTest("no kubectl in kvalidate's cache to read the plane's CRDs")
        p = subprocess.run([kubectl, "get", "crd", name, "-o", "jsonpath={.metadata.uid}"], capture_output=True,
                           text=True, env=dict(os.environ, KUBECONFIG=shared_kubeconfig()), timeout=60)
        return p.stdout.strip() if p.returncode == 0 else p.stderr.strip()

    def test_a_matrix_takes_a_pooled_crd_once_and_hands_it_back(self):
        # Every values file of the chart has the same CRD: the first file creates it (or adopts it from the
        # pool), the next ones use it as it is, and at the end of the run it goes (back) into the pool; so
        # does a --crds CRD, held to the end of the run. Verdicts as without the pool.
        chart = os.path.join(self.dir, "gears")
        for d in ("crds", "templates", "ci"):
            os.makedirs(os.path.join(chart, d))
        self.write("gears/Chart.yaml", "apiVersion: v2\nname: gears\nversion: 0.1.0\n")
        self.write("gears/values.yaml", "teeth: 5\n")
        with open(self.crd(10, "gears", "Gear")) as f:
            self.write("gears/crds/gears.yaml", f.read())
        self.write("gears/templates/gear.yaml", "apiVersion: pool.kvalidate.io/v1\nkind: Gear\nmetadata:\n"
                   "  name: g\nspec:\n  rate: {{ .Values.teeth }}\n")
        for name, teeth in (("a", 1), ("b", 50), ("c", 3)):
            self.write(f"gears/ci/{name}-values.yaml", f"teeth: {teeth}\n")
        flows = self.crd(10, "flows", "Flow")
        # A CRD of the group with a spec no earlier run pooled empties the pool of the group's others.
        kv_json("manifests", self.crd(7, "valves", "Valve"))
        self.assertFalse({"gears.pool.kvalidate.io", "flows.pool.kvalidate.io"} & kvtest.pooled_crds())
        ref, ref_report = kv_json("chart", chart, "--no-lint", "--crds", flows, env={"KVALIDATE_CRD_POOL": "off"})
        self.assertEqual(ref.returncode, 1, explain(ref))  # b's Gear is over the maximum
        for run in ("creates", "adopts"):
            with self.subTest(run=run):
                p, report = kv_json("chart", chart, "--no-lint", "--crds", flows)
                self.assertEqual(p.returncode, 1, explain(p))
                self.assertEqual(verdicts(report), verdicts(ref_report))
                self.assertTrue({"gears.pool.kvalidate.io", "flows.pool.kvalidate.io"} <= kvtest.pooled_crds())
                gears = [r for r in report["results"] if r["kind"] == "CustomResourceDefinition"]
                self.assertEqual(len(gears), 3, gears)
                sent = [r for r in gears if r["duration_ms"] > 0]
                self.assertEqual(len(sent), 1 if run == "creates" else 0, gears)
                for name in ("gears.pool.kvalidate.io", "flows.pool.kvalidate.io"):  # on the plane as pooled
                    self.assertEqual(self.plane_uid(name), self.pooled_uid(name), name)
        runs = os.path.join(kvtest.SHARED_HOME, "runs")
        self.assertEqual([n for n in os.listdir(runs) if not n.startswith(".")] if os.path.isdir(runs) else [], [])


if __name__ == "__main__":
    kvtest.main()
