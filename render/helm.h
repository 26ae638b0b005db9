// Finding the helm binary kvalidate renders charts with (Helm 4 by default, Helm 3 when asked), and
// telling Helm 3 from Helm 4.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/process.h"
#include "core/status.h"

namespace kv::render {

struct Helm {
  std::string path;     // absolute path of the executable
  std::string source;   // where it was found: "--helm", "KVALIDATE_HELM", ".kvalidate.yaml", "PATH", "cache"
  std::string version;  // "v4.3.2", from `helm version --template '{{.Version}}'`
  int major = 4;        // 3 or 4
};

// Which helm the user asked for, in order of precedence: --helm, then $KVALIDATE_HELM, then the config's
// `helm:`. Each is "3" or "4" (that major: the PATH helm when it is that major, else the newest of that
// major in kvalidate's cache), or a path / a command name on PATH. All empty: the default, find_tool("helm")
// (PATH, then the newest helm in kvalidate's cache, which tools/go/build.sh makes Helm 4).
struct HelmRequest {
  std::string flag;         // --helm
  std::string config;       // .kvalidate.yaml `helm:` (a path there is already absolute)
  std::string config_file;  // names the config in messages
};

// Locates the helm `req` asks for and asks it its version (remembered per binary in kvalidate's cache).
// Fails with InvalidInput (exit 2) when an explicit choice names no executable, and Unavailable (exit 3)
// saying how to get helm when none is found, when it does not run, or when it is not Helm 3 or 4.
Result<Helm> find_helm(const HelmRequest& req = {});

// Every distinct helm binary kvalidate can see ($KVALIDATE_HELM, PATH, each version in its cache), with
// its version ("" when it would not say), in that order. For `kvalidate version`.
std::vector<Helm> available_helms();

// Parses "v3.22.0" / "v4.0.1+gabc" into its major version; 0 when it is not a version.
int helm_major_version(const std::string& version);

// Runs helm with `args` (helm itself prepended) and `env` added to its environment. KUBECONFIG is
// /dev/null unless `env` sets it: helm reaches no cluster unless asked to. Fails only when helm cannot
// be started or timed out.
Result<RunResult> run_helm(const Helm& helm, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {});

}  // namespace kv::render
