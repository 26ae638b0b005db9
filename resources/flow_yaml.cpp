#include "resources/flow_yaml.h"

#include <initializer_list>
#include <regex>

#include "core/json.h"

namespace kv {

namespace {

bool left_out(const YAML::Node& n, const std::vector<YAML::Node>& leave_out) {
  for (const auto& l : leave_out)
    if (n.is(l)) return true;
  return false;
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

bool is_one_of(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (s == w) return true;
  return false;
}

// [-+]?(0|[1-9][0-9]*)
bool is_decimal(const std::string& s) {
  size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i >= s.size()) return false;
  if (s[i] == '0') return i + 1 == s.size();
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

}  // namespace

bool typed_by_token(const YAML::Node& n) {
  return n.Tag() == "?" || (n.Tag().rfind("tag:yaml.org,2002:", 0) == 0 && n.Tag() != "tag:yaml.org,2002:str");
}

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

std::optional<std::string> retyped_key(const YAML::Node& key) {
  if (!key.IsScalar()) return std::nullopt;
  const std::string& s = key.Scalar();
  // No boolean word is longer than five letters, and a number starts with a digit or a sign.
  const bool numeric = !s.empty() && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+');
  if (s.empty() || (s.size() > 5 && !numeric) || !typed_by_token(key)) return std::nullopt;
  if (is_one_of(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}))
    return s == "true" ? std::nullopt : std::optional<std::string>("true");
  if (is_one_of(s, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}))
    return s == "false" ? std::nullopt : std::optional<std::string>("false");
  if (numeric && is_decimal(s) && (s[0] == '+' || s == "-0")) return s == "-0" ? "0" : s.substr(1);
  return std::nullopt;
}

std::string to_flow_yaml(const YAML::Node& root, const std::vector<YAML::Node>& leave_out) {
  JsonWriter w(false);
  emit(root, leave_out, w);
  return w.str();
}

}  // namespace kv
