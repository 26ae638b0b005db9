// Judging one batch of objects on the API server: plan (engine/plan.h), then send phase after phase
// (engine/submit.h) and judge every answer (engine/judge.h). On an owned plane the input's CRDs are
// applied for real and awaited, then its Namespaces and the namespaces its objects use are created for
// real (labelled kvalidate.io/managed=true); everything else is a server-side apply with dryRun=All and
// fieldValidation=Strict. On an external cluster nothing is created: an object whose namespace or CRD is
// missing there is skipped, and an object whose server-side apply RBAC refuses (no "patch") is judged as
// kubectl apply --dry-run=server would: a GET, then a dry-run create or update.
#pragma once

#include <functional>
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

struct BatchOptions {
  std::string default_namespace = "default";  // for namespaced objects without metadata.namespace
  PlaneKind plane = PlaneKind::kExternal;
  int jobs = 16;
  bool warnings_as_errors = false;
  std::string suite;                          // copied into each result ("" → the object's file)
  std::string field_manager = "kvalidate";
  LocateFn locate;                            // where a field is; null = the object's first line
};

struct BatchOutcome {
  std::vector<ObjectResult> results;  // one per input resource, in input order
  Status fatal;                       // not ok when the plane was lost (exit 3); the objects not judged
                                      // then are errors ("server/unavailable")
};

// A fresher discovery when the plan finds a kind that nothing serves (the cached one may be stale), or
// nullptr. Called at most once per batch.
using RefreshDiscovery = std::function<const kube::Discovery*()>;

// Judges every object of `resources`. Never throws. `on_result` (optional) sees each result as it is
// decided (for progress).
BatchOutcome run_batch(kube::Transport& transport, const kube::Discovery& discovery,
                       const RefreshDiscovery& refresh, const std::vector<Resource>& resources,
                       const BatchOptions& opts, const std::function<void(const ObjectResult&)>& on_result = {});

}  // namespace kv::engine
