// A chart as the user names it (a directory or a packaged .tgz), checked before helm sees it so that bad
// input gets a one-line error naming the file; and the runs a chart gets (one per ci/*-values.yaml).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace kv::render {

// A temporary directory removed (recursively) when the last owner lets go of it.
struct TempDir {
  std::string path;
  ~TempDir();
};

// The `name:` in the Chart.yaml of the chart folder `dir`; "" when it cannot be read.
std::string chart_yaml_name(const std::string& dir);

// Extracts the chart archive (.tgz) at `path` into a fresh temporary directory (kept by `keep`) and returns
// the chart directory inside it. InvalidInput naming the file when it is no chart archive.
Result<std::string> extract_archive(const std::string& path, std::shared_ptr<TempDir>& keep);

struct Chart {
  std::string path;                    // as given: "./mychart" or "mychart-0.1.0.tgz"
  std::string root;                    // directory holding Chart.yaml: `path` itself, or where the archive
                                       // was extracted (for reading templates, values and ci/ files)
  bool archive = false;
  std::string name, version;           // from Chart.yaml
  std::string api_version;             // Chart.yaml's apiVersion: "v1", "v2", or "v3" (Helm 4 only)
  std::vector<std::string> ci_values;  // "ci/a-values.yaml", ... (chart-testing's ci/*-values.yaml), sorted,
                                       // relative to `root`
  std::vector<std::string> ci_all;     // every ci/*.yaml and ci/*.yml, sorted (for --values-matrix)
  std::shared_ptr<TempDir> extracted;  // keeps an archive's extraction alive
};

// Loads and checks `path`. Fails with InvalidInput (exit 2), one line naming the file, when the path does
// not exist, a directory has no Chart.yaml, Chart.yaml is not valid YAML or lacks apiVersion/name/version,
// an archive is not a gzipped tar holding a chart, or a dependency listed in Chart.yaml is not present
// under charts/ (the message suggests `helm dependency build`), or (unless `allow_external_symlinks`) a
// symbolic link in the chart points outside it (the message names the link). Registers the chart's
// source root for template_line_for().
Result<Chart> load_chart(const std::string& path, bool allow_external_symlinks = false);

// Values given on the command line, passed to helm in this order: -f files, --set, --set-string,
// --set-file (helm applies them in that precedence).
struct ValuesFlags {
  std::vector<std::string> files, set, set_string, set_file;
};

// Checks what can be checked before running helm: each -f file exists and is valid YAML, each --set and
// --set-string entry has the form KEY=VALUE, each --set-file names a readable file. InvalidInput on the
// first problem, naming the file or flag.
Status check_values(const ValuesFlags& values);

// One values file (a -f file, or the run's ci/ file): it exists, is readable and is one YAML map.
// InvalidInput naming the file, and its line and column when it is not valid YAML.
Status check_values_file(const std::string& file);

// Appends helm's flags for `values` to `args`.
void append_values_args(const ValuesFlags& values, std::vector<std::string>& args);

// One validation run of a chart: its suite name and the ci/ values file it uses ("" for none).
struct ChartRun {
  std::string suite;        // "CHART" or "CHART (values: ci/a-values.yaml)"
  std::string values_file;  // absolute or chart-root-based path passed to helm first, "" for none
  std::string values_name;  // "ci/a-values.yaml", "" for none
};

// Which ci/ values files make a chart's runs.
enum class ValuesMatrix {
  kCiValues,  // ci/*-values.yaml (chart-testing's convention), when the chart has any
  kAllCi,     // every ci/*.yaml and ci/*.yml (--values-matrix)
  kOff,       // none: one run with the chart's own values (--no-values-matrix, or -f given)
};

// The runs of `chart`: one per ci/ file `matrix` selects, sorted by file name; one run with the chart's
// own values when it selects none.
std::vector<ChartRun> plan_runs(const Chart& chart, ValuesMatrix matrix);

}  // namespace kv::render
