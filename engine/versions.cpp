#include "engine/versions.h"

#include <algorithm>
#include <future>

#include <fmt/format.h>

#include "build_info.h"
#include "core/clock.h"
#include "core/exit_codes.h"
#include "validators/version_diff.h"

namespace kv::engine {

Result<std::vector<VersionSession>> open_version_sessions(const std::vector<RunOptions>& per_version) {
  std::vector<controlplane::EnsureOptions> planes;
  for (const auto& o : per_version) planes.push_back(o.connect.ensure);
  // Start (or build) every plane first, together; open_session() then finds each one running.
  auto ensured = controlplane::ensure_planes(planes);
  for (size_t i = 0; i < ensured.size(); ++i)
    if (!ensured[i].ok()) return ensured[i].status().Prefixed("Kubernetes " + planes[i].kube_version);
  std::vector<VersionSession> out;
  for (const auto& o : per_version) {
    auto s = open_session(o);
    if (!s.ok()) return s.status().Prefixed("Kubernetes " + o.connect.ensure.kube_version);
    out.push_back({o.connect.ensure.kube_version, std::move(*s)});
  }
  return out;
}

namespace {

struct VersionOutcome {
  std::shared_ptr<report::Collected> collected = std::make_shared<report::Collected>();
  RunEnd end;
  double duration_ms = 0;
};

// One version's run into a report set that collects instead of writing.
VersionOutcome validate_one(VersionSession& vs, std::vector<Batch>& batches, const RunOptions& opts) {
  VersionOutcome out;
  std::vector<std::unique_ptr<report::Reporter>> collect;
  collect.push_back(report::make_collecting_reporter(out.collected));
  auto set = report::ReportSet::FromReporters(std::move(collect), nullptr);
  double start = now_ms();
  out.end = validate(vs.session, set, batches, opts, start);
  out.duration_ms = now_ms() - start;
  for (auto& r : out.collected->results)
    if (r.server_version.empty()) r.server_version = vs.version;
  return out;
}

}  // namespace

RunEnd validate_versions(std::vector<VersionSession>& sessions, report::ReportSet& reports,
                         std::vector<std::vector<Batch>>& batches, const std::vector<ObjectResult>& shared,
                         const std::vector<RunOptions>& per_version, double started_ms) {
  std::vector<std::future<VersionOutcome>> running;
  for (size_t i = 0; i < sessions.size(); ++i)
    running.push_back(std::async(std::launch::async,
                                 [&, i] { return validate_one(sessions[i], batches[i], per_version[i]); }));
  std::vector<VersionOutcome> outcomes;
  for (auto& f : running) outcomes.push_back(f.get());

  RunEnd end;
  report::RunInfo info;
  std::vector<std::string> versions;
  std::vector<VersionDiscovery> discoveries;
  std::vector<ObjectResult> results;
  for (size_t i = 0; i < sessions.size(); ++i) {
    const std::string& v = sessions[i].version;
    const VersionOutcome& o = outcomes[i];
    versions.push_back(v);
    discoveries.push_back({v, &sessions[i].session.conn.discovery});
    results.insert(results.end(), o.collected->results.begin(), o.collected->results.end());
    info.version_duration_ms[v] = o.duration_ms;
    end.exit_code = std::max(end.exit_code, o.end.exit_code);
    for (const auto& e : o.end.errors) end.errors.push_back("Kubernetes " + v + ": " + e);
    if (o.collected->summary.aborted) {
      info.aborted = true;
      info.abort_message += (info.abort_message.empty() ? "" : "; ") + v + ": " + o.collected->summary.abort_message;
    }
  }
  explain_version_differences(results, discoveries);
  reports.set_kube_versions(versions);
  for (const auto& r : shared) {
    reports.add(r);
    end.exit_code = std::max(end.exit_code, exit_code_of(r));
  }
  for (const auto& r : results) reports.add(r);
  info.duration_ms = now_ms() - started_ms;
  info.server_version = fmt::format("{}", fmt::join(versions, ","));
  info.tool_version = KV_VERSION;
  if (Status written = reports.finish(info); !written.ok()) {
    end.errors.push_back(written.message());
    end.exit_code = std::max(end.exit_code, exit_code::kBadInput);
  }
  return end;
}

RunEnd run_versions(report::ReportSet& reports, std::vector<Batch>& batches, const std::vector<RunOptions>& per_version,
                    double started_ms) {
  auto sessions = open_version_sessions(per_version);
  if (!sessions.ok()) return fail_run(reports, batches, sessions.status(), started_ms);
  std::vector<ObjectResult> shared;
  for (auto& b : batches) {
    shared.insert(shared.end(), b.pre_results.begin(), b.pre_results.end());
    b.pre_results.clear();
  }
  std::vector<std::vector<Batch>> per(sessions->size(), batches);
  return validate_versions(*sessions, reports, per, shared, per_version, started_ms);
}

}  // namespace kv::engine
