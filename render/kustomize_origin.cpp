#include "render/kustomize_origin.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/yaml_util.h"
#include "resources/loader.h"
#include "resources/locate.h"
#include "resources/yaml_document.h"

namespace kv::render {
namespace fs = std::filesystem;
namespace {

std::string normal(const fs::path& p) { return p.lexically_normal().string(); }

YAML::Node parse_annotation(const std::string& text) {
  if (text.empty()) return YAML::Node();
  auto parsed = parse_document(text);
  return parsed.defect ? YAML::Node() : parsed.root;
}

// The key node and value node of `key` in the map `node` (both undefined when absent). Iterating keeps the
// key's own mark, which a block map value (starting on the next line) does not have.
std::pair<YAML::Node, YAML::Node> entry(const YAML::Node& node, const std::string& key) {
  if (node && node.IsMap())
    for (const auto& kv : node)
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return {kv.first, kv.second};
  // Undefined, so that `!key` holds (a default-constructed Node is a defined null, with no line).
  return {YAML::Node(YAML::NodeType::Undefined), YAML::Node(YAML::NodeType::Undefined)};
}

// node[key] without inserting: a missing key, or a node that is not a map, gives a null node.
YAML::Node child(const YAML::Node& node, const std::string& key) {
  if (!node || !node.IsMap()) return YAML::Node();
  const YAML::Node& c = node;
  YAML::Node v = c[key];
  return v ? v : YAML::Node();
}

// The document of `objects` that `built` was made from: same kind and group, and a name the built one
// contains (namePrefix/nameSuffix and generator hashes only lengthen it), the longest such name first.
std::shared_ptr<const Resource> written_object(const std::vector<Resource>& objects, const Resource& built) {
  const Resource* best = nullptr;
  int same_kind = 0;
  const Resource* only = nullptr;
  for (const auto& o : objects) {
    if (o.kind != built.kind || o.group() != built.group()) continue;
    ++same_kind;
    only = &o;
    if (!o.name.empty() && built.name.find(o.name) != std::string::npos && (!best || o.name.size() > best->name.size()))
      best = &o;
  }
  if (!best && same_kind == 1) best = only;
  return best ? std::make_shared<Resource>(*best) : nullptr;
}

// The generator entry that made `built` (configMapGenerator/secretGenerator item whose name the built name
// contains, the longest such name); an undefined node when none. `list_key` gets the generator key.
YAML::Node generator_entry(const Kustomization* k, const Resource& built, YAML::Node* list_key = nullptr) {
  YAML::Node none(YAML::NodeType::Undefined);
  if (!k || !k->root.IsMap()) return none;
  const char* key = built.kind == "Secret" ? "secretGenerator" : "configMapGenerator";
  auto [key_node, list] = entry(k->root, key);
  if (list_key) list_key->reset(key_node);
  if (!key_node || !list.IsSequence()) return none;
  YAML::Node best = none;
  size_t best_size = 0;
  for (const auto& item : list) {
    std::string name = scalar_at(item, "name");
    if (!name.empty() && built.name.find(name) != std::string::npos && name.size() > best_size)
      best.reset(item), best_size = name.size();
  }
  return best;
}

// The line of the generator entry that made `built`, else of the generator key, else 0.
int generator_line(const Kustomization* k, const Resource& built) {
  YAML::Node list_key(YAML::NodeType::Undefined);
  YAML::Node item = generator_entry(k, built, &list_key);
  if (item) return entry(item, "name").first.Mark().line + 1;
  return list_key ? list_key.Mark().line + 1 : 0;
}

// Merge keys kustomize's strategic merge matches list items by (containers, ports, volumes, env, ...).
const char* const kMergeKeys[] = {"name", "containerPort", "mountPath", "devicePath", "port", "ip", "topologyKey"};

// The item of the patch list `patch_list` that merges into `built_item`: the first that agrees with it on a
// merge key, keys tried in this order; null when none does.
YAML::Node merging_item(const YAML::Node& patch_list, const YAML::Node& built_item) {
  if (!built_item || !built_item.IsMap()) return YAML::Node();
  for (const char* key : kMergeKeys) {
    std::string want = scalar_at(built_item, key);
    if (want.empty()) continue;
    for (const auto& item : patch_list)
      if (scalar_at(item, key) == want) return item;
    // (A Service's ports merge by port: a patch item may leave out the name the built item has.)
  }
  return YAML::Node();
}

int smp_line(const KustomizePatch& patch, const YAML::Node& built_tree, const std::vector<PathSegment>& path,
             int* item_line) {
  // Walking moves these with reset(): assigning a bound yaml-cpp Node would rewrite the tree it points into.
  YAML::Node node = patch.doc, built = built_tree;
  int line = 0;
  for (const auto& seg : path) {
    if (seg.kind == PathSegment::Kind::kKey) {
      auto [key, value] = entry(node, seg.key);
      if (!key) return 0;
      line = key.Mark().line;
      node.reset(value);
      built.reset(child(built, seg.key));
      continue;
    }
    if (!node.IsSequence()) return 0;
    YAML::Node built_item;
    if (built && built.IsSequence()) {
      for (size_t i = 0; i < built.size(); ++i) {
        bool hit = seg.kind == PathSegment::Kind::kIndex ? static_cast<long>(i) == seg.index
                                                           : scalar_at(built[i], seg.key) == seg.value;
        if (hit) built_item.reset(built[i]);
      }
    }
    if (built_item && !built_item.IsMap()) return patch.line_offset + node.Mark().line;  // a list of scalars is replaced whole
    YAML::Node item = merging_item(node, built_item);
    if (!item) return 0;
    line = item.Mark().line;
    if (item_line) *item_line = patch.line_offset + line;
    node.reset(item);
    built.reset(built_item);
  }
  return path.empty() ? 0 : patch.line_offset + line;
}

// The JSON pointer tokens of a field path, list selectors resolved against the built object.
std::vector<std::string> pointer_tokens(const YAML::Node& built_tree, const std::vector<PathSegment>& path) {
  std::vector<std::string> tokens;
  YAML::Node built = built_tree;
  for (const auto& seg : path) {
    if (seg.kind == PathSegment::Kind::kKey) {
      tokens.push_back(seg.key);
      built.reset(child(built, seg.key));
      continue;
    }
    long index = seg.index;
    if (seg.kind == PathSegment::Kind::kSelector && built && built.IsSequence())
      for (size_t i = 0; i < built.size(); ++i)
        if (scalar_at(built[i], seg.key) == seg.value) index = static_cast<long>(i);
    tokens.push_back(std::to_string(index));
    built.reset(built && built.IsSequence() && index >= 0 && static_cast<size_t>(index) < built.size()
                    ? YAML::Node(built[static_cast<size_t>(index)]) : YAML::Node());
  }
  return tokens;
}

// The line in JSON patch operation `op` of the field `rest` (JSON pointer tokens) below the operation's path:
// in its value where the value has it (a key's line, an item's), else the value's own line, else the path's.
int op_line(const YAML::Node& op, const std::vector<std::string>& rest) {
  auto [path_key, pointer] = entry(op, "path");
  auto [value_key, value] = entry(op, "value");
  if (!value_key) return path_key.Mark().line;
  int line = value_key.Mark().line;
  YAML::Node node;
  node.reset(value);
  for (const auto& token : rest) {
    if (node.IsMap()) {
      auto [key, child_value] = entry(node, token);
      if (!key) break;
      line = key.Mark().line;
      node.reset(child_value);
    } else if (node.IsSequence()) {
      char* end = nullptr;
      unsigned long i = std::strtoul(token.c_str(), &end, 10);
      if (token.empty() || *end != '\0' || i >= node.size()) break;
      YAML::Node item = node[i];
      line = item.Mark().line;
      node.reset(item);
    } else {
      break;
    }
  }
  return line;
}

int json_patch_line(const KustomizePatch& patch, const YAML::Node& built_tree, const std::vector<PathSegment>& path) {
  std::vector<std::string> field = pointer_tokens(built_tree, path);
  int found = 0;
  for (const auto& op : patch.doc) {
    std::string kind = scalar_at(op, "op");
    if (kind != "add" && kind != "replace" && kind != "copy" && kind != "move") continue;
    std::string pointer = scalar_at(op, "path");
    std::vector<std::string> tokens;
    std::stringstream ss(pointer);
    for (std::string t; std::getline(ss, t, '/');) {
      for (size_t at = t.find("~1"); at != std::string::npos; at = t.find("~1", at + 1)) t.replace(at, 2, "/");
      for (size_t at = t.find("~0"); at != std::string::npos; at = t.find("~0", at + 1)) t.replace(at, 2, "~");
      tokens.push_back(t);
    }
    if (!tokens.empty() && tokens.front().empty()) tokens.erase(tokens.begin());
    if (tokens.empty() || tokens.size() > field.size() || !std::equal(tokens.begin(), tokens.end(), field.begin())) continue;
    found = patch.line_offset + op_line(op, std::vector<std::string>(field.begin() + static_cast<long>(tokens.size()), field.end()));
  }
  return found;  // the last operation that sets it wins
}

}  // namespace

std::string origin_key(const Resource& r) { return r.group() + "/" + r.kind + "/" + r.namespace_ + "/" + r.name; }

const std::vector<Resource>& OriginReader::objects_of(const std::string& file) {
  auto it = files.find(file);
  if (it != files.end()) return it->second;
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  LoadResult loaded = load_text(ss.str(), display_path(file));
  return files.emplace(file, std::move(loaded.resources)).first->second;
}

std::shared_ptr<const Kustomization> OriginReader::shared_kustomization(const std::string& dir) {
  kustomization(dir);
  return kustomizations[dir];
}

const Kustomization* OriginReader::kustomization(const std::string& dir) {
  auto it = kustomizations.find(dir);
  if (it == kustomizations.end()) {
    auto k = read_kustomization(dir);
    it = kustomizations.emplace(dir, k.ok() ? std::make_shared<Kustomization>(std::move(*k)) : nullptr).first;
  }
  return it->second.get();
}

ObjectOrigin resolve_origin(OriginReader& reader, const Resource& built, const std::string& origin_text,
                            const std::string& transformations_text) {
  ObjectOrigin o;
  YAML::Node origin = parse_annotation(origin_text);
  std::string path = scalar_at(origin, "path"), repo = scalar_at(origin, "repo");
  std::string configured_in = scalar_at(origin, "configuredIn");
  if (!repo.empty()) {
    std::string ref = scalar_at(origin, "ref");
    o.display = repo + "//" + (path.empty() ? configured_in : path) + (ref.empty() ? "" : "?ref=" + ref);
  } else if (!path.empty()) {
    o.file = normal(fs::path(reader.build_root) / path);
    o.display = display_path(o.file);
    o.written = written_object(reader.objects_of(o.file), built);
  } else if (!configured_in.empty()) {
    o.file = normal(fs::path(reader.build_root) / configured_in);
    o.display = display_path(o.file);
    o.generated_in = reader.shared_kustomization(fs::path(o.file).parent_path().string());
    o.generated_line = generator_line(o.generated_in.get(), built);
  }
  // The kustomizations whose transformers ran over the object, innermost first: their patches are the
  // candidates for a field a patch set.
  YAML::Node transformations = parse_annotation(transformations_text);
  std::set<std::string> seen, transformed;
  static const std::set<std::string> kBuiltins = {
      "LabelTransformer",  "AnnotationsTransformer", "NamespaceTransformer",    "PrefixTransformer",
      "SuffixTransformer", "PrefixSuffixTransformer", "ReplicaCountTransformer", "ImageTagTransformer",
      "ReplacementTransformer"};
  if (transformations.IsSequence())
    for (const auto& t : transformations) {
      std::string in = scalar_at(t, "configuredIn");
      std::string by = scalar_at(t["configuredBy"], "kind");
      if (in.empty() || !scalar_at(t, "repo").empty()) continue;
      std::string dir = normal(fs::path(reader.build_root) / in / "..");
      if (kBuiltins.count(by) && transformed.insert(dir).second)
        if (auto k = reader.shared_kustomization(dir)) o.transformed_by.push_back(k);
      if (by.find("Patch") == std::string::npos) continue;
      if (!seen.insert(dir).second) continue;
      if (const Kustomization* k = reader.kustomization(dir))
        for (const auto& p : k->patches)
          if (patch_targets(p, built)) o.patches.push_back(p);
    }
  return o;
}

bool patch_targets(const KustomizePatch& patch, const Resource& built) {
  if (!patch.kind.empty() && patch.kind != built.kind) return false;
  if (!patch.group.empty() && patch.group != built.group()) return false;
  if (!patch.version.empty() && patch.version != built.version()) return false;
  if (patch.name.empty() || built.name.find(patch.name) != std::string::npos) return true;
  // kustomize matches the whole name the object had where the patch ran; outer prefixes and suffixes may
  // have lengthened it since, so anchors ("^web$") are not held to the built name's ends.
  std::string unanchored = patch.name;
  if (!unanchored.empty() && unanchored.front() == '^') unanchored.erase(0, 1);
  if (!unanchored.empty() && unanchored.back() == '$') unanchored.pop_back();
  try {
    return std::regex_search(built.name, std::regex(unanchored));
  } catch (const std::regex_error&) {
    return false;
  }
}

bool targets_nothing(const KustomizePatch& patch, const std::vector<Resource>& built) {
  if (patch.target_line == 0 || patch.selects_by_metadata || (patch.kind.empty() && patch.name.empty())) return false;
  for (const auto& r : built)
    if (patch_targets(patch, r)) return false;
  return true;
}

int patch_line_for(const KustomizePatch& patch, const YAML::Node& built_tree, const std::string& field_path,
                   int* item_line) {
  if (item_line) *item_line = 0;
  auto path = parse_field_path(field_path);
  if (!path || path->empty() || !patch.doc) return 0;
  // A strategic-merge patch names its target with these: they are not what it sets.
  const std::string& top = (*path)[0].key;
  if (!patch.json6902 && (top == "apiVersion" || top == "kind" ||
                          (top == "metadata" && path->size() > 1 && ((*path)[1].key == "name" || (*path)[1].key == "namespace"))))
    return 0;
  if (patch.json6902) return json_patch_line(patch, built_tree, *path);
  int item = 0;
  int line = smp_line(patch, built_tree, *path, &item);
  if (line == 0 && item_line) *item_line = item;
  return line;
}

namespace {

// The line of key `key` in map `m` when its value is the scalar `value`, else 0.
int entry_line(const YAML::Node& m, const std::string& key, const std::string& value) {
  auto [k, v] = entry(m, key);
  return k && v.IsScalar() && v.Scalar() == value ? k.Mark().line + 1 : 0;
}

// A label or annotation map entry: its key and whether the map holds labels (else annotations).
bool map_entry(const std::vector<PathSegment>& path, std::string& key, bool& labels) {
  if (path.size() < 2 || path.back().kind != PathSegment::Kind::kKey) return false;
  const std::string& map = path[path.size() - 2].key;
  if (path[path.size() - 2].kind != PathSegment::Kind::kKey) return false;
  labels = map == "labels" || map == "matchLabels" || map == "selector";
  if (!labels && map != "annotations") return false;
  key = path.back().key;
  return true;
}

bool outside_dns_label(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return !(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
             c == '.');
  });
}

}  // namespace

