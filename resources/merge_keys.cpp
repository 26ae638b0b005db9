#include "resources/merge_keys.h"

#include <string>
#include <vector>

namespace kv {

namespace {

constexpr int kMaxDepth = 256;  // deeper trees are left as they are (the loader caps nodes anyway)

bool is_merge_key(const YAML::Node& key) {
  return key.IsScalar() && key.Scalar() == "<<" && key.Tag() != "!";  // a quoted "<<" is a plain key
}

bool has_key(const YAML::Node& map, const std::string& key) {
  for (const auto& kv : map)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return true;
  return false;
}

bool resolve(YAML::Node node, int depth) {
  if (depth > kMaxDepth) return false;
  bool any = false;
  if (node.IsSequence()) {
    for (auto item : node) any = resolve(item, depth + 1) || any;
    return any;
  }
  if (!node.IsMap()) return false;
  std::vector<YAML::Node> sources;  // the maps to merge, in order
  for (auto kv : node) {
    any = resolve(kv.second, depth + 1) || any;
    if (!is_merge_key(kv.first)) continue;
    if (kv.second.IsMap()) {
      sources.push_back(kv.second);
    } else if (kv.second.IsSequence()) {
      bool all_maps = true;
      for (const auto& s : kv.second) all_maps = all_maps && s.IsMap();
      if (!all_maps) return any;
      for (const auto& s : kv.second) sources.push_back(s);
    } else {
      return any;  // not a merge the server would do either
    }
  }
  if (sources.empty()) return any;
  node.remove("<<");
  for (const auto& src : sources)
    for (const auto& kv : src)
      if (kv.first.IsScalar() && !is_merge_key(kv.first) && !has_key(node, kv.first.Scalar()))
        node.force_insert(kv.first, kv.second);
  return true;
}

}  // namespace

bool may_have_merge_keys(std::string_view text) { return text.find("<<") != std::string_view::npos; }

bool resolve_merge_keys(YAML::Node node) { return resolve(node, 0); }

}  // namespace kv
