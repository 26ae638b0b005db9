// Pre-commit hook support: maps the files a commit touches to the Helm charts that hold them, so that
// each touched chart is validated once.
#pragma once

#include <string>
#include <vector>

namespace kv::config {

// The chart root of every file in `files` (relative to the working directory or absolute): the nearest
// ancestor folder holding a Chart.yaml, widened to the parent chart while that root sits in a parent
// chart's charts/ folder (a subchart is rendered as part of its parent). Files in no chart are left out.
// The result is sorted and has no duplicates; roots under the working directory are relative to it
// ("charts/web", or "." for the working directory itself), others absolute.
std::vector<std::string> chart_roots_for(const std::vector<std::string>& files);

}  // namespace kv::config
