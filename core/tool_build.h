// Building a pinned Kubernetes version's binaries on first use with tools/go/build.sh (of the source
// tree kvalidate was built from) into the shared cache, telling the user what is going on meanwhile.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"

namespace kv {

struct BuildProgress {
  std::string version;      // "v1.35.4"
  std::string step;         // "waiting for another build to finish", "building kube-apiserver kubectl", ...
  double elapsed_s = 0;
  bool done = false;        // the last call, after a successful build
};
using BuildProgressFn = std::function<void(const BuildProgress&)>;

// The build script: $KVALIDATE_TOOLS_DIR/build.sh when set, else the source tree's; nullopt when it is
// not there (an installed kvalidate without its sources).
std::optional<std::string> build_script();

// True when the cache holds kube-apiserver of exactly `version` and some etcd.
bool kube_binaries_cached(const std::string& version);

// Makes sure kube_binaries_cached(version): returns Ok at once when so, else runs
// `build.sh kubernetes@VERSION etcd` (which waits on the cache's lock while another build runs) and
// calls `progress` when the step changes, every `every`, and once when done. Unavailable (exit 3) when
// the script is missing or the build fails, with the build log's last lines.
Status ensure_kube_binaries(const std::string& version, const BuildProgressFn& progress,
                            std::chrono::seconds every = std::chrono::seconds(20));

// The step a build is at, from build.sh's log so far (see BuildProgress::step).
std::string build_step(const std::string& log);

// One progress line for people: "Kubernetes v1.35.4 (first use): building kube-apiserver kubectl, 1m05s".
std::string format_build_progress(const BuildProgress& p);

}  // namespace kv
