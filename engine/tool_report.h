// What `kvalidate version` reports: for each external program kvalidate runs (helm, kube-apiserver, etcd,
// kubectl, k3s) its version, path and where it was found (core/tools.h), or "not found"; every other helm
// it can see; and the admission-policy APIs a plane kvalidate starts with that kube-apiserver serves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "controlplane/policy_apis.h"
#include "core/tools.h"
#include "render/helm.h"

namespace kv::engine {

struct ToolVersion {
  std::string name;
  std::optional<ToolLocation> where;
  std::string version;  // "" when the binary would not say
  std::string error;
  std::vector<render::Helm> others;  // helm only: the other helms kvalidate can see (`--helm`/`helm:` picks one)
};

struct ToolReport {
  std::vector<ToolVersion> tools;                  // helm, kube-apiserver, etcd, kubectl, k3s
  std::optional<controlplane::PolicyApis> policies;  // of the kube-apiserver an owned plane would run
};

// Finds every tool and asks each for its version (all at once). helm is the one `kvalidate chart` would
// use here ($KVALIDATE_HELM, then this folder's .kvalidate.yaml `helm:`, then the default); a config that
// does not load is left out. kubectl prefers kvalidate's own (env, assets, cache) over PATH's.
ToolReport find_tool_versions();

// The report as text lines (kvalidate's own `kvalidate_version` first) or as one JSON object; each ends in "\n".
std::string tool_report_text(const ToolReport& r, const std::string& kvalidate_version);
std::string tool_report_json(const ToolReport& r, const std::string& kvalidate_version);

}  // namespace kv::engine
