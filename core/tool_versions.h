// The versions of the external programs kvalidate runs (helm, kube-apiserver, etcd, kubectl, k3s), for
// `kvalidate version`: where each was found (core/tools.h) and what it says its version is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/tools.h"

namespace kv {

struct ToolVersion {
  std::string name;
  std::optional<ToolLocation> where;  // nullopt: not found
  std::string version;                // "v3.22.0"; "" when the binary would not say (then `error` says why)
  std::string error;
};

// Asks each tool for its version, all at once (each bounded by 10 s); in the order named above.
std::vector<ToolVersion> tool_versions();

}  // namespace kv
