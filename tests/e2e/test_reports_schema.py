"""e2e: reports from real runs are schema-valid (JUnit XSD, SARIF 2.1.0 schema, JSON v1), a report path
that cannot be written stops the run before any work (exit 2), and a run whose plane is stopped midway
still leaves valid JUnit, JSON and SARIF files."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import kvtest
from kvtest import explain, fixture, kv

XSD = os.path.join(kvtest.SRC, "tests", "schemas", "junit.xsd")
VALIDATE_SARIF = os.path.join(kvtest.SRC, "tests", "schemas", "validate_sarif.py")
RESULT_KEYS = {"suite", "kind_of_result", "source", "apiVersion", "kind", "namespace", "name", "title",
               "status", "duration_ms", "findings"}
SUMMARY_KEYS = {"resources", "valid", "invalid", "skipped", "errors", "warnings", "duration_ms", "aborted",
                "abort_message"}


class Reports(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kv-reports-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def out(self, name):
        return os.path.join(self.dir, name)

    def assert_junit_valid(self, path):
        if not shutil.which("xmllint"):
            self.skipTest("xmllint not installed (tests/schemas/install-validators.sh)")
        p = subprocess.run(["xmllint", "--noout", "--schema", XSD, path], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def assert_sarif_valid(self, path):
        p = subprocess.run([sys.executable, VALIDATE_SARIF, path], capture_output=True, text=True, timeout=600)
        if p.returncode == 77:
            self.skipTest(p.stdout.strip())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def assert_json_v1(self, path):
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        self.assertEqual(report["version"], 1)
        self.assertEqual(report["tool"]["name"], "kvalidate")
        self.assertEqual(set(report["summary"]) & SUMMARY_KEYS, SUMMARY_KEYS)
        for r in report["results"]:
            self.assertEqual(set(r) & RESULT_KEYS, RESULT_KEYS, r)
        return report

    def test_every_format_from_a_real_run(self):
        p = kv("manifests", fixture("manifests", "valid"), fixture("manifests", "invalid"),
               "-o", "text", "-o", f"json={self.out('r.json')}", "-o", f"junit={self.out('r.xml')}",
               "-o", f"sarif={self.out('r.sarif')}", "-o", f"github={self.out('r.github')}")
        self.assertEqual(p.returncode, 1, explain(p))
        self.assertRegex(p.stdout, r"\d+ resources: \d+ valid, [1-9]\d* invalid")
        report = self.assert_json_v1(self.out("r.json"))
        self.assertGreater(report["summary"]["invalid"], 0)
        self.assertGreater(report["summary"]["valid"], 0)
        self.assert_junit_valid(self.out("r.xml"))
        self.assert_sarif_valid(self.out("r.sarif"))
        with open(self.out("r.github"), encoding="utf-8") as f:
            self.assertIn("::error file=", f.read())
        self.assertEqual(sorted(os.listdir(self.dir)), ["r.github", "r.json", "r.sarif", "r.xml"])

    def test_merged_shard_reports_are_schema_valid(self):
        """`kvalidate merge-reports` of the --shard jobs' JSON reports writes valid JUnit, SARIF and JSON v1."""
        inputs = (fixture("manifests", "valid"), fixture("manifests", "invalid"))
        shards = []
        for i in (1, 2, 3):
            shards.append(self.out(f"shard-{i}.json"))
            p = kv("manifests", *inputs, "--shard", f"{i}/3", "-o", f"json={shards[-1]}")
            self.assertIn(p.returncode, (0, 1), explain(p))
            self.assert_json_v1(shards[-1])
        p = kv("merge-reports", *shards, "-o", f"json={self.out('m.json')}", "-o", f"junit={self.out('m.xml')}",
               "-o", f"sarif={self.out('m.sarif')}", "-o", f"github={self.out('m.github')}")
        self.assertEqual(p.returncode, 1, explain(p))
        report = self.assert_json_v1(self.out("m.json"))
        self.assertEqual(report["shard"], {"count": 3, "indexes": [1, 2, 3]})
        self.assertGreater(report["summary"]["invalid"], 0)
        self.assert_junit_valid(self.out("m.xml"))
        self.assert_sarif_valid(self.out("m.sarif"))
        with open(self.out("m.sarif"), encoding="utf-8") as f:
            sarif = json.load(f)
        self.assertEqual(len(sarif["runs"]), 1)
        findings = sum(len(r["findings"]) for r in report["results"])
        self.assertEqual(len(sarif["runs"][0]["results"]), findings)

    def test_unwritable_report_path_stops_before_work(self):
        missing = self.out("no/such/folder/r.xml")
        start = time.monotonic()
        p = kv("manifests", fixture("manifests", "valid"), "-o", f"junit={missing}")
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn(missing, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertLess(time.monotonic() - start, 10)

    def test_plane_stopped_midway_leaves_valid_reports(self):
        with kvtest.private_home() as home:
            up = kv("up", "--wait", "180s", home=home, timeout=300)
            if up.returncode != 0:
                self.skipTest("no private plane could be started: " + up.stderr[-500:])
            objects = os.path.join(self.dir, "many.yaml")
            with open(objects, "w", encoding="utf-8") as f:
                for i in range(3000):
                    f.write(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n"
                            f"  namespace: default\ndata:\n  k: v{i}\n")
            env = dict(os.environ, KVALIDATE_HOME=home, NO_COLOR="1")
            run = subprocess.Popen([kvtest.BIN, "manifests", objects, "--jobs", "2",
                                    "-o", f"json={self.out('r.json')}", "-o", f"junit={self.out('r.xml')}",
                                    "-o", f"sarif={self.out('r.sarif')}"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            time.sleep(1.5)
            down = kv("down", home=home, timeout=120)
            out, err = run.communicate(timeout=600)
            self.assertEqual(down.returncode, 0, explain(down))
            report = self.assert_json_v1(self.out("r.json"))
            self.assert_junit_valid(self.out("r.xml"))
            self.assert_sarif_valid(self.out("r.sarif"))
            s = report["summary"]
            if run.returncode == 0:
                self.skipTest("the run finished before the plane was stopped; nothing was lost")
            self.assertEqual(run.returncode, 3, f"stdout:\n{out[-2000:]}\nstderr:\n{err[-2000:]}")
            # What was judged before the plane went is kept; the loss is in the report.
            self.assertTrue(s["aborted"] or s["errors"] > 0, s)
            self.assertEqual(len(report["results"]), 3000)
            with open(self.out("r.xml"), encoding="utf-8") as f:
                xml = f.read()
            self.assertTrue('name="run aborted"' in xml or "<error" in xml)


if __name__ == "__main__":
    kvtest.main()
