#include "engine/run.h"

#include <algorithm>
#include <set>

#include "build_info.h"
#include "core/clock.h"
#include "core/exit_codes.h"
#include "engine/batch.h"
#include "validators/rbac_expectations.h"
#include "validators/rbac_rules.h"

namespace kv::engine {

namespace {

// The state of a run across its batches.
struct RunState {
  explicit RunState(report::ReportSet& r) : reports(r) {}
  report::ReportSet& reports;
  int code = exit_code::kClean;
  Status fatal;
  std::string server_version;
  int total = 0, done = 0;
  RbacRefusals refusals;

  void report(const ObjectResult& r) {
    reports.add(r);
    refusals.add(r);
    code = std::max(code, exit_code_of(r));
  }
};

RunEnd finish(RunState& run, double started_ms) {
  report::RunInfo info;
  info.duration_ms = now_ms() - started_ms;
  info.aborted = !run.fatal.ok();
  info.abort_message = run.fatal.ok() ? "" : run.fatal.message();
  info.server_version = run.server_version;
  info.tool_version = KV_VERSION;
  Status written = run.reports.finish(info);
  RunEnd end{run.code, {}};
  // Findings say it per object; when RBAC refused the credentials (maybe for every object), stderr says
  // it once, so a run that judged nothing does not end silently with exit 2.
  if (std::string refused = run.refusals.summary(); !refused.empty()) end.errors.push_back(refused);
  if (!run.fatal.ok()) {
    end.errors.push_back(run.fatal.message());
    end.exit_code = std::max(end.exit_code, run.fatal.exit_code());
  }
  if (!written.ok()) {
    end.errors.push_back(written.message());
    end.exit_code = std::max(end.exit_code, exit_code::kBadInput);
  }
  return end;
}

// The batch's objects on the server, each with its RBAC risks and without disabled rules.
void judge_objects(Session& s, RunState& run, const Batch& b, const RunOptions& opts,
                   const std::set<std::string>& disabled) {
  BatchOptions o;
  o.default_namespace = s.conn.default_namespace;
  o.plane = s.conn.plane_kind();
  o.jobs = opts.jobs;
  o.warnings_as_errors = opts.warnings_as_errors;
  o.suite = b.suite;
  o.locate = b.locate ? b.locate : LocateFn(locate_in_source);
  RefreshDiscovery refresh = [&s]() -> const kube::Discovery* {
    if (s.conn.discovery_refreshed || s.conn.discovery_cache_dir.empty()) return nullptr;
    return refresh_discovery(s.conn).ok() ? &s.conn.discovery : nullptr;
  };
  auto outcome = run_batch(*s.conn.client, s.conn.discovery, refresh, b.resources, o,
                           [&](const ObjectResult&) { run.reports.progress(++run.done, run.total); });
  for (size_t i = 0; i < outcome.results.size(); ++i) {
    ObjectResult& r = outcome.results[i];
    add_local_findings(r, b.resources[i], b.map_line);
    add_rbac_risks(r, b.resources[i], disabled, b.map_line);
    drop_disabled(r, disabled);
    run.report(r);
  }
  if (!outcome.fatal.ok()) run.fatal = outcome.fatal;
}

// The RBAC expectations, checked against this batch's objects.
void check_batch_expectations(Session& s, RunState& run, const Batch& b, const RunOptions& opts) {
  EvalOptions eo;
  eo.owned_plane = s.conn.plane.owned;
  eo.state_dir = s.conn.state_dir;
  eo.default_namespace = s.conn.default_namespace;
  eo.suite = b.suite.empty() ? (b.resources.empty() ? "" : b.resources[0].source.file) : b.suite;
  eo.cluster_name = s.conn.cluster_name();
  eo.jobs = opts.jobs;
  auto eval = evaluate_expectations(*s.conn.client, b.resources, s.expectations, eo);
  for (const auto& r : eval.results) run.report(r);
  if (!eval.fatal.ok()) run.fatal = eval.fatal;
}

}  // namespace

Result<Session> open_session(const RunOptions& opts) {
  KV_RETURN_IF_ERROR(check_namespace_name(opts.connect.namespace_));
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
  if (opts.inline_expectations) expectations = *opts.inline_expectations;
  auto conn = connect(opts.connect);
  if (!conn.ok()) return conn.status();
  KV_RETURN_IF_ERROR(check_expectations(expectations, conn->discovery));
  return Session{std::move(*conn), std::move(expectations)};
}

RunEnd validate(Session& session, report::ReportSet& reports, std::vector<Batch>& batches, const RunOptions& opts,
                double started_ms) {
  RunState run(reports);
  run.server_version = session.conn.discovery.server_version();
  std::set<std::string> disabled(opts.disabled_rules.begin(), opts.disabled_rules.end());
  for (const auto& b : batches) run.total += static_cast<int>(b.resources.size());
  for (auto& b : batches) {
    for (auto& r : take_filtered_kinds(b.resources, opts.kinds, b.suite)) b.pre_results.push_back(std::move(r));
    for (const auto& r : b.pre_results) run.report(r);
    if (b.resources.empty()) continue;
    if (!run.fatal.ok()) {
      // The plane was lost in an earlier batch: these objects are not judged.
      for (const auto& res : b.resources) run.report(not_validated(res, b.suite, run.fatal.message()));
      continue;
    }
    judge_objects(session, run, b, opts, disabled);
    if (run.fatal.ok() && !session.expectations.empty()) check_batch_expectations(session, run, b, opts);
  }
  return finish(run, started_ms);
}

RunEnd fail_run(report::ReportSet& reports, const std::vector<Batch>& batches, const Status& why, double started_ms) {
  RunState run(reports);
  for (const auto& b : batches)
    for (const auto& r : b.pre_results) run.report(r);
  run.fatal = why;
  return finish(run, started_ms);
}

RunEnd run(report::ReportSet& reports, std::vector<Batch>& batches, const RunOptions& opts, double started_ms) {
  auto session = open_session(opts);
  if (!session.ok()) return fail_run(reports, batches, session.status(), started_ms);
  return validate(*session, reports, batches, opts, started_ms);
}

}  // namespace kv::engine
