// `kvalidate chart CHART...`: lints and renders each chart with the real helm, using the server's version
// and served API versions so that .Capabilities tells the truth, then judges every rendered object on the
// API server. A chart with ci/*-values.yaml (or any ci/*.yaml with --values-matrix) runs once per file,
// each run its own report suite.

#include "cli/command.h"
#include "cli/hook_output.h"
#include "cli/options.h"
#include "config/hook_paths.h"
#include "core/clock.h"
#include "core/exit_codes.h"
#include "engine/chart_batches.h"
#include "render/render.h"

namespace kv::cli {
namespace {

struct ChartOptions {
  std::vector<std::string> charts;
  render::ValuesFlags values;
  std::string release;
  bool values_matrix = false;
  bool no_lint = false;
  bool skip_tests = false;
  bool hook = false;
  PipelineOptions pipeline;
  ConfigFlags config;
};

// The chart with its settings: the command line's, layered over the config's `charts:` entry.
engine::ChartInput chart_input(render::Chart chart, const ChartOptions& o, const CLI::App& cmd,
                               const std::optional<config::Config>& cfg) {
  engine::ChartInput p;
  p.values = o.values;
  p.release = o.release;
  p.values_matrix = o.values_matrix;
  const config::ChartConfig* cc = cfg ? config::chart_config(*cfg, chart.path) : nullptr;
  if (cc) {
    p.values.files.insert(p.values.files.begin(), cc->values.begin(), cc->values.end());
    p.values.set.insert(p.values.set.begin(), cc->set.begin(), cc->set.end());
    if (!given(cmd, "--release")) p.release = cc->release;
    if (!given(cmd, "--namespace")) p.namespace_ = cc->namespace_;
    if (!given(cmd, "--values-matrix") && cc->values_matrix) p.values_matrix = *cc->values_matrix;
  }
  p.chart = std::move(chart);
  return p;
}

// Reports a failure that happens before any batch exists (exit 2 or 3).
int fail_early(report::ReportSet& reports, const Status& why, double started) {
  return conclude(engine::fail_run(reports, {}, why, started));
}

int run_validation(const ChartOptions& o, const CLI::App& cmd, const std::optional<config::Config>& cfg,
                   const std::vector<std::string>& chart_paths, double started) {
  auto reports = report::ReportSet::Open(o.pipeline.output.outputs);
  if (!reports.ok()) return fail(reports.status());
  // Everything about the input is checked before the plane is touched.
  std::vector<engine::ChartInput> charts;
  for (const auto& path : chart_paths) {
    auto chart = render::load_chart(path);
    if (!chart.ok()) return fail_early(*reports, chart.status(), started);
    charts.push_back(chart_input(std::move(chart.value()), o, cmd, cfg));
    if (Status s = render::check_values(charts.back().values); !s.ok()) return fail_early(*reports, s, started);
  }
  auto helm = render::find_helm();
  if (!helm.ok()) return fail_early(*reports, helm.status(), started);

  // Rendering needs the server's version and API list: connect first.
  auto ro = run_options(o.pipeline, cfg, cmd);
  if (!ro.ok()) return fail_early(*reports, ro.status(), started);
  auto session = engine::open_session(*ro);
  if (!session.ok()) return fail_early(*reports, session.status(), started);
  std::vector<engine::Batch> batches;
  Status rendered = engine::chart_batches(*helm, charts, session->conn, {!o.no_lint, o.skip_tests}, batches);
  if (!rendered.ok()) return conclude(engine::fail_run(*reports, batches, rendered, started));
  return conclude(engine::validate(*session, *reports, batches, *ro, started));
}

int run(ChartOptions& o, const CLI::App& cmd) {
  double started = now_ms();
  auto cfg = configure_command(o.config, cmd, o.hook, o.pipeline);
  if (!cfg.ok()) return fail(cfg.status());
  if (!o.hook) return run_validation(o, cmd, *cfg, o.charts, started);
  // Hook mode: the arguments are changed files; each chart holding some of them is validated once.
  std::vector<std::string> roots = config::chart_roots_for(o.charts);
  if (roots.empty()) return exit_code::kClean;
  HookText hook_text;
  hook_text.capture(o.pipeline.output.outputs);
  return hook_text.finish(run_validation(o, cmd, *cfg, roots, started));
}

const Registrar kRegistrar{Command{
    "chart", "Lint and render Helm charts with the real helm (the server's version and API versions reach "
             ".Capabilities), then validate every rendered object with server-side dry-run", 20,
    [](CLI::App* cmd) -> std::function<int()> {
      auto opts = std::make_shared<ChartOptions>();
      cmd->add_option("charts", opts->charts, "Chart directories or packaged .tgz charts (with --hook: changed files)")
          ->required();
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
      cmd->add_flag("--hook", opts->hook,
                    "Pre-commit mode: the arguments are changed files; validate each chart holding any of them "
                    "once, ignore files in no chart, print nothing on success");
      add_cluster_flags(cmd, opts->pipeline.cluster);
      add_config_flags(cmd, opts->config);
      return [opts, cmd] { return run(*opts, *cmd); };
    }}};

}  // namespace
}  // namespace kv::cli
