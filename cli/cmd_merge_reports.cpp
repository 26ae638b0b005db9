// `kvalidate merge-reports REPORT.json...`: reads the JSON reports of a run's shards (--shard I/N jobs of
// a CI matrix) and writes them as one report in any format (-o, as the validating commands), through the
// same reporters. Needs no control plane.
#include <fmt/core.h>

#include "cli/command.h"
#include "cli/options.h"
#include "report/merge.h"

namespace kv::cli {
namespace {

struct MergeOptions {
  std::vector<std::string> files;
  std::vector<std::string> outputs;
  bool verbose = false;
};

int run(const MergeOptions& o) {
  auto reports = report::ReportSet::Open(o.outputs, o.verbose);
  if (!reports.ok()) return fail(reports.status());
  std::vector<report::ReadReport> read;
  for (const auto& file : o.files) {
    auto r = report::read_json_report_file(file);
    if (!r.ok()) return fail(r.status());
    read.push_back(std::move(*r));
  }
  auto merged = report::merge_reports(std::move(read));
  if (!merged.ok()) return fail(merged.status());
  for (const auto& w : merged->warnings) fmt::print(stderr, "kvalidate: warning: {}\n", w);
  Status written = report::write_read_report(*reports, merged->report);
  if (!written.ok()) return fail(written);
  return report::merged_exit_code(merged->report);
}

const Registrar kRegistrar{Command{
    "merge-reports", "Merge the JSON reports of a run's shards (--shard I/N) into one report in any format", 30,
    [](CLI::App* cmd) -> std::function<int()> {
      auto opts = std::make_shared<MergeOptions>();
      cmd->add_option("reports", opts->files, "JSON reports (-o json=FILE) of the shards of one run")
          ->required();
      cmd->add_option("-o,--output", opts->outputs,
                      "Report FORMAT[=FILE]; repeatable. Formats: " + report::report_format_names());
      cmd->add_flag("-v,--verbose", opts->verbose, "Text report: also list valid objects and the skipped files");
      cmd->footer("Exit 0 when the merged results are clean, 1 when one failed at the reports' --fail-on level or a "
                  "shard's run was aborted, 2 for a file that is not a kvalidate JSON report, reports of different "
                  "kvalidate versions, --fail-on levels or shard counts, or a shard merged twice. A missing shard "
                  "is a warning.");
      return [opts] { return run(*opts); };
    }}};

}  // namespace
}  // namespace kv::cli
