#!/usr/bin/env python3
"""Real-world charts and manifests through kvalidate, against the truth of `helm template` +
`kubectl apply --server-side --dry-run=server` on the same plane. One table row per input:

  input | kvalidate exit and object verdicts | truth (objects the server rejects) | verdicts that
  disagree | lines checked (ok / checked) | time

Usage: bench/realcharts.py DIR [NAME...]   (bench/realcharts.sh starts the plane and calls this)

DIR holds one folder per input (fetched outside the repo): a chart (a Chart.yaml; dependencies already
in its charts/) or a folder of manifests. Inputs that are missing are skipped and listed. Before each
kvalidate run and each truth run every CRD is deleted from the plane, so each starts from the plane's
baseline. Environment: KVALIDATE_BIN, KUBECTL, HELM (paths), KV_FLAGS (extra kvalidate flags),
KV_REPORTS (folder to keep the JSON reports in).

"Lines checked" reads the file each finding points at: an object's line must lie in a template part that
writes its kind (or a kind through an action); a risk rule's line must hold the offending value ('*',
the verb, secrets, ...) or an enclosing RBAC key; a server finding's line must hold a key of its field
path. Findings without a line are not counted; objects written by helpers (no kind in the part) neither.
"""
import json
import os
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time

INPUTS = [
    "podinfo", "ingress-nginx", "metrics-server", "external-dns", "kube-state-metrics",
    "prometheus-node-exporter", "alertmanager", "prometheus-pushgateway", "grafana", "argo-cd",
    "traefik", "cert-manager", "bitnami-nginx", "bitnami-redis", "kube-prometheus-stack",
    "argo-cd-install", "kube-prometheus-manifests", "kubernetes-examples", "argo-workflows",
    "argo-rollouts", "prometheus-blackbox-exporter", "prometheus-adapter", "promtail",
]
KV = os.environ.get("KVALIDATE_BIN", "kvalidate")
KUBECTL = os.environ.get("KUBECTL", "kubectl")
HELM = os.environ.get("HELM", "helm")
RISK_TOKENS = {
    "KV-RBAC-001": ["*"], "KV-RBAC-002": ["*"], "KV-RBAC-003": ["*"], "KV-RBAC-004": ["escalate"],
    "KV-RBAC-005": ["bind"], "KV-RBAC-006": ["impersonate"], "KV-RBAC-007": ["secrets"],
    "KV-RBAC-008": ["exec", "attach"], "KV-RBAC-010": ["nodes/proxy"], "KV-RBAC-011": ["cluster-admin"],
    "KV-RBAC-012": ["system:masters"], "KV-RBAC-013": ["system:anonymous", "system:unauthenticated"],
    "KV-RBAC-014": ["system:authenticated"],
    "KV-RBAC-009": ["pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
                    "replicationcontrollers"],
}
RBAC_KEYS = ("rules:", "verbs:", "resources:", "apiGroups:", "subjects:", "roleRef:", "- name:", "name:")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def reset_crds():
    run([KUBECTL, "delete", "crd", "--all", "--wait=true", "--timeout=120s"])


# ---- the truth ------------------------------------------------------------------------------------

def split_docs(text):
    docs, cur = [], []
    for line in text.splitlines():
        if re.match(r"^---\s*(#.*)?$", line):
            docs.append("\n".join(cur))
            cur = []
        else:
            cur.append(line)
    docs.append("\n".join(cur))
    return [d for d in docs if re.search(r"^\S", d, re.M) and re.search(r"^kind:", d, re.M)]


def field(doc, key):
    m = re.search(r"^%s:\s*['\"]?([^'\"\s#]+)" % key, doc, re.M)
    return m.group(1) if m else ""


def meta(doc, key):
    m = re.search(r"^metadata:\s*\n((?:[ \t]+.*\n?|\s*\n)*)", doc, re.M)
    if not m:
        return ""
    block = m.group(1)
    indent = re.match(r"[ \t]*", block).group(0)
    k = re.search(r"^%s%s:\s*['\"]?([^'\"\s#]+)" % (re.escape(indent), key), block, re.M)
    return k.group(1) if k else ""


def object_key(kind, api_version, name):
    """kubectl's `-o name` form; a random 5-character suffix (randAlphaNum in test hooks) is dropped."""
    group = api_version.split("/")[0] if "/" in api_version else ""
    name = re.sub(r"-[a-z0-9]{5}$", "", name)
    return f"{kind.lower()}{'.' + group if group else ''}/{name}"


def normal(kubectl_name):
    return re.sub(r"-[a-z0-9]{5}$", "", kubectl_name.strip())


