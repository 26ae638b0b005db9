// `kvalidate status`: is kvalidate's control plane running and healthy; backend, versions, endpoint,
// pids, uptime, kubeconfig; then the same for each --kube-version plane. Starts nothing, takes no lock.
#include <cstdio>

#include "cli/command.h"
#include "controlplane/ensure.h"
#include "controlplane/status_report.h"

namespace kv::cli {

namespace {

struct StatusOptions {
  std::string output = "text";
};

int run_status(const StatusOptions& o) {
  auto r = controlplane::status_report(controlplane::state_dir(""), o.output == "json");
  fwrite(r.output.data(), 1, r.output.size(), stdout);
  return r.exit_code;
}

Registrar reg({"status", "Show kvalidate's control plane: backend, versions, endpoint, pids, uptime, "
                         "kubeconfig, health", 12,
               [](CLI::App* cmd) -> std::function<int()> {
                 auto opts = std::make_shared<StatusOptions>();
                 cmd->footer("Starts nothing. Lists the default plane and every --kube-version plane. Exit 0 "
                             "when a plane runs and every recorded one is healthy (/readyz answers), 3 otherwise.");
                 cmd->add_option("-o,--output", opts->output, "text or json")->check(CLI::IsMember({"text", "json"}));
                 return [opts] { return run_status(*opts); };
               }});

}  // namespace

}  // namespace kv::cli
