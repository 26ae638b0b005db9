// Pod Security admission as kvalidate uses it: the --pod-security level, the namespace labels that set
// it, and the real admission plugin's "violates PodSecurity" messages turned into one violation per
// check, each with the field of the judged object it names.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"

namespace kv {

inline constexpr const char* kPodSecurityEnforce = "pod-security.kubernetes.io/enforce";
inline constexpr const char* kPodSecurityEnforceVersion = "pod-security.kubernetes.io/enforce-version";
inline constexpr const char* kPodSecurityWarn = "pod-security.kubernetes.io/warn";
inline constexpr const char* kPodSecurityWarnVersion = "pod-security.kubernetes.io/warn-version";

struct PodSecurityLevel {
  std::string level;              // privileged, baseline or restricted
  std::string version = "latest"; // "latest" or "v1.N"
  // "restricted:latest": how the admission plugin names the policy in its messages.
  std::string policy() const { return level + ":" + version; }
};

// Parses "LEVEL[:VERSION]" (restricted, baseline:v1.30, privileged:latest). Usage error naming the
// accepted forms otherwise (the caller names the flag or key).
Result<PodSecurityLevel> parse_pod_security_level(std::string_view text);

// The labels a namespace gets for `level` during a run, given its own `labels` (a map, or Null): enforce
// and warn with their versions, for each mode whose label the namespace does not set itself (as the
// plugin's cluster-wide defaults apply). Warn makes the plugin report a workload's pod template too.
std::map<std::string, std::string> pod_security_labels(const PodSecurityLevel& level, const YAML::Node& labels);

// The policy a namespace with `labels` enforces ("restricted:latest"), or "" when it sets none.
std::string enforced_policy(const YAML::Node& labels);

struct PodSecurityViolation {
  std::string text;   // one check: `privileged (container "x" must not set securityContext.privileged=true)`
  std::string field;  // the field it names: "spec.containers[name=x].securityContext.privileged"; "" unknown
};

struct PodSecurityVerdict {
  bool refused = false;  // "violates" (the request was refused) rather than "would violate" (a warning)
  std::string policy;    // "restricted:latest"
  std::vector<PodSecurityViolation> violations;
};

// Reads a Pod Security message or warning (`violates PodSecurity "P": ...`, `would violate ...`).
// `object` is the judged object's tree and `kind` its kind: they tell where the pod spec is (Pod,
// workloads' templates, CronJob) and which container list holds a named container. nullopt when the
// text is not a Pod Security verdict.
std::optional<PodSecurityVerdict> parse_pod_security(std::string_view text, const YAML::Node& object,
                                                     std::string_view kind);

// Where the pod spec of an object of `kind` is: "spec" for a Pod, "spec.template.spec" for workloads,
// "template.spec" for a PodTemplate, "spec.jobTemplate.spec.template.spec" for a CronJob.
std::string pod_spec_path(std::string_view kind);

}  // namespace kv
