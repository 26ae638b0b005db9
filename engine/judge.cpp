#include "engine/judge.h"

#include <fmt/core.h>

#include <algorithm>
#include <optional>
#include <regex>
#include <set>

#include "engine/admission.h"
#include "engine/decode_errors.h"
#include "kube/api_status.h"
#include "kube/server_message.h"
#include "resources/loader.h"
#include "resources/locate.h"

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

// The first of `fields` (relative to the object's pod spec) that the object has, else the first.
std::string pod_field(const Resource& r, const YAML::Node& tree, const std::vector<std::string>& fields) {
  if (fields.empty()) return "";
  std::string base = pod_spec_path(r.kind);
  for (const auto& f : fields) {
    for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
      std::string p = f;
      if (p.rfind("containers[", 0) == 0) p = list + p.substr(10);
      if (node_at(tree, r.kind, base + "." + p)) return base + "." + p;
    }
  }
  return base + "." + fields.front();
}

// One finding per PodSecurity check, at the field it names: an error for a denial, a warning for
// "would violate" (a workload whose pods would be refused).
void add_pod_security(Judgement& j, const Resource& r, std::string_view message, Severity sev) {
  auto checks = pod_security_checks(message);
  auto at = message.find("PodSecurity \"");
  auto end = at == std::string_view::npos ? at : message.find("\": ", at);
  std::string head = end == std::string_view::npos ? "violates PodSecurity" : std::string(message.substr(at, end + 1 - at));
  std::string verb = message.find("would violate") != std::string_view::npos ? "would violate " : "violates ";
  YAML::Node tree = object_tree(r);
  for (const auto& c : checks) add(j, sev, "admission/pod-security", verb + head + ": " + c.text, pod_field(r, tree, c.fields));
  if (checks.empty()) add(j, sev, "admission/pod-security", std::string(message));
}

// The field a policy's failed CEL expression is about: "object.spec.replicas <= 5" → "spec.replicas".
std::string expression_field(const std::string& message) {
  static const std::regex kObject(R"(object\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*))");
  std::smatch m;
  return std::regex_search(message, m, kObject) ? m[1].str() : "";
}

// A refusal by admission (invalid, rule admission/...) or by RBAC (error naming the verb). False when
// the answer is neither.
bool judge_admission(Judgement& j, const Resource& r, const kube::ApiStatus& st, long code, bool secret,
                     const Redactor& redact) {
  Denial d = classify_denial(st.message, code);
  switch (d.kind) {
    case DenialKind::kNone:
      return false;
    case DenialKind::kRbac:
      // Our own access, not the object: the credentials in use lack the verb the message names.
      j.status = ObjectStatus::kError;
      add(j, Severity::kError, kMissingVerbRule, redact.apply(st.message, secret));
      return true;
    case DenialKind::kPodSecurity:
      j.status = ObjectStatus::kInvalid;
      add_pod_security(j, r, d.message, Severity::kError);
      return true;
    default:
      j.status = ObjectStatus::kInvalid;
      add(j, Severity::kError, d.rule, redact.apply(kube::plain_server_message(d.message), secret),
          d.kind == DenialKind::kPolicy ? expression_field(d.message) : d.field);
      return true;
  }
}

// A custom resource's validation leaves out the CRD's x-kubernetes-validations (CEL) rules when its schema
// check found an error of a kind that blocks them (apiextensions-apiserver's hasBlockingErr: an unsupported,
// missing, too long or mistyped value, too many items) and says so in a cause without a field. That cause is
// no defect of the object. The fields of the blocking errors the object has are set aside, so that a further
// pass runs the rules: their failures are the object's other defects, shown in the same run. (A missing
// required field cannot be set aside; the rules then stay unchecked, as the info finding says.)
constexpr std::string_view kRulesNotChecked = "some validation rules were not checked because the object was invalid";

// The fields of `causes` (of the reasons in `reasons`; any when null) that the object has as written.
std::vector<std::string> refused_fields(const Resource& r, const std::vector<kube::StatusCause>& causes,
                                        const std::set<std::string>* reasons) {
  std::vector<std::string> out;
  YAML::Node tree = object_tree(r);
  for (const auto& c : causes)
    if ((!reasons || reasons->count(c.reason)) && !c.field.empty() && node_at(tree, r.kind, c.field) &&
        std::find(out.begin(), out.end(), c.field) == out.end())
      out.push_back(c.field);
  return out;
}

