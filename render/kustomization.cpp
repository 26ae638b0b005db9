#include "render/kustomization.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/yaml_util.h"
#include "resources/documents.h"
#include "resources/yaml_document.h"

namespace kv::render {
namespace fs = std::filesystem;
namespace {

std::string read_text(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Remote references (git repositories, URLs) are kustomize's to fetch; only local ones are followed.
bool is_remote(const std::string& ref) {
  for (const char* p : {"://", "?ref=", "?version=", ".git//", "git@"})
    if (ref.find(p) != std::string::npos) return true;
  for (const char* host : {"github.com/", "gitlab.com/", "bitbucket.org/"})
    if (ref.rfind(host, 0) == 0) return true;
  return false;
}

std::string resolve(const std::string& dir, const std::string& ref) {
  fs::path p(ref);
  if (p.is_relative()) p = fs::path(dir) / p;
  std::string s = p.lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::vector<std::string> scalars(const YAML::Node& list) {
  std::vector<std::string> out;
  if (list && list.IsSequence())
    for (const auto& item : list)
      if (item.IsScalar()) out.push_back(item.Scalar());
  return out;
}

// The text of an inline patch starts on the line after a block scalar's `|` (or on the key's own line
// for a one-line string): the offset that turns its marks into lines of the kustomization file.
int inline_offset(const std::string& file_text, const YAML::Node& value) {
  int line = value.Mark().line;  // 0-based line of the value's start
  std::string_view at = line_of(file_text, line + 1);
  size_t col = static_cast<size_t>(std::max(0, value.Mark().column));
  bool block = col < at.size() && (at[col] == '|' || at[col] == '>');
  return block ? line + 2 : line + 1;
}

void set_target(KustomizePatch& p, const YAML::Node& target) {
  if (!target || !target.IsMap()) return;
  p.group = scalar_at(target, "group");
  p.version = scalar_at(target, "version");
  p.kind = scalar_at(target, "kind");
  p.name = scalar_at(target, "name");
  p.namespace_ = scalar_at(target, "namespace");
}

// Adds one patch document per YAML document of `text` (a file, or an inline patch at `offset`).
void add_patch_docs(const std::string& text, const std::string& file, int offset, const YAML::Node& target,
                    std::vector<KustomizePatch>& out) {
  for (const auto& chunk : split_documents(text)) {
    if (is_blank_document(chunk.text)) continue;
    auto parsed = parse_document(chunk.text);
    if (parsed.defect || !(parsed.root.IsMap() || parsed.root.IsSequence())) continue;
    KustomizePatch p;
    p.file = file;
    p.line_offset = offset + chunk.first_line;
    p.doc = parsed.root;
    p.json6902 = parsed.root.IsSequence();
    if (target && target.IsMap()) {
      set_target(p, target);
      const YAML::Node name = target["name"];
      p.target_line = (name ? name.Mark().line : target.Mark().line) + 1;
      p.selects_by_metadata = target["labelSelector"].IsDefined() || target["annotationSelector"].IsDefined();
    } else if (!p.json6902) {
      // A strategic-merge patch without `target:` patches the object it names.
      std::string api = scalar_at(p.doc, "apiVersion");
      auto slash = api.find('/');
      p.group = slash == std::string::npos ? "" : api.substr(0, slash);
      p.version = slash == std::string::npos ? api : api.substr(slash + 1);
      p.kind = scalar_at(p.doc, "kind");
      p.name = scalar_at(p.doc["metadata"], "name");
      p.namespace_ = scalar_at(p.doc["metadata"], "namespace");
    }
    out.push_back(std::move(p));
  }
}

// A patch given by `path` (a file beside the kustomization) or inline (`text`, the value node).
void add_patch(const Kustomization& k, const std::string& file_text, const std::string& path, const YAML::Node& inline_node,
               const YAML::Node& target, std::vector<KustomizePatch>& out) {
  if (!path.empty()) {
    bool ok = false;
    std::string abs = resolve(k.dir, path);
    std::string text = read_text(abs, ok);
    if (ok) add_patch_docs(text, abs, 0, target, out);
  } else if (inline_node && inline_node.IsScalar()) {
    add_patch_docs(inline_node.Scalar(), k.file, inline_offset(file_text, inline_node) - 1, target, out);
  }
}

void read_patches(Kustomization& k, const std::string& text) {
  const YAML::Node& root = k.root;
  // kustomize runs patchesStrategicMerge, then patches, then patchesJson6902.
  if (const YAML::Node psm = root["patchesStrategicMerge"]; psm && psm.IsSequence())
    for (const auto& item : psm) {
      if (!item.IsScalar()) continue;
      bool is_inline = item.Scalar().find('\n') != std::string::npos || item.Scalar().find(": ") != std::string::npos;
      YAML::Node node = item;
      add_patch(k, text, is_inline ? "" : item.Scalar(), is_inline ? node : YAML::Node(), YAML::Node(), k.patches);
    }
  for (const char* key : {"patches", "patchesJson6902"}) {
    const YAML::Node list = root[key];
    if (!list || !list.IsSequence()) continue;
    for (const auto& item : list) {
      if (!item.IsMap()) continue;
      add_patch(k, text, scalar_at(item, "path"), item["patch"], item["target"], k.patches);
    }
  }
}

void read_refs(Kustomization& k) {
  const YAML::Node& root = k.root;
  auto add = [&](const std::string& ref) {
    if (!ref.empty() && !is_remote(ref)) k.local_refs.push_back(resolve(k.dir, ref));
  };
  for (const char* key : {"resources", "bases", "components", "crds", "configurations", "generators", "transformers",
                          "validators"})
    for (const auto& ref : scalars(root[key])) add(ref);
  for (const auto& ref : scalars(root["patchesStrategicMerge"]))
    if (ref.find('\n') == std::string::npos && ref.find(": ") == std::string::npos) add(ref);
  for (const char* key : {"patches", "patchesJson6902", "replacements"})
    if (const YAML::Node list = root[key]; list && list.IsSequence())
      for (const auto& item : list) add(scalar_at(item, "path"));
  for (const char* key : {"configMapGenerator", "secretGenerator"}) {
    const YAML::Node list = root[key];
    if (!list || !list.IsSequence()) continue;
    for (const auto& gen : list) {
      for (const auto& f : scalars(gen["files"])) add(f.substr(f.find('=') == std::string::npos ? 0 : f.find('=') + 1));
      for (const auto& f : scalars(gen["envs"])) add(f);
      add(scalar_at(gen, "env"));
    }
  }
  if (const YAML::Node openapi = root["openapi"]; openapi && openapi.IsMap()) add(scalar_at(openapi, "path"));
}

}  // namespace

std::string kustomization_file_in(const std::string& dir) {
  std::error_code ec;
  for (const char* name : {"kustomization.yaml", "kustomization.yml", "Kustomization"}) {
    fs::path p = fs::path(dir) / name;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return "";
}

Result<Kustomization> read_kustomization(const std::string& dir) {
  Kustomization k;
  std::error_code ec;
  k.dir = resolve(fs::absolute(dir, ec).string(), ".");
  k.file = kustomization_file_in(k.dir);
  if (k.file.empty())
    return Status::InvalidInput(dir + ": not a kustomization (no kustomization.yaml, kustomization.yml or Kustomization)");
  bool ok = false;
  std::string text = read_text(k.file, ok);
  if (!ok) return Status::InvalidInput(k.file + ": cannot read file");
  auto parsed = parse_document(text);
  if (parsed.defect)
    return Status::InvalidInput(k.file + ":" + std::to_string(parsed.defect->line) + ": " + parsed.defect->message);
  if (!parsed.root.IsMap() && !parsed.root.IsNull())
    return Status::InvalidInput(k.file + ": a kustomization must be a YAML map");
  k.root = parsed.root;
  if (!k.root.IsMap()) return k;
  k.build_metadata = scalars(k.root["buildMetadata"]);
  read_refs(k);
  read_patches(k, text);
  return k;
}

}  // namespace kv::render
