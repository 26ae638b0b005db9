// Options shared by the validating commands (manifests, chart, can-i): how to find the cluster and
// where reports go. Each command's options struct embeds these; add_*_options registers the flags.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config.h"
#include "controlplane/ensure.h"
#include "engine/run.h"

namespace kv::cli {

struct ClusterFlags {
  std::string kubeconfig, context, backend = "auto";
  std::string as_user, as_uid;            // --as, --as-uid
  std::vector<std::string> as_groups;     // --as-group
  std::string wait = "60s";
  bool full = false;                  // --full: controller-manager, scheduler and simulated nodes too
  std::vector<std::string> kube_versions;  // --kube-version, as given ("1.35,1.37"); empty: the default plane
};

struct OutputFlags {
  std::vector<std::string> outputs;   // FORMAT[=FILE], repeatable
  int jobs = 16;
  bool warnings_as_errors = false;
  bool verbose = false;               // -v: the text report lists valid objects, skipped files, policy mutations
};

// --skip-kind / --reject-kind values as given (comma-separated lists, repeatable; checked by CLI11).
struct KindFlags {
  std::vector<std::string> skip, reject;
};

// What the validating commands (manifests, chart) share: the flags that become engine::RunOptions.
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
};

// --policies and --pod-security on the command line of `cmd`.
void add_policy_flags(CLI::App* cmd, PipelineOptions& p);

// --risk-rules, --fail-on, --crds and --crds-from-cluster (manifests, chart).
void add_rule_flags(CLI::App* cmd, PipelineOptions& p);

void add_cluster_flags(CLI::App* cmd, ClusterFlags& f);
// --as, --as-group, --as-uid: every request impersonates them, as kubectl's flags (not for can-i, whose
// --as names the subject to review).
void add_impersonation_flags(CLI::App* cmd, ClusterFlags& f);
void add_output_flags(CLI::App* cmd, OutputFlags& f);
void add_kind_flags(CLI::App* cmd, KindFlags& f);

// Where the command's `.kvalidate.yaml` comes from: --config FILE, or found upward from the working
// directory unless --no-config.
struct ConfigFlags {
  std::string file;
  bool none = false;
};
void add_config_flags(CLI::App* cmd, ConfigFlags& f);

// Loads the command's config (nullopt: none found, or --no-config). Exit 2 on a bad config file.
Result<std::optional<config::Config>> load_command_config(const ConfigFlags& f);

// Copies the config's settings into `p` for every option not given on `cmd`'s command line (flags
// override the config; KVALIDATE_KUBECONFIG also overrides its kubeconfig). Inline `expectations:`
// are not copied here: run_options() takes them.
void apply_config(const config::Config& c, const CLI::App& cmd, PipelineOptions& p);
// The cluster part of apply_config (backend, wait, kube_versions, full), for commands that only
// ensure a plane (`up`).
void apply_cluster_config(const config::Config& c, const CLI::App& cmd, ClusterFlags& f);

// What both validating commands do first: load_command_config(), then (in hook mode, unless -o was
// given) forget the config's report files — a commit must not create files — and apply_config().
Result<std::optional<config::Config>> configure_command(const ConfigFlags& f, const CLI::App& cmd, bool hook,
                                                        PipelineOptions& p);

// The engine's options for a validating command: `p` (after apply_config), and the config's inline
// `expectations:` unless --rbac was given; the --crds CRDs loaded. Fails (exit 2) on a bad --wait, an
// unknown rule id or severity, or a --crds path that cannot be read or holds no CRD (naming it).
Result<engine::RunOptions> run_options(const PipelineOptions& p, const std::optional<config::Config>& cfg,
                                       const CLI::App& cmd);

// run_options() for each version of --kube-version (oldest first): each names its version in
// connect.ensure.kube_version. Fails as run_options and as kube_versions().
Result<std::vector<engine::RunOptions>> run_options_per_version(const PipelineOptions& p,
                                                               const std::optional<config::Config>& cfg,
                                                               const CLI::App& cmd);

// How to connect: the cluster flags, -n, and kvalidate's discovery cache. Fails (exit 2) on a bad --wait.
Result<engine::ConnectOptions> connect_options(const ClusterFlags& f, const std::string& namespace_);

// The run of a command whose batches exist before the server is needed (manifests, kustomize): on the one
// plane, or on each version's plane with several --kube-version versions (engine/versions.h). Prints the
// run's errors and returns its exit code.
int run_batches(report::ReportSet& reports, std::vector<engine::Batch>& batches, const PipelineOptions& p,
                const std::optional<config::Config>& cfg, const CLI::App& cmd, double started_ms);

// Prints "kvalidate: MESSAGE" on stderr and returns the failure's exit code.
int fail(const Status& s);
// Prints the run's errors ("kvalidate: ..." each) and returns its exit code.
int conclude(const engine::RunEnd& end);

// True when the option named `name` ("--namespace") was given on `cmd`'s command line.
bool given(const CLI::App& cmd, const std::string& name);

// Builds EnsureOptions from the flags and environment (KVALIDATE_KUBECONFIG) for a command that uses one
// plane: the --kube-version one when a single version is given. Usage (exit 2) on a bad --wait, a bad
// --kube-version (see kube_versions()) or more than one version. A first-use build for --full shows its
// progress on stderr.
Result<controlplane::EnsureOptions> ensure_options(const ClusterFlags& f);

// The exact versions --kube-version names, oldest first (empty: none given). Usage (exit 2) for an
// unknown version (listing the supported ones) and for --kube-version with an existing cluster
// (--kubeconfig, --context, KVALIDATE_KUBECONFIG) or --backend k3s.
Result<std::vector<std::string>> kube_versions(const ClusterFlags& f);

// True when --kube-version names two or more valid versions (a run per version).
bool several_kube_versions(const ClusterFlags& f);

// ensure_options() for each of kube_versions() (one entry without a version when none is given), each
// printing the progress of a first-use build on stderr.
Result<std::vector<controlplane::EnsureOptions>> ensure_options_per_version(const ClusterFlags& f);

// Parses "60s", "2m", "500ms", "90" (seconds) into a duration.
Result<std::chrono::milliseconds> parse_duration(const std::string& text);

}  // namespace kv::cli
