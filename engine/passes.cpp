#include "engine/passes.h"

#include "resources/flow_yaml.h"
#include "resources/loader.h"
#include "resources/locate.h"

namespace kv::engine {

std::optional<std::string> body_without(const Resource& r, const std::vector<std::string>& paths) {
  YAML::Node tree = object_tree(r);
  if (!tree.IsMap()) return std::nullopt;
  std::vector<YAML::Node> out;
  for (const auto& p : paths) {
    // Without its name (or kind, ...) the request itself is wrong: the server would say only that.
    if (p == "apiVersion" || p == "kind" || p == "metadata" || p == "metadata.name" || p == "metadata.namespace" ||
        p == "metadata.generateName")
      continue;
    auto n = node_at(tree, r.kind, p);
    if (!n) return std::nullopt;
    out.push_back(*n);
  }
  if (out.empty()) return std::nullopt;
  return to_flow_yaml(tree, out);
}

bool under_any(const std::string& path, const std::vector<std::string>& roots) {
  for (const auto& root : roots) {
    if (path.compare(0, root.size(), root) != 0) continue;
    if (path.size() == root.size() || path[root.size()] == '.' || path[root.size()] == '[') return true;
  }
  return false;
}

std::string index_form(const YAML::Node& tree, std::string_view kind, const std::string& path) {
  auto segments = parse_field_path(path);
  if (!segments) return path;
  std::string out;
  size_t start = 0;
  for (const auto& seg : *segments) {
    std::string text = path.substr(start, seg.end - start);
    if (seg.kind == PathSegment::Kind::kSelector) {
      // The item is the one node_at() picks; its index is where that node sits in the list.
      auto list = node_at(tree, kind, path.substr(0, start));
      auto item = node_at(tree, kind, path.substr(0, seg.end));
      if (list && item && list->IsSequence()) {
        const YAML::Node& items = *list;
        for (size_t i = 0; i < items.size(); ++i)
          if (items[i].is(*item)) text = "[" + std::to_string(i) + "]";
      }
    }
    out += text;
    start = seg.end;
  }
  return out;
}

bool adds_to(const Resource& r, const std::vector<Finding>& found, const Finding& f,
             const std::vector<std::string>& set_aside) {
  YAML::Node tree;
  if (!f.path.empty()) {
    tree.reset(object_tree(r));
    std::vector<std::string> roots = set_aside;
    for (const auto& p : set_aside) roots.push_back(index_form(tree, r.kind, p));
    if (under_any(f.path, roots) || under_any(index_form(tree, r.kind, f.path), roots)) return false;
    // The field as the user wrote it (the server's spec.resources[storage] is resources.requests.storage).
    for (const auto& alias : alias_paths(r.kind, without_path_prefix(f.path)))
      if (under_any(alias, roots) || under_any(index_form(tree, r.kind, alias), roots)) return false;
  }
  // "Required value" for a field that holds one set aside (a list whose only item went): our doing too.
  if (f.rule == "dry-run/FieldValueRequired" && !f.path.empty()) {
    for (const auto& p : set_aside)
      if (under_any(p, {f.path}) || under_any(index_form(tree, r.kind, p), {f.path, index_form(tree, r.kind, f.path)}))
        return false;
  }
  // A validation rule (CEL) that reads a field set aside fails with "no such key: <field>", and a check that
  // compares it with another names it in backticks ("`selector` does not match template `labels`"): our
  // resubmission's doing, not a defect of the object.
  for (const auto& p : set_aside) {
    auto leaf = p.find_last_of('.');
    std::string name = leaf == std::string::npos ? p : p.substr(leaf + 1);
    if (name.empty() || name.back() == ']') continue;
    if (f.message.find("no such key: " + name) != std::string::npos ||
        f.message.find("`" + name + "`") != std::string::npos)
      return false;
  }
  // (A finding kept from an earlier pass says which pass, and may name where its value was set, after its
  // words: " (pass 2: ...)".)
  for (const auto& g : found)
    if (g.rule == f.rule && g.path == f.path &&
        (g.message == f.message || g.message.rfind(f.message + " (", 0) == 0 || f.severity == Severity::kWarning))
      return false;
  return true;
}

}  // namespace kv::engine
