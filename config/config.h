// `.kvalidate.yaml`: a project's defaults for kvalidate (reports, namespace, cluster, rules, RBAC
// expectations, per-chart values), found from the working directory upward or named by --config.
// Paths in the file are relative to the file's folder and must stay inside its folder tree; loaded paths
// are absolute. A config may not pick the cluster or credentials (kubeconfig, context), and a config file
// owned by another user or writable by group/others is refused.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "validators/expectation.h"

namespace kv::config {

inline constexpr const char* kConfigFileName = ".kvalidate.yaml";

// Settings of one chart (the `charts:` map).
struct ChartConfig {
  std::vector<std::string> values;                   // values files, absolute
  std::optional<bool> values_matrix;
  std::string release, namespace_;                   // "" = not set
  std::vector<std::string> set;                      // "KEY=VALUE", in file order
};

struct Config {
  std::string file;                                  // the config file (absolute)
  std::string dir;                                   // its folder (absolute)
  std::optional<std::vector<std::string>> outputs;   // FORMAT[=FILE], FILE made absolute
  std::optional<std::string> namespace_, backend, wait;  // no kubeconfig/context: flags and env only
  std::optional<std::vector<std::string>> kube_versions;  // as written ("1.35", "1.36,1.37"), each resolvable
  std::optional<int> jobs;
  std::optional<bool> warnings_as_errors;
  std::optional<bool> full;                          // `full: true`: a full plane (like --full)
  std::optional<std::vector<std::string>> disabled_rules;
  std::optional<std::string> risk_rules;             // off | warn | error (--risk-rules)
  std::map<std::string, std::string> rule_severity;  // risk rule id → off | info | warning | error
  std::optional<std::string> fail_on;                // error | warning (--fail-on)
  std::optional<std::vector<std::string>> crds;      // CRD files and folders (--crds), absolute
  std::string rbac_file;                             // absolute; "" = none
  std::optional<std::vector<Expectation>> expectations;  // inline `expectations:`
  std::optional<std::vector<std::string>> policies;  // the cluster's admission policies (files, folders),
                                                     // absolute; each inside the config's folder
  std::optional<std::string> pod_security;           // LEVEL[:VERSION] (validators/pod_security.h)
  std::map<std::string, ChartConfig> charts;         // key: the chart's absolute, normalized path
  std::string helm;                                  // `helm:` "3", "4", an absolute path, or a command
                                                     // name looked up on PATH; "" = not set
};

// Parses config text. `file` names it in messages and is the base for relative paths (made absolute
// against the working directory). InvalidInput (exit 2) "FILE:LINE: ..." for invalid YAML, a value of
// the wrong type, an invalid value, an unknown key at any level (naming the key), or a `policies` path
// that leads outside the config's folder (also through a symbolic link).
Result<Config> parse_config(const std::string& text, const std::string& file);

// Reads and parses `path`. InvalidInput when it cannot be read.
Result<Config> load_config(const std::string& path);

// The nearest `.kvalidate.yaml` in `start_dir` or one of its ancestors up to the filesystem root;
// "" when there is none.
std::string find_config_file(const std::string& start_dir);

// With `explicit_path` (--config): that file, which must exist. Otherwise the file found upward from
// `start_dir`, or no config (nullopt) when there is none. Errors as load_config.
Result<std::optional<Config>> find_and_load_config(const std::string& explicit_path, const std::string& start_dir);

// The settings for the chart at `chart_path` (relative to the working directory or absolute), or null.
const ChartConfig* chart_config(const Config& config, const std::string& chart_path);

// `path` made absolute against `base_dir` (when relative) and normalized lexically ("a/./b/../c" → "a/c").
std::string absolute_from(const std::string& base_dir, const std::string& path);

}  // namespace kv::config
