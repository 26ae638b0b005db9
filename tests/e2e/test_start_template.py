"""End-to-end: planes started from the data template (controlplane/start_template.h). The first start of
a kube-apiserver+flags makes the template, the next ones find it, and a plane started from it holds the
same objects as one that bootstrapped itself, with nothing of the template's plane in them (its CA, the
kubernetes Service's port). Each test uses a private KVALIDATE_HOME and a private template cache."""
import json
import os
import subprocess
import tempfile
import unittest

import kvtest
from kvtest import explain, kv

# What a fresh plane writes (bootstrap) and what is plane-specific; one kubectl call lists them all.
KINDS = ("namespaces,clusterroles,clusterrolebindings,roles,rolebindings,priorityclasses,flowschemas,"
         "prioritylevelconfigurations,configmaps,services,apiservices,servicecidrs,ipaddresses,leases")
# Fields that differ between any two planes, templates or not: identities, times, the plane's own port.
VOLATILE = {"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "lastTransitionTime",
            "holderIdentity", "acquireTime", "renewTime", "since", "client-ca-file", "targetPort",
            "kubernetes.io/peer-advertise-address"}


def normalized(o):
    if isinstance(o, dict):
        return {k: normalized(v) for k, v in o.items() if k not in VOLATILE}
    if isinstance(o, list):
        return [normalized(x) for x in o]
    return o


class StartTemplateTest(unittest.TestCase):
    def setUp(self):
        self.kubectl = kvtest.cached_tool("kubectl")
        self.bins = {"KVALIDATE_KUBE_APISERVER": kvtest.cached_tool("kube-apiserver"),
                     "KVALIDATE_ETCD": kvtest.cached_tool("etcd")}
        if not self.kubectl or not all(self.bins.values()):
            self.skipTest("kubectl, kube-apiserver or etcd is not in kvalidate's cache (scripts/setup.sh builds them)")

    def objects(self, home):
        kc = os.path.join(home, "kubeconfig")
        k = subprocess.run([self.kubectl, "--kubeconfig", kc, "get", KINDS, "-A", "-o", "json"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(k.returncode, 0, k.stderr)
        items = json.loads(k.stdout)["items"]
        return {(i["kind"], i["metadata"].get("namespace", ""), i["metadata"]["name"]): normalized(i) for i in items}

    def client_cas(self, home):
        kc = os.path.join(home, "kubeconfig")
        k = subprocess.run([self.kubectl, "--kubeconfig", kc, "-n", "kube-system", "get", "configmap",
                            "extension-apiserver-authentication", "-o", "jsonpath={.data.client-ca-file}"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(k.returncode, 0, k.stderr)
        return k.stdout

    def test_template_made_once_then_found_and_its_planes_hold_the_fresh_baseline(self):
        with tempfile.TemporaryDirectory() as cache, kvtest.private_home() as home, \
                kvtest.private_home() as fresh_home:
            env = dict(self.bins, XDG_CACHE_HOME=cache)
            p = kv("up", "-v", "--wait", "120s", home=home, env=env, timeout=300)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn("template made (once)", p.stdout)
            self.assertEqual(len(os.listdir(os.path.join(cache, "kvalidate", "templates", "minors"))), 1)
            self.assertEqual(kv("down", home=home, env=env, timeout=120).returncode, 0)
            p = kv("up", "-v", "--wait", "120s", home=home, env=env, timeout=300)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn("template found", p.stdout)
            self.assertIn("apiserver ready", p.stdout)
            leftovers = [n for n in os.listdir(os.path.join(cache, "kvalidate", "templates")) if ".make." in n or ".tmp." in n]
            self.assertEqual(leftovers, [])

            # A cache that cannot hold a template: the plane bootstraps itself, and says so.
            unusable = os.path.join(cache, "a-file")
            open(unusable, "w").close()
            p = kv("up", "-v", "--wait", "120s", home=fresh_home, env=dict(self.bins, XDG_CACHE_HOME=unusable),
                   timeout=300)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn("started without a data template", p.stdout)

            from_template, fresh = self.objects(home), self.objects(fresh_home)
            self.assertEqual(sorted(from_template), sorted(fresh))
            for key in fresh:
                self.assertEqual(from_template[key], fresh[key], key)
            with open(os.path.join(home, "pki", "ca.crt")) as f:
                ca = f.read().strip()
            self.assertEqual(self.client_cas(home).strip(), ca, "the template's CA must not be trusted")
            with open(os.path.join(home, "state.json")) as f:
                state = json.load(f)
            svc = subprocess.run([self.kubectl, "--kubeconfig", os.path.join(home, "kubeconfig"), "get", "service",
                                  "kubernetes", "-o", "jsonpath={.spec.ports[0].targetPort}"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(svc.stdout, str(state["ports"]["apiserver"]))


if __name__ == "__main__":
    kvtest.main()
