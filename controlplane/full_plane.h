// A full plane's components beside kube-apiserver + etcd: kube-controller-manager and kube-scheduler,
// each with its own client certificate and kubeconfig from the plane's PKI, leader election off, serving
// on 127.0.0.1 only; and KWOK, which keeps simulated nodes Ready and plays their pods' lifecycle.
// Builds their command lines and files, starts them on a plane whose API server is ready, waits for them.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "controlplane/full_binaries.h"
#include "controlplane/launch.h"
#include "controlplane/state.h"
#include "core/status.h"
#include "kube/cluster.h"

namespace kv::controlplane {

struct FullConfig {
  std::string dir;                      // state dir (pki/ and kwok/ inside)
  FullBinaries bins;
  int controller_manager_port = 0, scheduler_port = 0;
};

// Where each component's kubeconfig is written (inside pki/, removed with it).
std::string component_kubeconfig(const std::string& dir, const std::string& component);

// kube-controller-manager: every default controller, each with its own ServiceAccount's credentials; the
// token controller signs with the plane's service-account key and publishes the plane's CA; CSRs are
// signed by the plane's CA.
std::vector<std::string> controller_manager_command(const FullConfig& c);
std::vector<std::string> scheduler_command(const FullConfig& c);
// KWOK (empty when there is no kwok binary): manages only nodes carrying kvalidate's annotation; it
// opens no port; KWOK_WORKDIR keeps it from reading the user's ~/.kwok.
std::vector<Component> kwok_components(const FullConfig& c);

// Issues the components' client certificates (CN system:kube-controller-manager and
// system:kube-scheduler, which the bootstrap RBAC policy binds to their roles; KWOK, standing in for
// every kubelet, in system:masters) and writes their kubeconfigs for `server`, and KWOK's stages.
Status write_full_files(const FullConfig& c, const std::string& server);

// Starts the components on the plane recorded in `s` (its API server ready, reached with the admin
// credentials `admin`), records them in `s` (s.full set), registers the simulated nodes, and waits until
// the controller-manager and scheduler answer /healthz on their ports and every simulated node is Ready
// and untainted. Unavailable (with the failing component's last log lines) when one exits or `deadline`
// passes; the caller then stops everything recorded.
Status start_full(FullConfig c, State& s, const kube::Cluster& admin, std::chrono::steady_clock::time_point deadline);

}  // namespace kv::controlplane
