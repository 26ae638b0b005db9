// `kvalidate status`: is kvalidate's control plane running and healthy; backend, versions, endpoint,
// pids, uptime, kubeconfig; then the same for each --kube-version plane. Starts nothing, takes no lock.
#include <ctime>
#include <filesystem>

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

int64_t uptime_of(const controlplane::PlaneStatus& st) {
  return st.running && st.state.started_at > 0 ? static_cast<int64_t>(std::time(nullptr)) - st.state.started_at : 0;
}

// The fields of one plane, into the object `w` is writing.
void write_plane_json(JsonWriter& w, const controlplane::PlaneStatus& st) {
  const auto& s = st.state;
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
    w.key("uptimeSeconds").value(uptime_of(st));
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
}

// `title`: "control plane" for the default one, "Kubernetes v1.35.4 plane" for a --kube-version one.
void print_plane_text(const controlplane::PlaneStatus& st, const std::string& title) {
  const auto& s = st.state;
  if (!st.recorded) {
    fmt::print("{}: not running (state dir {})\n", title, st.dir);
    if (st.detail != "not running") fmt::print("  ({})\n", st.detail);
    return;
  }
  if (!st.running)
    fmt::print("{}: not running: {} (the next `kvalidate up` recovers)\n", title, st.detail);
  else
    fmt::print("{}: running, {}\n", title, st.healthy ? "healthy" : "NOT healthy: " + st.detail);
  std::vector<std::string> versions, pids;
  for (const auto& [k, v] : s.versions) versions.push_back(k + " " + v);
  for (const auto& p : s.processes) pids.push_back(fmt::format("{} {}", p.component, p.pid));
  fmt::print("backend:     {}\n", s.backend);
  if (s.full) fmt::print("full plane:  {}\n", full_summary(s));
  fmt::print("endpoint:    {}\n", s.server);
  fmt::print("kubeconfig:  {}\n", s.kubeconfig);
  if (!versions.empty()) fmt::print("versions:    {}\n", fmt::join(versions, ", "));
  fmt::print("pids:        {}\n", fmt::join(pids, ", "));
  if (st.running) fmt::print("uptime:      {}\n", human_duration(uptime_of(st)));
  fmt::print("state dir:   {}\n", st.dir);
}

int run_status(const StatusOptions& o) {
  const std::string dir = controlplane::state_dir("");
  auto st = controlplane::plane_status(dir);
  std::vector<controlplane::PlaneStatus> versioned;
  for (const auto& d : controlplane::version_plane_dirs(dir)) versioned.push_back(controlplane::plane_status(d));
  // Healthy: something runs, and everything recorded is healthy.
  bool healthy = st.recorded ? st.healthy : !versioned.empty();
  for (const auto& v : versioned) healthy = healthy && v.healthy;
  int rc = healthy ? exit_code::kClean : exit_code::kInfrastructure;
  if (o.output == "json") {
    JsonWriter w;
    w.begin_object();
    write_plane_json(w, st);
    w.key("versionPlanes").begin_array();
    for (const auto& v : versioned) {
      w.begin_object();
      w.key("kubeVersion").value(std::filesystem::path(v.dir).filename().string());
      write_plane_json(w, v);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    fmt::print("{}\n", w.str());
    return rc;
  }
  if (st.recorded || versioned.empty()) print_plane_text(st, "control plane");
  for (const auto& v : versioned) {
    if (st.recorded || &v != &versioned.front()) fmt::print("\n");
    print_plane_text(v, fmt::format("Kubernetes {} plane", std::filesystem::path(v.dir).filename().string()));
  }
  return rc;
}

Registrar reg({"status", "Show whether kvalidate's control plane runs and is healthy", 12,
               [](CLI::App& app) -> std::function<int()> {
                 auto opts = std::make_shared<StatusOptions>();
                 CLI::App* cmd = app.add_subcommand(
                     "status", "Show kvalidate's control plane: backend, versions, endpoint, pids, uptime, "
                               "kubeconfig, health");
                 cmd->footer("Starts nothing. Lists the default plane and every --kube-version plane. Exit 0 "
                             "when a plane runs and every recorded one is healthy (/readyz answers), 3 otherwise.");
                 cmd->add_option("-o,--output", opts->output, "text or json")->check(CLI::IsMember({"text", "json"}));
                 return [opts] { return run_status(*opts); };
               }});

}  // namespace

}  // namespace kv::cli