namespace {

// Whether a replacement target's `select` (or a `reject` entry) picks `built`: kind, namespace and name as
// written (the name contained in the built one, which outer prefixes may have lengthened).
bool replacement_selects(const YAML::Node& select, const Resource& built) {
  if (!select.IsMap()) return false;
  std::string kind = scalar_at(select, "kind"), name = scalar_at(select, "name"), ns = scalar_at(select, "namespace");
  return (kind.empty() || kind == built.kind) && (ns.empty() || ns == built.namespace_) &&
         (name.empty() || built.name.find(name) != std::string::npos);
}

// Whether kustomize's field path `kpath` ("spec.template.spec.containers.[name=web].image", "spec.ports.0.name")
// names the field `path` of `tree` (list items by index or by a field's value, either way).
bool same_field(const std::string& kpath, const std::vector<PathSegment>& path, const YAML::Node& tree) {
  std::vector<std::string> tokens;
  std::string cur;
  int depth = 0;
  for (char c : kpath) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == '.' && depth == 0) {
      tokens.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  tokens.push_back(cur);
  if (tokens.size() != path.size()) return false;
  YAML::Node node;
  node.reset(tree);
  for (size_t i = 0; i < path.size(); ++i) {
    const PathSegment& seg = path[i];
    const std::string& t = tokens[i];
    YAML::Node next;
    if (seg.kind == PathSegment::Kind::kKey) {
      if (t != seg.key) return false;
      if (node.IsMap()) next.reset(node[seg.key]);
    } else {
      if (!node.IsSequence()) return false;
      long index = seg.index;
      if (seg.kind == PathSegment::Kind::kSelector)
        for (size_t k = 0; k < node.size(); ++k)
          if (scalar_at(node[k], seg.key) == seg.value) index = static_cast<long>(k);
      if (index < 0 || static_cast<size_t>(index) >= node.size()) return false;
      next.reset(node[static_cast<size_t>(index)]);
      if (t.size() > 2 && t.front() == '[' && t.back() == ']') {
        auto eq = t.find('=');
        if (eq == std::string::npos || scalar_at(next, t.substr(1, eq - 1)) != t.substr(eq + 1, t.size() - eq - 2))
          return false;
      } else if (t != std::to_string(index)) {
        return false;
      }
    }
    node.reset(next);
  }
  return true;
}

// The line of a `replacements:` target's fieldPaths item of `root` that wrote `path` of `built`, else 0.
int replacement_line(const YAML::Node& root, const Resource& built, const YAML::Node& tree,
                     const std::vector<PathSegment>& path) {
  auto [rk, replacements] = entry(root, "replacements");
  if (!rk || !replacements.IsSequence()) return 0;
  for (const auto& rep : replacements) {
    auto [tk, targets] = entry(rep, "targets");
    if (!tk || !targets.IsSequence()) continue;
    for (const auto& target : targets) {
      if (!replacement_selects(target["select"], built)) continue;
      bool rejected = false;
      if (auto [jk, rejects] = entry(target, "reject"); jk && rejects.IsSequence())
        for (const auto& r : rejects) rejected |= replacement_selects(r, built);
      auto [fk, field_paths] = entry(target, "fieldPaths");
      if (rejected || !fk || !field_paths.IsSequence()) continue;
      for (const auto& fp : field_paths)
        if (fp.IsScalar() && same_field(fp.Scalar(), path, tree)) return fp.Mark().line + 1;
    }
  }
  return 0;
}

}  // namespace

