// Asking an external program (helm, kube-apiserver, etcd, kubectl, k3s) for its version, as `kvalidate
// version` reports it: each tool words it differently.
#pragma once

#include <string>

namespace kv {

// The version in `out`, what `name` printed when asked (see ask_tool_version): kubectl's JSON
// clientVersion.gitVersion, else the first "X.Y.Z..." as "vX.Y.Z...". "" with `error` set when there is none.
std::string parse_tool_version(const std::string& name, const std::string& out, std::string& error);

// Runs the executable at `path` (10 s at most) the way `name` says its version ("helm version --template",
// "kubectl version --client -o json", else "--version") and parses the answer. "" with `error` set when
// it cannot be run, exits non-zero, or says no version.
std::string ask_tool_version(const std::string& name, const std::string& path, std::string& error);

}  // namespace kv