def truth(stream_text):
    """The set of 'kind.group/name' kubectl apply --server-side --dry-run=server accepts, and every object key."""
    docs = split_docs(stream_text)
    crds = [d for d in docs if field(d, "kind") == "CustomResourceDefinition"]
    nss = [d for d in docs if field(d, "kind") == "Namespace"]
    rest = [d for d in docs if d not in crds and d not in nss]
    accepted, keys = set(), []
    for group in (crds, nss):
        if group:
            p = run([KUBECTL, "apply", "--server-side", "--force-conflicts", "-o", "name", "-f", "-"],
                    input="\n---\n".join(group))
            accepted |= {normal(l) for l in p.stdout.splitlines() if l.strip()}
    if crds:
        run([KUBECTL, "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"])
    for ns in sorted({meta(d, "namespace") for d in rest} - {""}):
        run([KUBECTL, "create", "namespace", ns])
    if rest:
        p = run([KUBECTL, "apply", "--server-side", "--dry-run=server", "--force-conflicts", "-o", "name", "-f", "-"],
                input="\n---\n".join(rest))
        accepted |= {normal(l) for l in p.stdout.splitlines() if l.strip()}
    for d in docs:
        keys.append(object_key(field(d, "kind"), field(d, "apiVersion"), meta(d, "name")))
    return accepted, keys


def chart_name(chart):
    """The chart's `name:` (kvalidate's release name; the folder may be named otherwise)."""
    with open(os.path.join(chart, "Chart.yaml"), errors="replace") as f:
        for line in f:
            if line.startswith("name:"):
                return line.split(":", 1)[1].strip().strip("'\"")
    return os.path.basename(chart.rstrip("/"))


def helm_template(chart, values_file, kube_version, api_versions, release):
    cmd = [HELM, "template", release, chart, "--include-crds"]
    if kube_version:
        cmd += ["--kube-version", kube_version]
    if api_versions:
        cmd += ["--api-versions", ",".join(api_versions)]
    if values_file:
        cmd += ["-f", os.path.join(chart, values_file)]
    p = run(cmd)
    return p.stdout if p.returncode == 0 else None


def manifest_text(path):
    files = []
    for d, _, names in os.walk(path):
        files += [os.path.join(d, n) for n in names if n.endswith((".yaml", ".yml", ".json"))]
    out = []
    for f in sorted(files):
        with open(f, errors="replace") as fh:
            out.append(fh.read())
    return "\n---\n".join(out)


# ---- line checks ----------------------------------------------------------------------------------

def file_lines(path, cache={}):
    if path not in cache:
        try:
            with open(path, errors="replace") as f:
                cache[path] = f.read().splitlines()
        except OSError:
            cache[path] = None
    return cache[path]


def part_kinds(lines, line):
    """Top-level kinds written in the `---` part of `lines` holding 1-based `line`; None when it has none."""
    i = line - 1
    b = i
    while b > 0 and not re.match(r"^---\s*(#.*)?$", lines[b - 1]):
        b -= 1
    e = i
    while e < len(lines) and not (e > i and re.match(r"^---\s*(#.*)?$", lines[e])):
        e += 1
    part = lines[b:e]
    indents = [len(l) - len(l.lstrip(" ")) for l in part if re.match(r"^\s*[\w\"'-]+:", l)]
    if not indents:
        return None
    top = min(indents)
    kinds = [re.sub(r"^\s*kind:\s*", "", l).strip().strip("'\"") for l in part
             if re.match(r"^ {%d}kind:" % top, l)]
    return kinds or None


def starts_object(lines, line, kind):
    """Whether 1-based `line` starts an object of `kind` that is no top-level document of its part: a List
    item (`- apiVersion:` with `kind: KIND` among the item's next lines), or an action that writes the whole
    object (`{{ include ... }}`, `{{ template ... }}`, `{{ toYaml ... }}`) in a part that writes no kind."""
    text = lines[line - 1]
    if re.match(r"^\s*- apiVersion:", text):
        indent = len(text) - len(text.lstrip(" ")) + 2
        for l in lines[line:line + 8]:
            if re.match(r"^ {%d}kind:\s*[\"']?%s[\"']?\s*$" % (indent, re.escape(kind)), l):
                return True
        return False
    return bool(re.match(r"^\s*\{\{-?\s*(include|template|toYaml|tpl)\b", text)) and part_kinds(lines, line) is None


def check_result(r, root):
    """(ok, checked) for an object result and its findings."""
    ok = checked = 0
    src = r.get("source", {})
    if r["kind_of_result"] == "object" and src.get("template") and src.get("line", 0) > 0:
        lines = file_lines(src["file"])
        if lines is not None and src["line"] <= len(lines):
            kinds = part_kinds(lines, src["line"])
            if starts_object(lines, src["line"], r["kind"]):
                checked += 1
                ok += 1
            elif kinds is not None:
                checked += 1
                ok += any(k == r["kind"] or "{{" in k for k in kinds)
    for f in r.get("findings", []):
        if f.get("line", 0) <= 0 or f.get("severity") == "info":
            continue
        path = f.get("file") or src.get("file", "")
        lines = file_lines(path)
        if lines is None:
            continue
        rule = f.get("rule", "")
        if rule.startswith("KV-RBAC"):
            checked += 1
            if f["line"] <= len(lines):
                text = lines[f["line"] - 1]
                ok += any(t in text for t in RISK_TOKENS.get(rule, [])) or any(k in text for k in RBAC_KEYS)
            continue
        keys = [k for k in re.split(r"[.\[\]]", re.sub(r"\[[^\]]*\]", "", f.get("path", ""))) if k]
        if not keys:
            continue
        checked += 1
        if keys in (["kind"], ["apiVersion"]) and f["line"] <= len(lines) and starts_object(lines, f["line"], r["kind"]):
            ok += 1
            continue
        if f["line"] <= len(lines):
            text = lines[f["line"] - 1]
            ok += any(re.search(r"(^|[\s\"'{-])%s[\"']?:" % re.escape(k), text) for k in keys + ["metadata", "spec"])
    return ok, checked


