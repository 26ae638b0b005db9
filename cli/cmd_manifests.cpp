// `kvalidate manifests PATH...`: loads plain YAML/JSON (files, directories, - for stdin) and judges
// every object on the API server with server-side dry-run (on each version's plane with several
// --kube-version versions).
#include <unistd.h>

#include <fmt/core.h>

#include "cli/command.h"
#include "cli/hook_output.h"
#include "cli/options.h"
#include "config/hook_paths.h"
#include "core/clock.h"
#include "core/env.h"
#include "core/exit_codes.h"
#include "resources/load_memo.h"
#include "resources/loader.h"

namespace kv::cli {
namespace {

struct ManifestsOptions {
  std::vector<std::string> paths;
  PipelineOptions pipeline;
  bool hook = false;
  ConfigFlags config;
};

int run_validation(const ManifestsOptions& o, const CLI::App& cmd, const std::optional<config::Config>& cfg,
                   const Shard& shard, double started) {
  auto reports = report::ReportSet::Open(o.pipeline.output.outputs, o.pipeline.output.verbose);
  if (!reports.ok()) return fail(reports.status());
  mark_reports(*reports, o.pipeline, shard);
  LoadOptions lo;
  lo.shard = ShardFilter(shard);
  lo.ignore_non_objects = o.hook;
  // Keep only each document's text: yaml-cpp trees cost ~30 KB per Deployment, and the few objects that
  // need a tree again (CRDs, Secrets, RBAC objects, findings' positions) re-parse their own text.
  lo.keep_objects = false;
  // Documents of unchanged files that loaded cleanly before are not parsed again (resources/load_memo.h).
  static const LoadMemo memo = LoadMemo::Default();
  if (!o.pipeline.output.no_cache && !env_turned_off("KVALIDATE_CACHE")) lo.memo = &memo;
  LoadResult loaded = load_paths(o.paths, lo);
  memo.prune();
  std::vector<engine::Batch> batches(1);
  batches[0].resources = std::move(loaded.resources);
  batches[0].pre_results = std::move(loaded.problems);
  for (auto& s : loaded.skipped) batches[0].pre_results.push_back(std::move(s));
  if (shard.enabled() && batches[0].resources.empty() && batches[0].pre_results.empty())
    note_empty_shard(shard, loaded.other_shards);
  if (batches[0].resources.empty()) {
    // Nothing to judge (only problems, or hook mode with no Kubernetes objects): no plane needed.
    return conclude(engine::fail_run(*reports, batches, Status::Ok(), started));
  }
  return conclude(engine::run_batches(*reports, batches, o.pipeline, cfg, given_flags(cmd), started));
}

int run(ManifestsOptions& o, const CLI::App& cmd) {
  double started = now_ms();
  auto shard = parse_shard(o.pipeline.shard);
  if (!shard.ok()) return fail(shard.status());
  // No PATH: read stdin when something is piped in (as kubeconform does); a terminal gets usage help.
  if (o.paths.empty()) {
    if (isatty(STDIN_FILENO)) {
      fmt::print(stderr, "kvalidate: manifests: no PATH given (files, directories, or - for stdin); "
                         "pipe YAML in or name the files\n");
      return exit_code::kBadInput;
    }
    o.paths.push_back("-");
  }
  if (o.hook) {
    // A chart's files are the charts hook's: templates are no manifests (a repository's own exclude
    // replaces the hook's, so the files pre-commit passes may still hold them).
    std::erase_if(o.paths, [](const std::string& p) { return p != "-" && !config::chart_roots_for({p}).empty(); });
    if (o.paths.empty()) return exit_code::kClean;
  }
  auto cfg = engine::configure_command(o.config, given_flags(cmd), o.hook, o.pipeline);
  if (!cfg.ok()) return fail(cfg.status());
  HookText hook_text;
  if (o.hook) hook_text.capture(o.pipeline.output.outputs);
  return hook_text.finish(run_validation(o, cmd, *cfg, *shard, started));
}

const Registrar kRegistrar{Command{
    "manifests", "Validate Kubernetes manifests (files, directories, - for stdin) "
                 "against a real API server with server-side dry-run", 10,
    [](CLI::App* cmd) -> std::function<int()> {
      auto opts = std::make_shared<ManifestsOptions>();
      cmd->add_option("paths", opts->paths,
                      "Files, directories (YAML/JSON inside, recursively) or - for stdin (the default when "
                      "stdin is not a terminal)");
      cmd->add_option("-n,--namespace", opts->pipeline.namespace_, "Namespace for objects that name none");
      cmd->add_option("--rbac", opts->pipeline.rbac_file, "RBAC expectations file to check");
      cmd->add_option("--disable-rule", opts->pipeline.disabled_rules, "Rule ID to turn off (repeatable)");
      add_rule_flags(cmd, opts->pipeline);
      cmd->add_flag("--hook", opts->hook, "Pre-commit mode: ignore YAML that is not a Kubernetes object, print nothing on success");
      add_policy_flags(cmd, opts->pipeline);
      add_output_flags(cmd, opts->pipeline.output);
      add_shard_flag(cmd, opts->pipeline);
      add_kind_flags(cmd, opts->pipeline.kinds);
      add_cluster_flags(cmd, opts->pipeline.cluster);
      add_impersonation_flags(cmd, opts->pipeline.cluster);
      add_config_flags(cmd, opts->config);
      return [opts, cmd] { return run(*opts, *cmd); };
    }}};

}  // namespace
}  // namespace kv::cli
