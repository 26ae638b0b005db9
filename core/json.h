// JSON output without a JSON library: a small streaming writer that handles commas, nesting and string
// escaping (control characters, invalid UTF-8 replaced by U+FFFD). JSON *input* is parsed with yaml-cpp,
// see parse_json().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"

namespace kv {

// Returns `s` as a quoted JSON string literal.
std::string json_quote(std::string_view s);

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = true) : pretty_(pretty) {}
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
  JsonWriter& value(bool v);
  JsonWriter& value(int64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(uint64_t v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& null();
  // Writes an already-serialized JSON fragment as the next value.
  JsonWriter& raw(std::string_view json);
  // A key written as the token `k`, unquoted, then ": " (flow YAML, not JSON: resources/flow_yaml.h).
  JsonWriter& raw_key(std::string_view k);
  // Writes a yaml-cpp node (as parsed from YAML or JSON) as JSON; scalars keep their YAML type
  // (plain scalars that look like numbers, booleans or null are written unquoted).
  JsonWriter& node(const YAML::Node& n);
  const std::string& str() const { return out_; }
  // Room for `bytes` of output at once (a large report grows once, not by doubling).
  void reserve(size_t bytes) { out_.reserve(bytes); }

 private:
  void before_value();
  void newline();
  bool pretty_;
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// Parses a JSON (or YAML) document; never throws. The error names `what` (a file or "API response").
Result<YAML::Node> parse_json(std::string_view text, std::string_view what);

}  // namespace kv
