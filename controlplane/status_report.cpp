#include "controlplane/status_report.h"

#include <ctime>
#include <filesystem>
#include <vector>

#include <fmt/core.h>
#include <fmt/format.h>

#include "controlplane/ensure.h"
#include "controlplane/kwok_config.h"
#include "core/exit_codes.h"
#include "core/json.h"

namespace kv::controlplane {

std::string human_duration(int64_t s) {
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600);
}

namespace {

// What a full plane runs besides the API server, e.g. "controller-manager, scheduler, 3 simulated nodes (kwok)".
std::string full_summary(const State& s) {
  std::vector<std::string> parts;
  bool kwok = false;
  for (const auto& p : s.processes) {
    if (p.component == "controller-manager" || p.component == "scheduler") parts.push_back(p.component);
    kwok = kwok || p.component == "kwok";
  }
  parts.push_back(kwok ? fmt::format("{} simulated nodes (kwok)", kSimulatedNodes)
                       : std::string("no simulated nodes (kwok unavailable: pods stay Pending)"));
  return fmt::format("{}", fmt::join(parts, ", "));
}

int64_t uptime_of(const PlaneStatus& st, int64_t now) {
  return st.running && st.state.started_at > 0 ? now - st.state.started_at : 0;
}

// The fields of one plane, into the object `w` is writing.
void write_plane_json(JsonWriter& w, const PlaneStatus& st, int64_t now) {
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
    w.key("uptimeSeconds").value(uptime_of(st, now));
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

std::string version_of(const PlaneStatus& st) { return std::filesystem::path(st.dir).filename().string(); }

}  // namespace

std::string plane_text(const PlaneStatus& st, const std::string& title, int64_t now) {
  const auto& s = st.state;
  std::string out;
  if (!st.recorded) {
    out += fmt::format("{}: not running (state dir {})\n", title, st.dir);
    if (st.detail != "not running") out += fmt::format("  ({})\n", st.detail);
    return out;
  }
  if (!st.running)
    out += fmt::format("{}: not running: {} (the next `kvalidate up` recovers)\n", title, st.detail);
  else
    out += fmt::format("{}: running, {}\n", title, st.healthy ? "healthy" : "NOT healthy: " + st.detail);
  std::vector<std::string> versions, pids;
  for (const auto& [k, v] : s.versions) versions.push_back(k + " " + v);
  for (const auto& p : s.processes) pids.push_back(fmt::format("{} {}", p.component, p.pid));
  out += fmt::format("backend:     {}\n", s.backend);
  if (s.full) out += fmt::format("full plane:  {}\n", full_summary(s));
  out += fmt::format("endpoint:    {}\n", s.server);
  out += fmt::format("kubeconfig:  {}\n", s.kubeconfig);
  if (!versions.empty()) out += fmt::format("versions:    {}\n", fmt::join(versions, ", "));
  out += fmt::format("pids:        {}\n", fmt::join(pids, ", "));
  if (st.running) out += fmt::format("uptime:      {}\n", human_duration(uptime_of(st, now)));
  out += fmt::format("state dir:   {}\n", st.dir);
  return out;
}

StatusReport status_report(const std::string& dir, bool json) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto st = plane_status(dir);
  std::vector<PlaneStatus> versioned;
  for (const auto& d : version_plane_dirs(dir)) versioned.push_back(plane_status(d));
  // Healthy: something runs, and everything recorded is healthy.
  bool healthy = st.recorded ? st.healthy : !versioned.empty();
  for (const auto& v : versioned) healthy = healthy && v.healthy;
  StatusReport r;
  r.exit_code = healthy ? exit_code::kClean : exit_code::kInfrastructure;
  if (json) {
    JsonWriter w;
    w.begin_object();
    write_plane_json(w, st, now);
    w.key("versionPlanes").begin_array();
    for (const auto& v : versioned) {
      w.begin_object();
      w.key("kubeVersion").value(version_of(v));
      write_plane_json(w, v, now);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    r.output = w.str() + "\n";
    return r;
  }
  if (st.recorded || versioned.empty()) r.output += plane_text(st, "control plane", now);
  for (const auto& v : versioned) {
    if (st.recorded || &v != &versioned.front()) r.output += "\n";
    r.output += plane_text(v, fmt::format("Kubernetes {} plane", version_of(v)), now);
  }
  return r;
}

}  // namespace kv::controlplane
