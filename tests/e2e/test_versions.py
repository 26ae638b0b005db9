"""e2e: one run over two Kubernetes versions (--kube-version), each a real kube-apiserver: the default
version (whose plane the suite's fixture started) and KUBERNETES_TEST_VERSION from tools/go/versions.env
(built by scripts/test.sh). Results carry their server_version; an API served by one version only is
valid there and invalid on the other, the message naming both; charts render per version."""
import json
import os
import sys
import unittest
import xml.etree.ElementTree as ET

import kvtest
from kvtest import explain, fixture, kv, kv_json


def pinned(name):
    with open(os.path.join(kvtest.SRC, "tools", "go", "versions.env")) as f:
        for line in f:
            if line.startswith(name + "="):
                return line.split("=", 1)[1].strip().strip('"')
    raise KeyError(name)


DEFAULT = pinned("KUBERNETES_VERSION")         # v1.37.2
OTHER = pinned("KUBERNETES_TEST_VERSION")      # v1.36.3
BOTH = f"{OTHER},{DEFAULT}"
MINOR = {v: v.rsplit(".", 1)[0] for v in (DEFAULT, OTHER)}  # v1.37


def by_version(report, kind):
    return {r["server_version"]: r for r in report["results"] if r["kind"] == kind}


class KubeVersions(unittest.TestCase):
    def test_configmap_and_bad_service_on_two_versions(self):
        p, report = kv_json("manifests", fixture("manifests", "versions", "configmap-and-service.yaml"),
                            "--kube-version", BOTH, timeout=600)
        self.assertEqual(p.returncode, 1, explain(p))
        objects = [r for r in report["results"] if r["kind_of_result"] == "object"]
        self.assertEqual(sorted((r["kind"], r["server_version"], r["status"]) for r in objects), [
            ("ConfigMap", OTHER, "valid"), ("ConfigMap", DEFAULT, "valid"),
            ("Service", OTHER, "invalid"), ("Service", DEFAULT, "invalid")], json.dumps(objects, indent=1))
        for r in objects:
            if r["kind"] == "Service":
                self.assertIn("70000", r["findings"][0]["message"])
        versions = [v["server_version"] for v in report["versions"]]
        self.assertEqual(versions, [OTHER, DEFAULT])
        for v in report["versions"]:
            self.assertEqual((v["summary"]["valid"], v["summary"]["invalid"]), (1, 1), v)
        self.assertEqual((report["summary"]["valid"], report["summary"]["invalid"]), (2, 2))

    def test_api_served_by_one_version_only(self):
        path = fixture("manifests", "versions", "storage-version-migration.yaml")
        p, report = kv_json("manifests", path, "--kube-version", BOTH, timeout=600)
        self.assertEqual(p.returncode, 1, explain(p))
        svm = by_version(report, "StorageVersionMigration")
        self.assertEqual(svm[DEFAULT]["status"], "valid", json.dumps(svm, indent=1))
        self.assertEqual(svm[OTHER]["status"], "invalid", json.dumps(svm, indent=1))
        message = svm[OTHER]["findings"][0]["message"]
        self.assertEqual(message, f"storagemigration.k8s.io/v1 StorageVersionMigration is not served in "
                                  f"{MINOR[OTHER]} (served from {MINOR[DEFAULT]})")
        # Text: findings under the version's heading, one summary line per version, at the end.
        t = kv("manifests", path, "--kube-version", BOTH, timeout=600)
        self.assertEqual(t.returncode, 1, explain(t))
        lines = t.stdout.splitlines()
        self.assertIn(f"Kubernetes {OTHER}:", lines, t.stdout)
        self.assertIn(f"  {path}:4:1: error: StorageVersionMigration/migrate-secrets: {message} "
                      f"[dry-run/unknown-kind]", lines, t.stdout)
        self.assertTrue(lines[-2].startswith(f"Kubernetes {OTHER}: 1 resource: 0 valid, 1 invalid"), t.stdout)
        self.assertTrue(lines[-1].startswith(f"Kubernetes {DEFAULT}: 1 resource: 1 valid, 0 invalid"), t.stdout)

    def test_junit_and_sarif_keep_versions_apart(self):
        path = fixture("manifests", "versions", "configmap-and-service.yaml")
        out = os.path.join(kvtest.BUILD, "e2e-versions")
        os.makedirs(out, exist_ok=True)
        junit, sarif = os.path.join(out, "r.xml"), os.path.join(out, "r.sarif")
        p = kv("manifests", path, "--kube-version", BOTH, "-o", f"junit={junit}", "-o", f"sarif={sarif}",
               timeout=600)
        self.assertEqual(p.returncode, 1, explain(p))
        suites = {s.get("name"): s for s in ET.parse(junit).getroot()}
        for v in (OTHER, DEFAULT):
            s = suites[f"{path} [{v}]"]
            self.assertEqual((s.get("tests"), s.get("failures")), ("2", "1"))
        with open(sarif) as f:
            results = json.load(f)["runs"][0]["results"]
        self.assertEqual(sorted(r["properties"]["server_version"] for r in results), sorted([DEFAULT, OTHER]))

    def test_chart_renders_for_each_version(self):
        p, report = kv_json("chart", fixture("charts", "upgrade"), "--kube-version", BOTH, timeout=600)
        self.assertEqual(p.returncode, 0, explain(p))
        rendered = sorted((r["kind"], r["server_version"]) for r in report["results"]
                          if r["kind_of_result"] == "object")
        # semverCompare on .Capabilities.KubeVersion: the migration is rendered for the newer version only.
        self.assertEqual(rendered, [("ConfigMap", OTHER), ("ConfigMap", DEFAULT),
                                    ("StorageVersionMigration", DEFAULT)], explain(p))
        lint = [r for r in report["results"] if r["kind_of_result"] == "lint"]
        self.assertEqual(sorted(r["server_version"] for r in lint), sorted([DEFAULT, OTHER]))

    def test_status_lists_the_version_plane(self):
        p = kv("up", "--kube-version", BOTH, timeout=600)
        self.assertEqual(p.returncode, 0, explain(p))
        p = kv("status", "-o", "json")
        self.assertEqual(p.returncode, 0, explain(p))
        st = json.loads(p.stdout)
        # The default plane serves the default version; the other version has its own plane.
        self.assertEqual(st["versions"]["kube-apiserver"], DEFAULT)
        self.assertEqual([v["kubeVersion"] for v in st["versionPlanes"]], [OTHER])
        self.assertTrue(st["versionPlanes"][0]["healthy"], st)

    def test_usage_errors(self):
        p = kv("manifests", fixture("manifests", "versions"), "--kube-version", "1.20")
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn('unsupported Kubernetes version "1.20"', p.stderr)
        self.assertIn(DEFAULT, p.stderr)
        p = kv("manifests", fixture("manifests", "versions"), "--kube-version", BOTH, "--kubeconfig",
               os.path.join(kvtest.SHARED_HOME, "kubeconfig"))
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("--kube-version cannot be used with an existing cluster", p.stderr)


if __name__ == "__main__":
    if not kvtest.cached_tool_version(OTHER, "kube-apiserver"):
        print(f"skipped: Kubernetes {OTHER} is not built (scripts/setup.sh --kube-versions {OTHER}, which "
              f"scripts/test.sh runs)")
        sys.exit(77)
    kvtest.main()
