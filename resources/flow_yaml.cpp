#include "resources/flow_yaml.h"

#include <regex>

#include "core/json.h"

namespace kv {

namespace {

bool left_out(const YAML::Node& n, const std::vector<YAML::Node>& leave_out) {
  for (const auto& l : leave_out)
    if (n.is(l)) return true;
  return false;
}

// A plain scalar (tag "?"), or one with an explicit non-string tag (!!int, !!bool, ...): its token decides
// its type, so it is written as the token.
bool typed_by_token(const YAML::Node& n) {
  return n.Tag() == "?" || (n.Tag().rfind("tag:yaml.org,2002:", 0) == 0 && n.Tag() != "tag:yaml.org,2002:str");
}

void emit(const YAML::Node& n, const std::vector<YAML::Node>& leave_out, JsonWriter& w) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      w.begin_object();
      for (const auto& kv : n) {
        if (left_out(kv.second, leave_out)) continue;
        const bool token = kv.first.IsScalar() && typed_by_token(kv.first) && yaml11_non_string(kv.first.Scalar());
        if (token) w.raw_key(kv.first.Scalar());  // `on:` is the key "true" to the server, `0x10:` is "16"
        else w.key(kv.first.IsScalar() ? kv.first.Scalar() : "");
        emit(kv.second, leave_out, w);
      }
      w.end_object();
      return;
    case YAML::NodeType::Sequence:
      w.begin_array();
      for (const auto& item : n)
        if (!left_out(item, leave_out)) emit(item, leave_out, w);
      w.end_array();
      return;
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (typed_by_token(n) && yaml11_non_string(s)) w.raw(s);
      else w.value(s);
      return;
    }
    default:
      w.null();
  }
}

}  // namespace

bool yaml11_non_string(const std::string& s) {
  static const std::regex kToken(
      R"(~|null|Null|NULL|)"
      R"(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|)"
      R"([-+]?(0|[1-9][0-9_]*)|[-+]?0[0-7_]+|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO][0-7_]+|[-+]?0[bB][01_]+|)"
      R"([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|)"
      R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  if (s.empty() || s.size() > 64) return false;
  return std::regex_match(s, kToken);
}

std::string server_key_text(const YAML::Node& key, bool* typed) {
  if (typed) *typed = false;
  if (!key.IsScalar()) return "";
  const std::string& s = key.Scalar();
  if (!typed_by_token(key) || s.empty() || s.size() > 64) return s;
  if (typed) *typed = yaml11_non_string(s);
  static const std::regex kTrue(R"(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)");
  static const std::regex kFalse(R"(n|N|no|No|NO|false|False|FALSE|off|Off|OFF)");
  static const std::regex kDecimal(R"([-+]?(0|[1-9][0-9]*))");
  if (std::regex_match(s, kTrue)) return "true";
  if (std::regex_match(s, kFalse)) return "false";
  if (std::regex_match(s, kDecimal)) {
    std::string n = s[0] == '+' ? s.substr(1) : s;
    return n == "-0" ? "0" : n;
  }
  return s;
}

std::string to_flow_yaml(const YAML::Node& root, const std::vector<YAML::Node>& leave_out) {
  JsonWriter w(false);
  emit(root, leave_out, w);
  return w.str();
}

}  // namespace kv
