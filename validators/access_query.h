// What `kvalidate can-i` asks, resolved against the server's discovery: one VERB on
// "RESOURCE[.GROUP][/NAME]" (or a non-resource URL), or the whole matrix of served resources × verbs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "kube/discovery.h"
#include "kube/transport.h"
#include "validators/access_review.h"

namespace kv {

// Fills the resource fields of `q` from `spec` ("pods", "deployments.apps/web", "*", "/healthz") and
// `subresource`. `q.namespace_` is the namespace to ask in ("" = all namespaces) and is cleared for a
// cluster-scoped resource. Errors: Usage for a malformed spec or a subresource of a URL; NotFound when
// the server serves no such resource (a fresher discovery may); InvalidInput for an unknown subresource.
Status resolve_access_target(const std::string& spec, const std::string& subresource, const kube::Discovery& discovery,
                             AccessQuery& q);

// One row of the access matrix: a served resource or subresource (any version), the verbs asked, and
// those the authorizer allowed.
struct AccessRow {
  std::string group, resource, subresource;
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> allowed;
  // "pods/exec", "deployments.apps"
  std::string display() const;
};

// Every served resource and subresource, keyed by display name (sorted).
std::map<std::string, AccessRow> access_rows(const kube::Discovery& discovery);

// Asks every row's verbs for `user` with `groups`, in namespace `ns` ("" = all; cluster-scoped rows
// cluster-wide), at most `jobs` in flight; fills each row's `allowed`. The first failed review ends it.
Status fill_access_matrix(kube::Transport& transport, std::map<std::string, AccessRow>& rows, const std::string& user,
                          const std::vector<std::string>& groups, const std::string& ns, int jobs);

}  // namespace kv
