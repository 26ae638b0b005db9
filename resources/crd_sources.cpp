#include "resources/crd_sources.h"

#include <algorithm>
#include <filesystem>

namespace kv {

namespace fs = std::filesystem;

namespace {

bool is_crd(const Resource& r) {
  return r.kind == "CustomResourceDefinition" && r.api_version.rfind("apiextensions.k8s.io/", 0) == 0;
}

// The folders to read for `path`: a chart's crds/ (and its subcharts'), else the path itself.
std::vector<std::string> crd_folders(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec) || !fs::exists(fs::path(path) / "Chart.yaml", ec)) return {path};
  std::vector<std::string> out;
  if (fs::is_directory(fs::path(path) / "crds", ec)) out.push_back((fs::path(path) / "crds").string());
  std::vector<std::string> subcharts;
  for (const auto& entry : fs::directory_iterator(fs::path(path) / "charts", ec))
    if (entry.is_directory() && fs::is_directory(entry.path() / "crds", ec))
      subcharts.push_back((entry.path() / "crds").string());
  std::sort(subcharts.begin(), subcharts.end());
  out.insert(out.end(), subcharts.begin(), subcharts.end());
  return out;
}

}  // namespace

LoadResult load_crds(const std::vector<std::string>& paths) {
  LoadResult out;
  LoadOptions options;
  options.ignore_non_objects = true;  // an install bundle's other YAML is not ours to judge
  options.keep_objects = false;
  for (const auto& path : paths) {
    size_t found = 0;
    for (const auto& folder : crd_folders(path)) {
      LoadResult loaded = load_paths({folder}, options);
      for (auto& p : loaded.problems) out.problems.push_back(std::move(p));
      for (auto& r : loaded.resources) {
        if (!is_crd(r)) continue;
        out.resources.push_back(std::move(r));
        ++found;
      }
    }
    if (found == 0 && std::none_of(out.problems.begin(), out.problems.end(),
                                   [&](const ObjectResult& p) { return p.source.file.rfind(path, 0) == 0; }))
      out.problems.push_back(input_problem(path, 0, 0, 0, "input/no-crds",
                                           "no CustomResourceDefinition found here (--crds takes CRD files, folders "
                                           "of them, or charts with a crds/ folder)"));
  }
  return out;
}

}  // namespace kv
