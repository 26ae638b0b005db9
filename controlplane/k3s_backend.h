// The k3s backend: `k3s server --disable-agent` (control plane only) bound to 127.0.0.1, data, kubeconfig
// (0600) and log in the state dir. Builds the command line and the LaunchPlan that launch() runs.
#pragma once

#include <string>
#include <vector>

#include "controlplane/launch.h"
#include "core/status.h"

namespace kv::controlplane {

struct K3sConfig {
  std::string dir;        // state dir (k3s/ data inside, kubeconfig beside)
  std::string k3s_bin;    // absolute path
  int https_port = 0;     // supervisor and API port; k3s' internal apiserver uses https_port + 1
};

// k3s' argv: no agent (no kubelet, containerd or CNI), no packaged add-ons, loopback only.
std::vector<std::string> k3s_command(const K3sConfig& c);

// Picks a free port pair and returns the plan; the credentials come from the kubeconfig k3s writes.
Result<LaunchPlan> k3s_plan(K3sConfig c);

}  // namespace kv::controlplane
