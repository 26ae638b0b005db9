"""e2e: the bad-input catalog (issue 9). Every class of broken input, file system oddity, broken chart,
broken kubeconfig and bad flag gives its exit code (2 for bad input, 1 for an object the server
rejects, 3 for a cluster that cannot be reached), one line naming the file (and line where known), no
crash output, within a time bound. Input-only cases never reach the plane (the input is loaded before
connecting); the few that need a server use the shared plane. Big and bomb inputs are generated here."""
import base64
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import kvtest
from kvtest import explain, fixture, kv

CRASH_MARKS = ["terminate called", "Sanitizer", "runtime error:", "Segmentation fault", "core dumped",
               "Aborted", "what():", "Traceback", "internal error", "#0 0x"]
BAD = fixture("bad-input")
VALID = fixture("manifests", "valid", "service.yaml")
WEBAPP = fixture("charts", "webapp")


class Case(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kv-bad-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return p

    def run_kv(self, *args, code, needles=(), limit=60, **kw):
        """Runs kvalidate; asserts exit `code`, no crash output, time under `limit` s, and one output line
        holding every needle (file name, file:line, rule). Returns the CompletedProcess."""
        start = time.monotonic()
        p = kv(*args, timeout=limit + 30, **kw)
        took = time.monotonic() - start
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, code, explain(p))
        for mark in CRASH_MARKS:
            self.assertNotIn(mark, out, explain(p))
        self.assertLess(took, limit, f"took {took:.1f}s\n" + explain(p))
        if needles:
            lines = [l for l in out.splitlines() if all(n in l for n in needles)]
            self.assertTrue(lines, f"no line with all of {needles!r}\n" + explain(p))
        if code == 2 and p.stderr.strip():
            # An error on stderr is one line, not a dump.
            self.assertLessEqual(len(p.stderr.strip().splitlines()), 3, explain(p))
        return p

    def bad(self, path, *needles, args=(), limit=30):
        return self.run_kv("manifests", path, *args, code=2, needles=(path, *needles), limit=limit)


class YamlSyntax(Case):
    def test_malformed_yaml(self):
        # yaml-cpp gives up on line 7; the defect is the '[' on line 6 that is never closed.
        self.bad(os.path.join(BAD, "syntax-error.yaml"), f"{BAD}/syntax-error.yaml:6:", "input/yaml-syntax",
                 "'[' opened here is never closed")

    def test_tab_indentation(self):
        self.bad(os.path.join(BAD, "tab-indentation.yaml"), ":6:", "tab")

    def test_unclosed_quote(self):
        self.bad(os.path.join(BAD, "unclosed-quote.yaml"), ":6:", "unclosed")

    def test_malformed_json(self):
        p = self.write("broken.json", '{"apiVersion": "v1", "kind": "ConfigMap",\n "metadata": {"name": "x"\n')
        self.bad(p, "input/yaml-syntax")

    def test_duplicate_keys(self):
        # kubectl keeps the last value: the object is judged with it, the duplicate is a finding (exit 1).
        path = os.path.join(BAD, "duplicate-key.yaml")
        self.run_kv("manifests", path, code=1, needles=(f"{path}:5:", "duplicate key", "input/duplicate-key"))

    def test_too_many_problems_in_one_stream_stop_reading(self):
        p = self.write("many-bad.yaml", "---\nfoo: [\n" * 300)
        r = self.bad(p, "input/too-many-problems")
        self.assertLess(len(r.stdout.splitlines()), 150, "the problem cap should bound the output")


