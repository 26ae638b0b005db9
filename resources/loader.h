// The input loader: turns files, directories and stdin into Resources, and every problem with the
// input into an ObjectResult (kind kInput, status kError) instead of a failure, so that the rest of
// the input is still validated and the CLI can exit 2 at the end.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/shard.h"
#include "resources/resource.h"
#include "resources/result.h"

namespace kv {

class LoadMemo;

struct LoadOptions {
  // Hook mode: documents that are not Kubernetes objects (not a map, or no apiVersion/kind) are
  // skipped silently instead of being problems.
  bool ignore_non_objects = false;
  // Files (and stdin) larger than this are refused with an "input/too-large" problem.
  size_t max_file_bytes = 64u << 20;
  // The file descriptor read for the path "-".
  int stdin_fd = 0;
  // Directory mode (load_paths() sets it for the files it finds inside a directory): a document that is
  // not a Kubernetes object (not a map; neither apiVersion nor kind; kustomize's configuration) becomes a
  // `skipped` result instead of a problem, since a repository folder holds other YAML too.
  bool skip_non_objects = false;
  // false: Resource.object is left Null for whole-document objects, whose body is the document's own
  // text; object_tree() parses it again when needed. yaml-cpp trees cost ~30 KB per Deployment (60 MB
  // for 2,000), so a run over many objects should not keep them all. List items keep their object.
  bool keep_objects = true;
  // A List document at least this long is cut into its items by lines (resources/list_split.h) and each
  // item parsed alone, its body its own text, no tree kept: the whole document is parsed as one only when
  // the cut fails. Same objects, lines and problems either way.
  size_t split_lists_from = 1u << 20;
  // The load memo (resources/load_memo.h), used for texts of 256 bytes and more when keep_objects is false;
  // null: every document parsed.
  const LoadMemo* memo = nullptr;
  // --shard I/N: load_paths() loads only the files (after directory expansion) this shard holds; a chart
  // skipped inside a directory and a path's problem go by their own path. Not sharded by default.
  ShardFilter shard{};
};

struct LoadResult {
  std::vector<Resource> resources;     // in input order: paths as given, directory entries sorted
  std::vector<ObjectResult> problems;  // one per bad document / path, in input order
  std::vector<ObjectResult> skipped;   // directory mode: files and documents that hold no Kubernetes
                                       // object (kind kInput, status kSkipped, one info finding why)
  size_t other_shards = 0;             // files and path problems left to the other shards (--shard)
  bool ok() const { return problems.empty(); }
};

// Loads every PATH: a file (any name), a directory (its *.yaml, *.yml and *.json files, recursively,
// in byte order of their paths; symlinked directories followed, loops reported), or "-" for stdin.
// Inside a directory, what is not a Kubernetes object is skipped, not a problem: blank and comment-only
// files, YAML without apiVersion and kind (values files, CI configs), kustomization files, and every file
// of a Helm chart (a folder with a Chart.yaml: one skipped result naming `kvalidate chart`).
// Problems: nonexistent or unreadable paths, a directory without YAML files, files over
// `max_file_bytes`, every problem load_text() reports, and "input/no-objects" for each PATH that yields no
// object at all (unless `ignore_non_objects`, or part of the PATH went to another shard).
LoadResult load_paths(const std::vector<std::string>& paths, const LoadOptions& options = {});

// load_text() stops reading a stream after this many problems (one more problem says so).
inline constexpr size_t kMaxProblemsPerStream = 100;

// Loads the YAML/JSON stream `text` read from `display_name` (SourceRef.file of what it yields) and
// appends to `out`. Documents are split as kubectl does; empty and comment-only documents are skipped;
// `kind: List` and other `*List` kinds with `items` are expanded. Each document with a problem (syntax,
// encoding, duplicate key, not a map, apiVersion/kind missing or not strings, no metadata.name nor
// metadata.generateName, ...) yields one problem and no resource; the other documents still load.
void load_text(std::string_view text, std::string_view display_name, const LoadOptions& options,
               LoadResult& out);
LoadResult load_text(std::string_view text, std::string_view display_name,
                     const LoadOptions& options = {});

// The object tree of `r`: r.object when it is set, else `r.body` parsed again (for a whole document
// its own text, so marks + r.line_base still give file lines). Null when neither gives a map.
YAML::Node object_tree(const Resource& r);

// Whether object_tree(r) could hold any of `tokens` (as a key or in a value): true when r.object is kept (its
// tree costs nothing), or when r.body holds a token or a backslash (an escape could spell one); false only
// when the text cannot. Lets a check that looks for a few words skip the parse (yaml-cpp reads ~3 MB/s).
bool text_may_hold(const Resource& r, std::initializer_list<std::string_view> tokens);

// A skipped result for `file` (kind kInput, status kSkipped) with one info finding: `rule`, `message`.
ObjectResult input_skipped(std::string_view file, int line, std::string_view rule, std::string message);

// A problem result for `file` (line/column 1-based, 0 when unknown), as the loader reports them:
// kind kInput, status kError, one error Finding with `rule` and `message`.
ObjectResult input_problem(std::string_view file, int line, int column, int document,
                           std::string_view rule, std::string message);

}  // namespace kv
