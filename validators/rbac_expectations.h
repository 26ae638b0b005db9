// RBAC expectations: a YAML file of "this subject may / may not do that" statements (--rbac FILE), and
// their evaluation with SubjectAccessReviews. On a plane kvalidate owns, the input's ServiceAccounts,
// Roles, ClusterRoles and bindings are applied for real for the duration of the check (serialized
// between concurrent runs by a lock in the plane's state dir) and removed again afterwards.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "resources/resource.h"
#include "validators/result.h"

namespace kv {

struct Expectation {
  std::string user;                 // "as:"
  std::vector<std::string> groups;  // "groups:" (optional); impersonation_groups() adds the implied ones
  bool allow = true;                // from allow: or deny:
  std::string verb;
  std::string resource;             // as written, without ".group" ("pods"); resolved by check_expectations
  std::string group;                // as written ("apps" from "deployments.apps" or group:), or resolved
  bool group_given = false;         // the user named the group
  std::string subresource, name;
  std::string namespace_;           // "" = default (see docs/rbac.md); "*" = all namespaces
  std::string text;                 // the statement as written, for messages
  std::string file;
  int line = 0, column = 0;
  bool cluster_scoped = false;      // set by check_expectations
};

// Parses an expectations file (format in docs/rbac.md). Errors are InvalidInput naming file:line.
Result<std::vector<Expectation>> load_expectations(const std::string& path);
// Same, from text already read (`file` names it in messages and results).
Result<std::vector<Expectation>> parse_expectations(const std::string& text, const std::string& file);
// Same, from the `expectations:` value of another document (a config file); marks give the lines.
Result<std::vector<Expectation>> parse_expectations_node(const YAML::Node& list, const std::string& file);

// Resolves every expectation's resource against what the server serves: fills group (preferred group
// when not given), cluster_scoped, and the namespace default. InvalidInput naming file:line for a
// resource or subresource that is not served.
Status check_expectations(std::vector<Expectation>& exps, const kube::Discovery& discovery);

// "system:serviceaccount:demo:app list pods in demo" (also names group, subresource, object).
std::string expectation_title(const Expectation& e);

struct EvalOptions {
  bool owned_plane = false;          // apply the input's RBAC objects for real; else only ask
  std::string state_dir;             // the plane's state dir (controlplane::state_dir; "" = the default one):
                                     // holds the lock file rbac.lock
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

// Checks every expectation; `exps` need not have been through check_expectations (it is called here).
// On an owned plane: takes the lock, sweeps leftovers of crashed runs, creates the input's namespaces
// (labelled kvalidate.io/managed=true) and applies its RBAC objects (server-side apply, field manager
// kvalidate-rbac), waits until the authorizer sees them, asks, deletes them, releases the lock.
// Objects that already exist on the plane and are not kvalidate's are used as they are, never changed.
EvalOutcome evaluate_expectations(kube::Client& client, const kube::Discovery& discovery,
                                  const std::vector<Resource>& input, std::vector<Expectation> exps,
                                  const EvalOptions& opts);

}  // namespace kv
