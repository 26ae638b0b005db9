#include "controlplane/plane_logs.h"

#include <filesystem>

#include <fmt/core.h>

#include "controlplane/state.h"

namespace kv::controlplane {

const std::vector<std::string>& log_components() {
  static const std::vector<std::string> components{"etcd", "apiserver", "k3s", "controller-manager", "scheduler",
                                                   "kwok"};
  return components;
}

Result<std::vector<std::string>> plane_log_files(const std::string& dir, const std::string& component, bool follow) {
  std::vector<std::string> components;
  if (!component.empty()) {
    components.push_back(component);
  } else if (auto s = read_state(dir); s.ok()) {
    for (const auto& p : s->processes) components.push_back(p.component);
  }
  if (components.empty())
    for (const auto& c : log_components())
      if (std::filesystem::exists(log_file(dir, c))) components.push_back(c);
  std::vector<std::string> files;
  for (const auto& c : components) {
    std::string path = log_file(dir, c);
    if (std::filesystem::exists(path)) files.push_back(path);
    else if (!component.empty() && !follow)
      return Status::Unavailable(fmt::format("no log for {} in {} (not started?)", c, dir));
  }
  if (files.empty() && !follow)
    return Status::Unavailable(fmt::format("no control plane logs in {} (not started?)", dir));
  return files;
}

}  // namespace kv::controlplane
