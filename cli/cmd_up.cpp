// `kvalidate up`: ensure the control plane (start it, or reuse the running one) and say where its
// kubeconfig is; with --kube-version, one plane per version (building a version's binaries first when
// the cache lacks them).
#include <algorithm>
#include <chrono>

#include <fmt/core.h>

#include "cli/command.h"
#include "cli/options.h"
#include "controlplane/ensure.h"
#include "core/exit_codes.h"

namespace kv::cli {

namespace {

struct UpOptions {
  ClusterFlags cluster;
  ConfigFlags config;
  bool verbose = false;
};

// `up -v`: how long each step of a start took; what came before the first (finding the binaries, the
// checks of a recorded plane, the lock) is the rest of the total.
void print_phases(const controlplane::Plane& plane, double secs) {
  long total = static_cast<long>(secs * 1000), sum = 0;
  for (const auto& ph : plane.phases) sum += ph.ms;
  fmt::print("  {:<28} {:>5} ms\n", "checks and lock", std::max(0L, total - sum));
  for (const auto& ph : plane.phases) fmt::print("  {:<28} {:>5} ms\n", ph.name, ph.ms);
  fmt::print("  {:<28} {:>5} ms\n", "total", total);
}

// `versioned`: one of several planes of --kube-version, named by its version.
void print_plane(const controlplane::Plane& plane, double secs, bool versioned) {
  if (versioned) fmt::print("Kubernetes {}: ", plane.server_version);
  const char* full = plane.full ? ", full" : "";
  if (plane.backend == "external")
    fmt::print("using existing cluster {} (context \"{}\"): reachable\n", plane.cluster.server, plane.cluster.context);
  else if (plane.started_now)
    fmt::print("control plane started ({}{}) in {:.1f}s: {}\n", plane.backend, full, secs, plane.cluster.server);
  else
    fmt::print("control plane running ({}{}): {}\n", plane.backend, full, plane.cluster.server);
  if (!plane.note.empty()) fmt::print("note: {}\n", plane.note);
  fmt::print("kubeconfig: {}\n", plane.kubeconfig_path);
  if (plane.backend != "external" && !versioned)
    fmt::print("  use it with: export KUBECONFIG={}   (or: eval \"$(kvalidate env)\")\n", plane.kubeconfig_path);
}

int run_up(UpOptions& o, const CLI::App& cmd) {
  auto cfg = engine::load_command_config(o.config);
  if (!cfg.ok()) {
    fmt::print(stderr, "kvalidate up: {}\n", cfg.status().message());
    return cfg.status().exit_code();
  }
  if (*cfg) engine::apply_cluster_config(**cfg, given_flags(cmd), o.cluster);
  auto eos = engine::ensure_options_per_version(o.cluster);
  if (!eos.ok()) {
    fmt::print(stderr, "kvalidate up: {}\n", eos.status().message());
    return eos.status().exit_code();
  }
  auto t0 = std::chrono::steady_clock::now();
  auto planes = controlplane::ensure_planes(*eos);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int rc = exit_code::kClean;
  for (auto& plane : planes) {
    if (!plane.ok()) {
      fmt::print(stderr, "kvalidate up: {}\n", plane.status().message());
      rc = std::max(rc, plane.status().exit_code());
      continue;
    }
    print_plane(*plane, secs, !o.cluster.kube_versions.empty());
    if (o.verbose && plane->started_now) print_phases(*plane, secs);
  }
  return rc;
}

Registrar reg({"up", "Start kvalidate's control plane (kube-apiserver+etcd, or k3s; with --full also "
                     "kube-controller-manager, kube-scheduler and simulated nodes), or reuse the one running; "
                     "print where its kubeconfig is", 10,
               [](CLI::App* cmd) -> std::function<int()> {
                 auto opts = std::make_shared<UpOptions>();
                 cmd->footer("Exit 0 when ready, 3 when it cannot be started or is not ready within --wait "
                             "(the log's last lines are shown and nothing is left running), 2 for bad flags. "
                             "With --kube-version: one plane per version, started together; a version not "
                             "built yet is built first (several minutes, once).");
                 add_cluster_flags(cmd, opts->cluster);
                 add_config_flags(cmd, opts->config);
                 cmd->add_flag("-v,--verbose", opts->verbose, "When it starts a plane: how long each step took (ms)");
                 return [opts, cmd] { return run_up(*opts, *cmd); };
               }});

}  // namespace

}  // namespace kv::cli
