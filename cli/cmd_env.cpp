// `kvalidate env`: ensure the control plane and print `export KUBECONFIG=…` for eval in a shell.
#include <fmt/core.h>

#include "cli/command.h"
#include "cli/options.h"
#include "controlplane/ensure.h"

namespace kv::cli {

namespace {

// Single-quotes `s` for POSIX shells unless it is made only of safe characters.
std::string shell_quote(const std::string& s) {
  bool safe = !s.empty();
  for (char c : s) safe = safe && (isalnum(static_cast<unsigned char>(c)) || std::string("/._-+:,@%=").find(c) != std::string::npos);
  if (safe) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int run_env(const ClusterFlags& flags) {
  auto eo = engine::ensure_options(flags);
  if (!eo.ok()) {
    fmt::print(stderr, "kvalidate env: {}\n", eo.status().message());
    return eo.status().exit_code();
  }
  auto plane = controlplane::ensure_plane(*eo);
  if (!plane.ok()) {
    fmt::print(stderr, "kvalidate env: {}\n", plane.status().message());
    return plane.status().exit_code();
  }
  fmt::print("export KUBECONFIG={}\n", shell_quote(plane->kubeconfig_path));
  return 0;
}

Registrar reg({"env", "Ensure the control plane (as `kvalidate up`) and print `export KUBECONFIG=PATH`", 14,
               [](CLI::App* cmd) -> std::function<int()> {
                 auto flags = std::make_shared<ClusterFlags>();
                 cmd->footer("Use as: eval \"$(kvalidate env)\". Exit 0, or 3 when no plane can be had.");
                 add_cluster_flags(cmd, *flags);
                 return [flags] { return run_env(*flags); };
               }});

}  // namespace

}  // namespace kv::cli
