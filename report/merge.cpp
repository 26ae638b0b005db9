#include "report/merge.h"

#include <algorithm>
#include <map>

#include "core/exit_codes.h"

namespace kv::report {
namespace {

std::string shard_name(const ShardSet& s) {
  std::string out;
  for (int i : s.indexes) out += (out.empty() ? "" : ",") + std::to_string(i);
  return out + "/" + std::to_string(s.count);
}

// Refuses `r` when it cannot join `first`: another run, another configuration.
Status check_compatible(const ReadReport& first, const ReadReport& r) {
  if (r.tool_version != first.tool_version)
    return Status::InvalidInput(r.file + ": written by kvalidate " + r.tool_version + ", " + first.file +
                                " by kvalidate " + first.tool_version + ": merge the reports of one kvalidate version");
  if (r.fail_on != first.fail_on)
    return Status::InvalidInput(r.file + ": --fail-on " + r.fail_on + ", " + first.file + ": --fail-on " +
                                first.fail_on + ": merge the reports of one run configuration");
  if (r.shards.enabled() != first.shards.enabled()) {
    const ReadReport& plain = r.shards.enabled() ? first : r;
    const ReadReport& sharded = r.shards.enabled() ? r : first;
    return Status::InvalidInput(r.file + ": " + plain.file + " is not a shard's report but " + sharded.file +
                                " is shard " + shard_name(sharded.shards) + ": merge the shards of one run");
  }
  if (r.shards.count != first.shards.count)
    return Status::InvalidInput(r.file + ": shard " + shard_name(r.shards) + ", but " + first.file + " is shard " +
                                shard_name(first.shards) + ": merge the shards of one --shard I/N split");
  if (!r.kube_versions.empty() && !first.kube_versions.empty() && r.kube_versions != first.kube_versions)
    return Status::InvalidInput(r.file + ": validated on other Kubernetes versions than " + first.file +
                                ": merge the reports of one --kube-version run");
  return Status::Ok();
}

}  // namespace

Result<Merged> merge_reports(std::vector<ReadReport> reports) {
  if (reports.empty()) return Status::Usage("no reports to merge");
  for (const auto& r : reports) KV_RETURN_IF_ERROR(check_compatible(reports[0], r));
  std::stable_sort(reports.begin(), reports.end(), [](const ReadReport& a, const ReadReport& b) {
    return !a.shards.indexes.empty() && !b.shards.indexes.empty() && a.shards.indexes[0] < b.shards.indexes[0];
  });
  Merged out;
  ReadReport& m = out.report;
  m.file = "(merged)";
  m.tool_version = reports[0].tool_version;
  m.fail_on = reports[0].fail_on;
  m.shards.count = reports[0].shards.count;
  std::map<int, std::string> holder;  // shard index → the file holding it
  for (auto& r : reports) {
    for (int i : r.shards.indexes) {
      auto [it, fresh] = holder.emplace(i, r.file);
      if (!fresh)
        return Status::InvalidInput(r.file + ": shard " + std::to_string(i) + "/" + std::to_string(r.shards.count) +
                                    " is in " + it->second + " too: each shard's report is merged once");
    }
    if (!r.server_version.empty() && m.server_version.find(r.server_version) == std::string::npos)
      m.server_version += (m.server_version.empty() ? "" : ",") + r.server_version;
    if (m.kube_versions.empty()) m.kube_versions = r.kube_versions;
    for (const auto& [v, ms] : r.version_duration_ms) m.version_duration_ms[v] += ms;
    m.summary.duration_ms += r.summary.duration_ms;
    if (r.summary.aborted) {
      m.summary.aborted = true;
      std::string why = (r.shards.enabled() ? "shard " + shard_name(r.shards) + ": " : r.file + ": ") +
                        r.summary.abort_message;
      m.summary.abort_message += (m.summary.abort_message.empty() ? "" : "; ") + why;
    }
    std::move(r.results.begin(), r.results.end(), std::back_inserter(m.results));
  }
  for (const auto& [i, file] : holder) m.shards.indexes.push_back(i);
  for (int i = 1; i <= m.shards.count; ++i)
    if (!holder.count(i))
      out.warnings.push_back("shard " + std::to_string(i) + "/" + std::to_string(m.shards.count) +
                             " is missing: its inputs are not in the merged report");
  return out;
}

int merged_exit_code(const ReadReport& report) {
  if (report.summary.aborted) return exit_code::kFindings;
  for (const auto& r : report.results) {
    if (r.status == ObjectStatus::kInvalid || r.status == ObjectStatus::kError) return exit_code::kFindings;
    if (report.fail_on == "warning" && r.status != ObjectStatus::kSkipped && r.has_severity(Severity::kWarning))
      return exit_code::kFindings;
  }
  return exit_code::kClean;
}

}  // namespace kv::report
