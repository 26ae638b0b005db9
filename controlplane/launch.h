// Starting a plane's processes detached, recording them as they start, waiting for /readyz, and tearing
// everything down again when that fails: the backend-independent half of starting a plane.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "controlplane/state.h"
#include "core/status.h"
#include "kube/cluster.h"

namespace kv::controlplane {

struct Component {
  std::string name;                    // "etcd", "apiserver", "k3s": also the log file's name
  std::vector<std::string> argv;       // argv[0] an absolute path
  std::string exe;                     // expected executable base name (for the pid record)
};

struct LaunchPlan {
  std::string backend;                 // "apiserver" or "k3s"
  std::string server;                  // https://127.0.0.1:PORT
  std::string kubeconfig;              // where the kubeconfig is (written by the backend or by us)
  std::map<std::string, int> ports;
  std::vector<Component> components;   // started in this order
  // Admin credentials for the plane; NotFound means "not yet" (k3s writes its kubeconfig late).
  std::function<Result<kube::Cluster>()> credentials;
  // Called once /readyz answers, to fill versions that are not read from /version.
  std::function<void(State&)> after_ready;
};

struct Launched {
  State state;
  kube::Cluster cluster;
};

// Starts the plan's components in `dir`, writes state.json as each starts (phase "starting", then
// "ready"), and waits until GET /readyz returns 200 or `deadline`. On failure every component started
// is stopped, state.json removed, and Unavailable returned with the failing component's last log
// lines; `port_taken` is set when the failure was a port already in use (the caller picks new ports).
Result<Launched> launch(const std::string& dir, const LaunchPlan& plan,
                        std::chrono::steady_clock::time_point deadline, bool& port_taken);

// Stops every recorded process that is still the one kvalidate started (reverse start order).
// Returns false when one of them would not die. `just_spawned`: see stop_process.
bool stop_recorded(const State& s, bool just_spawned = false);

// GET /readyz with `cluster`'s credentials: true on HTTP 200. `detail` gets the reason otherwise.
bool plane_ready(const kube::Cluster& cluster, std::string* detail = nullptr, long timeout_ms = 2000);

// The gitVersion the API server reports at /version, or "" when it does not answer.
std::string server_version(const kube::Cluster& cluster);

}  // namespace kv::controlplane
