#include "engine/upgrade_judge.h"

#include <algorithm>
#include <set>

#include <fmt/core.h>

#include "core/json.h"
#include "resources/locate.h"

namespace kv::engine {

namespace {

std::string json_of(const YAML::Node& n) {
  if (!n || n.IsNull()) return "null";
  JsonWriter w(false);
  w.node(n);
  return w.str();
}

std::string compact(const YAML::Node& n) {
  if (!n || n.IsNull()) return "(not set)";
  std::string s = json_of(n);
  return s.size() > 160 ? s.substr(0, 157) + "..." : s;
}

bool same(const YAML::Node& a, const YAML::Node& b) { return json_of(a) == json_of(b); }

// The names a partial-update refusal allows to change: 'a', 'b' quoted after "other than", or
// "except X and Y" (dotted names keep their first segment, the child of the refused map).
std::set<std::string> allowed_children(const std::string& message) {
  std::set<std::string> out;
  if (auto p = message.find("other than"); p != std::string::npos) {
    for (size_t q = message.find('\'', p); q != std::string::npos; q = message.find('\'', q + 1)) {
      size_t end = message.find('\'', q + 1);
      if (end == std::string::npos) break;
      out.insert(message.substr(q + 1, end - q - 1));
      q = end;
    }
  }
  if (auto p = message.find("except "); p != std::string::npos) {
    std::string rest = message.substr(p + 7);
    for (std::string word; !rest.empty();) {
      size_t sp = rest.find_first_of(" ,");
      word = rest.substr(0, sp);
      rest = sp == std::string::npos ? "" : rest.substr(sp + 1);
      if (word == "and" || word.empty()) continue;
      if (word == "for" || word == "when") break;
      out.insert(word.substr(0, word.find('.')));
    }
  }
  return out;
}

std::string rule_for(const std::string& message) {
  return is_immutable_message(message) ? "upgrade/immutable-field" : "upgrade/update-rejected";
}

// What the server said, without the value dump it puts before the reason ("Invalid value: v1.Label...:").
std::string server_reason(const std::string& message) {
  std::string m = message;
  if (m.rfind("Invalid value: ", 0) == 0) {
    auto colon = m.rfind(": ");
    if (colon != std::string::npos) m = m.substr(colon + 2);
  }
  if (m.rfind("Forbidden: ", 0) == 0) m = m.substr(11);
  return m.size() > 200 ? m.substr(0, 197) + "..." : m;
}

// What a finding says: the field, both values (unless hidden), the server's reason.
struct Wording {
  const std::string& from;
  bool show_values;
};

UpgradeFinding finding(const std::string& rule, const std::string& path, const YAML::Node& old_obj,
                       const YAML::Node& new_obj, const std::string& why, const Wording& w) {
  const std::string field = path.empty() ? "the object" : path;
  if (!w.show_values)
    return {rule, path, fmt::format("{} cannot change on upgrade from {} (server: {})", field, w.from, why)};
  const YAML::Node before = node_at_path(old_obj, path), after = node_at_path(new_obj, path);
  return {rule, path,
          fmt::format("{} cannot change on upgrade: {} has {}, this version has {} (server: {})", field, w.from,
                      compact(before), compact(after), why)};
}

}  // namespace

bool is_immutable_message(const std::string& message) {
  for (const char* marker : {"immutable", "may not change once set", "updates to", "cannot be changed",
                             "may not be changed", "field cannot be updated"})
    if (message.find(marker) != std::string::npos) return true;
  return false;
}

YAML::Node node_at_path(const YAML::Node& tree, const std::string& path) {
  YAML::Node node;
  node.reset(tree);
  if (path.empty()) return node;
  auto segments = parse_field_path(path);
  if (!segments) return YAML::Node(YAML::NodeType::Undefined);
  for (const auto& seg : *segments) {
    const YAML::Node current = node;  // const access never inserts
    YAML::Node next(YAML::NodeType::Undefined);
    if (seg.kind == PathSegment::Kind::kKey && current.IsMap() && current[seg.key]) {
      next.reset(current[seg.key]);
    } else if (seg.kind == PathSegment::Kind::kIndex && current.IsSequence() && seg.index >= 0 &&
               static_cast<size_t>(seg.index) < current.size()) {
      next.reset(current[static_cast<size_t>(seg.index)]);
    } else if (seg.kind == PathSegment::Kind::kSelector && current.IsSequence()) {
      for (const auto& item : current)
        if (item.IsMap() && item[seg.key] && item[seg.key].IsScalar() && item[seg.key].Scalar() == seg.value)
          next.reset(item);
      if (!next.IsDefined() || next.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    } else {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    node.reset(next);
  }
  return node;
}

std::vector<UpgradeFinding> judge_upgrade(const kube::ApiStatus& st, const YAML::Node& old_obj,
                                          const YAML::Node& new_obj, const std::string& from, bool show_values) {
  const Wording w{from, show_values};
  std::vector<UpgradeFinding> out;
  std::vector<kube::StatusCause> causes = st.causes;
  if (causes.empty()) causes.push_back({st.reason, st.message, ""});
  for (const auto& c : causes) {
    const std::string why = server_reason(c.message);
    const std::string rule = rule_for(c.message);
    std::set<std::string> allowed = allowed_children(c.message);
    const YAML::Node before = node_at_path(old_obj, c.field), after = node_at_path(new_obj, c.field);
    if (!allowed.empty() && before.IsMap() && after.IsMap()) {
      std::set<std::string> keys;
      for (const auto& kv : before) keys.insert(kv.first.Scalar());
      for (const auto& kv : after) keys.insert(kv.first.Scalar());
      size_t named = out.size();
      for (const auto& key : keys) {
        if (allowed.count(key)) continue;
        std::string child = c.field.empty() ? key : c.field + "." + key;
        if (!same(node_at_path(old_obj, child), node_at_path(new_obj, child)))
          out.push_back(finding(rule, child, old_obj, new_obj, why, w));
      }
      if (out.size() > named) continue;  // else fall back to the whole field
    }
    out.push_back(finding(rule, c.field, old_obj, new_obj, why, w));
  }
  return out;
}

}  // namespace kv::engine
