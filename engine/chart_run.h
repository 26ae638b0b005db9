// `kvalidate chart`'s run from plain settings: every chart loaded and checked before the plane is
// touched, the old versions for --upgrade-from, helm found, a session opened (rendering needs the
// server's version and API list), each chart rendered into batches and judged; with several
// --kube-version versions, every chart rendered and judged once per version.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/chart_batches.h"
#include "engine/run.h"
#include "engine/run_settings.h"
#include "report/reporter.h"

namespace kv::engine {

struct ChartRunOptions {
  std::vector<std::string> charts;        // chart folders or packaged .tgz charts
  ChartSettings settings;                 // how each is rendered
  bool allow_external_symlinks = false;   // --allow-external-symlinks
  std::string upgrade_from;               // --upgrade-from: a chart folder, a .tgz, or git:REV
  std::string helm;                       // --helm: 3, 4 or a path; "" = the config's, else the default
  PipelineOptions pipeline;               // after apply_config
};

// Runs every chart of `o` into `reports` and finishes them. Input errors (a chart that does not load, bad
// values, --upgrade-from with a folder and several charts or on an existing cluster, no usable helm) end
// the run before the plane is touched (exit 2); `given` and `cfg` layer the config under the flags
// (plan_chart, run_options). `started_ms` (core/clock.h) is when the run began.
RunEnd run_charts(report::ReportSet& reports, const ChartRunOptions& o, const std::optional<config::Config>& cfg,
                  const GivenFlags& given, double started_ms);

}  // namespace kv::engine
