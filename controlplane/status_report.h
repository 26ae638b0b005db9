// What `kvalidate status` shows: the default plane and every --kube-version plane of a state dir, as text
// or JSON (backend, versions, endpoint, pids, uptime, kubeconfig, health), and the exit code that goes
// with it. Starts nothing, takes no lock.
#pragma once

#include <cstdint>
#include <string>

#include "controlplane/lifecycle.h"

namespace kv::controlplane {

// "42s", "3m05s", "2h07m", "1d03h".
std::string human_duration(int64_t seconds);

// One plane as text, each line ending in "\n". `title`: "control plane" for the default one,
// "Kubernetes v1.35.4 plane" for a --kube-version one; `now`: seconds since the epoch (for the uptime).
std::string plane_text(const PlaneStatus& st, const std::string& title, int64_t now);

struct StatusReport {
  std::string output;  // what to print on stdout (ends in "\n")
  int exit_code = 0;   // 0 when a plane runs and every recorded one is healthy, 3 otherwise
};

// Reads the default plane of `state_dir` and each of its --kube-version planes (plane_status checks
// processes and /readyz) and words them as text or, when `json`, one JSON object.
StatusReport status_report(const std::string& state_dir, bool json);

}  // namespace kv::controlplane
