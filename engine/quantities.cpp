#include "engine/quantities.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace kv::engine {

namespace {

// Maps whose every value is a quantity (resource name → quantity).
bool quantity_map_key(const std::string& k) {
  static const std::set<std::string> kKeys = {"limits", "requests", "hard", "capacity", "overhead", "allocatable",
                                              "max", "min", "default", "defaultRequest", "maxLimitRequestRatio"};
  return kKeys.count(k) > 0;
}

// Keys whose own value is a quantity.
bool quantity_key(const std::string& k) { return k == "sizeLimit" || k == "averageValue" || k == "storage"; }

bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

std::string join(const std::string& path, const std::string& key) {
  bool plain = !key.empty() && std::all_of(key.begin(), key.end(), is_key_char);
  if (plain) return path.empty() ? key : path + "." + key;
  return path + "[" + key + "]";
}

void scan(const YAML::Node& n, const std::string& path, bool values_are_quantities, std::vector<std::string>& out) {
  if (n.IsMap()) {
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) continue;
      const std::string& k = kv.first.Scalar();
      std::string p = values_are_quantities ? path + "[" + k + "]" : join(path, k);
      if (values_are_quantities || quantity_key(k)) {
        if (kv.second.IsScalar() && !is_quantity(kv.second.Scalar())) out.push_back(p);
        if (!values_are_quantities) scan(kv.second, p, false, out);
        continue;
      }
      scan(kv.second, p, quantity_map_key(k) && kv.second.IsMap(), out);
    }
  } else if (n.IsSequence()) {
    size_t i = 0;
    for (const auto& item : n) scan(item, path + "[" + std::to_string(i++) + "]", false, out);
  }
}

}  // namespace

bool is_quantity(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0, dots = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
    if (s[i] == '.') ++dots;
    else ++digits;
    ++i;
  }
  if (digits == 0 || dots > 1) return false;
  std::string_view suffix = s.substr(i);
  static const std::set<std::string_view> kSuffixes = {"",  "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u",
                                                       "m", "k",  "M",  "G",  "T",  "P",  "E"};
  if (kSuffixes.count(suffix)) return true;
  if (suffix[0] != 'e' && suffix[0] != 'E') return false;  // decimal exponent: e3, E-2
  size_t j = 1;
  if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) ++j;
  if (j >= suffix.size()) return false;
  for (; j < suffix.size(); ++j)
    if (!std::isdigit(static_cast<unsigned char>(suffix[j]))) return false;
  return true;
}

std::vector<std::string> invalid_quantity_paths(const YAML::Node& object) {
  std::vector<std::string> out;
  scan(object, "", false, out);
  return out;
}

}  // namespace kv::engine
