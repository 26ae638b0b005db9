#include "engine/chart_run.h"

#include "engine/versions.h"
#include "render/git_snapshot.h"
#include "render/render.h"

namespace kv::engine {
namespace {

// Several --kube-version versions: each chart rendered for each version (its .Capabilities), each
// rendering judged on that version's plane.
RunEnd run_versions(const ChartRunOptions& o, const std::optional<config::Config>& cfg, const GivenFlags& given,
                    const std::vector<ChartPlan>& charts, const std::vector<OldChart>& olds,
                    const render::Helm& helm, report::ReportSet& reports, double started) {
  auto per_version = run_options_per_version(o.pipeline, cfg, given);
  if (!per_version.ok()) return fail_run(reports, {}, per_version.status(), started);
  auto sessions = open_version_sessions(*per_version);
  if (!sessions.ok()) return fail_run(reports, {}, sessions.status(), started);
  std::vector<std::vector<Batch>> batches;
  for (auto& vs : *sessions) {
    Status failed;
    batches.push_back(render_batches(charts, o.settings, helm, vs.session, olds, failed));
    if (!failed.ok())
      return fail_run(reports, batches.back(), failed.Prefixed("Kubernetes " + vs.version), started);
  }
  return validate_versions(*sessions, reports, batches, {}, *per_version, started);
}

// Every chart loaded and planned, its values checked; the old versions for --upgrade-from (one per chart).
Status load_charts(const ChartRunOptions& o, const std::optional<config::Config>& cfg, const GivenFlags& given,
                   std::vector<ChartPlan>& charts, std::vector<OldChart>& olds) {
  for (const auto& path : o.charts) {
    auto chart = render::load_chart(path, o.allow_external_symlinks);
    if (!chart.ok()) return chart.status();
    charts.push_back(plan_chart(std::move(chart.value()), o.settings, given, cfg));
    KV_RETURN_IF_ERROR(render::check_values(charts.back().values));
  }
  if (o.upgrade_from.empty()) return Status::Ok();
  std::string rev;
  if (charts.size() > 1 && !render::parse_git_spec(o.upgrade_from, rev))
    return Status::Usage("--upgrade-from with a folder or .tgz takes one chart (git:REV takes each chart's own "
                         "path at REV)");
  for (const auto& plan : charts) {
    auto old = load_old_chart(o.upgrade_from, plan.chart);
    if (!old.ok()) return old.status();
    olds.push_back(std::move(*old));
  }
  return Status::Ok();
}

}  // namespace

RunEnd run_charts(report::ReportSet& reports, const ChartRunOptions& given_options,
                  const std::optional<config::Config>& cfg, const GivenFlags& given, double started) {
  ChartRunOptions o = given_options;
  o.settings.no_cache = o.pipeline.output.no_cache;
  // Everything about the input is checked before the plane is touched.
  std::vector<ChartPlan> charts;
  std::vector<OldChart> olds;
  if (Status s = load_charts(o, cfg, given, charts, olds); !s.ok()) return fail_run(reports, {}, s, started);
  render::HelmRequest helm_req{o.helm, cfg ? cfg->helm : "", cfg ? cfg->file : ""};
  auto helm = render::find_helm(helm_req);
  if (!helm.ok()) return fail_run(reports, {}, helm.status(), started);
  if (Status s = render::check_helm_can_render(*helm, o.settings.lookup); !s.ok())
    return fail_run(reports, {}, s, started);

  // Rendering needs the server's version and API list: connect first.
  if (several_kube_versions(o.pipeline.cluster)) return run_versions(o, cfg, given, charts, olds, *helm, reports, started);
  auto ro = run_options(o.pipeline, cfg, given);
  if (!ro.ok()) return fail_run(reports, {}, ro.status(), started);
  if (!olds.empty() && (!ro->connect.ensure.kubeconfig.empty() || !ro->connect.ensure.context.empty()))
    return fail_run(reports, {}, upgrade_refused_on_external(), started);
  auto session = open_session(*ro);
  if (!session.ok()) return fail_run(reports, {}, session.status(), started);
  Status failed;
  std::vector<Batch> batches = render_batches(charts, o.settings, *helm, *session, olds, failed);
  if (!failed.ok()) return fail_run(reports, batches, failed, started);
  return validate(*session, reports, batches, *ro, started);
}

}  // namespace kv::engine
