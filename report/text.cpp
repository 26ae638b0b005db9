// The text report: findings as "file:line:col: severity: message [rule]" lines grouped by source
// file, skipped objects with their reason, then one summary line. Colors only when asked (a TTY).
// With -v it also lists each valid object ("file:line: valid: Kind/ns/name") and the input files
// skipped because they hold no Kubernetes object. A chart run once per values file (a matrix) groups its
// lines under one header per values file. A run over several Kubernetes versions groups the lines under one
// heading per version (what no server judged first, without one) and ends with one summary line per version.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "report/report_util.h"
#include "report/reporter.h"

namespace kv::report {
namespace {

constexpr const char* kRed = "\033[1;31m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kCyan = "\033[36m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kReset = "\033[0m";
// How a chart's run with a values file names its suite (render::plan_runs): "CHART (values: ci/x.yaml)".
constexpr const char* kValuesSuite = " (values: ";

struct Line {
  size_t group;       // multi-version runs: 0 = judged by no server, 1 + index in kube_versions
  size_t suite_order; // first appearance of the suite in the stream
  size_t file_order;  // first appearance of the file in the stream
  int line;
  size_t seq;         // arrival order, to keep the sort stable and readable
  std::string text;
};

class TextReporter : public Reporter {
 public:
  TextReporter(ReportSink sink, std::shared_ptr<ReportContext> ctx)
      : sink_(std::move(sink)), ctx_(std::move(ctx)), color_(ctx_->color) {}

  void add(const ObjectResult& r) override {
    tally_.add(r);
    versions_.add(r);
    const bool skipped = r.status == ObjectStatus::kSkipped;
    // Files of a directory that hold no Kubernetes object are listed only when asked (-v).
    if (skipped && r.kind_of_result == ResultKind::kInput && !ctx_->verbose) return;
    if (ctx_->verbose && r.status == ObjectStatus::kValid && r.kind_of_result == ResultKind::kObject) {
      Finding valid;
      valid.severity = Severity::kInfo;
      valid.line = r.source.line;
      valid.message = r.display_name();
      lines_.push_back({group_of(r.server_version), order_of(suites_, r.suite), order_of(files_, r.source.file),
                        r.source.line, lines_.size(), finding_line(r, valid, paint("valid"))});
    }
    auto findings = shown_findings(r);
    if (skipped && findings.empty()) {
      Finding f;
      f.severity = Severity::kInfo;
      f.message = "no reason given";
      findings.push_back(f);
    }
    for (const auto& f : findings) {
      Finding shown = f;
      // Server text must not break lines or reach the terminal as escape sequences.
      // Prefix the object's name unless the message already starts with it (RBAC expectations do).
      const std::string name = r.display_name();
      shown.message = one_line(f.message.rfind(name, 0) == 0 ? f.message : name + ": " + f.message);
      shown.rule = one_line(f.rule);
      Location loc = locate(r, f);
      std::string sev = skipped ? "skipped" : kv::to_string(f.severity);
      std::string text = finding_line(r, shown, paint(sev));
      lines_.push_back({group_of(r.server_version), order_of(suites_, r.suite), order_of(files_, loc.file), loc.line,
                        lines_.size(), text});
      if (r.suite.find(kValuesSuite) != std::string::npos) values_suites_.insert(r.suite);
    }
  }

  Status finish(const RunSummary& summary) override {
    // The same template line can fail under several values files: name the file each time.
    const bool by_suite = values_suites_.size() > 1;
    std::stable_sort(lines_.begin(), lines_.end(), [by_suite](const Line& a, const Line& b) {
      if (a.group != b.group) return a.group < b.group;
      if (by_suite && a.suite_order != b.suite_order) return a.suite_order < b.suite_order;
      if (a.file_order != b.file_order) return a.file_order < b.file_order;
      return a.line < b.line;
    });
    std::vector<std::string> suite_names(suites_.size());
    for (const auto& [name, order] : suites_) suite_names[order] = name;
    std::string out;
    size_t suite = SIZE_MAX, group = 0;
    for (const auto& l : lines_) {
      if (l.group != group && l.group > 0) {
        out += version_label(ctx_->kube_versions[l.group - 1]) + ":\n";
        suite = SIZE_MAX;
      }
      group = l.group;
      const std::string indent = group > 0 ? "  " : "";
      if (by_suite && l.suite_order != suite) {
        suite = l.suite_order;
        out += indent + (color_ ? std::string(kCyan) : "") + "== " + one_line(suite_names[suite]) +
               (color_ ? kReset : "") + "\n";
      }
      out += indent + l.text + "\n";
    }
    if (summary.aborted) {
      out += std::string(color_ ? kRed : "") + "aborted" + (color_ ? kReset : "") + ": " +
             one_line(summary.abort_message) + "\n";
    }
    out += ctx_->multi_version() ? versions_.lines(summary) : summary_line(summary) + "\n";
    return sink_(out);
  }

 private:
  std::string paint(const std::string& sev) const {
    if (!color_) return sev;
    const char* c = sev == "error" ? kRed : sev == "warning" ? kYellow : sev == "valid" ? kGreen : kCyan;
    return c + sev + kReset;
  }

  size_t group_of(const std::string& version) const {
    const auto& vs = ctx_->kube_versions;
    auto it = std::find(vs.begin(), vs.end(), version);
    return !ctx_->multi_version() || it == vs.end() ? 0 : 1 + static_cast<size_t>(it - vs.begin());
  }

  static size_t order_of(std::map<std::string, size_t>& seen, const std::string& key) {
    auto it = seen.find(key);
    if (it != seen.end()) return it->second;
    size_t n = seen.size();
    seen[key] = n;
    return n;
  }

  std::string summary_line(const RunSummary& s) const {
    std::string line = tally_.line(s);
    if (!color_) return line;
    bool bad = s.aborted || s.invalid > 0 || s.errors > 0;
    return (bad ? kRed : kGreen) + line + kReset;
  }

  ReportSink sink_;
  std::shared_ptr<ReportContext> ctx_;
  const bool color_;  // taken when made: the context is shared with the other reports, which never color
  std::vector<Line> lines_;
  std::map<std::string, size_t> files_, suites_;
  std::set<std::string> values_suites_;
  Tally tally_;
  VersionTallies versions_;
};

}  // namespace

std::unique_ptr<Reporter> make_text_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx) {
  return std::make_unique<TextReporter>(std::move(sink), std::move(ctx));
}

}  // namespace kv::report
