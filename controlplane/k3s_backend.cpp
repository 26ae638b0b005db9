#include "controlplane/k3s_backend.h"

#include <unistd.h>

#include <fmt/core.h>

#include "controlplane/files.h"
#include "controlplane/ports.h"
#include "kube/kubeconfig.h"

namespace kv::controlplane {

std::vector<std::string> k3s_command(const K3sConfig& c) {
  return {
      c.k3s_bin,
      "server",
      "--disable-agent",
      "--data-dir=" + c.dir + "/k3s",
      "--write-kubeconfig=" + c.dir + "/kubeconfig",
      "--write-kubeconfig-mode=0600",
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      fmt::format("--https-listen-port={}", c.https_port),
      "--tls-san=127.0.0.1",
      "--disable=traefik,servicelb,metrics-server,local-storage,coredns",
      "--disable-network-policy",
      "--disable-cloud-controller",
      "--disable-helm-controller",
      "--disable-scheduler",
      "--flannel-backend=none",
      "--egress-selector-mode=disabled",
  };
}

Result<LaunchPlan> k3s_plan(K3sConfig c) {
  KV_RETURN_IF_ERROR(make_private_dir(c.dir + "/k3s"));
  auto port = free_port({}, /*pair=*/true);
  if (!port.ok()) return port.status();
  c.https_port = *port;
  LaunchPlan plan;
  plan.backend = "k3s";
  plan.server = fmt::format("https://127.0.0.1:{}", c.https_port);
  plan.kubeconfig = c.dir + "/kubeconfig";
  plan.ports = {{"k3s", c.https_port}};
  plan.components = {{"k3s", k3s_command(c), "k3s"}};
  // A kubeconfig left by an earlier run must not be mistaken for this one's.
  ::unlink(plan.kubeconfig.c_str());
  std::string kubeconfig = plan.kubeconfig;
  plan.credentials = [kubeconfig]() -> Result<kube::Cluster> {
    auto text = read_file(kubeconfig);
    if (!text.ok() || text->empty()) return Status::NotFound("k3s has not written " + kubeconfig + " yet");
    auto cluster = kube::load_kubeconfig(kubeconfig);
    if (!cluster.ok()) return Status::NotFound(cluster.status().message());  // possibly half-written: retry
    return cluster;
  };
  return plan;
}

}  // namespace kv::controlplane
