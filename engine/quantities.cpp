#include "engine/quantities.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
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

// Visits every scalar under `n` with its path and whether it sits where a quantity is expected.
template <typename Visit>
void scan(const YAML::Node& n, const std::string& path, bool values_are_quantities, const Visit& visit) {
  if (n.IsMap()) {
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) continue;
      const std::string& k = kv.first.Scalar();
      std::string p = values_are_quantities ? path + "[" + k + "]" : join(path, k);
      if (values_are_quantities || quantity_key(k)) {
        if (kv.second.IsScalar()) visit(p, kv.second, true);
        else if (!values_are_quantities) scan(kv.second, p, false, visit);
        continue;
      }
      scan(kv.second, p, quantity_map_key(k) && kv.second.IsMap(), visit);
    }
  } else if (n.IsSequence()) {
    size_t i = 0;
    for (const auto& item : n) scan(item, path + "[" + std::to_string(i++) + "]", false, visit);
  } else if (n.IsScalar()) {
    visit(path, n, false);
  }
}

// The number a plain YAML scalar reads as (YAML 1.1: "1_000", "0x1f", ".5", ".inf"), else nullopt.
std::optional<long double> plain_number(const YAML::Node& v) {
  if (v.Tag() == "!" || v.Scalar().empty()) return std::nullopt;
  std::string s;
  for (char c : v.Scalar())
    if (c != '_') s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string bare = s[0] == '+' || s[0] == '-' ? s.substr(1) : s;
  if (bare == ".inf") return s[0] == '-' ? -HUGE_VALL : HUGE_VALL;
  if (bare == ".nan") return std::nanl("");
  if (bare.empty() || !(std::isdigit(static_cast<unsigned char>(bare[0])) || bare[0] == '.')) return std::nullopt;
  char* end = nullptr;
  long double out = std::strtold(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return out;
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
  scan(object, "", false, [&](const std::string& p, const YAML::Node& v, bool quantity) {
    if (quantity && !is_quantity(v.Scalar())) out.push_back(p);
  });
  return out;
}

std::optional<IntegerRange> integer_range(std::string_view go_type) {
  if (go_type == "int32") return IntegerRange{-2147483648.0L, 2147483647.0L};
  if (go_type == "int64" || go_type == "int") return IntegerRange{-9223372036854775808.0L, 9223372036854775807.0L};
  if (go_type == "uint32") return IntegerRange{0, 4294967295.0L};
  if (go_type == "uint64" || go_type == "uint") return IntegerRange{0, 18446744073709551615.0L};
  return std::nullopt;
}

std::vector<NumberAt> numbers_not_fitting(const YAML::Node& object, IntegerRange range) {
  std::vector<NumberAt> fractions, outside;
  scan(object, "", false, [&](const std::string& p, const YAML::Node& v, bool quantity) {
    if (quantity) return;
    auto n = plain_number(v);
    if (!n) return;
    if (!std::isfinite(*n) || std::floor(*n) != *n) fractions.push_back({p, v.Scalar(), false});
    else if (*n < range.min || *n > range.max) outside.push_back({p, v.Scalar(), true});
  });
  return fractions.empty() ? outside : fractions;
}

std::vector<std::string> paths_with_value(const YAML::Node& object, std::string_view value) {
  std::vector<std::string> out;
  scan(object, "", false, [&](const std::string& p, const YAML::Node& v, bool) {
    if (v.Scalar() == value) out.push_back(p);
  });
  return out;
}

}  // namespace kv::engine
