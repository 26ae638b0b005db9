// Where a chart value came from, so that a finding about a field the template writes through toYaml can
// name the values line the user has to change.
#pragma once

#include <string>

#include "render/chart.h"

namespace kv::render {

// The source that sets the values key `key` ("podAnnotations.prometheus.io/port"; a key may itself hold
// dots) with the highest precedence, as helm applies them: --set-file, --set-string, --set, the -f files
// (the last first), the run's ci/ values file, the chart's values.yaml. Returned as the user can open it:
// "FILE:LINE" (the chart's own files under `chart.path`), or "--set podAnnotations.x" (the flag, without
// its value). "" when no source sets it (or a prefix of it).
std::string value_origin(const Chart& chart, const std::string& run_values_file, const ValuesFlags& flags,
                         const std::string& key);

// value_origin() for the template `template_path` (chart-relative): in a subchart's template
// ("charts/a/charts/b/templates/x.yaml") the key is the subchart's, which the parent sets under "a.b.KEY"
// (its flags and files first, as helm merges them), then each chart on the way down under what is left of
// that path, then the subchart's own values.yaml. Subcharts are named by their folder (an `alias:` is not
// followed: then only the subchart's own values.yaml is searched).
std::string template_value_origin(const Chart& chart, const std::string& run_values_file, const ValuesFlags& flags,
                                  const std::string& template_path, const std::string& key);

}  // namespace kv::render
