// Where the objects of a kustomize build were written: the origin file of each (from kustomize's
// `config.kubernetes.io/origin` annotation), the document inside it, and the patches that may have set
// its fields (those of the kustomizations named by `alpha.config.kubernetes.io/transformations`).
// Internal to render/kustomize.cpp; a header of its own so that the mapping is unit-tested.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "render/kustomization.h"
#include "render/kustomize.h"
#include "resources/resource.h"

namespace kv::render {

struct ObjectOrigin {
  std::string file;                         // absolute; "" when not local (a remote base)
  std::string display;                      // as shown: display_path(file), or "repo//path" for a remote one
  std::shared_ptr<const Resource> written;  // the object as written in `file` (with positions), or null
  int generated_line = 0;                   // generated objects: the line of their generator
  std::shared_ptr<const Kustomization> generated_in;  // generated objects: the kustomization of the generator
  std::vector<KustomizePatch> patches;      // patches that target the object, in the order they ran
  // The kustomizations whose built-in transformers (labels, annotations, namespace, name prefix and
  // suffix, replicas, images) ran over the object, innermost first.
  std::vector<std::shared_ptr<const Kustomization>> transformed_by;
};

struct OriginMap {
  std::map<std::string, ObjectOrigin> objects;  // by origin_key() of the built object
};

// "group/Kind/namespace/name" of a built object: unique within one build.
std::string origin_key(const Resource& r);

// Files and kustomizations read while resolving one build (each read once).
struct OriginReader {
  std::string build_root;  // absolute folder the annotations' paths are relative to
  std::map<std::string, std::vector<Resource>> files;     // absolute path → its objects
  std::map<std::string, std::shared_ptr<Kustomization>> kustomizations;  // by folder; null when unreadable

  const std::vector<Resource>& objects_of(const std::string& file);
  const Kustomization* kustomization(const std::string& dir);
  std::shared_ptr<const Kustomization> shared_kustomization(const std::string& dir);
};

// The origin of `built` from its annotations (the YAML texts of `config.kubernetes.io/origin` and
// `alpha.config.kubernetes.io/transformations`, "" when absent).
ObjectOrigin resolve_origin(OriginReader& reader, const Resource& built, const std::string& origin_text,
                            const std::string& transformations_text);

// True when `patch` selects `built` (kind, group, version; the name as kustomize's regular expression, or
// contained in the built name, which prefixes and suffixes of outer kustomizations may have lengthened).
bool patch_targets(const KustomizePatch& patch, const Resource& built);

// True when `patch`, given a `target:` by kind or name (not by labels or annotations), selects no object
// of the build (patch_targets): kustomize then applies it to nothing, silently. False when in doubt.
bool targets_nothing(const KustomizePatch& patch, const std::vector<Resource>& built);

// The 1-based line of `field_path` in `patch` when the patch sets that field of `built_tree` (a strategic
// merge patch holding the key, list items matched by their merge key; a JSON patch operation adding or
// replacing the field or a parent of it); 0 when it does not. Then `item_line` (when given) is set to the
// line of the deepest list item of the path a strategic-merge patch holds (matched by merge key: the
// patch may have added that item, without the field), else 0.
int patch_line_for(const KustomizePatch& patch, const YAML::Node& built_tree, const std::string& field_path,
                   int* item_line = nullptr);

// The 1-based line in kustomization `k`'s file of the built-in transformer entry that set `field_path` of
// `built` to the value it has: a `labels:` pair or `commonLabels` entry (a labels map's entry, selectors
// and templates included), a `commonAnnotations` entry, `namespace:`, a `namePrefix`/`nameSuffix` holding
// what a name may not, a `replicas:` entry's count, an `images:` entry's newTag, newName or digest. 0 when
// none did.
int transformer_line_for(const Kustomization& k, const Resource& built, const std::string& field_path);

// Where a generator wrote a key: `file` "" for the kustomization itself, else an env file (absolute).
struct GeneratedKey {
  std::string file;
  int line = 0;
};

// For a ConfigMap or Secret a generator of `k` made: the 1-based line of the `literals` item ("K=v") or
// `files` item ("K=path", or a path named K) that made the key of `field_path` ("data[K]"), or of its
// KEY=value line in an `envs` file; line 0 otherwise.
GeneratedKey generated_key_line(const Kustomization& k, const Resource& built, const std::string& field_path);

}  // namespace kv::render
