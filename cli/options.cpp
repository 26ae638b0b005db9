#include "cli/options.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <fmt/core.h>

#include "core/kube_versions.h"
#include "engine/versions.h"
#include "core/tools.h"
#include "engine/cluster_crds.h"
#include "kube/client.h"
#include "kube/kubeconfig.h"
#include "resources/crd_sources.h"
#include "resources/kind_filter.h"
#include "validators/rbac_rules.h"

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
}

void add_impersonation_flags(CLI::App* cmd, ClusterFlags& f) {
  cmd->add_option("--as", f.as_user, "Username to impersonate for the requests (as kubectl --as)");
  cmd->add_option("--as-group", f.as_groups, "Group to impersonate (repeatable; as kubectl --as-group)");
  cmd->add_option("--as-uid", f.as_uid, "UID to impersonate (as kubectl --as-uid)");
}

void add_output_flags(CLI::App* cmd, OutputFlags& f) {
  cmd->add_option("-o,--output", f.outputs,
                  "Report FORMAT[=FILE]; repeatable. Formats: text, json, junit, sarif, github");
  cmd->add_option("-j,--jobs", f.jobs, "Requests in flight to the API server")->check(CLI::Range(1, 256));
  cmd->add_flag("--warnings-as-errors", f.warnings_as_errors, "Treat warnings (deprecations, unknown fields) as errors");
  cmd->add_flag("-v,--verbose", f.verbose, "Text report: also list valid objects, the files skipped as non-Kubernetes YAML, and what "
                "mutating admission policies would change (info)");
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

Result<std::optional<config::Config>> load_command_config(const ConfigFlags& f) {
  if (f.none) return std::optional<config::Config>();
  return config::find_and_load_config(f.file, ".");
}

bool given(const CLI::App& cmd, const std::string& name) {
  const CLI::Option* opt = cmd.get_option_no_throw(name);
  return opt && opt->count() > 0;
}

Result<std::optional<config::Config>> configure_command(const ConfigFlags& f, const CLI::App& cmd, bool hook,
                                                        PipelineOptions& p) {
  auto cfg = load_command_config(f);
  if (!cfg.ok() || !*cfg) return cfg;
  if (hook && !given(cmd, "--output")) (*cfg)->outputs.reset();
  apply_config(**cfg, cmd, p);
  return cfg;
}

void apply_config(const config::Config& c, const CLI::App& cmd, PipelineOptions& p) {
  auto take = [&](const char* flag, auto& field, const auto& value) {
    if (value && !given(cmd, flag)) field = *value;
  };
  take("--output", p.output.outputs, c.outputs);
  take("--jobs", p.output.jobs, c.jobs);
  take("--warnings-as-errors", p.output.warnings_as_errors, c.warnings_as_errors);
  take("--namespace", p.namespace_, c.namespace_);
  take("--disable-rule", p.disabled_rules, c.disabled_rules);
  take("--risk-rules", p.risk_rules, c.risk_rules);
  take("--fail-on", p.fail_on, c.fail_on);
  take("--crds", p.crds, c.crds);
  p.rule_severity = c.rule_severity;
  apply_cluster_config(c, cmd, p.cluster);
  if (!c.rbac_file.empty() && !given(cmd, "--rbac")) p.rbac_file = c.rbac_file;
  take("--policies", p.policies, c.policies);
  take("--pod-security", p.pod_security, c.pod_security);
}

Result<engine::ConnectOptions> connect_options(const ClusterFlags& f, const std::string& namespace_) {
  auto ensure = ensure_options(f);
  if (!ensure.ok()) return ensure.status();
  engine::ConnectOptions o;
  o.ensure = std::move(*ensure);
  o.namespace_ = namespace_;
  o.discovery_cache_dir = cache_dir();
  return o;
}

namespace {

// --crds-from-cluster: the CRDs of the cluster the kubeconfig flags name (read only).
Result<std::vector<Resource>> copy_cluster_crds(const ClusterFlags& f) {
  std::string path = f.kubeconfig;
  if (path.empty())
    if (const char* env = std::getenv("KVALIDATE_KUBECONFIG"); env && *env) path = env;
  if (path.empty() && f.context.empty())
    return Status::Usage("--crds-from-cluster needs --kubeconfig (or --context): the cluster to copy CRDs from");
  if (path.empty())
    if (const char* env = std::getenv("KUBECONFIG"); env && *env) path = env;
  if (path.empty())
    if (const char* home = std::getenv("HOME"); home && *home) path = std::string(home) + "/.kube/config";
  auto cluster = kube::load_kubeconfig(path, f.context);
  if (!cluster.ok()) return cluster.status();
  auto client = kube::Client::Create(*cluster);
  if (!client.ok()) return client.status();
  return engine::cluster_crds(**client, cache_dir());
}

}  // namespace

Result<engine::RunOptions> run_options(const PipelineOptions& p, const std::optional<config::Config>& cfg,
                                       const CLI::App& cmd) {
  auto connect = connect_options(p.cluster, p.namespace_);
  if (!connect.ok()) return connect.status();
  std::vector<Resource> copied;
  if (p.crds_from_cluster) {
    auto crds = copy_cluster_crds(p.cluster);
    if (!crds.ok()) return crds.status();
    copied = std::move(*crds);
    // The kubeconfig named the cluster to copy from: the run itself is on kvalidate's own plane.
    connect->ensure.kubeconfig.clear();
    connect->ensure.context.clear();
  }
  engine::RunOptions o;
  o.connect = std::move(*connect);
  o.rbac_file = p.rbac_file;
  if (cfg && cfg->expectations && !given(cmd, "--rbac")) o.inline_expectations = cfg->expectations;
  o.disabled_rules = p.disabled_rules;
  auto kinds = parse_kind_filter(p.kinds.skip, p.kinds.reject);
  if (!kinds.ok()) return kinds.status();
  o.kinds = std::move(*kinds);
  o.jobs = p.output.jobs;
  o.warnings_as_errors = p.output.warnings_as_errors;
  auto risk = make_risk_policy(p.risk_rules, p.rule_severity);
  if (!risk.ok()) return risk.status();
  o.risk = std::move(*risk);
  o.fail_on_warning = p.fail_on == "warning";
  if (!p.crds.empty()) {
    LoadResult crds = load_crds(p.crds);
    if (!crds.problems.empty()) {
      const ObjectResult& first = crds.problems.front();
      const Finding& f = first.findings.front();
      return Status::InvalidInput(fmt::format("--crds {}{}: {}", f.file,
                                              f.line > 0 ? ":" + std::to_string(f.line) : std::string(), f.message));
    }
    o.crds = std::move(crds.resources);
  }
  for (auto& c : copied)  // a CRD given with --crds wins over the cluster's copy
    if (std::none_of(o.crds.begin(), o.crds.end(), [&](const Resource& r) { return r.name == c.name; }))
      o.crds.push_back(std::move(c));
  o.policies = p.policies;
  o.pod_security = p.pod_security;
  o.describe_mutations = p.output.verbose;
  return o;
}

Result<std::vector<engine::RunOptions>> run_options_per_version(const PipelineOptions& p,
                                                               const std::optional<config::Config>& cfg,
                                                               const CLI::App& cmd) {
  auto versions = kube_versions(p.cluster);
  if (!versions.ok()) return versions.status();
  std::vector<engine::RunOptions> out;
  for (const auto& v : *versions) {
    PipelineOptions one = p;
    one.cluster.kube_versions = {v};
    auto o = run_options(one, cfg, cmd);
    if (!o.ok()) return o.status();
    out.push_back(std::move(*o));
  }
  return out;
}

int run_batches(report::ReportSet& reports, std::vector<engine::Batch>& batches, const PipelineOptions& p,
                const std::optional<config::Config>& cfg, const CLI::App& cmd, double started_ms) {
  if (several_kube_versions(p.cluster)) {
    auto per_version = run_options_per_version(p, cfg, cmd);
    if (!per_version.ok()) return conclude(engine::fail_run(reports, batches, per_version.status(), started_ms));
    return conclude(engine::run_versions(reports, batches, *per_version, started_ms));
  }
  auto ro = run_options(p, cfg, cmd);
  if (!ro.ok()) return conclude(engine::fail_run(reports, batches, ro.status(), started_ms));
  return conclude(engine::run(reports, batches, *ro, started_ms));
}

int fail(const Status& s) {
  fmt::print(stderr, "kvalidate: {}\n", s.message());
  return s.exit_code();
}

int conclude(const engine::RunEnd& end) {
  for (const auto& e : end.errors) fmt::print(stderr, "kvalidate: {}\n", e);
  return end.exit_code;
}

void apply_cluster_config(const config::Config& c, const CLI::App& cmd, ClusterFlags& f) {
  auto take = [&](const char* flag, auto& field, const auto& value) {
    if (value && !given(cmd, flag)) field = *value;
  };
  take("--backend", f.backend, c.backend);
  take("--wait", f.wait, c.wait);
  take("--kube-version", f.kube_versions, c.kube_versions);
  take("--full", f.full, c.full);
}

Result<std::chrono::milliseconds> parse_duration(const std::string& text) {
  using namespace std::chrono;
  if (text.empty()) return Status::Usage("empty duration");
  size_t pos = 0;
  double n = 0;
  try {
    n = std::stod(text, &pos);
  } catch (...) {
    return Status::Usage("invalid duration \"" + text + "\" (use e.g. 60s, 2m, 500ms)");
  }
  std::string unit = text.substr(pos);
  double ms;
  if (unit.empty() || unit == "s") ms = n * 1000;
  else if (unit == "ms") ms = n;
  else if (unit == "m") ms = n * 60000;
  else if (unit == "h") ms = n * 3600000;
  else return Status::Usage("invalid duration \"" + text + "\" (use e.g. 60s, 2m, 500ms)");
  if (n < 0) return Status::Usage("invalid duration \"" + text + "\": negative");
  return milliseconds(static_cast<long long>(ms));
}

namespace {

// The options without a version; the version parts are added by the two public functions.
Result<controlplane::EnsureOptions> base_ensure_options(const ClusterFlags& f) {
  controlplane::EnsureOptions o;
  o.kubeconfig = f.kubeconfig;
  if (o.kubeconfig.empty())
    if (const char* env = std::getenv("KVALIDATE_KUBECONFIG"); env && *env) o.kubeconfig = env;
  o.context = f.context;
  o.as_user = f.as_user;
  o.as_groups = f.as_groups;
  o.as_uid = f.as_uid;
  o.backend = f.backend;
  o.full = f.full;
  o.progress = [](std::string_view text) {
    fwrite(text.data(), 1, text.size(), stderr);
    fflush(stderr);
  };
  auto wait = parse_duration(f.wait);
  if (!wait.ok()) return wait.status().Prefixed("--wait");
  o.wait = std::chrono::duration_cast<std::chrono::seconds>(*wait);
  if (o.wait.count() < 1) o.wait = std::chrono::seconds(1);
  o.build_progress = [](const BuildProgress& p) { fmt::print(stderr, "kvalidate: {}\n", format_build_progress(p)); };
  return o;
}

}  // namespace

Result<controlplane::EnsureOptions> ensure_options(const ClusterFlags& f) {
  auto versions = ensure_options_per_version(f);
  if (!versions.ok()) return versions.status();
  if (versions->size() > 1)
    return Status::Usage("--kube-version: this command uses one plane; give one version");
  return versions->front();
}

Result<std::vector<std::string>> kube_versions(const ClusterFlags& f) {
  if (f.kube_versions.empty()) return std::vector<std::string>{};
  auto versions = resolve_kube_versions(f.kube_versions);
  if (!versions.ok()) return versions.status().Prefixed("--kube-version");
  const char* env = std::getenv("KVALIDATE_KUBECONFIG");
  if (!f.kubeconfig.empty() || !f.context.empty() || (env && *env))
    return Status::Usage("--kube-version cannot be used with an existing cluster (--kubeconfig, --context or "
                         "KVALIDATE_KUBECONFIG): it has one version of its own");
  if (f.backend == "k3s") return Status::Usage("--kube-version runs kube-apiserver planes: not with --backend k3s");
  return versions;
}

bool several_kube_versions(const ClusterFlags& f) {
  auto versions = kube_versions(f);
  return versions.ok() && versions->size() > 1;
}

Result<std::vector<controlplane::EnsureOptions>> ensure_options_per_version(const ClusterFlags& f) {
  auto base = base_ensure_options(f);
  if (!base.ok()) return base.status();
  auto versions = kube_versions(f);
  if (!versions.ok()) return versions.status();
  std::vector<controlplane::EnsureOptions> out;
  if (versions->empty()) out.push_back(*base);
  for (const auto& v : *versions) {
    out.push_back(*base);
    out.back().kube_version = v;
  }
  return out;
}

}  // namespace kv::cli
