#include "validators/redact.h"

#include <algorithm>
#include <regex>

#include "kube/kubeconfig.h"
#include "resources/loader.h"

namespace kv {

namespace {
constexpr size_t kMinLength = 4;  // shorter values would shred ordinary words; see about_secret
}

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
  for (const auto& v : values_) {
    for (size_t pos = text.find(v); pos != std::string::npos; pos = text.find(v, pos + 10))
      text.replace(pos, v.size(), "[REDACTED]");
  }
  if (about_secret) {
    static const std::regex kInvalidValue(R"(Invalid value: "(?:[^"\\]|\\.)*")");
    text = std::regex_replace(text, kInvalidValue, "Invalid value: \"[REDACTED]\"");
  }
  return text;
}

}  // namespace kv
