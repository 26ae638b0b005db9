#include "validators/access_review.h"

#include <algorithm>

#include "core/json.h"
#include "core/yaml_util.h"

namespace kv {

namespace {
constexpr const char* kSaPrefix = "system:serviceaccount:";
constexpr const char* kAuthenticated = "system:authenticated";
constexpr const char* kUnauthenticated = "system:unauthenticated";

bool flag(const YAML::Node& n, const char* key) { return scalar_at(n, key) == "true"; }
}  // namespace

bool rbac_only_resource(const std::string& resource, std::string* group) {
  static const char* const kVirtual[][2] = {
      {"users", ""}, {"groups", ""}, {"uids", "authentication.k8s.io"}, {"userextras", "authentication.k8s.io"},
      {"signers", "certificates.k8s.io"}};
  auto dot = resource.find('.');
  std::string name = resource.substr(0, dot);
  for (const auto& v : kVirtual) {
    if (name != v[0]) continue;
    if (dot != std::string::npos && resource.substr(dot + 1) != v[1]) continue;
    if (group) *group = v[1];
    return true;
  }
  return false;
}

bool split_service_account(const std::string& user, std::string* ns, std::string* name) {
  const std::string prefix = kSaPrefix;
  if (user.rfind(prefix, 0) != 0) return false;
  auto rest = user.substr(prefix.size());
  auto colon = rest.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find(':', colon + 1) != std::string::npos)
    return false;
  if (ns) *ns = rest.substr(0, colon);
  if (name) *name = rest.substr(colon + 1);
  return true;
}

std::vector<std::string> impersonation_groups(const std::string& user, const std::vector<std::string>& explicit_groups) {
  std::vector<std::string> groups = explicit_groups;
  std::string ns;
  if (groups.empty() && split_service_account(user, &ns, nullptr)) {
    groups = {"system:serviceaccounts", "system:serviceaccounts:" + ns};
  }
  // As the API server's impersonation filter does.
  if (user != "system:anonymous") {
    bool has = std::any_of(groups.begin(), groups.end(),
                           [](const std::string& g) { return g == kAuthenticated || g == kUnauthenticated; });
    if (!has) groups.push_back(kAuthenticated);
  }
  return groups;
}

std::string review_body(const AccessQuery& q) {
  JsonWriter w(false);
  w.begin_object().key("apiVersion").value("authorization.k8s.io/v1").key("kind").value("SubjectAccessReview");
  w.key("spec").begin_object();
  w.key("user").value(q.user);
  w.key("groups").begin_array();
  for (const auto& g : q.groups) w.value(g);
  w.end_array();
  if (!q.non_resource_url.empty()) {
    w.key("nonResourceAttributes").begin_object().key("path").value(q.non_resource_url).key("verb").value(q.verb)
        .end_object();
  } else {
    w.key("resourceAttributes").begin_object();
    w.key("verb").value(q.verb).key("group").value(q.group).key("resource").value(q.resource);
    if (!q.subresource.empty()) w.key("subresource").value(q.subresource);
    if (!q.name.empty()) w.key("name").value(q.name);
    if (!q.namespace_.empty()) w.key("namespace").value(q.namespace_);
    w.end_object();
  }
  w.end_object().end_object();
  return w.str();
}

kube::Request review_request(const AccessQuery& q) {
  kube::Request r;
  r.method = "POST";
  r.path = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
  r.body = review_body(q);
  r.content_type = "application/json";
  return r;
}

Result<AccessAnswer> parse_review_response(const kube::Response& resp) {
  if (!resp.transport_ok())
    return Status::Unavailable("SubjectAccessReview: no answer from the API server: " + resp.transport_error);
  auto doc = parse_json(resp.body, "SubjectAccessReview response");
  if (!resp.success()) {
    std::string msg = doc.ok() ? scalar_at(*doc, "message") : "";
    if (msg.empty()) msg = resp.body.substr(0, 200);
    return Status::Internal("SubjectAccessReview failed: HTTP " + std::to_string(resp.status) + ": " + msg);
  }
  if (!doc.ok()) return doc.status();
  auto status = (*doc)["status"];
  AccessAnswer a;
  if (status && status.IsMap()) {
    a.allowed = flag(status, "allowed");
    a.denied = flag(status, "denied");
    a.reason = scalar_at(status, "reason");
    a.evaluation_error = scalar_at(status, "evaluationError");
  }
  return a;
}

Result<AccessAnswer> review_access(kube::Transport& client, const AccessQuery& q) {
  return parse_review_response(client.send(review_request(q)));
}

std::vector<Result<AccessAnswer>> review_access_all(kube::Transport& client, const std::vector<AccessQuery>& qs,
                                                    int jobs) {
  std::vector<kube::Request> reqs;
  reqs.reserve(qs.size());
  for (const auto& q : qs) reqs.push_back(review_request(q));
  std::vector<Result<AccessAnswer>> out;
  out.reserve(qs.size());
  for (const auto& r : client.send_all(reqs, jobs)) out.push_back(parse_review_response(r));
  return out;
}

}  // namespace kv
