// `kvalidate down`: stop the control planes kvalidate started (the default one and every --kube-version
// one) and remove their state.
#include <algorithm>
#include <filesystem>

#include <fmt/core.h>
#include <fmt/format.h>

#include "cli/command.h"
#include "controlplane/ensure.h"
#include "controlplane/lifecycle.h"

namespace kv::cli {

namespace {

struct DownOptions {
  bool keep_data = false;
};

// Stops the plane in `dir`; `title` names it in the output. Returns the exit code.
int down_one(const std::string& dir, const std::string& title, bool keep_data, bool quiet_if_none) {
  auto res = controlplane::stop_plane(dir, keep_data);
  if (!res.ok()) {
    fmt::print(stderr, "kvalidate down: {}\n", res.status().message());
    return res.status().exit_code();
  }
  if (!res->was_recorded) {
    if (!quiet_if_none) fmt::print("{} not running (state dir {})\n", title, dir);
    return 0;
  }
  if (!res->stopped.empty()) fmt::print("{}: stopped {}\n", title, fmt::join(res->stopped, ", "));
  if (!res->skipped.empty())
    fmt::print("{}: left alone (already gone, or the pid now belongs to another program): {}\n", title,
               fmt::join(res->skipped, ", "));
  fmt::print("state removed from {}{}\n", dir, keep_data ? " (data and certificates kept)" : "");
  return 0;
}

int run_down(const DownOptions& o) {
  std::string dir = controlplane::state_dir("");
  auto versioned = controlplane::version_plane_dirs(dir);
  int rc = 0;
  for (const auto& d : versioned)
    rc = std::max(rc, down_one(d, fmt::format("Kubernetes {} plane", std::filesystem::path(d).filename().string()),
                               o.keep_data, false));
  return std::max(rc, down_one(dir, "control plane", o.keep_data, !versioned.empty()));
}

Registrar reg({"down", "Stop kvalidate's control plane and remove its state", 11,
               [](CLI::App& app) -> std::function<int()> {
                 auto opts = std::make_shared<DownOptions>();
                 CLI::App* cmd = app.add_subcommand(
                     "down", "Stop the control plane kvalidate started and remove its state");
                 cmd->footer("SIGTERM, then SIGKILL after 10s, only to processes that are still the ones "
                             "kvalidate started. Exit 0 (also when nothing was running), 3 when one would not stop.");
                 cmd->add_flag("--keep-data", opts->keep_data, "Keep etcd/k3s data and certificates for the next `up`");
                 return [opts] { return run_down(*opts); };
               }});

}  // namespace

}  // namespace kv::cli
