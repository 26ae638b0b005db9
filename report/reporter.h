// The output seam: every report format is a Reporter fed the same stream of results, then finished
// once with the run's summary. Formats are chosen with -o FORMAT[=FILE] (repeatable).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/files.h"
#include "core/status.h"
#include "resources/result.h"

namespace kv::report {

struct OutputSpec {
  std::string format;  // a name in report_formats()
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
  std::map<std::string, double> version_duration_ms;  // multi-version runs: time spent on each version
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

// The shards a report covers: one job's --shard I/N (indexes {I}), or a merge of shard reports (the
// indexes merged). count 0: not sharded.
struct ShardSet {
  int count = 0;
  std::vector<int> indexes;  // ascending
  bool enabled() const { return count > 0; }
};

// What reporters need besides the results; shared by all reporters of a ReportSet, which fills
// tool_version from RunInfo before finishing them.
struct ReportContext {
  std::string tool_version;  // "" until finish: KV_VERSION
  std::string timestamp;     // run start, ISO 8601 UTC without zone ("2026-01-02T03:04:05"), for JUnit
  bool color = false;        // text only: ANSI colors
  bool verbose = false;      // text only (-v): also list valid objects and the skipped input files
  // Two or more: a run over these Kubernetes versions (oldest first); reports group results by their
  // server_version. Set (ReportSet::set_kube_versions) before the first result.
  std::vector<std::string> kube_versions;
  bool multi_version() const { return kube_versions.size() > 1; }
  ShardSet shards;                  // --shard, or the shards merged (JSON: "shard")
  std::string fail_on = "error";    // --fail-on: what made the run exit 1 (JSON: "fail_on"; merge-reports)
};

// Where a finished report goes, written once: its whole text, or its text in pieces (a report too large
// to hold twice: the JSON report of 100,000 objects). Returns an error naming the path. Made from a
// function taking the whole text (tests, a caller keeping it), or with Streaming.
class ReportSink {
 public:
  using Whole = std::function<Status(const std::string& text)>;
  using Streamed = std::function<Status(const WritePieces& pieces)>;

  template <class F>
    requires std::is_invocable_r_v<Status, F, const std::string&>
  ReportSink(F whole) : whole_(std::move(whole)) {}
  static ReportSink Streaming(Streamed streamed) {
    ReportSink s([](const std::string&) { return Status::Ok(); });
    s.whole_ = nullptr;
    s.streamed_ = std::move(streamed);
    return s;
  }

  Status operator()(const std::string& text) const {
    if (whole_) return whole_(text);
    return streamed_([&](const PutPiece& put) { return put(text); });
  }
  // The text is `pieces(put)`'s pieces in order; a sink that takes whole texts gets them joined.
  Status write(const WritePieces& pieces) const {
    if (streamed_) return streamed_(pieces);
    std::string text;
    Status s = pieces([&](std::string_view piece) {
      text.append(piece);
      return Status::Ok();
    });
    return s.ok() ? whole_(text) : s;
  }

 private:
  Whole whole_;
  Streamed streamed_;
};

// Writes `text` to `path` through a temp file in the same folder, renamed into place, so that a
// reader never sees half a report. Error: IOError naming the path.
Status write_file_atomically(const std::string& path, const std::string& text);
// A sink writing to `path` atomically, or to stdout when path is "".
ReportSink make_sink(const std::string& path);

// One factory per format (report/<format>.cpp).
std::unique_ptr<Reporter> make_text_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx);
std::unique_ptr<Reporter> make_json_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx);
std::unique_ptr<Reporter> make_junit_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx);
std::unique_ptr<Reporter> make_sarif_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx);
std::unique_ptr<Reporter> make_github_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx);
// The one list of report formats: each -o name with its factory, in the order help texts list them.
struct ReportFormat {
  const char* name;
  std::unique_ptr<Reporter> (*make)(ReportSink sink, std::shared_ptr<ReportContext> ctx);
};
const std::vector<ReportFormat>& report_formats();
// The format names joined: "text, json, junit, sarif, github".
std::string report_format_names();
// What a collecting reporter kept: every result in order, and the summary it was finished with.
struct Collected {
  std::vector<ObjectResult> results;
  RunSummary summary;
  bool finished = false;
};
// A reporter that writes nothing and keeps everything in `into`: for a caller that combines several
// runs (one per Kubernetes version) into one set of reports.
std::unique_ptr<Reporter> make_collecting_reporter(std::shared_ptr<Collected> into);

// The reporter for a format name (see OutputSpec), or nullptr for an unknown name.
std::unique_ptr<Reporter> make_reporter(const std::string& format, ReportSink sink,
                                        std::shared_ptr<ReportContext> ctx);

// Feeds every reporter; computes the summary from the results it saw. Summary counts: `resources` and
// the per-status counts are object results; a non-object result (render, lint, RBAC, input) that is
// invalid or an error also counts in `invalid` / `errors` (so invalid + errors > 0 means the run has
// failures); `warnings` counts warning findings of all results. See docs/reports.md.
class ReportSet {
 public:
  // `verbose` (-v) makes the text report list valid objects and skipped input files too.
  static Result<ReportSet> Create(const std::vector<OutputSpec>& specs, bool verbose = false);
  // From the -o values: parse_output_specs, check_writable (before any work), Create. Exit 2 on failure.
  static Result<ReportSet> Open(const std::vector<std::string>& output_flags, bool verbose = false);
  // For tests and embedding: reporters built by the caller, sharing `ctx`.
  static ReportSet FromReporters(std::vector<std::unique_ptr<Reporter>> reporters,
                                 std::shared_ptr<ReportContext> ctx);
  // Declares a run over several Kubernetes versions (see ReportContext::kube_versions).
  void set_kube_versions(std::vector<std::string> versions) { ctx_->kube_versions = std::move(versions); }
  // The shards the report covers, and the run's --fail-on level: written into the JSON report.
  void set_shards(ShardSet shards) { ctx_->shards = std::move(shards); }
  void set_fail_on(std::string fail_on) { ctx_->fail_on = std::move(fail_on); }
  void add(const ObjectResult& r);
  // Progress hook: draws "validating done/total" on stderr when stderr is a TTY and the run has lasted
  // over a second (throttled); the line is cleared by finish().
  void progress(int done, int total);
  // Finishes every reporter (all of them, even if one fails); returns the first failure.
  Status finish(const RunInfo& info);
  const RunSummary& summary() const { return summary_; }

 private:
  std::vector<std::unique_ptr<Reporter>> reporters_;
  std::shared_ptr<ReportContext> ctx_;
  RunSummary summary_;
  std::map<std::string, RunSummary> by_version_;  // "" = results no server judged
  double start_ms_ = 0, last_draw_ms_ = 0;
  bool progress_shown_ = false;
};

}  // namespace kv::report
