"""e2e: `--shard I/N` splits the inputs of `manifests` (by file) and `chart` (each chart whole) so that the
shards together judge exactly what one run judges, each input in one shard; `kvalidate merge-reports` makes
the unsharded run's report again from the shards' JSON reports; bad --shard values and bad reports exit 2."""
import hashlib
import json
import os
import shutil
import tempfile
import unittest

import kvtest
from kvtest import explain, fixture, kv


def shard_of(key, count):
    """The documented assignment: first 8 bytes of SHA-256(key), big-endian, mod count, plus one."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % count + 1


def comparable(result):
    """A result without what differs between two runs of the same input (time, the result cache)."""
    return json.dumps({k: v for k, v in result.items() if k not in ("duration_ms", "cached")}, sort_keys=True)


def results_of(report):
    return sorted(comparable(r) for r in report["results"])


class Shards(unittest.TestCase):
    def setUp(self):
        # A repository of its own (.git), so shard keys are the repo-relative paths the test hashes too.
        self.repo = tempfile.mkdtemp(prefix="kv-shard-")
        os.mkdir(os.path.join(self.repo, ".git"))

    def tearDown(self):
        shutil.rmtree(self.repo, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.repo, *parts)

    def kv(self, *args, **kw):
        return kv(*args, cwd=self.repo, **kw)

    def read(self, name):
        with open(self.path(name), encoding="utf-8") as f:
            return json.load(f)

    def make_manifests(self):
        """deploy/: the valid manifests fixtures, one defect, a values file and a chart (skipped)."""
        deploy = self.path("deploy")
        shutil.copytree(fixture("manifests", "valid"), deploy)
        os.makedirs(self.path("deploy", "broken"))
        shutil.copy(fixture("manifests", "invalid", "port-out-of-range.yaml"), self.path("deploy", "broken"))
        with open(self.path("deploy", "values.yaml"), "w") as f:
            f.write("replicas: 3\n")
        shutil.copytree(fixture("charts", "webapp"), self.path("deploy", "webapp"))
        return "deploy"

    def test_manifests_shards_together_are_the_unsharded_run(self):
        deploy = self.make_manifests()
        whole = self.kv("manifests", deploy, "-o", "json=whole.json")
        self.assertEqual(whole.returncode, 1, explain(whole))
        whole_report = self.read("whole.json")
        self.assertNotIn("shard", whole_report)
        owner, codes = {}, {}
        for i in (1, 2, 3):
            p = self.kv("manifests", deploy, "--shard", f"{i}/3", "-o", f"json=shard-{i}.json")
            self.assertIn(p.returncode, (0, 1), explain(p))
            codes[i] = p.returncode
            report = self.read(f"shard-{i}.json")
            self.assertEqual(report["shard"], {"index": i, "count": 3, "indexes": [i]})
            for r in report["results"]:
                f = r["source"]["file"]
                self.assertEqual(owner.setdefault(f, i), i, f"{f} is in shards {owner[f]} and {i}")
                # Each file is where the documented formula puts it.
                self.assertEqual(shard_of(os.path.normpath(f), 3), i, f)
        broken = os.path.join("deploy", "broken", "port-out-of-range.yaml")
        for i, code in codes.items():
            self.assertEqual(code, 1 if i == owner[broken] else 0, f"shard {i}/3")
        united = sorted(sum((results_of(self.read(f"shard-{i}.json")) for i in (1, 2, 3)), []))
        self.assertEqual(united, results_of(whole_report))
        self.assertGreater(len(set(owner.values())), 1, "all files in one shard: the split was not exercised")

        m = self.kv("merge-reports", "shard-3.json", "shard-1.json", "shard-2.json",
                    "-o", "text", "-o", "json=merged.json")
        self.assertEqual(m.returncode, 1, explain(m))
        self.assertEqual(m.stderr, "")
        self.assertIn("spec.ports[0].port", m.stdout)
        merged = self.read("merged.json")
        self.assertEqual(merged["shard"], {"count": 3, "indexes": [1, 2, 3]})
        self.assertEqual(results_of(merged), results_of(whole_report))
        for key in ("version", "tool", "server_version", "fail_on"):
            self.assertEqual(merged[key], whole_report[key], key)
        drop = ("duration_ms", "cached")
        self.assertEqual({k: v for k, v in merged["summary"].items() if k not in drop},
                         {k: v for k, v in whole_report["summary"].items() if k not in drop})

    def test_charts_stay_whole(self):
        # Two chart folders whose names hash to different shards of 2 (the matrix chart has a values matrix).
        names = [f"c{n}" for n in range(64)]
        first = next(n for n in names if shard_of(f"charts/{n}", 2) == 1)
        second = next(n for n in names if shard_of(f"charts/{n}", 2) == 2)
        shutil.copytree(fixture("charts", "webapp"), self.path("charts", first))
        shutil.copytree(fixture("charts", "matrix"), self.path("charts", second))
        charts = [f"charts/{first}", f"charts/{second}"]
        whole = self.kv("chart", *charts, "-o", "json=whole.json")
        self.assertIn(whole.returncode, (0, 1), explain(whole))
        codes = []
        for i, mine in ((1, first), (2, second)):
            p = self.kv("chart", *charts, "--shard", f"{i}/2", "-o", f"json=shard-{i}.json")
            self.assertIn(p.returncode, (0, 1), explain(p))
            codes.append(p.returncode)
            suites = {r["suite"].split(" ")[0] for r in self.read(f"shard-{i}.json")["results"]}
            self.assertEqual(suites, {f"charts/{mine}"}, f"shard {i}/2 holds {suites}")
        self.assertEqual(max(codes), whole.returncode)
        matrix = {r["suite"] for r in self.read("shard-2.json")["results"]}
        self.assertGreaterEqual(len(matrix), 2, f"the values matrix (ci/a, ci/b) stays in one shard: {matrix}")
        united = sorted(results_of(self.read("shard-1.json")) + results_of(self.read("shard-2.json")))
        self.assertEqual(united, results_of(self.read("whole.json")))

    def test_an_empty_shard_succeeds_with_an_empty_report_and_stdin_is_shard_1s(self):
        shutil.copy(fixture("manifests", "valid", "configmap.yaml"), self.path("only.yaml"))
        mine = shard_of("only.yaml", 4)
        other = mine % 4 + 1
        p = self.kv("manifests", "only.yaml", "--shard", f"{other}/4", "-o", "text", "-o", "json=empty.json",
                    "-o", "junit=empty.xml")
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(p.stderr.strip(), f"kvalidate: shard {other}/4: none of the inputs is in this shard "
                                           "(1 in the others): nothing to validate")
        report = self.read("empty.json")
        self.assertEqual((report["results"], report["summary"]["resources"]), ([], 0))
        self.assertEqual(report["shard"]["index"], other)
        self.assertTrue(os.path.getsize(self.path("empty.xml")) > 0)
        p = self.kv("manifests", "only.yaml", "--shard", f"{mine}/4", "-o", "json=mine.json")
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(self.read("mine.json")["summary"]["resources"], 1)
        # chart and kustomize: a shard holding none of the charts / kustomizations is the same success.
        shutil.copytree(fixture("charts", "webapp"), self.path("web"))
        os.makedirs(self.path("k"))
        for command, unit in (("chart", "web"), ("kustomize", "k")):
            elsewhere = shard_of(unit, 2) % 2 + 1
            p = self.kv(command, unit, "--shard", f"{elsewhere}/2", "-o", "json")
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertEqual(json.loads(p.stdout)["results"], [])
            self.assertIn(f"shard {elsewhere}/2: none of the inputs", p.stderr)
        with open(self.path("only.yaml"), encoding="utf-8") as f:
            text = f.read()
        p1 = self.kv("manifests", "-", "--shard", "1/2", "-o", "json", input=text)
        self.assertEqual((p1.returncode, json.loads(p1.stdout)["summary"]["resources"]), (0, 1), explain(p1))
        p2 = self.kv("manifests", "-", "--shard", "2/2", "-o", "json", input=text)
        self.assertEqual((p2.returncode, json.loads(p2.stdout)["summary"]["resources"]), (0, 0), explain(p2))

    def test_bad_shard_values_exit_2(self):
        shutil.copy(fixture("manifests", "valid", "configmap.yaml"), self.path("only.yaml"))
        os.makedirs(self.path("k"))
        for command in (["manifests", "only.yaml"], ["chart", fixture("charts", "webapp")], ["kustomize", "k"]):
            for bad in ("0/2", "3/2", "x", "1/0", "2"):
                p = self.kv(*command, "--shard", bad)
                self.assertEqual(p.returncode, 2, explain(p))
                self.assertEqual(len(p.stderr.strip().splitlines()), 1, explain(p))
                self.assertIn(f"--shard {bad}", p.stderr)
                self.assertEqual(p.stdout, "")

    def test_merge_reports_refuses_what_does_not_belong_together(self):
        shutil.copy(fixture("manifests", "valid", "configmap.yaml"), self.path("only.yaml"))
        for i in (1, 2):
            p = self.kv("manifests", "only.yaml", "--shard", f"{i}/2", "-o", f"json=s{i}.json")
            self.assertEqual(p.returncode, 0, explain(p))
        p = self.kv("manifests", "only.yaml", "--shard", "1/3", "-o", "json=other.json")
        cases = {
            ("s1.json", "s1.json"): "is in s1.json too",
            ("s1.json", "other.json"): "other.json: shard 1/3, but s1.json is shard 1/2",
            ("s1.json", "only.yaml"): "only.yaml: not a kvalidate JSON report",
            ("s1.json", "nope.json"): "nope.json",
        }
        for files, words in cases.items():
            p = self.kv("merge-reports", *files, "-o", "json=m.json")
            self.assertEqual(p.returncode, 2, explain(p))
            self.assertIn(words, p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, explain(p))
        p = self.kv("merge-reports", "s2.json", "-o", "json=m.json")
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertIn("warning: shard 1/2 is missing", p.stderr)
        self.assertEqual(self.read("m.json")["shard"], {"index": 2, "count": 2, "indexes": [2]})


if __name__ == "__main__":
    kvtest.main()
