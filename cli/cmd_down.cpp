// `kvalidate down`: stop the control plane kvalidate started and remove its state.
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

int run_down(const DownOptions& o) {
  std::string dir = controlplane::state_dir("");
  auto res = controlplane::stop_plane(dir, o.keep_data);
  if (!res.ok()) {
    fmt::print(stderr, "kvalidate down: {}\n", res.status().message());
    return res.status().exit_code();
  }
  if (!res->was_recorded) {
    fmt::print("control plane not running (state dir {})\n", dir);
    return 0;
  }
  if (!res->stopped.empty()) fmt::print("stopped {}\n", fmt::join(res->stopped, ", "));
  if (!res->skipped.empty())
    fmt::print("left alone (already gone, or the pid now belongs to another program): {}\n", fmt::join(res->skipped, ", "));
  fmt::print("state removed from {}{}\n", dir, o.keep_data ? " (data and certificates kept)" : "");
  return 0;
}

Registrar reg({"down", "Stop the control plane kvalidate started and remove its state", 11,
               [](CLI::App* cmd) -> std::function<int()> {
                 auto opts = std::make_shared<DownOptions>();
                 cmd->footer("SIGTERM, then SIGKILL after 10s, only to processes that are still the ones "
                             "kvalidate started. Exit 0 (also when nothing was running), 3 when one would not stop.");
                 cmd->add_flag("--keep-data", opts->keep_data, "Keep etcd/k3s data and certificates for the next `up`");
                 return [opts] { return run_down(*opts); };
               }});

}  // namespace

}  // namespace kv::cli
