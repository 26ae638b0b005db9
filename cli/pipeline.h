// What every validating command does after reading its input: ensure the control plane, judge each
// batch of objects on the server (dry-run engine), apply RBAC risk rules and expectations, feed every
// report, and choose the exit code. Charts connect first (rendering needs the server's version and
// API list), then validate; manifests do both in one call.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/options.h"
#include "controlplane/ensure.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "report/reporter.h"
#include "resources/resource.h"
#include "validators/rbac_expectations.h"
#include "validators/result.h"

namespace kv::cli {

struct Batch {
  std::string suite;                       // "" = each object's file is its suite
  std::vector<Resource> resources;
  std::vector<ObjectResult> pre_results;   // input problems, lint and render results, reported first
  // Maps a field path to (line, column) in the object's file; null = the loader's locate().
  std::function<std::pair<int, int>(const Resource&, const std::string&)> locate;
};

struct PipelineOptions {
  ClusterFlags cluster;
  OutputFlags output;
  std::string namespace_;                  // -n; "" = the context's namespace or "default"
  std::string rbac_file;                   // --rbac expectations
  std::vector<std::string> disabled_rules; // --disable-rule
};

struct Session {
  controlplane::Plane plane;
  std::unique_ptr<kube::Client> client;
  std::optional<kube::Discovery> discovery;
  std::string default_namespace;
  std::vector<Expectation> expectations;   // from --rbac, loaded (and checked) by connect()
};

// Parses -o and checks every report path is writable (before any work). Exit 2 on failure.
Result<report::ReportSet> open_reports(const OutputFlags& flags);

// Checks the expectations file and rule ids (exit 2), ensures the plane, reads discovery, resolves the
// expectations against it. On failure the caller reports it with fail_run().
Result<Session> connect(const PipelineOptions& opts);

// Validates every batch on the session's server, feeds `reports`, finishes them; returns the exit code.
int validate(Session& session, report::ReportSet& reports, std::vector<Batch>& batches,
             const PipelineOptions& opts, double started_ms);

// Reports `pre_results` of every batch and the failure `why` (the run is aborted), finishes the
// reports, prints the error; returns why's exit code (3 for an unavailable plane).
int fail_run(report::ReportSet& reports, std::vector<Batch>& batches, const Status& why, double started_ms);

// True for a valid DNS-1123 label (what a namespace name must be).
bool is_dns_label(const std::string& s);

// Milliseconds on a monotonic clock (for durations).
double now_ms();

}  // namespace kv::cli
