#include "core/tools.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/process.h"

namespace kv {

namespace fs = std::filesystem;

std::string cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/kvalidate";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/kvalidate";
}

bool version_less(const std::string& a, const std::string& b) {
  auto parts = [](std::string s) {
    if (!s.empty() && s[0] == 'v') s.erase(0, 1);
    std::vector<long> out;
    std::stringstream ss(s);
    for (std::string p; std::getline(ss, p, '.');) {
      try { out.push_back(std::stol(p)); } catch (...) { out.push_back(-1); }
    }
    return out;
  };
  return parts(a) < parts(b);
}

std::optional<ToolLocation> find_cached_tool(const std::string& name, const std::string& version) {
  if (auto p = find_in_path(cache_dir() + "/bin/" + version + "/" + name)) return ToolLocation{*p, "cache"};
  return std::nullopt;
}

std::optional<ToolLocation> find_tool(const std::string& name, bool search_path) {
  std::string env_name = "KVALIDATE_";
  for (char c : name) env_name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* v = std::getenv(env_name.c_str()); v && *v) {
    if (auto p = find_in_path(v)) return ToolLocation{*p, env_name};
  }
  if (search_path)
    if (auto p = find_in_path(name)) return ToolLocation{*p, "PATH"};
  if (const char* assets = std::getenv("KUBEBUILDER_ASSETS"); assets && *assets) {
    if (auto p = find_in_path(std::string(assets) + "/" + name)) return ToolLocation{*p, "KUBEBUILDER_ASSETS"};
  }
  std::error_code ec;
  fs::path bin = fs::path(cache_dir()) / "bin";
  std::vector<std::string> versions;
  for (const auto& entry : fs::directory_iterator(bin, ec))
    if (entry.is_directory() && entry.path().filename().string()[0] != '.')
      versions.push_back(entry.path().filename().string());
  std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) { return version_less(b, a); });
  for (const auto& v : versions)
    if (auto p = find_in_path((bin / v / name).string())) return ToolLocation{*p, "cache"};
  return std::nullopt;
}

}  // namespace kv
