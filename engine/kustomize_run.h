// `kvalidate kustomize`'s run from plain settings: each kustomization built with the real kustomize before
// the plane is touched, one batch (report suite) per kustomization whose findings point at the file each
// field was written in, then judged on the server.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/run.h"
#include "engine/run_settings.h"
#include "report/reporter.h"

namespace kv::engine {

// Builds every kustomization of `dirs` and judges the objects into `reports` (finishing them). No
// kustomize, or a build that fails, ends the run before the plane is touched; so does a build with no
// objects at all (nothing to judge: the run ends clean, or with its build problems). With `upgrade_from`
// (git:REV or a folder), each batch carries the old build (render::build_old_kustomization).
RunEnd run_kustomizations(report::ReportSet& reports, const std::vector<std::string>& dirs,
                          const std::string& upgrade_from, const PipelineOptions& p, const std::optional<config::Config>& cfg,
                          const GivenFlags& given, double started_ms);

}  // namespace kv::engine