int transformer_line_for(const Kustomization& k, const Resource& built, const std::string& field_path) {
  const YAML::Node& root = k.root;
  if (!root.IsMap()) return 0;
  auto path = parse_field_path(field_path);
  if (!path || path->empty()) return 0;
  YAML::Node tree = object_tree(built);
  auto value = node_at(tree, built.kind, field_path);
  const std::string have = value && value->IsScalar() ? value->Scalar() : "";
  if (int line = replacement_line(root, built, tree, *path)) return line;
  if (field_path == "metadata.namespace") return entry_line(root, "namespace", have);
  if (field_path == "metadata.name") {
    for (const char* key : {"namePrefix", "nameSuffix"}) {
      auto [kn, v] = entry(root, key);
      if (kn && v.IsScalar() && outside_dns_label(v.Scalar()) && built.name.find(v.Scalar()) != std::string::npos)
        return kn.Mark().line + 1;
    }
    return 0;
  }
  if (field_path == "spec.replicas") {
    auto [kn, items] = entry(root, "replicas");
    if (!kn || !items.IsSequence()) return 0;
    for (const auto& item : items) {
      std::string name = scalar_at(item, "name");
      if (!name.empty() && built.name.find(name) != std::string::npos)
        if (int line = entry_line(item, "count", have)) return line;
    }
    return 0;
  }
  std::string key;
  bool labels = false;
  if (map_entry(*path, key, labels)) {
    if (labels) {
      auto [lk, items] = entry(root, "labels");
      if (lk && items.IsSequence())
        for (auto it = items.begin(); it != items.end(); ++it) {
          auto [pk, pairs] = entry(*it, "pairs");
          if (int line = pk ? entry_line(pairs, key, have) : 0) return line;
        }
    }
    auto [ck, common] = entry(root, labels ? "commonLabels" : "commonAnnotations");
    return ck ? entry_line(common, key, have) : 0;
  }
  if (path->back().kind == PathSegment::Kind::kKey && path->back().key == "image" && !have.empty()) {
    auto [ik, images] = entry(root, "images");
    if (!ik || !images.IsSequence()) return 0;
    for (const auto& item : images) {
      std::string name = scalar_at(item, "name"), new_name = scalar_at(item, "newName");
      std::string image = have.substr(0, have.find_first_of(":@"));
      if (image != name && image != new_name) continue;
      for (const char* field : {"newTag", "digest", "newName"}) {
        auto [fk, fv] = entry(item, field);
        if (fk && fv.IsScalar() && have.find(fv.Scalar()) != std::string::npos) return fk.Mark().line + 1;
      }
    }
  }
  return 0;
}

