// One validating run (manifests, chart): open a session (checks that need no server, then connect once),
// judge every batch of objects on the server (engine/batch.h), add RBAC risk findings, check RBAC
// expectations, feed every report, and end with the exit code. Charts connect first (rendering needs the
// server's version and API list), then validate; manifests do both in one go.
#pragma once

#include <memory>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/connect.h"
#include "engine/results.h"
#include "engine/upgrade.h"
#include "engine/plane_objects.h"
#include "engine/run_scope.h"
#include "report/reporter.h"
#include "resources/kind_filter.h"
#include "resources/resource.h"
#include "resources/result.h"
#include "validators/expectation.h"
#include "validators/rbac_rules.h"
#include "validators/pod_security.h"

namespace kv::engine {

// Objects judged together: a chart's rendering (one per values file) or the manifests of one run.
struct Batch {
  std::string suite;                       // "" = each object's file is its suite
  std::vector<Resource> resources;
  std::vector<ObjectResult> pre_results;   // input problems, lint and render results, reported first
  LocateFn locate;                         // null = locate_in_source (resources/locate)
  MapLineFn map_line;                      // null = node marks already count file lines
  std::optional<UpgradeFrom> upgrade;      // the old version to check the upgrade from (engine/upgrade.h)
  bool partial = false;                    // templates failed to render and are left out (render::Rendered)
};

struct RunOptions {
  ConnectOptions connect;
  std::string rbac_file;                   // --rbac expectations file; "" = none
  std::optional<std::vector<Expectation>> inline_expectations;  // a config's `expectations:`: used instead
  std::vector<std::string> disabled_rules; // --disable-rule: KV-RBAC ids and server rules
  KindFilter kinds;                        // --skip-kind / --reject-kind: decided before anything is sent
  int jobs = 16;
  bool warnings_as_errors = false;
  RiskPolicy risk;                         // --risk-rules and per-rule severities (warnings by default)
  bool fail_on_warning = false;            // --fail-on warning: a warning finding also exits 1
  std::vector<Resource> crds;              // --crds: applied first (CRD phase), reported only when not valid
  std::vector<std::string> policies;       // --policies: the cluster's admission policies (files, folders)
  std::string pod_security;                // --pod-security LEVEL[:VERSION]; "" = none
  bool no_cache = false;                   // --no-cache: every object asked (no result cache)
  bool cache_external = false;             // --cache: the result cache on an existing cluster too
  bool crd_pool = true;                    // owned plane: keep CRDs in the plane's pool between runs
                                           // (engine/crd_pool.h); KVALIDATE_CRD_POOL=off turns it off
  bool namespace_pool = true;              // owned plane: keep the namespaces runs make in the plane's pool
                                           // (engine/namespace_pool.h); KVALIDATE_NAMESPACE_POOL=off turns it off
  bool describe_mutations = false;         // -v: what mutating admission policies would change
};

struct Session {
  Connection conn;
  std::vector<Expectation> expectations;   // resolved against the server's discovery
  RunCrds run_crds;                        // CRDs applied for real in this run (--crds, earlier batches)
  std::unique_ptr<RunScope> scope;         // owned plane: what the run creates for real (run isolation)
  std::vector<Resource> cluster_policies;  // loaded from --policies: applied with every batch, not input
  std::optional<PodSecurityLevel> pod_security;
  std::vector<PooledCrd> to_pool;          // CRDs the current batch created that may go into the CRD pool
  std::set<std::string> pool_held;         // keys ("crd/NAME") of CRDs this run created and pooled, still held
                                           // for a later batch: handed over to the pool when it is done
  std::optional<std::map<std::string, LabelledCrd>> plane_crds;  // the plane's CRDs, read once per run
  std::map<std::string, std::string> namespaces_to_pool;  // namespaces the current batch made that may be
                                                         // pooled → their digests
};

// How a run ended: the exit code (0 clean, 1 findings, 2 bad input, 3 infrastructure) and the errors to
// print, one line each (why the run stopped, a report that could not be written).
struct RunEnd {
  int exit_code = 0;
  std::vector<std::string> errors;
};

// Checks the rule ids, the expectations file, --pod-security and loads --policies (exit 2) before the
// plane is touched, connects, and resolves the expectations against discovery (exit 2 naming file:line
// for an unknown resource). --policies and --pod-security on a cluster kvalidate does not own are usage
// errors (exit 2): nothing is applied there.
Result<Session> open_session(const RunOptions& opts);

// Judges every batch on the session's server, feeds `reports` (pre_results first, then each object in
// input order, then the expectations' results), finishes them. The --crds CRDs are applied first. Without
// run isolation (an external cluster) a CRD applied for real in one batch is not applied again in the next
// (a chart's values files); on an owned plane what a batch created for real is removed once the batch is
// judged (each batch sees the plane's baseline plus its own input and the --crds CRDs, applied again,
// silently, before each later batch). `started_ms` (core/clock.h) is when the
// run began.
RunEnd validate(Session& session, report::ReportSet& reports, std::vector<Batch>& batches, const RunOptions& opts,
                double started_ms);

// Ends a run that stopped before validating (`why`; Ok when there was nothing to judge): reports the
// batches' pre_results, finishes the reports (marked aborted when `why` is not ok).
RunEnd fail_run(report::ReportSet& reports, const std::vector<Batch>& batches, const Status& why, double started_ms);

// A run whose batches exist before the server is needed (manifests): open_session, then validate; a
// session that cannot be opened ends the run through fail_run.
RunEnd run(report::ReportSet& reports, std::vector<Batch>& batches, const RunOptions& opts, double started_ms);

}  // namespace kv::engine
