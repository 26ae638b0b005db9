// `kvalidate chart CHART...`: lints and renders each chart with the real helm, using the server's version
// and served API versions so that .Capabilities tells the truth, then judges every rendered object on the
// API server. A chart with ci/*-values.yaml (or any ci/*.yaml with --values-matrix) runs once per file,
// each run its own report suite; -f values files replace that matrix unless --values-matrix is given.
// With several --kube-version versions, every chart is rendered and judged once per version.
#include <algorithm>
#include <optional>
#include <thread>

#include <fmt/core.h>

#include "cli/command.h"
#include "cli/hook_output.h"
#include "cli/options.h"
#include "config/hook_paths.h"
#include "core/clock.h"
#include "core/exit_codes.h"
#include "core/parallel.h"
#include "engine/versions.h"
#include "render/chart.h"
#include "render/git_snapshot.h"
#include "render/lookup.h"
#include "render/render.h"
#include "render/line_map.h"
#include "render/template_lines.h"
#include "render/values_origin.h"
#include "resources/locate.h"

namespace kv::cli {
namespace {

struct ChartOptions {
  std::vector<std::string> charts;
  render::ValuesFlags values;
  std::string release;
  bool values_matrix = false;
  bool no_values_matrix = false;
  bool no_lint = false;
  bool skip_tests = false;
  bool allow_external_symlinks = false;
  bool hook = false;
  std::string upgrade_from;   // --upgrade-from: a chart folder, a .tgz, or git:REV
  bool lookup = false;
  std::string helm;  // --helm: 3, 4 or a path
  PipelineOptions pipeline;
  ConfigFlags config;
};

// One chart with its settings: the command line's, layered over the config's `charts:` entry.
struct ChartPlan {
  render::Chart chart;
  render::ValuesFlags values;  // config values files and set first, then -f and --set (later wins in helm)
  std::string release, namespace_;
  render::ValuesMatrix matrix = render::ValuesMatrix::kCiValues;
};

ChartPlan plan_chart(render::Chart chart, const ChartOptions& o, const CLI::App& cmd,
                     const std::optional<config::Config>& cfg) {
  ChartPlan p;
  p.values = o.values;
  p.release = o.release;
  std::optional<bool> matrix;  // given: on (every ci/*.yaml) or off
  if (o.values_matrix) matrix = true;
  if (o.no_values_matrix) matrix = false;
  const config::ChartConfig* cc = cfg ? config::chart_config(*cfg, chart.path) : nullptr;
  if (cc) {
    p.values.files.insert(p.values.files.begin(), cc->values.begin(), cc->values.end());
    p.values.set.insert(p.values.set.begin(), cc->set.begin(), cc->set.end());
    if (!given(cmd, "--release")) p.release = cc->release;
    if (!given(cmd, "--namespace")) p.namespace_ = cc->namespace_;
    if (!matrix) matrix = cc->values_matrix;
  }
  // Values files name the run the user wants: they replace the ci/ matrix unless it is asked for.
  p.matrix = matrix ? (*matrix ? render::ValuesMatrix::kAllCi : render::ValuesMatrix::kOff)
             : p.values.files.empty() ? render::ValuesMatrix::kCiValues
                                      : render::ValuesMatrix::kOff;
  p.chart = std::move(chart);
  return p;
}

// A chart with its own namespace in the config: its namespaced objects that name none go there.
void place_in_namespace(std::vector<Resource>& resources, const std::string& ns, const kube::Discovery& discovery) {
  for (auto& r : resources) {
    if (!r.namespace_.empty()) continue;
    const kube::ApiResource* api = discovery.find_kind(r.group(), r.version(), r.kind);
    if (api && api->namespaced) r.namespace_ = ns;
  }
}

// The old version of `chart` for --upgrade-from: `spec` itself (a folder or .tgz), or for git:REV the
// chart's own path at that revision. `label` names it in findings.
struct OldChart {
  render::Chart chart;
  std::string label;
  std::shared_ptr<render::TempDir> snapshot;  // keeps a git revision's files while it is rendered
};

Result<OldChart> load_old_chart(const std::string& spec, const render::Chart& chart) {
  OldChart old;
  std::string rev;
  std::string path = spec;
  old.label = spec;
  if (render::parse_git_spec(spec, rev)) {
    auto snap = render::git_snapshot(chart.path, rev);
    if (!snap.ok()) return snap.status();
    path = snap->path;
    old.snapshot = snap->tree;
    old.label = fmt::format("git:{} ({})", rev, snap->commit.substr(0, 12));
  }
  auto loaded = render::load_chart(path);
  if (!loaded.ok()) return loaded.status().Prefixed("--upgrade-from " + spec);
  old.chart = std::move(*loaded);
  return old;
}

// Renders the old chart like the new one (same request: values, release, namespace, capabilities).
// A chart that does not render cannot be upgraded from: InvalidInput naming it.
Result<engine::UpgradeFrom> render_old(const render::Helm& helm, const OldChart& old, const render::RenderRequest& req,
                                       const std::string& ns, const kube::Discovery& discovery) {
  auto rendered = render::render_chart(helm, old.chart, req);
  if (!rendered.ok()) return rendered.status().Prefixed("--upgrade-from " + old.label);
  if (rendered->failed()) {
    const auto& p = rendered->problems.front();
    return Status::InvalidInput(fmt::format("--upgrade-from {}: the old chart does not render: {}", old.label,
                                            p.findings.empty() ? p.title : p.findings.front().message));
  }
  if (!ns.empty()) place_in_namespace(rendered->resources, ns, discovery);
  return engine::UpgradeFrom{std::move(rendered->resources), old.label};
}

// Reports a failure that happens before any batch exists (exit 2 or 3).
int fail_early(report::ReportSet& reports, const Status& why, double started) {
  return conclude(engine::fail_run(reports, {}, why, started));
}

// What the chart's `lookup` calls returned (once per chart; the calls are the same in every run).
ObjectResult lookup_report(const render::Chart& chart, const render::RenderRequest& req, engine::Session& session) {
  auto calls = render::find_lookup_calls(chart, req.namespace_);
  std::vector<render::LookupAnswer> answers;
  std::vector<std::string> why;
  if (!calls.empty() && !req.lookup_kubeconfig.empty())
    answers = render::answer_lookups(*session.conn.client, session.conn.discovery, calls, why);
  return render::lookup_result(chart, calls, answers, why, req.suite);
}

// One values file of one chart: what to render it with, and what helm said (filled in parallel).
struct RenderJob {
  const ChartPlan* plan;
  render::ChartRun run;
  render::RenderRequest req;
  bool first = false;  // the chart's first run: its lint and its lookup report
  bool lint = false;
  std::optional<Result<ObjectResult>> linted;
  std::optional<Result<render::Rendered>> rendered;
};

// The batch of a rendered job: lint, render problems, lookups (first run) and notes first, then the
// objects, every finding mapped from rendered lines to template lines. The lint or render failure otherwise.
Result<engine::Batch> batch_of(RenderJob& j, engine::Session& session) {
  engine::Batch batch;
  batch.suite = j.run.suite;
  if (j.linted) {
    if (!j.linted->ok()) return j.linted->status();
    batch.pre_results.push_back(std::move(j.linted->value()));
  }
  auto& rendered = *j.rendered;
  if (!rendered.ok()) return rendered.status();
  batch.resources = std::move(rendered->resources);
  if (!j.plan->namespace_.empty()) place_in_namespace(batch.resources, j.plan->namespace_, session.conn.discovery);
  for (auto& p : rendered->problems) batch.pre_results.push_back(std::move(p));
  if (j.first) {
    auto lookups = lookup_report(j.plan->chart, j.req, session);
    if (!lookups.findings.empty()) batch.pre_results.push_back(std::move(lookups));
  }
  for (auto& n : rendered->notes) batch.pre_results.push_back(std::move(n));
  // Rendered lines are not template lines: every finding goes through the rendered → template mapping.
  // A field the template writes through toYaml points at the nearest key the template writes, and
  // names the value that produced it.
  batch.map_line = render::template_line_of;
  batch.locate = [&chart = j.plan->chart, run_values = j.req.run_values_file, values = j.req.values](
                     const Resource& r, const std::string& path) {
    auto spot = render::template_spot_for(r.source, path);
    if (!spot.values_key.empty()) {
      std::string origin = render::value_origin(chart, run_values, values, spot.values_key);
      return engine::Place{spot.line, 0, "value " + spot.values_key + (origin.empty() ? "" : ", set by " + origin), ""};
    }
    if (auto pos = locate(r, path)) return engine::Place{render::template_line_of(r, pos->line), 0, "", ""};
    return engine::Place{spot.line, 0, "", ""};
  };
  return batch;
}

// Lints and renders every chart run for one server: its version and API list reach .Capabilities (and
// its kubeconfig helm's lookup, with --lookup), and the lint and render results name that version. One
// helm template per values file, several at a time; helm lint once per chart (its first run): what lint
// says about rendering with each values file, the render of that file says too. With --upgrade-from, each
// batch carries the old version rendered the same way. On a helm failure `failed` says why and the
// batches rendered until then are returned.
std::vector<engine::Batch> render_batches(const std::vector<ChartPlan>& charts, const ChartOptions& o,
                                          const render::Helm& helm, engine::Session& session,
                                          const std::vector<OldChart>& olds, Status& failed) {
  const kube::Discovery& discovery = session.conn.discovery;
  render::RenderRequest base;
  base.namespace_ = session.conn.default_namespace;
  base.skip_tests = o.skip_tests;
  base.kube_version = discovery.server_version();
  base.api_versions = render::helm_api_versions(discovery.all());
  if (o.lookup) {
    base.lookup_kubeconfig = session.conn.plane.kubeconfig_path;
    base.lookup_context = session.conn.plane.cluster.context;
  }
  std::vector<RenderJob> jobs;
  for (const auto& plan : charts) {
    for (const auto& chart_run : render::plan_runs(plan.chart, plan.matrix)) {
      bool first = jobs.empty() || jobs.back().plan != &plan;
      RenderJob j{&plan, chart_run, base, first, !o.no_lint && first, {}, {}};
      j.req.release = plan.release;
      j.req.values = plan.values;
      if (!plan.namespace_.empty()) j.req.namespace_ = plan.namespace_;
      j.req.run_values_file = chart_run.values_file;
      j.req.suite = chart_run.suite;
      jobs.push_back(std::move(j));
    }
  }
  int helm_processes = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 2u, 8u));
  parallel_for(jobs.size(), helm_processes, [&](size_t i) {
    RenderJob& j = jobs[i];
    if (j.lint) j.linted.emplace(render::lint_chart(helm, j.plan->chart, j.req));
    j.rendered.emplace(render::render_chart(helm, j.plan->chart, j.req));
  });
  std::vector<engine::Batch> batches;
  for (auto& j : jobs) {
    auto batch = batch_of(j, session);
    if (!batch.ok()) { failed = batch.status(); return batches; }
    if (!olds.empty()) {
      const OldChart& old = olds[static_cast<size_t>(j.plan - charts.data())];
      auto from = render_old(helm, old, j.req, j.plan->namespace_, discovery);
      if (!from.ok()) { failed = from.status(); return batches; }
      batch->upgrade = std::move(*from);
    }
    for (auto& p : batch->pre_results) p.server_version = base.kube_version;
    batches.push_back(std::move(*batch));
  }
  return batches;
}

