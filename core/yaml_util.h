// Small read-only helpers over parsed YAML/JSON (yaml-cpp) trees.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace kv {

// The scalar at map[key], or "" when `map` is not a map, or the key is missing or not a scalar.
// Never inserts into `map` (const access).
inline std::string scalar_at(const YAML::Node& map, const std::string& key) {
  if (!map || !map.IsMap()) return "";
  const YAML::Node v = map[key];
  return v && v.IsScalar() ? v.Scalar() : "";
}

}  // namespace kv
