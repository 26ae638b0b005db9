#include "resources/locate.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "resources/loader.h"

namespace kv {

namespace {

// How many of a CRD's versions a path of its internal form is looked for in (alias_paths).
constexpr int kCrdVersionsTried = 16;

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// "port=8080,protocol=\"TCP\"" → {(port, 8080), (protocol, TCP)}; empty when a part is not field=value.
std::vector<std::pair<std::string, std::string>> selector_fields(std::string_view inner) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  char quote = 0;
  for (size_t i = 0; i <= inner.size(); ++i) {
    char c = i < inner.size() ? inner[i] : ',';
    if (quote) { if (c == quote) quote = 0; continue; }
    if (c == '"' || c == '\'') { quote = c; continue; }
    if (c != ',') continue;
    std::string_view part = inner.substr(start, i - start);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) return {};
    out.emplace_back(std::string(part.substr(0, eq)), unquote(part.substr(eq + 1)));
    start = i + 1;
  }
  return out;
}

PathSegment bracket_segment(std::string_view inner) {
  PathSegment seg;
  if (inner.size() >= 2 && (inner.front() == '"' || inner.front() == '\'') && inner.back() == inner.front()) {
    seg.key = unquote(inner);
    return seg;
  }
  seg.key = std::string(inner);
  if (all_digits(inner)) {
    seg.kind = PathSegment::Kind::kIndex;
    seg.index = std::stol(seg.key);
    return seg;
  }
  if (inner.find('=') != std::string_view::npos && inner.front() != '=') {
    auto fields = selector_fields(inner);
    if (!fields.empty()) {
      seg.kind = PathSegment::Kind::kSelector;
      seg.key = fields[0].first;
      seg.value = fields[0].second;
      seg.fields = std::move(fields);
    }
  }
  return seg;
}

// The text a segment stands for as a map key.
std::string as_key(const PathSegment& s) {
  if (s.kind != PathSegment::Kind::kSelector) return s.key;
  std::string out;
  for (const auto& [k, v] : s.fields) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

// (A missing key of a const map is an invalid node whose Type() throws: check IsDefined() first.)
bool scalar_is(const YAML::Node& n, const std::string& value) {
  return n.IsDefined() && n.IsScalar() && n.Scalar() == value;
}

// How well list item `item` matches selector `seg`: 0 when a field it has disagrees or it has none of
// the fields, else the number of fields it agrees on. (A list-map key the user left out, such as a
// Service port's defaulted protocol, is named by the server all the same.)
int selector_score(const YAML::Node& item, const PathSegment& seg) {
  if (!item.IsMap()) return 0;
  int agree = 0;
  for (const auto& [k, v] : seg.fields) {
    const YAML::Node f = item[k];
    if (!f.IsDefined() || f.IsNull()) continue;
    if (!scalar_is(f, v)) return 0;
    ++agree;
  }
  return agree;
}

// The child of `cur` that `seg` names, with the node whose mark locates it (a key or the item);
// false when there is none. (Outputs are optionals: assigning to a bound YAML::Node would rewrite
// the tree it belongs to.)
bool step(const YAML::Node& cur, const PathSegment& seg, std::optional<YAML::Node>& child,
          std::optional<YAML::Node>& at) {
  if (cur.IsMap()) {
    std::string key = as_key(seg);
    for (const auto& kv : cur) {
      if (scalar_is(kv.first, key)) {
        child.emplace(kv.second);
        at.emplace(kv.first);
        return true;
      }
    }
    // The server names a few fields by their Go name (spec.LoadBalancerSourceRanges): the JSON name starts
    // lower case.
    if (seg.kind == PathSegment::Kind::kKey && !key.empty() && std::isupper(static_cast<unsigned char>(key[0]))) {
      PathSegment lower = seg;
      lower.key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
      return step(cur, lower, child, at);
    }
    return false;
  }
  if (!cur.IsSequence()) return false;
  // Selectors: the item agreeing on the most written fields, none contradicting.
  long i = 0;
  int best = 0;
  for (const auto& item : cur) {
    int score = 0;
    switch (seg.kind) {
      case PathSegment::Kind::kIndex: score = i == seg.index ? 1 : 0; break;
      case PathSegment::Kind::kSelector: score = selector_score(item, seg); break;
      case PathSegment::Kind::kKey: score = item.IsMap() && scalar_is(item["name"], seg.key) ? 1 : 0; break;
    }
    if (score > best) {
      best = score;
      child.emplace(item);
      at.emplace(item);
    }
    ++i;
  }
  return best > 0;
}

// Takes the step at segs[i] from `cur`; returns how many segments it used (0: none matched). A map key
// holding dots ("prometheus.io/port") reaches us split at them when the server writes it unbracketed
// (".metadata.annotations.prometheus.io/port"): then the longest run of plain keys that names an entry
// of the map is taken as one key.
size_t advance(const YAML::Node& cur, const std::vector<PathSegment>& segs, size_t i, std::optional<YAML::Node>& child,
               std::optional<YAML::Node>& at) {
  if (step(cur, segs[i], child, at)) return 1;
  if (!cur.IsMap() || segs[i].kind != PathSegment::Kind::kKey) return 0;
  size_t plain = i;
  while (plain + 1 < segs.size() && segs[plain + 1].kind == PathSegment::Kind::kKey) ++plain;
  for (size_t j = plain; j > i; --j) {
    PathSegment joined = segs[i];
    for (size_t k = i + 1; k <= j; ++k) joined.key += "." + segs[k].key;
    if (step(cur, joined, child, at)) return j - i + 1;
  }
  return 0;
}

// Walks `segs` from the object's root; the position of the deepest step found.
Position walk(const Resource& r, const YAML::Node& root, std::string_view stripped, const std::vector<PathSegment>& segs) {
  Position pos;
  pos.line = root.Mark().line + 1 + r.line_base;
  pos.column = root.Mark().column + 1;
  std::optional<YAML::Node> cur(root);
  size_t i = 0;
  while (i < segs.size()) {
    std::optional<YAML::Node> child, at;
    size_t used = advance(*cur, segs, i, child, at);
    if (used == 0) break;
    i += used;
    if (!at->Mark().is_null()) {
      pos.line = at->Mark().line + 1 + r.line_base;
      pos.column = at->Mark().column + 1;
    }
    pos.matched = std::string(stripped.substr(0, segs[i - 1].end));
    pos.depth = i;
    cur.emplace(*child);
  }
  pos.exact = i == segs.size();
  return pos;
}

}  // namespace

