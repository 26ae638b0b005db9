// What the admission-policy phase of a run (engine/batch.h) changes on a plane kvalidate owns, and undoes:
// the objects it applied for real, the Pod Security labels of the namespaces the run uses, and the probe
// objects that show when the server's admission holds it all (validators/policy_probe.h) — and, when it
// is undone, when the server no longer does.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "kube/transport.h"
#include "resources/resource.h"
#include "validators/admission_policy.h"
#include "validators/pod_security.h"
#include "validators/policy_probe.h"

namespace kv::engine {

// What a run changed on the plane for its policies, undone by undo() (and the destructor).
class PolicyScope {
 public:
  PolicyScope(kube::Transport& transport, std::string run_id, int jobs)
      : transport_(transport), run_id_(std::move(run_id)), jobs_(jobs) {}
  ~PolicyScope() { undo(); }
  PolicyScope(const PolicyScope&) = delete;
  PolicyScope& operator=(const PolicyScope&) = delete;

  const std::string& run_id() const { return run_id_; }

  // Records an object the run applied for real (its API path), to delete at the end.
  void applied(std::string path) { applied_.push_back(std::move(path)); }

  // Gives each namespace in `namespaces` the Pod Security labels of `level` that it does not set itself
  // (`own_labels`: the labels of namespaces defined in the input; the others are read from the server).
  // Fills `enforced` (namespace → policy it enforces) for every namespace in `namespaces`, labelled or
  // not, and returns the namespaces whose new labels refuse pods (to probe). Unavailable when the server
  // does not answer; a namespace that cannot be labelled is an Internal error naming it.
  Result<std::vector<std::string>> label_namespaces(const std::optional<PodSecurityLevel>& level,
                                                    const std::vector<std::string>& namespaces,
                                                    const std::map<std::string, YAML::Node>& own_labels,
                                                    std::map<std::string, std::string>& enforced);

  // Applies the probe's objects for real, then sends `checks` until each is answered as it expects, at
  // most `timeout`. Unavailable naming what was not in force in time.
  Status await(const PolicyProbe& probe, const std::vector<ProbeCheck>& checks, std::chrono::milliseconds timeout);

  // Deletes what the run applied (newest first; the probe's objects last) and removes the labels it
  // set, then waits (at most `timeout`) until the probes show none of it in force any more: the server's
  // informers drop deleted policies a moment later, and the next run must not see them. Idempotent. A
  // failure leaves objects behind (the message names them).
  Status undo(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  kube::Transport& transport_;
  std::string run_id_;
  int jobs_;
  // Sends `checks` until every one is answered as it expects (`in_force`) or no longer is (!in_force).
  Status wait_for(const std::vector<ProbeCheck>& checks, bool in_force, std::chrono::milliseconds timeout);

  std::vector<std::string> applied_;     // API paths, in the order applied
  std::vector<std::string> probes_;      // API paths of the probe's objects, in the order applied
  std::vector<ProbeCheck> checks_;       // the probe's checks, to see the removal take effect
  std::vector<std::string> labelled_;    // namespaces
};

// The ValidatingAdmissionPolicies installed on the server, by name (to find the field a refusal by one of
// them names); empty when they cannot be listed.
std::map<std::string, AdmissionPolicy> installed_validating_policies(kube::Transport& transport);

// A run id for probes and records: "<pid>-<time>".
std::string new_run_id();

}  // namespace kv::engine
