// Reading what helm prints: `helm template`'s error messages (stderr) and `helm lint`'s report, turned into
// results with findings that point at files inside the chart. Pure functions over text, no helm run here.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "render/chart.h"
#include "resources/result.h"

namespace kv::render {

// Interprets the stderr of a failed `helm template` on `chart`. Errors of the user's input (bad --set
// syntax, a missing or malformed values file, a missing dependency) are returned as InvalidInput (exit 2),
// one line. Everything else is a chart failure: an ObjectResult of kind kRender, title "render", status
// invalid, with one finding per problem (execution errors from `required`/`fail`, template parse errors,
// values.schema.json violations, kubeVersion mismatch, YAML errors in the output), each naming the file
// inside the chart as the user opens it ("mychart/templates/x.yaml") and helm's line and column when given.
Result<ObjectResult> parse_render_error(const std::string& stderr_text, const Chart& chart, const std::string& suite);

// What `helm template` printed on stderr while succeeding (a followed symbolic link, deprecations): an
// ObjectResult of kind kRender, title "helm template", status valid, one finding (rule helm/warning) per
// non-empty line, prefixes ("walk.go:74: ", "WARNING: ") removed: a warning, but an info for what helm logs
// of its own doing (Helm 3's Go log lines, Helm 4's INFO and DEBUG lines, such as a followed symbolic link).
// A line of Helm 4's structured log (`level=INFO msg="..." key=value`) is its msg with the attributes after
// it in parentheses.
ObjectResult parse_template_warnings(const std::string& stderr_text, const Chart& chart, const std::string& suite);

// Parses `helm lint`'s output (stdout and stderr together) into one ObjectResult of kind kLint, title
// "helm lint": a finding per [ERROR]/[WARNING]/[INFO] line (continuation lines joined), on the file it
// names and the line when helm gives one; status invalid when any ERROR (or when helm failed without
// saying why: `exit_code` non-zero and no ERROR line), else valid.
ObjectResult parse_lint_output(const std::string& output, int exit_code, const Chart& chart, const std::string& suite);

// A result of kind kRender about `chart` as a whole (source: the chart's path), without findings.
ObjectResult chart_result(const Chart& chart, const std::string& title, ObjectStatus status, const std::string& suite);

// "mychart/templates/x.yaml" (helm's name, chart name first) → "templates/x.yaml"; unchanged without '/'.
std::string strip_chart_name(const std::string& helm_path);

// How a render failure's finding begins when a template's output is not YAML (its line is then one of the
// output's; render_chart maps it to the template).
inline constexpr std::string_view kRenderedNotYaml = "rendered output is not valid YAML: ";

// The path of `chart_relative` ("templates/x.yaml") as the user opens it: chart.path + "/" + it.
std::string chart_file(const Chart& chart, const std::string& chart_relative);

}  // namespace kv::render
