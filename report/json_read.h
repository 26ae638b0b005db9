// The JSON report read back (docs/json-report.md, version 1): the results and the run's facts a
// ReportSet needs to write the same report again in any format, so merging shard reports reuses the
// reporters instead of repeating them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "report/reporter.h"
#include "resources/result.h"

namespace kv::report {

struct ReadReport {
  std::string file;                       // where it was read from (error messages name it)
  std::string tool_version;               // tool.version
  std::string server_version;
  std::string fail_on = "error";          // "fail_on"; reports older than the field: "error"
  ShardSet shards;                        // "shard"; count 0 when absent
  std::vector<std::string> kube_versions; // versions[].server_version (several --kube-version versions)
  std::map<std::string, double> version_duration_ms;
  RunSummary summary;                     // as written (the counts are recomputed when written again)
  std::vector<ObjectResult> results;      // in report order
};

// Parses the text of a JSON report read from `file`. Error (InvalidInput, exit 2): one line naming
// `file` and what is wrong ("not a kvalidate JSON report: results[3].status: ..."), also for another
// format version.
Result<ReadReport> read_json_report(std::string_view text, const std::string& file);

// Reads and parses the file at `path`. Error: as read_json_report, or the file cannot be read.
Result<ReadReport> read_json_report_file(const std::string& path);

// Writes `report` through `reports` (its results, shards, --fail-on and versions) and finishes them.
// Returns the first reporter failure.
Status write_read_report(ReportSet& reports, const ReadReport& report);

}  // namespace kv::report
