// Building kustomizations with the real kustomize (the one kubectl embeds, `kubectl kustomize`, or a
// standalone `kustomize build` named by KVALIDATE_KUSTOMIZE) and remembering where each built object and
// each of its fields was written: kustomize's origin annotations name the file an object came from, and
// the field path is found again in that file (or in the patch that set the field).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "render/kustomization.h"
#include "resources/resource.h"
#include "resources/result.h"

namespace kv::render {

struct Kustomize {
  std::vector<std::string> command;  // {kubectl, "kustomize"} or {kustomize, "build"}; the folder follows
  std::string source;                // "KVALIDATE_KUSTOMIZE", or where kubectl was found ("cache", "PATH", ...)
};

// KVALIDATE_KUSTOMIZE (a standalone kustomize) when set, else kubectl (kvalidate's own first, see
// find_tool). Unavailable (exit 3) saying how to get one when neither is found; InvalidInput when
// KVALIDATE_KUSTOMIZE names no executable.
Result<Kustomize> find_kustomize();

// A place in a file the user can open: `file` as displayed (relative to the working directory when under
// it, else absolute), 1-based line and column (0 = unknown).
struct SourceLocation {
  std::string file;
  int line = 0, column = 0;
};

// Where each built object came from; filled by build_kustomization(), read by locate_field().
struct OriginMap;

struct KustomizeBuild {
  // Every object of the build, in kustomize's order, without kustomize's build annotations (never sent to
  // the server, never reported). source.file: the file the object was written in (its origin; for a
  // generated object the kustomization that generated it), source.line: where it starts there.
  std::vector<Resource> resources;
  // A failed build: one result (kind kRender, title "kustomize build", status invalid) with kustomize's
  // message, on the kustomization file (and the line naming what failed, when one does).
  std::vector<ObjectResult> problems;
  std::shared_ptr<const OriginMap> origins;
};

// Builds the kustomization in `dir` with origin and transformer annotations switched on, without
// writing into the user's files: a temporary kustomization elsewhere lists `dir` as its one resource and
// asks for the annotations, so every relative path and load restriction of the user's tree is unchanged.
// Fails with InvalidInput (exit 2) when `dir` is not a kustomization, Unavailable when kustomize cannot run.
Result<KustomizeBuild> build_kustomization(const Kustomize& kustomize, const std::string& dir, const std::string& suite);

// The previous version of the kustomization in `dir`, for --upgrade-from `spec`: "git:REV" (the repository's
// tree at REV, read with git archive without touching the work tree: `dir`'s path in it, so ../base and
// other relative references resolve as they did then) or another kustomization folder.
struct OldKustomization {
  std::vector<Resource> resources;
  std::string label;  // for findings: "git:HEAD~1 (0123456789ab)", or the folder
};
// InvalidInput (exit 2), one line naming `spec`, when the revision or folder cannot be read or the old
// kustomization does not build; Unavailable when git or kustomize cannot run.
Result<OldKustomization> build_old_kustomization(const Kustomize& kustomize, const std::string& spec,
                                                 const std::string& dir);

// Where `field_path` ("spec.template.spec.containers[0].image") of the built object `r` is written: in
// the last patch that set it (the patch file, or the kustomization holding an inline patch), else in the
// object's origin file at the key (or its deepest existing ancestor, since a transformer may have added
// the field), else the object's first line there.
SourceLocation locate_field(const OriginMap& origins, const Resource& r, const std::string& field_path);

// The line, in the file `r` was written in, of line `built_line` of the built object (as its node marks
// and line_base count lines: risk rules and YAML defects name such lines): the field written on that line
// of the build found again in the origin file (or its deepest ancestor there), else the object's first
// line there. Patches are not looked into: the answer is a line of r.source.file.
int origin_line_of(const OriginMap& origins, const Resource& r, int built_line);

// Where a failed build's `message` (paths as displayed) points in the kustomization it failed in: a
// strategic-merge patch that matched nothing at its own `name:` (the patch file's, or the inline patch's
// in the kustomization); else the kustomization's line naming what the message quotes (a resource, a file
// source, a key it does not know) or an object it names by id (a replacement's source); else no line.
SourceLocation build_error_place(const std::string& kustomization_file, const std::string& message);

// `path` as kvalidate shows it: relative to the working directory when under it, else absolute.
std::string display_path(const std::string& path);

}  // namespace kv::render
