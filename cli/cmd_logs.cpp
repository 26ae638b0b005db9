// `kvalidate logs`: print (or follow) the logs of the control plane's components.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/core.h>

#include "cli/command.h"
#include "controlplane/ensure.h"
#include "controlplane/state.h"
#include "core/exit_codes.h"

namespace kv::cli {

namespace {

struct LogsOptions {
  std::string component;
  bool follow = false;
};

struct Followed {
  std::string path;
  std::streamoff offset = 0;
  ino_t inode = 0;
};

// Prints what was appended to `f` since the last call; starts over when the file was replaced.
void print_new(Followed& f) {
  struct stat sb {};
  if (stat(f.path.c_str(), &sb) != 0) return;
  if (sb.st_ino != f.inode || sb.st_size < f.offset) { f.inode = sb.st_ino; f.offset = 0; }
  if (sb.st_size == f.offset) return;
  std::ifstream in(f.path, std::ios::binary);
  in.seekg(f.offset);
  std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  f.offset += static_cast<std::streamoff>(chunk.size());
  fwrite(chunk.data(), 1, chunk.size(), stdout);
  fflush(stdout);
}

int run_logs(const LogsOptions& o) {
  std::string dir = controlplane::state_dir("");
  std::vector<std::string> components;
  if (!o.component.empty()) {
    components.push_back(o.component);
  } else if (auto s = controlplane::read_state(dir); s.ok()) {
    for (const auto& p : s->processes) components.push_back(p.component);
  }
  if (components.empty())
    for (const char* c : {"etcd", "apiserver", "k3s", "controller-manager", "scheduler", "kwok"})
      if (std::filesystem::exists(controlplane::log_file(dir, c))) components.push_back(c);
  std::vector<Followed> files;
  for (const auto& c : components) {
    std::string path = controlplane::log_file(dir, c);
    if (std::filesystem::exists(path)) files.push_back({path, 0, 0});
    else if (!o.component.empty() && !o.follow) {
      fmt::print(stderr, "kvalidate logs: no log for {} in {} (not started?)\n", c, dir);
      return exit_code::kInfrastructure;
    }
  }
  if (files.empty() && !o.follow) {
    fmt::print(stderr, "kvalidate logs: no control plane logs in {} (not started?)\n", dir);
    return exit_code::kInfrastructure;
  }
  if (!o.follow || files.size() > 1)
    for (auto& f : files) {
      if (files.size() > 1) fmt::print("==> {} <==\n", f.path);
      print_new(f);
    }
  if (!o.follow) return 0;
  if (files.empty()) files.push_back({controlplane::log_file(dir, o.component), 0, 0});
  while (true) {  // until interrupted, like tail -f
    for (auto& f : files) print_new(f);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

Registrar reg({"logs", "Print the control plane's logs (etcd, apiserver, k3s, a full plane's components)", 13,
               [](CLI::App& app) -> std::function<int()> {
                 auto opts = std::make_shared<LogsOptions>();
                 CLI::App* cmd = app.add_subcommand(
                     "logs", "Print the logs of kvalidate's control plane components (etcd, apiserver, k3s; on a "
                             "full plane also controller-manager, scheduler, kwok)");
                 cmd->footer("Exit 0, or 3 when there are no logs (never started).");
                 cmd->add_option("--component", opts->component,
                                 "Only this component: etcd, apiserver, k3s, controller-manager, scheduler or kwok")
                     ->check(CLI::IsMember({"etcd", "apiserver", "k3s", "controller-manager", "scheduler", "kwok"}));
                 cmd->add_flag("-f,--follow", opts->follow, "Keep printing what is appended (until interrupted)");
                 return [opts] { return run_logs(*opts); };
               }});

}  // namespace

}  // namespace kv::cli
