#include "resources/loader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <map>
#include <optional>

#include "core/json.h"
#include "core/parallel.h"
#include "resources/documents.h"
#include "resources/flow_yaml.h"
#include "resources/list_split.h"
#include "resources/merge_keys.h"
#include "resources/load_memo.h"
#include "resources/yaml_document.h"

namespace kv {

namespace {

// Whether a plain scalar resolves to something other than a string (null, bool, number) under the
// YAML 1.2 core schema or YAML 1.1's booleans, which the API server's YAML decoder still applies.
bool plain_non_string(const std::string& s) {
  static const char* const kWords[] = {"", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false",
                                       "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on",
                                       "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "-.inf",
                                       "+.inf", ".nan", ".NaN", ".NAN"};
  for (const char* w : kWords)
    if (s == w) return true;
  std::string_view v = s;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) v.remove_prefix(1);
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'o')) return true;
  if (v.empty() || !(std::isdigit(static_cast<unsigned char>(v[0])) || v[0] == '.')) return false;
  double d;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  return ec == std::errc() && end == v.data() + v.size();
}

bool is_string(const YAML::Node& n) {
  if (!n.IsScalar()) return false;
  return n.Tag() != "?" || !plain_non_string(n.Scalar());
}

const char* type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return n.Tag() == "?" && plain_non_string(n.Scalar()) ? "not a string"
                                                                                        : "a string";
    default: return "empty";
  }
}

struct DocContext {
  std::string_view file;
  int line_base = 0;  // file line = mark.line + 1 + line_base
  int document = 0;
  const LoadOptions* options = nullptr;
  LoadResult* out = nullptr;
  const std::vector<InputDefect>* duplicates = nullptr;  // of the document (lines relative to it)
  std::string_view text;                                 // the document's text
  int dup_from = 0, dup_to = 1 << 30;                    // lines of `duplicates` that belong to this object
  bool item_alone = false;  // a List item parsed alone (`text` is its own): kept like a whole document

  int line_of(const YAML::Node& n) const { return n.Mark().is_null() ? 0 : n.Mark().line + 1 + line_base; }
  int column_of(const YAML::Node& n) const { return n.Mark().is_null() ? 0 : n.Mark().column + 1; }
  void problem(const YAML::Node& at, const char* rule, std::string message) const {
    out->problems.push_back(input_problem(file, line_of(at), column_of(at), document, rule, std::move(message)));
  }
  // Directory mode: a document that is no Kubernetes object is skipped (true), else it is a problem.
  bool skip(const YAML::Node& at, std::string why) const {
    if (!options->skip_non_objects) return false;
    ObjectResult r = input_skipped(file, line_of(at), "input/not-an-object", std::move(why));
    r.source.document = document;
    out->skipped.push_back(std::move(r));
    return true;
  }
};

bool absent(const YAML::Node& n) { return !n || n.IsNull(); }

// kustomize's own files (Kustomization, Component) look like objects but are build instructions.
bool is_kustomize_config(const YAML::Node& api) {
  return api.IsScalar() && api.Scalar().rfind("kustomize.config.k8s.io/", 0) == 0;
}

// The key node of `key` in map `m` (for its position), or `m` itself when absent.
YAML::Node key_node(const YAML::Node& m, std::string_view key) {
  for (const auto& kv : m)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.first;
  return m;
}

// A document with duplicate keys: the object (last values only) is sent re-emitted (its scalars typed as
// the server's YAML 1.1 reading types them, as kubectl's does), its tree kept for the marks, and each
// duplicate inside it becomes a finding of the object.
void keep_duplicates(Resource& r, const YAML::Node& obj, const std::string& what, const DocContext& ctx) {
  r.object = obj;
  if (what.empty() || ctx.item_alone) {
    r.document_text = std::string(ctx.text);
    r.body = to_flow_yaml(obj);
  }
  for (const auto& d : *ctx.duplicates)
    if (d.line >= ctx.dup_from && d.line < ctx.dup_to)
      r.local_findings.push_back(LocalFinding{d.rule, d.message, d.line + ctx.line_base, d.column});
}

