// Further passes over an object the server could not decode entirely: it stops at the first fields it
// cannot read (engine/decode_errors.h), so its other defects show only once those are set aside. The
// engine submits the object again without them (at most BatchOptions::max_passes times) and adds what
// the later answers find, marked with their pass.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "resources/resource.h"
#include "resources/result.h"

namespace kv::engine {

// The text to submit for `r` without the fields at `paths` (resources/flow_yaml.h: every other value
// reads as in the original). The object's identity (apiVersion, kind, metadata.name, namespace,
// generateName) is never left out: the request would be refused for that alone. nullopt when a path is
// not in the object as written (then nothing can be set aside safely), or nothing is left to set aside.
std::optional<std::string> body_without(const Resource& r, const std::vector<std::string>& paths);

// True when `path` is one of `roots` or a field under one ("spec.replicas" under "spec"; "a[0].b" under
// "a[0]"). A later pass's "Required value" for a field set aside is about our resubmission, not the user's.
bool under_any(const std::string& path, const std::vector<std::string>& roots);

// `path` with every list item selected by fields ("spec.ports[port=80,protocol=TCP]", as server-side
// apply names it) written as its index in `tree` ("spec.ports[1]", as validation names it), so that the
// two spellings of one field compare equal. Segments whose item is not found stay as they are.
std::string index_form(const YAML::Node& tree, std::string_view kind, const std::string& path);

// Whether a later pass's finding `f` about `r` adds something to `found`: not under a set-aside field
// (either spelling of its path), not already found (same rule, path and message), not a warning the
// first pass reported, not a check failing for want of a field set aside ("no such key: selector",
// "`selector` does not match ...").
bool adds_to(const Resource& r, const std::vector<Finding>& found, const Finding& f,
             const std::vector<std::string>& set_aside);

}  // namespace kv::engine
