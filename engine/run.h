// One validating run (manifests, chart): open a session (checks that need no server, then connect once),
// judge every batch of objects on the server (engine/batch.h), add RBAC risk findings, check RBAC
// expectations, feed every report, and end with the exit code. Charts connect first (rendering needs the
// server's version and API list), then validate; manifests do both in one go.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/connect.h"
#include "engine/results.h"
#include "report/reporter.h"
#include "resources/kind_filter.h"
#include "resources/resource.h"
#include "resources/result.h"
#include "validators/expectation.h"

namespace kv::engine {

// Objects judged together: a chart's rendering (one per values file) or the manifests of one run.
struct Batch {
  std::string suite;                       // "" = each object's file is its suite
  std::vector<Resource> resources;
  std::vector<ObjectResult> pre_results;   // input problems, lint and render results, reported first
  LocateFn locate;                         // null = locate_in_source (resources/locate)
  MapLineFn map_line;                      // null = node marks already count file lines
};

struct RunOptions {
  ConnectOptions connect;
  std::string rbac_file;                   // --rbac expectations file; "" = none
  std::optional<std::vector<Expectation>> inline_expectations;  // a config's `expectations:`: used instead
  std::vector<std::string> disabled_rules; // --disable-rule: KV-RBAC ids and server rules
  KindFilter kinds;                        // --skip-kind / --reject-kind: decided before anything is sent
  int jobs = 16;
  bool warnings_as_errors = false;
};

struct Session {
  Connection conn;
  std::vector<Expectation> expectations;   // resolved against the server's discovery
};

// How a run ended: the exit code (0 clean, 1 findings, 2 bad input, 3 infrastructure) and the errors to
// print, one line each (why the run stopped, a report that could not be written).
struct RunEnd {
  int exit_code = 0;
  std::vector<std::string> errors;
};

// Checks the rule ids and the expectations file (exit 2) before the plane is touched, connects, and
// resolves the expectations against discovery (exit 2 naming file:line for an unknown resource).
Result<Session> open_session(const RunOptions& opts);

// Judges every batch on the session's server, feeds `reports` (pre_results first, then each object in
// input order, then the expectations' results), finishes them. `started_ms` (core/clock.h) is when the
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