# ---- one input ------------------------------------------------------------------------------------

def suite_values(suite):
    m = re.search(r"\(values: ([^)]*)\)", suite)
    return m.group(1) if m else ""


def server_rejected(r):
    """kvalidate's server verdict for an object: findings from the server or the loader, not risk rules."""
    return any(f["severity"] == "error" and not f["rule"].startswith("KV-RBAC") and f["rule"] != "input/duplicate-key"
               for f in r["findings"]) and r["status"] == "invalid"


def one(name, path, reports):
    chart = os.path.exists(os.path.join(path, "Chart.yaml"))
    flags = shlex.split(os.environ.get("KV_FLAGS", ""))
    report = os.path.join(reports, name + ".json")
    reset_crds()
    start, cpu0 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    p = run([KV, "chart" if chart else "manifests", path, "-o", f"json={report}", *flags])
    took = time.monotonic() - start
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime  # kvalidate and its helm runs
    try:
        with open(report) as f:
            rep = json.load(f)
    except (OSError, ValueError):
        return {"name": name, "exit": p.returncode, "error": (p.stderr.strip().splitlines() or ["no report"])[-1]}
    objs = [r for r in rep["results"] if r["kind_of_result"] == "object"]
    status = {s: sum(r["status"] == s for r in objs) for s in ("valid", "invalid", "skipped", "error")}
    risk_only = sum(r["status"] == "invalid" and not server_rejected(r) for r in objs)
    ok = checked = 0
    for r in rep["results"]:
        a, b = check_result(r, path)
        ok, checked = ok + a, checked + b
    # The truth, suite by suite.
    reset_crds()
    api = run([KUBECTL, "api-versions"]).stdout.split()
    disagree = rejected = judged = 0
    suites = sorted({r["suite"] for r in objs}) if chart else [None]
    for suite in suites:
        if chart:
            text = helm_template(path, suite_values(suite), rep.get("server_version", ""), api, chart_name(path))
            if text is None:
                continue
        else:
            text = manifest_text(path)
        accepted, keys = truth(text)
        reset_crds()
        for r in objs:
            if chart and r["suite"] != suite:
                continue
            key = object_key(r["kind"], r["apiVersion"], r["name"])
            if key not in keys or r["status"] in ("skipped", "error"):
                continue
            judged += 1
            truth_ok = key in accepted
            rejected += not truth_ok
            disagree += truth_ok == server_rejected(r)
    return {"name": name, "exit": p.returncode, "status": status, "risk_only": risk_only, "truth_rejected": rejected,
            "judged": judged, "disagree": disagree, "ok": ok, "checked": checked, "time": took, "cpu": cpu,
            "suites": len(suites) if chart else 1, "findings_err": p.stderr.strip().splitlines()[-1:] if p.returncode > 1 else []}


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    root = sys.argv[1]
    names = sys.argv[2:] or INPUTS
    reports = os.environ.get("KV_REPORTS") or tempfile.mkdtemp(prefix="kv-realcharts-")
    os.makedirs(reports, exist_ok=True)
    print("| input | kvalidate: exit, objects valid/invalid/skipped (invalid by risk rules only) | truth: rejected/judged | verdicts that disagree | lines ok/checked | time (CPU of kvalidate + helm) |")
    print("| --- | --- | --- | --- | --- | --- |")
    missing = []
    for name in names:
        path = os.path.join(root, name)
        if not os.path.isdir(path):
            missing.append(name)
            continue
        r = one(name, path, reports)
        if "error" in r:
            print(f"| {name} | exit {r['exit']}: {r['error']} | | | | |")
            continue
        s = r["status"]
        extra = f", {s['error']} error" if s["error"] else ""
        suites = f" ({r['suites']} suites)" if r["suites"] > 1 else ""
        print(f"| {name}{suites} | exit {r['exit']}: {s['valid']}/{s['invalid']}/{s['skipped']}{extra} ({r['risk_only']}) "
              f"| {r['truth_rejected']}/{r['judged']} | {r['disagree']} | {r['ok']}/{r['checked']} | {r['time']:.1f} s ({r['cpu']:.1f} s) |",
              flush=True)
    if missing:
        print(f"\nskipped (not in {root}): {', '.join(missing)}")
    print(f"\nreports: {reports}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
