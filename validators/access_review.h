// SubjectAccessReviews (authorization.k8s.io/v1): asks the API server's authorizer whether a user with
// groups may perform one verb on one resource (or non-resource URL), one at a time or many at once.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "kube/transport.h"

namespace kv {

struct AccessQuery {
  std::string user;                 // "system:serviceaccount:demo:app", "alice"
  std::vector<std::string> groups;  // as sent; see impersonation_groups()
  std::string verb;                 // "list"
  std::string group;                // API group, "" for core
  std::string resource;             // "pods"; empty with non_resource_url
  std::string subresource;          // "exec"
  std::string name;                 // object name, "" for all
  std::string namespace_;           // "" for cluster-scoped or all namespaces
  std::string non_resource_url;     // "/healthz": a non-resource request (resource fields unused)
};

struct AccessAnswer {
  bool allowed = false;
  bool denied = false;              // an authorizer denied explicitly (RBAC never does)
  std::string reason;               // the authorizer's reason, may be empty
  std::string evaluation_error;     // e.g. a role that could not be found
};

// The groups Kubernetes gives an impersonated user when `--as USER` (and optionally `--as-group`) is
// used: the explicit groups if any, else system:serviceaccounts and system:serviceaccounts:NS for a
// service account user; then system:authenticated is added unless the user is system:anonymous or the
// groups already hold system:authenticated or system:unauthenticated.
std::vector<std::string> impersonation_groups(const std::string& user, const std::vector<std::string>& explicit_groups);

// The JSON body of a SubjectAccessReview for `q`.
std::string review_body(const AccessQuery& q);

// The request that creates the review for `q`.
kube::Request review_request(const AccessQuery& q);

// Parses the server's answer. Unavailable when no HTTP answer arrived (exit 3); Internal for an HTTP
// error (e.g. 403 when the credentials may not create reviews) naming the status and server message.
Result<AccessAnswer> parse_review_response(const kube::Response& resp);

// Asks one review.
Result<AccessAnswer> review_access(kube::Transport& client, const AccessQuery& q);

// Asks all reviews with at most `jobs` in flight; answers are in query order.
std::vector<Result<AccessAnswer>> review_access_all(kube::Transport& client, const std::vector<AccessQuery>& qs,
                                                    int jobs);

// Resources RBAC rules name that no API serves (impersonation targets, certificate signers): "users",
// "groups" (core), "uids", "userextras" (authentication.k8s.io), "signers" (certificates.k8s.io).
// Returns true and sets *group when `resource` (optionally "resource.group") is one of them.
bool rbac_only_resource(const std::string& resource, std::string* group);

// "system:serviceaccount:demo:app" → {"demo", "app"}; false for other users.
bool split_service_account(const std::string& user, std::string* ns, std::string* name);

}  // namespace kv
