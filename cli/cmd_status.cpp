// `kvalidate status`: is kvalidate's control plane running and healthy; backend, versions, endpoint,
// pids, uptime, kubeconfig. Starts nothing, takes no lock.
#include <ctime>

#include <fmt/core.h>
#include <fmt/format.h>

#include "cli/command.h"
#include "controlplane/ensure.h"
#include "controlplane/kwok_config.h"
#include "controlplane/lifecycle.h"
#include "core/exit_codes.h"
#include "core/json.h"

namespace kv::cli {

namespace {

struct StatusOptions {
  std::string output = "text";
};

std::string human_duration(int64_t s) {
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600);
}

// What a full plane runs besides the API server, e.g. "controller-manager, scheduler, 3 simulated nodes (kwok)".
std::string full_summary(const controlplane::State& s) {
  std::vector<std::string> parts;
  bool kwok = false;
  for (const auto& p : s.processes) {
    if (p.component == "controller-manager" || p.component == "scheduler") parts.push_back(p.component);
    kwok = kwok || p.component == "kwok";
  }
  parts.push_back(kwok ? fmt::format("{} simulated nodes (kwok)", controlplane::kSimulatedNodes)
                       : std::string("no simulated nodes (kwok unavailable: pods stay Pending)"));
  return fmt::format("{}", fmt::join(parts, ", "));
}

int run_status(const StatusOptions& o) {
  auto st = controlplane::plane_status(controlplane::state_dir(""));
  const auto& s = st.state;
  int64_t uptime = st.running && s.started_at > 0 ? static_cast<int64_t>(std::time(nullptr)) - s.started_at : 0;
  int rc = st.healthy ? exit_code::kClean : exit_code::kInfrastructure;
  if (o.output == "json") {
    JsonWriter w;
    w.begin_object();
    w.key("running").value(st.running);
    w.key("healthy").value(st.healthy);
    w.key("stateDir").value(st.dir);
    if (st.recorded) {
      w.key("backend").value(s.backend);
      w.key("phase").value(s.phase);
      w.key("full").value(s.full);
      w.key("endpoint").value(s.server);
      w.key("kubeconfig").value(s.kubeconfig);
      w.key("startedAt").value(s.started_at);
      w.key("uptimeSeconds").value(uptime);
      w.key("versions").begin_object();
      for (const auto& [k, v] : s.versions) w.key(k).value(v);
      w.end_object();
      w.key("processes").begin_array();
      for (size_t i = 0; i < s.processes.size(); ++i) {
        w.begin_object();
        w.key("component").value(s.processes[i].component);
        w.key("pid").value(static_cast<int64_t>(s.processes[i].pid));
        w.key("running").value(i < st.process_running.size() && st.process_running[i]);
        w.end_object();
      }
      w.end_array();
    }
    w.key("detail").value(st.healthy ? "" : st.detail);
    w.end_object();
    fmt::print("{}\n", w.str());
    return rc;
  }
  if (!st.recorded) {
    fmt::print("control plane: not running (state dir {})\n", st.dir);
    if (st.detail != "not running") fmt::print("  ({})\n", st.detail);
    return rc;
  }
  if (!st.running)
    fmt::print("control plane: not running: {} (the next `kvalidate up` recovers)\n", st.detail);
  else
    fmt::print("control plane: running, {}\n", st.healthy ? "healthy" : "NOT healthy: " + st.detail);
  std::vector<std::string> versions, pids;
  for (const auto& [k, v] : s.versions) versions.push_back(k + " " + v);
  for (const auto& p : s.processes) pids.push_back(fmt::format("{} {}", p.component, p.pid));
  fmt::print("backend:     {}\n", s.backend);
  if (s.full) fmt::print("full plane:  {}\n", full_summary(s));
  fmt::print("endpoint:    {}\n", s.server);
  fmt::print("kubeconfig:  {}\n", s.kubeconfig);
  if (!versions.empty()) fmt::print("versions:    {}\n", fmt::join(versions, ", "));
  fmt::print("pids:        {}\n", fmt::join(pids, ", "));
  if (st.running) fmt::print("uptime:      {}\n", human_duration(uptime));
  fmt::print("state dir:   {}\n", st.dir);
  return rc;
}

Registrar reg({"status", "Show whether kvalidate's control plane runs and is healthy", 12,
               [](CLI::App& app) -> std::function<int()> {
                 auto opts = std::make_shared<StatusOptions>();
                 CLI::App* cmd = app.add_subcommand(
                     "status", "Show kvalidate's control plane: backend, versions, endpoint, pids, uptime, "
                               "kubeconfig, health");
                 cmd->footer("Starts nothing. Exit 0 when running and healthy (/readyz answers), 3 when not "
                             "running or not healthy.");
                 cmd->add_option("-o,--output", opts->output, "text or json")->check(CLI::IsMember({"text", "json"}));
                 return [opts] { return run_status(*opts); };
               }});

}  // namespace

}  // namespace kv::cli
