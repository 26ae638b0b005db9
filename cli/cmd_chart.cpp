// `kvalidate chart CHART...`: lints and renders each chart with the real helm, using the server's version
// and served API versions so that .Capabilities tells the truth, then judges every rendered object on the
// API server. A chart with ci/*-values.yaml (or any ci/*.yaml with --values-matrix) runs once per file,
// each run its own report suite.
#include <fmt/core.h>

#include "cli/command.h"
#include "cli/pipeline.h"
#include "core/exit_codes.h"
#include "render/chart.h"
#include "render/render.h"
#include "render/template_lines.h"

namespace kv::cli {
namespace {

struct ChartOptions {
  std::vector<std::string> charts;
  render::ValuesFlags values;
  std::string release;
  bool values_matrix = false;
  bool no_lint = false;
  bool skip_tests = false;
  PipelineOptions pipeline;
};

// Reports a failure that happens before any batch exists (exit 2 or 3).
int fail_early(report::ReportSet& reports, const Status& why, double started) {
  std::vector<Batch> none;
  return fail_run(reports, none, why, started);
}

int run(const ChartOptions& o) {
  double started = now_ms();
  auto reports = open_reports(o.pipeline.output);
  if (!reports.ok()) {
    fmt::print(stderr, "kvalidate: {}\n", reports.status().message());
    return exit_code::kBadInput;
  }
  // Everything about the input is checked before the plane is touched.
  if (Status s = render::check_values(o.values); !s.ok()) return fail_early(*reports, s, started);
  std::vector<render::Chart> charts;
  for (const auto& path : o.charts) {
    auto chart = render::load_chart(path);
    if (!chart.ok()) return fail_early(*reports, chart.status(), started);
    charts.push_back(std::move(chart.value()));
  }
  auto helm = render::find_helm();
  if (!helm.ok()) return fail_early(*reports, helm.status(), started);

  // Rendering needs the server's version and API list: connect first.
  auto session = connect(o.pipeline);
  if (!session.ok()) return fail_early(*reports, session.status(), started);
  render::RenderRequest base;
  base.release = o.release;
  base.namespace_ = !o.pipeline.namespace_.empty() ? o.pipeline.namespace_
                    : !session->default_namespace.empty() ? session->default_namespace : "default";
  base.values = o.values;
  base.skip_tests = o.skip_tests;
  if (session->discovery) {
    base.kube_version = session->discovery->server_version();
    base.api_versions = render::helm_api_versions(session->discovery->all());
  }

  std::vector<Batch> batches;
  for (const auto& chart : charts) {
    for (const auto& chart_run : render::plan_runs(chart, o.values_matrix)) {
      render::RenderRequest req = base;
      req.run_values_file = chart_run.values_file;
      req.suite = chart_run.suite;
      Batch batch;
      batch.suite = chart_run.suite;
      if (!o.no_lint) {
        auto lint = render::lint_chart(*helm, chart, req);
        if (!lint.ok()) return fail_run(*reports, batches, lint.status(), started);
        batch.pre_results.push_back(std::move(lint.value()));
      }
      auto rendered = render::render_chart(*helm, chart, req);
      if (!rendered.ok()) return fail_run(*reports, batches, rendered.status(), started);
      batch.resources = std::move(rendered->resources);
      for (auto& p : rendered->problems) batch.pre_results.push_back(std::move(p));
      // Rendered lines are not template lines: point findings at the field's key in the template.
      batch.locate = [](const Resource& r, const std::string& path) {
        int line = render::template_line_for(r.source, path);
        return std::pair<int, int>{line, 0};
      };
      batches.push_back(std::move(batch));
    }
  }
  return validate(*session, *reports, batches, o.pipeline, started);
}

const Registrar kRegistrar{Command{
    "chart", "Render Helm charts with helm and validate every object on the API server", 20,
    [](CLI::App& app) -> std::function<int()> {
      auto opts = std::make_shared<ChartOptions>();
      CLI::App* cmd = app.add_subcommand(
          "chart", "Lint and render Helm charts with the real helm (the server's version and API versions reach "
                   ".Capabilities), then validate every rendered object with server-side dry-run");
      cmd->add_option("charts", opts->charts, "Chart directories or packaged .tgz charts")->required();
      cmd->add_option("-f,--values", opts->values.files, "Values file (repeatable; applied in order)");
      cmd->add_option("--set", opts->values.set, "Set a value: KEY=VALUE (repeatable)");
      cmd->add_option("--set-string", opts->values.set_string, "Set a STRING value: KEY=VALUE (repeatable)");
      cmd->add_option("--set-file", opts->values.set_file, "Set a value from a file: KEY=FILE (repeatable)");
      cmd->add_option("--release", opts->release, "Release name (default: the chart's name)");
      cmd->add_option("-n,--namespace", opts->pipeline.namespace_,
                      "Release namespace (default: the context's namespace, else default)");
      cmd->add_flag("--values-matrix", opts->values_matrix,
                    "Validate once per ci/*.yaml values file (ci/*-values.yaml are used even without this flag)");
      cmd->add_flag("--no-lint", opts->no_lint, "Do not run helm lint first");
      cmd->add_flag("--skip-tests", opts->skip_tests, "Leave out helm test hooks (templates/tests)");
      cmd->add_option("--rbac", opts->pipeline.rbac_file, "RBAC expectations file to check");
      cmd->add_option("--disable-rule", opts->pipeline.disabled_rules, "Rule ID to turn off (repeatable)");
      add_output_flags(cmd, opts->pipeline.output);
      add_cluster_flags(cmd, opts->pipeline.cluster);
      return [opts] { return run(*opts); };
    }}};

}  // namespace
}  // namespace kv::cli
