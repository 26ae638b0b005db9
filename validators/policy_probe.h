// Probes that tell when the API server's admission policies hold what a run applied. The server reads
// policies, bindings and param objects through informers (the policy set is rebuilt about once a
// second), so an object applied for real is not in force at once. A probe is one more policy and
// binding, applied after the run's own, that refuses (or, for mutating policies, changes) only a marker
// ConfigMap labelled with the probe's id: once a dry-run of the marker shows it, the informers have
// everything applied before it (each informer's watch delivers objects in the order they were written).
// Param objects get a probe each: a policy whose binding names that object and refuses the marker only
// when the object is found. Pod Security gets a marker Pod per labelled namespace.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "kube/transport.h"

namespace kv {

// A param object a probe waits for: the last one of its kind that the run applied.
struct ParamTarget {
  std::string api_version, kind, name, namespace_;  // namespace_ "" for a cluster-scoped kind
  bool mutating = false;  // used by a MutatingAdmissionPolicy (its own informers)
};

// An object the probe applies for real (and the run removes at the end).
struct ProbeObject {
  std::string path;   // "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/NAME"
  YAML::Node object;  // the whole object
};

// One question to the server: the dry-run request of a marker, and what its answer must show.
struct ProbeCheck {
  kube::Request request;
  enum class Expect { kRefusedByPolicy, kMutated, kRefusedByPodSecurity } expect = Expect::kRefusedByPolicy;
  std::string policy;  // the probe policy that must answer (kRefusedByPolicy)
  std::string what;    // for messages: "the validating policies", "param ConfigMap platform/limits", ...
};

struct PolicyProbe {
  std::vector<ProbeObject> objects;  // policies, then bindings: apply in this order, after the run's own
  std::vector<ProbeCheck> checks;
};

// The probe of a run whose id is `id` (lower-case letters, digits, '-'): always one for the validating
// policies; one for the mutating policies when `mutating`; one per param target. Markers are dry-run
// in `marker_namespace`.
PolicyProbe make_policy_probe(const std::string& id, bool mutating, const std::vector<ParamTarget>& params,
                              const std::string& marker_namespace);

// The check that `namespace_` enforces a Pod Security level that refuses a pod in the host's network
// (baseline and restricted do): a dry-run create of a marker Pod.
ProbeCheck pod_security_check(const std::string& id, const std::string& namespace_);

// True when `resp` is the answer `check` waits for.
bool probe_answered(const ProbeCheck& check, const kube::Response& resp);

// The plural resource of a policy kind ("ValidatingAdmissionPolicyBinding" → "validatingadmissionpolicybindings").
std::string policy_resource(const std::string& kind);

}  // namespace kv
