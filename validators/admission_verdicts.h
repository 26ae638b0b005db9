// Admission verdicts in the API server's answer as findings: a refusal by a ValidatingAdmissionPolicy
// (rule admission/<policy>, at the field its message or failing validation names), by Pod Security (rule
// admission/pod-security, one finding per check at its field), a Warn binding's warning, and Pod
// Security's warning about a workload's pod template (an error where the namespace enforces that level:
// the pods would be refused).
#pragma once

#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "resources/resource.h"
#include "validators/admission_policy.h"
#include "resources/result.h"

namespace kv {

struct AdmissionContext {
  std::map<std::string, AdmissionPolicy> validating;  // the run's ValidatingAdmissionPolicies, by name
  std::map<std::string, std::string> enforced;        // namespace → Pod Security policy it enforces
                                                      // ("restricted:latest"); absent: none
  std::set<std::string> denying_bindings;  // bindings applied with Warn in place of Deny
                                           // (warn_in_place_of_deny): their warnings are refusals
};

// The ValidatingAdmissionPolicies among `resources`, by name.
std::map<std::string, AdmissionPolicy> validating_policies(const std::vector<Resource>& resources);

// One finding, not located yet: `path` is the field path to locate.
struct AdmissionFinding {
  Severity severity = Severity::kError;
  std::string rule, message, path;
};

// The findings of a refusal whose Status message is `message`, for object `r` in namespace `ns`;
// nullopt when the refusal is not by a policy or by Pod Security.
std::optional<std::vector<AdmissionFinding>> refusal_findings(const std::string& message, const Resource& r,
                                                              const AdmissionContext& ctx);

// The findings of one Warning header's text; nullopt when it is not from a policy or Pod Security.
// Warnings are errors with `warnings_as_errors`, and Pod Security's where `ns` enforces that policy.
std::optional<std::vector<AdmissionFinding>> warning_findings(const std::string& warning, const Resource& r,
                                                              const std::string& ns, const AdmissionContext& ctx,
                                                              bool warnings_as_errors);

}  // namespace kv
