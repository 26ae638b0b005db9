"""e2e (issue 18): the namespace pool. A namespace a run made stays on kvalidate's plane for the next batch
or run that would make it from the same text (the API server reads a namespace deleted in the last 30 s
live for every request into it, which doubles its cost per object); one made from another text, or met by
a run that labels namespaces (--pod-security), is removed and made again. Every run's verdicts stay those
of a fresh plane."""
import unittest

import kvtest
from kvtest import explain, kv, kv_json

PRIVILEGED_POD = """apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: {ns}
spec:
  containers:
    - name: debug
      image: busybox:1.36
      securityContext:
        privileged: true
"""

BASELINE_NS = """apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
"""

APP = """apiVersion: v1
kind: Namespace
metadata:
  name: pool-own
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: pool-own
data:
  mode: a
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: pool-made
spec:
  ports:
    - port: 70000
"""


def verdicts(report):
    return sorted((r["kind"], r.get("namespace", ""), r["name"], r["status"],
                   tuple(sorted((f["rule"], f["line"]) for f in r["findings"])))
                  for r in report["results"] if r["kind_of_result"] == "object")


def namespace_requests(stderr, method):
    """The namespace requests of `method` in a KVALIDATE_DEBUG_HTTP trace ("POST /api/v1/namespaces", ...)."""
    return [line for line in stderr.splitlines() if line.startswith(f"> {method} /api/v1/namespaces")]


class NamespacePool(unittest.TestCase):
    def test_a_rerun_makes_no_namespace_and_keeps_its_verdicts(self):
        first, r1 = kv_json("manifests", "-", "--no-cache", input=APP)
        self.assertEqual(first.returncode, 1, explain(first))  # the Service's port
        self.assertTrue({"pool-own", "pool-made"} <= kvtest.pooled_namespaces(), explain(first))
        again = kv("manifests", "-", "--no-cache", "-o", "json", input=APP, env={"KVALIDATE_DEBUG_HTTP": "1"})
        self.assertEqual(again.returncode, 1, explain(again))
        # Both namespaces taken from the pool: none made, none removed (and nothing asked of the Namespace).
        self.assertEqual(namespace_requests(again.stderr, "POST"), [])
        self.assertEqual(namespace_requests(again.stderr, "DELETE"), [])
        self.assertFalse([l for l in again.stderr.splitlines() if l.startswith("> PATCH /api/v1/namespaces/pool-own?")])
        _, r2 = kv_json("manifests", "-", "--no-cache", input=APP)
        self.assertEqual(verdicts(r2), verdicts(r1))

    def test_a_namespace_from_another_text_is_made_again(self):
        ns = "pool-psa"
        strict = BASELINE_NS.format(ns=ns) + PRIVILEGED_POD.format(ns=ns)
        p1, r1 = kv_json("manifests", "-", "--no-cache", input=strict)
        self.assertEqual(p1.returncode, 1, explain(p1))
        self.assertIn(ns, kvtest.pooled_namespaces())
        # The Pod alone: its namespace is made without labels, as on a fresh plane (the pooled one enforcing
        # baseline is removed first), so the privileged Pod is admitted.
        alone = kv("manifests", "-", "--no-cache", "-o", "json", input=PRIVILEGED_POD.format(ns=ns),
                   env={"KVALIDATE_DEBUG_HTTP": "1"})
        self.assertEqual(alone.returncode, 0, explain(alone))
        self.assertEqual(namespace_requests(alone.stderr, "DELETE"), [f"> DELETE /api/v1/namespaces/{ns} HTTP/2"])
        # And back: the Namespace enforcing baseline is applied again and refuses the Pod again.
        p3, r3 = kv_json("manifests", "-", "--no-cache", input=strict)
        self.assertEqual(p3.returncode, 1, explain(p3))
        self.assertEqual(verdicts(r3), verdicts(r1))
        [pod] = [r for r in r3["results"] if r["kind"] == "Pod"]
        self.assertIn("admission/pod-security", [f["rule"] for f in pod["findings"]], pod)

    def test_a_run_that_labels_namespaces_removes_the_pooled_one_it_meets(self):
        ns = "pool-flag"
        pod = PRIVILEGED_POD.format(ns=ns)
        p1 = kv("manifests", "-", "--no-cache", input=pod)
        self.assertEqual(p1.returncode, 0, explain(p1))
        self.assertIn(ns, kvtest.pooled_namespaces())
        p2, r2 = kv_json("manifests", "-", "--no-cache", "--pod-security", "baseline", input=pod)
        self.assertEqual(p2.returncode, 1, explain(p2))
        # Made for the run, labelled, and removed at its end: not pooled with the labels it got.
        self.assertNotIn(ns, kvtest.pooled_namespaces())
        p3 = kv("manifests", "-", "--no-cache", input=pod)
        self.assertEqual(p3.returncode, 0, explain(p3))


if __name__ == "__main__":
    kvtest.main()
