// The same object defined twice in one suite (one file of plain manifests, one render of a chart): both
// copies pass a dry-run each, yet only one can exist. kubectl apply and Helm 4 (server-side apply) keep the
// last definition and drop the first without a word; Helm 3 fails the install ("already exists").
// Across files of plain manifests the same name is no defect (environments in folders side by side).
#pragma once

#include <vector>

#include "resources/result.h"

namespace kv::engine {

inline constexpr const char* kDuplicateObjectRule = "input/duplicate-object";

// Adds to every object result after the first of the same group, kind, namespace and name in the same
// suite a warning at its own first line naming where the first one is. Objects without a name
// (generateName) are never duplicates, nor is a document read twice (a file named twice).
void mark_duplicate_objects(std::vector<ObjectResult>& results);

}  // namespace kv::engine
