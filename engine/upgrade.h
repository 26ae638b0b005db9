// The upgrade check of one batch (`kvalidate chart NEW --upgrade-from OLD`): every object of the new
// version that the old version has too, and that changed, is dry-run as an update of the old one, which
// is applied for real into a scratch set on kvalidate's own plane (engine/scratch.h) first and removed
// afterwards. Refusals only an upgrade meets (immutable fields, forbidden spec changes) become findings of
// the new object at the field's line (engine/upgrade_judge.h).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "engine/plan.h"
#include "engine/results.h"
#include "kube/discovery.h"
#include "kube/transport.h"
#include "resources/resource.h"
#include "resources/result.h"

namespace kv::engine {

// The old version of a batch's objects and where it came from.
struct UpgradeFrom {
  std::vector<Resource> resources;  // rendered like the new ones (same values)
  std::string label;                // for messages: "git:HEAD~1", "charts/web-1.2.0.tgz"
};

struct UpgradeOptions {
  std::string state_dir;            // the owned plane's (upgrade-runs/ records live there)
  bool full_plane = false;
  std::string default_namespace = "default";
  int jobs = 16;
  LocateFn locate;                  // where a field of a new object is
};

// One pair to check: the old and new object with the same kind, namespace and name.
struct UpgradePair {
  size_t old_index = 0, new_index = 0;
  Target target;                    // where both go in the input (before the scratch renaming)
};

// The refusal of --upgrade-from on an existing cluster (Usage, exit 2): the old version is applied for
// real, which kvalidate never does there.
Status upgrade_refused_on_external();

// The pairs worth checking (pure): objects of both versions with the same group, kind, namespace and
// name whose content differs, that the server serves, whose new version `checkable(new_index)` (it
// passed the fresh dry-run), and that a scratch set can hold: namespaced kinds, and of the cluster-scoped
// ones only those that change nothing for other users of the plane (RBAC roles and bindings, storage,
// priority, ingress and runtime classes, persistent volumes). Namespaces and CRDs are never applied.
std::vector<UpgradePair> upgrade_pairs(const std::vector<Resource>& old_res, const std::vector<Resource>& new_res,
                                       const kube::Discovery& discovery, const std::string& default_namespace,
                                       const std::function<bool(size_t)>& checkable);

// `r`'s body as JSON, moved into the scratch set `id`: metadata.namespace set to the scratch namespace
// (namespaced kinds) or metadata.name to the scratch name (cluster-scoped ones).
std::string scratch_body(const Resource& r, const Target& t, const std::string& id);

// Runs the check and adds its findings to `results` (one per new resource; a valid result with an
// upgrade defect becomes invalid). Unavailable when the plane is lost; the scratch set is removed in
// every case.
Status check_upgrade(kube::Transport& transport, const kube::Discovery& discovery, const std::vector<Resource>& new_res,
                     std::vector<ObjectResult>& results, const UpgradeFrom& from, const UpgradeOptions& opts);

}  // namespace kv::engine
