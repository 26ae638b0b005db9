// `kvalidate logs`: print (or follow) the logs of the control plane's components.
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include <fmt/core.h>

#include "cli/command.h"
#include "controlplane/ensure.h"
#include "controlplane/plane_logs.h"
#include "controlplane/state.h"

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
  auto paths = controlplane::plane_log_files(dir, o.component, o.follow);
  if (!paths.ok()) {
    fmt::print(stderr, "kvalidate logs: {}\n", paths.status().message());
    return paths.status().exit_code();
  }
  std::vector<Followed> files;
  for (const auto& path : *paths) files.push_back({path, 0, 0});
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

Registrar reg({"logs", "Print the logs of kvalidate's control plane components (etcd, apiserver, k3s; on a full "
                       "plane also controller-manager, scheduler, kwok)", 13,
               [](CLI::App* cmd) -> std::function<int()> {
                 auto opts = std::make_shared<LogsOptions>();
                 cmd->footer("Exit 0, or 3 when there are no logs (never started).");
                 cmd->add_option("--component", opts->component,
                                 "Only this component: etcd, apiserver, k3s, controller-manager, scheduler or kwok")
                     ->check(CLI::IsMember(controlplane::log_components()));
                 cmd->add_flag("-f,--follow", opts->follow, "Keep printing what is appended (until interrupted)");
                 return [opts] { return run_logs(*opts); };
               }});

}  // namespace

}  // namespace kv::cli
