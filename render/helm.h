// Finding the helm binary kvalidate renders charts with, and telling Helm 3 from Helm 4.
#pragma once

#include <string>
#include <vector>

#include "core/process.h"
#include "core/status.h"

namespace kv::render {

struct Helm {
  std::string path;     // absolute path of the executable
  std::string source;   // where it was found: "KVALIDATE_HELM", "PATH", "cache"
  std::string version;  // "v3.22.0", from `helm version --template '{{.Version}}'`
  int major = 3;        // 3 or 4
};

// Locates helm with kv::find_tool("helm") (KVALIDATE_HELM, PATH, kvalidate's cache) and asks it its
// version. Fails with Status::Unavailable (exit 3) saying how to get helm when none is found, when it
// does not run, or when it is older than Helm 3.
Result<Helm> find_helm();

// Parses "v3.22.0" / "v4.0.1+gabc" into its major version; 0 when it is not a version.
int helm_major_version(const std::string& version);

// Runs helm with `args` (helm itself prepended). Fails only when helm cannot be started or timed out.
Result<RunResult> run_helm(const Helm& helm, const std::vector<std::string>& args);

}  // namespace kv::render
