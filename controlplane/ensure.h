// The ensure step every cluster-needing command runs first: use the external cluster the user named,
// else reuse the plane kvalidate started earlier, else start one (kube-apiserver+etcd or k3s).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "controlplane/phases.h"
#include "core/status.h"
#include "core/tool_build.h"
#include "kube/cluster.h"

namespace kv::controlplane {

struct EnsureOptions {
  std::string kubeconfig;             // --kubeconfig or $KVALIDATE_KUBECONFIG: external cluster
  std::string context;                // --context (implies external, with $KUBECONFIG or ~/.kube/config)
  std::string backend = "auto";       // auto | apiserver | k3s
  std::chrono::milliseconds wait{std::chrono::seconds(60)};  // readiness timeout when starting
  std::string home;                   // state dir; "" = $KVALIDATE_HOME or ${XDG_STATE_HOME:-~/.local/state}/kvalidate
  // A full plane: controller-manager, scheduler and simulated nodes too. A plain plane already running
  // is restarted as a full one on the same data; an external cluster is used as it is.
  bool full = false;
  // Sees the progress of a first-use build of the full plane's programs (the CLI prints it on stderr).
  std::function<void(std::string_view)> progress;
  std::string as_user, as_uid;        // --as, --as-uid: impersonate (external clusters and owned planes alike)
  std::vector<std::string> as_groups; // --as-group, repeatable
  // "" = the default plane (the newest kube-apiserver found). Else an exact pinned version ("v1.35.4",
  // see core/kube_versions.h): the default plane when it runs that version, else the version's own
  // plane in <state dir>/<version>/, its binaries built first when the cache lacks them.
  std::string kube_version;
  BuildProgressFn build_progress;     // told about such a build (null: silent)
};

struct Plane {
  kube::Cluster cluster;              // how to reach it (admin credentials for owned planes)
  bool owned = false;                 // started by kvalidate: objects may be created for real
  std::string backend;                // "apiserver", "k3s" or "external"
  std::string kubeconfig_path;
  bool started_now = false;           // this call started it
  bool full = false;                  // runs the full plane's components
  std::string note;                   // what the user should know about this start ("" = nothing)
  std::string server_version;         // owned planes: the kube-apiserver version recorded at start
  std::string dir;                    // owned planes: their state dir
  std::vector<Phase> phases;          // started_now: how long each step took (`up -v`)
};

// Returns a ready plane, or Unavailable (exit 3) with a message saying what failed and how to fix it,
// or InvalidInput (exit 2) for a bad --kubeconfig/--context.
Result<Plane> ensure_plane(const EnsureOptions& opts);

// ensure_plane for each entry, all at once (their starts overlap); results in the same order.
std::vector<Result<Plane>> ensure_planes(const std::vector<EnsureOptions>& opts);

// The state directory to use for `home` (see EnsureOptions::home).
std::string state_dir(const std::string& home);

// Where the plane of pinned version `kube_version` keeps its state: <state_dir>/<kube_version>.
std::string version_plane_dir(const std::string& state_dir, const std::string& kube_version);

// The state dirs of every version plane recorded under `state_dir` (those holding a state.json),
// oldest version first.
std::vector<std::string> version_plane_dirs(const std::string& state_dir);

}  // namespace kv::controlplane