// Checks that `obj` is a Kubernetes object and appends it; `what` names it in messages ("" for a
// whole document, "items[3]" for a List item).
void add_object(const YAML::Node& obj, std::string body, const std::string& what, const DocContext& ctx) {
  std::string prefix = what.empty() ? "" : what + ": ";
  // (resolved in place: the tree is the document's, or an item of it)
  const bool merged = obj.IsMap() && may_have_merge_keys(ctx.text) && resolve_merge_keys(obj);
  if (!obj.IsMap()) {
    if (ctx.options->ignore_non_objects && what.empty()) return;
    if (what.empty() && ctx.skip(obj, std::string("not a Kubernetes object: the document is ") + type_name(obj)))
      return;
    ctx.problem(obj, "input/not-an-object",
                prefix + "the document is " + type_name(obj) +
                    ", not a Kubernetes object (a map with apiVersion and kind)");
    return;
  }
  const YAML::Node api = obj["apiVersion"], kind = obj["kind"];
  if (what.empty() && absent(api) && absent(kind) &&
      ctx.skip(obj, "not a Kubernetes object: no apiVersion and no kind"))
    return;
  if (what.empty() && !absent(api) && is_kustomize_config(api)) {
    if (ctx.options->ignore_non_objects || ctx.skip(obj, "kustomize configuration, not a Kubernetes object"))
      return;
    ctx.problem(obj, "input/not-an-object",
                "kustomize configuration, not a Kubernetes object: validate its output "
                "(kustomize build DIR | kvalidate manifests -)");
    return;
  }
  if (absent(api) || absent(kind)) {
    if (ctx.options->ignore_non_objects && what.empty()) return;
    const char* missing = (!api || api.IsNull()) && (!kind || kind.IsNull()) ? "apiVersion and kind are"
                          : (!api || api.IsNull())                           ? "apiVersion is"
                                                                             : "kind is";
    ctx.problem(obj, "input/missing-kind", prefix + missing + " missing: not a Kubernetes object");
    return;
  }
  if (!is_string(api) || !is_string(kind)) {
    const char* field = !is_string(api) ? "apiVersion" : "kind";
    ctx.problem(key_node(obj, field), "input/invalid-kind",
                prefix + field + " must be a string, found " + type_name(!is_string(api) ? api : kind));
    return;
  }
  Resource r;
  r.api_version = api.Scalar();
  r.kind = kind.Scalar();
  const YAML::Node meta = obj["metadata"];
  if (meta && !meta.IsNull() && !meta.IsMap()) {
    ctx.problem(key_node(obj, "metadata"), "input/invalid-metadata", prefix + "metadata must be a map");
    return;
  }
  if (meta && meta.IsMap()) {
    for (auto [field, dest] : {std::pair{"name", &r.name}, std::pair{"generateName", &r.generate_name},
                               std::pair{"namespace", &r.namespace_}}) {
      const YAML::Node v = meta[field];
      if (!v || v.IsNull()) continue;
      if (!v.IsScalar()) {
        ctx.problem(key_node(meta, field), "input/invalid-metadata",
                    prefix + "metadata." + field + " must be a string, found " + type_name(v));
        return;
      }
      *dest = v.Scalar();
    }
  }
  if (r.name.empty() && r.generate_name.empty()) {
    ctx.problem(meta && meta.IsMap() ? key_node(obj, "metadata") : obj, "input/missing-name",
                prefix + r.kind + " has neither metadata.name nor metadata.generateName");
    return;
  }
  if (ctx.options->keep_objects || (!what.empty() && !ctx.item_alone)) r.object = obj;
  r.source.file = std::string(ctx.file);
  r.source.line = ctx.line_of(obj);
  r.source.column = ctx.column_of(obj);
  r.source.document = ctx.document;
  r.line_base = ctx.line_base;
  r.body = std::move(body);
  if (merged) {  // sent as the resolved tree (its scalars typed as written), kept for the marks (merge_keys.h)
    r.object = obj;
    if (what.empty() || ctx.item_alone) r.document_text = std::string(ctx.text);
    r.body = to_flow_yaml(obj);
  }
  if (ctx.duplicates && !ctx.duplicates->empty()) keep_duplicates(r, obj, what, ctx);
  ctx.out->resources.push_back(std::move(r));
}

