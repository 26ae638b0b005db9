// Reading a JSON report back: a strict reader (every field the writer writes is checked for its type),
// errors as values naming the file and the field.
#include "report/json_read.h"

#include "core/files.h"
#include "core/json.h"
#include "report/report_util.h"

namespace kv::report {
namespace {

// Walks the parsed document; the first problem is kept in `error` and every later read is a no-op.
struct Reader {
  std::string file;
  Status error;

  bool fail(const std::string& path, const std::string& what) {
    if (error.ok()) error = Status::InvalidInput(file + ": not a kvalidate JSON report: " + path + ": " + what);
    return false;
  }
  // The scalar at n[key], or a failure (missing or not a scalar). yaml-cpp throws only for conversions.
  template <typename T>
  T scalar(const YAML::Node& n, const char* key, const std::string& path, const char* type, T fallback = T()) {
    const std::string at = path.empty() ? key : path + "." + key;
    YAML::Node v = n[key];
    if (!v.IsDefined() || !v.IsScalar()) {
      fail(at, std::string("expected ") + type);
      return fallback;
    }
    try {
      return v.as<T>();
    } catch (const YAML::Exception&) {
      fail(at, std::string("expected ") + type + ", got " + v.Scalar());
      return fallback;
    }
  }
  std::string str(const YAML::Node& n, const char* key, const std::string& path) {
    return scalar<std::string>(n, key, path, "a string");
  }
  int integer(const YAML::Node& n, const char* key, const std::string& path) {
    return scalar<int>(n, key, path, "an integer");
  }
  double number(const YAML::Node& n, const char* key, const std::string& path) {
    return scalar<double>(n, key, path, "a number");
  }
  // One of `names` (index into it), or a failure listing them.
  template <typename E, size_t N>
  E choice(const YAML::Node& n, const char* key, const std::string& path, const std::pair<const char*, E> (&names)[N]) {
    std::string v = str(n, key, path);
    for (const auto& [name, e] : names)
      if (v == name) return e;
    if (error.ok()) {
      std::string valid;
      for (const auto& [name, e] : names) valid += std::string(valid.empty() ? "" : ", ") + name;
      fail((path.empty() ? "" : path + ".") + key, "\"" + v + "\" is not one of " + valid);
    }
    return names[0].second;
  }
  bool map_at(const YAML::Node& n, const char* key, const std::string& path) {
    return (n[key].IsDefined() && n[key].IsMap()) || fail(path.empty() ? key : path + "." + key, "expected an object");
  }
  bool seq_at(const YAML::Node& n, const char* key, const std::string& path) {
    return (n[key].IsDefined() && n[key].IsSequence()) || fail(path.empty() ? key : path + "." + key, "expected an array");
  }
};

constexpr std::pair<const char*, ObjectStatus> kStatuses[] = {
    {"valid", ObjectStatus::kValid}, {"invalid", ObjectStatus::kInvalid},
    {"skipped", ObjectStatus::kSkipped}, {"error", ObjectStatus::kError}};
constexpr std::pair<const char*, Severity> kSeverities[] = {
    {"error", Severity::kError}, {"warning", Severity::kWarning}, {"info", Severity::kInfo}};
constexpr std::pair<const char*, ResultKind> kKinds[] = {
    {"object", ResultKind::kObject}, {"render", ResultKind::kRender}, {"lint", ResultKind::kLint},
    {"rbac-expectation", ResultKind::kRbacExpectation}, {"rbac-rule", ResultKind::kRbacRule},
    {"input", ResultKind::kInput}};

Finding read_finding(Reader& rd, const YAML::Node& n, const std::string& at, const std::string& source_file) {
  Finding f;
  f.severity = rd.choice(n, "severity", at, kSeverities);
  f.rule = rd.str(n, "rule", at);
  f.message = rd.str(n, "message", at);
  f.path = rd.str(n, "path", at);
  f.file = rd.str(n, "file", at);
  if (f.file == source_file) f.file.clear();  // the writer fills in the result's own file
  f.line = rd.integer(n, "line", at);
  f.column = rd.integer(n, "column", at);
  if (n["pass"].IsDefined()) f.pass = rd.integer(n, "pass", at);
  return f;
}

ObjectResult read_result(Reader& rd, const YAML::Node& n, const std::string& at) {
  ObjectResult r;
  if (!n.IsMap()) {
    rd.fail(at, "expected an object");
    return r;
  }
  r.suite = rd.str(n, "suite", at);
  r.kind_of_result = rd.choice(n, "kind_of_result", at, kKinds);
  if (rd.map_at(n, "source", at)) {
    const YAML::Node src = n["source"];
    r.source.file = rd.str(src, "file", at + ".source");
    r.source.line = rd.integer(src, "line", at + ".source");
    r.source.column = rd.integer(src, "column", at + ".source");
    r.source.template_path = rd.str(src, "template", at + ".source");
  }
  r.api_version = rd.str(n, "apiVersion", at);
  r.kind = rd.str(n, "kind", at);
  r.namespace_ = rd.str(n, "namespace", at);
  r.name = rd.str(n, "name", at);
  r.title = rd.str(n, "title", at);
  r.status = rd.choice(n, "status", at, kStatuses);
  if (n["server_version"].IsDefined()) r.server_version = rd.str(n, "server_version", at);
  r.duration_ms = rd.number(n, "duration_ms", at);
  if (n["cached"].IsDefined()) r.cached = rd.scalar<bool>(n, "cached", at, "a boolean");
  if (rd.seq_at(n, "findings", at)) {
    const YAML::Node fs = n["findings"];
    for (size_t i = 0; i < fs.size() && rd.error.ok(); ++i)
      r.findings.push_back(read_finding(rd, fs[i], at + ".findings[" + std::to_string(i) + "]", r.source.file));
  }
  return r;
}

void read_shards(Reader& rd, const YAML::Node& n, ShardSet& out) {
  if (!n["shard"].IsDefined() || n["shard"].IsNull()) return;
  if (!rd.map_at(n, "shard", "")) return;
  const YAML::Node s = n["shard"];
  out.count = rd.integer(s, "count", "shard");
  if (s["indexes"].IsDefined()) {
    if (!rd.seq_at(s, "indexes", "shard")) return;
    for (const auto& i : s["indexes"]) out.indexes.push_back(i.as<int>(0));
  } else {
    out.indexes.push_back(rd.integer(s, "index", "shard"));
  }
  for (int i : out.indexes)
    if (i < 1 || i > out.count) rd.fail("shard", "index " + std::to_string(i) + " is not in 1.." + std::to_string(out.count));
  if (out.indexes.empty()) rd.fail("shard.indexes", "empty");
}

void read_summary(Reader& rd, const YAML::Node& n, const std::string& at, RunSummary& s) {
  s.resources = rd.integer(n, "resources", at);
  s.valid = rd.integer(n, "valid", at);
  s.invalid = rd.integer(n, "invalid", at);
  s.skipped = rd.integer(n, "skipped", at);
  s.errors = rd.integer(n, "errors", at);
  s.warnings = rd.integer(n, "warnings", at);
  if (n["cached"].IsDefined()) s.cached = rd.integer(n, "cached", at);
  s.duration_ms = rd.number(n, "duration_ms", at);
  s.aborted = rd.scalar<bool>(n, "aborted", at, "a boolean");
  s.abort_message = rd.str(n, "abort_message", at);
}

void read_versions(Reader& rd, const YAML::Node& doc, ReadReport& out) {
  if (!doc["versions"].IsDefined() || !rd.seq_at(doc, "versions", "")) return;
  const YAML::Node vs = doc["versions"];
  for (size_t i = 0; i < vs.size() && rd.error.ok(); ++i) {
    const std::string at = "versions[" + std::to_string(i) + "]";
    std::string v = rd.str(vs[i], "server_version", at);
    out.kube_versions.push_back(v);
    if (rd.map_at(vs[i], "summary", at)) out.version_duration_ms[v] = rd.number(vs[i]["summary"], "duration_ms", at + ".summary");
  }
}

}  // namespace

Result<ReadReport> read_json_report(std::string_view text, const std::string& file) {
  auto parsed = parse_json(text, file);
  if (!parsed.ok()) return Status::InvalidInput(file + ": not a kvalidate JSON report: " + parsed.status().message());
  const YAML::Node& doc = *parsed;
  Reader rd{file, {}};
  ReadReport out;
  out.file = file;
  if (!doc.IsMap()) rd.fail("(top level)", "expected an object");
  else if (rd.map_at(doc, "tool", "") && rd.str(doc["tool"], "name", "tool") != "kvalidate" && rd.error.ok())
    rd.fail("tool.name", "not \"kvalidate\"");
  if (rd.error.ok()) {
    int version = rd.integer(doc, "version", "");
    if (rd.error.ok() && version != 1)
      return Status::InvalidInput(file + ": JSON report format version " + std::to_string(version) +
                                  " is not supported (this kvalidate reads version 1)");
  }
  if (rd.error.ok()) {
    out.tool_version = rd.str(doc["tool"], "version", "tool");
    out.server_version = rd.str(doc, "server_version", "");
    if (doc["fail_on"].IsDefined()) out.fail_on = rd.str(doc, "fail_on", "");
    read_shards(rd, doc, out.shards);
    if (rd.map_at(doc, "summary", "")) read_summary(rd, doc["summary"], "summary", out.summary);
    read_versions(rd, doc, out);
  }
  if (rd.error.ok() && rd.seq_at(doc, "results", "")) {
    const YAML::Node rs = doc["results"];
    out.results.reserve(rs.size());
    for (size_t i = 0; i < rs.size() && rd.error.ok(); ++i)
      out.results.push_back(read_result(rd, rs[i], "results[" + std::to_string(i) + "]"));
  }
  if (!rd.error.ok()) return rd.error;
  return out;
}

Result<ReadReport> read_json_report_file(const std::string& path) {
  auto text = read_file(path);
  if (!text.ok()) return Status::InvalidInput("cannot read report " + text.status().message());
  return read_json_report(*text, path);
}

Status write_read_report(ReportSet& reports, const ReadReport& report) {
  if (report.kube_versions.size() > 1) reports.set_kube_versions(report.kube_versions);
  reports.set_shards(report.shards);
  reports.set_fail_on(report.fail_on);
  for (const auto& r : report.results) reports.add(r);
  RunInfo info;
  info.duration_ms = report.summary.duration_ms;
  info.version_duration_ms = report.version_duration_ms;
  info.aborted = report.summary.aborted;
  info.abort_message = report.summary.abort_message;
  info.server_version = report.server_version;
  info.tool_version = report.tool_version;
  return reports.finish(info);
}

}  // namespace kv::report
