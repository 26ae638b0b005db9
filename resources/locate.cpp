#include "resources/locate.h"

#include <algorithm>
#include <cctype>

#include "resources/loader.h"

namespace kv {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

PathSegment bracket_segment(std::string_view inner) {
  PathSegment seg;
  if (inner.size() >= 2 && (inner.front() == '"' || inner.front() == '\'') && inner.back() == inner.front()) {
    seg.key = std::string(inner.substr(1, inner.size() - 2));
    return seg;
  }
  seg.key = std::string(inner);
  if (all_digits(inner)) {
    seg.kind = PathSegment::Kind::kIndex;
    seg.index = std::stol(seg.key);
    return seg;
  }
  size_t eq = inner.find('=');
  if (eq != std::string_view::npos && eq > 0) {
    seg.kind = PathSegment::Kind::kSelector;
    seg.key = std::string(inner.substr(0, eq));
    seg.value = std::string(inner.substr(eq + 1));
  }
  return seg;
}

// The text a segment stands for as a map key.
std::string as_key(const PathSegment& s) {
  return s.kind == PathSegment::Kind::kSelector ? s.key + "=" + s.value : s.key;
}

// (A missing key of a const map is an invalid node whose Type() throws: check IsDefined() first.)
bool scalar_is(const YAML::Node& n, const std::string& value) {
  return n.IsDefined() && n.IsScalar() && n.Scalar() == value;
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
    return false;
  }
  if (!cur.IsSequence()) return false;
  long i = 0;
  for (const auto& item : cur) {
    bool hit = false;
    switch (seg.kind) {
      case PathSegment::Kind::kIndex: hit = i == seg.index; break;
      case PathSegment::Kind::kSelector: hit = item.IsMap() && scalar_is(item[seg.key], seg.value); break;
      case PathSegment::Kind::kKey: hit = item.IsMap() && scalar_is(item["name"], seg.key); break;
    }
    if (hit) {
      child.emplace(item);
      at.emplace(item);
      return true;
    }
    ++i;
  }
  return false;
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
  std::string_view stripped = field_path;
  if (stripped.substr(0, 2) == "$.") stripped.remove_prefix(2);
  else if (stripped.substr(0, 1) == ".") stripped.remove_prefix(1);
  auto segs = parse_field_path(stripped);
  if (!segs) return std::nullopt;
  Position pos;
  pos.line = root.Mark().line + 1 + r.line_base;
  pos.column = root.Mark().column + 1;
  std::optional<YAML::Node> cur(root);
  size_t found = 0;
  for (const PathSegment& seg : *segs) {
    std::optional<YAML::Node> child, at;
    if (!step(*cur, seg, child, at)) break;
    if (!at->Mark().is_null()) {
      pos.line = at->Mark().line + 1 + r.line_base;
      pos.column = at->Mark().column + 1;
    }
    pos.matched = std::string(stripped.substr(0, seg.end));
    cur.emplace(*child);
    ++found;
  }
  pos.exact = found == segs->size();
  return pos;
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
