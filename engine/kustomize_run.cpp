#include "engine/kustomize_run.h"

#include <memory>

#include "render/kustomize.h"

namespace kv::engine {

RunEnd run_kustomizations(report::ReportSet& reports, const std::vector<std::string>& dirs,
                          const std::string& upgrade_from, const PipelineOptions& p, const std::optional<config::Config>& cfg,
                          const GivenFlags& given, double started) {
  std::vector<Batch> batches;
  auto kustomize = render::find_kustomize();
  if (!kustomize.ok()) return fail_run(reports, batches, kustomize.status(), started);
  // Every kustomization is built before the plane is touched: a build error needs no server.
  bool any_objects = false;
  for (const auto& dir : dirs) {
    auto built = render::build_kustomization(*kustomize, dir, dir);
    if (!built.ok()) return fail_run(reports, batches, built.status(), started);
    Batch batch;
    batch.suite = dir;
    batch.pre_results = std::move(built->problems);
    batch.resources = std::move(built->resources);
    any_objects = any_objects || !batch.resources.empty();
    std::shared_ptr<const render::OriginMap> origins = built->origins;
    batch.locate = [origins](const Resource& r, const std::string& path) {
      render::SourceLocation loc = render::locate_field(*origins, r, path);
      return Place{loc.line, loc.column, "", loc.file};
    };
    // Risk rules and YAML defects name lines of the build output: the same field in the origin file.
    batch.map_line = [origins](const Resource& r, int line) { return render::origin_line_of(*origins, r, line); };
    if (!upgrade_from.empty()) {
      auto old = render::build_old_kustomization(*kustomize, upgrade_from, dir);
      if (!old.ok()) return fail_run(reports, batches, old.status(), started);
      batch.upgrade = UpgradeFrom{std::move(old->resources), old->label};
    }
    batches.push_back(std::move(batch));
  }
  if (!any_objects) return fail_run(reports, batches, Status::Ok(), started);
  auto ro = run_options(p, cfg, given);
  if (!ro.ok()) return fail_run(reports, batches, ro.status(), started);
  return run(reports, batches, *ro, started);
}

}  // namespace kv::engine
