// The output seam: every report format is a Reporter fed the same stream of results, then finished
// once with the run's summary. Formats are chosen with -o FORMAT[=FILE] (repeatable).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "validators/result.h"

namespace kv::report {

struct OutputSpec {
  std::string format;  // text | json | junit | sarif | github
  std::string path;    // "" = stdout
};

// Parses the -o values; empty input → {text to stdout}. Errors (exit 2): an unknown format (listing the
// valid ones), more than one format on stdout, an empty FILE.
Result<std::vector<OutputSpec>> parse_output_specs(const std::vector<std::string>& flags);

// Checks, before any work starts, that every FILE can be written (its folder exists and is writable,
// the file itself is writable if it exists); nothing is created. Error: exit 2, naming the path.
Status check_writable(const std::vector<OutputSpec>& specs);

struct RunInfo {
  double duration_ms = 0;
  bool aborted = false;
  std::string abort_message;
  std::string server_version;
  std::string tool_version;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void add(const ObjectResult& r) = 0;
  // Writes the report (to its file or stdout). Called exactly once, also when the run was aborted.
  virtual Status finish(const RunSummary& summary) = 0;
};

// Feeds every reporter; computes the summary from the results it saw.
class ReportSet {
 public:
  static Result<ReportSet> Create(const std::vector<OutputSpec>& specs);
  void add(const ObjectResult& r);
  // Finishes every reporter (all of them, even if one fails); returns the first failure.
  Status finish(const RunInfo& info);
  const RunSummary& summary() const { return summary_; }

 private:
  std::vector<std::unique_ptr<Reporter>> reporters_;
  RunSummary summary_;
};

}  // namespace kv::report
