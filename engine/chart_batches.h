// Turning charts into batches: helm lint and helm template once per chart and values file, with the
// server's version and API list (the session's discovery) in .Capabilities, and a locator that points
// findings at template lines.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "engine/connect.h"
#include "engine/run.h"
#include "render/chart.h"
#include "render/helm.h"

namespace kv::engine {

// One chart with its settings: the command line's, layered over the config's `charts:` entry.
struct ChartInput {
  render::Chart chart;
  render::ValuesFlags values;  // config values files and set first, then -f and --set (later wins in helm)
  std::string release;
  std::string namespace_;      // the release namespace; "" = the run's default namespace
  bool values_matrix = false;
};

struct ChartBatchOptions {
  bool lint = true;        // helm lint first (its result is reported before the objects)
  bool skip_tests = false;  // leave out helm test hooks
};

// Appends one batch per run of each chart (render::plan_runs) to `batches`. A chart with its own
// namespace gets its namespaced objects that name none placed there. Stops at the first lint or render
// that cannot run and returns why; the batches made so far stay in `batches`.
Status chart_batches(const render::Helm& helm, const std::vector<ChartInput>& charts, const Connection& conn,
                     const ChartBatchOptions& opts, std::vector<Batch>& batches);

}  // namespace kv::engine
