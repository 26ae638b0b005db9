// The Kubernetes versions kvalidate can run (pinned in tools/go/versions.env and compiled in), and
// resolving what a user names ("1.35", "v1.35.4") to one of them.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace kv {

// The pinned exact versions, oldest first ("v1.35.4", "v1.36.3", "v1.37.2").
const std::vector<std::string>& supported_kube_versions();

// The version the default plane runs and the README's set-up builds ("v1.37.2").
std::string default_kube_version();

// "1.35" or "v1.35" → the pinned patch of that minor; "1.35.4" or "v1.35.4" → "v1.35.4" when pinned.
// Usage (exit 2) naming the supported versions for anything else.
Result<std::string> resolve_kube_version(const std::string& spec);

// Each element may hold several versions separated by commas ("1.35,1.37"); returns the resolved exact
// versions, oldest first, each once. Usage on an unknown or empty element.
Result<std::vector<std::string>> resolve_kube_versions(const std::vector<std::string>& specs);

// "v1.35.4" → "v1.35" (what messages name when versions differ by minor).
std::string kube_minor(const std::string& version);

}  // namespace kv
