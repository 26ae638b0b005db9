// Judging one answer of the API server: HTTP status, body (a metav1.Status on failure) and Warning
// headers become a status and findings. Pure: no I/O, and findings are not located yet (line 0).
#pragma once

#include <string>
#include <vector>

#include "engine/plan.h"
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
// - 404 for the kind itself: invalid, "dry-run/unknown-kind";
// - other 4xx but 401/403/429: invalid, "dry-run/<cause or Status reason>" per cause (or one);
// - a 403 from RBAC (the user may not do this): error, kMissingVerbRule, the server's message (it names
//   the user and the verb);
// - 5xx, 401, other 403s, 429: error, "server/<reason>": about the server or our access, not the object.
// Messages are in the user's terms (kube/server_message.h). With `admission` (the run's policies and the
// namespaces' Pod Security levels), refusals and warnings of admission policies and Pod Security are read
// with them (validators/admission_verdicts.h): rule admission/<policy> or admission/pod-security, at the
// field they name; `ns` is where the object goes.
Judgement judge(const Resource& r, const kube::Response& resp, bool warnings_as_errors, const Redactor& redact,
                const AdmissionContext* admission = nullptr, const std::string& ns = "");

// The rule of an object the user's RBAC did not let kvalidate judge. Its exit code is 2 (fix the
// credentials or their role), not 1 (the object is not at fault) nor 3 (the plane answered).
inline constexpr const char* kMissingVerbRule = "server/missing-verb";
// The info finding on a custom resource whose CRD's validation rules the server left out because of
// other errors (engine/judge.cpp: the fields at fault are set aside and the rules run in a further pass).
inline constexpr const char* kRulesNotCheckedRule = "dry-run/rules-not-checked";
// The info finding on an object judged kubectl's way after server-side apply was refused.
inline constexpr const char* kApplyFallbackRule = "dry-run/apply-fallback";

// The refusal in a Status message when it is RBAC's ("... User \"u\" cannot patch resource \"configmaps\"
// ..."): the user and the verb; empty verb when the message is not an RBAC refusal (admission denials
// are 403s too).
struct RbacRefusal {
  std::string user;
  std::string verb;
};
RbacRefusal rbac_refusal(const std::string& message);

// True when `resp` refuses the server-side apply `req` because RBAC denies "patch" on an external
// cluster: kubectl apply --dry-run=server would get and create or update instead, and so does kvalidate
// (submit_fallback). Admission denials and other answers are judged as they are.
bool needs_apply_fallback(const kube::Request& req, const kube::Response& resp, PlaneKind plane);
// The two halves of needs_apply_fallback: whether `req` is a server-side apply, and whether `resp` to one
// needs kubectl's way.
bool is_apply(const kube::Request& req);
bool apply_needs_fallback(const kube::Response& resp, PlaneKind plane);

// What kubectl's way got for one object (engine/submit.h sends it).
struct Fallback {
  kube::Response read;   // GET of the object: 200 it exists, 404 it does not; anything else ends here
  kube::Response write;  // the dry-run update (exists) or create (missing); unset unless `written`
  bool exists = false;
  bool written = false;
};

// The object judged by its fallback: by the write's answer (as judge()) plus an info finding
// (kApplyFallbackRule) naming the verb used instead of "patch"; by the read's answer when it allowed
// no write. When RBAC refuses the read or the write as well: error, kMissingVerbRule, naming the verbs
// that would do (`t` names the resource and namespace).
Judgement judge_fallback(const Resource& r, const Target& t, const Fallback& fb, bool warnings_as_errors,
                         const Redactor& redact);

// The rule of a Warning header's text: dry-run/unknown-field, dry-run/duplicate-field,
// dry-run/deprecated-api or dry-run/warning.
std::string warning_rule(const std::string& text);
// The field path a warning names (unknown field "spec.foo" → "spec.foo"), or "".
std::string warning_path(const std::string& text);

}  // namespace kv::engine
