#include "validators/admission_mutation.h"

#include <set>

#include <fmt/core.h>

#include "core/json.h"

namespace kv {

namespace {

std::string compact(const YAML::Node& n) {
  JsonWriter w(false);
  w.node(n);
  return w.str();
}

bool same(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  if (a.IsScalar()) return a.Scalar() == b.Scalar();
  return compact(a) == compact(b);
}

// A map key as a path step: dotted unless the key itself holds a dot or a slash.
std::string step(const std::string& path, const std::string& key) {
  bool plain = key.find_first_of("./[]") == std::string::npos && !key.empty();
  if (plain) return path.empty() ? key : path + "." + key;
  return path + "[" + key + "]";
}

void diff(const YAML::Node& a, const YAML::Node& b, const std::string& path, std::vector<FieldChange>& out) {
  bool has_a = a && a.IsDefined() && !a.IsNull(), has_b = b && b.IsDefined() && !b.IsNull();
  if (!has_a && !has_b) return;
  if (!has_a || !has_b) {
    out.push_back({path, has_a ? compact(a) : "", has_b ? compact(b) : ""});
    return;
  }
  if (a.IsMap() && b.IsMap()) {
    std::set<std::string> keys;
    for (const auto& kv : a) keys.insert(kv.first.Scalar());
    for (const auto& kv : b) keys.insert(kv.first.Scalar());
    for (const auto& k : keys) diff(a[k], b[k], step(path, k), out);
    return;
  }
  if (a.IsSequence() && b.IsSequence() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) diff(a[i], b[i], fmt::format("{}[{}]", path, i), out);
    return;
  }
  if (!same(a, b)) out.push_back({path, compact(a), compact(b)});
}

}  // namespace

std::vector<FieldChange> mutation_changes(const YAML::Node& without, const YAML::Node& with) {
  std::vector<FieldChange> out;
  if (!without || !with || !without.IsMap() || !with.IsMap()) return out;
  static const std::set<std::string> kServerSet = {"uid", "creationTimestamp", "resourceVersion", "generation",
                                                   "managedFields", "selfLink"};
  YAML::Node a = YAML::Clone(without), b = YAML::Clone(with);
  for (YAML::Node* n : {&a, &b})
    if ((*n)["metadata"] && (*n)["metadata"].IsMap())
      for (const auto& k : kServerSet) (*n)["metadata"].remove(k);
  diff(a, b, "", out);
  return out;
}

std::string describe_changes(const std::vector<FieldChange>& changes, size_t max) {
  std::string out;
  size_t shown = 0;
  for (const auto& c : changes) {
    if (shown == max) {
      out += fmt::format("; and {} more", changes.size() - max);
      break;
    }
    if (!out.empty()) out += "; ";
    if (c.before.empty()) out += fmt::format("would set {}={}", c.path, c.after);
    else if (c.after.empty()) out += fmt::format("would remove {}", c.path);
    else out += fmt::format("would change {} from {} to {}", c.path, c.before, c.after);
    ++shown;
  }
  return out;
}

}  // namespace kv
