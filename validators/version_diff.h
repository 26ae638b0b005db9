// Findings that differ between the Kubernetes versions of one run: an object whose apiVersion and kind
// one version serves and another does not gets a message naming both ("not served in v1.36 (served
// from v1.37)", "removed in v1.37 (served in v1.36): use …"), from each version's discovery.
#pragma once

#include <string>
#include <vector>

#include "kube/discovery.h"
#include "resources/result.h"

namespace kv {

struct VersionDiscovery {
  std::string version;                 // "v1.36.3", as results' server_version
  const kube::Discovery* discovery;    // what that version's API server serves
};

// Rewrites, in every result, the findings "dry-run/api-not-served" and "dry-run/unknown-kind" whose
// apiVersion+kind some other version of `versions` serves; other findings and results are left alone.
void explain_version_differences(std::vector<ObjectResult>& results, const std::vector<VersionDiscovery>& versions);

// The message for an object of `api_version`/`kind` that `version` does not serve while the versions
// in `served_in` (non-empty, oldest first, `version` not among them) do; `alternatives` are the other
// apiVersions of that kind `version` serves ("" list: none).
std::string version_difference_message(const std::string& api_version, const std::string& kind,
                                       const std::string& version, const std::vector<std::string>& served_in,
                                       const std::vector<std::string>& alternatives);

}  // namespace kv
