"""End-to-end: the full plane (`kvalidate up --full`): kube-controller-manager, kube-scheduler and KWOK's
simulated nodes beside kube-apiserver + etcd. Namespace deletion finishes, the `default` ServiceAccount
appears, a Deployment gets a ReplicaSet and a Running Pod, `helm install --wait` of the `helm create` chart
succeeds, and a plain plane asked to be full is restarted as one on its own data. Each test uses a
private KVALIDATE_HOME (a full plane is not the suite's shared plane)."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import kvtest
from kvtest import alive, explain, kv

KUBECTL = kvtest.cached_tool("kubectl")
HELM = kvtest.cached_tool("helm")
MISSING = [t for t in ("kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler", "kwok", "kubectl", "helm")
           if not kvtest.cached_tool(t)]


def status_json(home):
    p = kv("status", "-o", "json", home=home, timeout=60)
    return p, json.loads(p.stdout)


def wait_for(what, check, timeout):
    """Polls check() until it returns a true value; returns (value, seconds) or fails naming `what`."""
    start = time.monotonic()
    while True:
        value = check()
        if value:
            return value, time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.25)


class FullPlaneTest(unittest.TestCase):
    def kubectl(self, home, *args, timeout=60):
        return subprocess.run([KUBECTL, "--kubeconfig", os.path.join(home, "kubeconfig"), *args],
                              capture_output=True, text=True, timeout=timeout)

    def jsonpath(self, home, *args):
        k = self.kubectl(home, *args)
        return k.stdout.strip() if k.returncode == 0 else ""

    def test_full_plane_controllers_scheduler_and_simulated_nodes(self):
        with kvtest.private_home() as home:
            p = kv("up", "--full", "--wait", "240s", home=home, timeout=400)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn("(apiserver, full)", p.stdout)
            self.assertIn("3 simulated nodes (KWOK)", p.stdout)
            p, st = status_json(home)
            self.assertTrue(st["healthy"] and st["full"], st)
            components = {x["component"]: x["pid"] for x in st["processes"]}
            self.assertEqual(set(components), {"etcd", "apiserver", "controller-manager", "scheduler", "kwok"})
            p = kv("status", home=home, timeout=60)
            self.assertIn("full plane:  controller-manager, scheduler, 3 simulated nodes (kwok)", p.stdout)
            # Loopback only: every socket the new components listen on is on 127.0.0.1 (KWOK opens none).
            for component in ("controller-manager", "scheduler", "kwok"):
                addrs = listening_addresses(components[component])
                self.assertTrue(all(a.startswith("127.0.0.1:") for a in addrs), f"{component} listens on {addrs}")
                if component != "kwok":
                    self.assertIn(f"127.0.0.1:{st_ports(home)[component]}", addrs)

            # The default ServiceAccount appears in a new namespace (token + serviceaccount controllers).
            self.assertEqual(self.kubectl(home, "create", "namespace", "t1").returncode, 0)
            _, secs = wait_for("default ServiceAccount in t1",
                               lambda: self.jsonpath(home, "get", "sa", "default", "-n", "t1", "-o", "name"), 30)
            print(f"default ServiceAccount after {secs:.1f}s", file=sys.stderr)

            # kubectl create deployment → a ReplicaSet and a Pod, scheduled on a simulated node and Running.
            k = self.kubectl(home, "create", "deployment", "web", "--image=nginx:1.27", "-n", "t1")
            self.assertEqual(k.returncode, 0, k.stderr)
            wait_for("ReplicaSet of web", lambda: self.jsonpath(home, "get", "rs", "-n", "t1", "-l", "app=web",
                                                                "-o", "name"), 30)
            phase, secs = wait_for("a Running pod of web", lambda: "Running" in self.jsonpath(
                home, "get", "pods", "-n", "t1", "-l", "app=web", "-o", "jsonpath={.items[*].status.phase}") and "ok", 60)
            node = self.jsonpath(home, "get", "pods", "-n", "t1", "-l", "app=web", "-o",
                                 "jsonpath={.items[0].spec.nodeName}")
            self.assertTrue(node.startswith("kvalidate-node-"), node)
            print(f"pod Running on {node} after {secs:.1f}s", file=sys.stderr)
            # The ServiceAccount admission plugin ran: the pod got the API access volume.
            vols = self.jsonpath(home, "get", "pods", "-n", "t1", "-l", "app=web", "-o",
                                 "jsonpath={.items[0].spec.volumes[*].name}")
            self.assertIn("kube-api-access", vols)

            # Deleting the namespace finishes (namespace controller + garbage collection + KWOK removing pods).
            self.assertEqual(self.kubectl(home, "delete", "namespace", "t1", "--wait=false").returncode, 0)
            _, secs = wait_for("namespace t1 gone", lambda: self.kubectl(home, "get", "namespace", "t1").returncode != 0,
                               30)
            print(f"namespace t1 deleted in {secs:.1f}s", file=sys.stderr)

            # helm install --wait of the `helm create` chart succeeds, and its test hook pod succeeds.
            with tempfile.TemporaryDirectory() as tmp:
                h = subprocess.run([HELM, "create", os.path.join(tmp, "demo")], capture_output=True, text=True, timeout=60)
                self.assertEqual(h.returncode, 0, h.stderr)
                helm_env = dict(os.environ, KUBECONFIG=os.path.join(home, "kubeconfig"), HELM_CACHE_HOME=tmp,
                                HELM_CONFIG_HOME=tmp, HELM_DATA_HOME=tmp)
                start = time.monotonic()
                h = subprocess.run([HELM, "install", "demo", os.path.join(tmp, "demo"), "-n", "demo",
                                    "--create-namespace", "--wait", "--timeout", "120s"],
                                   capture_output=True, text=True, timeout=200, env=helm_env)
                self.assertEqual(h.returncode, 0, h.stdout + h.stderr)
                self.assertIn("STATUS: deployed", h.stdout)
                print(f"helm install --wait took {time.monotonic() - start:.1f}s", file=sys.stderr)
                h = subprocess.run([HELM, "test", "demo", "-n", "demo", "--timeout", "60s"], capture_output=True,
                                   text=True, timeout=120, env=helm_env)
                self.assertEqual(h.returncode, 0, h.stdout + h.stderr)
                self.assertIn("Succeeded", h.stdout)

            for component in ("controller-manager", "scheduler", "kwok"):
                p = kv("logs", "--component", component, home=home, timeout=60)
                self.assertEqual(p.returncode, 0, explain(p))
                self.assertTrue(p.stdout.strip(), f"empty {component} log")

            p = kv("down", home=home, timeout=120)
            self.assertEqual(p.returncode, 0, explain(p))
            for component, pid in components.items():
                self.assertIn(f"{component} (pid {pid})", p.stdout)
                self.assertFalse(alive(pid), f"{component} (pid {pid}) still running after down")
            self.assertFalse(os.path.exists(os.path.join(home, "kwok")))

    def test_plain_plane_asked_to_be_full_is_restarted_on_its_data(self):
        with kvtest.private_home() as home:
            p = kv("up", "--wait", "120s", home=home, timeout=200)
            self.assertEqual(p.returncode, 0, explain(p))
            _, before = status_json(home)
            self.assertFalse(before["full"])
            self.assertEqual(self.kubectl(home, "create", "configmap", "keep-me", "--from-literal=a=b").returncode, 0)

            p = kv("up", "--full", "--wait", "240s", home=home, timeout=400)
            self.assertEqual(p.returncode, 0, explain(p))
            self.assertIn("restarted as a full plane", p.stdout)
            _, after = status_json(home)
            self.assertTrue(after["full"], after)
            self.assertEqual(after["endpoint"], before["endpoint"], "the endpoint should be kept where its port is free")
            for x in before["processes"]:
                self.assertFalse(alive(x["pid"]), f"old {x['component']} still running")
            self.assertEqual(self.jsonpath(home, "get", "configmap", "keep-me", "-o", "jsonpath={.data.a}"), "b")

            # A plain request reuses the full plane as it is; --full again changes nothing.
            for args in (("up",), ("up", "--full")):
                p = kv(*args, home=home, timeout=60)
                self.assertEqual(p.returncode, 0, explain(p))
                self.assertIn("control plane running (apiserver, full)", p.stdout)
            _, again = status_json(home)
            self.assertEqual([x["pid"] for x in again["processes"]], [x["pid"] for x in after["processes"]])

    def test_full_with_k3s_backend_is_a_usage_error(self):
        with kvtest.private_home() as home:
            p = kv("up", "--full", "--backend", "k3s", home=home, timeout=60)
            self.assertEqual(p.returncode, 2, explain(p))
            self.assertIn("cannot be combined with --backend k3s", p.stderr)


def listening_addresses(pid):
    """'IP:port' of every TCP socket in LISTEN state that process `pid` holds (IPv4 and IPv6)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    out = []
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        with open(table) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if cols[3] != "0A" or cols[9] not in inodes:
                    continue
                hexip, hexport = cols[1].split(":")
                if v6:
                    ip = "v6:" + hexip
                else:
                    ip = ".".join(str(int(hexip[i:i + 2], 16)) for i in (6, 4, 2, 0))
                out.append(f"{ip}:{int(hexport, 16)}")
    return out


def st_ports(home):
    with open(os.path.join(home, "state.json")) as f:
        return json.load(f)["ports"]


if __name__ == "__main__":
    if MISSING:
        print(f"skipped: {', '.join(MISSING)} not built; run tools/go/build.sh kubernetes-full kwok "
              "(scripts/test.sh does)")
        sys.exit(77)
    kvtest.main()
