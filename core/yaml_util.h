// Small helpers over parsed YAML/JSON (yaml-cpp) trees, and the one way kvalidate parses YAML text into
// a Status-returning value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"

namespace kv {

// The scalar `n` holds, or "" when it is missing or not a scalar.
inline std::string scalar_of(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : ""; }

// The scalar at map[key], or "" when `map` is not a map, or the key is missing or not a scalar.
// Never inserts into `map` (const access).
inline std::string scalar_at(const YAML::Node& map, const std::string& key) {
  if (!map || !map.IsMap()) return "";
  return scalar_of(map[key]);
}

// The scalars of sequence `n`, in order (other elements left out); empty when `n` is not a sequence.
inline std::vector<std::string> strings_of(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n && n.IsSequence())
    for (const auto& e : n)
      if (e.IsScalar()) out.push_back(e.Scalar());
  return out;
}

// "FILE:LINE:COL" of a yaml-cpp mark (1-based), or "FILE" when the mark is null.
std::string mark_in(std::string_view file, const YAML::Mark& mark);

// Parses YAML (or JSON) text read from `file`. A syntax error is InvalidInput with one message shape:
// "FILE:LINE:COL: WHAT: yaml-cpp's detail" (e.g. "values.yaml:3:7: invalid YAML: end of map not found").
// Empty text gives a Null node.
Result<YAML::Node> parse_yaml(std::string_view text, std::string_view file, std::string_view what = "invalid YAML");

}  // namespace kv
