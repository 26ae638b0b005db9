// Judging one batch of objects on the API server: plan (engine/plan.h), then send phase after phase
// (engine/submit.h) and judge every answer (engine/judge.h). On an owned plane the input's CRDs are
// applied for real and awaited, then its Namespaces and the namespaces its objects use are created for
// real, through the run's scope (engine/run_scope.h: recorded, labelled with the run's id, removed when
// the batch is judged; the plane's own objects are left alone, other runs' CRDs are not seen), then its
// admission policies, bindings and params are applied for real, the namespaces get their Pod Security
// labels, and the run waits until the server enforces them (removed again when the batch ends); everything
// else is a server-side apply with dryRun=All and fieldValidation=Strict. An object the server could not
// decode entirely is submitted again without the fields it could not read, to find its other defects
// (engine/passes.h). On an external cluster nothing is created: an object whose namespace or CRD is
// missing there is skipped. A CRD the run applied in an earlier batch (RunCrds) is not applied again; one
// in the plane's CRD pool with the same text is adopted (engine/crd_pool.h).
// An object whose server-side apply RBAC refuses (no "patch") is judged as kubectl apply --dry-run=server
// would: a GET, then a dry-run create or update.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/crd_pool.h"
#include "engine/namespace_pool.h"
#include "engine/plan.h"
#include "engine/result_cache.h"
#include "engine/results.h"
#include "engine/upgrade.h"
#include "engine/run_scope.h"
#include "kube/discovery.h"
#include "kube/transport.h"
#include "resources/resource.h"
#include "resources/result.h"
#include "validators/pod_security.h"

namespace kv::engine {

struct BatchOptions {
  std::string default_namespace = "default";  // for namespaced objects without metadata.namespace
  PlaneKind plane = PlaneKind::kExternal;
  int jobs = 16;
  bool warnings_as_errors = false;
  std::string suite;                          // copied into each result ("" → the object's file)
  std::string field_manager = "kvalidate";
  LocateFn locate;                            // where a field is; null = the object's first line
  RunCrds* run_crds = nullptr;                // the CRDs the run applied so far: used by the plan, and
                                              // extended with those this batch applies (null = none)
  // An upgrade check (owned plane only): the old version, applied into a scratch set recorded in
  // `state_dir`; see engine/upgrade.h. Null = none.
  const UpgradeFrom* upgrade = nullptr;
  std::string state_dir;
  bool full_plane = false;
  RunScope* scope = nullptr;                  // owned plane: creates for real through it (null: unscoped)
  const ResultCache* results = nullptr;       // verdicts kept between runs (engine/result_cache.h); null:
                                              // every object is asked
  std::string world;                          // with `results`: the server's and the settings' part of the
                                              // world the verdicts depend on (the batch adds its own)
  // With a scope: the plane's CRDs as the run read them (metadata), shared by its batches; read when
  // empty and whenever discovery is read again. Null: read by every batch.
  std::optional<std::map<std::string, LabelledCrd>>* plane_crds = nullptr;
  bool crd_pool = false;                      // with a scope: adopt CRDs from the plane's CRD pool in
                                              // `state_dir` (engine/crd_pool.h) and name those to pool
  bool namespace_pool = false;                // with a scope: adopt namespaces from the plane's namespace pool
                                              // (engine/namespace_pool.h) and name those to pool
  int max_passes = 6;                         // submissions of an object the server cannot decode entirely
  size_t cluster_objects = 0;                 // the last N resources are the cluster's own (--policies):
                                              // applied for real with the policies, not input
  std::optional<PodSecurityLevel> pod_security;  // --pod-security: namespaces without their own labels
  bool describe_mutations = false;            // -v: info findings of what mutating policies would change
  std::chrono::milliseconds policy_wait = std::chrono::seconds(30);  // for the server to enforce policies
};

struct BatchOutcome {
  std::vector<ObjectResult> results;  // one per input resource, in input order
  Status fatal;                       // not ok when the plane was lost (exit 3); the objects not judged
                                      // then are errors ("server/unavailable")
  std::vector<PooledCrd> poolable;    // with crd_pool: the CRDs this batch created for real that the server
                                      // accepted with no finding and served (uid not filled in)
  std::map<std::string, std::string> poolable_namespaces;  // with namespace_pool: the namespaces this batch
                                                         // made for real, accepted with no finding → the
                                                         // digest of the text each was made from
  int cached = 0;                     // objects whose verdict came from the result cache
};

// A fresher discovery when the plan finds a kind that nothing serves, or when the server answers a bare
// 404 for a kind the discovery lists (the cached one may be stale: a CRD deleted since); nullptr when
// there is nothing fresher. Called at most twice per batch.
using RefreshDiscovery = std::function<const kube::Discovery*()>;

// Judges every object of `resources`; once more, planned with refresh()'s discovery, when an object's
// kind turns out not to be served any more. Never throws. `on_result` (optional) sees each result as it is
// decided (for progress).
BatchOutcome run_batch(kube::Transport& transport, const kube::Discovery& discovery,
                       const RefreshDiscovery& refresh, const std::vector<Resource>& resources,
                       const BatchOptions& opts, const std::function<void(const ObjectResult&)>& on_result = {});

}  // namespace kv::engine
