// A chart run's batches: each chart with its settings (the command line's layered over the config's
// `charts:` entry), linted and rendered with the real helm for one server (its version and API list reach
// .Capabilities), one batch per values file, findings mapped from rendered lines to template lines; and,
// for --upgrade-from, the old version of each chart rendered the same way.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/run.h"
#include "engine/run_settings.h"
#include "kube/discovery.h"
#include "render/chart.h"
#include "render/helm.h"

namespace kv::engine {

// How every chart of a run is rendered (the chart command's flags).
struct ChartSettings {
  render::ValuesFlags values;          // -f, --set, --set-string, --set-file
  std::string release;                 // --release; "" = the chart's name
  std::optional<bool> values_matrix;   // --values-matrix (true), --no-values-matrix (false), neither
  bool no_lint = false;                // --no-lint
  bool skip_tests = false;             // --skip-tests
  bool lookup = false;                 // --lookup: helm's lookup sees the plane
  bool no_cache = false;               // --no-cache: helm runs again (no render cache)
};

// One chart with its settings: the command line's, layered over the config's `charts:` entry.
struct ChartPlan {
  render::Chart chart;
  render::ValuesFlags values;  // config values files and set first, then -f and --set (later wins in helm)
  std::string release, namespace_;
  render::ValuesMatrix matrix = render::ValuesMatrix::kCiValues;
};

// `chart` with `s` layered over the config's entry for it: its values files and --set entries go first,
// its release and namespace apply unless --release/--namespace is in `given`, its values_matrix unless
// either matrix flag was given. Values files replace the ci/ matrix unless the matrix is asked for.
ChartPlan plan_chart(render::Chart chart, const ChartSettings& s, const GivenFlags& given,
                     const std::optional<config::Config>& cfg);

// Puts the namespaced objects of `resources` that name no namespace into `ns` (a chart's own namespace
// from the config); kinds `discovery` does not know are left alone.
void place_in_namespace(std::vector<Resource>& resources, const std::string& ns, const kube::Discovery& discovery);

// The old version of a chart for --upgrade-from: `spec` itself (a folder or .tgz), or for git:REV the
// chart's own path at that revision. `label` names it in findings.
struct OldChart {
  render::Chart chart;
  std::string label;
  std::shared_ptr<render::TempDir> snapshot;  // keeps a git revision's files while it is rendered
};

// Loads the old version of `chart` named by `spec`; errors are prefixed "--upgrade-from SPEC".
Result<OldChart> load_old_chart(const std::string& spec, const render::Chart& chart);

// Lints and renders every chart run for the session's server: its version and API list reach
// .Capabilities (and its kubeconfig helm's lookup, with `lookup`), and the lint and render results name
// that version. One helm template per values file, several at a time; helm lint once per chart (its first
// run). With `olds` (one per chart), each batch carries the old version rendered the same way. On a helm
// failure `failed` says why and the batches rendered until then are returned.
std::vector<Batch> render_batches(const std::vector<ChartPlan>& charts, const ChartSettings& s,
                                  const render::Helm& helm, Session& session, const std::vector<OldChart>& olds,
                                  Status& failed);

}  // namespace kv::engine
