// Starting a plane's processes detached, recording them as they start, waiting for /readyz, and tearing
// everything down again when that fails: the backend-independent half of starting a plane.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "controlplane/phases.h"
#include "controlplane/state.h"
#include "core/status.h"
#include "kube/cluster.h"

namespace kv::controlplane {

struct Component {
  std::string name;                    // "etcd", "apiserver", "k3s": also the log file's name
  std::vector<std::string> argv;       // argv[0] an absolute path
  std::string exe;                     // expected executable base name (for the pid record)
  std::map<std::string, std::string> env = {};  // added to the inherited environment
  // > 0: the next component starts once this port accepts connections (etcd's client port: a
  // kube-apiserver that dials etcd before it listens backs off for about a second).
  int wait_port = 0;
};

struct LaunchPlan {
  std::string backend;                 // "apiserver" or "k3s"
  std::string server;                  // https://127.0.0.1:PORT
  std::string kubeconfig;              // where the kubeconfig is (written by the backend or by us)
  std::map<std::string, int> ports;
  std::vector<Component> components;   // started in this order
  // What must answer 200 before the plane counts as ready (see kReadyzBootstrapped).
  std::string ready_path = "/readyz";
  // Admin credentials for the plane; NotFound means "not yet" (k3s writes its kubeconfig late).
  std::function<Result<kube::Cluster>()> credentials;
  // Called once /readyz answers, to fill versions that are not read from /version.
  std::function<void(State&)> after_ready;
  // Run once /readyz answers, before the plane is marked ready: starts what needs a ready API server
  // (a full plane's controllers and simulated nodes), recording it in the state. A failure aborts the start.
  std::function<Status(State&, const kube::Cluster& admin, std::chrono::steady_clock::time_point deadline)>
      start_after_ready;
};

struct Launched {
  State state;
  kube::Cluster cluster;
  std::vector<Phase> phases;           // from spawning to recorded ready
};

// /readyz without the post-start hooks that only write the API server's bootstrap objects (RBAC roles,
// priority classes, flow-control defaults): for a plane whose etcd data already holds them (started
// from a template, or ready once before). Every other check (etcd, informers synced, the CRD and
// API-service controllers) still counts.
extern const char* const kReadyzBootstrapped;

// What a recorded plane must answer to count as ready: kReadyzBootstrapped for a kube-apiserver plane
// recorded ready (its data holds the bootstrap objects), else /readyz.
std::string recorded_ready_path(const State& s);

// Starts the plan's components in `dir`, writes state.json as each starts (phase "starting", then
// "ready"), and waits until GET /readyz returns 200 or `deadline`. On failure every component started
// is stopped, state.json removed, and Unavailable returned with the failing component's last log
// lines; `port_taken` is set when the failure was a port already in use (the caller picks new ports).
Result<Launched> launch(const std::string& dir, const LaunchPlan& plan,
                        std::chrono::steady_clock::time_point deadline, bool& port_taken);

// Starts each component detached (its log rotated), appends it to `s.processes` and writes state.json
// after each, so that a crash never leaves an unrecorded process; a component's `wait_port` is awaited
// (until `deadline`, marked in `timer` when given) before the next starts. Fails on the first that
// cannot start, or that exits or does not listen in time.
Status spawn_components(const std::string& dir, const std::vector<Component>& components, State& s,
                        std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max(),
                        PhaseTimer* timer = nullptr);

// Gives up a start: stops every process recorded in `s` (just spawned), removes state.json, and returns
// Unavailable with `what` and, when `component` is set, the last lines of its log.
Status abort_start(const std::string& dir, const State& s, const std::string& what, const std::string& component);

// Stops every recorded process that is still the one kvalidate started (reverse start order).
// Returns false when one of them would not die. `just_spawned`: see stop_process.
bool stop_recorded(const State& s, bool just_spawned = false);

// GET /readyz with `cluster`'s credentials: true on HTTP 200. `detail` gets the reason otherwise.
bool plane_ready(const kube::Cluster& cluster, std::string* detail = nullptr, long timeout_ms = 2000);
// GET `path` on `cluster`: true on HTTP 200, else false with the reason in `detail`.
bool endpoint_ok(const kube::Cluster& cluster, const std::string& path, std::string* detail = nullptr,
                 long timeout_ms = 2000);

// The gitVersion the API server reports at /version, or "" when it does not answer.
std::string server_version(const kube::Cluster& cluster);

}  // namespace kv::controlplane
