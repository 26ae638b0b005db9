#include "cli/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include <fmt/core.h>

#include "build_info.h"
#include "core/exit_codes.h"
#include "core/tools.h"
#include "resources/locate.h"
#include "validators/dryrun.h"
#include "validators/rbac_rules.h"

namespace kv::cli {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

Result<report::ReportSet> open_reports(const OutputFlags& flags) {
  auto specs = report::parse_output_specs(flags.outputs);
  if (!specs.ok()) return specs.status();
  KV_RETURN_IF_ERROR(report::check_writable(*specs));
  return report::ReportSet::Create(*specs);
}

Result<Session> connect(const PipelineOptions& opts) {
  if (!opts.namespace_.empty() && !is_dns_label(opts.namespace_))
    return Status::Usage("-n/--namespace \"" + opts.namespace_ +
                         "\" is not a valid namespace name (lower-case letters, digits and '-', at most 63, "
                         "starting and ending with a letter or digit)");
  std::vector<std::string> rbac_ids;
  for (const auto& id : opts.disabled_rules)
    if (id.rfind("KV-", 0) == 0) rbac_ids.push_back(id);
  KV_RETURN_IF_ERROR(check_rule_ids(rbac_ids));
  std::vector<Expectation> expectations;
  if (!opts.rbac_file.empty()) {
    auto loaded = load_expectations(opts.rbac_file);
    if (!loaded.ok()) return loaded.status();
    expectations = std::move(*loaded);
  }
  auto eo = ensure_options(opts.cluster);
  if (!eo.ok()) return eo.status();
  auto plane = controlplane::ensure_plane(*eo);
  if (!plane.ok()) return plane.status();
  Session s;
  s.plane = std::move(*plane);
  auto client = kube::Client::Create(s.plane.cluster);
  if (!client.ok()) return client.status();
  s.client = std::move(*client);
  auto disc = kube::Discovery::Load(*s.client, cache_dir());
  if (!disc.ok()) return disc.status().Prefixed("cannot read the API server's discovery");
  s.discovery = std::move(*disc);
  s.default_namespace = !opts.namespace_.empty()               ? opts.namespace_
                        : !s.plane.cluster.default_namespace.empty() ? s.plane.cluster.default_namespace
                                                                  : "default";
  s.expectations = std::move(expectations);
  KV_RETURN_IF_ERROR(check_expectations(s.expectations, *s.discovery));
  return s;
}

namespace {

// Exit code contribution of one result: 1 findings, 2 bad input, 3 infrastructure.
int code_of(const ObjectResult& r) {
  if (r.kind_of_result == ResultKind::kInput && r.status == ObjectStatus::kError) return exit_code::kBadInput;
  if (r.status == ObjectStatus::kInvalid) return exit_code::kFindings;
  if (r.status == ObjectStatus::kError) return exit_code::kInfrastructure;
  return exit_code::kClean;
}

int finish(report::ReportSet& reports, const Status& fatal, const std::string& server_version, double started_ms,
           int code) {
  report::RunInfo info;
  info.duration_ms = now_ms() - started_ms;
  info.aborted = !fatal.ok();
  info.abort_message = fatal.ok() ? "" : fatal.message();
  info.server_version = server_version;
  info.tool_version = KV_VERSION;
  Status written = reports.finish(info);
  if (!fatal.ok()) {
    fmt::print(stderr, "kvalidate: {}\n", fatal.message());
    code = std::max(code, fatal.exit_code());
  }
  if (!written.ok()) {
    fmt::print(stderr, "kvalidate: {}\n", written.message());
    code = std::max(code, exit_code::kBadInput);
  }
  return code;
}

// RBAC risk findings of Roles, ClusterRoles and bindings join the object's result; an error-level
// risk makes a valid object invalid.
void add_risks(ObjectResult& r, const Resource& res, const std::set<std::string>& disabled) {
  if (!is_rbac_policy_kind(res)) return;
  for (auto& f : rbac_risks(res, disabled)) {
    if (f.severity == Severity::kError && r.status == ObjectStatus::kValid) r.status = ObjectStatus::kInvalid;
    r.findings.push_back(std::move(f));
  }
}

// --disable-rule ID also silences server findings by rule ("dry-run/deprecated-api").
void drop_disabled(ObjectResult& r, const std::set<std::string>& disabled) {
  if (disabled.empty()) return;
  auto& fs = r.findings;
  fs.erase(std::remove_if(fs.begin(), fs.end(), [&](const Finding& f) { return disabled.count(f.rule) > 0; }),
           fs.end());
  if (r.status == ObjectStatus::kInvalid && r.kind_of_result == ResultKind::kObject && !r.has_severity(Severity::kError))
    r.status = ObjectStatus::kValid;
}

}  // namespace

int fail_run(report::ReportSet& reports, std::vector<Batch>& batches, const Status& why, double started_ms) {
  int code = exit_code::kClean;
  for (auto& b : batches)
    for (const auto& r : b.pre_results) {
      reports.add(r);
      code = std::max(code, code_of(r));
    }
  return finish(reports, why, "", started_ms, code);
}

int validate(Session& session, report::ReportSet& reports, std::vector<Batch>& batches,
             const PipelineOptions& opts, double started_ms) {
  int code = exit_code::kClean;
  Status fatal;
  std::set<std::string> disabled(opts.disabled_rules.begin(), opts.disabled_rules.end());
  std::string server_version = session.discovery ? session.discovery->server_version() : "";
  int total = 0, done = 0;
  for (const auto& b : batches) total += static_cast<int>(b.resources.size());
  for (auto& b : batches) {
    for (const auto& r : b.pre_results) {
      reports.add(r);
      code = std::max(code, code_of(r));
    }
    if (b.resources.empty()) continue;
    if (!fatal.ok()) {
      // The plane was lost in an earlier batch: these objects are not judged.
      for (const auto& res : b.resources) {
        ObjectResult r;
        r.suite = b.suite.empty() ? res.source.file : b.suite;
        r.source = res.source;
        r.api_version = res.api_version;
        r.kind = res.kind;
        r.namespace_ = res.namespace_;
        r.name = res.name;
        r.status = ObjectStatus::kError;
        r.findings.push_back({Severity::kError, "server/unavailable", "not validated: " + fatal.message(), "", "",
                              res.source.line, res.source.column});
        reports.add(r);
      }
      continue;
    }
    DryRunOptions o;
    o.default_namespace = session.default_namespace;
    o.jobs = opts.output.jobs;
    o.warnings_as_errors = opts.output.warnings_as_errors;
    o.owned_plane = session.plane.owned;
    o.suite = b.suite;
    o.discovery_cache_dir = cache_dir();
    o.locate = b.locate ? b.locate : [](const Resource& r, const std::string& path) {
      auto pos = locate(r, path);
      return pos ? std::make_pair(pos->line, pos->column) : std::make_pair(0, 0);
    };
    auto outcome = dry_run(*session.client, b.resources, o, [&](const ObjectResult&) { reports.progress(++done, total); });
    if (!outcome.server_version.empty()) server_version = outcome.server_version;
    for (size_t i = 0; i < outcome.results.size(); ++i) {
      ObjectResult& r = outcome.results[i];
      add_risks(r, b.resources[i], disabled);
      drop_disabled(r, disabled);
      reports.add(r);
      code = std::max(code, code_of(r));
    }
    if (!outcome.fatal.ok()) {
      fatal = outcome.fatal;
      continue;
    }
    if (!session.expectations.empty()) {
      EvalOptions eo;
      eo.owned_plane = session.plane.owned;
      eo.state_dir = controlplane::state_dir("");
      eo.default_namespace = session.default_namespace;
      eo.suite = b.suite.empty() ? (b.resources.empty() ? "" : b.resources[0].source.file) : b.suite;
      eo.cluster_name = session.plane.cluster.context.empty() ? session.plane.cluster.server
                                                              : session.plane.cluster.context;
      eo.jobs = opts.output.jobs;
      auto eval = evaluate_expectations(*session.client, *session.discovery, b.resources, session.expectations, eo);
      for (const auto& r : eval.results) {
        reports.add(r);
        code = std::max(code, code_of(r));
      }
      if (!eval.fatal.ok()) fatal = eval.fatal;
    }
  }
  return finish(reports, fatal, server_version, started_ms, code);
}

}  // namespace kv::cli
