// A validating command's settings as plain values (what its flags and `.kvalidate.yaml` say) and how they
// become the engine's options: the config layered under the flags, the plane(s) to ensure, the --crds
// and --crds-from-cluster CRDs loaded. The CLI fills these structs from its flags; nothing here knows CLI11.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "controlplane/ensure.h"
#include "core/tool_build.h"
#include "engine/run.h"

namespace kv::engine {

// The names of the options given on the command line, each under every name it has ("-n", "--namespace").
// A setting whose flag is in here is not taken from the config.
using GivenFlags = std::set<std::string>;

struct ClusterFlags {
  std::string kubeconfig, context, backend = "auto";
  std::string as_user, as_uid;            // --as, --as-uid
  std::vector<std::string> as_groups;     // --as-group
  std::string wait = "60s";
  bool full = false;                  // --full: controller-manager, scheduler and simulated nodes too
  std::vector<std::string> kube_versions;  // --kube-version, as given ("1.35,1.37"); empty: the default plane
  // Where a starting plane's progress and a first-use build's progress go (the CLI: stderr); null: nowhere.
  std::function<void(std::string_view)> progress;
  BuildProgressFn build_progress;
};

struct OutputFlags {
  std::vector<std::string> outputs;   // FORMAT[=FILE], repeatable
  int jobs = 16;
  bool warnings_as_errors = false;
  bool verbose = false;               // -v: the text report lists valid objects, skipped files, policy mutations
  bool no_cache = false;              // --no-cache: no result cache, no render cache
  bool cache = false;                 // --cache: the result cache on an existing cluster too
};

// --skip-kind / --reject-kind values as given (comma-separated lists, repeatable).
struct KindFlags {
  std::vector<std::string> skip, reject;
};

// What the validating commands (manifests, chart, kustomize) share: the settings that become RunOptions.
struct PipelineOptions {
  ClusterFlags cluster;
  OutputFlags output;
  std::string namespace_;                  // -n; "" = the context's namespace or "default"
  std::string rbac_file;                   // --rbac expectations
  std::vector<std::string> disabled_rules; // --disable-rule
  std::string risk_rules = "warn";         // --risk-rules off|warn|error
  std::map<std::string, std::string> rule_severity;  // the config's rule_severity
  std::string fail_on = "error";           // --fail-on error|warning
  std::vector<std::string> crds;           // --crds PATH (repeatable)
  bool crds_from_cluster = false;          // --crds-from-cluster: copy the --kubeconfig/--context cluster's
                                           // CRDs; the run is on kvalidate's own plane
  KindFlags kinds;                         // --skip-kind, --reject-kind
  std::vector<std::string> policies;       // --policies DIR|FILE: the cluster's admission policies
  std::string pod_security;                // --pod-security LEVEL[:VERSION]; "" = none
  std::string shard;                       // --shard I/N as given; "" = not sharded (core/shard.h)
};

// Where the command's `.kvalidate.yaml` comes from: --config FILE, or found upward from the working
// directory unless --no-config.
struct ConfigFlags {
  std::string file;
  bool none = false;
};

// Loads the command's config (nullopt: none found, or --no-config). Exit 2 on a bad config file.
Result<std::optional<config::Config>> load_command_config(const ConfigFlags& f);

// Copies the config's settings into `p` for every setting whose flag is not in `given` (flags override
// the config; KVALIDATE_KUBECONFIG also overrides its kubeconfig). Inline `expectations:` are not copied
// here: run_options() takes them.
void apply_config(const config::Config& c, const GivenFlags& given, PipelineOptions& p);
// The cluster part of apply_config (backend, wait, kube_versions, full), for commands that only ensure a
// plane (`up`).
void apply_cluster_config(const config::Config& c, const GivenFlags& given, ClusterFlags& f);

// What the validating commands do first: load_command_config(), then (in hook mode, unless -o was given)
// forget the config's report files — a commit must not create files — and apply_config().
Result<std::optional<config::Config>> configure_command(const ConfigFlags& f, const GivenFlags& given, bool hook,
                                                        PipelineOptions& p);

// The engine's options for a validating command: `p` (after apply_config), and the config's inline
// `expectations:` unless --rbac was given; the --crds CRDs loaded. Fails (exit 2) on a bad --wait, an
// unknown rule id or severity, or a --crds path that cannot be read or holds no CRD (naming it).
Result<RunOptions> run_options(const PipelineOptions& p, const std::optional<config::Config>& cfg,
                               const GivenFlags& given);

// run_options() for each version of --kube-version (oldest first): each names its version in
// connect.ensure.kube_version. Fails as run_options and as kube_versions().
Result<std::vector<RunOptions>> run_options_per_version(const PipelineOptions& p,
                                                       const std::optional<config::Config>& cfg,
                                                       const GivenFlags& given);

// How to connect: the cluster settings, -n, and kvalidate's discovery cache. Fails (exit 2) on a bad --wait.
Result<ConnectOptions> connect_options(const ClusterFlags& f, const std::string& namespace_);

// The run of a command whose batches exist before the server is needed (manifests): on the one plane, or
// on each version's plane with several --kube-version versions (engine/versions.h).
RunEnd run_batches(report::ReportSet& reports, std::vector<Batch>& batches, const PipelineOptions& p,
                   const std::optional<config::Config>& cfg, const GivenFlags& given, double started_ms);

// EnsureOptions from the settings and environment (KVALIDATE_KUBECONFIG) for a command that uses one
// plane: the --kube-version one when a single version is given. Usage (exit 2) on a bad --wait, a bad
// --kube-version (see kube_versions()) or more than one version.
Result<controlplane::EnsureOptions> ensure_options(const ClusterFlags& f);

// The exact versions --kube-version names, oldest first (empty: none given). Usage (exit 2) for an
// unknown version (listing the supported ones) and for --kube-version with an existing cluster
// (--kubeconfig, --context, KVALIDATE_KUBECONFIG) or --backend k3s.
Result<std::vector<std::string>> kube_versions(const ClusterFlags& f);

// True when --kube-version names two or more valid versions (a run per version).
bool several_kube_versions(const ClusterFlags& f);

// ensure_options() for each of kube_versions() (one entry without a version when none is given).
Result<std::vector<controlplane::EnsureOptions>> ensure_options_per_version(const ClusterFlags& f);

}  // namespace kv::engine
