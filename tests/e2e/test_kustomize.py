"""e2e: `kvalidate kustomize` builds with the real kustomize (kubectl's) and judges every object on the
real plane; findings point at the file each field was written in (the base, or the patch that set it)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import kvtest
from kvtest import explain, fixture, kv


def tree_listing(root):
    """Every file under root with its content: to show kvalidate wrote nothing into the user's tree."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


class Kustomize(unittest.TestCase):
    def setUp(self):
        if not (kvtest.cached_tool("kubectl") or shutil.which("kubectl")):
            self.skipTest("kubectl (which embeds kustomize) is not built yet: run tools/go/build.sh kubernetes")
        self.tmp = tempfile.mkdtemp(prefix="kv-kustomize-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.dir = os.path.join(self.tmp, "webapp")
        shutil.copytree(fixture("kustomize", "webapp"), self.dir)

    def edit(self, rel, old, new):
        path = os.path.join(self.dir, rel)
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w") as f:
            f.write(text.replace(old, new))

    def line_of(self, rel, needle):
        with open(os.path.join(self.dir, rel)) as f:
            for n, line in enumerate(f, 1):
                if needle in line:
                    return n
        self.fail(f"{needle!r} not in {rel}")

    def run_json(self, *args):
        p = kv("kustomize", *args, "-o", "json", cwd=self.dir)
        try:
            return p, json.loads(p.stdout)
        except json.JSONDecodeError:
            self.fail(explain(p))

    def test_overlay_is_clean_and_the_build_metadata_is_neither_kept_nor_written(self):
        before = tree_listing(self.dir)
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 0, explain(p))
        objs = {(r["kind"], r["namespace"], r["name"]): r for r in report["results"] if r["kind_of_result"] == "object"}
        self.assertEqual(set(objs), {("Deployment", "webapp-prod", "prod-web"), ("Service", "webapp-prod", "prod-web")},
                         explain(p))
        self.assertEqual({r["status"] for r in objs.values()}, {"valid"})
        dep = objs[("Deployment", "webapp-prod", "prod-web")]
        self.assertEqual(dep["source"]["file"], "base/deployment.yaml")
        self.assertEqual(dep["source"]["line"], 1)
        for needle in ("config.kubernetes.io/origin", "alpha.config.kubernetes.io/transformations", "buildMetadata"):
            self.assertNotIn(needle, p.stdout + p.stderr)
        self.assertEqual(tree_listing(self.dir), before, "nothing written into the user's tree")

    def test_defect_in_the_base_points_at_the_base_file_then_fixed_is_clean(self):
        self.edit("base/deployment.yaml", "imagePullPolicy: IfNotPresent", "imagePullPolicy: Sometimes")
        line = self.line_of("base/deployment.yaml", "imagePullPolicy")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        bad = [r for r in report["results"] if r["status"] == "invalid"]
        self.assertEqual([(r["kind"], r["name"]) for r in bad], [("Deployment", "prod-web")], explain(p))
        f = [f for f in bad[0]["findings"] if "imagePullPolicy" in f.get("path", "")]
        self.assertTrue(f, json.dumps(bad, indent=1))
        self.assertEqual((f[0]["file"], f[0]["line"]), ("base/deployment.yaml", line), json.dumps(f, indent=1))
        self.assertIn("Sometimes", f[0]["message"])
        text = kv("kustomize", "overlays/prod", cwd=self.dir)
        self.assertEqual(text.returncode, 1, explain(text))
        self.assertIn(f"base/deployment.yaml:{line}:", text.stdout, explain(text))
        # Fixed: clean again.
        self.edit("base/deployment.yaml", "imagePullPolicy: Sometimes", "imagePullPolicy: IfNotPresent")
        fixed = kv("kustomize", "overlays/prod", cwd=self.dir)
        self.assertEqual(fixed.returncode, 0, explain(fixed))

    def test_a_field_a_patch_set_points_at_the_patch(self):
        self.edit("overlays/prod/replicas.yaml", "replicas: 3", "replicas: -3")
        line = self.line_of("overlays/prod/replicas.yaml", "replicas:")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        fs = [f for r in report["results"] for f in r["findings"] if f.get("path") == "spec.replicas"]
        self.assertTrue(fs, explain(p))
        self.assertEqual((fs[0]["file"], fs[0]["line"]), ("overlays/prod/replicas.yaml", line), json.dumps(fs, indent=1))

    def test_a_node_port_a_patch_set_out_of_range_points_at_the_patch(self):
        # A dry run never allocates node ports: kvalidate checks the range itself, and places the finding as
        # the server's are, at the patch that wrote the port (not the base's port item).
        with open(os.path.join(self.dir, "overlays/prod/node-port.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n"
                    "  ports:\n  - port: 80\n    nodePort: 80\n")
        with open(os.path.join(self.dir, "overlays/prod/kustomization.yaml"), "a") as f:
            f.write("  - path: node-port.yaml\n")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        fs = [f for r in report["results"] for f in r["findings"] if f["rule"] == "service/node-port"]
        self.assertEqual([(f["file"], f["line"]) for f in fs], [("overlays/prod/node-port.yaml", 9)], explain(p))

    def test_a_value_a_json_patch_set_points_at_its_line_in_the_value(self):
        with open(os.path.join(self.dir, "overlays/prod/kustomization.yaml"), "a") as f:
            f.write("  - target: {kind: Deployment}\n    patch: |-\n      - op: add\n"
                    "        path: /spec/template/spec/securityContext\n        value:\n"
                    "          runAsNonRoot: true\n          fsGroupChangePolicy: Sometimes\n"
                    "  - target: {kind: Service}\n    patch: |-\n      - op: replace\n"
                    "        path: /spec/type\n        value: Balancer\n")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        found = {f.get("path"): (f["file"], f["line"]) for r in report["results"] for f in r["findings"]}
        where = "overlays/prod/kustomization.yaml"
        self.assertEqual(found.get("spec.template.spec.securityContext.fsGroupChangePolicy"),
                         (where, self.line_of(where, "fsGroupChangePolicy: Sometimes")), json.dumps(found, indent=1))
        self.assertEqual(found.get("spec.type"), (where, self.line_of(where, "value: Balancer")), json.dumps(found, indent=1))

    def test_values_a_transformer_or_generator_set_point_at_the_kustomization(self):
        where = "overlays/prod/kustomization.yaml"
        self.edit(where, "      env: prod\n", "      env: prod\n      team: web team\n")
        with open(os.path.join(self.dir, where), "a") as f:
            f.write("replicas:\n  - name: web\n    count: -2\n"
                    "configMapGenerator:\n  - name: settings\n    literals:\n      - ok=1\n      - bad key=2\n")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        found = {(r["kind"], f.get("path")): (f["file"], f["line"]) for r in report["results"] for f in r["findings"]
                 if f["severity"] == "error"}
        team = (where, self.line_of(where, "team: web team"))
        self.assertEqual(found.get(("Deployment", "metadata.labels")), team, str(found))
        self.assertEqual(found.get(("Service", "metadata.labels")), team)
        self.assertEqual(found.get(("Deployment", "spec.replicas")), (where, self.line_of(where, "count: -2")))
        self.assertEqual(found.get(("ConfigMap", "data[bad key]")), (where, self.line_of(where, "bad key=2")))

    def test_a_namespace_that_cannot_exist_is_a_defect_at_its_line(self):
        where = "overlays/prod/kustomization.yaml"
        self.edit(where, "namespace: webapp-prod", "namespace: webapp_prod")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        objs = [r for r in report["results"] if r["kind_of_result"] == "object"]
        self.assertTrue(objs and all(r["status"] == "invalid" for r in objs), explain(p))
        for r in objs:
            f = r["findings"][0]
            self.assertEqual((f["rule"], f["file"], f["line"]),
                             ("dry-run/FieldValueInvalid", where, self.line_of(where, "namespace: webapp_prod")), f)

    def test_the_base_alone_and_two_folders_in_one_run(self):
        p, report = self.run_json("base", "overlays/prod")
        self.assertEqual(p.returncode, 0, explain(p))
        suites = {r["suite"] for r in report["results"]}
        self.assertEqual(suites, {"base", "overlays/prod"})

    def test_a_broken_kustomization_is_a_finding_with_kustomizes_message(self):
        self.edit("base/kustomization.yaml", "  - service.yaml\n", "  - service.yaml\n  - missing.yaml\n")
        line = self.line_of("base/kustomization.yaml", "missing.yaml")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        build = [r for r in report["results"] if r["kind_of_result"] == "render"]
        self.assertEqual(len(build), 1, explain(p))
        f = build[0]["findings"][0]
        self.assertEqual(f["rule"], "kustomize-build")
        self.assertIn("missing.yaml", f["message"])
        self.assertIn("no such file or directory", f["message"])
        self.assertNotIn(tempfile.gettempdir() + "/kvalidate-kustomize", f["message"])
        self.assertEqual((f["file"], f["line"]), ("base/kustomization.yaml", line), json.dumps(f, indent=1))
        self.assertEqual(report["summary"]["resources"], 0)

    def test_a_patch_that_does_not_apply_is_a_finding(self):
        with open(os.path.join(self.dir, "overlays/prod/kustomization.yaml"), "a") as f:
            f.write("  - target: {kind: Deployment}\n    patch: |-\n      - op: replace\n"
                    "        path: /spec/nothing/here\n        value: 1\n")
        p = kv("kustomize", "overlays/prod", cwd=self.dir)
        self.assertEqual(p.returncode, 1, explain(p))
        line = self.line_of("overlays/prod/kustomization.yaml", "/spec/nothing/here")
        self.assertIn(f"overlays/prod/kustomization.yaml:{line}:", p.stdout, explain(p))
        self.assertIn("/spec/nothing/here", p.stdout)

    def test_a_strategic_merge_patch_that_matches_nothing_is_at_its_name(self):
        # kustomize refuses such a patch; the defect is the name the patch gives (or the object it forgot).
        self.edit("overlays/prod/replicas.yaml", "  name: web\n", "  name: wbe\n")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        build = [f for r in report["results"] for f in r["findings"] if f["rule"] == "kustomize-build"]
        self.assertEqual(len(build), 1, explain(p))
        where = "overlays/prod/replicas.yaml"
        self.assertEqual((build[0]["file"], build[0]["line"]), (where, self.line_of(where, "name: wbe")),
                         json.dumps(build[0], indent=1))
        self.assertIn("wbe", build[0]["message"])

    def test_yaml_kustomize_cannot_read_is_at_its_line_in_its_file(self):
        # kustomize names a duplicate key's line in a document it cut out, and not the file; a syntax error's
        # file but a line of its own: both are read again with kvalidate's loader.
        self.edit("base/deployment.yaml", "  replicas: 1\n", "  replicas: 1\n  replicas: 4\n")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        found = [(f["rule"], f["file"], f["line"]) for r in report["results"] for f in r["findings"]]
        self.assertEqual(found, [("input/duplicate-key", "base/deployment.yaml",
                                  self.line_of("base/deployment.yaml", "replicas: 4"))], explain(p))
        self.edit("base/deployment.yaml", "  replicas: 4\n", "  labels: [unclosed\n")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        found = [(f["rule"], f["file"], f["line"]) for r in report["results"] for f in r["findings"]]
        self.assertEqual(found, [("input/yaml-syntax", "base/deployment.yaml",
                                  self.line_of("base/deployment.yaml", "[unclosed"))], explain(p))
        # kustomize stops at its first; every one is shown at once.
        with open(os.path.join(self.dir, "overlays/prod/extra.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n  a: c\n")
        self.edit("overlays/prod/kustomization.yaml", "  - ../../base\n", "  - ../../base\n  - extra.yaml\n")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 1, explain(p))
        found = sorted((f["rule"], f["file"], f["line"]) for r in report["results"] for f in r["findings"])
        self.assertEqual(found, [("input/duplicate-key", "overlays/prod/extra.yaml", 7),
                                 ("input/yaml-syntax", "base/deployment.yaml",
                                  self.line_of("base/deployment.yaml", "[unclosed"))], explain(p))

    def test_a_patch_whose_target_selects_nothing_is_a_warning_at_its_name(self):
        # kustomize applies a patch whose target matches no object to nothing, and says nothing.
        with open(os.path.join(self.dir, "overlays/prod/kustomization.yaml"), "a") as f:
            f.write("  - target:\n      kind: Deployment\n      name: wbe\n    patch: |-\n      - op: replace\n"
                    "        path: /spec/replicas\n        value: 7\n"
                    "  - target: {kind: Deployment, name: \"w.b\"}\n    patch: |-\n      - op: add\n"
                    "        path: /metadata/labels/tier\n        value: front\n")
        p, report = self.run_json("overlays/prod")
        self.assertEqual(p.returncode, 0, explain(p))
        warnings = [(f["rule"], f["file"], f["line"]) for r in report["results"] for f in r["findings"]
                    if f["severity"] == "warning"]
        where = "overlays/prod/kustomization.yaml"
        self.assertEqual(warnings, [("kustomize/patch-targets-nothing", where, self.line_of(where, "name: wbe"))],
                         explain(p))
        strict = kv("kustomize", "overlays/prod", "--fail-on", "warning", cwd=self.dir)
        self.assertEqual(strict.returncode, 1, explain(strict))
        self.assertIn('no Deployment named "wbe" is in the build', strict.stdout)

    def test_the_flags_of_all_three_commands(self):
        # docs/cli.md's "Flags of all three": policies, Pod Security, kinds and rule levels work here too.
        p, report = self.run_json("overlays/prod", "--pod-security", "restricted", "--reject-kind", "Service")
        self.assertEqual(p.returncode, 1, explain(p))
        rules = sorted({(r["kind"], f["rule"]) for r in report["results"] for f in r["findings"]})
        self.assertEqual(rules, [("Deployment", "admission/pod-security"), ("Service", "kind/rejected")], explain(p))
        p, report = self.run_json("overlays/prod", "--policies", fixture("policies", "max-replicas"),
                                  "--skip-kind", "Service", "--risk-rules", "error")
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(sorted(r["status"] for r in report["results"]), ["skipped", "valid"], explain(p))

    def test_a_replacement_whose_field_is_missing_is_at_its_line(self):
        with open(os.path.join(self.dir, "overlays/prod/kustomization.yaml"), "a") as f:
            f.write("replacements:\n  - source: {kind: Deployment, fieldPath: metadata.name}\n"
                    "    targets:\n      - select: {kind: Deployment}\n        fieldPaths:\n"
                    "          - spec.template.spec.nothing.here\n")
        p = kv("kustomize", "overlays/prod", cwd=self.dir)
        self.assertEqual(p.returncode, 1, explain(p))
        line = self.line_of("overlays/prod/kustomization.yaml", "spec.template.spec.nothing.here")
        self.assertIn(f"overlays/prod/kustomization.yaml:{line}:", p.stdout, explain(p))

    def test_not_a_kustomization_is_bad_input(self):
        p = kv("kustomize", "overlays", cwd=self.dir)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("overlays: not a kustomization", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, explain(p))

    def test_hook_mode_maps_changed_files_to_the_overlay(self):
        self.edit("overlays/prod/replicas.yaml", "replicas: 3", "replicas: -3")
        p = kv("kustomize", "--hook", "base/service.yaml", "README.md", cwd=self.dir)
        self.assertEqual(p.returncode, 1, explain(p))  # base/ is built by overlays/prod, which fails
        self.assertIn("overlays/prod/replicas.yaml:", p.stdout)
        quiet = kv("kustomize", "--hook", "README.md", cwd=self.dir)
        self.assertEqual((quiet.returncode, quiet.stdout), (0, ""), explain(quiet))

    @unittest.skipUnless(shutil.which("git"), "git is not installed")
    def test_upgrade_from_git_rev_and_from_a_folder(self):
        def git(*args):
            g = subprocess.run(["git", "-C", self.dir, "-c", "user.email=e2e@example.invalid", "-c", "user.name=e2e",
                                *args], capture_output=True, text=True, timeout=60)
            self.assertEqual(g.returncode, 0, g.stderr)
            return g.stdout
        git("init", "-q")
        git("add", "-A")
        git("commit", "-qm", "v1")
        v1 = os.path.join(self.tmp, "v1")
        shutil.copytree(self.dir, v1, ignore=shutil.ignore_patterns(".git"))
        self.edit("base/deployment.yaml", "    matchLabels:\n      app: web\n", "    matchLabels:\n      app: web2\n")
        self.edit("base/deployment.yaml", "      labels:\n        app: web\n", "      labels:\n        app: web2\n")
        git("commit", "-qam", "v2: new selector")
        self.edit("base/deployment.yaml", "nginx:1.27", "nginx:1.29")  # uncommitted: the work tree is judged
        status_before = git("status", "--porcelain")
        selector = self.line_of("base/deployment.yaml", "selector:")

        # The overlay at HEAD~1 (its ../../base as it was then) applied in scratch namespaces, the work tree's
        # build dry-run as an update of it: the selector is immutable, found in the base file.
        p, report = self.run_json("overlays/prod", "--upgrade-from", "git:HEAD~1")
        self.assertEqual(p.returncode, 1, explain(p))
        found = [f for r in report["results"] for f in r["findings"] if f["rule"] == "upgrade/immutable-field"]
        self.assertEqual(len(found), 1, report)
        self.assertIn("spec.selector cannot change on upgrade: git:HEAD~1 (", found[0]["message"])
        self.assertEqual(os.path.basename(found[0]["file"]), "deployment.yaml", found[0])
        self.assertIn("base", found[0]["file"])
        self.assertGreaterEqual(found[0]["line"], selector)
        # HEAD has the work tree's selector: a clean upgrade. The work tree and index are left alone.
        p = kv("kustomize", "overlays/prod", "--upgrade-from", "git:HEAD", cwd=self.dir)
        self.assertEqual(p.returncode, 0, explain(p))
        self.assertEqual(git("status", "--porcelain"), status_before)
        # OLD as a folder: the same verdict.
        p = kv("kustomize", "overlays/prod", "--upgrade-from", os.path.join(v1, "overlays", "prod"), cwd=self.dir)
        self.assertEqual(p.returncode, 1, explain(p))
        self.assertIn("spec.selector cannot change on upgrade", p.stdout)
        # Bad OLDs are bad input, one line naming them; an existing cluster is refused before anything is applied.
        p = kv("kustomize", "overlays/prod", "--upgrade-from", "git:no-such-rev", cwd=self.dir)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("no-such-rev does not name a commit", p.stderr)
        p = kv("kustomize", "overlays/prod", "--upgrade-from", self.tmp, cwd=self.dir)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("--upgrade-from " + self.tmp, p.stderr)
        p = kv("kustomize", "overlays/prod", "--upgrade-from", "git:HEAD~1", "--kubeconfig",
               os.path.join(kvtest.SHARED_HOME, "kubeconfig"), cwd=self.dir)
        self.assertEqual(p.returncode, 2, explain(p))
        self.assertIn("runs on kvalidate's own plane only", p.stderr)


if __name__ == "__main__":
    kvtest.main()
