// The flags shared by the validating commands (manifests, chart, kustomize, can-i): how to find the cluster
// and where reports go. add_*_flags registers them into engine/run_settings.h's plain structs; the
// library turns those into the engine's options.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/shard.h"
#include "engine/run_settings.h"

namespace kv::cli {

using engine::ClusterFlags;
using engine::ConfigFlags;
using engine::KindFlags;
using engine::OutputFlags;
using engine::PipelineOptions;

// --policies and --pod-security on the command line of `cmd`.
void add_policy_flags(CLI::App* cmd, PipelineOptions& p);

// --risk-rules, --fail-on, --crds and --crds-from-cluster (manifests, chart).
void add_rule_flags(CLI::App* cmd, PipelineOptions& p);

// --shard I/N (manifests, chart, kustomize): this job's part of the inputs.
void add_shard_flag(CLI::App* cmd, PipelineOptions& p);
// Marks the command's reports with its shard and --fail-on level (both written into the JSON report).
void mark_reports(report::ReportSet& reports, const PipelineOptions& p, const Shard& shard);
// Says on stderr that this shard holds none of the inputs (`elsewhere` of them went to other shards).
void note_empty_shard(const Shard& shard, size_t elsewhere);

// The cluster flags; also points `f`'s progress at stderr (a starting plane, a first-use build).
void add_cluster_flags(CLI::App* cmd, ClusterFlags& f);
// --as, --as-group, --as-uid: every request impersonates them, as kubectl's flags (not for can-i, whose
// --as names the subject to review).
void add_impersonation_flags(CLI::App* cmd, ClusterFlags& f);
void add_output_flags(CLI::App* cmd, OutputFlags& f);
void add_kind_flags(CLI::App* cmd, KindFlags& f);
void add_config_flags(CLI::App* cmd, ConfigFlags& f);

// Every name of every option given on `cmd`'s command line ("-n" and "--namespace"), for the library's
// config layering.
engine::GivenFlags given_flags(const CLI::App& cmd);

// Prints "kvalidate: MESSAGE" on stderr and returns the failure's exit code.
int fail(const Status& s);
// Prints the run's errors ("kvalidate: ..." each) and returns its exit code.
int conclude(const engine::RunEnd& end);

}  // namespace kv::cli
