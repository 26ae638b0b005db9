#include "kube/server_message.h"

#include <cctype>
#include <regex>

namespace kv::kube {

namespace {

bool is_number(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty()) return false;
  bool digit = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    else if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') return false;
  }
  return digit;
}

// The index just past the brace that closes the one at `open`, skipping quoted strings; npos if none.
size_t closing_brace(std::string_view s, size_t open) {
  int depth = 0;
  bool quoted = false;
  for (size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == '{') ++depth;
    else if (c == '}' && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

// Replaces each `&value.someType{Value:X}` / `value.someType{...}` dump by describe_go_value(X).
std::string replace_value_dumps(std::string s) {
  static const std::string kMarker = "value.";
  size_t from = 0;
  while ((from = s.find(kMarker, from)) != std::string::npos) {
    size_t start = from > 0 && s[from - 1] == '&' ? from - 1 : from;
    size_t brace = from + kMarker.size();
    while (brace < s.size() && (std::isalnum(static_cast<unsigned char>(s[brace])) || s[brace] == '_')) ++brace;
    if (brace >= s.size() || s[brace] != '{' || brace == from + kMarker.size()) {
      from = brace;
      continue;
    }
    size_t end = closing_brace(s, brace);
    if (end == std::string::npos) break;
    std::string_view inner(s.data() + brace + 1, end - brace - 2);
    if (inner.substr(0, 6) == "Value:") inner.remove_prefix(6);
    std::string text = describe_go_value(inner);
    s.replace(start, end - start, text);
    from = start + text.size();
  }
  return s;
}

// Go composite literals left outside value dumps: `map[string]interface {}{...}`, `[]interface {}{...}`.
std::string replace_literals(std::string s) {
  for (const char* prefix : {"map[string]interface {}{", "[]interface {}{"}) {
    size_t at;
    while ((at = s.find(prefix)) != std::string::npos) {
      size_t brace = at + std::string(prefix).size() - 1;
      size_t end = closing_brace(s, brace);
      if (end == std::string::npos) break;
      s.replace(at, end - at, prefix[0] == 'm' ? "a map" : "a list");
    }
  }
  return s;
}

}  // namespace

std::string describe_go_value(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v == "true" || v == "false") return "boolean " + std::string(v);
  if (v == "<nil>" || v == "interface {}(nil)" || v == "nil") return "null";
  if (v.substr(0, 4) == "map[") return "a map";
  if (v.substr(0, 2) == "[]") return "a list";
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return "string " + std::string(v);
  // int64(3), float64(1.5)
  for (const char* t : {"int64(", "int32(", "int(", "float64(", "float32("}) {
    std::string_view p(t);
    if (v.substr(0, p.size()) == p && v.back() == ')') return "number " + std::string(v.substr(p.size(), v.size() - p.size() - 1));
  }
  if (is_number(v)) return "number " + std::string(v);
  return std::string(v);
}

std::string describe_go_type(std::string_view t) {
  while (!t.empty() && t.front() == '*') t.remove_prefix(1);
  if (t.find('.') != std::string_view::npos && t.substr(0, 2) != "[]" && t.substr(0, 4) != "map[") {
    // Named types: resource.Quantity, intstr.IntOrString, metav1.Time, v1.PodSpec ...
    std::string_view name = t.substr(t.rfind('.') + 1);
    if (name == "Quantity") return "quantity";
    if (name == "IntOrString") return "integer or string";
    if (name == "Time" || name == "MicroTime") return "time";
    if (name == "Duration") return "duration";
    return "object";
  }
  if (t.substr(0, 2) == "[]") return t == "[]byte" || t == "[]uint8" ? "string" : "list";
  if (t.substr(0, 4) == "map[") return "map";
  if (t == "string") return "string";
  if (t == "bool") return "boolean";
  if (t.substr(0, 3) == "int" || t.substr(0, 4) == "uint") return "integer";
  if (t.substr(0, 5) == "float") return "number";
  if (t == "interface {}") return "value";
  return "object";
}

std::string plain_server_message(std::string_view message) {
  std::string s(message);
  if (s.find("value.") != std::string::npos) s = replace_value_dumps(std::move(s));
  if (s.find("interface {}") != std::string::npos) s = replace_literals(std::move(s));
  // structured-merge-diff prints a scalar where it wanted a list or map as a Go pointer dump:
  // "expected list, got &{--verbose}".
  // A list or map where the other was wanted prints as "&{[a b]}" or "&{map[a:b]}".
  if (s.find("got &{") != std::string::npos) {
    static const std::regex kPointer(R"(got &\{([^{}]*)\})");
    std::string out;
    auto from = s.cbegin();
    for (std::sregex_iterator it(s.begin(), s.end(), kPointer), end; it != end; ++it) {
      const std::string dump = (*it)[1].str();
      out.append(from, (*it)[0].first);
      if (dump.rfind("map[", 0) == 0 && dump.back() == ']') out += "got a map " + dump.substr(3);
      else if (dump.size() >= 2 && dump.front() == '[' && dump.back() == ']') out += "got a list " + dump;
      else out += "got the scalar \"" + dump + "\"";
      from = (*it)[0].second;
    }
    out.append(from, s.cend());
    s = std::move(out);
  }
  // encoding/json: `json: cannot unmarshal X into Go struct field T.a.b of type Y`.
  static const std::regex kStructField(
      R"((?:json: )?cannot unmarshal (\w+)(?: \S+)? into Go struct field [\w.]*?\.((?:[a-z][\w]*\.?)+) of type ((?:\[\]|\*|map\[\w+\])*[\w.]+(?: \{\})?))");
  static const std::regex kValue(R"((?:json: )?cannot unmarshal (\w+)(?: \S+)? into Go value of type ((?:\[\]|\*|map\[\w+\])*[\w.]+(?: \{\})?))");
  std::smatch m;
  if (std::regex_search(s, m, kStructField)) {
    std::string repl = m[2].str() + ": expected " + describe_go_type(m[3].str()) + ", got " + m[1].str();
    s = m.prefix().str() + repl + m.suffix().str();
  } else if (std::regex_search(s, m, kValue)) {
    s = m.prefix().str() + "expected " + describe_go_type(m[2].str()) + ", got " + m[1].str() + m.suffix().str();
  }
  static const std::regex kQuantity(R"(quantities must match the regular expression '[^']*')");
  s = std::regex_replace(s, kQuantity, "must be a quantity (e.g. 500m, 1.5, 128Mi, 2Gi)");
  // "unable to convert unstructured object to apps/v1, Kind=Deployment: " names the object's own type.
  static const std::regex kConvert(R"(unable to convert unstructured object to [\w./]+, Kind=\w+: )");
  s = std::regex_replace(s, kConvert, "");
  // "failed to convert new object (ns/name; apps/v1, Kind=Deployment) to proper version: " and
  // "failed to create typed patch object (/name; apps/v1, Kind=Deployment): " name the object again.
  static const std::regex kObjectPrefix(R"(failed to (convert new|create typed patch) object \([^)]*\)( to proper version)?: )");
  s = std::regex_replace(s, kObjectPrefix, "");
  return s;
}

}  // namespace kv::kube
