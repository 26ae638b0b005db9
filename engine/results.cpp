#include "engine/results.h"

#include <algorithm>
#include <sstream>

#include <fmt/core.h>

#include "core/exit_codes.h"
#include "engine/judge.h"
#include "resources/loader.h"
#include "resources/locate.h"
#include "validators/rbac_rules.h"

namespace kv::engine {

namespace {

// When a message says `Invalid value: "V"` about a map (labels, annotations, selectors), the path of
// the map entry whose value (or key) is V, so the finding points at that line; else `path` unchanged.
std::string refine_to_entry(const Resource& r, const std::string& path, const std::string& message) {
  static const std::string kMarker = "Invalid value: \"";
  auto p = message.find(kMarker);
  if (p == std::string::npos || path.find('[') != std::string::npos) return path;
  p += kMarker.size();
  auto end = message.find('"', p);
  if (end == std::string::npos) return path;
  std::string value = message.substr(p, end - p);
  YAML::Node node;
  node.reset(object_tree(r));  // yaml-cpp nodes are references: reset() re-points, = would overwrite
  std::string segment;
  std::istringstream parts(path);
  while (std::getline(parts, segment, '.')) {
    const YAML::Node& current = node;  // const access never inserts
    if (!current.IsMap() || !current[segment]) return path;
    node.reset(current[segment]);
  }
  if (!node.IsMap()) return path;
  for (const auto& kvp : node)
    if ((kvp.second.IsScalar() && kvp.second.Scalar() == value) || kvp.first.Scalar() == value)
      return path + "[" + kvp.first.Scalar() + "]";
  return path;
}

// Not judged only because the user's RBAC refused what kvalidate needs: the credentials given are at
// fault, not the object or the plane.
bool refused_by_rbac(const ObjectResult& r) {
  bool refused = false;
  for (const auto& f : r.findings) {
    if (f.severity != Severity::kError) continue;
    if (f.rule != kMissingVerbRule) return false;
    refused = true;
  }
  return refused;
}

}  // namespace

std::pair<int, int> locate_in_source(const Resource& r, const std::string& field_path) {
  auto pos = locate(r, field_path);
  return pos ? std::make_pair(pos->line, pos->column) : std::make_pair(0, 0);
}

ObjectResult object_result(const Resource& r, const std::string& suite) {
  ObjectResult res;
  res.kind_of_result = ResultKind::kObject;
  res.suite = suite.empty() ? r.source.file : suite;
  res.source = r.source;
  res.api_version = r.api_version;
  res.kind = r.kind;
  res.namespace_ = r.namespace_;
  res.name = r.name.empty() ? r.generate_name : r.name;
  return res;
}

void add_located(ObjectResult& res, const Resource& r, const LocateFn& locate, Finding f) {
  if (locate && !f.path.empty()) {
    auto [line, col] = locate(r, refine_to_entry(r, f.path, f.message));
    f.line = line;
    f.column = col;
  }
  if (f.line == 0) {
    f.line = r.source.line;
    f.column = r.source.column;
  }
  res.findings.push_back(std::move(f));
}

ObjectResult not_validated(const Resource& r, const std::string& suite, const std::string& why) {
  ObjectResult res = object_result(r, suite);
  res.status = ObjectStatus::kError;
  add_located(res, r, {}, Finding{Severity::kError, "server/unavailable", "not validated: " + why, "", "", 0, 0});
  return res;
}

int exit_code_of(const ObjectResult& r) {
  if (r.kind_of_result == ResultKind::kInput && r.status == ObjectStatus::kError) return exit_code::kBadInput;
  if (r.status == ObjectStatus::kInvalid) return exit_code::kFindings;
  if (r.status == ObjectStatus::kError) return refused_by_rbac(r) ? exit_code::kBadInput : exit_code::kInfrastructure;
  return exit_code::kClean;
}

void RbacRefusals::add(const ObjectResult& r) {
  if (r.kind_of_result != ResultKind::kObject) return;
  ++seen_;
  if (r.status != ObjectStatus::kError || !refused_by_rbac(r)) return;
  if (refused_++ > 0) return;
  for (const auto& f : r.findings)
    if (f.rule == kMissingVerbRule) {
      static const std::string kPrefix = "not validated: ";
      first_ = f.message.rfind(kPrefix, 0) == 0 ? f.message.substr(kPrefix.size()) : f.message;
      break;
    }
}

std::string RbacRefusals::summary() const {
  if (refused_ == 0) return "";
  return fmt::format("{} of {} objects not validated: the cluster's RBAC refuses these credentials (HTTP 403 "
                     "Forbidden): {}",
                     refused_, seen_, first_);
}

void add_rbac_risks(ObjectResult& r, const Resource& res, const std::set<std::string>& disabled,
                    const MapLineFn& map_line) {
  if (!is_rbac_policy_kind(res)) return;
  for (auto& f : rbac_risks(res, disabled)) {
    if (map_line && f.line > 0) f.line = map_line(res, f.line), f.column = 0;
    if (f.severity == Severity::kError && r.status == ObjectStatus::kValid) r.status = ObjectStatus::kInvalid;
    r.findings.push_back(std::move(f));
  }
}

void add_local_findings(ObjectResult& r, const Resource& res, const MapLineFn& map_line) {
  for (auto it = res.local_findings.rbegin(); it != res.local_findings.rend(); ++it) {
    Finding f;
    f.rule = it->rule;
    f.message = it->message;
    f.line = map_line && it->line > 0 ? map_line(res, it->line) : it->line;
    f.column = map_line ? 0 : it->column;
    r.findings.insert(r.findings.begin(), std::move(f));
    if (r.status == ObjectStatus::kValid) r.status = ObjectStatus::kInvalid;
  }
}

void drop_disabled(ObjectResult& r, const std::set<std::string>& disabled) {
  if (disabled.empty()) return;
  auto& fs = r.findings;
  fs.erase(std::remove_if(fs.begin(), fs.end(), [&](const Finding& f) { return disabled.count(f.rule) > 0; }),
           fs.end());
  if (r.status == ObjectStatus::kInvalid && r.kind_of_result == ResultKind::kObject && !r.has_severity(Severity::kError))
    r.status = ObjectStatus::kValid;
}

}  // namespace kv::engine
