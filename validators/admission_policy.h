// Admission policies as the input writes them (ValidatingAdmissionPolicy, MutatingAdmissionPolicy and
// their bindings): which objects the policy phase applies for real (the policies, their bindings and
// the param objects the bindings name), and how a denial's message leads back to the validation that
// failed and the field of the judged object its expression reads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/resource.h"

namespace kv {

inline constexpr const char* kAdmissionGroup = "admissionregistration.k8s.io";

// ValidatingAdmissionPolicy or MutatingAdmissionPolicy of admissionregistration.k8s.io (any version).
bool is_admission_policy(const Resource& r);
// ValidatingAdmissionPolicyBinding or MutatingAdmissionPolicyBinding (any version).
bool is_admission_policy_binding(const Resource& r);

// One spec.validations[] entry of a ValidatingAdmissionPolicy.
struct PolicyCheck {
  std::string expression, message, message_expression;
};

struct AdmissionPolicy {
  std::string kind, name;
  std::string param_api_version, param_kind;    // spec.paramKind; "" when the policy takes no params
  std::vector<PolicyCheck> validations;         // empty for a MutatingAdmissionPolicy
  std::map<std::string, std::string> variables; // spec.variables: name → expression
};

struct ParamRef {
  std::string name, namespace_;  // name "" when the binding selects its params by label
  bool by_selector = false;
};

struct PolicyBinding {
  std::string kind, name, policy_name;
  std::vector<std::string> actions;  // spec.validationActions (Deny, Warn, Audit); empty for a mutating one
  std::optional<ParamRef> param_ref;
};

// The policy or binding `r` holds; nullopt when `r` is not one or its spec is not a map.
std::optional<AdmissionPolicy> read_policy(const Resource& r);
std::optional<PolicyBinding> read_binding(const Resource& r);

// The text to apply instead of binding `r` so that the server names *every* failing validation: the API
// server refuses a request at the first denial of any policy, but warns for each failing validation of
// a Warn binding. For a ValidatingAdmissionPolicyBinding whose validationActions are Deny, or Deny and
// Audit (each once), the same object with Warn in place of Deny (JSON); nullopt for any other object or
// actions (a binding the server refuses stays as it is written, to be judged as such).
std::optional<std::string> warn_in_place_of_deny(const Resource& r);

// Indices of the objects in `resources` that are param objects of a policy in `resources`: of the
// policy's paramKind and named by one of its bindings' paramRef (or, for a selector, any object of that
// kind in the binding's param namespace). Namespaced param objects without a namespace are taken to be
// in `default_namespace`.
std::vector<size_t> param_objects(const std::vector<Resource>& resources, const std::string& default_namespace);

// The field of the admitted object that a CEL expression reads first, as a field path:
//   "object.spec.replicas <= 5"                      → "spec.replicas"
//   "has(object.metadata.labels) && ..."             → "metadata.labels"
//   "object.spec.template.spec.containers.all(c, …)" → "spec.template.spec.containers"
//   "object.metadata.labels['app'] == 'x'"           → "metadata.labels[app]"
//   "object.?spec.?replicas.orValue(1) < 3"          → "spec.replicas"
// References to `variables.NAME` are followed through `variables` (one level per name, no loops).
// "" when the expression reads no field of `object` (oldObject, params and request are not the object).
std::string object_field_in(std::string_view expression,
                            const std::map<std::string, std::string>& variables = {});

// What a policy's refusal or warning says: which policy, through which binding, and its message.
struct PolicyDenial {
  std::string kind;     // "ValidatingAdmissionPolicy", or "" when the server says only "policy"
  std::string policy;
  std::string binding;  // "" when the server names none
  std::string message;  // the policy's message, messageExpression result or "failed expression: …"
};

// Reads a refusal: "… ValidatingAdmissionPolicy 'P' with binding 'B' denied request: M" (a Deny
// binding), or "policy 'P' with binding 'B' denied request: M" (a policy or binding that cannot be
// used, or a MutatingAdmissionPolicy that failed). nullopt for any other text.
std::optional<PolicyDenial> parse_policy_denial(std::string_view status_message);

// Reads a Warn binding's warning: "Validation failed for ValidatingAdmissionPolicy 'P' with binding 'B': M".
std::optional<PolicyDenial> parse_policy_warning(std::string_view warning);

// The validation of `policy` whose failure produced `message` (the text after "denied request: " or
// after the binding in a warning): its message, its expression quoted as "failed expression: E" or
// "expression 'E' ...", or else the only validation with a messageExpression. nullptr when none or
// more than one fit.
const PolicyCheck* check_of_message(const AdmissionPolicy& policy, std::string_view message);

// The field a policy's denial points at: one the message itself names ("object.spec.replicas" or
// "spec.replicas"), else the one the failing validation's expression reads. "" when neither tells.
std::string denial_field(const AdmissionPolicy* policy, std::string_view message);

}  // namespace kv
