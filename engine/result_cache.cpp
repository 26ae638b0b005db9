#include "engine/result_cache.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "core/digest.h"
#include "core/files.h"
#include "core/json.h"
#include "core/tools.h"
#include "core/yaml_util.h"

namespace kv::engine {

namespace {

bool key_safe(const std::string& key) {
  return key.size() == 64 && std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<Severity> severity_of(const std::string& s) {
  if (s == "error") return Severity::kError;
  if (s == "warning") return Severity::kWarning;
  if (s == "info") return Severity::kInfo;
  return std::nullopt;
}

std::optional<ObjectStatus> status_of(const std::string& s) {
  if (s == "valid") return ObjectStatus::kValid;
  if (s == "invalid") return ObjectStatus::kInvalid;
  return std::nullopt;  // only these are kept
}

int int_at(const YAML::Node& n, const std::string& key) {
  try {
    return std::stoi(scalar_at(n, key));
  } catch (...) {
    return 0;
  }
}

}  // namespace

std::string verdict_json(const CachedVerdict& v) {
  JsonWriter w(false);
  w.begin_object().key("v").value(1).key("status").value(to_string(v.status)).key("findings").begin_array();
  for (const auto& f : v.findings) {
    w.begin_object().key("severity").value(to_string(f.severity)).key("rule").value(f.rule);
    w.key("message").value(f.message).key("path").value(f.path).key("file").value(f.file);
    w.key("line").value(f.line).key("column").value(f.column).key("pass").value(f.pass).end_object();
  }
  w.end_array().end_object();
  return w.str();
}

std::optional<CachedVerdict> parse_verdict(const std::string& text) {
  static const std::string kPlainValid = verdict_json(CachedVerdict{});  // most entries: read without a parse
  if (text == kPlainValid) return CachedVerdict{};
  auto doc = parse_json(text, "cached verdict");
  if (!doc.ok() || !doc->IsMap() || scalar_at(*doc, "v") != "1") return std::nullopt;
  auto status = status_of(scalar_at(*doc, "status"));
  const YAML::Node findings = (*doc)["findings"];
  if (!status || !findings.IsSequence()) return std::nullopt;
  CachedVerdict v;
  v.status = *status;
  for (const auto& n : findings) {
    auto sev = severity_of(scalar_at(n, "severity"));
    if (!sev) return std::nullopt;
    Finding f;
    f.severity = *sev;
    f.rule = scalar_at(n, "rule");
    f.message = scalar_at(n, "message");
    f.path = scalar_at(n, "path");
    f.file = scalar_at(n, "file");
    f.line = int_at(n, "line");
    f.column = int_at(n, "column");
    f.pass = std::max(1, int_at(n, "pass"));
    v.findings.push_back(std::move(f));
  }
  return v;
}

ResultCache ResultCache::Default() { return ResultCache(cache_dir() + "/results"); }

std::optional<CachedVerdict> ResultCache::get(const std::string& key) const {
  if (!key_safe(key)) return std::nullopt;
  const std::string path = dir_ + "/" + key;
  auto text = read_file(path);
  if (!text.ok()) return std::nullopt;
  auto v = parse_verdict(*text);
  if (v) (void)::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // used now: the last to be pruned
  return v;
}

void ResultCache::put(const std::string& key, const CachedVerdict& v) const {
  if (!key_safe(key) || (v.status != ObjectStatus::kValid && v.status != ObjectStatus::kInvalid)) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (::chmod(dir_.c_str(), 0700) != 0) return;
  if (write_file_atomic(dir_ + "/" + key, verdict_json(v), 0600).ok()) ++written_;
}

void ResultCache::prune(size_t max_entries) const {
  keep_newest_files(dir_, max_entries, key_safe);
}

std::string batch_world(WorldParts parts) {
  std::sort(parts.own_objects.begin(), parts.own_objects.end());
  std::sort(parts.baseline.begin(), parts.baseline.end());
  std::string material = "kvalidate-world 1\nserver\n" + parts.server + "\nsettings\n" + parts.settings + "\nown\n";
  for (const auto& o : parts.own_objects) material += hex_sha256(o) + "\n";
  material += "baseline\n";
  for (const auto& b : parts.baseline) material += b + "\n";
  return hex_sha256(material);
}

std::string object_key(const std::string& world, const std::string& path, const std::string& body) {
  return hex_sha256(world + "\n" + path + "\n" + hex_sha256(body));
}

}  // namespace kv::engine
