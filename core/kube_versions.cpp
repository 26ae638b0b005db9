#include "core/kube_versions.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "build_info.h"
#include "core/tools.h"

namespace kv {

namespace {
std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}
}  // namespace

const std::vector<std::string>& supported_kube_versions() {
  static const std::vector<std::string> versions = [] {
    std::vector<std::string> out;
    std::istringstream in(KV_KUBE_VERSIONS);
    for (std::string v; in >> v;) out.push_back(v);
    std::sort(out.begin(), out.end(), version_less);
    return out;
  }();
  return versions;
}

std::string default_kube_version() { return KV_KUBE_DEFAULT_VERSION; }

std::string kube_minor(const std::string& version) {
  auto last = version.rfind('.');
  return last == std::string::npos || last == version.find('.') ? version : version.substr(0, last);
}

Result<std::string> resolve_kube_version(const std::string& spec) {
  std::string want = trim(spec);
  if (!want.empty() && (want[0] == 'v' || want[0] == 'V')) want.erase(0, 1);
  const auto& all = supported_kube_versions();
  // Newest first, so a minor picks its newest pinned patch should the table ever hold two.
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    std::string v = it->substr(1);
    if (v == want || (std::count(want.begin(), want.end(), '.') == 1 && kube_minor(v) == want)) return *it;
  }
  return Status::Usage(fmt::format("unsupported Kubernetes version \"{}\" (supported: {}; a minor "
                                   "like 1.35 means its pinned patch)",
                                   trim(spec), fmt::join(all, ", ")));
}

Result<std::vector<std::string>> resolve_kube_versions(const std::vector<std::string>& specs) {
  std::vector<std::string> out;
  for (const auto& element : specs) {
    std::istringstream in(element);
    for (std::string one; std::getline(in, one, ',');) {
      auto v = resolve_kube_version(one);
      if (!v.ok()) return v.status();
      if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(*v);
    }
    if (element.empty() || element.back() == ',') return resolve_kube_version("").status();
  }
  std::sort(out.begin(), out.end(), version_less);
  return out;
}

}  // namespace kv
