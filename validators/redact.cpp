#include "validators/redact.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "kube/kubeconfig.h"
#include "resources/loader.h"

namespace kv {

namespace {

constexpr size_t kMinLength = 6;  // shorter values would shred ordinary words; see about_secret

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether text[pos, pos+len) is a whole value: not part of a longer word, and not a segment of a field
// path or a map key ("spec.storageos.secretName", "data[storageos]"), where a Secret value that happens to
// be an ordinary word would otherwise rewrite the path.
bool whole_value(const std::string& text, size_t pos, size_t len) {
  char before = pos > 0 ? text[pos - 1] : ' ';
  char after = pos + len < text.size() ? text[pos + len] : ' ';
  if (word_char(before) || word_char(after)) return false;
  // A map key in a path: "data[storageos]" (a bracket alone, "[value]", is no path).
  if (before == '[' && after == ']' && pos > 1 && (word_char(text[pos - 2]) || text[pos - 2] == ']')) return false;
  bool dot_before = before == '.' && pos > 1 && word_char(text[pos - 2]);
  bool dot_after = (after == '.' || after == '[') && pos + len + 1 < text.size() && word_char(text[pos + len + 1]);
  return !dot_before && !dot_after;
}

}  // namespace

void Redactor::add_value(const std::string& value) {
  if (value.size() < kMinLength) return;
  if (std::find(values_.begin(), values_.end(), value) != values_.end()) return;
  values_.push_back(value);
  std::sort(values_.begin(), values_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

void Redactor::collect(const std::vector<Resource>& resources) {
  for (const auto& r : resources) {
    if (r.kind != "Secret") continue;
    const YAML::Node tree = object_tree(r);
    if (!tree.IsMap()) continue;
    for (const char* field : {"data", "stringData"}) {
      const YAML::Node m = tree[field];
      if (!m || !m.IsMap()) continue;
      for (const auto& kvp : m) {
        if (!kvp.second.IsScalar()) continue;
        const std::string& v = kvp.second.Scalar();
        add_value(v);
        if (std::string(field) == "data") {
          if (auto decoded = kube::base64_decode(v); decoded.ok()) add_value(*decoded);
        } else {
          add_value(kube::base64_encode(v));
        }
      }
    }
  }
}

std::string Redactor::apply(std::string text, bool about_secret) const {
  static const std::string kMark = "[REDACTED]";
  for (const auto& v : values_) {
    for (size_t pos = text.find(v); pos != std::string::npos;) {
      if (!whole_value(text, pos, v.size())) {
        pos = text.find(v, pos + 1);
        continue;
      }
      text.replace(pos, v.size(), kMark);
      pos = text.find(v, pos + kMark.size());
    }
  }
  if (about_secret) {
    static const std::regex kInvalidValue(R"(Invalid value: "(?:[^"\\]|\\.)*")");
    text = std::regex_replace(text, kInvalidValue, "Invalid value: \"[REDACTED]\"");
  }
  return text;
}

}  // namespace kv
