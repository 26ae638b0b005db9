#include "core/json.h"

#include <cmath>
#include <cstdio>

#include "core/utf8.h"
#include "core/yaml_util.h"

namespace kv {

namespace {
// True when `s` is a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?
bool is_json_number(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < s.size() && s[i] == '.') { ++i; if (!digits()) return false; }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence(s, i);
      if (n == 0) { out += "\\ufffd"; ++i; continue; }
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

void JsonWriter::newline() {
  if (!pretty_) return;
  out_ += '\n';
  out_.append(first_.size() * 2, ' ');
}

void JsonWriter::before_value() {
  if (after_key_) { after_key_ = false; return; }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    newline();
  }
}

JsonWriter& JsonWriter::begin_object() { before_value(); out_ += '{'; first_.push_back(true); return *this; }
JsonWriter& JsonWriter::begin_array() { before_value(); out_ += '['; first_.push_back(true); return *this; }
JsonWriter& JsonWriter::end_object() {
  bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += '}';
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += ']';
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  before_value();
  out_ += json_quote(k);
  out_ += pretty_ ? ": " : ":";
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view v) { before_value(); out_ += json_quote(v); return *this; }
JsonWriter& JsonWriter::value(bool v) { before_value(); out_ += v ? "true" : "false"; return *this; }
JsonWriter& JsonWriter::value(int64_t v) { before_value(); out_ += std::to_string(v); return *this; }
JsonWriter& JsonWriter::value(double v) {
  before_value();
  if (!std::isfinite(v)) { out_ += "null"; return *this; }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out_ += buf;
  return *this;
}
JsonWriter& JsonWriter::null() { before_value(); out_ += "null"; return *this; }
JsonWriter& JsonWriter::raw(std::string_view json) { before_value(); out_.append(json); return *this; }

JsonWriter& JsonWriter::raw_key(std::string_view k) {
  before_value();
  out_.append(k);
  out_ += ": ";  // (a plain key needs the space in a flow mapping)
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::node(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      begin_object();
      for (const auto& kvp : n) {
        key(kvp.first.Scalar());
        node(kvp.second);
      }
      return end_object();
    case YAML::NodeType::Sequence:
      begin_array();
      for (const auto& item : n) node(item);
      return end_array();
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      // Quoted scalars have tag "!"; plain ones "?" and are resolved by YAML 1.2 core schema rules.
      if (n.Tag() != "!") {
        if (s == "true" || s == "false" || s == "null") { before_value(); out_ += s; return *this; }
        if (s == "~") return null();
        if (is_json_number(s)) { before_value(); out_ += s; return *this; }
      }
      return value(s);
    }
    default:
      return null();
  }
}

Result<YAML::Node> parse_json(std::string_view text, std::string_view what) {
  return parse_yaml(text, what, "invalid JSON");
}

}  // namespace kv