std::vector<std::string> rule_blocking_fields(const Resource& r, const std::vector<kube::StatusCause>& causes) {
  static const std::set<std::string> kBlocking = {"FieldValueNotSupported", "FieldValueTooLong",
                                                  "FieldValueTooMany", "FieldValueTypeInvalid"};
  return refused_fields(r, causes, &kBlocking);
}

// The causes that echo another, one defect said twice: a field the object does not write, which the server
// defaulted from a field the object writes (a Service port's targetPort from its port, a LimitRange's
// defaultRequest from its default: resources/locate.h's alias_paths), refused for the same reason as that
// field; a label selector refused as a whole beside the label within it that is refused. The echo is not
// shown.
std::vector<bool> echoed_causes(const Resource& r, const std::vector<kube::StatusCause>& causes) {
  std::vector<bool> echo(causes.size(), false);
  std::optional<YAML::Node> tree;  // parsed when two causes may be one
  // A selector refused as a whole ("spec.selector: Invalid value: {...}: invalid label selector") beside
  // the refusal of the label within it that makes it so.
  static constexpr std::string_view kSelector = ": invalid label selector";
  for (size_t i = 0; i < causes.size(); ++i) {
    const auto& a = causes[i];
    if (a.field.empty() || a.message.size() < kSelector.size() ||
        a.message.compare(a.message.size() - kSelector.size(), kSelector.size(), kSelector) != 0)
      continue;
    for (const auto& b : causes)
      if (b.field.size() > a.field.size() && b.field.compare(0, a.field.size() + 1, a.field + ".") == 0) echo[i] = true;
  }
  for (size_t i = 0; i < causes.size(); ++i)
    for (size_t k = 0; k < causes.size() && !echo[i]; ++k) {
      const auto& a = causes[i];
      const auto& b = causes[k];
      if (k == i || a.field.empty() || b.field.empty() || a.field == b.field || a.reason != b.reason)
        continue;
      if (!tree) tree = object_tree(r);
      const auto aliases = alias_paths(r.kind, without_path_prefix(a.field));
      echo[i] = std::find(aliases.begin(), aliases.end(), std::string(without_path_prefix(b.field))) != aliases.end() &&
                !node_written_at(*tree, a.field) && node_written_at(*tree, b.field);
    }
  return echo;
}

// A failed answer: decode-stage errors, admission, a kind that is not served, else the Status and its causes.
void judge_failure(Judgement& j, const Resource& r, const kube::Response& resp, bool secret, const Redactor& redact) {
  auto st = kube::parse_api_status(resp.body, resp.status);
  if (auto decode = decode_errors(r, st)) {
    // The object's own fields (unknown, mistyped, malformed quantities), whatever HTTP code carried them.
    j.status = ObjectStatus::kInvalid;
    for (auto& f : decode->findings) {
      f.message = redact.apply(f.message, secret);
      j.findings.push_back(std::move(f));
    }
    j.set_aside = std::move(decode->set_aside);
    return;
  }
  if (judge_admission(j, r, st, resp.status, secret, redact)) return;
  // The kind went away (a CRD deleted meanwhile, a stale discovery): "404 page not found" or NotFound
  // for the collection itself rather than for a named object.
  if (resp.status == 404 && (st.reason == "HTTP404" || st.message.find("could not find the requested resource") != std::string::npos)) {
    j.status = ObjectStatus::kInvalid;
    add(j, Severity::kError, "dry-run/unknown-kind",
        "no kind \"" + r.kind + "\" is served for apiVersion \"" + r.api_version + "\" by this API server", "kind");
    return;
  }
  // 4xx answers judge the object; 5xx and 401/403/429 are about the server or our access, not the object.
  bool judged = resp.status >= 400 && resp.status < 500 && resp.status != 401 && resp.status != 403 &&
                resp.status != 429;
  j.status = judged ? ObjectStatus::kInvalid : ObjectStatus::kError;
  std::string rule_base = judged ? "dry-run/" : "server/";
  if (st.causes.empty()) {
    add(j, Severity::kError, rule_base + (st.reason.empty() ? "Error" : st.reason),
        redact.apply(kube::plain_server_message(st.message), secret));
    return;
  }
  bool rules_skipped = false;
  const std::vector<bool> echo = echoed_causes(r, st.causes);
  for (size_t i = 0; i < st.causes.size(); ++i) {
    const auto& c = st.causes[i];
    if (echo[i]) continue;
    if (judged && (c.field.empty() || c.field == "<nil>") && c.message.find(kRulesNotChecked) != std::string::npos) {
      rules_skipped = true;
      add(j, Severity::kInfo, kRulesNotCheckedRule,
          "the CRD's validation rules (x-kubernetes-validations) were not evaluated because of the object's other "
          "errors; they are checked again without the fields at fault");
      continue;
    }
    std::string msg = kube::plain_server_message(c.field.empty() ? c.message : c.field + ": " + c.message);
    add(j, Severity::kError, rule_base + (c.reason.empty() ? st.reason : c.reason), redact.apply(msg, secret), c.field);
  }
  if (rules_skipped) j.set_aside = rule_blocking_fields(r, st.causes);
}

