// Checking RBAC expectations (validators/expectation.h) with SubjectAccessReviews. On a plane kvalidate
// owns, the input's ServiceAccounts, Roles, ClusterRoles and bindings are applied for real for the duration of the check (serialized
// between concurrent runs by a lock in the plane's state dir) and removed again afterwards.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"
#include "kube/transport.h"
#include "kube/discovery.h"
#include "resources/resource.h"
#include "resources/result.h"
#include "validators/expectation.h"

namespace kv {

// Resolves every expectation's resource against what the server serves: fills group (preferred group
// when not given), cluster_scoped, and the namespace default. InvalidInput naming file:line for a
// resource or subresource that is not served.
Status check_expectations(std::vector<Expectation>& exps, const kube::Discovery& discovery);

struct EvalOptions {
  bool owned_plane = false;          // apply the input's RBAC objects for real; else only ask
  std::string state_dir;             // the plane's state dir (controlplane::state_dir), which holds the lock
                                     // file rbac.lock; required on an owned plane
  std::string default_namespace = "default";  // for namespaced input objects without metadata.namespace
  std::string suite;                 // copied into each result
  std::string cluster_name;          // for the "checked against …" note on external clusters
  int jobs = 16;
  std::chrono::milliseconds lock_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds sync_timeout{std::chrono::seconds(20)};
};

struct EvalOutcome {
  std::vector<ObjectResult> results;  // one per expectation, in order (kind kRbacExpectation)
  Status fatal;                       // not ok: infrastructure failure (exit 3) or bad expectations (exit 2)
};

// Checks every expectation; `exps` have been through check_expectations.
// On an owned plane: takes the lock, sweeps leftovers of crashed runs, creates the input's namespaces
// (labelled kvalidate.io/managed=true) and applies its RBAC objects (server-side apply, field manager
// kvalidate-rbac), waits until the authorizer sees them, asks, deletes them, releases the lock.
// Objects that already exist on the plane and are not kvalidate's are used as they are, never changed.
EvalOutcome evaluate_expectations(kube::Transport& client, const std::vector<Resource>& input,
                                  const std::vector<Expectation>& exps, const EvalOptions& opts);

}  // namespace kv
