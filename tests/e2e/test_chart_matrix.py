"""e2e (issue 19): the ci/ values matrix of `kvalidate chart`: text grouped by values file,
--no-values-matrix, -f replacing the matrix unless --values-matrix is given too."""
import os
import shutil
import tempfile
import unittest

import kvtest
from kvtest import explain, fixture, kv, kv_json

MATRIX = fixture("charts", "matrix")


def suites(report):
    return sorted({r["suite"] for r in report["results"] if r["kind_of_result"] == "object"})


class ValuesMatrix(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kv-matrix-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.good = os.path.join(self.dir, "good.yaml")
        with open(self.good, "w") as f:
            f.write("replicas: 3\ntier: backend\n")

    def test_text_groups_lines_by_values_file(self):
        p = kv("chart", MATRIX)
        self.assertEqual(p.returncode, 1, explain(p))
        lines = p.stdout.splitlines()
        a = f"== {MATRIX} (values: ci/a-values.yaml)"
        b = f"== {MATRIX} (values: ci/b-values.yaml)"
        self.assertIn(a, lines, explain(p))
        self.assertIn(b, lines, explain(p))
        # ci/b-values.yaml's findings sit under its header, not under a's.
        after_b = lines[lines.index(b) + 1:]
        self.assertTrue(any("spec.replicas" in l for l in after_b), explain(p))
        between = lines[lines.index(a) + 1:lines.index(b)] if lines.index(a) < lines.index(b) else []
        self.assertFalse(any("spec.replicas" in l for l in between), explain(p))

    def test_no_values_matrix_runs_once_with_the_charts_values(self):
        p, report = kv_json("chart", MATRIX, "--no-values-matrix")
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(suites(report), [MATRIX])

    def test_values_file_replaces_the_matrix(self):
        p, report = kv_json("chart", MATRIX, "-f", os.path.join(MATRIX, "ci", "b-values.yaml"))
        self.assertEqual(p.returncode, 1, explain(p))
        self.assertEqual(suites(report), [MATRIX])
        p, report = kv_json("chart", MATRIX, "-f", self.good)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(suites(report), [MATRIX])

    def test_values_matrix_layers_the_values_file_on_every_ci_file(self):
        p, report = kv_json("chart", MATRIX, "-f", self.good, "--values-matrix")
        self.assertEqual(p.returncode, 0, explain(p))  # good.yaml wins over ci/b-values.yaml
        self.assertEqual(suites(report), [f"{MATRIX} (values: ci/a-values.yaml)", f"{MATRIX} (values: ci/b-values.yaml)"])

    def test_both_matrix_flags_is_a_usage_error(self):
        p = kv("chart", MATRIX, "--values-matrix", "--no-values-matrix")
        self.assertEqual(p.returncode, 2, explain(p))


if __name__ == "__main__":
    kvtest.main()
