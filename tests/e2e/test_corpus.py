"""e2e: the verdict corpus (fixtures/corpus). Each single-defect manifest gives exit 1 with exactly its
expected findings (rule, line, and the pass that found it) and nothing else; objects with two defects get
both in one run; the clean corpus (real-world-shaped manifests of many kinds) gives 0 findings.

fixtures/corpus/index.txt states, per file, the expected exit code and each expected finding."""
import json
import os
import unittest

import kvtest
from kvtest import explain, fixture, kv, kv_json

CORPUS = fixture("corpus")


def read_index():
    """{file: {"exit": int, "findings": set((severity, rule, line, pass))}} from index.txt."""
    cases = {}
    with open(os.path.join(CORPUS, "index.txt")) as f:
        for raw in f:
            line = raw.split("#", 1)[0].split()
            if not line:
                continue
            name, code, severity, rule, at = line[:5]
            found_in = int(line[5]) if len(line) > 5 else 1
            case = cases.setdefault(name, {"exit": int(code), "findings": set()})
            if case["exit"] != int(code):
                raise ValueError(f"index.txt: {name} has two exit codes")
            if rule != "-":
                case["findings"].add((severity, rule, int(at), found_in))
    return cases


def actual_findings(report):
    """(severity, rule, line, pass) of every error and warning finding in a JSON report."""
    out = set()
    for r in report["results"]:
        for f in r.get("findings", []):
            if f["severity"] in ("error", "warning"):
                out.add((f["severity"], f["rule"], f.get("line", 0), f.get("pass", 1)))
    return out


class DefectCorpus(unittest.TestCase):
    def test_index_covers_every_defect_file(self):
        files = sorted(os.listdir(os.path.join(CORPUS, "defects")))
        self.assertEqual(sorted(read_index()), files)

    def test_each_defect_is_found_at_its_line(self):
        failures = []
        for name, want in sorted(read_index().items()):
            path = os.path.join(CORPUS, "defects", name)
            p, report = kv_json("manifests", path)
            if report is None:
                failures.append(f"{name}: no JSON report\n{explain(p)}")
                continue
            got = actual_findings(report)
            if p.returncode != want["exit"] or got != want["findings"]:
                failures.append(f"{name}: exit {p.returncode} (want {want['exit']})\n"
                                f"  got  {sorted(got)}\n  want {sorted(want['findings'])}\n"
                                + "\n".join(f"    {f['rule']} {f.get('line')}: {f['message']}"
                                            for r in report["results"] for f in r.get("findings", [])))
        self.assertFalse(failures, "\n".join(failures))

    def test_text_report_names_file_and_line(self):
        path = os.path.join(CORPUS, "defects", "quantity-invalid-unit.yaml")
        p = kv("manifests", path)
        self.assertEqual(p.returncode, 1, explain(p))
        self.assertIn(f"{path}:20:", p.stdout, explain(p))
        self.assertNotIn("valueUnstructured", p.stdout)


class CleanCorpus(unittest.TestCase):
    def test_no_false_positives(self):
        p, report = kv_json("manifests", os.path.join(CORPUS, "clean"))
        self.assertIsNotNone(report, explain(p))
        self.assertEqual(p.returncode, 0, explain(p))
        bad = [(r["kind"], r["name"], r["status"], r.get("findings"))
               for r in report["results"] if r["status"] != "valid"]
        self.assertEqual(bad, [], json.dumps(bad, indent=1))
        findings = [f for r in report["results"] for f in r.get("findings", [])]
        self.assertEqual(findings, [], json.dumps(findings, indent=1))
        kinds = {r["kind"] for r in report["results"]}
        self.assertGreaterEqual(len(kinds), 25, sorted(kinds))


if __name__ == "__main__":
    kvtest.main()
