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
};

// The answer to the request for `r`:
// - no HTTP answer: error, "server/unavailable";
// - Warning headers: one warning each (an error with `warnings_as_errors`), rule by what they say;
// - 2xx: valid (invalid when a warning counts as an error);
// - typed-patch errors in the message (unknown or mistyped fields): invalid, one finding each;
// - other 4xx but 401/403/429: invalid, "dry-run/<cause or Status reason>" per cause (or one);
// - 5xx, 401, 403, 429: error, "server/<reason>": about the server or our access, not the object.
// With `admission` (the run's policies and the namespaces' Pod Security levels), refusals and warnings
// of admission policies and Pod Security are findings of their own (validators/admission_verdicts.h):
// invalid, rule admission/<policy> or admission/pod-security, at the field they name; `ns` is where the
// object goes.
Judgement judge(const Resource& r, const kube::Response& resp, bool warnings_as_errors, const Redactor& redact,
                const AdmissionContext* admission = nullptr, const std::string& ns = "");

// The rule of a Warning header's text: dry-run/unknown-field, dry-run/duplicate-field,
// dry-run/deprecated-api or dry-run/warning.
std::string warning_rule(const std::string& text);
// The field path a warning names (unknown field "spec.foo" → "spec.foo"), or "".
std::string warning_path(const std::string& text);

}  // namespace kv::engine
