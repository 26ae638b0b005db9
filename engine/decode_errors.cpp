#include "engine/decode_errors.h"

#include <fmt/core.h>

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
  if (raw.find("unable to convert unstructured object") != std::string::npos ||
      raw.find("cannot unmarshal") != std::string::npos) {
    out.findings.push_back(error("dry-run/invalid-value", kube::plain_server_message(raw), ""));
    return out;
  }
  return std::nullopt;
}

}  // namespace kv::engine
