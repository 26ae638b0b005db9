// Admission in the API server's answer: telling a denial by admission (PodSecurity, a
// ValidatingAdmissionPolicy, a webhook, a built-in plugin) — a defect of the object — apart from an RBAC
// refusal of our own request, and finding the fields a denial or an admission warning names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kv::engine {

enum class DenialKind { kNone, kPodSecurity, kPolicy, kWebhook, kPlugin, kRbac };

struct Denial {
  DenialKind kind = DenialKind::kNone;
  std::string rule;     // "admission/pod-security", "admission/<policy or webhook name>", "admission/denied"
  std::string message;  // the part after the object's name: "violates PodSecurity ...: privileged (...)"
  std::string field;    // a built-in plugin's refusal: the Pod field it is about ("spec.priorityClassName"), or ""
};

// Classifies a refusal by its Status message (and HTTP code): PodSecurity ("violates PodSecurity"),
// a policy ("ValidatingAdmissionPolicy 'NAME' with binding ... denied request"), a webhook
// ("admission webhook \"NAME\" denied the request"), RBAC (403 "User \"u\" cannot VERB resource ..."),
// any other 403 Forbidden "is forbidden: ..." (a built-in admission plugin: the Pod field the Priority and
// RuntimeClass plugins refuse is named in `field`). kNone when none of these.
Denial classify_denial(std::string_view message, long http_code);

// One check a PodSecurity denial or warning names, with the field paths (relative to the object)
// where the user wrote (or should write) what it is about.
struct PodSecurityCheck {
  std::string text;                 // "privileged (container \"debug\" must not set securityContext.privileged=true)"
  std::vector<std::string> fields;  // "containers[name=debug].securityContext.privileged", relative to the pod spec
};

// The checks of `message` ("... violates PodSecurity \"baseline:latest\": a (..), b (..)" or
// "would violate PodSecurity ..."), each with its fields relative to the pod spec. Empty when `message`
// is not about PodSecurity.
std::vector<PodSecurityCheck> pod_security_checks(std::string_view message);

// Where an object of kind `kind` keeps its pod spec: "spec" (Pod), "spec.template.spec" (Deployment,
// ...), "spec.jobTemplate.spec.template.spec" (CronJob).
std::string pod_spec_path(std::string_view kind);

}  // namespace kv::engine