std::optional<std::vector<PathSegment>> parse_field_path(std::string_view path) {
  std::vector<PathSegment> segs;
  size_t i = 0;
  if (path.substr(0, 2) == "$.") i = 2;
  else if (path.substr(0, 1) == ".") i = 1;
  while (i < path.size()) {
    size_t start = i;
    while (i < path.size() && path[i] != '.' && path[i] != '[' && path[i] != ']') ++i;
    if (i > start) {
      PathSegment seg;
      seg.key = std::string(path.substr(start, i - start));
      seg.end = i;
      segs.push_back(std::move(seg));
    } else if (i < path.size() && path[i] != '[') {
      return std::nullopt;  // empty key: "a..b", "a.", "]"
    }
    while (i < path.size() && path[i] == '[') {
      size_t close = path.find(']', i + 1);
      if (close == std::string_view::npos || close == i + 1) return std::nullopt;
      PathSegment seg = bracket_segment(path.substr(i + 1, close - i - 1));
      seg.end = close + 1;
      segs.push_back(std::move(seg));
      i = close + 1;
    }
    if (i < path.size()) {
      if (path[i] != '.' || i + 1 == path.size()) return std::nullopt;
      ++i;
    }
  }
  return segs;
}

std::optional<Position> locate(const Resource& r, std::string_view field_path) {
  const YAML::Node root = object_tree(r);
  if (!root.IsMap() || root.Mark().is_null()) return std::nullopt;
  std::string_view stripped = without_path_prefix(field_path);
  auto segs = parse_field_path(stripped);
  std::optional<Position> pos;
  if (segs) pos = walk(r, root, stripped, *segs);
  if (pos && pos->exact) return pos;
  // The path as the user wrote it, where validation names it otherwise (also a path that is none, "[]").
  // When none exists entirely, the deepest ancestor any of them reaches: a key a Secret lacks is at its
  // stringData, where the user wrote the others, rather than at the object's first line.
  std::optional<Position> deepest = pos;
  for (const std::string& alias : alias_paths(r.kind, stripped)) {
    auto alias_segs = parse_field_path(alias);
    if (!alias_segs) continue;
    Position alt = walk(r, root, alias, *alias_segs);
    if (alt.exact) return alt;
    if (!deepest || alt.depth > deepest->depth) deepest = std::move(alt);
  }
  return deepest;
}

namespace {

std::optional<YAML::Node> walk_to_node(const YAML::Node& root, std::string_view path) {
  if (!root.IsMap()) return std::nullopt;
  auto segs = parse_field_path(path);
  if (!segs) return std::nullopt;
  std::optional<YAML::Node> cur(root);
  for (size_t i = 0; i < segs->size();) {
    std::optional<YAML::Node> child, at;
    size_t used = advance(*cur, *segs, i, child, at);
    if (used == 0) return std::nullopt;
    i += used;
    cur.emplace(*child);
  }
  return cur;
}

}  // namespace

std::optional<YAML::Node> node_written_at(const YAML::Node& root, std::string_view field_path) {
  std::string_view stripped = without_path_prefix(field_path);
  if (stripped.empty()) return std::nullopt;
  return walk_to_node(root, stripped);
}

std::optional<YAML::Node> node_at(const YAML::Node& root, std::string_view kind, std::string_view field_path) {
  std::string_view stripped = without_path_prefix(field_path);
  if (stripped.empty() || !root.IsMap()) return std::nullopt;
  if (auto n = walk_to_node(root, stripped)) return n;
  for (const std::string& alias : alias_paths(kind, stripped))
    if (auto n = walk_to_node(root, alias)) return n;
  return std::nullopt;
}

