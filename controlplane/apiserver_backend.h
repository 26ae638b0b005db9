// The apiserver backend: etcd and kube-apiserver on free 127.0.0.1 ports with kvalidate's own PKI,
// data and logs in the state dir. Builds the command lines and the LaunchPlan that launch() runs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "controlplane/launch.h"
#include "controlplane/pki.h"
#include "core/status.h"

namespace kv::controlplane {

struct ApiserverConfig {
  std::string dir;                       // state dir (pki/, etcd-data/ inside)
  std::string etcd_bin, apiserver_bin;   // absolute paths
  int etcd_client_port = 0, etcd_peer_port = 0, apiserver_port = 0;  // 0 (or taken): a free one is picked
  int kube_minor = 0;                    // of apiserver_bin (0 = unknown: the newest behaviour)
  bool full = false;                     // a full plane: the ServiceAccount admission plugin stays on
  // An etcd data folder (a template, controlplane/data_template.h) copied to <dir>/etcd-data when that
  // does not exist yet; the plane then waits for kReadyzBootstrapped only. "" = start on what is there.
  std::string template_data;
};

// etcd's argv: one member on 127.0.0.1, TLS for clients with client-certificate auth, no fsync, and a
// short election timeout (a lone member elects itself after it: the default made a start wait ~0.5 s).
std::vector<std::string> etcd_command(const ApiserverConfig& c);
// kube-apiserver's argv: RBAC, ServiceAccount admission off unless `full` (only a full plane has the
// controller that creates `default`), service-account keys, etcd over TLS, bound to 127.0.0.1 only; the
// admission-policy APIs that this version has off by default turned on (controlplane/policy_apis.h).
std::vector<std::string> apiserver_command(const ApiserverConfig& c);

// Loads the PKI in <dir>/pki, or makes and writes a new one when it is missing or unusable.
Result<Pki> ensure_pki(const std::string& dir);

// The minor version `apiserver_bin --version` reports, 0 when it does not say.
int probe_kube_minor(const std::string& apiserver_bin);
// probe_kube_minor, remembered in <root>/minors/ per binary identity (path, size, mtime): a probe starts
// a 100 MB Go program, about 90 ms of a start. A failed probe (0) is not remembered.
int known_kube_minor(const std::string& apiserver_bin, const std::string& root);

// The environment kube-apiserver runs with: GOGC=400. Measured on a start from a template: 25-30 % less
// CPU before it serves (1.5-1.7 s instead of 2.0-2.4 s) for about 80 MB more RSS (330 instead of 250).
std::map<std::string, std::string> apiserver_env();

// The data template key of planes started with `c` (its kube_minor known): the canonical command lines
// (c's dir and ports replaced by fixed ones) and the binaries' identities. Not the host: a template
// restored from a CI cache on another runner serves as well (start_template.cpp drops what names one).
std::string apiserver_template_key(const ApiserverConfig& c);

// Asks apiserver_bin for its version (kube_minor, when 0), copies c.template_data (see there), picks free ports, writes the kubeconfig (0600) and
// returns the plan. Fails when the PKI or the kubeconfig cannot be written or no port is free.
Result<LaunchPlan> apiserver_plan(ApiserverConfig c);

}  // namespace kv::controlplane
