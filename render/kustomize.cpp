#include "render/kustomize.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>

#include "core/json.h"
#include "core/process.h"
#include "core/tools.h"
#include "core/yaml_util.h"
#include "render/chart.h"
#include "render/git_snapshot.h"
#include "render/kustomize_origin.h"
#include "resources/loader.h"
#include "resources/locate.h"

namespace kv::render {
namespace fs = std::filesystem;
namespace {

constexpr const char* kOriginKey = "config.kubernetes.io/origin";
constexpr const char* kTransformationsKey = "alpha.config.kubernetes.io/transformations";

std::string current_dir() {
  std::error_code ec;
  return fs::current_path(ec).string();
}

// The wrapper kustomization: the user's folder as its only resource, and the annotations switched on.
// kustomize hands the top kustomization's buildMetadata down to every kustomization it loads, so the
// user's own options (managedByLabel) are kept beside ours.
std::string wrapper_text(const std::string& relative_dir, const std::vector<std::string>& user_metadata) {
  std::string text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- " +
                     json_quote(relative_dir) + "\nbuildMetadata:\n- originAnnotations\n- transformerAnnotations\n";
  for (const auto& m : user_metadata)
    if (m != "originAnnotations" && m != "transformerAnnotations") text += "- " + json_quote(m) + "\n";
  return text;
}

// Removes kustomize's build annotations from `obj`; returns their texts (origin, transformations).
std::pair<std::string, std::string> take_build_annotations(YAML::Node obj) {
  std::pair<std::string, std::string> out;
  YAML::Node meta = obj["metadata"];
  if (!meta || !meta.IsMap()) return out;
  YAML::Node annotations = meta["annotations"];
  if (!annotations || !annotations.IsMap()) return out;
  out.first = scalar_at(annotations, kOriginKey);
  out.second = scalar_at(annotations, kTransformationsKey);
  annotations.remove(kOriginKey);
  annotations.remove(kTransformationsKey);
  if (annotations.size() == 0) meta.remove("annotations");
  return out;
}

// kustomize's message as if it had built the user's folder itself: the wrapper's own layer of the error
// chain removed, and paths shown as the user sees them.
std::string user_message(std::string msg, const std::string& wrapper_dir, const std::string& relative_dir,
                         const std::string& user_dir, const std::string& shown_dir) {
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (msg.rfind("error: ", 0) == 0) msg.erase(0, 7);
  if (msg.rfind("accumulating resources: accumulation err='accumulating resources from '" + relative_dir + "'", 0) == 0) {
    for (const std::string& marker : {"recursed accumulation of path '" + user_dir + "': ",
                                      "couldn't make target for path '" + user_dir + "': "}) {
      auto at = msg.find(marker);
      if (at != std::string::npos) {
        msg.erase(0, at + marker.size());
        break;
      }
    }
  }
  auto replace_all = [&](const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (size_t at = msg.find(from); at != std::string::npos; at = msg.find(from, at + to.size()))
      msg.replace(at, from.size(), to);
  };
  replace_all("'" + relative_dir + "'", "'" + shown_dir + "'");
  replace_all(wrapper_dir + "/", "");
  std::string cwd = current_dir() + "/";
  if (cwd.size() > 1) replace_all(cwd, "");
  return msg;
}

// The kustomization the error happened in: the last folder kustomize says it was recursing into (the
// innermost), else the user's.
std::string failing_kustomization(const std::string& message, const std::string& user_file) {
  static const std::regex recursed(R"((?:recursed accumulation of path|couldn't make target for path) '([^']+)')");
  std::string dir;
  for (auto it = std::sregex_iterator(message.begin(), message.end(), recursed); it != std::sregex_iterator(); ++it)
    dir = (*it)[1].str();
  if (!dir.empty()) {
    fs::path p = fs::path(dir).is_absolute() ? fs::path(dir) : fs::path(current_dir()) / dir;
    std::string file = kustomization_file_in(p.lexically_normal().string());
    if (!file.empty()) return file;
  }
  return user_file;
}

// The names of the objects kustomize's message names by their ids ("Deployment.v1.apps/web.[noNs]",
// "ConfigMap.[noVer].[noGrp]/app.cfg.prod": kind, version, group, then the name and the namespace, which
// holds no dot), with their kinds.
std::vector<std::pair<std::string, std::string>> ids_in(const std::string& message) {
  static const std::regex id(R"(\b([A-Z][A-Za-z0-9]*)\.[^\s/"']*/([^\s/"']+)\.(?:\[noNs\]|[a-z0-9-]+)(?=$|[\s"';:,)]))");
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = std::sregex_iterator(message.begin(), message.end(), id); it != std::sregex_iterator(); ++it)
    out.emplace_back((*it)[1].str(), (*it)[2].str());
  return out;
}

// The line of `kustomization_file` the message is about: kustomize's own "yaml: line N" for a file it
// could not parse, else the line naming something the message quotes ('x.yaml', path(x.yaml), a replacement's
// "spec.ports.0.name", a file source [x.properties], a key it does not know) as written there or as the path
// it resolves to, the entry a builtin's quoted config (`name: x repo: ...`) starts with, or the name of an
// object it names by id; 0 if none.
int line_naming(const std::string& kustomization_file, const std::string& message) {
  std::smatch m;
  static const std::regex yaml_line(R"(invalid Kustomization: yaml: line (\d+))");
  if (std::regex_search(message, m, yaml_line)) return std::stoi(m[1].str());
  static const std::regex quoted(
      R"re('([^'\s]+)'|path\(([^)\s]+)\)|missing path: "?([^\s:"]+)|"([^"\s]+)"|sources: \[([^\]\s]+)\])re");
  static const std::regex item(R"(^\s*(?:-\s*)?(?:[\w.]+:\s*)?["']?([^"'\s#]+)["']?\s*(?:#.*)?$)");
  static const std::regex key(R"(^\s*(?:-\s*)?["']?([^"'\s#:]+)["']?:\s*(?:#.*)?$)");
  static const std::regex bare(R"(^\s*-\s+["']?([^"'\s#]+)["']?\s*(?:#.*)?$)");  // a URL: "https:" is no key
  static const std::regex config(R"(with config: `\s*([\w.]+: [^\s`]+))");
  static const std::regex entry(R"(^\s*(?:-\s+)?([\w.]+: [^\s#]+)\s*(?:#.*)?$)");
  std::ifstream in(kustomization_file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  const fs::path dir = fs::path(kustomization_file).parent_path();
  const std::string folder = display_path(dir.string()) + "/";
  std::vector<std::string> names;
  for (auto it = std::sregex_iterator(message.begin(), message.end(), quoted); it != std::sregex_iterator(); ++it) {
    std::string name;
    for (int g = 1; g <= 5 && name.empty(); ++g)
      if ((*it)[g].matched) name = (*it)[g].str();
    names.push_back(name);
    if (name.size() > folder.size() && name.compare(0, folder.size(), folder) == 0) names.push_back(name.substr(folder.size()));
  }
  for (const auto& [kind, name] : ids_in(message)) names.push_back(name);
  auto names_it = [&](const std::string& written, const std::string& name) {
    if (written == name) return true;
    // '../comp' in the kustomization, "comp" (as displayed) in the message
    return written.find('/') != std::string::npos && name.find('/') == std::string::npos &&
           display_path((dir / written).lexically_normal().string()) == name;
  };
  for (const auto& name : names)
    for (size_t i = 0; i < lines.size(); ++i)
      if ((std::regex_match(lines[i], m, item) && names_it(m[1].str(), name)) ||
          (std::regex_match(lines[i], m, bare) && m[1].str() == name) ||
          (std::regex_match(lines[i], m, key) && m[1].str() == name))
        return static_cast<int>(i) + 1;
  if (std::regex_search(message, m, config)) {
    const std::string first = m[1].str();
    for (size_t i = 0; i < lines.size(); ++i)
      if (std::regex_match(lines[i], m, entry) && m[1].str() == first) return static_cast<int>(i) + 1;
  }
  return 0;
}

// A strategic-merge patch of the kustomization in `dir` that matched no object: where its own name is
// written (the patch file, or the kustomization for an inline patch), when the message names it by id.
std::optional<SourceLocation> unmatched_patch(const std::string& dir, const std::string& message) {
  if (message.find("no resource matches strategic merge patch") == std::string::npos) return std::nullopt;
  auto k = read_kustomization(dir);
  if (!k.ok()) return std::nullopt;
  for (const auto& [kind, name] : ids_in(message))
    for (const auto& p : k->patches) {
      if (p.json6902 || p.kind != kind || p.name != name || !p.doc.IsMap()) continue;
      YAML::Node written = p.doc["metadata"]["name"];
      if (!written.IsDefined()) continue;
      return SourceLocation{display_path(p.file), written.Mark().line + p.line_offset, written.Mark().column + 1};
    }
  return std::nullopt;
}

// Appends map key `key` to the field path `path`: ".key", or "[key]" for a key holding a dot, slash or bracket.
void append_key(std::string& path, const std::string& key) {
  path += key.find_first_of("./[]") == std::string::npos ? (path.empty() ? "" : ".") + key : "[" + key + "]";
}

// The field path ("spec.rules[0].verbs[1]") of the deepest key or list item of `node` on the 1-based line
// `line` (node marks + 1 + `base`), appended to `path`; false when none is.
bool path_on_line(const YAML::Node& node, int line, int base, std::string& path) {
  auto line_of_node = [&](const YAML::Node& n) { return n.Mark().line + 1 + base; };
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) continue;
      const std::string& key = kv.first.Scalar();
      std::string here = path;
      append_key(here, key);
      if (path_on_line(kv.second, line, base, here) || line_of_node(kv.first) == line) {
        path = here;
        return true;
      }
    }
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      std::string here = path + "[" + std::to_string(i) + "]";
      if (path_on_line(node[i], line, base, here) || line_of_node(node[i]) == line) {
        path = here;
        return true;
      }
    }
  }
  return false;
}

// Whether `file` is in or below `dir` (both resolved): kustomize reads no other file of a kustomization,
// so no other file is read to explain its failure.
bool inside(const fs::path& dir, const fs::path& file) {
  std::error_code ec;
  fs::path d = fs::canonical(dir, ec);
  if (ec) return false;
  fs::path f = fs::canonical(file, ec);
  if (ec) return false;
  auto rel = f.lexically_relative(d);
  return !rel.empty() && *rel.begin() != "..";
}

// The YAML defects of `file` as kvalidate's loader finds them: syntax errors and duplicate keys, each at
// its line (other problems, such as a JSON patch file that is a list, are not the build's failure).
void yaml_defects_of(const fs::path& file, const std::string& suite, std::vector<ObjectResult>& out) {
  LoadResult loaded = load_paths({display_path(file.lexically_normal().string())});
  for (auto& p : loaded.problems) {
    if (p.findings.empty() || p.findings[0].rule != "input/yaml-syntax") continue;
    p.kind_of_result = ResultKind::kRender;
    p.status = ObjectStatus::kInvalid;
    p.suite = suite;
    out.push_back(std::move(p));
  }
  for (const auto& r : loaded.resources)
    for (const auto& f : r.local_findings) {
      if (f.rule != "input/duplicate-key") continue;
      // The loader's words are for an object that is still validated; this one stopped the build.
      std::string message = f.message.substr(0, f.message.find(": the API server"));
      ObjectResult p = input_problem(r.source.file, f.line, f.column, r.source.document, f.rule,
                                     message + ": kustomize refuses it, so nothing is built");
      p.kind_of_result = ResultKind::kRender;
      p.status = ObjectStatus::kInvalid;
      p.suite = suite;
      out.push_back(std::move(p));
    }
}

// A kustomization in `dir` (built from the one in `top`) that failed because kustomize could not read one
// of its files as YAML: the defects of the files, each at its line, read by kvalidate's own loader (go-yaml
// names a line only, counted from the document kustomize cut out, and for a duplicate key not even the
// file): first the file "MalformedYAMLError: ... in File: x.yaml" names, then every other local file `top`
// and its bases and components name, since kustomize stops at the first. Empty when the message is of
// another kind or no file shows the defect.
std::vector<ObjectResult> yaml_defects(const std::string& dir, const std::string& top, const std::string& message,
                                       const std::string& suite) {
  static const std::regex malformed(R"(MalformedYAMLError: .* in File: (\S+))");
  std::vector<ObjectResult> out;
  std::error_code ec;
  std::smatch m;
  std::set<fs::path> read;  // the files read so far
  if (std::regex_search(message, m, malformed)) {
    fs::path file = (fs::path(dir) / m[1].str()).lexically_normal();
    if (fs::is_regular_file(file, ec) && inside(dir, file)) yaml_defects_of(file, suite, out);
    read.insert(file);
  } else if (message.find("yaml: ") == std::string::npos || message.find("invalid Kustomization") != std::string::npos) {
    return out;
  }
  // The kustomization and the bases and components it names, each reading files in its own folder: every
  // such defect at once, since kustomize stops at the first.
  std::vector<std::string> todo{top};
  std::set<std::string> seen;
  while (!todo.empty() && seen.size() < 64) {
    std::string d = todo.back();
    todo.pop_back();
    auto k = read_kustomization(d);
    if (!k.ok() || !seen.insert(k->dir).second) continue;
    for (const auto& ref : k->local_refs) {
      if (fs::is_directory(ref, ec)) todo.push_back(ref);
      else if (fs::is_regular_file(ref, ec) && inside(k->dir, ref) && fs::path(ref) != fs::path(k->file) &&
               read.insert(fs::path(ref).lexically_normal()).second)
        yaml_defects_of(ref, suite, out);
    }
  }
  return out;
}

std::vector<ObjectResult> build_problems(const std::string& user_file, const std::string& message, const std::string& suite) {
  const std::string failing = failing_kustomization(message, user_file);
  auto in_resource = yaml_defects(fs::path(failing).parent_path().string(), fs::path(user_file).parent_path().string(),
                                  message, suite);
  if (!in_resource.empty()) return in_resource;
  SourceLocation at = build_error_place(failing, message);
  ObjectResult r;
  r.kind_of_result = ResultKind::kRender;
  r.title = "kustomize build";
  r.suite = suite;
  r.status = ObjectStatus::kInvalid;
  r.source.file = at.file;
  r.source.line = at.line;
  r.source.column = at.column;
  Finding f;
  f.rule = "kustomize-build";
  f.message = message;
  f.file = r.source.file;
  f.line = r.source.line;
  f.column = r.source.column;
  r.findings.push_back(std::move(f));
  return {std::move(r)};
}

// A warning for each patch of `ks` whose target selects no object of the build (targets_nothing), at
// its target's name in the kustomization: a typo there leaves the patch unapplied, and kustomize says
// nothing.
std::vector<ObjectResult> unmatched_patches(const std::vector<const Kustomization*>& ks,
                                           const std::vector<Resource>& built, const std::string& suite) {
  std::vector<ObjectResult> out;
  for (const Kustomization* k : ks) {
    int last_line = 0;  // a patch file of several documents is one entry
    for (const auto& p : k->patches) {
      if (p.target_line == last_line || !targets_nothing(p, built)) continue;
      last_line = p.target_line;
      std::string what = p.kind.empty() ? "object" : p.kind;
      if (!p.name.empty()) what += " named \"" + p.name + "\"";
      ObjectResult r;
      r.kind_of_result = ResultKind::kRender;
      r.title = "kustomize patch";
      r.suite = suite;
      r.status = ObjectStatus::kValid;
      r.source.file = display_path(k->file);
      r.source.line = p.target_line;
      Finding f;
      f.severity = Severity::kWarning;
      f.rule = "kustomize/patch-targets-nothing";
      f.message = "the patch's target selects nothing: no " + what + " is in the build, so the patch changes no object";
      f.file = r.source.file;
      f.line = p.target_line;
      r.findings.push_back(std::move(f));
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace

SourceLocation build_error_place(const std::string& kustomization_file, const std::string& message) {
  if (auto patch = unmatched_patch(fs::path(kustomization_file).parent_path().string(), message)) return *patch;
  return {display_path(kustomization_file), line_naming(kustomization_file, message), 0};
}

std::string display_path(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  fs::path rel = p.lexically_relative(current_dir());
  if (!rel.empty() && *rel.begin() != "..") return rel.string();
  return p.string();
}

Result<Kustomize> find_kustomize() {
  if (const char* env = std::getenv("KVALIDATE_KUSTOMIZE"); env && *env) {
    auto p = find_in_path(env);
    if (!p) return Status::InvalidInput(std::string("KVALIDATE_KUSTOMIZE: \"") + env + "\" is not an executable file");
    return Kustomize{{*p, "build"}, "KVALIDATE_KUSTOMIZE"};
  }
  // kvalidate's own kubectl first: a PATH kubectl is often older (its kustomize too).
  auto kubectl = find_tool("kubectl", false);
  if (!kubectl) kubectl = find_tool("kubectl");
  if (!kubectl)
    return Status::Unavailable(
        "kustomize not found: run tools/go/build.sh kubernetes from kvalidate's source tree (kubectl embeds "
        "kustomize), put kubectl on PATH, or set KVALIDATE_KUSTOMIZE to a kustomize binary");
  return Kustomize{{kubectl->path, "kustomize"}, kubectl->source};
}

Result<KustomizeBuild> build_kustomization(const Kustomize& kustomize, const std::string& dir, const std::string& suite) {
  auto user = read_kustomization(dir);
  if (!user.ok()) return user.status();
  std::string tmpl = (fs::temp_directory_path() / "kvalidate-kustomize-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return Status::IOError("cannot create a temporary directory for " + dir);
  TempDir wrapper{tmpl};
  std::error_code ec;
  fs::path user_dir = fs::canonical(user->dir, ec);
  if (ec) return Status::InvalidInput(dir + ": " + ec.message());
  fs::path wrapper_dir = fs::canonical(wrapper.path, ec);
  std::string relative = user_dir.lexically_relative(wrapper_dir).string();
  std::ofstream(wrapper_dir / "kustomization.yaml") << wrapper_text(relative, user->build_metadata);

  std::vector<std::string> argv = kustomize.command;
  argv.push_back(wrapper_dir.string());
  auto run = run_command(argv);
  if (!run.ok()) return run.status().Prefixed("cannot run kustomize (" + kustomize.command[0] + ")");
  if (run->timed_out) return Status::Unavailable("kustomize (" + kustomize.command[0] + ") did not finish in time");

  KustomizeBuild out;
  auto origins = std::make_shared<OriginMap>();
  out.origins = origins;
  if (run->exit_code != 0) {
    std::string msg = user_message(run->err.empty() ? run->out : run->err, wrapper_dir.string(), relative,
                                   user_dir.string(), display_path(user->dir));
    if (msg.empty()) msg = "kustomize failed (exit " + std::to_string(run->exit_code) + ")";
    out.problems = build_problems(user->file, msg, suite);
    return out;
  }
  LoadResult loaded = load_text(run->out, "kustomize build " + display_path(user->dir));
  for (auto& p : loaded.problems) {
    p.kind_of_result = ResultKind::kRender;
    p.status = ObjectStatus::kInvalid;
    p.suite = suite;
    out.problems.push_back(std::move(p));
  }
  OriginReader reader;
  reader.build_root = wrapper_dir.string();
  for (auto& r : loaded.resources) {
    auto [origin_text, transformations_text] = take_build_annotations(r.object);
    JsonWriter body(false);
    body.node(r.object);
    r.body = body.str();
    ObjectOrigin origin = resolve_origin(reader, r, origin_text, transformations_text);
    r.source = SourceRef{};
    r.source.file = origin.display.empty() ? display_path(user->file) : origin.display;
    r.source.line = origin.written ? origin.written->source.line : origin.generated_line;
    r.source.column = r.source.line > 0 ? 1 : 0;
    r.source.document = origin.written ? origin.written->source.document : 0;
    origins->objects[origin_key(r)] = std::move(origin);
    out.resources.push_back(std::move(r));
  }
  std::vector<const Kustomization*> read{&*user};
  for (const auto& [folder, k] : reader.kustomizations)
    if (k && k->file != user->file) read.push_back(k.get());
  for (auto& warning : unmatched_patches(read, out.resources, suite)) out.problems.push_back(std::move(warning));
  return out;
}

namespace {

// `field_path` with each list index whose item (in `built_tree`) has a scalar `name` written as the
// selector [name=NAME]: kustomize's strategic merge matches items so, and a patch that adds one shifts
// the indexes of the others. Unchanged when it cannot be read.
std::string keyed_path(const YAML::Node& built_tree, const std::string& field_path) {
  auto path = parse_field_path(field_path);
  if (!path) return field_path;
  std::string out;
  YAML::Node built;
  built.reset(built_tree);
  for (const auto& seg : *path) {
    YAML::Node next;
    if (seg.kind == PathSegment::Kind::kKey) {
      append_key(out, seg.key);
      if (built.IsMap()) next.reset(built[seg.key]);
    } else if (seg.kind == PathSegment::Kind::kIndex && built.IsSequence() && seg.index >= 0 &&
               static_cast<size_t>(seg.index) < built.size()) {
      YAML::Node item = built[static_cast<size_t>(seg.index)];
      std::string name = item.IsMap() && item["name"].IsScalar() ? item["name"].Scalar() : "";
      out += name.empty() || name.find_first_of("[]") != std::string::npos ? "[" + std::to_string(seg.index) + "]"
                                                                           : "[name=" + name + "]";
      next.reset(item);
    } else {
      return field_path;  // a selector already, or no such item: as it was
    }
    built.reset(next);
  }
  return out;
}

// True when `written` holds the last list item `path` names (a [name=X] selector or an index).
bool holds_last_item(const Resource& written, const std::string& path) {
  auto segs = parse_field_path(path);
  if (!segs) return true;
  size_t last = segs->size();
  for (size_t i = 0; i < segs->size(); ++i)
    if ((*segs)[i].kind != PathSegment::Kind::kKey) last = i;
  if (last == segs->size()) return true;
  return node_at(object_tree(written), written.kind, path.substr(0, (*segs)[last].end)).has_value();
}

}  // namespace

SourceLocation locate_field(const OriginMap& origins, const Resource& r, const std::string& field_path) {
  SourceLocation loc{r.source.file, r.source.line, r.source.column};
  auto it = origins.objects.find(origin_key(r));
  if (it == origins.objects.end()) return loc;
  const ObjectOrigin& o = it->second;
  if (!field_path.empty()) {
    // A transformer of a kustomization (labels, replicas, namespace, ...) that set the field to the value it
    // has, the outermost first: it ran last.
    for (auto k = o.transformed_by.rbegin(); k != o.transformed_by.rend(); ++k)
      if (int line = transformer_line_for(**k, r, field_path); line > 0) return {display_path((*k)->file), line, 0};
    if (o.generated_in)
      if (auto g = generated_key_line(*o.generated_in, r, field_path); g.line > 0)
        return {g.file.empty() ? o.display : display_path(g.file), g.line, 0};
    YAML::Node tree = object_tree(r);
    SourceLocation item;  // a list item a patch holds without the field (it may have added the item)
    for (auto p = o.patches.rbegin(); p != o.patches.rend(); ++p) {
      int item_line = 0;
      if (int line = patch_line_for(*p, tree, field_path, &item_line); line > 0) return {display_path(p->file), line, 0};
      if (item_line > 0 && item.line == 0) item = {display_path(p->file), item_line, 0};
    }
    if (o.written) {
      // List items by their names: a patch that added an item moved the others.
      const std::string keyed = keyed_path(tree, field_path);
      auto pos = locate(*o.written, keyed);
      if (pos && pos->exact) return {o.display, pos->line, pos->column};
      if (item.line > 0 && !holds_last_item(*o.written, keyed)) return item;
      if (pos) return {o.display, pos->line, pos->column};
    }
    if (item.line > 0) return item;
    return loc;
  }
  if (o.written) {
    if (auto pos = locate(*o.written, field_path)) return {o.display, pos->line, pos->column};
  }
  return loc;
}

int origin_line_of(const OriginMap& origins, const Resource& r, int built_line) {
  auto it = origins.objects.find(origin_key(r));
  if (it == origins.objects.end() || !it->second.written) return r.source.line;
  std::string path;
  if (!path_on_line(object_tree(r), built_line, r.line_base, path)) return r.source.line;
  auto pos = locate(*it->second.written, path);
  return pos && pos->line > 0 ? pos->line : r.source.line;
}

Result<OldKustomization> build_old_kustomization(const Kustomize& kustomize, const std::string& spec,
                                                 const std::string& dir) {
  OldKustomization old;
  old.label = spec;
  std::string path = spec, rev;
  std::shared_ptr<TempDir> keep;  // the revision's files, while they are built
  if (parse_git_spec(spec, rev)) {
    auto snap = git_snapshot(dir, rev, /*whole_tree=*/true);
    if (!snap.ok()) return snap.status();
    path = snap->path;
    keep = snap->tree;
    old.label = "git:" + rev + " (" + snap->commit.substr(0, 12) + ")";
  }
  auto built = build_kustomization(kustomize, path, spec);
  if (!built.ok()) return built.status().Prefixed("--upgrade-from " + old.label);
  if (!built->problems.empty()) {
    const auto& p = built->problems.front();
    return Status::InvalidInput("--upgrade-from " + old.label + ": the old kustomization does not build: " +
                                (p.findings.empty() ? p.title : p.findings.front().message));
  }
  old.resources = std::move(built->resources);
  return old;
}

}  // namespace kv::render