// "configmaps in namespace demo", "clusterroles.rbac.authorization.k8s.io".
std::string resource_phrase(const Target& t) {
  return t.api().resource + (t.api().group.empty() ? "" : "." + t.api().group) +
         (t.api().namespaced ? " in namespace " + t.namespace_ : "");
}

// The answer refused by RBAC, else nullptr.
const kube::Response* refused(const kube::Response& resp, RbacRefusal& why) {
  if (resp.status != 403) return nullptr;
  why = rbac_refusal(kube::parse_api_status(resp.body, resp.status).raw_message);
  return why.verb.empty() ? nullptr : &resp;
}

// The field path a warning starts with ("metadata.annotations[x]: non-functional ...") when the object
// has that field, else "".
std::string leading_field(const Resource& r, const std::string& text) {
  auto colon = text.find(": ");
  if (colon == std::string::npos || colon == 0 || text.find(' ') < colon) return "";
  std::string path = text.substr(0, colon);
  YAML::Node tree = object_tree(r);
  return node_at(tree, r.kind, path) ? path : "";
}

void add_warning(Judgement& j, const Resource& r, const std::string& w, Severity sev, bool secret,
                 const Redactor& redact) {
  if (w.find("would violate PodSecurity") != std::string::npos) {
    add_pod_security(j, r, w, sev);
    return;
  }
  std::string text = redact.apply(kube::plain_server_message(w), secret);
  std::string rule = warning_rule(w), path = warning_path(w);
  if (path.empty()) path = leading_field(r, w);
  if (!path.empty() && rule == "dry-run/deprecated-api") rule = "dry-run/deprecated-field";
  else if (path.empty() && rule == "dry-run/deprecated-api") path = "apiVersion";
  add(j, sev, rule, text, path);
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

bool is_apply(const kube::Request& req) {
  return req.method == "PATCH" && req.content_type == "application/apply-patch+yaml";
}

bool apply_needs_fallback(const kube::Response& resp, PlaneKind plane) {
  if (plane != PlaneKind::kExternal) return false;
  RbacRefusal why;
  return refused(resp, why) && why.verb == "patch";
}

bool needs_apply_fallback(const kube::Request& req, const kube::Response& resp, PlaneKind plane) {
  return is_apply(req) && apply_needs_fallback(resp, plane);
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
  if (text.find("deprecated") != std::string::npos || text.find("unavailable in v") != std::string::npos ||
      text.find("non-functional") != std::string::npos)
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
    add_warning(j, r, w, warnings_as_errors ? Severity::kError : Severity::kWarning, secret, redact);
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
  judge_failure(j, r, resp, secret, redact);
  // Admission runs only on an object that validation passed: where admission policies or an enforced Pod
  // Security level may judge it too, the fields validation refused are set aside for a further pass, so
  // that what admission says of the rest shows in the same run (kubectl shows it after the fix).
  if (j.status == ObjectStatus::kInvalid && j.set_aside.empty() && resp.status == 422 && admission &&
      (!admission->validating.empty() || admission->enforced.count(ns)))
    j.set_aside = refused_fields(r, kube::parse_api_status(resp.body, resp.status).causes, nullptr);
  return j;
}

}  // namespace kv::engine