std::string_view without_path_prefix(std::string_view field_path) {
  if (field_path.substr(0, 2) == "$.") field_path.remove_prefix(2);
  else if (field_path.substr(0, 1) == ".") field_path.remove_prefix(1);
  return field_path;
}

std::vector<std::string> alias_paths(std::string_view kind, std::string_view field_path) {
  std::vector<std::string> out;
  auto starts = [&](std::string_view prefix) { return field_path.substr(0, prefix.size()) == prefix; };
  // The server merges stringData into data before validating, and names the key under data.
  if (kind == "Secret" && (starts("data[") || starts("data.")))
    out.push_back("stringData" + std::string(field_path.substr(4)));
  // Services validate the plural clusterIPs, filled from the clusterIP the user wrote.
  if (kind == "Service" && (starts("spec.clusterIPs[0]") || field_path == "spec.clusterIPs"))
    out.push_back("spec.clusterIP");
  // A ConfigMap's or Secret's total size is refused at the path "[]": the maps that hold it.
  if ((kind == "ConfigMap" || kind == "Secret") && (field_path == "[]" || field_path.empty()))
    for (const char* map : {"data", "binaryData", "stringData"}) out.emplace_back(map);
  // A Service port's targetPort defaults to its port, and is validated as written or not.
  if (kind == "Service" && starts("spec.ports[") && field_path.size() > 11 &&
      field_path.substr(field_path.size() - 11) == ".targetPort")
    out.push_back(std::string(field_path.substr(0, field_path.size() - 11)) + ".port");
  // A LimitRange item's defaultRequest defaults to its default.
  if (kind == "LimitRange" && starts("spec.limits[")) {
    constexpr std::string_view kRequest = ".defaultRequest";
    if (auto at = field_path.find(kRequest); at != std::string_view::npos)
      out.push_back(std::string(field_path.substr(0, at)) + ".default" + std::string(field_path.substr(at + kRequest.size())));
  }
  // An autoscaler that scales to zero replicas is refused at its metrics (none that can wake it): written
  // without metrics, the defect is the minReplicas that asks for zero.
  if (kind == "HorizontalPodAutoscaler" && field_path == "spec.metrics") out.emplace_back("spec.minReplicas");
  // Pod specs: the deprecated serviceAccount is copied into serviceAccountName.
  constexpr std::string_view kSaName = "serviceAccountName";
  if (field_path.size() >= kSaName.size() &&
      field_path.substr(field_path.size() - kSaName.size()) == kSaName)
    out.push_back(std::string(field_path.substr(0, field_path.size() - 4)));
  // A claim's storage request is validated as "spec.resources[storage]" (PersistentVolumeClaims, and a
  // StatefulSet's volumeClaimTemplates): the user wrote it under resources.requests.
  constexpr std::string_view kStorage = "resources[storage]";
  if (auto at = field_path.find(kStorage); at != std::string_view::npos && (at == 0 || field_path[at - 1] == '.'))
    out.push_back(std::string(field_path.substr(0, at)) + "resources.requests[storage]" +
                  std::string(field_path.substr(at + kStorage.size())));
  // A CRD is validated in its internal form, which holds a schema, subresources and columns the same in
  // every version once, at spec.validation / spec.subresources / spec.additionalPrinterColumns: the user
  // wrote them in each version (the first that has the field is the one named).
  if (kind == "CustomResourceDefinition")
    for (auto [internal, versioned] : {std::pair<std::string_view, std::string_view>{"spec.validation", "schema"},
                                       {"spec.subresources", "subresources"},
                                       {"spec.additionalPrinterColumns", "additionalPrinterColumns"}})
      if (starts(internal) && (field_path.size() == internal.size() || field_path[internal.size()] == '.' ||
                               field_path[internal.size()] == '['))
        for (int k = 0; k < kCrdVersionsTried; ++k)
          out.push_back(fmt::format("spec.versions[{}].{}{}", k, versioned, field_path.substr(internal.size())));
  // Pod template labels and annotations are validated as "spec.template.labels": the user wrote them under
  // the template's metadata.
  for (std::string_view field : {".labels", ".annotations"}) {
    for (size_t at = field_path.find(field); at != std::string_view::npos; at = field_path.find(field, at + 1)) {
      size_t next = at + field.size();
      bool segment_ends = next == field_path.size() || field_path[next] == '.' || field_path[next] == '[';
      std::string_view before = field_path.substr(0, at);
      if (!segment_ends || (before.size() >= 8 && before.substr(before.size() - 8) == "metadata")) continue;
      out.push_back(std::string(before) + ".metadata" + std::string(field_path.substr(at)));
    }
  }
  return out;
}

std::vector<std::string> field_paths_in_message(std::string_view message) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < message.size()) {
    size_t a = message.find("unknown field \"", i), b = message.find("duplicate field \"", i);
    size_t at = std::min(a, b);
    if (at == std::string_view::npos) break;
    size_t open = message.find('"', at) + 1;
    size_t close = message.find('"', open);
    if (close == std::string_view::npos) break;
    if (close > open) out.emplace_back(message.substr(open, close - open));
    i = close + 1;
  }
  return out;
}

}  // namespace kv