bool is_list_kind(const YAML::Node& doc) {
  if (!doc.IsMap()) return false;
  const YAML::Node kind = doc["kind"];
  if (!kind || !kind.IsScalar()) return false;
  const std::string& k = kind.Scalar();
  return k.size() >= 4 && k.compare(k.size() - 4, 4, "List") == 0 && doc["items"];
}

void load_list(const YAML::Node& doc, const DocContext& ctx) {
  const YAML::Node items = doc["items"];
  if (items.IsNull()) return;
  if (!items.IsSequence()) {
    ctx.problem(key_node(doc, "items"), "input/invalid-list",
                "items of a " + doc["kind"].Scalar() + " must be a list, found " + type_name(items));
    return;
  }
  int i = 0;
  std::vector<int> starts;  // 1-based line of each item in the document
  for (const auto& item : items) starts.push_back(item.Mark().is_null() ? 0 : item.Mark().line + 1);
  for (const auto& item : items) {
    std::string body;
    if (item.IsMap()) body = to_flow_yaml(item);  // (typed as the server's YAML 1.1 reading types the List)
    DocContext item_ctx = ctx;
    item_ctx.dup_from = starts[i];
    item_ctx.dup_to = i + 1 < static_cast<int>(starts.size()) ? starts[i + 1] : 1 << 30;
    add_object(item, std::move(body), "items[" + std::to_string(i++) + "]", item_ctx);
  }
}

}  // namespace

YAML::Node object_tree(const Resource& r) {
  if (r.object.IsMap()) return r.object;
  if (r.body.empty()) return YAML::Node();
  DocumentParse parsed = parse_document(r.body);
  if (parsed.defect || !parsed.root.IsMap()) return YAML::Node();
  return parsed.root;
}

bool text_may_hold(const Resource& r, std::initializer_list<std::string_view> tokens) {
  if (r.object.IsMap() || r.body.find('\\') != std::string::npos) return true;
  for (std::string_view t : tokens)
    if (r.body.find(t) != std::string::npos) return true;
  return false;
}

ObjectResult input_skipped(std::string_view file, int line, std::string_view rule, std::string message) {
  ObjectResult r = input_problem(file, line, 0, 0, rule, std::move(message));
  r.status = ObjectStatus::kSkipped;
  r.findings[0].severity = Severity::kInfo;
  return r;
}

ObjectResult input_problem(std::string_view file, int line, int column, int document,
                           std::string_view rule, std::string message) {
  ObjectResult r;
  r.kind_of_result = ResultKind::kInput;
  r.status = ObjectStatus::kError;
  r.suite = std::string(file);
  r.source.file = std::string(file);
  r.source.line = line;
  r.source.column = column;
  r.source.document = document;
  r.title = "input " + std::string(file) + (line > 0 ? ":" + std::to_string(line) : "");
  Finding f;
  f.severity = Severity::kError;
  f.rule = std::string(rule);
  f.message = std::move(message);
  f.file = std::string(file);
  f.line = line;
  f.column = column;
  r.findings.push_back(std::move(f));
  return r;
}

static void load_chunk(const DocumentChunk& chunk, std::string_view display_name, const LoadOptions& options,
                       LoadResult& out, DocumentParse* parsed);
static bool load_list_by_items(const DocumentChunk& chunk, std::string_view display_name,
                               const LoadOptions& options, LoadResult& out);

