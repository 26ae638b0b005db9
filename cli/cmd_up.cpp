// `kvalidate up`: ensure the control plane (start it, or reuse the running one) and say where its
// kubeconfig is.
#include <chrono>

#include <fmt/core.h>

#include "cli/command.h"
#include "cli/options.h"
#include "controlplane/ensure.h"

namespace kv::cli {

namespace {

struct UpOptions {
  ClusterFlags cluster;
  ConfigFlags config;
};

int run_up(UpOptions& o, const CLI::App& cmd) {
  auto cfg = load_command_config(o.config);
  if (!cfg.ok()) {
    fmt::print(stderr, "kvalidate up: {}\n", cfg.status().message());
    return cfg.status().exit_code();
  }
  if (*cfg) apply_cluster_config(**cfg, cmd, o.cluster);
  auto eo = ensure_options(o.cluster);
  if (!eo.ok()) {
    fmt::print(stderr, "kvalidate up: {}\n", eo.status().message());
    return eo.status().exit_code();
  }
  auto t0 = std::chrono::steady_clock::now();
  auto plane = controlplane::ensure_plane(*eo);
  if (!plane.ok()) {
    fmt::print(stderr, "kvalidate up: {}\n", plane.status().message());
    return plane.status().exit_code();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (plane->backend == "external")
    fmt::print("using existing cluster {} (context \"{}\"): reachable\n", plane->cluster.server, plane->cluster.context);
  else if (plane->started_now)
    fmt::print("control plane started ({}{}) in {:.1f}s: {}\n", plane->backend, plane->full ? ", full" : "", secs,
               plane->cluster.server);
  else
    fmt::print("control plane running ({}{}): {}\n", plane->backend, plane->full ? ", full" : "", plane->cluster.server);
  if (!plane->note.empty()) fmt::print("note: {}\n", plane->note);
  fmt::print("kubeconfig: {}\n", plane->kubeconfig_path);
  if (plane->backend != "external")
    fmt::print("  use it with: export KUBECONFIG={}   (or: eval \"$(kvalidate env)\")\n", plane->kubeconfig_path);
  return 0;
}

Registrar reg({"up", "Start kvalidate's control plane, or reuse the running one; print its kubeconfig", 10,
               [](CLI::App& app) -> std::function<int()> {
                 auto opts = std::make_shared<UpOptions>();
                 CLI::App* cmd = app.add_subcommand(
                     "up", "Start kvalidate's control plane (kube-apiserver+etcd, or k3s; with --full also "
                           "kube-controller-manager, kube-scheduler and simulated nodes), or reuse the one running; "
                           "print where its kubeconfig is");
                 cmd->footer("Exit 0 when ready, 3 when it cannot be started or is not ready within --wait "
                             "(the log's last lines are shown and nothing is left running), 2 for bad flags.");
                 add_cluster_flags(cmd, opts->cluster);
                 add_config_flags(cmd, opts->config);
                 return [opts, cmd] { return run_up(*opts, *cmd); };
               }});

}  // namespace

}  // namespace kv::cli
