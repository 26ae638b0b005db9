// The ensure step every cluster-needing command runs first: use the external cluster the user named,
// else reuse the plane kvalidate started earlier, else start one (kube-apiserver+etcd or k3s).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"
#include "kube/cluster.h"

namespace kv::controlplane {

struct EnsureOptions {
  std::string kubeconfig;             // --kubeconfig or $KVALIDATE_KUBECONFIG: external cluster
  std::string context;                // --context (implies external, with $KUBECONFIG or ~/.kube/config)
  std::string backend = "auto";       // auto | apiserver | k3s
  std::chrono::seconds wait{60};      // readiness timeout when starting
  std::string home;                   // state dir; "" = $KVALIDATE_HOME or ${XDG_STATE_HOME:-~/.local/state}/kvalidate
  std::string as_user, as_uid;        // --as, --as-uid: impersonate (external clusters and owned planes alike)
  std::vector<std::string> as_groups; // --as-group, repeatable
};

struct Plane {
  kube::Cluster cluster;              // how to reach it (admin credentials for owned planes)
  bool owned = false;                 // started by kvalidate: objects may be created for real
  std::string backend;                // "apiserver", "k3s" or "external"
  std::string kubeconfig_path;
  bool started_now = false;           // this call started it
};

// Returns a ready plane, or Unavailable (exit 3) with a message saying what failed and how to fix it,
// or InvalidInput (exit 2) for a bad --kubeconfig/--context.
Result<Plane> ensure_plane(const EnsureOptions& opts);

// The state directory to use for `home` (see EnsureOptions::home).
std::string state_dir(const std::string& home);

}  // namespace kv::controlplane
