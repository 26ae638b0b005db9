"""e2e: verdicts users can trust (issue 13), one class per numbered point: the right exit code for
admission denials and conversion errors (1), every decode-stage defect of an object in one run (2), runs
that do not depend on earlier or concurrent runs (3), exact lines (4), messages without Go internals (5),
skips that are skips (6), kubeconform parity flags (7)."""
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import kvtest
from kvtest import SHARED_HOME, explain, fixture, kv, kv_json

DEFECTS = fixture("corpus", "defects")


def defect(name):
    return os.path.join(DEFECTS, name)


def errors(report):
    return [f for r in report["results"] for f in r.get("findings", []) if f["severity"] == "error"]


def kubectl(*args, home=SHARED_HOME, check=True):
    tool = kvtest.cached_tool("kubectl") or shutil.which("kubectl")
    if not tool:
        raise unittest.SkipTest("kubectl not found")
    env = dict(os.environ, KUBECONFIG=os.path.join(home, "kubeconfig"))
    p = subprocess.run([tool, *args], capture_output=True, text=True, env=env, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)}: {p.stderr}")
    return p.stdout


def names(kind, home=SHARED_HOME):
    return sorted(kubectl("get", kind, "-o", "jsonpath={.items[*].metadata.name}", home=home).split())


class AdmissionAndConversion(unittest.TestCase):
    """Point 1: defects of the manifest exit 1, at the field's line; only a lost plane exits 3."""

    def test_pod_security_denial_is_a_finding_at_the_field(self):
        p, report = kv_json("manifests", defect("admission-pod-security.yaml"))
        self.assertEqual(p.returncode, 1, explain(p))
        [f] = errors(report)
        self.assertEqual((f["rule"], f["line"]), ("admission/pod-security", 20), f)
        self.assertIn("securityContext.privileged", f["message"])
        pod = [r for r in report["results"] if r["kind"] == "Pod"][0]
        self.assertEqual(pod["status"], "invalid")

    def test_malformed_quantity_is_a_finding_at_the_field(self):
        p, report = kv_json("manifests", defect("quantity-invalid-unit.yaml"))
        self.assertEqual(p.returncode, 1, explain(p))
        [f] = errors(report)
        self.assertEqual((f["rule"], f["line"]), ("dry-run/invalid-quantity", 20), f)
        self.assertIn("12XB", f["message"])

    def test_rbac_refusal_on_an_external_cluster_is_an_error_naming_the_verb(self):
        pki = os.path.join(SHARED_HOME, "pki")
        if not shutil.which("openssl") or not os.path.exists(os.path.join(pki, "ca.key")):
            self.skipTest("needs openssl and the shared plane's CA")
        with tempfile.TemporaryDirectory() as d:
            key, csr, crt = (os.path.join(d, n) for n in ("u.key", "u.csr", "u.crt"))
            subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                            "-subj", "/CN=ci-without-rights"], check=True, capture_output=True)
            subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(pki, "ca.crt"), "-CAkey",
                            os.path.join(pki, "ca.key"), "-CAcreateserial", "-out", crt, "-days", "1"],
                           check=True, capture_output=True)
            with open(os.path.join(SHARED_HOME, "kubeconfig")) as f:
                kc = f.read()
            def b64(path):
                with open(path, "rb") as f:
                    return base64.b64encode(f.read()).decode()
            lines = []
            for line in kc.splitlines():  # the plane's admin (a token, or a certificate) → this certificate
                indent = line[:len(line) - len(line.lstrip())]
                if line.strip().startswith(("token:", "client-certificate-data:")):
                    lines += [f"{indent}client-certificate-data: {b64(crt)}", f"{indent}client-key-data: {b64(key)}"]
                elif not line.strip().startswith("client-key-data:"):
                    lines.append(line)
            limited = os.path.join(d, "limited.kubeconfig")
            with open(limited, "w") as f:
                f.write("\n".join(lines) + "\n")
            doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: rbac-probe}\ndata: {a: b}\n"
            p, report = kv_json("manifests", "-", "--kubeconfig", limited, input=doc)
        self.assertIsNotNone(report, explain(p))
        cm = [r for r in report["results"] if r["kind"] == "ConfigMap"]
        # Discovery is every authenticated user's; the object is not judged: RBAC refuses these credentials
        # the verbs (server/missing-verb names them). The plane answered, so not 3: the credentials are the
        # bad input, exit 2.
        self.assertEqual(len(cm), 1, explain(p))
        self.assertEqual(cm[0]["status"], "error", json.dumps(cm[0]))
        self.assertEqual([f["rule"] for f in cm[0]["findings"]], ["server/missing-verb"], json.dumps(cm[0]))
        self.assertIn('may not "patch"', cm[0]["findings"][0]["message"])
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("ci-without-rights", p.stdout + p.stderr)