namespace {

// Documents are parsed side by side, a window of them at a time (their trees let go as they are loaded),
// when the window holds enough text to be worth the threads.
constexpr size_t kParseWindow = 256;
constexpr size_t kParallelFrom = 4 * 1024;  // bytes to parse in a window (a thread costs ~50 µs, 4 KiB ~1.5 ms)
constexpr size_t kMemoFrom = 256;  // texts this long or longer use the load memo (a read beats a parse)

bool parsed_alone(const DocumentChunk& chunk, const LoadOptions& options) {
  return !is_blank_document(chunk.text) && chunk.text.size() < options.split_lists_from;
}

// The documents of one text the load memo knows, and those it learns while the text is loaded.
struct TextMemo {
  const LoadMemo* memo = nullptr;  // null: not used for this text
  std::string key;
  std::optional<std::map<int, MemoDocument>> known;
  std::vector<MemoDocument> learned;

  TextMemo(std::string_view text, const LoadOptions& options) {
    if (!options.memo || options.keep_objects || text.size() < kMemoFrom) return;
    memo = options.memo;
    key = LoadMemo::key_of(text);
    known = memo->get(key);
  }
  const MemoDocument* find(const DocumentChunk& chunk) const {
    if (!known) return nullptr;
    auto it = known->find(chunk.index);
    return it == known->end() ? nullptr : &it->second;
  }
  // After load_chunk(): learns the document when it gave exactly one object (`out` grew by that only)
  // that add_known() would make again from the memo.
  void learn(const DocumentChunk& chunk, const LoadResult& out, size_t resources, size_t problems, size_t skipped) {
    if (!memo || known || out.resources.size() != resources + 1 || out.problems.size() != problems ||
        out.skipped.size() != skipped)
      return;
    const Resource& r = out.resources.back();
    if (!r.local_findings.empty() || r.object.IsMap() || !r.document_text.empty() || r.body != chunk.text ||
        r.source.document != chunk.index || r.line_base != chunk.first_line - 1)
      return;
    learned.push_back({chunk.index, r.source.line, r.source.column, r.api_version, r.kind, r.name, r.generate_name,
                       r.namespace_});
  }
  void keep() const {
    if (memo && !known && !learned.empty()) memo->put(key, learned);
  }
};

// The object of a document the memo knows, as add_object() made it.
void add_known(const MemoDocument& m, const DocumentChunk& chunk, std::string_view display_name, LoadResult& out) {
  Resource r;
  r.api_version = m.api_version;
  r.kind = m.kind;
  r.name = m.name;
  r.generate_name = m.generate_name;
  r.namespace_ = m.namespace_;
  r.source.file = std::string(display_name);
  r.source.line = m.line;
  r.source.column = m.column;
  r.source.document = chunk.index;
  r.line_base = chunk.first_line - 1;
  r.body = std::string(chunk.text);
  out.resources.push_back(std::move(r));
}

}  // namespace

void load_text(std::string_view text, std::string_view display_name, const LoadOptions& options,
               LoadResult& out) {
  size_t problems_before = out.problems.size();
  bool stopped = false;
  TextMemo memo(text, options);
  std::vector<DocumentChunk> window;
  auto load_window = [&] {
    size_t bytes = 0;
    for (const auto& c : window)
      if (!memo.find(c)) bytes += c.text.size();
    std::vector<std::optional<DocumentParse>> parsed(window.size());
    if (bytes >= kParallelFrom)
      parallel_for(window.size(), hardware_workers(),
                   [&](size_t k) {
                     if (parsed_alone(window[k], options) && !memo.find(window[k]))
                       parsed[k] = parse_document(window[k].text);
                   });
    for (size_t k = 0; k < window.size() && !stopped; ++k) {
      const DocumentChunk& chunk = window[k];
      if (out.problems.size() - problems_before >= kMaxProblemsPerStream) {
        out.problems.push_back(input_problem(display_name, chunk.first_line, 0, chunk.index,
                                             "input/too-many-problems",
                                             std::to_string(kMaxProblemsPerStream) +
                                                 " problems already; the rest of the input was not read"));
        stopped = true;
        break;
      }
      if (const MemoDocument* known = memo.find(chunk)) {
        add_known(*known, chunk, display_name, out);
        continue;
      }
      const size_t resources = out.resources.size(), problems = out.problems.size(), skipped = out.skipped.size();
      load_chunk(chunk, display_name, options, out, parsed[k] ? &*parsed[k] : nullptr);
      parsed[k].reset();
      memo.learn(chunk, out, resources, problems, skipped);
    }
    window.clear();
  };
  for_each_document(text, [&](const DocumentChunk& chunk) {
    window.push_back(chunk);
    if (window.size() == kParseWindow) load_window();
    return !stopped;
  });
  if (!stopped) load_window();
  memo.keep();
}

