// The JUnit XML report: one <testsuite> per suite (chart × values file, or input file), one <testcase>
// per result with a name unique within the report; invalid → <failure>, error → <error>, skipped →
// <skipped>; warnings of passing results in <system-out>. An aborted run adds an <error> test case.
// A multi-version run has each version's suites apart: "<suite> [v1.36.3]", cases named likewise.
#include <cstdint>
#include <map>
#include <set>

#include "report/report_util.h"
#include "report/reporter.h"

namespace kv::report {
namespace {

// XML 1.0 text: escapes markup characters and drops characters XML 1.0 cannot carry at all
// (control characters other than tab/newline/CR, U+FFFE/U+FFFF). In attributes, whitespace controls
// are written as character references so that parsers keep them.
std::string xml_escape(std::string_view raw, bool attribute) {
  const std::string s = valid_utf8(raw);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '"': if (attribute) { out += "&quot;"; continue; } break;
      case '\'': if (attribute) { out += "&apos;"; continue; } break;
      case '\t': if (attribute) { out += "&#9;"; continue; } break;
      case '\n': if (attribute) { out += "&#10;"; continue; } break;
      case '\r': out += "&#13;"; continue;
      default: break;
    }
    if (c < 0x20 && c != '\t' && c != '\n') continue;
    // U+FFFE and U+FFFF (EF BF BE / EF BF BF) are not XML characters.
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xBE) {
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

std::string attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + xml_escape(value, true) + "\"";
}

struct Suite {
  std::string name;
  std::string cases;  // its <testcase> elements, written as the results came (no result is held)
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double time_ms = 0;
};

class JunitReporter : public Reporter {
 public:
  JunitReporter(ReportSink sink, std::shared_ptr<ReportContext> ctx)
      : sink_(std::move(sink)), ctx_(std::move(ctx)) {}

  void add(const ObjectResult& r) override {
    std::string suite_name = r.suite.empty() ? "kvalidate" : r.suite, case_name = r.display_name();
    if (ctx_->multi_version() && !r.server_version.empty()) {  // a version's results: its own suites
      suite_name += " [" + r.server_version + "]";
      case_name += " [" + r.server_version + "]";
    }
    Suite& suite = suite_for(suite_name);
    write_case(suite.cases, suite.name, unique_name(case_name), r);
    ++suite.tests;
    suite.time_ms += r.duration_ms;
    if (r.status == ObjectStatus::kInvalid) ++suite.failures;
    if (r.status == ObjectStatus::kError) ++suite.errors;
    if (r.status == ObjectStatus::kSkipped) ++suite.skipped;
  }

  Status finish(const RunSummary& s) override {
    if (s.aborted) {
      ObjectResult abort;
      abort.kind_of_result = ResultKind::kInput;
      abort.suite = "kvalidate";
      abort.title = "run aborted";
      abort.status = ObjectStatus::kError;
      Finding f;
      f.rule = "kvalidate/aborted";
      f.message = s.abort_message.empty() ? "the run ended early" : s.abort_message;
      abort.findings.push_back(f);
      add(abort);
    }
    int tests = 0, failures = 0, errors = 0;
    double time_ms = 0;
    for (const auto& suite : suites_) {
      tests += suite.tests;
      failures += suite.failures;
      errors += suite.errors;
      time_ms += suite.time_ms;
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<testsuites" + attr("name", "kvalidate") + attr("tests", std::to_string(tests)) +
           attr("failures", std::to_string(failures)) + attr("errors", std::to_string(errors)) +
           attr("time", format_seconds(s.duration_ms > 0 ? s.duration_ms : time_ms)) + ">\n";
    for (const auto& suite : suites_) write_suite(out, suite);
    out += "</testsuites>\n";
    return sink_(out);
  }

 private:
  Suite& suite_for(const std::string& name) {
    auto it = suite_index_.find(name);
    if (it != suite_index_.end()) return suites_[it->second];
    suite_index_[name] = suites_.size();
    suites_.push_back(Suite{name, {}, 0, 0, 0, 0, 0});
    return suites_.back();
  }

  // GitLab drops test cases with duplicate names: the second "X" becomes "X (2)", and so on.
  std::string unique_name(std::string name) {
    if (name.empty()) name = "(unnamed)";
    std::string candidate = name;
    for (int n = 2; !names_.insert(candidate).second; ++n) candidate = name + " (" + std::to_string(n) + ")";
    return candidate;
  }

  void write_suite(std::string& out, const Suite& suite) const {
    out += "  <testsuite" + attr("name", suite.name) + attr("tests", std::to_string(suite.tests)) +
           attr("failures", std::to_string(suite.failures)) + attr("errors", std::to_string(suite.errors)) +
           attr("skipped", std::to_string(suite.skipped)) + attr("time", format_seconds(suite.time_ms)) +
           attr("timestamp", ctx_->timestamp) + ">\n";
    out += suite.cases;
    out += "  </testsuite>\n";
  }

  static void write_case(std::string& out, const std::string& suite, const std::string& name, const ObjectResult& r) {
    out += "    <testcase" + attr("classname", suite) + attr("name", name);
    if (!r.source.file.empty()) out += attr("file", r.source.file);
    out += attr("time", format_seconds(r.duration_ms));
    auto findings = shown_findings(r);
    std::string body;
    int errors = 0;
    std::string first_error;
    for (const auto& f : findings) {
      body += one_line(finding_line(r, f)) + "\n";  // one finding per line, whatever the message holds
      if (f.severity == Severity::kError && errors++ == 0) first_error = one_line(f.message);
    }
    switch (r.status) {
      case ObjectStatus::kInvalid:
      case ObjectStatus::kError: {
        const char* tag = r.status == ObjectStatus::kInvalid ? "failure" : "error";
        std::string message = first_error.empty() ? std::string(kv::to_string(r.status)) : first_error;
        if (errors > 1) message += " (and " + std::to_string(errors - 1) + " more)";
        out += ">\n      <" + std::string(tag) + attr("message", message) +
               attr("type", r.status == ObjectStatus::kInvalid ? "invalid" : "error") + ">" +
               xml_escape(body, false) + "</" + tag + ">\n    </testcase>\n";
        return;
      }
      case ObjectStatus::kSkipped: {
        std::string reason;
        for (const auto& f : findings) reason += (reason.empty() ? "" : "; ") + one_line(f.message);
        out += ">\n      <skipped" + attr("message", reason.empty() ? "skipped" : reason) + "/>\n";
        if (!body.empty()) out += "      <system-out>" + xml_escape(body, false) + "</system-out>\n";
        out += "    </testcase>\n";
        return;
      }
      case ObjectStatus::kValid:
        if (body.empty()) {
          out += "/>\n";
        } else {  // warnings and notes of a passing result
          out += ">\n      <system-out>" + xml_escape(body, false) + "</system-out>\n    </testcase>\n";
        }
        return;
    }
  }

  ReportSink sink_;
  std::shared_ptr<ReportContext> ctx_;
  std::vector<Suite> suites_;
  std::map<std::string, size_t> suite_index_;
  std::set<std::string> names_;
};

}  // namespace

std::unique_ptr<Reporter> make_junit_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx) {
  return std::make_unique<JunitReporter>(std::move(sink), std::move(ctx));
}

}  // namespace kv::report
