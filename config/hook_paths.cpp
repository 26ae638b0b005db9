#include "config/hook_paths.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "render/kustomization.h"

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

// Every kustomization under `root`, by folder.
std::map<std::string, render::Kustomization> kustomizations_under(const fs::path& root) {
  std::map<std::string, render::Kustomization> out;
  std::error_code ec;
  auto add = [&](const fs::path& dir) {
    if (render::kustomization_file_in(dir.string()).empty()) return;
    if (auto k = render::read_kustomization(dir.string()); k.ok()) out.emplace(k->dir, std::move(*k));
  };
  add(root);
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.' || name == "node_modules") {
      it.disable_recursion_pending();
      continue;
    }
    add(it->path());
  }
  return out;
}

std::string relative_to(const fs::path& p, const fs::path& cwd) {
  fs::path rel = p.lexically_relative(cwd);
  if (rel.empty() || *rel.begin() == "..") return p.string();
  std::string s = rel.string();
  return s.empty() ? "." : s;
}

}  // namespace

std::vector<std::string> kustomization_roots_for(const std::vector<std::string>& files) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  auto all = kustomizations_under(cwd);
  std::map<std::string, std::set<std::string>> parents;  // folder → folders including it
  for (const auto& [dir, k] : all)
    for (const auto& ref : k.local_refs)
      if (all.count(ref) && ref != dir) parents[ref].insert(dir);
  std::set<std::string> roots;
  for (const auto& file : files) {
    if (file.empty()) continue;
    std::string abs = (fs::path(file).is_absolute() ? fs::path(file) : cwd / file).lexically_normal().string();
    std::vector<std::string> todo;
    for (const auto& [dir, k] : all)
      if (k.file == abs || std::find(k.local_refs.begin(), k.local_refs.end(), abs) != k.local_refs.end())
        todo.push_back(dir);
    std::set<std::string> seen;
    while (!todo.empty()) {
      std::string dir = todo.back();
      todo.pop_back();
      if (!seen.insert(dir).second) continue;
      auto up = parents.find(dir);
      if (up == parents.end() || up->second.empty()) roots.insert(relative_to(dir, cwd));
      else todo.insert(todo.end(), up->second.begin(), up->second.end());
    }
  }
  return {roots.begin(), roots.end()};
}

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