namespace {

// The 1-based line of `key` in the env file `name` (KEY=value lines, as kustomize reads them: leading
// space trimmed, # comments and blank lines skipped, a key alone taking its value from the environment);
// 0 when not there, or when the file is not inside `dir` (kustomize loads only files under the
// kustomization's folder; nothing else is read).
int env_file_line(const std::string& dir, const std::string& name, const std::string& key) {
  fs::path file = (fs::path(dir) / name).lexically_normal();
  auto rel = file.lexically_relative(fs::path(dir).lexically_normal());
  if (rel.empty() || *rel.begin() == ".." || fs::path(name).is_absolute()) return 0;
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    size_t at = 0;
    while (at < line.size() && std::isspace(static_cast<unsigned char>(line[at]))) ++at;
    if (at == line.size() || line[at] == '#') continue;
    std::string_view rest(line);
    rest.remove_prefix(at);
    if (rest.substr(0, rest.find('=')) == key) return n;
  }
  return 0;
}

}  // namespace

GeneratedKey generated_key_line(const Kustomization& k, const Resource& built, const std::string& field_path) {
  auto path = parse_field_path(field_path);
  if (!path || path->size() != 2 || (*path)[1].kind != PathSegment::Kind::kKey) return {};
  const std::string& map = (*path)[0].key;
  if (map != "data" && map != "binaryData" && map != "stringData") return {};
  const std::string& key = (*path)[1].key;
  YAML::Node item = generator_entry(&k, built);
  if (!item) return {};
  for (const char* source : {"literals", "files"}) {
    auto [sk, items] = entry(item, source);
    if (!sk || !items.IsSequence()) continue;
    for (const auto& i : items) {
      if (!i.IsScalar()) continue;
      const std::string& text = i.Scalar();
      auto eq = text.find('=');
      std::string name = eq != std::string::npos ? text.substr(0, eq)
                                                 : fs::path(text).filename().string();  // a file is keyed by its name
      if (name == key) return {"", i.Mark().line + 1};
    }
  }
  // An env file (`envs:`, the older `env:`) of the kustomization's folder: the line of KEY=value.
  std::vector<std::string> env_files;
  if (auto [ek, items] = entry(item, "envs"); ek && items.IsSequence())
    for (const auto& i : items)
      if (i.IsScalar()) env_files.push_back(i.Scalar());
  if (auto [ek, one] = entry(item, "env"); ek && one.IsScalar()) env_files.push_back(one.Scalar());
  for (const auto& name : env_files)
    if (int line = env_file_line(k.dir, name, key)) return {(fs::path(k.dir) / name).lexically_normal().string(), line};
  return {};
}

}  // namespace kv::render
