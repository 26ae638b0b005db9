// CustomResourceDefinitions given from outside the input (--crds PATH, `crds:` in the config), so that
// custom resources of operators the input does not install (cert-manager, Gateway API, VPA,
// prometheus-operator) can be validated: files, folders of YAML, or charts (their crds/ folders).
#pragma once

#include <string>
#include <vector>

#include "resources/loader.h"

namespace kv {

// Loads every CustomResourceDefinition under `paths`: a YAML/JSON file, a folder (its *.yaml, *.yml and
// *.json files, recursively), or a chart folder (a Chart.yaml: its crds/ folder and those of the charts in
// its charts/ folder). Objects of other kinds are left out, so an operator's whole install bundle may be
// given. Problems, as load_paths() gives them, for paths that cannot be read or hold malformed YAML, and
// "input/no-crds" for a path that holds no CustomResourceDefinition.
LoadResult load_crds(const std::vector<std::string>& paths);

}  // namespace kv