// Several --kube-version versions: each chart rendered for each version (its .Capabilities), each
// rendering judged on that version's plane.
int run_versions(const ChartOptions& o, const CLI::App& cmd, const std::optional<config::Config>& cfg,
                 const std::vector<ChartPlan>& charts, const std::vector<OldChart>& olds, const render::Helm& helm,
                 report::ReportSet& reports,
                 double started) {
  auto per_version = run_options_per_version(o.pipeline, cfg, cmd);
  if (!per_version.ok()) return fail_early(reports, per_version.status(), started);
  auto sessions = engine::open_version_sessions(*per_version);
  if (!sessions.ok()) return fail_early(reports, sessions.status(), started);
  std::vector<std::vector<engine::Batch>> batches;
  for (auto& vs : *sessions) {
    Status failed;
    batches.push_back(render_batches(charts, o, helm, vs.session, olds, failed));
    if (!failed.ok())
      return conclude(engine::fail_run(reports, batches.back(), failed.Prefixed("Kubernetes " + vs.version), started));
  }
  return conclude(engine::validate_versions(*sessions, reports, batches, {}, *per_version, started));
}

int run_validation(const ChartOptions& o, const CLI::App& cmd, const std::optional<config::Config>& cfg,
                   const std::vector<std::string>& chart_paths, double started) {
  auto reports = report::ReportSet::Open(o.pipeline.output.outputs, o.pipeline.output.verbose);
  if (!reports.ok()) return fail(reports.status());
  // Everything about the input is checked before the plane is touched.
  std::vector<ChartPlan> charts;
  for (const auto& path : chart_paths) {
    auto chart = render::load_chart(path, o.allow_external_symlinks);
    if (!chart.ok()) return fail_early(*reports, chart.status(), started);
    charts.push_back(plan_chart(std::move(chart.value()), o, cmd, cfg));
    if (Status s = render::check_values(charts.back().values); !s.ok()) return fail_early(*reports, s, started);
  }
  std::vector<OldChart> olds;
  if (!o.upgrade_from.empty()) {
    std::string rev;
    if (charts.size() > 1 && !render::parse_git_spec(o.upgrade_from, rev))
      return fail_early(*reports, Status::Usage("--upgrade-from with a folder or .tgz takes one chart (git:REV takes "
                                                "each chart's own path at REV)"), started);
    for (const auto& plan : charts) {
      auto old = load_old_chart(o.upgrade_from, plan.chart);
      if (!old.ok()) return fail_early(*reports, old.status(), started);
      olds.push_back(std::move(*old));
    }
  }
  render::HelmRequest helm_req{o.helm, cfg ? cfg->helm : "", cfg ? cfg->file : ""};
  auto helm = render::find_helm(helm_req);
  if (!helm.ok()) return fail_early(*reports, helm.status(), started);
  if (Status s = render::check_helm_can_render(*helm, o.lookup); !s.ok()) return fail_early(*reports, s, started);

  // Rendering needs the server's version and API list: connect first.
  if (several_kube_versions(o.pipeline.cluster)) return run_versions(o, cmd, cfg, charts, olds, *helm, *reports, started);
  auto ro = run_options(o.pipeline, cfg, cmd);
  if (!ro.ok()) return fail_early(*reports, ro.status(), started);
  if (!olds.empty() && (!ro->connect.ensure.kubeconfig.empty() || !ro->connect.ensure.context.empty()))
    return fail_early(*reports, engine::upgrade_refused_on_external(), started);
  auto session = engine::open_session(*ro);
  if (!session.ok()) return fail_early(*reports, session.status(), started);
  Status failed;
  std::vector<engine::Batch> batches = render_batches(charts, o, *helm, *session, olds, failed);
  if (!failed.ok()) return conclude(engine::fail_run(*reports, batches, failed, started));
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
      auto* on = cmd->add_flag("--values-matrix", opts->values_matrix,
                               "Validate once per ci/*.yaml values file (ci/*-values.yaml are used even without this "
                               "flag, unless -f is given); -f files are then layered on each");
      auto* off = cmd->add_flag("--no-values-matrix", opts->no_values_matrix,
                                "Validate once with the chart's values (and -f), ignoring ci/");
      on->excludes(off);
      cmd->add_flag("--no-lint", opts->no_lint, "Do not run helm lint first");
      cmd->add_flag("--skip-tests", opts->skip_tests, "Leave out helm test hooks (templates/tests)");
      cmd->add_option("--upgrade-from", opts->upgrade_from,
                      "Check the upgrade from this older version of the chart: a chart folder, a .tgz, or git:REV "
                      "(the chart's own path at a git revision, e.g. git:origin/main). Its objects are applied for "
                      "real into scratch namespaces on kvalidate's own plane (removed afterwards), then each "
                      "changed object is dry-run as an update: immutable fields are findings");
      cmd->add_option("--helm", opts->helm,
                      "Helm to render with: 3, 4 (that major, from PATH or kvalidate's cache) or a path. "
                      "Env: KVALIDATE_HELM; config: helm. Default: helm on PATH, else the newest built (Helm 4)");
      cmd->add_flag("--lookup", opts->lookup,
                    "Render against the plane (helm template --dry-run=server) so that `lookup` sees its objects; "
                    "findings say which lookups returned empty");
      cmd->add_flag("--allow-external-symlinks", opts->allow_external_symlinks,
                    "Let the chart hold symbolic links to files outside it (helm reads them into the chart)");
      cmd->add_option("--rbac", opts->pipeline.rbac_file, "RBAC expectations file to check");
      cmd->add_option("--disable-rule", opts->pipeline.disabled_rules, "Rule ID to turn off (repeatable)");
      add_rule_flags(cmd, opts->pipeline);
      add_policy_flags(cmd, opts->pipeline);
      add_output_flags(cmd, opts->pipeline.output);
      add_kind_flags(cmd, opts->pipeline.kinds);
      cmd->add_flag("--hook", opts->hook,
                    "Pre-commit mode: the arguments are changed files; validate each chart holding any of them "
                    "once, ignore files in no chart, print nothing on success");
      add_cluster_flags(cmd, opts->pipeline.cluster);
      add_impersonation_flags(cmd, opts->pipeline.cluster);
      add_config_flags(cmd, opts->config);
      return [opts, cmd] { return run(*opts, *cmd); };
    }}};

}  // namespace
}  // namespace kv::cli
