#include "engine/run_settings.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/core.h>

#include "core/duration.h"
#include "core/kube_versions.h"
#include "core/tools.h"
#include "engine/cluster_crds.h"
#include "engine/versions.h"
#include "kube/client.h"
#include "kube/kubeconfig.h"
#include "resources/crd_sources.h"
#include "resources/kind_filter.h"
#include "validators/rbac_rules.h"

namespace kv::engine {

Result<std::optional<config::Config>> load_command_config(const ConfigFlags& f) {
  if (f.none) return std::optional<config::Config>();
  return config::find_and_load_config(f.file, ".");
}

Result<std::optional<config::Config>> configure_command(const ConfigFlags& f, const GivenFlags& given, bool hook,
                                                        PipelineOptions& p) {
  auto cfg = load_command_config(f);
  if (!cfg.ok() || !*cfg) return cfg;
  if (hook && !given.count("--output")) (*cfg)->outputs.reset();
  apply_config(**cfg, given, p);
  return cfg;
}

namespace {

// Sets `field` to the config's `value` when the config has one and `flag` was not given.
template <typename Field, typename Value>
void take(const GivenFlags& given, const char* flag, Field& field, const Value& value) {
  if (value && !given.count(flag)) field = *value;
}

}  // namespace

void apply_config(const config::Config& c, const GivenFlags& given, PipelineOptions& p) {
  take(given, "--output", p.output.outputs, c.outputs);
  take(given, "--jobs", p.output.jobs, c.jobs);
  take(given, "--warnings-as-errors", p.output.warnings_as_errors, c.warnings_as_errors);
  take(given, "--namespace", p.namespace_, c.namespace_);
  take(given, "--disable-rule", p.disabled_rules, c.disabled_rules);
  take(given, "--risk-rules", p.risk_rules, c.risk_rules);
  take(given, "--fail-on", p.fail_on, c.fail_on);
  take(given, "--crds", p.crds, c.crds);
  p.rule_severity = c.rule_severity;
  apply_cluster_config(c, given, p.cluster);
  if (!c.rbac_file.empty() && !given.count("--rbac")) p.rbac_file = c.rbac_file;
  take(given, "--policies", p.policies, c.policies);
  take(given, "--pod-security", p.pod_security, c.pod_security);
}

void apply_cluster_config(const config::Config& c, const GivenFlags& given, ClusterFlags& f) {
  take(given, "--backend", f.backend, c.backend);
  take(given, "--wait", f.wait, c.wait);
  take(given, "--kube-version", f.kube_versions, c.kube_versions);
  take(given, "--full", f.full, c.full);
}

Result<ConnectOptions> connect_options(const ClusterFlags& f, const std::string& namespace_) {
  auto ensure = ensure_options(f);
  if (!ensure.ok()) return ensure.status();
  ConnectOptions o;
  o.ensure = std::move(*ensure);
  o.namespace_ = namespace_;
  o.discovery_cache_dir = cache_dir();
  return o;
}

namespace {

// --crds-from-cluster: the CRDs of the cluster the kubeconfig settings name (read only).
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
  return cluster_crds(**client, cache_dir());
}

// The --crds CRDs, then the copied ones whose name --crds does not give (a CRD given with --crds wins
// over the cluster's copy). InvalidInput naming the first problem of a --crds path.
Result<std::vector<Resource>> run_crds(const std::vector<std::string>& paths, std::vector<Resource> copied) {
  std::vector<Resource> out;
  if (!paths.empty()) {
    LoadResult crds = load_crds(paths);
    if (!crds.problems.empty()) {
      const ObjectResult& first = crds.problems.front();
      const Finding& f = first.findings.front();
      return Status::InvalidInput(fmt::format("--crds {}{}: {}", f.file,
                                              f.line > 0 ? ":" + std::to_string(f.line) : std::string(), f.message));
    }
    out = std::move(crds.resources);
  }
  for (auto& c : copied)
    if (std::none_of(out.begin(), out.end(), [&](const Resource& r) { return r.name == c.name; }))
      out.push_back(std::move(c));
  return out;
}

}  // namespace

Result<RunOptions> run_options(const PipelineOptions& p, const std::optional<config::Config>& cfg,
                               const GivenFlags& given) {
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
  RunOptions o;
  o.connect = std::move(*connect);
  o.rbac_file = p.rbac_file;
  if (cfg && cfg->expectations && !given.count("--rbac")) o.inline_expectations = cfg->expectations;
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
  auto crds = run_crds(p.crds, std::move(copied));
  if (!crds.ok()) return crds.status();
  o.crds = std::move(*crds);
  o.policies = p.policies;
  o.pod_security = p.pod_security;
  o.describe_mutations = p.output.verbose;
  o.no_cache = p.output.no_cache;
  o.cache_external = p.output.cache;
  return o;
}

Result<std::vector<RunOptions>> run_options_per_version(const PipelineOptions& p,
                                                       const std::optional<config::Config>& cfg,
                                                       const GivenFlags& given) {
  auto versions = kube_versions(p.cluster);
  if (!versions.ok()) return versions.status();
  std::vector<RunOptions> out;
  for (const auto& v : *versions) {
    PipelineOptions one = p;
    one.cluster.kube_versions = {v};
    auto o = run_options(one, cfg, given);
    if (!o.ok()) return o.status();
    out.push_back(std::move(*o));
  }
  return out;
}

RunEnd run_batches(report::ReportSet& reports, std::vector<Batch>& batches, const PipelineOptions& p,
                   const std::optional<config::Config>& cfg, const GivenFlags& given, double started_ms) {
  if (several_kube_versions(p.cluster)) {
    auto per_version = run_options_per_version(p, cfg, given);
    if (!per_version.ok()) return fail_run(reports, batches, per_version.status(), started_ms);
    return run_versions(reports, batches, *per_version, started_ms);
  }
  auto ro = run_options(p, cfg, given);
  if (!ro.ok()) return fail_run(reports, batches, ro.status(), started_ms);
  return run(reports, batches, *ro, started_ms);
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
  o.progress = f.progress;
  auto wait = parse_duration(f.wait);
  if (!wait.ok()) return wait.status().Prefixed("--wait");
  o.wait = *wait;  // as given: "not ready within --wait" holds to the millisecond
  o.build_progress = f.build_progress;
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

}  // namespace kv::engine
