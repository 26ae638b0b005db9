// Reading a kustomization file (kustomization.yaml, kustomization.yml or Kustomization) as kustomize
// would find it: the local files and folders it refers to (for pre-commit: which kustomizations a
// changed file feeds) and its patches (for findings: which patch file set a field). Pure file reading;
// building is render/kustomize.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"

namespace kv::render {

// The kustomization file in `dir` (absolute or relative), or "" when there is none.
std::string kustomization_file_in(const std::string& dir);

// One patch of a kustomization: `patches:`, `patchesStrategicMerge:` or `patchesJson6902:`.
struct KustomizePatch {
  std::string file;         // absolute: the patch file, or the kustomization file for an inline patch
  int line_offset = 0;      // added to a node's 0-based mark line to get the 1-based line in `file`
  YAML::Node doc;           // a strategic-merge patch (a map) or a JSON 6902 patch (a list of operations)
  bool json6902 = false;
  // The target selector (`target:`; for a strategic-merge patch without one, its own kind and name).
  // Empty fields match anything; `name` is a regular expression, as in kustomize.
  std::string group, version, kind, name, namespace_;
  // With a `target:` of the kustomization: the 1-based line of its `name:` (of `target:` without one) in
  // the kustomization file, and whether it also selects by labels or annotations. 0 without a target.
  int target_line = 0;
  bool selects_by_metadata = false;
};

struct Kustomization {
  std::string dir;                         // absolute, normalized
  std::string file;                        // the kustomization file, absolute
  std::vector<std::string> local_refs;     // every local file or folder it names, absolute (no URLs)
  std::vector<std::string> build_metadata; // `buildMetadata:`
  std::vector<KustomizePatch> patches;     // in the order kustomize applies them
  YAML::Node root;                         // the parsed file (marks give its lines)
};

// Reads the kustomization in `dir`. InvalidInput naming the file (and line) when there is none or it is
// not valid YAML (kustomize itself reports the rest); patch files that cannot be read are left out.
Result<Kustomization> read_kustomization(const std::string& dir);

}  // namespace kv::render
