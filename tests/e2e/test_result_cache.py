"""e2e (issue 18): the result cache. A verdict is kept under the object's text, the path it goes to and
the world it meets (server, flags, the batch's own CRDs/namespaces/policies, the plane's baseline); an
unchanged object is not asked again, and its findings land at its current lines."""
import os
import shutil
import subprocess
import tempfile
import unittest

import kvtest
from kvtest import explain, kv, kv_json

APP = """apiVersion: v1
kind: Namespace
metadata:
  name: cache-demo
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: cache-demo
spec:
  ports:
    - port: 70000
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: cache-demo
data:
  mode: "{mode}"
"""


def verdicts(report):
    return sorted((r["kind"], r["name"], r["status"], tuple(sorted((f["rule"], f["line"]) for f in r["findings"])))
                  for r in report["results"] if r["kind_of_result"] == "object")


def cached(report):
    return sorted(r["kind"] for r in report["results"] if r.get("cached"))


class ResultCache(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kv-cache-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        # A cache of its own: what other tests kept does not count here.
        self.env = {"XDG_CACHE_HOME": os.path.join(self.dir, "cache")}
        os.makedirs(self.env["XDG_CACHE_HOME"])
        for tool in ("bin",):  # the Go-built tools stay where they are
            real = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kvalidate", tool)
            os.makedirs(os.path.join(self.env["XDG_CACHE_HOME"], "kvalidate"), exist_ok=True)
            if os.path.isdir(real):
                os.symlink(real, os.path.join(self.env["XDG_CACHE_HOME"], "kvalidate", tool))

    def add_plane_namespace(self, ns, why):
        """Creates namespace `ns` on the shared plane with kubectl (the plane's own, not a run's), deleted again
        after the test; skips the test (saying `why` it needed it) without kubectl."""
        kubectl = kvtest.cached_tool("kubectl") or shutil.which("kubectl")
        if not kubectl:
            self.skipTest(f"kubectl not found: cannot {why}")
        kubeconfig = kv("env").stdout.split("KUBECONFIG=", 1)[1].split()[0].strip("'\"")
        subprocess.run([kubectl, "--kubeconfig", kubeconfig, "create", "namespace", ns], check=True,
                       capture_output=True)
        self.addCleanup(subprocess.run, [kubectl, "--kubeconfig", kubeconfig, "delete", "namespace", ns, "--wait=false"],
                        capture_output=True)

    def write(self, text, name="app.yaml"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_unchanged_objects_come_from_the_cache_with_the_same_verdicts(self):
        app = self.write(APP.format(mode="a"))
        first, r1 = kv_json("manifests", app, env=self.env)
        self.assertEqual(first.returncode, 1, explain(first))
        self.assertEqual(cached(r1), [])
        self.assertEqual(r1["summary"]["cached"], 0)
        second, r2 = kv_json("manifests", app, env=self.env)
        self.assertEqual(second.returncode, 1, explain(second))
        self.assertEqual(verdicts(r2), verdicts(r1))
        # Nothing asked: the Service and ConfigMap come from the cache, and so does the Namespace (its verdict
        # was kept when the first run made it), which no object left needs.
        self.assertEqual(cached(r2), ["ConfigMap", "Namespace", "Service"])
        self.assertEqual(r2["summary"]["cached"], 3)
        # A fully cached run makes and removes no namespace at all.
        text = kv("manifests", app, env=dict(self.env, KVALIDATE_DEBUG_HTTP="1"))
        self.assertIn("3 from the result cache", text.stdout, explain(text))
        self.assertIn("GET /api/v1/namespaces", text.stderr)  # (the debug output is there)
        self.assertNotIn("POST /api/v1/namespaces", text.stderr)
        self.assertNotIn("DELETE /api/v1/namespaces", text.stderr)
        # -v (which lists the valid objects too) reads the same cache.
        verbose = kv("manifests", app, "-v", env=self.env)
        self.assertIn("3 from the result cache", verbose.stdout, explain(verbose))
        self.assertIn("valid: ConfigMap/cache-demo/settings", verbose.stdout, explain(verbose))

        # A changed object is asked again (in its namespace, made for it); the unchanged one still comes
        # from the cache.
        changed, r3 = kv_json("manifests", self.write(APP.format(mode="b")), env=self.env)
        self.assertEqual(changed.returncode, 1, explain(changed))
        self.assertEqual(cached(r3), ["Service"])
        self.assertEqual(verdicts(r3), verdicts(r1))

        # Moved to the top of its file: the cached finding is at the Service's new line.
        docs = APP.format(mode="a").split("---\n")
        moved = self.write("---\n".join([docs[1], docs[0], docs[2]]), "moved.yaml")
        p, r4 = kv_json("manifests", moved, env=self.env)
        self.assertEqual(cached(r4), ["ConfigMap", "Namespace", "Service"])
        [service] = [r for r in r4["results"] if r["kind"] == "Service"]
        [port] = [f for f in service["findings"] if f["path"] == "spec.ports[0].port"]
        self.assertEqual(port["line"], 8, service)
        [before] = [r for r in r1["results"] if r["kind"] == "Service"]
        self.assertEqual([f["line"] for f in before["findings"] if f["path"] == "spec.ports[0].port"], [13])

        # --no-cache asks the server about every object; --warnings-as-errors is another world.
        p, r5 = kv_json("manifests", app, "--no-cache", env=self.env)
        self.assertEqual(cached(r5), [])
        self.assertEqual(verdicts(r5), verdicts(r1))
        p, r6 = kv_json("manifests", app, "--warnings-as-errors", env=self.env)
        self.assertEqual(cached(r6), [])

    def test_a_baseline_change_is_another_world(self):
        app = self.write(APP.format(mode="z"))
        kv_json("manifests", app, env=self.env)
        p, again = kv_json("manifests", app, env=self.env)
        self.assertEqual(cached(again), ["ConfigMap", "Namespace", "Service"])
        self.add_plane_namespace("cache-baseline-probe", "change the plane's baseline")
        p, after = kv_json("manifests", app, env=self.env)
        self.assertEqual(cached(after), [])
        self.assertEqual(verdicts(after), verdicts(again))

    def test_a_namespace_of_the_plane_comes_from_the_cache_with_its_note(self):
        ns = "cache-plane-ns"
        self.add_plane_namespace(ns, "add a namespace to the plane's baseline")
        app = self.write(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n"
                         f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: {ns}}}\ndata: {{k: v}}\n")
        p, first = kv_json("manifests", app, env=self.env)
        self.assertEqual(p.returncode, 0, explain(p))
        p, again = kv_json("manifests", app, env=self.env)
        self.assertEqual(cached(again), ["ConfigMap", "Namespace"])
        self.assertEqual(verdicts(again), verdicts(first))
        [namespace] = [r for r in again["results"] if r["kind"] == "Namespace"]
        self.assertEqual([f["rule"] for f in namespace["findings"]], ["plane/baseline"], namespace)

    def test_not_on_an_existing_cluster_unless_asked(self):
        env_out = kv("env").stdout
        kubeconfig = env_out.split("KUBECONFIG=", 1)[1].split()[0].strip("'\"")
        cm = self.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ext-cache}\ndata: {k: v}\n", "cm.yaml")
        for _ in range(2):
            p, r = kv_json("manifests", cm, "--kubeconfig", kubeconfig, env=self.env)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertEqual(cached(r), [])
        kv_json("manifests", cm, "--kubeconfig", kubeconfig, "--cache", env=self.env)
        p, r = kv_json("manifests", cm, "--kubeconfig", kubeconfig, "--cache", env=self.env)
        self.assertEqual(cached(r), ["ConfigMap"])


if __name__ == "__main__":
    kvtest.main()
