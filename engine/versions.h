// A run over several Kubernetes versions (--kube-version 1.35,1.36,1.37): one plane and session per
// version (the planes started together), the same engine run on each, every result tagged with its
// version, not-served findings explained across versions (validators/version_diff.h), one set of
// reports, and the worst exit code over all versions.
#pragma once

#include <string>
#include <vector>

#include "engine/run.h"

namespace kv::engine {

struct VersionSession {
  std::string version;   // "v1.36.3": the plane's kube-apiserver
  Session session;
};

// `per_version[i].connect.ensure.kube_version` names each version (oldest first). Ensures every plane
// at once (building a missing version first), then opens a session on each. The first failure is
// returned, prefixed with its version.
Result<std::vector<VersionSession>> open_version_sessions(const std::vector<RunOptions>& per_version);

// Judges batches[i] on sessions[i] with per_version[i] (all versions at once), tags every result with
// its version, explains findings that differ between versions, then feeds `reports` (declared
// multi-version) with `shared` (results no server judged) and every version's results in version
// order, and finishes them. Errors are prefixed with their version.
RunEnd validate_versions(std::vector<VersionSession>& sessions, report::ReportSet& reports,
                         std::vector<std::vector<Batch>>& batches, const std::vector<ObjectResult>& shared,
                         const std::vector<RunOptions>& per_version, double started_ms);

// The manifests run over several versions: open_version_sessions, then the same `batches` on each; their
// pre_results (input problems) are reported once, judged by no server.
RunEnd run_versions(report::ReportSet& reports, std::vector<Batch>& batches, const std::vector<RunOptions>& per_version,
                    double started_ms);

}  // namespace kv::engine
