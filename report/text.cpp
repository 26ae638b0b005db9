// The text report: findings as "file:line:col: severity: message [rule]" lines grouped by source
// file, skipped objects with their reason, then one summary line. Colors only when asked (a TTY).
// A run over several Kubernetes versions groups the lines under one heading per version (what no
// server judged first, without one) and ends with one summary line per version.
#include <algorithm>
#include <map>

#include "report/report_util.h"
#include "report/reporter.h"

namespace kv::report {
namespace {

constexpr const char* kRed = "\033[1;31m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kCyan = "\033[36m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kReset = "\033[0m";

struct Line {
  size_t group;       // multi-version runs: 0 = judged by no server, 1 + index in kube_versions
  size_t file_order;  // first appearance of the file in the stream
  int line;
  size_t seq;         // arrival order, to keep the sort stable and readable
  std::string text;
};

class TextReporter : public Reporter {
 public:
  TextReporter(ReportSink sink, std::shared_ptr<ReportContext> ctx)
      : sink_(std::move(sink)), ctx_(std::move(ctx)) {}

  void add(const ObjectResult& r) override {
    tally_.add(r);
    versions_.add(r);
    const bool skipped = r.status == ObjectStatus::kSkipped;
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
      lines_.push_back({group_of(r.server_version), order_of(loc.file), loc.line, lines_.size(), text});
    }
  }

  Status finish(const RunSummary& summary) override {
    std::stable_sort(lines_.begin(), lines_.end(), [](const Line& a, const Line& b) {
      if (a.group != b.group) return a.group < b.group;
      if (a.file_order != b.file_order) return a.file_order < b.file_order;
      return a.line < b.line;
    });
    std::string out;
    size_t group = 0;
    for (const auto& l : lines_) {
      if (l.group != group && l.group > 0) out += version_label(ctx_->kube_versions[l.group - 1]) + ":\n";
      group = l.group;
      out += (group > 0 ? "  " : "") + l.text + "\n";
    }
    if (summary.aborted) {
      out += std::string(ctx_->color ? kRed : "") + "aborted" + (ctx_->color ? kReset : "") + ": " +
             one_line(summary.abort_message) + "\n";
    }
    out += ctx_->multi_version() ? versions_.lines(summary) : summary_line(summary) + "\n";
    return sink_(out);
  }

 private:
  std::string paint(const std::string& sev) const {
    if (!ctx_->color) return sev;
    const char* c = sev == "error" ? kRed : sev == "warning" ? kYellow : kCyan;
    return c + sev + kReset;
  }

  size_t group_of(const std::string& version) const {
    const auto& vs = ctx_->kube_versions;
    auto it = std::find(vs.begin(), vs.end(), version);
    return !ctx_->multi_version() || it == vs.end() ? 0 : 1 + static_cast<size_t>(it - vs.begin());
  }

  size_t order_of(const std::string& file) {
    auto it = files_.find(file);
    if (it != files_.end()) return it->second;
    size_t n = files_.size();
    files_[file] = n;
    return n;
  }

  std::string summary_line(const RunSummary& s) const {
    std::string line = tally_.line(s);
    if (!ctx_->color) return line;
    bool bad = s.aborted || s.invalid > 0 || s.errors > 0;
    return (bad ? kRed : kGreen) + line + kReset;
  }

  ReportSink sink_;
  std::shared_ptr<ReportContext> ctx_;
  std::vector<Line> lines_;
  std::map<std::string, size_t> files_;
  Tally tally_;
  VersionTallies versions_;
};

}  // namespace

std::unique_ptr<Reporter> make_text_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx) {
  return std::make_unique<TextReporter>(std::move(sink), std::move(ctx));
}

}  // namespace kv::report
