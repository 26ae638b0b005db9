#include "cli/options.h"

#include <cstdio>

#include <fmt/core.h>

#include "resources/kind_filter.h"

namespace kv::cli {

void add_cluster_flags(CLI::App* cmd, ClusterFlags& f) {
  cmd->add_option("--kubeconfig", f.kubeconfig,
                  "Use this existing cluster (never changed; dry-run and reviews only). Env: KVALIDATE_KUBECONFIG");
  cmd->add_option("--context", f.context, "Context of the kubeconfig to use (implies an existing cluster)");
  cmd->add_option("--backend", f.backend, "Control plane to start when none runs: auto, apiserver, k3s")
      ->check(CLI::IsMember({"auto", "apiserver", "k3s"}));
  cmd->add_option("--wait", f.wait, "How long to wait for a starting control plane to be ready");
  cmd->add_flag("--full", f.full,
                "Run a full plane: kube-controller-manager, kube-scheduler and simulated nodes (KWOK) too "
                "(built on first use; a running plain plane is restarted as full)");
  cmd->add_option("--kube-version", f.kube_versions,
                  "Kubernetes version(s) to validate against, each on its own kube-apiserver: V[,V...] with V a "
                  "minor (1.35) or an exact pinned version (1.35.4); repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  f.progress = [](std::string_view text) {
    fwrite(text.data(), 1, text.size(), stderr);
    fflush(stderr);
  };
  f.build_progress = [](const BuildProgress& p) { fmt::print(stderr, "kvalidate: {}\n", format_build_progress(p)); };
}

void add_shard_flag(CLI::App* cmd, PipelineOptions& p) {
  cmd->add_option("--shard", p.shard,
                  "Validate only shard I of N (1-based) of the inputs, for a CI job matrix: each file (after "
                  "directory expansion), chart or kustomization goes to the shard its path hashes to; stdin is "
                  "shard 1's. Merge the shards' JSON reports with `kvalidate merge-reports`")
      ->type_name("I/N");
}

void mark_reports(report::ReportSet& reports, const PipelineOptions& p, const Shard& shard) {
  if (shard.enabled()) reports.set_shards({shard.count, {shard.index}});
  reports.set_fail_on(p.fail_on);
}

void note_empty_shard(const Shard& shard, size_t elsewhere) {
  fmt::print(stderr, "kvalidate: shard {}: none of the inputs is in this shard ({} in the others): nothing to validate\n",
             shard.str(), elsewhere);
}

void add_impersonation_flags(CLI::App* cmd, ClusterFlags& f) {
  cmd->add_option("--as", f.as_user, "Username to impersonate for the requests (as kubectl --as)");
  cmd->add_option("--as-group", f.as_groups, "Group to impersonate (repeatable; as kubectl --as-group)");
  cmd->add_option("--as-uid", f.as_uid, "UID to impersonate (as kubectl --as-uid)");
}

void add_output_flags(CLI::App* cmd, OutputFlags& f) {
  cmd->add_option("-o,--output", f.outputs,
                  "Report FORMAT[=FILE]; repeatable. Formats: " + report::report_format_names());
  cmd->add_option("-j,--jobs", f.jobs, "Requests in flight to the API server")->check(CLI::Range(1, 256));
  cmd->add_flag("--warnings-as-errors", f.warnings_as_errors, "Treat warnings (deprecations, unknown fields) as errors");
  cmd->add_flag("-v,--verbose", f.verbose, "Text report: also list valid objects, the files skipped as non-Kubernetes YAML, and what "
                "mutating admission policies would change (info)");
  auto* no_cache = cmd->add_flag("--no-cache", f.no_cache,
                                 "Ask the server about every object and run helm again (no result or render cache)");
  cmd->add_flag("--cache", f.cache,
                "Use the result cache on an existing cluster too (--kubeconfig/--context): unchanged objects are "
                "not asked again")
      ->excludes(no_cache);
}

void add_kind_flags(CLI::App* cmd, KindFlags& f) {
  CLI::Validator kinds(
      [](std::string& value) {
        auto parsed = parse_kind_filter({value}, {});
        return parsed.ok() ? std::string()
                           : "\"" + value + "\": expected Kind (Secret) or apiVersion/Kind (apps/v1/Deployment)";
      },
      "KIND[,KIND...]");
  cmd->add_option("--skip-kind", f.skip,
                  "Kinds to leave unchecked (reported skipped): Kind or apiVersion/Kind, comma-separated, repeatable")
      ->check(kinds);
  cmd->add_option("--reject-kind", f.reject,
                  "Kinds to refuse (reported invalid): Kind or apiVersion/Kind, comma-separated, repeatable")
      ->check(kinds);
}

void add_policy_flags(CLI::App* cmd, PipelineOptions& p) {
  cmd->add_option("--policies", p.policies,
                  "The cluster's admission policies (folder or file; repeatable): applied for real on kvalidate's "
                  "own plane before the input, not validated as input");
  cmd->add_option("--pod-security", p.pod_security,
                  "Pod Security level the run's namespaces enforce: privileged|baseline|restricted[:VERSION] "
                  "(namespaces that set their own labels keep them)");
}

void add_rule_flags(CLI::App* cmd, PipelineOptions& p) {
  cmd->add_option("--risk-rules", p.risk_rules,
                  "RBAC risk rules: off, warn (default: findings are warnings), error (each rule's severity; "
                  "error-level findings make the object invalid)")
      ->check(CLI::IsMember({"off", "warn", "error"}));
  cmd->add_option("--fail-on", p.fail_on, "Findings that make the exit code 1: error (default) or warning")
      ->check(CLI::IsMember({"error", "warning"}));
  cmd->add_option("--crds", p.crds,
                  "CustomResourceDefinitions to apply first (files, folders, charts' crds/); repeatable");
  cmd->add_flag("--crds-from-cluster", p.crds_from_cluster,
                "Copy the CRDs of the --kubeconfig/--context cluster (read only) and validate on kvalidate's own "
                "plane with them");
}

void add_config_flags(CLI::App* cmd, ConfigFlags& f) {
  auto* file = cmd->add_option("--config", f.file, "Config file (default: .kvalidate.yaml in this folder or above)");
  cmd->add_flag("--no-config", f.none, "Ignore .kvalidate.yaml files")->excludes(file);
}

engine::GivenFlags given_flags(const CLI::App& cmd) {
  engine::GivenFlags out;
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt->count() == 0) continue;
    for (const auto& n : opt->get_snames()) out.insert("-" + n);
    for (const auto& n : opt->get_lnames()) out.insert("--" + n);
  }
  return out;
}

int fail(const Status& s) {
  fmt::print(stderr, "kvalidate: {}\n", s.message());
  return s.exit_code();
}

int conclude(const engine::RunEnd& end) {
  for (const auto& e : end.errors) fmt::print(stderr, "kvalidate: {}\n", e);
  return end.exit_code;
}

}  // namespace kv::cli
