// GitHub Actions workflow commands: one ::error / ::warning / ::notice line per finding, which the
// runner turns into annotations on the file and line; then a plain summary line for the log (one per
// version in a multi-version run, whose annotation titles name the version).
#include "report/report_util.h"
#include "report/reporter.h"

namespace kv::report {
namespace {

// Escaping of the runner's command syntax: data escapes %, CR, LF; property values also ':' and ','.
// Other control characters (ESC included) are dropped: they would reach the log as they are.
std::string escape_data(std::string_view raw) {
  std::string out;
  for (char c : valid_utf8(raw)) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7F) continue;
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escape_property(std::string_view s) {
  std::string out;
  for (char c : escape_data(s)) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out += c;
    }
  }
  return out;
}

class GithubReporter : public Reporter {
 public:
  GithubReporter(ReportSink sink, std::shared_ptr<ReportContext> ctx)
      : sink_(std::move(sink)), ctx_(std::move(ctx)) {}

  void add(const ObjectResult& r) override {
    tally_.add(r);
    versions_.add(r);
    const bool skipped = r.status == ObjectStatus::kSkipped;
    if (skipped && r.kind_of_result == ResultKind::kInput) return;  // a file without objects: nothing to annotate
    for (const auto& f : shown_findings(r)) {
      const char* cmd = skipped || f.severity == Severity::kInfo ? "notice"
                        : f.severity == Severity::kWarning       ? "warning"
                                                                  : "error";
      const Location loc = locate(r, f);
      std::string props;
      auto prop = [&](const char* k, const std::string& v) {
        props += std::string(props.empty() ? " " : ",") + k + "=" + escape_property(v);
      };
      if (!loc.file.empty()) prop("file", loc.file);
      if (loc.line > 0) prop("line", std::to_string(loc.line));
      if (loc.column > 0) prop("col", std::to_string(loc.column));
      std::string title = r.display_name();
      if (ctx_->multi_version() && !r.server_version.empty()) title += " (" + r.server_version + ")";
      if (!f.rule.empty()) title += " [" + f.rule + "]";
      prop("title", title);
      out_ += "::" + std::string(cmd) + props + "::" + escape_data(f.message) + "\n";
    }
  }

  Status finish(const RunSummary& s) override {
    if (s.aborted) {
      out_ += "::error title=kvalidate aborted::" +
              escape_data(s.abort_message.empty() ? "the run ended early" : s.abort_message) + "\n";
    }
    out_ += ctx_->multi_version() ? versions_.lines(s, "kvalidate: ") : "kvalidate: " + tally_.line(s) + "\n";
    return sink_(out_);
  }

 private:
  ReportSink sink_;
  std::shared_ptr<ReportContext> ctx_;
  std::string out_;
  Tally tally_;
  VersionTallies versions_;
};

}  // namespace

std::unique_ptr<Reporter> make_github_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx) {
  return std::make_unique<GithubReporter>(std::move(sink), std::move(ctx));
}

}  // namespace kv::report
