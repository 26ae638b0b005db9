"""End-to-end: the hooks of .pre-commit-hooks.yaml, installed with the real pre-commit framework in a
temporary git repo (repo: this checkout, rev: its HEAD), on the shared warm plane: a good chart commits,
a bad manifest is rejected with the finding printed. Also measures the hook's own time for one file."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unittest

import kvtest
from kvtest import explain

INSTALL = os.path.join(kvtest.SRC, "tests", "e2e", "install-precommit.sh")

BAD_MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: kvpc-bad
spec:
  replicas: "two"
  selector:
    matchLabels: {app: kvpc}
  template:
    metadata:
      labels: {app: kvpc}
    spec:
      containers:
        - name: app
          image: nginx
"""

GOOD_MANIFEST = """apiVersion: v1
kind: ConfigMap
metadata:
  name: kvpc-good
data:
  a: "1"
"""

NOT_KUBERNETES = """name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
"""


def find_precommit():
    """Path of a working pre-commit, installing it (idempotent) when missing; (path, why-not)."""
    exe = shutil.which("pre-commit")
    if exe:
        return exe, ""
    try:
        p = subprocess.run(["bash", INSTALL], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"cannot run {INSTALL}: {e}"
    if p.returncode != 0:
        return None, f"pre-commit could not be installed ({INSTALL}): {p.stderr.strip()[-300:]}"
    return p.stdout.strip().splitlines()[-1], ""


def bin_dir():
    path = kvtest.BIN if os.sep in kvtest.BIN else shutil.which(kvtest.BIN)
    return os.path.dirname(os.path.abspath(path)) if path else None


class PreCommitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.precommit, why = find_precommit()
        if not cls.precommit:
            raise unittest.SkipTest(why)
        head = subprocess.run(["git", "-C", kvtest.SRC, "rev-parse", "HEAD"], capture_output=True, text=True)
        if head.returncode != 0:
            raise unittest.SkipTest(f"{kvtest.SRC} is not a git checkout: pre-commit needs a rev to clone")
        shown = subprocess.run(["git", "-C", kvtest.SRC, "show", "HEAD:.pre-commit-hooks.yaml"], capture_output=True)
        if shown.returncode != 0:
            raise unittest.SkipTest(".pre-commit-hooks.yaml is not committed at HEAD yet")
        cls.tmp = tempfile.mkdtemp(prefix="kv-precommit-")
        cls.repo = os.path.join(cls.tmp, "repo")
        os.makedirs(cls.repo)
        cls.env = dict(os.environ)
        cls.env.update({
            "PATH": bin_dir() + os.pathsep + os.environ.get("PATH", ""),
            "KVALIDATE_HOME": kvtest.SHARED_HOME,
            "NO_COLOR": "1",
            "PRE_COMMIT_HOME": os.path.join(cls.tmp, "pre-commit-cache"),
            "PRE_COMMIT_COLOR": "never",
            "GIT_AUTHOR_NAME": "kv", "GIT_AUTHOR_EMAIL": "kv@example.invalid",
            "GIT_COMMITTER_NAME": "kv", "GIT_COMMITTER_EMAIL": "kv@example.invalid",
        })
        cls.git("init", "-q", "-b", "main")
        with open(os.path.join(cls.repo, ".pre-commit-config.yaml"), "w") as f:
            f.write(f"repos:\n  - repo: {kvtest.SRC}\n    rev: {head.stdout.strip()}\n"
                    "    hooks:\n      - id: kvalidate-charts\n      - id: kvalidate-manifests\n"
                    # Kustomize bases and patches are the kustomize hook's (a patch is not a whole object). This
                    # exclude replaces the hook's own: the chart files it lets through, kvalidate leaves out itself.
                    "        exclude: ^kustomize/\n      - id: kvalidate-kustomize\n")
        p = cls.run_in_repo([cls.precommit, "install"])
        if p.returncode != 0:
            raise unittest.SkipTest(f"pre-commit install failed: {p.stdout} {p.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def run_in_repo(cls, args, timeout=300):
        return subprocess.run(args, cwd=cls.repo, env=cls.env, capture_output=True, text=True, timeout=timeout)

    @classmethod
    def git(cls, *args):
        p = cls.run_in_repo(["git", *args])
        if p.returncode not in (0, 1):
            raise AssertionError(explain(p))
        return p

    def write(self, rel, text):
        path = os.path.join(self.repo, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def commits(self):
        p = self.git("rev-list", "--count", "HEAD")
        return int(p.stdout.strip()) if p.returncode == 0 and p.stdout.strip() else 0

    def test_1_good_chart_and_plain_yaml_commit(self):
        shutil.copytree(kvtest.fixture("charts", "webapp"), os.path.join(self.repo, "charts", "webapp"))
        self.write(".github/workflows/ci.yaml", NOT_KUBERNETES)  # not Kubernetes: ignored by the hook
        self.write("deploy/configmap.yaml", GOOD_MANIFEST)
        self.git("add", "-A")
        p = self.run_in_repo(["git", "commit", "-m", "good chart"])
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertRegex(out, r"kvalidate \(Helm charts\)\.+Passed")
        self.assertRegex(out, r"kvalidate \(Kubernetes manifests\)\.+Passed")
        self.assertNotIn("helm lint", out, "quiet on success")
        self.assertEqual(self.commits(), 1)

    def test_2_bad_manifest_is_rejected_with_the_finding(self):
        before = self.commits()
        self.write("deploy/bad.yaml", BAD_MANIFEST)
        self.git("add", "deploy/bad.yaml")
        p = self.run_in_repo(["git", "commit", "-m", "bad manifest"])
        out = p.stdout + p.stderr
        self.assertNotEqual(p.returncode, 0, explain(p))
        self.assertRegex(out, r"kvalidate \(Kubernetes manifests\)\.+Failed")
        self.assertIn("deploy/bad.yaml:6:", out)
        self.assertIn("spec.replicas", out)
        self.assertIn("hook id: kvalidate-manifests", out)
        self.assertIn("exit code: 1", out)
        self.assertEqual(self.commits(), before, "the commit was not made")
        self.git("reset", "-q", "deploy/bad.yaml")
        os.remove(os.path.join(self.repo, "deploy", "bad.yaml"))

    def commit_rejected(self, rel, old, new, hook):
        """Replaces `old` by `new` in `rel` (restored after the test), commits it and asserts that the hook
        named `hook` failed and no commit was made. Returns (the hook output, the file's good text)."""
        before = self.commits()
        path = os.path.join(self.repo, rel)
        with open(path) as f:
            good = f.read()
        self.addCleanup(self.restore, path, good)
        self.assertIn(old, good)
        self.write(rel, good.replace(old, new))
        self.git("add", rel)
        p = self.run_in_repo(["git", "commit", "-m", f"bad {rel}"])
        out = p.stdout + p.stderr
        self.assertNotEqual(p.returncode, 0, explain(p))
        self.assertRegex(out, r"kvalidate \(" + hook + r"\)\.+Failed")
        self.assertEqual(self.commits(), before, "the commit was not made")
        return out, good

    def test_3_bad_chart_edit_is_rejected(self):
        out, _ = self.commit_rejected("charts/webapp/values.yaml", "replicaCount: 1\n", "replicaCount: many\n",
                                      "Helm charts")
        self.assertIn("charts/webapp/templates/deployment.yaml:9:", out)
        self.assertIn("spec.replicas", out)

    def restore(self, path, text):
        with open(path, "w") as f:
            f.write(text)
        self.git("add", path)

    def test_4_hook_time_for_one_file_on_a_warm_plane(self):
        self.write("deploy/one.yaml", GOOD_MANIFEST)

        def timed(args, n=5):
            times = []
            for _ in range(n):
                t0 = time.monotonic()
                p = self.run_in_repo(args)
                times.append(time.monotonic() - t0)
                self.assertEqual(p.returncode, 0, explain(p))
                self.assertEqual(p.stdout, "", "hook mode prints nothing on success")
            return statistics.median(times)

        manifests = timed(["kvalidate", "manifests", "--hook", "deploy/one.yaml"])
        chart = timed(["kvalidate", "chart", "--hook", "charts/webapp/values.yaml"])
        sys.stderr.write(f"\nhook time, one changed file, warm plane (median of 5): manifests {manifests * 1000:.0f} ms, "
                         f"chart {chart * 1000:.0f} ms\n")
        # Goal 0.5 s; the bound leaves room for a loaded shared machine.
        self.assertLess(manifests, 2.0)
        self.assertLess(chart, 3.0)

    def test_5_kustomize_hook_blocks_a_bad_overlay_change(self):
        shutil.copytree(kvtest.fixture("kustomize", "webapp"), os.path.join(self.repo, "kustomize", "webapp"))
        self.git("add", "kustomize")
        p = self.run_in_repo(["git", "commit", "-m", "kustomize app"])
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertRegex(out, r"kvalidate \(kustomize\)\.+Passed")
        out, good = self.commit_rejected("kustomize/webapp/overlays/prod/replicas.yaml", "replicas: 3\n",
                                         "replicas: -3\n", "kustomize")
        self.assertIn("hook id: kvalidate-kustomize", out)
        line = good.splitlines().index("  replicas: 3") + 1
        self.assertIn(f"kustomize/webapp/overlays/prod/replicas.yaml:{line}:", out)
        self.assertIn("spec.replicas", out)


if __name__ == "__main__":
    kvtest.main()
