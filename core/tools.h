// Finding the external programs kvalidate runs: helm, kube-apiserver, etcd, kubectl, k3s.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kv {

struct ToolLocation {
  std::string path;    // absolute path of the executable
  std::string source;  // where it was found: "KVALIDATE_HELM", "PATH", "KUBEBUILDER_ASSETS", "cache"
};

// Looks for `name` in this order: the environment variable KVALIDATE_<NAME> (upper case, '-' → '_',
// e.g. KVALIDATE_KUBE_APISERVER), PATH, $KUBEBUILDER_ASSETS, then kvalidate's cache
// ${XDG_CACHE_HOME:-~/.cache}/kvalidate/bin/<version>/<name> (highest version first).
// `search_path` false skips PATH (used where a PATH copy is known to be unsuitable).
std::optional<ToolLocation> find_tool(const std::string& name, bool search_path = true);

// `name` in the cache folder of exactly `version`: ${cache}/bin/<version>/<name>, or nullopt. Used for a
// plane of a pinned version, where a copy on PATH (of unknown version) would not do.
std::optional<ToolLocation> find_cached_tool(const std::string& name, const std::string& version);

// kvalidate's cache directory: ${XDG_CACHE_HOME:-$HOME/.cache}/kvalidate.
std::string cache_dir();

// Compares dotted versions "v1.37.2" < "v1.38.0" numerically (a leading 'v' ignored).
bool version_less(const std::string& a, const std::string& b);

}  // namespace kv
