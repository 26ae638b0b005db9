// Options shared by the validating commands (manifests, chart, can-i): how to find the cluster and
// where reports go. Each command's options struct embeds these; add_*_options registers the flags.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "controlplane/ensure.h"

namespace kv::cli {

struct ClusterFlags {
  std::string kubeconfig, context, backend = "auto";
  std::string wait = "60s";
};

struct OutputFlags {
  std::vector<std::string> outputs;   // FORMAT[=FILE], repeatable
  int jobs = 16;
  bool warnings_as_errors = false;
};

void add_cluster_flags(CLI::App* cmd, ClusterFlags& f);
void add_output_flags(CLI::App* cmd, OutputFlags& f);

// Builds EnsureOptions from the flags and environment (KVALIDATE_KUBECONFIG); fails on a bad --wait.
Result<controlplane::EnsureOptions> ensure_options(const ClusterFlags& f);

// Parses "60s", "2m", "500ms", "90" (seconds) into a duration.
Result<std::chrono::milliseconds> parse_duration(const std::string& text);

}  // namespace kv::cli
