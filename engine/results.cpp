#include "engine/results.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include <fmt/core.h>

#include "core/exit_codes.h"
#include "engine/judge.h"
#include "resources/loader.h"
#include "resources/locate.h"
#include "validators/rbac_rules.h"

namespace kv::engine {

namespace {

// The key of map `node` whose entry a message says `Invalid value: "V"` about (labels, annotations,
// selectors, resource requests): the entry whose value (or key) is V; "" when none is.
std::string entry_quoted(const YAML::Node& node, const std::string& message) {
  static const std::string kMarker = "Invalid value: \"";
  auto p = message.find(kMarker);
  if (p == std::string::npos) return "";
  p += kMarker.size();
  auto end = message.find('"', p);
  if (end == std::string::npos) return "";
  std::string value = message.substr(p, end - p);
  for (const auto& kvp : node)
    if ((kvp.second.IsScalar() && kvp.second.Scalar() == value) || kvp.first.Scalar() == value)
      return kvp.first.Scalar();
  return "";
}

// Whether `word` is in `text` with no letter, digit or '_' right before or after it.
bool names_word(std::string_view text, std::string_view word) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    size_t after = at + word.size();
    if ((at == 0 || !ident(text[at - 1])) && (after == text.size() || !ident(text[after]))) return true;
  }
  return false;
}

// The key of map `node` that a message about it names among its fields (`spec: Invalid value: {...}:
// minAvailable and maxUnavailable cannot be both set`), the one written last (it clashes with the others);
// "" when none is named. Only the message's last part is read, not the value it quotes.
std::string field_named(const YAML::Node& node, const std::string& message) {
  auto last = message.rfind(": ");
  std::string_view detail = last == std::string::npos ? std::string_view(message) : std::string_view(message).substr(last + 2);
  std::string best;
  int best_line = -1;
  for (const auto& kvp : node) {
    if (!kvp.first.IsScalar() || kvp.first.Scalar().size() < 3 || !names_word(detail, kvp.first.Scalar())) continue;
    if (kvp.first.Mark().line > best_line) {
      best_line = kvp.first.Mark().line;
      best = kvp.first.Scalar();
    }
  }
  return best;
}

