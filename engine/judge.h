// Judging one answer of the API server: HTTP status, body (a metav1.Status on failure) and Warning
// headers become a status and findings. Pure: no I/O, and findings are not located yet (line 0).
#pragma once

#include <string>
#include <vector>

#include "kube/transport.h"
#include "resources/resource.h"
#include "resources/result.h"
#include "validators/admission_verdicts.h"
#include "validators/redact.h"

namespace kv::engine {

struct Judgement {
  ObjectStatus status = ObjectStatus::kValid;
  std::vector<Finding> findings;  // secrets already redacted
  // Decode-stage refusals only: the fields the server could not read. Submitting the object again
  // without them finds its other defects (engine/batch.cpp does, in further passes).
  std::vector<std::string> set_aside;
};

// The answer to the request for `r`:
// - no HTTP answer: error, "server/unavailable";
// - Warning headers: one warning each (an error with `warnings_as_errors`), rule by what they say, at the
//   field they name (a deprecated field: dry-run/deprecated-field) or, for a deprecated API, apiVersion;
//   "would violate PodSecurity": admission/pod-security, one per check, at its field;
// - 2xx: valid (invalid when a warning counts as an error);
// - decode-stage errors (unknown or mistyped fields, duplicate list entries, malformed quantities;
//   engine/decode_errors.h): invalid, one finding each, and `set_aside` names their fields;
// - admission denials (PodSecurity, a ValidatingAdmissionPolicy, a webhook, a built-in plugin): invalid,
//   rule admission/pod-security or admission/<policy or webhook name>, at the field named when one is;
// - 403 from RBAC (the credentials lack a verb): error, "server/forbidden", the server's message;
// - 404 for the kind itself: invalid, "dry-run/unknown-kind";
// - other 4xx but 401/403/429: invalid, "dry-run/<cause or Status reason>" per cause (or one);
// - 5xx, 401, 403, 429: error, "server/<reason>": about the server or our access, not the object.
// Messages are in the user's terms (kube/server_message.h). With `admission` (the run's policies and the
// namespaces' Pod Security levels), refusals and warnings of admission policies and Pod Security are read
// with them (validators/admission_verdicts.h): rule admission/<policy> or admission/pod-security, at the
// field they name; `ns` is where the object goes.
Judgement judge(const Resource& r, const kube::Response& resp, bool warnings_as_errors, const Redactor& redact,
                const AdmissionContext* admission = nullptr, const std::string& ns = "");

// The rule of a Warning header's text: dry-run/unknown-field, dry-run/duplicate-field,
// dry-run/deprecated-api or dry-run/warning.
std::string warning_rule(const std::string& text);
// The field path a warning names (unknown field "spec.foo" → "spec.foo"), or "".
std::string warning_path(const std::string& text);

}  // namespace kv::engine
