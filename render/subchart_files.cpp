#include "render/subchart_files.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/files.h"
#include "core/yaml_util.h"
#include "render/chart.h"
#include "render/template_lines.h"

namespace kv::render {

namespace fs = std::filesystem;

namespace {

// The chart name a dependency of the chart in `dir` is known by as `alias`; `alias` itself when none is.
std::string dependency_named(const fs::path& dir, const std::string& alias) {
  auto text = read_file((dir / "Chart.yaml").string());
  if (!text.ok()) return alias;
  auto node = parse_yaml(*text, "");
  if (!node.ok() || !(*node)["dependencies"].IsSequence()) return alias;
  for (const auto& d : (*node)["dependencies"])
    if (d.IsMap() && scalar_at(d, "alias") == alias && !scalar_at(d, "name").empty()) return scalar_at(d, "name");
  return alias;
}

struct Extractions {
  std::mutex mu;
  std::map<std::string, std::pair<std::string, std::shared_ptr<TempDir>>> by_archive;  // → chart folder
};

// The chart folder inside the archive `file`, extracted once per process ("" when it is none).
std::string extracted(const fs::path& file) {
  static auto& e = *new Extractions;  // lives until the process ends, with the folders it keeps
  std::lock_guard<std::mutex> lock(e.mu);
  auto key = file.string();
  if (auto it = e.by_archive.find(key); it != e.by_archive.end()) return it->second.first;
  std::shared_ptr<TempDir> keep;
  auto root = extract_archive(key, keep);
  std::string dir = root.ok() ? *root : "";
  e.by_archive.emplace(key, std::make_pair(dir, keep));
  return dir;
}

// The subchart of the chart in `dir` that helm calls `helm_name`: its folder (or the archive's extraction)
// and its entry under charts/ ("" when not found).
std::pair<fs::path, std::string> subchart(const fs::path& dir, const std::string& helm_name) {
  const std::string name = dependency_named(dir, helm_name);
  const fs::path charts = dir / "charts";
  std::error_code ec;
  // A folder named so, then any folder whose Chart.yaml has the name, then an archive NAME-VERSION.tgz.
  for (const std::string& folder : {helm_name, name})
    if (fs::is_directory(charts / folder, ec) && chart_yaml_name((charts / folder).string()) == name) return {charts / folder, folder};
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(charts, ec)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  for (const auto& p : entries)
    if (fs::is_directory(p, ec) && chart_yaml_name(p.string()) == name) return {p, p.filename().string()};
  for (const auto& p : entries) {
    std::string file = p.filename().string();
    if (!file.ends_with(".tgz") || file.rfind(name + "-", 0) != 0) continue;
    std::string inside = extracted(p);
    if (!inside.empty() && chart_yaml_name(inside) == name) return {inside, file};
  }
  return {};
}

}  // namespace

std::optional<SubchartFile> subchart_file(const std::string& root, const std::string& helm_path) {
  static std::mutex mu;
  static std::map<std::string, std::optional<SubchartFile>> seen;
  const std::string key = root + '\n' + helm_path;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = seen.find(key); it != seen.end()) return it->second;
  }
  std::optional<SubchartFile> out;
  fs::path dir = root;
  std::string shown, rest = helm_path;
  bool stepped = false;
  while (rest.rfind("charts/", 0) == 0) {
    auto slash = rest.find('/', 7);
    if (slash == std::string::npos) break;
    auto [next, entry] = subchart(dir, rest.substr(7, slash - 7));
    if (entry.empty()) break;
    dir = next;
    shown += "charts/" + entry + "/";
    rest = rest.substr(slash + 1);
    stepped = true;
  }
  std::error_code ec;
  if (stepped && rest.rfind("charts/", 0) != 0 && fs::is_regular_file(dir / rest, ec))
    out = SubchartFile{shown + rest, (dir / rest).string()};
  std::lock_guard<std::mutex> lock(mu);
  seen.emplace(key, out);
  return out;
}

std::string shown_template_path(const Chart& chart, const std::string& helm_path) {
  std::error_code ec;
  if (helm_path.rfind("charts/", 0) != 0 || fs::exists(fs::path(chart.root) / helm_path, ec)) return helm_path;
  auto file = subchart_file(chart.root, helm_path);
  if (!file) return helm_path;
  register_template_file(chart.path, file->shown, file->read, helm_path);
  return file->shown;
}

}  // namespace kv::render
