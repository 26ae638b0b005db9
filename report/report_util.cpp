#include "report/report_util.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace kv::report {

Location locate(const ObjectResult& r, const Finding& f) {
  Location loc;
  loc.file = f.file.empty() ? r.source.file : f.file;
  if (f.line > 0) {
    loc.line = f.line;
    loc.column = f.column > 0 ? f.column : 0;
  } else if (loc.file == r.source.file && r.source.line > 0) {
    loc.line = r.source.line;  // no column: the object's start column says nothing about the finding
  }
  return loc;
}

std::string location_string(const Location& loc) {
  std::string s = loc.file;
  if (s.empty()) return s;
  if (loc.line > 0) {
    s += ":" + std::to_string(loc.line);
    if (loc.column > 0) s += ":" + std::to_string(loc.column);
  }
  return s;
}

std::vector<Finding> shown_findings(const ObjectResult& r) {
  if (!r.findings.empty() ||
      (r.status != ObjectStatus::kInvalid && r.status != ObjectStatus::kError)) {
    return r.findings;
  }
  Finding f;
  f.severity = Severity::kError;
  f.rule = "kvalidate/no-details";
  f.message = std::string(kv::to_string(r.status)) + " (no details)";
  return {f};
}

std::string finding_line(const ObjectResult& r, const Finding& f, std::string_view severity) {
  std::string s = location_string(locate(r, f));
  if (!s.empty()) s += ": ";
  s += severity.empty() ? std::string(kv::to_string(f.severity)) : std::string(severity);
  s += ": " + f.message;
  if (!f.rule.empty()) s += " [" + f.rule + "]";
  return s;
}

const char* to_string(ResultKind k) {
  switch (k) {
    case ResultKind::kObject: return "object";
    case ResultKind::kRender: return "render";
    case ResultKind::kLint: return "lint";
    case ResultKind::kRbacExpectation: return "rbac-expectation";
    case ResultKind::kRbacRule: return "rbac-rule";
    default: return "input";
  }
}

std::string format_ms(double ms) {
  if (!std::isfinite(ms) || ms < 0) ms = 0;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string format_seconds(double ms) {
  if (!std::isfinite(ms) || ms < 0) ms = 0;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", ms / 1000.0);
  return buf;
}

std::string format_duration(double ms) {
  if (!std::isfinite(ms) || ms < 0) ms = 0;
  char buf[48];
  if (ms < 1000) std::snprintf(buf, sizeof buf, "%.0fms", ms);
  else std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  return buf;
}

std::string one_line(std::string_view raw) {
  const std::string s = valid_utf8(raw);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    if (c == '\r' || c == '\n' || c == '\t') out += ' ';
    else if (c >= 0x20 && c != 0x7F) out += static_cast<char>(c);
  }
  return out;
}

void Tally::add(const ObjectResult& r) {
  if (r.kind_of_result == ResultKind::kObject) {
    ++objects[static_cast<int>(r.status)];
    return;
  }
  if (r.kind_of_result == ResultKind::kInput && r.status == ObjectStatus::kSkipped) {
    ++files_skipped;
    return;
  }
  ++checks;
  if (r.status == ObjectStatus::kInvalid || r.status == ObjectStatus::kError) ++checks_failed;
}

Tally& Tally::operator+=(const Tally& other) {
  for (int i = 0; i < 4; ++i) objects[i] += other.objects[i];
  checks += other.checks;
  checks_failed += other.checks_failed;
  return *this;
}

std::string version_label(const std::string& server_version) { return "Kubernetes " + server_version; }

std::string VersionTallies::lines(const RunSummary& s, const std::string& prefix) const {
  std::string out;
  auto shared = by_version.find("");
  for (const auto& vs : s.versions) {
    Tally t;
    if (auto it = by_version.find(vs.server_version); it != by_version.end()) t += it->second;
    if (shared != by_version.end()) t += shared->second;
    out += prefix + version_label(vs.server_version) + ": " + t.line(vs) + "\n";
  }
  return out;
}

std::string Tally::line(const RunSummary& s) const {
  auto n = [](int count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
  };
  auto at = [&](ObjectStatus st) { return objects[static_cast<int>(st)]; };
  int total = at(ObjectStatus::kValid) + at(ObjectStatus::kInvalid) + at(ObjectStatus::kSkipped) +
              at(ObjectStatus::kError);
  std::string line = n(total, "resource", "resources") + ": " + std::to_string(at(ObjectStatus::kValid)) +
                     " valid, " + std::to_string(at(ObjectStatus::kInvalid)) + " invalid, " +
                     std::to_string(at(ObjectStatus::kSkipped)) + " skipped, " +
                     n(at(ObjectStatus::kError), "error", "errors");
  if (checks > 0) {
    line += "; " + n(checks, "check", "checks") + ": " + std::to_string(checks - checks_failed) +
            " passed, " + std::to_string(checks_failed) + " failed";
  }
  if (files_skipped > 0) line += "; " + n(files_skipped, "file", "files") + " without objects skipped";
  line += "; " + n(s.warnings, "warning", "warnings");
  if (s.cached > 0) line += "; " + std::to_string(s.cached) + " from the result cache";
  line += " (" + format_duration(s.duration_ms) + ")";
  return line;
}

}  // namespace kv::report
