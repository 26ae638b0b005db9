#include "validators/admission_verdicts.h"

#include "resources/loader.h"
#include "validators/pod_security.h"

namespace kv {

namespace {

constexpr const char* kPodSecurityRule = "admission/pod-security";

const AdmissionPolicy* find_policy(const AdmissionContext& ctx, const std::string& name) {
  auto it = ctx.validating.find(name);
  return it == ctx.validating.end() ? nullptr : &it->second;
}

std::string described(const PolicyDenial& d) {
  std::string who = (d.kind.empty() ? "policy" : d.kind) + " '" + d.policy + "'";
  if (!d.binding.empty()) who += " (binding '" + d.binding + "')";
  return who + ": " + d.message;
}

std::vector<AdmissionFinding> pod_security_findings(const PodSecurityVerdict& v, Severity sev,
                                                    const std::string& tail = "") {
  std::vector<AdmissionFinding> out;
  std::string lead = (v.refused ? "violates PodSecurity \"" : "would violate PodSecurity \"") + v.policy + "\": ";
  for (const auto& check : v.violations) out.push_back({sev, kPodSecurityRule, lead + check.text + tail, check.field});
  return out;
}

}  // namespace

std::map<std::string, AdmissionPolicy> validating_policies(const std::vector<Resource>& resources) {
  std::map<std::string, AdmissionPolicy> out;
  for (const auto& r : resources)
    if (r.kind == "ValidatingAdmissionPolicy")
      if (auto p = read_policy(r)) out[p->name] = std::move(*p);
  return out;
}

std::optional<std::vector<AdmissionFinding>> refusal_findings(const std::string& message, const Resource& r,
                                                              const AdmissionContext& ctx) {
  if (auto d = parse_policy_denial(message)) {
    const AdmissionPolicy* p = d->kind == "MutatingAdmissionPolicy" ? nullptr : find_policy(ctx, d->policy);
    return std::vector<AdmissionFinding>{
        {Severity::kError, "admission/" + d->policy, described(*d), denial_field(p, d->message)}};
  }
  if (message.find("violates PodSecurity") == std::string::npos) return std::nullopt;
  auto v = parse_pod_security(message, object_tree(r), r.kind);
  if (!v) return std::nullopt;
  return pod_security_findings(*v, Severity::kError);
}

std::optional<std::vector<AdmissionFinding>> warning_findings(const std::string& warning, const Resource& r,
                                                              const std::string& ns, const AdmissionContext& ctx,
                                                              bool warnings_as_errors) {
  Severity sev = warnings_as_errors ? Severity::kError : Severity::kWarning;
  if (auto d = parse_policy_warning(warning)) {
    // A Deny binding applied as Warn: each failing validation is a refusal, all of them named at once.
    Severity policy_sev = ctx.denying_bindings.count(d->binding) ? Severity::kError : sev;
    return std::vector<AdmissionFinding>{
        {policy_sev, "admission/" + d->policy, described(*d), denial_field(find_policy(ctx, d->policy), d->message)}};
  }
  if (warning.find("would violate PodSecurity") == std::string::npos) return std::nullopt;
  auto v = parse_pod_security(warning, object_tree(r), r.kind);
  if (!v) return std::nullopt;
  auto it = ctx.enforced.find(ns);
  // The namespace enforces what the warning names: the workload's pods would be refused.
  bool enforced = it != ctx.enforced.end() && it->second == v->policy;
  if (!enforced) return pod_security_findings(*v, sev);
  return pod_security_findings(*v, Severity::kError,
                               " (namespace \"" + ns + "\" enforces it: the " + r.kind + "'s pods would be refused)");
}

}  // namespace kv
