// `kvalidate chart CHART...`: lints and renders each chart with the real helm, using the server's version
// and served API versions so that .Capabilities tells the truth, then judges every rendered object on the
// API server. A chart with ci/*-values.yaml (or any ci/*.yaml with --values-matrix) runs once per file,
// each run its own report suite; -f values files replace that matrix unless --values-matrix is given.
// With several --kube-version versions, every chart is rendered and judged once per version.
#include "cli/command.h"
#include "cli/hook_output.h"
#include "cli/options.h"
#include "config/hook_paths.h"
#include "core/clock.h"
#include "core/exit_codes.h"
#include "engine/chart_run.h"

namespace kv::cli {
namespace {

struct ChartOptions {
  engine::ChartRunOptions run;
  bool values_matrix = false;
  bool no_values_matrix = false;
  bool hook = false;
  ConfigFlags config;
};

int run_validation(const ChartOptions& o, const engine::GivenFlags& given, const std::optional<config::Config>& cfg,
                   const std::vector<std::string>& chart_paths, const Shard& shard, double started) {
  auto reports = report::ReportSet::Open(o.run.pipeline.output.outputs, o.run.pipeline.output.verbose);
  if (!reports.ok()) return fail(reports.status());
  mark_reports(*reports, o.run.pipeline, shard);
  engine::ChartRunOptions ro = o.run;
  ro.charts = ShardFilter(shard).select(chart_paths);  // a chart is never split: its path decides
  if (ro.charts.empty()) {
    note_empty_shard(shard, chart_paths.size());
    return conclude(engine::fail_run(*reports, {}, Status::Ok(), started));
  }
  if (o.values_matrix) ro.settings.values_matrix = true;
  if (o.no_values_matrix) ro.settings.values_matrix = false;
  return conclude(engine::run_charts(*reports, ro, cfg, given, started));
}

int run(ChartOptions& o, const CLI::App& cmd) {
  double started = now_ms();
  auto shard = parse_shard(o.run.pipeline.shard);
  if (!shard.ok()) return fail(shard.status());
  engine::GivenFlags given = given_flags(cmd);
  auto cfg = engine::configure_command(o.config, given, o.hook, o.run.pipeline);
  if (!cfg.ok()) return fail(cfg.status());
  if (!o.hook) return run_validation(o, given, *cfg, o.run.charts, *shard, started);
  // Hook mode: the arguments are changed files; each chart holding some of them is validated once.
  std::vector<std::string> roots = config::chart_roots_for(o.run.charts);
  if (roots.empty()) return exit_code::kClean;
  HookText hook_text;
  hook_text.capture(o.run.pipeline.output.outputs);
  return hook_text.finish(run_validation(o, given, *cfg, roots, *shard, started));
}

const Registrar kRegistrar{Command{
    "chart", "Lint and render Helm charts with the real helm (the server's version and API versions reach "
             ".Capabilities), then validate every rendered object with server-side dry-run", 20,
    [](CLI::App* cmd) -> std::function<int()> {
      auto opts = std::make_shared<ChartOptions>();
      cmd->add_option("charts", opts->run.charts, "Chart directories or packaged .tgz charts (with --hook: changed files)")
          ->required();
      cmd->add_option("-f,--values", opts->run.settings.values.files, "Values file (repeatable; applied in order)");
      cmd->add_option("--set", opts->run.settings.values.set, "Set a value: KEY=VALUE (repeatable)");
      cmd->add_option("--set-string", opts->run.settings.values.set_string, "Set a STRING value: KEY=VALUE (repeatable)");
      cmd->add_option("--set-file", opts->run.settings.values.set_file, "Set a value from a file: KEY=FILE (repeatable)");
      cmd->add_option("--release", opts->run.settings.release, "Release name (default: the chart's name)");
      cmd->add_option("-n,--namespace", opts->run.pipeline.namespace_,
                      "Release namespace (default: the context's namespace, else default)");
      auto* on = cmd->add_flag("--values-matrix", opts->values_matrix,
                               "Validate once per ci/*.yaml values file (ci/*-values.yaml are used even without this "
                               "flag, unless -f is given); -f files are then layered on each");
      auto* off = cmd->add_flag("--no-values-matrix", opts->no_values_matrix,
                                "Validate once with the chart's values (and -f), ignoring ci/");
      on->excludes(off);
      cmd->add_flag("--no-lint", opts->run.settings.no_lint, "Do not run helm lint first");
      cmd->add_flag("--skip-tests", opts->run.settings.skip_tests, "Leave out helm test hooks (templates/tests)");
      cmd->add_option("--upgrade-from", opts->run.upgrade_from,
                      "Check the upgrade from this older version of the chart: a chart folder, a .tgz, or git:REV "
                      "(the chart's own path at a git revision, e.g. git:origin/main). Its objects are applied for "
                      "real into scratch namespaces on kvalidate's own plane (removed afterwards), then each "
                      "changed object is dry-run as an update: immutable fields are findings");
      cmd->add_option("--helm", opts->run.helm,
                      "Helm to render with: 3, 4 (that major, from PATH or kvalidate's cache) or a path. "
                      "Env: KVALIDATE_HELM; config: helm. Default: helm on PATH, else the newest built (Helm 4)");
      cmd->add_flag("--lookup", opts->run.settings.lookup,
                    "Render against the plane (helm template --dry-run=server) so that `lookup` sees its objects; "
                    "findings say which lookups returned empty");
      cmd->add_flag("--allow-external-symlinks", opts->run.allow_external_symlinks,
                    "Let the chart hold symbolic links to files outside it (helm reads them into the chart)");
      cmd->add_option("--rbac", opts->run.pipeline.rbac_file, "RBAC expectations file to check");
      cmd->add_option("--disable-rule", opts->run.pipeline.disabled_rules, "Rule ID to turn off (repeatable)");
      add_rule_flags(cmd, opts->run.pipeline);
      add_policy_flags(cmd, opts->run.pipeline);
      add_output_flags(cmd, opts->run.pipeline.output);
      add_shard_flag(cmd, opts->run.pipeline);
      add_kind_flags(cmd, opts->run.pipeline.kinds);
      cmd->add_flag("--hook", opts->hook,
                    "Pre-commit mode: the arguments are changed files; validate each chart holding any of them "
                    "once, ignore files in no chart, print nothing on success");
      add_cluster_flags(cmd, opts->run.pipeline.cluster);
      add_impersonation_flags(cmd, opts->run.pipeline.cluster);
      add_config_flags(cmd, opts->config);
      return [opts, cmd] { return run(*opts, *cmd); };
    }}};

}  // namespace
}  // namespace kv::cli
