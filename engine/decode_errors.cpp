#include "engine/decode_errors.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <regex>

#include "engine/quantities.h"
#include "kube/server_message.h"
#include "resources/loader.h"
#include "resources/locate.h"
#include "validators/patch_errors.h"

namespace kv::engine {

namespace {

Finding error(std::string rule, std::string message, std::string path) {
  Finding f;
  f.severity = Severity::kError;
  f.rule = std::move(rule);
  f.message = std::move(message);
  f.path = std::move(path);
  return f;
}

// "spec.containers" + "[name=app]": the path of the second item the selector matches (the duplicate),
// or the list itself when there are not two.
std::string duplicate_item(const Resource& r, const std::string& list, const std::string& key) {
  YAML::Node tree = object_tree(r);
  auto items = node_at(tree, r.kind, list);
  if (!items || !items->IsSequence()) return list;
  auto seg = parse_field_path("x" + key);
  if (!seg || seg->size() != 2 || (*seg)[1].kind != PathSegment::Kind::kSelector) return list;
  int seen = 0;
  size_t i = 0;
  for (const auto& item : *items) {
    bool all = item.IsMap();
    for (const auto& [k, v] : (*seg)[1].fields) {
      const YAML::Node f = item.IsMap() ? item[k] : YAML::Node();
      if (f.IsDefined() && !f.IsNull() && (!f.IsScalar() || f.Scalar() != v)) all = false;
    }
    if (all && ++seen == 2) return list + "[" + std::to_string(i) + "]";
    ++i;
  }
  return list;
}

void from_patch_errors(const Resource& r, const std::vector<PatchError>& errs, DecodeErrors& out) {
  for (const auto& e : errs) {
    std::string msg = kube::plain_server_message(e.message);
    std::string path = e.path;
    if (auto at = msg.find("duplicate entries for key "); at != std::string::npos) {
      std::string key = msg.substr(at + 26);
      std::string bare;
      for (char c : key) if (c != '"') bare += c;
      path = duplicate_item(r, e.path, bare);
      out.findings.push_back(error("dry-run/duplicate-entry", e.path + ": " + msg, path));
    } else {
      out.findings.push_back(error(e.rule, path.empty() ? msg : path + ": " + msg, path));
    }
    if (!path.empty()) out.set_aside.push_back(path);
  }
}

// "cannot convert float64 to int32" (a number in an integer field, converting the object) and "cannot
// unmarshal number 0.5 into Go value of type int32" (an int-or-string): the numbers that do not fit.
DecodeErrors integer_errors(const Resource& r, const std::string& raw) {
  DecodeErrors out;
  static const std::regex kConvert(R"(cannot convert \w+ to (u?int(?:32|64)?)\b)");
  static const std::regex kUnmarshal(R"(cannot unmarshal number (\S+) into Go value of type (u?int(?:32|64)?)\b)");
  // A create's decoder names the field without list indices: "...Go struct field ContainerPort.spec.containers.
  // ports.containerPort of type int32".
  static const std::regex kField(
      R"(cannot unmarshal number (\S+) into Go struct field [\w.]*?\.((?:[a-z]\w*\.?)+) of type (u?int(?:32|64)?)\b)");
  std::smatch m;
  std::string type, value, field;
  if (std::regex_search(raw, m, kConvert)) type = m[1].str();
  else if (std::regex_search(raw, m, kUnmarshal)) value = m[1].str(), type = m[2].str();
  else if (std::regex_search(raw, m, kField)) value = m[1].str(), field = m[2].str(), type = m[3].str();
  auto range = integer_range(type);
  if (!range) return out;
  static const std::regex kIndex(R"(\[[^\]]*\])");
  for (const auto& n : numbers_not_fitting(object_tree(r), *range)) {
    if (!value.empty() && n.value != value && !n.out_of_range) continue;
    if (!field.empty() && std::regex_replace(n.path, kIndex, "") != field) continue;
    out.findings.push_back(error("dry-run/wrong-type",
                                 n.out_of_range ? fmt::format("{}: {} does not fit an integer of type {}", n.path, n.value, type)
                                                : fmt::format("{}: expected an integer ({}), got {}", n.path, type, n.value),
                                 n.path));
    out.set_aside.push_back(n.path);
  }
  return out;
}

// Whether `s` decodes as Go's base64.StdEncoding does for []byte fields: the standard alphabet, padded to
// a multiple of four, line breaks ignored.
bool is_std_base64(const std::string& s) {
  size_t n = 0, pad = 0;
  for (char c : s) {
    if (c == '\n' || c == '\r') continue;
    if (c == '=') { ++pad; ++n; continue; }
    if (pad > 0) return false;  // data after padding
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
    ++n;
  }
  return n % 4 == 0 && pad <= 2;
}

// "illegal base64 data at input byte 3": a Secret's data or a ConfigMap's binaryData value that is not
// base64. The server names neither the key nor (rightly) the value; nor do the findings give the value.
DecodeErrors base64_errors(const Resource& r, const std::string& raw) {
  DecodeErrors out;
  if (raw.find("illegal base64 data") == std::string::npos || !r.group().empty()) return out;
  const char* field = r.kind == "Secret" ? "data" : r.kind == "ConfigMap" ? "binaryData" : nullptr;
  if (!field) return out;
  const YAML::Node values = object_tree(r)[field];
  if (!values.IsMap()) return out;
  for (const auto& kv : values) {
    if (!kv.first.IsScalar() || !kv.second.IsScalar() || is_std_base64(kv.second.Scalar())) continue;
    std::string path = std::string(field) + "[" + kv.first.Scalar() + "]";
    out.findings.push_back(error("dry-run/invalid-value",
                                 path + ": not base64 (" + std::string(field) +
                                     " values are base64-encoded; put plain text in " +
                                     (r.kind == "Secret" ? "stringData" : "data") + ")",
                                 path));
    out.set_aside.push_back(path);
  }
  return out;
}

// `parsing time "yesterday" as "2006-01-02T15:04:05Z07:00"`: the fields written as that value.
DecodeErrors time_errors(const Resource& r, const std::string& raw) {
  DecodeErrors out;
  static const std::regex kTime(R"re(parsing time "([^"]*)")re");
  std::smatch m;
  if (!std::regex_search(raw, m, kTime)) return out;
  // Time fields of the API are named so (creationTimestamp, lastTransitionTime, managedFields' time).
  auto is_time_field = [](const std::string& path) {
    std::string leaf = path.substr(path.find_last_of(".]") == std::string::npos ? 0 : path.find_last_of(".]") + 1);
    auto ends = [&](std::string_view suffix) {
      return leaf.size() >= suffix.size() && leaf.compare(leaf.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return leaf == "time" || ends("Time") || ends("Timestamp");
  };
  std::vector<std::string> paths = paths_with_value(object_tree(r), m[1].str()), timed;
  std::copy_if(paths.begin(), paths.end(), std::back_inserter(timed), is_time_field);
  for (const auto& path : timed.empty() ? paths : timed) {
    out.findings.push_back(error("dry-run/invalid-value",
                                 path + ": \"" + m[1].str() + "\" is not a time (RFC 3339, e.g. 2024-01-31T12:00:00Z)",
                                 path));
    out.set_aside.push_back(path);
  }
  return out;
}

}  // namespace

std::optional<DecodeErrors> decode_errors(const Resource& r, const kube::ApiStatus& st) {
  DecodeErrors out;
  const std::string& raw = st.raw_message.empty() ? st.message : st.raw_message;
  if (auto errs = parse_patch_errors(raw); !errs.empty()) {
    from_patch_errors(r, errs, out);
    return out;
  }
  if (raw.find("strict decoding error") != std::string::npos) {
    for (const auto& p : field_paths_in_message(raw)) {
      bool dup = raw.find("duplicate field \"" + p + "\"") != std::string::npos;
      out.findings.push_back(error(dup ? "dry-run/duplicate-field" : "dry-run/unknown-field",
                                   p + (dup ? ": duplicate field" : ": field not declared in schema"), p));
      out.set_aside.push_back(p);
    }
    if (!out.findings.empty()) return out;
  }
  if (raw.find("quantities must match") != std::string::npos) {
    YAML::Node tree = object_tree(r);
    for (const auto& p : invalid_quantity_paths(tree)) {
      auto value = node_at(tree, r.kind, p);
      std::string v = value && value->IsScalar() ? value->Scalar() : "";
      out.findings.push_back(
          error("dry-run/invalid-quantity",
                p + ": \"" + v + "\" is not a quantity: use a number with an optional suffix (e.g. 500m, 1.5, 128Mi, 2Gi)", p));
      out.set_aside.push_back(p);
    }
    if (out.findings.empty())  // a quantity where this engine does not look for one: the server's words
      out.findings.push_back(error("dry-run/invalid-quantity", kube::plain_server_message(raw), ""));
    return out;
  }
  if (auto numbers = integer_errors(r, raw); !numbers.findings.empty()) return numbers;
  if (auto bytes = base64_errors(r, raw); !bytes.findings.empty()) return bytes;
  if (auto times = time_errors(r, raw); !times.findings.empty()) return times;
  if (raw.find("unable to convert unstructured object") != std::string::npos ||
      raw.find("cannot unmarshal") != std::string::npos) {
    out.findings.push_back(error("dry-run/invalid-value", kube::plain_server_message(raw), ""));
    return out;
  }
  return std::nullopt;
}

bool is_decode_rule(const std::string& rule) {
  static const char* const kRules[] = {"dry-run/wrong-type",       "dry-run/unknown-field", "dry-run/invalid-quantity",
                                       "dry-run/invalid-value",    "dry-run/duplicate-field", "dry-run/duplicate-entry"};
  for (const char* r : kRules)
    if (rule == r) return true;
  return false;
}

}  // namespace kv::engine