class EveryDefectInOneRun(unittest.TestCase):
    """Point 2: after a decode-stage error the object is submitted again without the unreadable fields."""

    def check(self, name, first, second):
        p, report = kv_json("manifests", defect(name))
        self.assertEqual(p.returncode, 1, explain(p))
        got = sorted((f["rule"], f["line"], f.get("pass", 1)) for f in errors(report))
        self.assertEqual(got, sorted([first + (1,), second + (2,)]), json.dumps(errors(report), indent=1))
        t = kv("manifests", defect(name))
        self.assertIn("pass 2", t.stdout, explain(t))

    def test_wrong_type_and_unsupported_value(self):
        self.check("two-wrong-type-and-pull-policy.yaml", ("dry-run/wrong-type", 6),
                   ("dry-run/FieldValueNotSupported", 18))

    def test_unknown_field_and_invalid_label(self):
        self.check("two-unknown-field-and-label.yaml", ("dry-run/unknown-field", 19), ("dry-run/FieldValueInvalid", 6))

    def test_numeric_annotation_and_bad_port(self):
        self.check("two-numeric-annotation-and-port.yaml", ("dry-run/wrong-type", 7),
                   ("dry-run/FieldValueInvalid", 13))


class RunIsolation(unittest.TestCase):
    """Point 3: every run sees the plane's baseline plus its own input only."""

    def test_custom_resource_alone_gets_the_verdict_of_a_fresh_plane(self):
        crds, nss = names("crd"), names("ns")
        p1, r1 = kv_json("manifests", fixture("isolation", "crd-ns-cr.yaml"))
        self.assertEqual(p1.returncode, 0, explain(p1))
        self.assertEqual({r["status"] for r in r1["results"]}, {"valid"})
        # Nothing stays behind but the pools' CRDs and namespaces (hidden from every run without them, p2
        # below): the plane holds its baseline only.
        pool, ns_pool = kvtest.pooled_crds(), kvtest.pooled_namespaces()
        self.assertIn("gizmos.isolation.kvalidate.io", pool)
        self.assertIn("isolation-demo", ns_pool)
        self.assertEqual(sorted(set(names("crd")) - pool), sorted(set(crds) - pool))
        self.assertEqual(sorted(set(names("ns")) - ns_pool), sorted(set(nss) - ns_pool))
        p2, r2 = kv_json("manifests", fixture("isolation", "cr-alone.yaml"))
        with kvtest.private_home() as fresh:
            p3, r3 = kv_json("manifests", fixture("isolation", "cr-alone.yaml"), home=fresh)
        verdict = lambda r: [(x["status"], [f["rule"] for f in x["findings"]]) for x in r["results"]]
        self.assertEqual(verdict(r2), verdict(r3), explain(p2) + explain(p3))
        self.assertEqual(p2.returncode, p3.returncode)
        self.assertEqual(p2.returncode, 1)
        self.assertEqual(verdict(r2), [("invalid", ["dry-run/unknown-kind"])])

    def test_a_dead_runs_objects_are_swept_by_the_next_run(self):
        runs = os.path.join(SHARED_HOME, "runs")
        os.makedirs(runs, exist_ok=True)
        child = subprocess.Popen(["true"])
        child.wait()  # a pid that no longer runs: a run that was killed
        kubectl("create", "namespace", "left-by-a-dead-run")
        kubectl("label", "namespace", "left-by-a-dead-run", "kvalidate.io/run=rdeadbeef0000")
        with open(os.path.join(runs, "rdeadbeef0000.json"), "w") as f:
            json.dump({"id": "rdeadbeef0000", "pid": child.pid, "start_time": 1, "created": [
                {"rank": 20, "key": "namespace/left-by-a-dead-run", "digest": "auto",
                 "path": "/api/v1/namespaces/left-by-a-dead-run", "namespace": True}]}, f)
        p = kv("manifests", fixture("manifests", "valid", "service.yaml"))
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertNotIn("left-by-a-dead-run", names("ns"))
        self.assertFalse(os.path.exists(os.path.join(runs, "rdeadbeef0000.json")))

    def test_a_killed_run_leaves_nothing_for_the_next(self):
        crds = names("crd")
        with tempfile.TemporaryDirectory() as d:
            big = os.path.join(d, "big.yaml")
            with open(fixture("isolation", "crd-ns-cr.yaml")) as f:
                head = f.read()
            with open(big, "w") as f:
                f.write(head)
                for i in range(3000):
                    f.write(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: isolation-demo}}\n"
                            f"data: {{k: v{i}}}\n")
            env = dict(os.environ, KVALIDATE_HOME=SHARED_HOME, NO_COLOR="1")
            proc = subprocess.Popen([kvtest.BIN, "manifests", big, "-j", "1"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 60
            while time.time() < deadline and "gizmos.isolation.kvalidate.io" not in names("crd"):
                time.sleep(0.05)
            created = "gizmos.isolation.kvalidate.io" in names("crd")
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        if not created:
            self.skipTest("the run ended before its CRD could be seen")
        self.assertIn("gizmos.isolation.kvalidate.io", names("crd"))  # left behind by the kill
        p = kv("manifests", fixture("manifests", "valid", "service.yaml"))
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(names("crd"), crds)
        self.assertNotIn("isolation-demo", set(names("ns")) - kvtest.pooled_namespaces())

    def test_concurrent_runs_with_different_versions_of_one_crd(self):
        def crd(maximum):
            with open(fixture("isolation", "crd-ns-cr.yaml")) as f:
                text = f.read().replace("maximum: 10", f"maximum: {maximum}")
            return text.replace("size: 3", "size: 20")

        results = {}

        def run(name, text):
            results[name] = [kv_json("manifests", "-", input=text) for _ in range(2)]

        threads = [threading.Thread(target=run, args=("strict", crd(10))),
                   threading.Thread(target=run, args=("loose", crd(100)))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for p, report in results["strict"]:
            self.assertEqual(p.returncode, 1, explain(p))
            gizmo = [r for r in report["results"] if r["kind"] == "Gizmo"][0]
            self.assertEqual(gizmo["status"], "invalid", json.dumps(gizmo))
        for p, report in results["loose"]:
            self.assertEqual(p.returncode, 0, explain(p))


class ExactLines(unittest.TestCase):
    """Point 4: lines the server names in other terms than the user wrote."""

    def line_of(self, name, rule):
        p, report = kv_json("manifests", defect(name))
        found = [f for r in report["results"] for f in r["findings"] if f["rule"] == rule]
        self.assertTrue(found, explain(p))
        return found[0]["line"]

    def test_stringdata_key_named_under_data(self):
        self.assertEqual(self.line_of("secret-stringdata-key.yaml", "dry-run/FieldValueInvalid"), 8)

    def test_cluster_ip_named_as_cluster_ips(self):
        self.assertEqual(self.line_of("service-cluster-ip.yaml", "dry-run/FieldValueInvalid"), 7)

    def test_list_item_selected_by_several_keys(self):
        self.assertEqual(self.line_of("service-port-name-number.yaml", "dry-run/wrong-type"), 14)
        self.assertEqual(self.line_of("datree-protocol-number.yaml", "dry-run/wrong-type"), 12)

    def test_deprecations(self):
        self.assertEqual(self.line_of("deprecated-api-version.yaml", "dry-run/deprecated-api"), 2)
        self.assertEqual(self.line_of("deprecated-field.yaml", "dry-run/deprecated-field"), 6)

    def test_admission_denial_naming_a_field(self):
        self.assertEqual(self.line_of("admission-pod-security.yaml", "admission/pod-security"), 20)

    def test_chart_field_written_through_to_yaml(self):
        p, report = kv_json("chart", fixture("charts", "webapp"), "--set", "podAnnotations.team=1")
        self.assertEqual(p.returncode, 1, explain(p))
        [f] = errors(report)
        self.assertTrue(f["file"].endswith("templates/deployment.yaml"), f)
        self.assertEqual(f["line"], 17, f)  # the annotations: line the template writes
        self.assertIn("--set podAnnotations.team", f["message"])


class UserTerms(unittest.TestCase):
    """Point 5: no Go internals in any message."""

    def test_no_go_value_dumps_anywhere_in_the_corpus(self):
        p = kv("manifests", "-o", "json", DEFECTS)
        for needle in ("valueUnstructured", "&value.", "interface {}", "Kind=", "Go struct field"):
            self.assertNotIn(needle, p.stdout)

    def test_values_read_as_written(self):
        for name, words in (("datree-protocol-number.yaml", "got number 22"),
                            ("env-value-boolean.yaml", "got boolean true"),
                            ("two-numeric-annotation-and-port.yaml", "got number 9102")):
            p = kv("manifests", defect(name))
            self.assertIn(words, p.stdout, explain(p))


class Skips(unittest.TestCase):
    """Point 6: what is not checked is skipped, with the reason."""

    def test_disabled_unknown_kind_is_skipped_not_valid(self):
        p, report = kv_json("manifests", defect("unknown-kind-no-crd.yaml"), "--disable-rule", "dry-run/unknown-kind")
        self.assertEqual(p.returncode, 0, explain(p))
        [r] = report["results"]
        self.assertEqual(r["status"], "skipped")
        self.assertIn("ServiceProbe", r["findings"][0]["message"])

    def test_custom_resource_of_an_invalid_crd_names_it(self):
        path = defect("cr-with-invalid-crd.yaml")
        p, report = kv_json("manifests", path)
        self.assertEqual(p.returncode, 1, explain(p))
        backup = [r for r in report["results"] if r["kind"] == "Backup"][0]
        self.assertEqual(backup["status"], "skipped")
        self.assertIn(f"its CustomResourceDefinition in this input is invalid ({path}:2)",
                      backup["findings"][0]["message"])
        self.assertNotIn("404", p.stdout)

    def test_directory_with_non_kubernetes_yaml(self):
        repo = fixture("loader", "repo")
        p = kv("manifests", repo)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertNotIn("skipped:", p.stdout)
        v = kv("manifests", "-v", repo)
        self.assertEqual(v.returncode, 0, explain(v))
        for name in ("kustomization.yaml", "values.yaml", "blank.yaml", "notes.yaml", "pipeline.yml", "kvalidate chart"):
            self.assertIn(name, v.stdout)
        self.assertIn("valid: ConfigMap/default/repo-app", v.stdout)

    def test_explicit_path_without_objects_is_bad_input(self):
        p = kv("manifests", os.path.join(fixture("loader", "repo"), "deploy", "blank.yaml"))
        self.assertEqual(p.returncode, 2, explain(p))


class KubeconformParity(unittest.TestCase):
    """Point 7: --skip-kind, --reject-kind, -v, stdin without a PATH."""

    DOC = ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n---\n"
           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n"
           "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n")

    def test_skip_kind(self):
        p, report = kv_json("manifests", "-", "--skip-kind", "Secret", input=self.DOC)
        self.assertEqual(p.returncode, 0, explain(p))
        status = {r["kind"]: r["status"] for r in report["results"]}
        self.assertEqual(status, {"Secret": "skipped", "ConfigMap": "valid", "ClusterRole": "valid"})

    def test_reject_kind_by_group_version_kind(self):
        p, report = kv_json("manifests", "-", "--reject-kind", "rbac.authorization.k8s.io/v1/ClusterRole",
                            input=self.DOC)
        self.assertEqual(p.returncode, 1, explain(p))
        role = [r for r in report["results"] if r["kind"] == "ClusterRole"][0]
        self.assertEqual((role["status"], role["findings"][0]["rule"], role["findings"][0]["line"]),
                         ("invalid", "kind/rejected", 12))

    def test_bad_kind_flag_is_usage(self):
        p = kv("manifests", "-", "--skip-kind", "secret", input=self.DOC)
        self.assertEqual(p.returncode, 2, explain(p))

    def test_verbose_lists_valid_objects(self):
        p = kv("manifests", "-", "-v", input=self.DOC)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertIn("-:6: valid: ConfigMap/default/c", p.stdout)
        quiet = kv("manifests", "-", input=self.DOC)
        self.assertNotIn("valid:", quiet.stdout)

    def test_stdin_without_a_path(self):
        p = kv("manifests", input=self.DOC)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertIn("3 resources", p.stdout)


if __name__ == "__main__":
    kvtest.main()