// For a finding about a map: the path of the entry it is about (entry_quoted, else field_named), so that
// it points at that line; for one about a field refused for a sibling's quoted value, that sibling; else
// `path` unchanged. The object's tree is read once.
std::string refine_to_entry(const Resource& r, const std::string& path, const std::string& said) {
  // The server's words, without what kvalidate added after them: " (pass 3: found once ...)".
  std::string message = said;
  if (auto pass = message.rfind(" (pass "); pass != std::string::npos && message.back() == ')') message.erase(pass);
  YAML::Node tree = object_tree(r);
  auto node = node_at(tree, r.kind, path);
  if (node && node->IsScalar()) {
    // A field refused for the value of a sibling ("tolerations[0].operator: Invalid value: \"b\": value must
    // be empty when `operator` is 'Exists'"): the sibling that holds the quoted value, when only one does.
    auto dot = path.rfind('.');
    if (dot == std::string::npos || path.find_first_of("[]", dot) != std::string::npos) return path;
    const auto parent = node_at(tree, r.kind, path.substr(0, dot));
    if (!parent || !parent->IsMap()) return path;
    std::string key = entry_quoted(*parent, message);
    if (key.empty() || key == path.substr(dot + 1) || node->Scalar() == (*parent)[key].Scalar()) return path;
    return path.substr(0, dot) + "." + key;
  }
  if (!node || !node->IsMap()) return path;
  std::string key = entry_quoted(*node, message);
  if (key.empty()) key = field_named(*node, message);
  return key.empty() ? path : path + "[" + key + "]";
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

Place locate_in_source(const Resource& r, const std::string& field_path) {
  auto pos = locate(r, field_path);
  return pos ? Place{pos->line, pos->column, "", ""} : Place{};
}

ObjectResult object_result(const Resource& r, const std::string& suite) { return object_result_of(r, suite); }

void add_located(ObjectResult& res, const Resource& r, const LocateFn& locate, Finding f) {
  if (locate && !f.path.empty()) {
    Place at = locate(r, refine_to_entry(r, f.path, f.message));
    f.line = at.line;
    f.column = at.column;
    if (!at.note.empty()) f.message += " (" + at.note + ")";
    if (at.line > 0 && !at.file.empty()) f.file = at.file;
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
                    const RiskPolicy& policy, const MapLineFn& map_line) {
  if (!is_rbac_policy_kind(res) || (policy.mode == RiskMode::kOff && policy.per_rule.empty())) return;
  auto risks = rbac_risks(res, disabled);
  apply_risk_policy(risks, policy);
  for (auto& f : risks) {
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

void add_allocation_findings(ObjectResult& r, const Resource& res, ServiceAllocations& held, const LocateFn& locate,
                             const MapLineFn& map_line) {
  if (r.kind_of_result != ResultKind::kObject || (r.status != ObjectStatus::kValid && r.status != ObjectStatus::kInvalid))
    return;
  for (auto& f : held.check(res)) {
    r.status = ObjectStatus::kInvalid;
    // Placed as the server's findings are (a kustomize patch that set the port, a chart's values line).
    if (locate && !f.path.empty()) {
      add_located(r, res, locate, std::move(f));
      continue;
    }
    if (map_line && f.line > 0) f.line = map_line(res, f.line), f.column = 0;
    r.findings.push_back(std::move(f));
  }
}

namespace {

// Rules that say the object could not be checked at all (no served kind to send it to): turning them
// off leaves the object unchecked, not valid.
bool unchecked_rule(const std::string& rule) { return rule == "dry-run/unknown-kind" || rule == "dry-run/api-not-served"; }

}  // namespace

void drop_disabled(ObjectResult& r, const std::set<std::string>& disabled) {
  if (disabled.empty()) return;
  auto& fs = r.findings;
  std::string unchecked;  // the message of a disabled "could not be checked" finding
  for (const auto& f : fs)
    if (disabled.count(f.rule) && unchecked_rule(f.rule) && unchecked.empty()) unchecked = f.rule + ": " + f.message;
  fs.erase(std::remove_if(fs.begin(), fs.end(), [&](const Finding& f) { return disabled.count(f.rule) > 0; }),
           fs.end());
  if (r.kind_of_result != ResultKind::kObject || r.status != ObjectStatus::kInvalid || r.has_severity(Severity::kError))
    return;
  if (unchecked.empty()) {
    r.status = ObjectStatus::kValid;
    return;
  }
  r.status = ObjectStatus::kSkipped;
  Finding why;
  why.severity = Severity::kInfo;
  why.rule = "skipped";
  why.message = "not validated (--disable-rule " + unchecked.substr(0, unchecked.find(": ")) + "): " +
                unchecked.substr(unchecked.find(": ") + 2);
  why.line = r.source.line;
  why.column = r.source.column;
  fs.push_back(std::move(why));
}

void order_findings(ObjectResult& r) {
  std::stable_sort(r.findings.begin(), r.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.file, a.line, a.column, a.rule, a.message) < std::tie(b.file, b.line, b.column, b.rule, b.message);
  });
}

void excuse_unserved_kind(ObjectResult& r) {
  if (r.kind_of_result != ResultKind::kObject || r.status != ObjectStatus::kInvalid) return;
  auto unserved = std::find_if(r.findings.begin(), r.findings.end(),
                               [](const Finding& f) { return f.rule == "dry-run/unknown-kind"; });
  if (unserved == r.findings.end()) return;
  for (const auto& f : r.findings)
    if (&f != &*unserved && f.severity == Severity::kError) return;
  unserved->severity = Severity::kInfo;
  unserved->rule = "skipped";
  unserved->message = "not validated: " + unserved->message +
                      "; a template of the chart failed to render, and may be what defines it";
  r.status = ObjectStatus::kSkipped;
}

}  // namespace kv::engine
