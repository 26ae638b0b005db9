#include "config/hook_paths.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace kv::config {
namespace fs = std::filesystem;
namespace {

bool has_chart_yaml(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "Chart.yaml", ec);
}

// Nearest folder at or above `dir` holding a Chart.yaml; empty when none up to the root.
fs::path nearest_chart(fs::path dir) {
  while (true) {
    if (has_chart_yaml(dir)) return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir) return {};
    dir = dir.parent_path();
  }
}

}  // namespace

std::vector<std::string> chart_roots_for(const std::vector<std::string>& files) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  std::set<std::string> roots;
  for (const auto& file : files) {
    if (file.empty()) continue;
    fs::path abs = (fs::path(file).is_absolute() ? fs::path(file) : cwd / file).lexically_normal();
    // A changed folder (rare) is its own start; a file starts at its folder.
    fs::path start = fs::is_directory(abs, ec) ? abs : abs.parent_path();
    fs::path root = nearest_chart(start);
    if (root.empty()) continue;
    while (root.parent_path().filename() == "charts" && has_chart_yaml(root.parent_path().parent_path()))
      root = root.parent_path().parent_path();
    fs::path rel = root.lexically_relative(cwd);
    bool under_cwd = !rel.empty() && *rel.begin() != "..";
    std::string s = under_cwd ? rel.string() : root.string();
    if (s.size() > 1 && s.back() == '/') s.pop_back();
    roots.insert(s);
  }
  return {roots.begin(), roots.end()};
}

}  // namespace kv::config
