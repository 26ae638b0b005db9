// Where a subchart's template is on disk. helm names a subchart's template by the chart's name or its
// `alias:` ("mychart/charts/db/templates/x.yaml"), while the files are in a folder of any name under
// charts/, or in the archive `helm dependency build` left there (NAME-VERSION.tgz).
#pragma once

#include <optional>
#include <string>

namespace kv::render {

struct SubchartFile {
  std::string shown;  // chart-relative path for reports: "charts/postgresql-12.1.0.tgz/templates/x.yaml"
  std::string read;   // the file to read its lines from (in an archive's extraction for an archive)
};

// For `helm_path` (chart-relative, as helm names it: "charts/db/templates/x.yaml", nested charts too), the
// file under the chart at `root`: each "charts/X/" step goes to the subchart named X (by a dependency's alias
// in the enclosing Chart.yaml, else by its own Chart.yaml name, else an archive NAME-*.tgz, extracted once
// per process). nullopt when `helm_path` names no subchart or the file is not found. Thread-safe.
std::optional<SubchartFile> subchart_file(const std::string& root, const std::string& helm_path);

struct Chart;

// The chart-relative path to show for the template helm named `helm_path` (chart-relative, the chart's
// name stripped): itself when the chart has that file, else the subchart file it is (registered for
// reading its lines: render/template_lines.h), else itself.
std::string shown_template_path(const Chart& chart, const std::string& helm_path);

}  // namespace kv::render