class Bombs(Case):
    def test_alias_bomb(self):
        lines = ['  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for i in range(1, 10):
            lines.append(f"  a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
        p = self.write("bomb.yaml", "x:\n" + "\n".join(lines) + "\napiVersion: v1\nkind: ConfigMap\n"
                       "metadata:\n  name: bomb\n")
        self.bad(p, "input/alias-bomb", limit=15)

    def test_nesting_10000_flow_sequences(self):
        p = self.write("deep1.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\nx: "
                       + "[" * 10000 + "]" * 10000 + "\n")
        self.bad(p, ":5:", "input/too-deep", limit=15)

    def test_nesting_10000_block_maps(self):
        p = self.write("deep2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\nx:\n"
                       + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(10000)))
        self.bad(p, "input/too-deep", limit=20)

    def test_nesting_10000_flow_maps(self):
        p = self.write("deep3.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\nx: "
                       + "{a: " * 10000 + "1" + "}" * 10000 + "\n")
        self.bad(p, ":5:", "input/too-deep", limit=15)

    def test_100_mb_file_is_refused_quickly(self):
        p = self.path("big.yaml")
        with open(p, "wb") as f:
            f.write(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n")
            f.truncate(100 * 1024 * 1024)  # sparse: cheap to make, 100 MB to read
        self.bad(p, "input/too-large", "100.0 MiB", limit=10)

    def test_endless_device_is_cut_at_the_limit(self):
        self.bad("/dev/zero", "input/too-large", limit=30)


class Encoding(Case):
    def test_nul_bytes(self):
        self.bad(os.path.join(BAD, "nul-byte.yaml"), ":4:", "NUL")

    def test_invalid_utf8(self):
        self.bad(os.path.join(BAD, "invalid-utf8.yaml"), ":4:", "UTF-8")

    def test_utf16_is_refused(self):
        p = self.write("utf16.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n".encode("utf-16"))
        self.bad(p, "input/encoding")

    def test_bom_is_accepted(self):
        self.run_kv("manifests", os.path.join(BAD, "bom.yaml"), code=0, needles=("1 valid",), limit=120)

    def test_crlf_line_endings_are_accepted(self):
        p = self.write("crlf.yaml", "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\n"
                       "  namespace: default\r\ndata:\r\n  a: b\r\n")
        self.run_kv("manifests", p, code=0, needles=("1 valid",), limit=120)


class NotObjects(Case):
    def test_empty_file(self):
        self.bad(os.path.join(BAD, "empty.yaml"), "input/no-objects")

    def test_comments_only(self):
        self.bad(os.path.join(BAD, "comments-only.yaml"), "input/no-objects")

    def test_separators_only(self):
        self.bad(self.write("seps.yaml", "---\n---\n...\n---\n"), "input/no-objects")

    def test_apiversion_and_kind_missing(self):
        self.bad(os.path.join(BAD, "missing-kind.yaml"), ":1:", "missing")

    def test_apiversion_not_a_string(self):
        self.bad(os.path.join(BAD, "apiversion-not-string.yaml"), ":1:", "apiVersion must be a string")

    def test_kind_not_a_string(self):
        self.bad(os.path.join(BAD, "kind-not-string.yaml"), ":2:", "kind must be a string")

    def test_kind_a_number(self):
        p = self.write("num-kind.yaml", "apiVersion: v1\nkind: 42\nmetadata:\n  name: x\n")
        self.bad(p, ":2:", "kind must be a string")

    def test_metadata_name_missing(self):
        self.bad(os.path.join(BAD, "missing-name.yaml"), ":3:", "metadata.name")

    def test_metadata_not_a_map(self):
        self.bad(os.path.join(BAD, "metadata-not-a-map.yaml"), ":8:", "metadata must be a map", limit=120)

    def test_document_is_a_list(self):
        self.bad(os.path.join(BAD, "not-a-map.yaml"), ":1:", "input/not-an-object")

    def test_document_is_a_scalar(self):
        self.bad(os.path.join(BAD, "scalar-document.yaml"), ":1:", "input/not-an-object")

    def test_list_with_a_bad_item(self):
        self.bad(os.path.join(BAD, "list-with-bad-item.yaml"), ":8:", "items[1]", limit=120)

    def test_list_items_not_a_list(self):
        p = self.write("list-map.yaml", "apiVersion: v1\nkind: List\nitems:\n  a: b\n")
        self.bad(p, ":3:", "input/invalid-list")


class ServerJudged(Case):
    """Inputs that load fine but that the server rejects: exit 1 (invalid), not 2."""

    def test_kind_the_server_does_not_know(self):
        p = self.write("frob.yaml", "apiVersion: example.com/v1\nkind: Frobnicator\nmetadata:\n  name: x\n")
        self.run_kv("manifests", p, code=1, needles=(f"{p}:2:", "Frobnicator", "dry-run/unknown-kind"), limit=120)

    def test_numbers_where_strings_belong(self):
        p = self.write("num-name.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 12345\n"
                       "  namespace: default\ndata:\n  a: 1\n")
        r = self.run_kv("manifests", p, code=1, needles=(f"{p}:7:", "data.a"), limit=120)
        self.assertIn(f"{p}:4:", r.stdout, explain(r))

    def test_list_of_100000_items_works(self):
        p = self.path("list100k.yaml")
        with open(p, "w") as f:
            f.write("apiVersion: v1\nkind: List\nitems:\n")
            for i in range(100000):
                f.write(f"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i}\n"
                        f"    namespace: default\n  data:\n    k: v{i}\n")
        r = self.run_kv("manifests", p, "--jobs", "32", code=0, needles=("100000 resources: 100000 valid",),
                        limit=600)
        self.assertEqual(r.stderr, "", explain(r))


class FileSystem(Case):
    def test_symlink_loop(self):
        os.mkdir(self.path("loop"))
        os.symlink("..", self.path("loop/self"))
        os.symlink(self.path("loop"), self.path("loop/again"))
        self.bad(self.path("loop"), "input/symlink-loop")

    def test_symlink_to_itself(self):
        os.symlink("me.yaml", self.path("me.yaml"))
        self.bad(self.path("me.yaml"), "input/symlink-loop")

    def test_broken_symlink(self):
        os.symlink("gone.yaml", self.path("dangling.yaml"))
        self.bad(self.path("dangling.yaml"), "input/not-found", "broken symbolic link")

    def test_unreadable_file(self):
        # Root reads any file: drop to nobody for this one run.
        setpriv = shutil.which("setpriv")
        if os.geteuid() == 0 and not setpriv:
            self.skipTest("running as root without setpriv: file modes cannot make a file unreadable")
        with open(VALID) as f:
            p = self.write("secret.yaml", f.read())
        os.chmod(p, 0)
        os.chmod(self.dir, 0o755)
        args = ["manifests", p]
        if os.geteuid() == 0:
            start = time.monotonic()
            r = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", kvtest.BIN, *args],
                               capture_output=True, text=True, timeout=60,
                               env=dict(os.environ, KVALIDATE_HOME=self.path("home-nobody"), NO_COLOR="1"))
            self.assertLess(time.monotonic() - start, 30)
            self.assertEqual(r.returncode, 2, explain(r))
            self.assertRegex(r.stdout + r.stderr, re.escape(p) + r".*Permission denied.*input/unreadable")
            for mark in CRASH_MARKS:
                self.assertNotIn(mark, r.stdout + r.stderr)
        else:
            self.bad(p, "Permission denied", "input/unreadable")

    def test_unix_socket_as_input(self):
        s = socket.socket(socket.AF_UNIX)
        try:
            s.bind(self.path("sock.yaml"))
            self.bad(self.path("sock.yaml"), "input/unreadable")
        finally:
            s.close()

    def test_named_pipe_is_read_like_stdin(self):
        # A FIFO is read as a stream (process substitution gives one): what its writer sends is judged.
        fifo = self.path("pipe.yaml")
        os.mkfifo(fifo)
        def writer():
            with open(fifo, "w") as f:
                f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n")
        t = threading.Thread(target=writer, daemon=True)
        t.start()
        self.bad(fifo, ":4:", "input/yaml-syntax")  # the '[' never closed
        t.join(5)

    def test_directory_named_like_a_yaml_file(self):
        os.mkdir(self.path("dir.yaml"))
        self.bad(self.path("dir.yaml"), "input/no-yaml-files")

    def test_directory_without_yaml(self):
        os.mkdir(self.path("docs"))
        self.write("docs/README.md", "# nothing here\n")
        self.bad(self.path("docs"), "input/no-yaml-files")

    def test_nonexistent_path(self):
        self.bad(self.path("nope.yaml"), "input/not-found")

    def test_stdin_garbage_names_stdin(self):
        self.run_kv("manifests", "-", input="kind: [\n", code=2, needles=("-:1:", "input/yaml-syntax"))


class Charts(Case):
    def chart(self, *args, needles, code=2, limit=60):
        return self.run_kv("chart", *args, code=code, needles=needles, limit=limit)

    def test_chart_without_chart_yaml(self):
        os.makedirs(self.path("c/templates"))
        self.chart(self.path("c"), needles=(self.path("c"), "no Chart.yaml"))

    def test_invalid_chart_yaml(self):
        os.makedirs(self.path("c/templates"))
        self.write("c/Chart.yaml", "apiVersion: v2\nname: [oops\nversion: 1.0.0\n")
        self.chart(self.path("c"), needles=(self.path("c/Chart.yaml") + ":3:", "invalid YAML"))

    def test_chart_yaml_without_name(self):
        os.makedirs(self.path("c/templates"))
        self.write("c/Chart.yaml", "apiVersion: v2\nversion: 1.0.0\n")
        self.chart(self.path("c"), needles=(self.path("c/Chart.yaml"), "name is required"))

    def test_missing_values_file(self):
        self.chart(WEBAPP, "-f", self.path("nope.yaml"), needles=(self.path("nope.yaml"), "no such values file"))

    def test_invalid_values_file(self):
        v = self.write("v.yaml", "replicaCount: [1\n")
        self.chart(WEBAPP, "-f", v, needles=(v + ":1:15:", "invalid YAML", "'[' opened here is never closed"))

    def test_invalid_ci_values_file(self):
        # A ci/ values file of the chart's matrix is read as a -f file is: at the bracket never closed.
        c = self.path("ci-chart")
        shutil.copytree(WEBAPP, c)
        os.makedirs(os.path.join(c, "ci"), exist_ok=True)
        v = self.write("ci-chart/ci/broken-values.yaml", "replicaCount: 2\nimage: [a\nport: 80\n")
        self.chart(c, needles=(v + ":2:8:", "invalid YAML"))

    def test_values_file_not_a_map(self):
        v = self.write("v.yaml", "- a\n- b\n")
        self.chart(WEBAPP, "-f", v, needles=(v,))

    def test_set_without_equals(self):
        self.chart(WEBAPP, "--set", "noequals", needles=("--set noequals", "KEY=VALUE"))

    def test_set_bad_index(self):
        # Both majors refuse a non-numeric index (Helm 4 reads "a[=1" as a plain key and accepts it).
        self.chart(WEBAPP, "--set", "a[x]=1", needles=("--set",))

    def test_corrupt_tgz(self):
        t = self.write("c.tgz", os.urandom(4096))
        self.chart(t, needles=(t, "not gzip"))

    def test_truncated_tgz(self):
        full = self.path("full.tgz")
        subprocess.run(["tar", "czf", full, "-C", os.path.dirname(WEBAPP), "webapp"], check=True)
        with open(full, "rb") as f:
            t = self.write("trunc.tgz", f.read()[:300])
        p = self.chart(t, needles=(t, "not a valid chart archive ("))
        self.assertNotIn("()", p.stderr, "the reason must not be empty")

    def test_tgz_without_a_chart(self):
        os.makedirs(self.path("x/stuff"))
        self.write("x/stuff/readme.txt", "hi")
        t = self.path("nochart.tgz")
        subprocess.run(["tar", "czf", t, "-C", self.path("x"), "stuff"], check=True)
        self.chart(t, needles=(t, "Chart.yaml"))

    def test_nonexistent_chart(self):
        self.chart(self.path("nochart"), needles=(self.path("nochart"), "no such chart"))


def plane_kubeconfig():
    p = os.path.join(kvtest.SHARED_HOME, "kubeconfig")
    return p if os.path.exists(p) else None


class Kubeconfigs(Case):
    def test_missing_kubeconfig(self):
        k = self.path("nope.kubeconfig")
        self.run_kv("manifests", VALID, "--kubeconfig", k, code=2, needles=(k, "not found"))

    def test_invalid_kubeconfig(self):
        k = self.write("bad.kubeconfig", "apiVersion: v1\nkind: Config\nclusters: [oops\n")
        self.run_kv("manifests", VALID, "--kubeconfig", k, code=2, needles=(k + ":4:", "invalid kubeconfig"))

    def test_kubeconfig_unknown_context(self):
        k = self.write("k", DEAD_KUBECONFIG)
        self.run_kv("manifests", VALID, "--kubeconfig", k, "--context", "nope", code=2, needles=(k, '"nope"'))

    def test_unreachable_server(self):
        k = self.write("dead.kubeconfig", DEAD_KUBECONFIG)
        self.run_kv("manifests", VALID, "--kubeconfig", k, code=3,
                    needles=("https://127.0.0.1:1", "does not answer"), limit=30)

    def test_wrong_ca_is_a_tls_verify_error(self):
        kc = plane_kubeconfig()
        if not kc or not shutil.which("openssl"):
            self.skipTest("needs the shared plane's kubeconfig and openssl")
        k = self.write("wrong-ca.kubeconfig", with_wrong_ca(kc, self.dir))
        self.run_kv("manifests", VALID, "--kubeconfig", k, code=3,
                    needles=("does not answer", "SSL certificate problem"), limit=30)


DEAD_KUBECONFIG = ("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
                   "users:\n- name: u\n  user: {}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
                   "current-context: x\n")


def with_wrong_ca(kubeconfig, tmp):
    """The text of `kubeconfig` with its CA replaced by a fresh self-signed one (shared with test_security)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    os.path.join(tmp, "wrong.key"), "-out", os.path.join(tmp, "wrong.crt"), "-days", "1",
                    "-subj", "/CN=not-the-plane-ca"], capture_output=True, check=True, timeout=60)
    with open(os.path.join(tmp, "wrong.crt"), "rb") as f:
        ca = base64.b64encode(f.read()).decode()
    with open(kubeconfig) as f:
        text = f.read()
    return re.sub(r"certificate-authority-data: \S+", "certificate-authority-data: " + ca, text)


class Flags(Case):
    def test_unknown_flag(self):
        self.run_kv("manifests", VALID, "--frobnicate", code=2, needles=("--frobnicate",))

    def test_bad_jobs(self):
        for value in ["0", "abc", "-3", "99999999999"]:
            self.run_kv("manifests", VALID, "--jobs", value, code=2, needles=("--jobs", value))

    def test_invalid_namespace_flag(self):
        self.run_kv("manifests", VALID, "-n", "Bad_NS!", code=2, needles=("--namespace", "Bad_NS!"))

    def test_bad_wait(self):
        self.run_kv("up", "--wait", "banana", code=2, needles=("--wait", "banana"))
        self.run_kv("up", "--wait", "-5s", code=2, needles=("--wait", "-5s"))

    def test_unknown_output_format(self):
        self.run_kv("manifests", VALID, "-o", "yaml", code=2, needles=("yaml", "valid: text, json"))

    def test_two_formats_on_stdout(self):
        self.run_kv("manifests", VALID, "-o", "json", "-o", "junit", code=2, needles=("only one format",))

    def test_unwritable_output_paths(self):
        self.run_kv("manifests", VALID, "-o", f"json={self.dir}", code=2, needles=(self.dir, "folder"))
        missing = self.path("no/such/r.json")
        self.run_kv("manifests", VALID, "-o", f"json={missing}", code=2, needles=(missing,))

    def test_unknown_subcommand_suggests(self):
        self.run_kv("manifesto", VALID, code=2, needles=('"manifesto"', 'did you mean "manifests"'))
        self.run_kv("frobnicate", code=2, needles=('"frobnicate"',))

    def test_no_subcommand_and_no_paths(self):
        self.run_kv(code=2, needles=("subcommand",))
        # No PATH and stdin not a terminal: stdin is read (as kubeconform does); empty, it holds no object.
        self.run_kv("manifests", code=2, needles=("no Kubernetes objects found in -",))

    def test_bad_rbac_files(self):
        missing = self.path("nope-rbac.yaml")
        self.run_kv("manifests", VALID, "--rbac", missing, code=2, needles=(missing,))
        verb = fixture("rbac", "expectations-bad-verb.yaml")
        self.run_kv("manifests", VALID, "--rbac", verb, code=2, needles=(verb + ":5:", "unknown verb"))
        broken = self.write("rbac.yaml", "expectations:\n  - as: [x\n")
        self.run_kv("manifests", VALID, "--rbac", broken, code=2, needles=(broken + ":",))
        shape = self.write("rbac2.yaml", "expectations: 42\n")
        self.run_kv("manifests", VALID, "--rbac", shape, code=2, needles=(shape,))


if __name__ == "__main__":
    kvtest.main()