// Loads one document of a stream into `out` (`done`: its parse, when made already).
static void load_chunk(const DocumentChunk& chunk, std::string_view display_name, const LoadOptions& options,
                       LoadResult& out, DocumentParse* done) {
  if (is_blank_document(chunk.text)) return;
  if (chunk.text.size() >= options.split_lists_from && load_list_by_items(chunk, display_name, options, out)) return;
  DocumentParse parsed = done ? std::move(*done) : parse_document(chunk.text);
  DocContext ctx{display_name, chunk.first_line - 1, chunk.index, &options, &out, &parsed.duplicates, chunk.text};
  if (parsed.defect) {
    const InputDefect& d = *parsed.defect;
    int line = d.line > 0 ? d.line + ctx.line_base : chunk.first_line;
    out.problems.push_back(input_problem(display_name, line, d.column, chunk.index, d.rule, d.message));
    return;
  }
  if (!parsed.root || parsed.root.IsNull()) return;  // "~" or "null": an empty document
  if (is_list_kind(parsed.root)) {
    load_list(parsed.root, ctx);
  } else {
    add_object(parsed.root, std::string(chunk.text), "", ctx);
  }
}

// A large List, item by item (resources/list_split.h): true when it was cut and its header and every
// item parsed; false (nothing added) sends the document to the whole-document parse.
static bool load_list_by_items(const DocumentChunk& chunk, std::string_view display_name,
                               const LoadOptions& options, LoadResult& out) {
  auto split = split_block_list(chunk.text);
  if (!split) return false;
  DocumentParse header = parse_document(split->header);
  if (header.defect || !header.duplicates.empty() || !header.root.IsMap()) return false;
  const YAML::Node kind = header.root["kind"], items = header.root["items"];
  if (!kind || !kind.IsScalar() || kind.Scalar().size() < 4 ||
      kind.Scalar().compare(kind.Scalar().size() - 4, 4, "List") != 0 || !items || !items.IsNull())
    return false;
  LoadResult mine;
  mine.resources.reserve(split->items.size());
  for (size_t i = 0; i < split->items.size(); ++i) {
    const ListItemText& item = split->items[i];
    DocumentParse parsed = parse_document(item.text);
    if (parsed.defect) return false;  // e.g. an alias to another item's anchor: the whole document decides
    DocContext ctx{display_name, chunk.first_line - 1 + item.first_line - 1, chunk.index, &options, &mine,
                   &parsed.duplicates, item.text};
    ctx.item_alone = true;
    add_object(parsed.root, parsed.root.IsMap() ? item.text : std::string(), "items[" + std::to_string(i) + "]", ctx);
  }
  if (out.resources.empty()) out.resources.swap(mine.resources);
  else std::move(mine.resources.begin(), mine.resources.end(), std::back_inserter(out.resources));
  std::move(mine.problems.begin(), mine.problems.end(), std::back_inserter(out.problems));
  return true;
}

LoadResult load_text(std::string_view text, std::string_view display_name, const LoadOptions& options) {
  LoadResult out;
  load_text(text, display_name, options, out);
  return out;
}

}  // namespace kv
