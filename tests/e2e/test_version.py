"""End-to-end: `kvalidate version` names the real versions of the binaries it would use."""
import unittest

import kvtest
from kvtest import explain


class VersionTest(unittest.TestCase):
    def test_json_names_real_versions(self):
        p, doc = kvtest.kv_json("version")
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertIsNotNone(doc, p.stdout)
        self.assertRegex(doc["kvalidate"]["version"], r"^\d+\.\d+\.\d+")
        tools = doc["tools"]
        self.assertEqual(set(tools), {"helm", "kube-apiserver", "etcd", "kubectl", "k3s"})
        api = tools["kube-apiserver"]
        self.assertTrue(api["found"], api)
        self.assertEqual(api["version"], "v1.37.2")  # the ldflags took: not v0.0.0-master
        self.assertTrue(api["path"].endswith("/kube-apiserver"), api)
        helm = tools["helm"]
        self.assertTrue(helm["found"], helm)
        # Helm 4 is the default; a cache that holds only Helm 3 (and no helm on PATH) falls back to it.
        major = 4 if kvtest.cached_helm_without_building(4) or not kvtest.cached_helm_without_building(3) else 3
        self.assertRegex(helm["version"], rf"^v{major}\.\d+\.\d+$")
        self.assertEqual(helm["major"], major)
        self.assertEqual(tools["etcd"]["version"], "v3.7.0")
        self.assertEqual(tools["kubectl"]["version"], "v1.37.2")  # the cache copy, not an old one on PATH
        for name, t in tools.items():
            self.assertEqual(t["found"], t["version"] is not None or "error" in t, (name, t))
        # v1.37 serves both admission-policy kinds at v1, on by default: no flags needed.
        policies = doc["admission_policies"]
        self.assertEqual(policies["ValidatingAdmissionPolicy"],
                         {"version": "admissionregistration.k8s.io/v1", "enabled_by_flags": False})
        self.assertEqual(policies["MutatingAdmissionPolicy"],
                         {"version": "admissionregistration.k8s.io/v1", "enabled_by_flags": False})
        self.assertEqual(policies["flags"], [])

    def test_helm_3_is_listed_as_available_and_selectable(self):
        helm3, why = kvtest.cached_helm(3)
        if not helm3:
            self.skipTest(why)
        p, doc = kvtest.kv_json("version")
        self.assertEqual(p.returncode, 0, explain(p))
        available = doc["tools"]["helm"]["available"]
        self.assertIn({"version": "v3.22.0", "major": 3, "path": helm3, "source": "cache"}, available, available)
        for env in ({"KVALIDATE_HELM": "3"}, {"KVALIDATE_HELM": helm3}):
            p, doc = kvtest.kv_json("version", env=env)
            helm = doc["tools"]["helm"]
            self.assertEqual((helm["version"], helm["path"]), ("v3.22.0", helm3), helm)
            self.assertTrue(any(a["major"] == 4 for a in helm["available"]), helm)

    def test_text_lists_each_tool(self):
        p = kvtest.kv("version")
        self.assertEqual(p.returncode, 0, explain(p))
        lines = p.stdout.splitlines()
        self.assertTrue(lines[0].startswith("kvalidate "), p.stdout)
        for name in ("helm", "kube-apiserver", "etcd", "kubectl", "k3s"):
            self.assertTrue(any(l.split()[0] == name for l in lines), (name, p.stdout))
        self.assertIn("policies        ValidatingAdmissionPolicy v1, MutatingAdmissionPolicy v1 (on by default)",
                      lines, p.stdout)


if __name__ == "__main__":
    kvtest.main()
