#include "validators/version_diff.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/kube_versions.h"
#include "core/tools.h"

namespace kv {

namespace {

std::vector<std::string> minors(const std::vector<std::string>& versions) {
  std::vector<std::string> out;
  for (const auto& v : versions) out.push_back(kube_minor(v));
  return out;
}

// The other apiVersions of `kind` that `d` serves: first of the same group, else of any group.
std::vector<std::string> alternatives_in(const kube::Discovery& d, const std::string& group, const std::string& kind) {
  std::vector<std::string> same, any;
  for (const auto& a : d.all()) {
    if (a.kind != kind) continue;
    auto& list = a.group == group ? same : any;
    if (std::find(list.begin(), list.end(), a.group_version()) == list.end()) list.push_back(a.group_version());
  }
  return same.empty() ? any : same;
}

}  // namespace

std::string version_difference_message(const std::string& api_version, const std::string& kind,
                                       const std::string& version, const std::vector<std::string>& served_in,
                                       const std::vector<std::string>& alternatives) {
  const std::string what = api_version + " " + kind;
  const std::string here = kube_minor(version);
  const bool all_newer = std::all_of(served_in.begin(), served_in.end(),
                                     [&](const std::string& v) { return version_less(version, v); });
  const bool all_older = std::all_of(served_in.begin(), served_in.end(),
                                     [&](const std::string& v) { return version_less(v, version); });
  std::string msg;
  if (all_newer)
    msg = fmt::format("{} is not served in {} (served from {})", what, here, kube_minor(served_in.front()));
  else if (all_older)
    msg = fmt::format("{} is removed in {} (served in {})", what, here, fmt::join(minors(served_in), ", "));
  else
    msg = fmt::format("{} is not served in {} (served in {})", what, here, fmt::join(minors(served_in), ", "));
  if (!alternatives.empty()) msg += fmt::format(": use {}", fmt::join(alternatives, " or "));
  return msg;
}

void explain_version_differences(std::vector<ObjectResult>& results, const std::vector<VersionDiscovery>& versions) {
  for (auto& r : results) {
    if (r.kind_of_result != ResultKind::kObject || r.server_version.empty()) continue;
    auto slash = r.api_version.rfind('/');
    std::string group = slash == std::string::npos ? "" : r.api_version.substr(0, slash);
    std::string gv = slash == std::string::npos ? r.api_version : r.api_version.substr(slash + 1);
    const kube::Discovery* here = nullptr;
    std::vector<std::string> served_in;  // `versions` is oldest first
    for (const auto& v : versions) {
      if (v.version == r.server_version) here = v.discovery;
      else if (v.discovery && v.discovery->find_kind(group, gv, r.kind)) served_in.push_back(v.version);
    }
    if (served_in.empty() || !here) continue;
    for (auto& f : r.findings) {
      if (f.rule != "dry-run/api-not-served" && f.rule != "dry-run/unknown-kind") continue;
      f.message = version_difference_message(r.api_version, r.kind, r.server_version, served_in,
                                             alternatives_in(*here, group, r.kind));
    }
  }
}

}  // namespace kv
