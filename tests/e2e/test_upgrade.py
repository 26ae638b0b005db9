"""e2e: `kvalidate chart NEW --upgrade-from OLD`. The old version is applied for real into scratch
namespaces on the suite's plane, the new one dry-run as an update of it: a changed Deployment selector or
StatefulSet volumeClaimTemplates is refused by the server as immutable and reported at the new template's
line (exit 1); a changed image is a clean upgrade (exit 0). OLD as a folder, a .tgz and git:HEAD~1; the
scratch objects are gone afterwards; an existing cluster is refused before anything is applied."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import kvtest
from kvtest import explain, fixture, kv, kv_json

KUBECTL = kvtest.cached_tool("kubectl")
HELM = kvtest.cached_tool("helm")
GIT = shutil.which("git")


def version(tmp, name, **values):
    """A copy of fixtures/charts/upgrade-immutable in tmp/name with `values` replaced in its values.yaml."""
    path = os.path.join(tmp, name)
    shutil.copytree(fixture("charts", "upgrade-immutable"), path)
    set_values(path, **values)
    return path


def set_values(chart, **values):
    vf = os.path.join(chart, "values.yaml")
    with open(vf) as f:
        text = f.read()
    for key, value in values.items():
        text, n = re.subn(rf"^{key}: .*$", f"{key}: {value}", text, flags=re.M)
        assert n == 1, key
    with open(vf, "w") as f:
        f.write(text)


def template_line(chart, template, key):
    """1-based line of the first `key:` in templates/<template>."""
    with open(os.path.join(chart, "templates", template)) as f:
        for i, line in enumerate(f, 1):
            if line.strip().startswith(key + ":"):
                return i
    raise AssertionError(f"{key} not in {template}")


def invalid(report):
    return [r for r in report["results"] if r["kind_of_result"] == "object" and r["status"] == "invalid"]


class Upgrade(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kv-upgrade-")
        self.v1 = version(self.tmp, "v1")

    def tearDown(self):
        # Whatever a test did, no scratch namespace and no run record is left behind.
        if KUBECTL:
            k = subprocess.run([KUBECTL, "--kubeconfig", os.path.join(kvtest.SHARED_HOME, "kubeconfig"), "get",
                                "namespaces", "-l", "kvalidate.io/upgrade-scratch", "-o", "name"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(k.returncode, 0, k.stderr)
            self.assertEqual(k.stdout.strip(), "", "scratch namespaces left behind")
        runs = os.path.join(kvtest.SHARED_HOME, "upgrade-runs")
        self.assertEqual(os.listdir(runs) if os.path.isdir(runs) else [], [], "run records left behind")
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_changed_deployment_selector_is_immutable_at_the_selector_line(self):
        v2 = version(self.tmp, "v2", app="web2")
        p, report = kv_json("chart", v2, "--upgrade-from", self.v1, "--no-lint")
        self.assertEqual(p.returncode, 1, explain(p))
        bad = invalid(report)
        self.assertEqual([r["kind"] for r in bad], ["Deployment"], explain(p))
        f = bad[0]["findings"][0]
        self.assertEqual(f["rule"], "upgrade/immutable-field")
        self.assertEqual(f["path"], "spec.selector")
        self.assertTrue(f["file"].endswith(os.path.join("v2", "templates", "deployment.yaml")), f)
        self.assertEqual(f["line"], template_line(v2, "deployment.yaml", "selector"))
        self.assertIn('{"matchLabels":{"app":"web"}}', f["message"])   # the old value
        self.assertIn('{"matchLabels":{"app":"web2"}}', f["message"])  # the new one
        text = kv("chart", v2, "--upgrade-from", self.v1, "--no-lint")
        self.assertEqual(text.returncode, 1, explain(text))
        line = template_line(v2, "deployment.yaml", "selector")
        self.assertIn(f"templates/deployment.yaml:{line}: error: Deployment/default/upg-web: spec.selector cannot "
                      f"change on upgrade", text.stdout)
        # A fresh install of the same version is clean: only the upgrade meets the refusal.
        p = kv("chart", v2, "--no-lint")
        self.assertEqual(p.returncode, 0, explain(p))

    def test_changed_image_only_is_a_clean_upgrade(self):
        v2 = version(self.tmp, "v2", image="nginx:1.28")
        p, report = kv_json("chart", v2, "--upgrade-from", self.v1, "--no-lint")
        self.assertEqual(p.returncode, 0, explain(p))
        objs = [r for r in report["results"] if r["kind_of_result"] == "object"]
        self.assertEqual({r["kind"]: r["status"] for r in objs}, {"Deployment": "valid", "StatefulSet": "valid"})

    def test_changed_volume_claim_templates_is_refused(self):
        v2 = version(self.tmp, "v2", storage="2Gi")
        p, report = kv_json("chart", v2, "--upgrade-from", self.v1, "--no-lint")
        self.assertEqual(p.returncode, 1, explain(p))
        bad = invalid(report)
        self.assertEqual([r["kind"] for r in bad], ["StatefulSet"], explain(p))
        f = bad[0]["findings"][0]
        self.assertTrue(f["rule"].startswith("upgrade/"), f)
        self.assertTrue(f["path"].startswith("spec.volumeClaimTemplates"), f)
        self.assertEqual(f["line"], template_line(v2, "statefulset.yaml", "volumeClaimTemplates"))
        self.assertIn("1Gi", f["message"])
        self.assertIn("2Gi", f["message"])

    @unittest.skipUnless(HELM, "helm is not in kvalidate's cache (tools/go/build.sh builds it)")
    def test_upgrade_from_a_packaged_chart(self):
        h = subprocess.run([HELM, "package", self.v1, "-d", self.tmp], capture_output=True, text=True, timeout=60)
        self.assertEqual(h.returncode, 0, h.stderr)
        tgz = os.path.join(self.tmp, "upg-0.1.0.tgz")
        v2 = version(self.tmp, "v2", app="web2")
        p = kv("chart", v2, "--upgrade-from", tgz, "--no-lint")
        self.assertEqual(p.returncode, 1, explain(p))
        self.assertIn("spec.selector cannot change on upgrade: " + tgz, p.stdout)

    @unittest.skipUnless(GIT, "git is not installed")
    def test_upgrade_from_git_head_1_leaves_the_work_tree_alone(self):
        repo = os.path.join(self.tmp, "repo")
        os.makedirs(repo)
        chart = os.path.join(repo, "charts", "upg")
        shutil.copytree(self.v1, chart)

        def git(*args):
            g = subprocess.run([GIT, "-C", repo, "-c", "user.email=e2e@example.invalid", "-c", "user.name=e2e", *args],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(g.returncode, 0, g.stderr)
            return g.stdout
        git("init", "-q")
        git("add", "-A")
        git("commit", "-qm", "v1")
        set_values(chart, app="web2")
        git("commit", "-qam", "v2: new selector")
        set_values(chart, image="nginx:1.29")  # an uncommitted change in the work tree
        status_before = git("status", "--porcelain")

        p = kv("chart", chart, "--upgrade-from", "git:HEAD~1", "--no-lint")
        self.assertEqual(p.returncode, 1, explain(p))
        self.assertIn("spec.selector cannot change on upgrade: git:HEAD~1 (", p.stdout)
        # HEAD has the same selector as the work tree: that upgrade is clean.
        p = kv("chart", chart, "--upgrade-from", "git:HEAD", "--no-lint")
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(git("status", "--porcelain"), status_before)
        p = kv("chart", chart, "--upgrade-from", "git:no-such-rev", "--no-lint")
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("no-such-rev does not name a commit", p.stderr)

    def test_an_existing_cluster_is_refused_before_anything_is_applied(self):
        v2 = version(self.tmp, "v2", app="web2")
        p = kv("chart", v2, "--upgrade-from", self.v1, "--no-lint",
               "--kubeconfig", os.path.join(kvtest.SHARED_HOME, "kubeconfig"))
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("runs on kvalidate's own plane only", p.stderr)


if __name__ == "__main__":
    kvtest.main()
