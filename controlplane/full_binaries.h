// Finding the full plane's programs (kube-controller-manager, kube-scheduler, kwok) for the
// kube-apiserver in use, and building them once into kvalidate's cache when they are missing.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kv::controlplane {

struct FullBinaries {
  std::string controller_manager, scheduler;  // absolute paths, the apiserver's Kubernetes version
  std::string kwok;                           // "" = no simulated nodes; kwok_missing says why
  std::string kwok_missing;
};

// Where a missing program comes from: a runner for `tools/go/build.sh TARGET...` (the real one runs the
// script of the source tree this binary was built from), so tests can stand in for a multi-minute build.
using BuildRunner = std::function<Status(const std::vector<std::string>& targets)>;

// kube-controller-manager and kube-scheduler: $KVALIDATE_KUBE_CONTROLLER_MANAGER / $KVALIDATE_KUBE_SCHEDULER,
// else beside `apiserver_path` (the same version; a controller-manager of another version is never
// mixed in). kwok: find_tool("kwok"). What is missing is built with `build` (targets kubernetes-full,
// kwok) when the apiserver is one of kvalidate's cached builds, then looked up again.
// Unavailable naming the missing program and how to get it when the controller-manager or scheduler
// cannot be had; a kwok that cannot be had is not an error: `kwok` stays "" and `kwok_missing` holds
// the exact reason (the plane then runs without simulated nodes, pods stay Pending).
Result<FullBinaries> find_full_binaries(const std::string& apiserver_path, const BuildRunner& build);

// The real BuildRunner: runs tools/go/build.sh (core/tool_build.h's build_script()) with `progress` seeing its stderr as it
// comes. Unavailable when the script or `go` is missing, or the build fails (with its last lines).
BuildRunner go_build_runner(std::function<void(std::string_view)> progress);

}  // namespace kv::controlplane
