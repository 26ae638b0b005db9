"""End-to-end: `.kvalidate.yaml` is found upward from the working directory, flags override it, an
unknown key is a one-line error naming the key, file and line (exit 2), inline RBAC expectations and
per-chart values work."""
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest

import kvtest
from kvtest import explain

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: kvcfg-cm
data:
  a: "1"
"""


class ConfigTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kv-config-e2e-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, rel, text):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        return path

    def test_found_upward_and_flags_override(self):
        self.write(".kvalidate.yaml", """\
            # project defaults
            namespace: kvcfg-upward
            outputs: [json]
            """)
        self.write("deploy/sub/cm.yaml", CONFIGMAP)
        cwd = os.path.join(self.dir, "deploy", "sub")
        p = kvtest.kv("manifests", "cm.yaml", cwd=cwd)
        self.assertEqual(p.returncode, 0, explain(p))
        doc = json.loads(p.stdout)  # outputs: [json] from the config
        self.assertEqual(doc["results"][0]["namespace"], "kvcfg-upward")

        p = kvtest.kv("manifests", "cm.yaml", "-n", "kvcfg-flag", "-o", "json", cwd=cwd)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(json.loads(p.stdout)["results"][0]["namespace"], "kvcfg-flag")

        p = kvtest.kv("manifests", "cm.yaml", "-o", "text", cwd=cwd)  # -o replaces the config's outputs
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertIn("1 resource: 1 valid", p.stdout)

        p = kvtest.kv("manifests", "cm.yaml", "--no-config", "-o", "json", cwd=cwd)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(json.loads(p.stdout)["results"][0]["namespace"], "default")

    def test_explicit_config_and_relative_report_paths(self):
        cfg = self.write("conf/kv.yaml", "outputs: [text, junit=reports/kv.xml]\n")
        os.makedirs(os.path.join(self.dir, "conf", "reports"))
        cm = self.write("cm.yaml", CONFIGMAP)
        p = kvtest.kv("manifests", cm, "--config", cfg, cwd=tempfile.gettempdir())
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertTrue(os.path.isfile(os.path.join(self.dir, "conf", "reports", "kv.xml")), "report path is "
                        "relative to the config file's folder")

        p = kvtest.kv("manifests", cm, "--config", os.path.join(self.dir, "missing.yaml"))
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("missing.yaml: cannot read the config file", p.stderr)

    def test_unknown_key_names_key_file_and_line(self):
        cfg = self.write(".kvalidate.yaml", """\
            namespace: a
            charts:
              web:
                release: web
                valuez: [x.yaml]
            """)
        self.write("cm.yaml", CONFIGMAP)
        p = kvtest.kv("manifests", "cm.yaml", cwd=self.dir)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn(f"{cfg}:5: unknown key \"valuez\"", p.stderr)
        self.assertNotIn("Traceback", p.stderr)

        self.write(".kvalidate.yaml", "jobs: lots\n")
        p = kvtest.kv("chart", kvtest.fixture("charts", "webapp"), cwd=self.dir)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn(":1: \"jobs\" must be a number", p.stderr)

    def test_inline_expectations(self):
        app = kvtest.fixture("rbac", "manifests", "app.yaml")
        self.write(".kvalidate.yaml", """\
            expectations:
              - as: system:serviceaccount:demo:app
                namespace: demo
                allow: ["list pods"]
                deny: ["delete pods"]
            """)
        p = kvtest.kv("manifests", app, "-o", "json", cwd=self.dir)
        self.assertEqual(p.returncode, 0, explain(p))
        rbac = [r for r in json.loads(p.stdout)["results"] if r["kind_of_result"] != "object"]
        self.assertEqual(len(rbac), 2, p.stdout)
        self.assertTrue(all(r["status"] == "valid" for r in rbac), rbac)

        cfg = self.write(".kvalidate.yaml", """\
            expectations:
              - as: system:serviceaccount:demo:app
                namespace: demo
                allow: ["delete pods"]
            """)
        p = kvtest.kv("manifests", app, cwd=self.dir)
        self.assertEqual(p.returncode, 1, explain(p))
        self.assertIn("delete pods", p.stdout)

        self.write(".kvalidate.yaml", """\
            expectations:
              - as: alice
                allow: ["frobnicate widgets"]
            """)
        p = kvtest.kv("manifests", app, cwd=self.dir)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn(f"{cfg}:3", p.stderr)

    def test_chart_values_from_config(self):
        chart = os.path.join(self.dir, "charts", "db")
        shutil.copytree(kvtest.fixture("charts", "required-value"), chart)
        p = kvtest.kv("chart", "charts/db", cwd=self.dir)
        self.assertEqual(p.returncode, 1, explain(p))
        self.assertIn("database.host is required", p.stdout)

        self.write(".kvalidate.yaml", """\
            charts:
              charts/db:
                release: kvcfg-db
                set: {database.host: db.example}
            """)
        p = kvtest.kv("chart", "charts/db", "-o", "json", cwd=self.dir)
        self.assertEqual(p.returncode, 0, explain(p))
        names = [r["name"] for r in json.loads(p.stdout)["results"] if r["kind_of_result"] == "object"]
        self.assertEqual(names, ["kvcfg-db-db"])

        p = kvtest.kv("chart", "charts/db", "--release", "flagged", "-o", "json", cwd=self.dir)
        self.assertEqual(p.returncode, 0, explain(p))
        names = [r["name"] for r in json.loads(p.stdout)["results"] if r["kind_of_result"] == "object"]
        self.assertEqual(names, ["flagged-db"])


class CompletionTest(unittest.TestCase):
    """The scripts in completions/ are what `kvalidate completion` prints, and bash completes with them."""

    def test_committed_scripts_match_the_binary(self):
        for shell, name in (("bash", "kvalidate.bash"), ("zsh", "_kvalidate")):
            p = kvtest.kv("completion", shell)
            self.assertEqual(p.returncode, 0, explain(p))
            with open(os.path.join(kvtest.SRC, "completions", name)) as f:
                self.assertEqual(f.read(), p.stdout, f"completions/{name} is stale: kvalidate completion {shell} > it")

    @unittest.skipUnless(shutil.which("bash"), "bash is not installed")
    def test_bash_completes_commands_flags_and_values(self):
        script = kvtest.kv("completion", "bash").stdout
        probe = script + textwrap.dedent("""
            t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _kvalidate; echo "${COMPREPLY[*]}"; }
            t kvalidate ch
            t kvalidate chart --hoo
            t kvalidate manifests --backend ""
            t kvalidate status -o ""
            """)
        p = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), ["chart", "--hook", "auto apiserver k3s", "text json"])


if __name__ == "__main__":
    kvtest.main()
