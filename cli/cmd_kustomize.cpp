// `kvalidate kustomize DIR...`: builds each kustomization with the real kustomize (kubectl's, or
// KVALIDATE_KUSTOMIZE) and judges every built object on the API server; findings point at the file the
// object was written in (base/deployment.yaml:15), or at the patch that set the field. Each
// kustomization is its own report suite.
#include <fmt/core.h>

#include "cli/command.h"
#include "cli/hook_output.h"
#include "cli/options.h"
#include "config/hook_paths.h"
#include "core/clock.h"
#include "core/exit_codes.h"
#include "engine/kustomize_run.h"

namespace kv::cli {
namespace {

struct KustomizeOptions {
  std::vector<std::string> dirs;
  std::string upgrade_from;
  bool hook = false;
  PipelineOptions pipeline;
  ConfigFlags config;
};

int run_validation(const KustomizeOptions& o, const CLI::App& cmd, const std::optional<config::Config>& cfg,
                   const std::vector<std::string>& dirs, const Shard& shard, double started) {
  auto reports = report::ReportSet::Open(o.pipeline.output.outputs);
  if (!reports.ok()) return fail(reports.status());
  mark_reports(*reports, o.pipeline, shard);
  std::vector<std::string> mine = ShardFilter(shard).select(dirs);  // a kustomization is never split
  if (mine.empty()) {
    note_empty_shard(shard, dirs.size());
    return conclude(engine::fail_run(*reports, {}, Status::Ok(), started));
  }
  return conclude(
      engine::run_kustomizations(*reports, mine, o.upgrade_from, o.pipeline, cfg, given_flags(cmd), started));
}

int run(KustomizeOptions& o, const CLI::App& cmd) {
  double started = now_ms();
  auto shard = parse_shard(o.pipeline.shard);
  if (!shard.ok()) return fail(shard.status());
  auto cfg = engine::configure_command(o.config, given_flags(cmd), o.hook, o.pipeline);
  if (!cfg.ok()) {
    fmt::print(stderr, "kvalidate: {}\n", cfg.status().message());
    return exit_code::kBadInput;
  }
  if (!o.hook) return run_validation(o, cmd, *cfg, o.dirs, *shard, started);
  // Hook mode: the arguments are changed files; each kustomization root building any of them runs once.
  std::vector<std::string> roots = config::kustomization_roots_for(o.dirs);
  if (roots.empty()) return exit_code::kClean;
  HookText hook_text;
  hook_text.capture(o.pipeline.output.outputs);
  return hook_text.finish(run_validation(o, cmd, *cfg, roots, *shard, started));
}

const Registrar kRegistrar{Command{
    "kustomize",
    "Build kustomizations with the real kustomize (kubectl's, or KVALIDATE_KUSTOMIZE) and validate every object "
    "with server-side dry-run; findings point at the file each field was written in",
    15,
    [](CLI::App* cmd) -> std::function<int()> {
      auto opts = std::make_shared<KustomizeOptions>();
      cmd->add_option("dirs", opts->dirs, "Kustomization folders (with --hook: changed files)")->required();
      cmd->add_option("-n,--namespace", opts->pipeline.namespace_, "Namespace for objects that name none");
      cmd->add_option("--rbac", opts->pipeline.rbac_file, "RBAC expectations file to check");
      cmd->add_option("--disable-rule", opts->pipeline.disabled_rules, "Rule ID to turn off (repeatable)");
      cmd->add_option("--upgrade-from", opts->upgrade_from,
                      "Check the upgrade from this version: git:REV (the kustomization at that revision, read with "
                      "git archive) or another kustomization folder; applied for real in scratch namespaces on "
                      "kvalidate's own plane, then each object dry-run as an update of it");
      add_rule_flags(cmd, opts->pipeline);
      add_policy_flags(cmd, opts->pipeline);
      add_output_flags(cmd, opts->pipeline.output);
      add_shard_flag(cmd, opts->pipeline);
      add_kind_flags(cmd, opts->pipeline.kinds);
      cmd->add_flag("--hook", opts->hook,
                    "Pre-commit mode: the arguments are changed files; validate each kustomization root that builds "
                    "any of them once, ignore files no kustomization names, print nothing on success");
      add_cluster_flags(cmd, opts->pipeline.cluster);
      add_impersonation_flags(cmd, opts->pipeline.cluster);
      add_config_flags(cmd, opts->config);
      return [opts, cmd] { return run(*opts, *cmd); };
    }}};

}  // namespace
}  // namespace kv::cli
