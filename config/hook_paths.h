// Pre-commit hook support: maps the files a commit touches to the Helm charts, or the kustomizations,
// that hold them, so that each touched chart or kustomization is validated once.
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

// The kustomization roots that build any of `files`: every kustomization under the working directory
// (folders whose name starts with '.' skipped) is read; a file feeds the kustomizations that name it
// (resources, patches, generator files, ...) or whose kustomization file it is, and through them every
// kustomization that includes those as a resource or component, up to the roots, which no other
// includes. Files no kustomization names are left out. Sorted, no duplicates; relative to the working
// directory ("." for itself).
std::vector<std::string> kustomization_roots_for(const std::vector<std::string>& files);

}  // namespace kv::config
