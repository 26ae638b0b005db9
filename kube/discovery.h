// What the API server serves: every group/version/resource with its kind, scope and verbs, from
// aggregated discovery (/api and /apis with apidiscovery.k8s.io/v2 Accept header; classic discovery
// as fallback). Cached on disk per server (URL + version) and identity (credentials, impersonation),
// 0600 in a 0700 folder, and refreshed on demand.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "kube/client.h"

namespace kv::kube {

struct ApiResource {
  std::string group;       // "" for core
  std::string version;     // "v1"
  std::string kind;        // "Deployment"
  std::string resource;    // "deployments"
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> subresources;  // "status", "scale", "exec", ...
  std::vector<std::string> short_names;
  std::string group_version() const { return group.empty() ? version : group + "/" + version; }
};

// The cache file name (under cache_dir/discovery/) of what `server` at version `server_version` serves
// to the user `identity` (kube/credentials.h identity_key): one file per server, version and user, so that
// an upgrade, another cluster or another user's answers are never read from a stale list.
std::string discovery_cache_name(const std::string& server, const std::string& server_version,
                                 const std::string& identity);

class Discovery {
 public:
  // Loads from the disk cache (cache_dir/discovery/<hash of server+version>-<identity>.tsv) when present
  // and `refresh` is false, else asks the server and rewrites the cache. cache_dir "" disables the cache.
  // An answer that is not what an API server sends (not JSON, another HTTP code) is Unavailable naming
  // the URL; a 401 or 403 is InvalidInput (exit 2: the credentials given are at fault).
  static Result<Discovery> Load(Client& client, const std::string& cache_dir, bool refresh = false);

  // The resource serving (group, version, kind), or nullptr.
  const ApiResource* find_kind(const std::string& group, const std::string& version, const std::string& kind) const;
  // True when some version of (group, kind) is served (for "apiVersion not served" messages).
  std::vector<std::string> versions_of_kind(const std::string& group, const std::string& kind) const;
  // Resolves what a user types ("pods", "pod", "po", "deployments.apps", "deploy") to the preferred
  // served resource, or nullptr.
  const ApiResource* find_resource(const std::string& name_or_dotted) const;
  const std::vector<ApiResource>& all() const { return resources_; }
  // "apps/v1", "v1", ... every served group/version (for helm --api-versions).
  std::vector<std::string> group_versions() const;
  const std::string& server_version() const { return server_version_; }

  std::vector<ApiResource> resources_;
  std::string server_version_;
  std::vector<std::string> preferred_;  // preferred group versions, in discovery order

 private:
  static Result<Discovery> load(Client& client, const std::string& cache_dir, bool refresh);
};

}  // namespace kv::kube
