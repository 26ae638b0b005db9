#include "engine/judge.h"

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

}  // namespace

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

Judgement judge(const Resource& r, const kube::Response& resp, bool warnings_as_errors, const Redactor& redact,
                const AdmissionContext* admission, const std::string& ns) {
  Judgement j;
  if (!resp.transport_ok()) {
    j.status = ObjectStatus::kError;
    add(j, Severity::kError, "server/unavailable", "not validated: the API server did not answer: " + resp.transport_error);
    return j;
  }
  bool secret = r.kind == "Secret";
  for (const auto& w : resp.warnings) {
    if (admission)
      if (auto fs = warning_findings(w, r, ns, *admission, warnings_as_errors)) {
        for (auto& f : *fs) add(j, f.severity, f.rule, redact.apply(f.message, secret), f.path);
        continue;
      }
    add(j, warnings_as_errors ? Severity::kError : Severity::kWarning, warning_rule(w), redact.apply(w, secret),
        warning_path(w));
  }
  if (resp.success()) {
    j.status = has_error(j) ? ObjectStatus::kInvalid : ObjectStatus::kValid;
    return j;
  }
  if (admission)
    if (auto fs = refusal_findings(kube::parse_api_status(resp.body, resp.status).message, r, *admission)) {
      j.status = ObjectStatus::kInvalid;
      for (auto& f : *fs) add(j, f.severity, f.rule, redact.apply(f.message, secret), f.path);
      return j;
    }
  judge_failure(j, resp, secret, redact);
  return j;
}

}  // namespace kv::engine
