// For the report tests only: a fixed set of results covering every status and result kind, awkward
// characters included, and helpers to run them through reporters and compare with golden files.
#pragma once

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "report/merge.h"
#include "report/reporter.h"

namespace kv::report::testing {

inline ObjectResult object(const std::string& file, int line, const std::string& kind,
                           const std::string& ns, const std::string& name, ObjectStatus status) {
  ObjectResult r;
  r.suite = file;
  r.source.file = file;
  r.source.line = line;
  r.source.column = 1;
  r.api_version = kind == "Deployment" ? "apps/v1" : "v1";
  r.kind = kind;
  r.namespace_ = ns;
  r.name = name;
  r.status = status;
  r.duration_ms = 12.5;
  r.server_version = "v1.37.2";
  return r;
}

inline Finding finding(Severity sev, const std::string& rule, const std::string& message, int line = 0,
                       int column = 0, const std::string& path = "", const std::string& file = "") {
  Finding f;
  f.severity = sev;
  f.rule = rule;
  f.message = message;
  f.line = line;
  f.column = column;
  f.path = path;
  f.file = file;
  return f;
}

inline ObjectResult check(ResultKind kind, const std::string& suite, const std::string& title,
                          ObjectStatus status, std::vector<Finding> findings) {
  ObjectResult r;
  r.kind_of_result = kind;
  r.suite = suite;
  r.title = title;
  r.status = status;
  r.findings = std::move(findings);
  r.duration_ms = 250;
  return r;
}

// Every status and kind of result; file names and messages with characters each format must escape.
inline std::vector<ObjectResult> fixture_results() {
  using S = ObjectStatus;
  using V = Severity;
  const std::string app = "manifests/app.yaml", chart = "charts/web values=values-prod.yaml";
  std::vector<ObjectResult> rs;
  rs.push_back(object(app, 1, "Deployment", "demo", "web", S::kValid));
  auto svc = object(app, 30, "Service", "demo", "web", S::kInvalid);
  svc.findings = {finding(V::kError, "dry-run/FieldValueInvalid",
                          "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
                          38, 11, "spec.ports[0].port"),
                  finding(V::kWarning, "dry-run/Warning", "unknown field \"spec.foo\"", 0, 0, "spec.foo")};
  rs.push_back(svc);
  rs.push_back(object("manifests/other.yaml", 1, "Service", "demo", "web", S::kValid));  // same name
  auto widget = object(app, 50, "Widget", "demo", "w1", S::kSkipped);
  widget.api_version = "example.com/v1";
  widget.findings = {finding(V::kInfo, "dry-run/NoCRD", "CRD widgets.example.com is not installed on the cluster")};
  rs.push_back(widget);
  auto cm = object(app, 60, "ConfigMap", "demo", "cfg", S::kError);
  cm.findings = {finding(V::kError, "kvalidate/request-failed", "request timed out after 30s")};
  rs.push_back(cm);
  auto ing = object("manifests/ingress.yaml", 1, "Ingress", "demo", "old", S::kValid);
  ing.api_version = "networking.k8s.io/v1beta1";
  ing.findings = {finding(V::kWarning, "dry-run/Warning", "networking.k8s.io/v1beta1 Ingress is deprecated in v1.19+", 1, 1)};
  rs.push_back(ing);
  auto ns = object("manifests/app.yaml", 70, "ClusterRole", "", "reader", S::kValid);
  ns.api_version = "rbac.authorization.k8s.io/v1";
  rs.push_back(ns);
  rs.push_back(check(ResultKind::kRender, chart, "render", S::kInvalid,
                     {finding(V::kError, "render",
                              "template: web/templates/deploy.yaml:12:20: executing \"web/templates/deploy.yaml\" "
                              "at <.Values.image.tag>: nil pointer evaluating interface {}.tag",
                              12, 20, "", "charts/web/templates/deploy.yaml")}));
  rs.push_back(check(ResultKind::kLint, chart, "helm lint", S::kValid,
                     {finding(V::kInfo, "helm-lint", "icon is recommended", 0, 0, "", "charts/web/Chart.yaml")}));
  auto rendered = object("charts/web/templates/service.yaml", 3, "Service", "prod", "web", S::kValid);
  rendered.suite = chart;
  rendered.source.template_path = "templates/service.yaml";
  rendered.source.chart = "charts/web";
  rs.push_back(rendered);
  rs.push_back(check(ResultKind::kRbacExpectation, "rbac.yaml", "system:serviceaccount:demo:app cannot list secrets",
                     S::kInvalid,
                     {finding(V::kError, "rbac-expectation",
                              "expected cannot, but the authorizer allows it (RoleBinding demo/app-admin)", 4, 3,
                              "", "expectations.yaml")}));
  auto rule = check(ResultKind::kRbacRule, "rbac.yaml", "ClusterRole/wide", S::kInvalid,
                    {finding(V::kError, "KV-RBAC-003", "grants get on secrets cluster-wide", 9, 5, "rules[0]"),
                     finding(V::kWarning, "KV-RBAC-001", "wildcard verbs on all resources", 12, 5, "rules[1]")});
  rule.source.file = "rbac.yaml";
  rule.source.line = 1;
  rs.push_back(rule);
  auto input = check(ResultKind::kInput, "manifests/broken.yaml", "manifests/broken.yaml", S::kInvalid,
                     {finding(V::kError, "input/yaml-syntax", "mapping values are not allowed here", 3, 7)});
  input.source.file = "manifests/broken.yaml";
  rs.push_back(input);
  // A (secret-free) message with quotes, newlines, tabs, a control character, invalid UTF-8, unicode,
  // XML markup characters, and a file name with a space, a comma and a colon.
  auto odd = object("manifests/odd file,v1:x.yaml", 2, "ConfigMap", "demo", "odd\"<&>", S::kInvalid);
  odd.findings = {finding(V::kError, "dry-run/FieldValueInvalid",
                          "data[\"k\"]: value \"a<b>&c\" isn't valid:\r\n\tsecond line \xe2\x80\x94 na\xc3\xafve \xe2\x9c\x93 "
                          "100% \x01\xff end",
                          4, 3, "data[\"k\"]")};
  rs.push_back(odd);
  return rs;
}

// Runs `results` through one reporter of `format`; returns what it wrote. `setup`, when given, may
// change the set (before the results go in) and the run's info (before finish) from the defaults.
// A ReportSet of one reporter of `format` that writes into `*out`, with a fixed timestamp.
inline ReportSet capturing_set(const std::string& format, const std::shared_ptr<std::string>& out) {
  auto ctx = std::make_shared<ReportContext>();
  ctx->timestamp = "2026-01-01T00:00:00";
  std::vector<std::unique_ptr<Reporter>> reps;
  reps.push_back(make_reporter(format, [out](const std::string& t) { *out = t; return Status::Ok(); }, ctx));
  return ReportSet::FromReporters(std::move(reps), ctx);
}

inline std::string render(const std::string& format, const std::vector<ObjectResult>& results,
                          bool aborted = false,
                          const std::function<void(ReportSet&, RunInfo&)>& setup = {},
                          RunSummary* summary = nullptr) {
  auto out = std::make_shared<std::string>();
  auto set = capturing_set(format, out);
  RunInfo info;
  info.duration_ms = 1234.5;
  info.tool_version = "0.0.0-test";
  info.server_version = "v1.37.2";
  info.aborted = aborted;
  if (aborted) info.abort_message = "control plane lost: connection refused (127.0.0.1:6443)";
  if (setup) setup(set, info);
  for (const auto& r : results) set.add(r);
  (void)set.finish(info);
  if (summary) *summary = set.summary();
  return *out;
}

// The results split into `n` shard reports (result i in shard i % n + 1), each written as JSON by a run
// with --shard and read back.
inline std::vector<ReadReport> shard_reports(int n, const std::vector<ObjectResult>& results = fixture_results()) {
  std::vector<ReadReport> out;
  for (int s = 1; s <= n; ++s) {
    std::vector<ObjectResult> mine;
    for (size_t i = 0; i < results.size(); ++i)
      if (static_cast<int>(i) % n + 1 == s) mine.push_back(results[i]);
    auto text = render("json", mine, false, [&](ReportSet& set, RunInfo& info) {
      set.set_shards({n, {s}});
      info.duration_ms = 100 * s;
    });
    out.push_back(read_json_report(text, "shard-" + std::to_string(s) + ".json").value());
  }
  return out;
}

// A report read back (report/json_read.h) written again as `format`, with render()'s timestamp.
inline std::string render_read(const std::string& format, const ReadReport& report) {
  auto out = std::make_shared<std::string>();
  auto set = capturing_set(format, out);
  Status written = write_read_report(set, report);
  return written.ok() ? *out : "write_read_report failed: " + written.message();
}

// The fixture's results in `n` shard reports, merged (merge-reports) and written as `format`.
inline std::string render_merged(const std::string& format, int n) {
  return render_read(format, merge_reports(shard_reports(n)).value().report);
}

inline std::string golden_path(const std::string& name) {
  return std::string(KV_SOURCE_DIR) + "/tests/golden/" + name;
}

inline std::string read_file_or_empty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares `actual` with tests/golden/<name>; KV_UPDATE_GOLDEN=1 rewrites the file instead.
inline bool matches_golden(const std::string& name, const std::string& actual) {
  const char* update = std::getenv("KV_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(golden_path(name), std::ios::binary) << actual;
    return true;
  }
  return read_file_or_empty(golden_path(name)) == actual;
}

}  // namespace kv::report::testing
