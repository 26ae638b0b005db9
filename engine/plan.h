// Planning one batch of objects: a pure function (no I/O) of the input, the server's discovery and the
// kind of plane. It decides where each object goes, which phase sends it, and which objects are judged
// here without asking the server. Decisions that need an answer from the server (a CRD that did not
// apply, a namespace that does not exist) are pure functions too, given that answer.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kube/discovery.h"
#include "resources/resource.h"
#include "resources/result.h"
#include "validators/policy_probe.h"

namespace kv::engine {

// An owned plane (started by kvalidate) may get CRDs and namespaces created for real; on an external
// cluster nothing is created.
enum class PlaneKind { kOwned, kExternal };

// Where one object goes on the server.
struct Target {
  Target(kube::ApiResource a, std::string ns)
      : resource(std::make_shared<const kube::ApiResource>(std::move(a))), namespace_(std::move(ns)) {}
  Target(std::shared_ptr<const kube::ApiResource> a, std::string ns) : resource(std::move(a)), namespace_(std::move(ns)) {}
  const kube::ApiResource& api() const { return *resource; }

  std::shared_ptr<const kube::ApiResource> resource;  // shared by the plan's objects of one kind
  std::string namespace_;  // "" for cluster-scoped kinds; else metadata.namespace or the default
};

// An object judged without asking the server. Its findings are not located yet (line 0).
struct Verdict {
  size_t index = 0;             // into the input
  ObjectStatus status = ObjectStatus::kInvalid;
  std::string namespace_;       // shown in the result when the object names none ("" = leave it so)
  std::vector<Finding> findings;
};

// Objects sent together, many in flight, after the phase before has been answered.
struct Phase {
  std::vector<size_t> objects;  // input indices of objects no verdict decided
  bool for_real = false;        // applied for real (on an owned plane), else dry-run
};

struct Plan {
  std::vector<std::optional<Target>> targets;  // per input object; unset when no served kind matches
  std::vector<Verdict> verdicts;               // unknown kinds, apiVersions not served, bad Secrets
  bool unresolved = false;                     // some kind matched nothing (a fresher discovery may help)

  // The phases, sent in this order.
  Phase crds;                        // CustomResourceDefinitions (awaited until Established when for real)
  Phase namespaces;                  // Namespaces
  bool create_missing_namespaces = false;  // create those the rest needs and the cluster lacks (owned plane)
  // Admission policies (owned plane): applied for real before the rest, in this order — the param objects
  // their bindings name (and everything from --policies that is no CRD or Namespace), the policies, the
  // bindings — and awaited until the server enforces them (engine/policy_scope.h). On an external
  // cluster they are in `rest`: dry-run like any object.
  Phase policy_params, policies, policy_bindings;
  bool mutating_policies = false;    // a MutatingAdmissionPolicy is among `policies`
  // The RBAC objects others depend on (phase 4) get their own phase here when they are applied for real.
  Phase rest;                        // everything else: always dry-run
  std::vector<size_t> awaiting_crd;  // in `rest`: kinds served only once a CRD of the input is applied

  // The objects sent after the namespaces: the policy phases' and the rest, in that order.
  std::vector<size_t> after_namespaces() const;
};

// The CustomResourceDefinitions a run has applied for real (an owned plane) and seen Established: from
// --crds, or from an earlier batch of the run (the values files of one chart share its crds/). Later
// batches neither apply the same CRD again nor wait for it.
struct RunCrds {
  std::map<std::string, kube::ApiResource> served;  // "group/version/Kind" → what the applied CRDs serve
  std::map<std::string, size_t> applied;            // CRD name → hash of the text that was applied

  // Records `crd` (applied for real and served now).
  void add(const Resource& crd);
  // True when `crd` was applied earlier in the run with the same text.
  bool has(const Resource& crd) const;
  // Forgets the CRD named `name` and the kinds it serves.
  void forget(const std::string& name);
};

// Of the CRDs in `applied`, those that `next` (the run's next batch) or `always` (--crds) hold with the
// same text: what may stay on the plane for the next batch, which would apply them again. The others must
// go, so that every batch sees the plane's baseline plus its own input only.
RunCrds crds_kept(const RunCrds& applied, const std::vector<Resource>& next, const std::vector<Resource>& always);

// Plans `resources` against `discovery` and the CRDs the run has applied (`run_crds`). Namespaced objects
// without metadata.namespace go to `default_namespace`. `cluster` marks the objects that are the cluster's
// own (--policies), not input (empty: none). Never fails: what cannot be sent becomes a verdict.
// A CRD the run applied before with the same text is valid without being sent again. A kind nothing
// serves is invalid on an owned plane; on an external cluster (which kvalidate does not change) it is
// skipped, saying so, unless another apiVersion of the kind is served there.
Plan plan_batch(const std::vector<Resource>& resources, const kube::Discovery& discovery, PlaneKind plane,
                const std::string& default_namespace, const RunCrds& run_crds = {},
                const std::vector<bool>& cluster = {});

// The param objects the policy phase's probe waits for: of each (apiVersion, kind) that a policy in
// `resources` takes as paramKind, the last of `applied` (input indices) of that kind.
std::vector<ParamTarget> param_targets(const Plan& plan, const std::vector<Resource>& resources,
                                       const std::vector<size_t>& applied);

// What a CustomResourceDefinition in the input serves once applied (served versions only).
std::vector<kube::ApiResource> served_by_crd(const Resource& crd);
bool is_crd(const Resource& r);
bool is_namespace(const Resource& r);

// After the CRD phase. `failed_kinds` maps "group/Kind" of every input CRD the server found invalid to
// where that CRD is ("file:line"). Objects awaiting such a CRD are skipped, naming it; on an external
// cluster every object awaiting a CRD is.
std::vector<Verdict> skips_after_crds(const Plan& plan, const std::vector<Resource>& resources,
                                      const std::map<std::string, std::string>& failed_kinds, PlaneKind plane);

// The namespaces that the objects at `remaining` go to and that are not in `existing`.
std::set<std::string> missing_namespaces(const Plan& plan, const std::vector<size_t>& remaining,
                                         const std::set<std::string>& existing);

// After the namespace phase: the objects at `remaining` whose namespace is not in `existing` are
// skipped. None when `existing` is empty (the namespaces could not be listed: let the server judge).
// Those whose namespace the server refused to make as invalid (`invalid`: name → its words) are invalid
// instead, at metadata.namespace: the object names a namespace that cannot exist.
std::vector<Verdict> skips_after_namespaces(const Plan& plan, const std::vector<Resource>& resources,
                                            const std::vector<size_t>& remaining,
                                            const std::set<std::string>& existing, PlaneKind plane,
                                            const std::map<std::string, std::string>& invalid = {});

}  // namespace kv::engine
