"""e2e: `kvalidate manifests` against the real plane (fixtures/manifests)."""
import json
import os
import unittest

import kvtest
from kvtest import explain, fixture, kv, kv_json


def findings(result):
    return [f for f in result.get("findings", [])]


class ValidManifests(unittest.TestCase):
    def test_every_valid_fixture_passes(self):
        p, report = kv_json("manifests", fixture("manifests", "valid"))
        self.assertEqual(p.returncode, 0, explain(p))
        kinds = {r["kind"] for r in report["results"]}
        for kind in ["Deployment", "Service", "ConfigMap", "StatefulSet", "Job", "CronJob", "Ingress",
                     "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
                     "CustomResourceDefinition", "Gadget", "Namespace"]:
            self.assertIn(kind, kinds)
        for r in report["results"]:
            self.assertEqual(r["status"], "valid", json.dumps(r, indent=1))
        self.assertEqual(report["summary"]["invalid"], 0)

    def test_stdin(self):
        with open(fixture("manifests", "valid", "service.yaml")) as f:
            p, report = kv_json("manifests", "-", input=f.read())
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(report["results"][0]["source"]["file"], "-")


class InvalidManifests(unittest.TestCase):
    """Each invalid fixture fails with a finding at the right file:line."""

    def check(self, name, line, needle, rule_prefix="dry-run/"):
        path = fixture("manifests", "invalid", name)
        p, report = kv_json("manifests", path)
        self.assertEqual(p.returncode, 1, explain(p))
        bad = [r for r in report["results"] if r["status"] == "invalid"]
        self.assertTrue(bad, explain(p))
        fs = [f for r in bad for f in r["findings"] if f["severity"] == "error"]
        match = [f for f in fs if needle in f["message"] and f["rule"].startswith(rule_prefix)]
        self.assertTrue(match, f"no finding with {needle!r} in {json.dumps(fs, indent=1)}")
        lines = [f["line"] for f in match]
        self.assertIn(line, lines, json.dumps(match, indent=1))
        # The text report names file:line too.
        t = kv("manifests", path)
        self.assertIn(f"{path}:{line}:", t.stdout, explain(t))
        return match

    def test_unknown_field(self):
        self.check("unknown-field.yaml", 17, "imagePullPolice")

    def test_wrong_type(self):
        self.check("wrong-type.yaml", 6, "replicas")

    def test_invalid_label_value(self):
        self.check("invalid-label.yaml", 6, "front end!")

    def test_selector_not_matching_template(self):
        self.check("selector-mismatch.yaml", 11, "does not match template")

    def test_missing_image(self):
        self.check("missing-image.yaml", 7, "image")

    def test_port_out_of_range(self):
        self.check("port-out-of-range.yaml", 9, "70000")

    def test_cr_violating_crd_schema(self):
        m = self.check("cr-schema-violation.yaml", 32, "size")
        p, report = kv_json("manifests", fixture("manifests", "invalid", "cr-schema-violation.yaml"))
        statuses = {r["kind"]: r["status"] for r in report["results"]}
        self.assertEqual(statuses, {"CustomResourceDefinition": "valid", "Doohickey": "invalid"})

    def test_removed_api_is_not_served(self):
        m = self.check("removed-api.yaml", 1, "not served", rule_prefix="dry-run/api-not-served")
        self.assertIn("networking.k8s.io/v1", m[0]["message"])

    def test_deprecated_api_warns(self):
        path = fixture("manifests", "deprecated-api.yaml")
        p, report = kv_json("manifests", path)
        self.assertEqual(p.returncode, 0, explain(p))
        warns = [f for r in report["results"] for f in r["findings"] if f["severity"] == "warning"]
        self.assertTrue(any("deprecated" in f["message"] for f in warns), explain(p))
        p2 = kv("manifests", "--warnings-as-errors", path)
        self.assertEqual(p2.returncode, 1, explain(p2))


class Secrets(unittest.TestCase):
    def test_secret_values_never_printed(self):
        value = "pl4nted-s3cret-value"
        doc = f"""apiVersion: v1
kind: Secret
metadata:
  name: planted
  labels:
    bad: "{value}!"
stringData:
  password: {value}
"""
        for fmt in ["text", "json", "junit", "sarif", "github"]:
            p = kv("manifests", "-", "-o", fmt, input=doc)
            self.assertNotIn(value, p.stdout + p.stderr, fmt)


if __name__ == "__main__":
    kvtest.main()
