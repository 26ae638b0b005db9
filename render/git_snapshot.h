// A file or folder of a git work tree as it was at a revision (`--upgrade-from git:REV`), read with
// `git archive` from the repository's objects into a temporary folder: the work tree, index and refs are
// never touched.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "render/chart.h"

namespace kv::render {

struct GitSnapshot {
  std::string path;                  // the same file or folder inside the snapshot
  std::string revision;              // as given ("origin/main")
  std::string commit;                // what it resolved to (full hash)
  std::shared_ptr<TempDir> tree;     // keeps the snapshot alive
};

// True for "git:REV", and REV then holds the revision.
bool parse_git_spec(const std::string& spec, std::string& rev);

// `path` (a file or folder inside a git work tree) as it was at `rev`. InvalidInput (exit 2), one line
// naming the path and revision, when `path` is not in a git work tree, `rev` is empty, starts with '-'
// or does not name a commit, or `path` did not exist at that commit; Unavailable when git cannot run.
// With `whole_tree`, the whole repository at `rev` is extracted (a kustomization's ../base is outside
// its folder); otherwise only `path`.
Result<GitSnapshot> git_snapshot(const std::string& path, const std::string& rev, bool whole_tree = false);

}  // namespace kv::render
