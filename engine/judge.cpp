#include "engine/judge.h"

#include <fmt/core.h>

#include "kube/api_status.h"
#include "validators/patch_errors.h"

namespace kv::engine {

namespace {

void add(Judgement& j, Severity sev, std::string rule, std::string message, std::string path = "") {
  Finding f;
  f.severity = sev;
  f.rule = std::move(rule);
  f.message = std::move(message);
  f.path = std::move(path);
  j.findings.push_back(std::move(f));
}

bool has_error(const Judgement& j) {
  for (const auto& f : j.findings)
    if (f.severity == Severity::kError) return true;
  return false;
}

// A failed answer: schema errors of the patch, else the Status and its causes.
void judge_failure(Judgement& j, const kube::Response& resp, bool secret, const Redactor& redact) {
  auto st = kube::parse_api_status(resp.body, resp.status);
  if (auto errs = parse_patch_errors(st.raw_message); !errs.empty()) {
    // The object's own schema errors (unknown or mistyped fields), whatever HTTP code carried them.
    j.status = ObjectStatus::kInvalid;
    for (const auto& e : errs)
      add(j, Severity::kError, e.rule, redact.apply(e.path.empty() ? e.message : e.path + ": " + e.message, secret),
          e.path);
    return;
  }
  if (resp.status == 403 && !rbac_refusal(st.raw_message).verb.empty()) {
    j.status = ObjectStatus::kError;
    add(j, Severity::kError, kMissingVerbRule, redact.apply(st.message, secret));
    return;
  }
  // 4xx answers judge the object; 5xx and 401/403/429 are about the server or our access, not the object.
  bool judged = resp.status >= 400 && resp.status < 500 && resp.status != 401 && resp.status != 403 &&
                resp.status != 429;
  j.status = judged ? ObjectStatus::kInvalid : ObjectStatus::kError;
  std::string rule_base = judged ? "dry-run/" : "server/";
  if (st.causes.empty()) {
    add(j, Severity::kError, rule_base + (st.reason.empty() ? "Error" : st.reason), redact.apply(st.message, secret));
    return;
  }
  for (const auto& c : st.causes) {
    std::string msg = c.field.empty() ? c.message : c.field + ": " + c.message;
    add(j, Severity::kError, rule_base + (c.reason.empty() ? st.reason : c.reason), redact.apply(msg, secret), c.field);
  }
}

// "configmaps in namespace demo", "clusterroles.rbac.authorization.k8s.io".
std::string resource_phrase(const Target& t) {
  return t.api.resource + (t.api.group.empty() ? "" : "." + t.api.group) +
         (t.api.namespaced ? " in namespace " + t.namespace_ : "");
}

// The answer refused by RBAC, else nullptr.
const kube::Response* refused(const kube::Response& resp, RbacRefusal& why) {
  if (resp.status != 403) return nullptr;
  why = rbac_refusal(kube::parse_api_status(resp.body, resp.status).raw_message);
  return why.verb.empty() ? nullptr : &resp;
}

}  // namespace

RbacRefusal rbac_refusal(const std::string& message) {
  // RBAC's wording (k8s.io/apiserver authorization): `User "NAME" cannot VERB resource "R" ...`;
  // the subject word is User for every kind of subject.
  static const std::string kUser = "User \"";
  RbacRefusal out;
  auto at = message.find(kUser);
  if (at == std::string::npos) return out;
  auto end = message.find('"', at + kUser.size());
  if (end == std::string::npos || message.compare(end, 9, "\" cannot ") != 0) return out;
  auto verb_at = end + 9;
  auto verb_end = message.find(' ', verb_at);
  if (verb_end == std::string::npos || verb_end == verb_at) return out;
  if (message.compare(verb_end, 10, " resource ") != 0 && message.compare(verb_end, 6, " path ") != 0) return out;
  out.user = message.substr(at + kUser.size(), end - at - kUser.size());
  out.verb = message.substr(verb_at, verb_end - verb_at);
  return out;
}

bool needs_apply_fallback(const kube::Request& req, const kube::Response& resp, PlaneKind plane) {
  if (plane != PlaneKind::kExternal || req.method != "PATCH" || req.content_type != "application/apply-patch+yaml")
    return false;
  RbacRefusal why;
  return refused(resp, why) && why.verb == "patch";
}

Judgement judge_fallback(const Resource& r, const Target& t, const Fallback& fb, bool warnings_as_errors,
                         const Redactor& redact) {
  RbacRefusal why;
  Judgement j;
  if (!fb.written) {
    if (!refused(fb.read, why)) return judge(r, fb.read, warnings_as_errors, redact);
    j.status = ObjectStatus::kError;
    add(j, Severity::kError, kMissingVerbRule,
        fmt::format("not validated: user \"{}\" may not \"patch\" (server-side apply) nor \"get\" {} (the first "
                    "step of kubectl apply --dry-run=server): add \"patch\", or \"get\" with \"create\" and "
                    "\"update\", to its role",
                    why.user, resource_phrase(t)));
    return j;
  }
  if (refused(fb.write, why)) {
    j.status = ObjectStatus::kError;
    add(j, Severity::kError, kMissingVerbRule,
        fb.exists ? fmt::format("not validated: user \"{}\" may not \"patch\" (server-side apply, and kubectl "
                                "apply for an object that exists) nor \"update\" {}: add \"patch\" or "
                                "\"update\" to its role",
                                why.user, resource_phrase(t))
                  : fmt::format("not validated: user \"{}\" may not \"patch\" (server-side apply) nor \"create\" {} "
                                "(the dry-run create kubectl apply --dry-run=server sends for a new object): add "
                                "\"create\" or \"patch\" to its role",
                                why.user, resource_phrase(t)));
    return j;
  }
  j = judge(r, fb.write, warnings_as_errors, redact);
  add(j, Severity::kInfo, kApplyFallbackRule,
      fmt::format("validated with a dry-run {}{}: this user may not \"patch\" {}, which server-side apply needs",
                  fb.exists ? "update" : "create", fb.exists ? "" : " (as kubectl apply --dry-run=server)",
                  resource_phrase(t)));
  return j;
}

std::string warning_rule(const std::string& text) {
  if (text.find("unknown field") != std::string::npos) return "dry-run/unknown-field";
  if (text.find("duplicate field") != std::string::npos) return "dry-run/duplicate-field";
  if (text.find("deprecated") != std::string::npos || text.find("unavailable in v") != std::string::npos)
    return "dry-run/deprecated-api";
  return "dry-run/warning";
}

std::string warning_path(const std::string& text) {
  for (const char* prefix : {"unknown field \"", "duplicate field \""}) {
    auto p = text.find(prefix);
    if (p == std::string::npos) continue;
    p += std::string(prefix).size();
    auto end = text.find('"', p);
    if (end != std::string::npos) return text.substr(p, end - p);
  }
  return "";
}

Judgement judge(const Resource& r, const kube::Response& resp, bool warnings_as_errors, const Redactor& redact) {
  Judgement j;
  if (!resp.transport_ok()) {
    j.status = ObjectStatus::kError;
    add(j, Severity::kError, "server/unavailable", "not validated: the API server did not answer: " + resp.transport_error);
    return j;
  }
  bool secret = r.kind == "Secret";
  for (const auto& w : resp.warnings)
    add(j, warnings_as_errors ? Severity::kError : Severity::kWarning, warning_rule(w), redact.apply(w, secret),
        warning_path(w));
  if (resp.success()) {
    j.status = has_error(j) ? ObjectStatus::kInvalid : ObjectStatus::kValid;
    return j;
  }
  judge_failure(j, resp, secret, redact);
  return j;
}

}  // namespace kv::engine
