// Judging a new version of an object as an upgrade of the old one already on the server: which of the
// server's refusals of the update (immutable fields, forbidden spec changes, values that may not go
// down) are upgrade defects, named by field with the old and new values, as `upgrade/immutable-field`
// or `upgrade/update-rejected` findings. Pure: no server, no I/O.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "kube/api_status.h"

namespace kv::engine {

struct UpgradeFinding {
  std::string rule;     // "upgrade/immutable-field" or "upgrade/update-rejected"
  std::string path;     // the field, in the server's path form ("spec.selector", "spec.volumeClaimTemplates")
  std::string message;  // one line: the field, the old value, the new value, what the server said
};

// True when a server message refuses a change of a field that cannot change after creation.
bool is_immutable_message(const std::string& message);

// The findings for the server's refusal `st` of `new_obj` (as rendered now) applied over `old_obj` (as
// rendered from the old version and applied). A cause that names a whole map whose changes are only
// partly allowed ("updates to statefulset spec for fields other than 'replicas', ... are forbidden",
// "spec is immutable after creation except resources.requests") yields one finding per changed child
// that is not allowed. Values are shown as compact JSON, cut at 160 characters.
// `from` names the old version in messages ("git:HEAD~1"); without `show_values` (Secrets) no value is shown.
std::vector<UpgradeFinding> judge_upgrade(const kube::ApiStatus& st, const YAML::Node& old_obj,
                                          const YAML::Node& new_obj, const std::string& from = "the old version",
                                          bool show_values = true);

// The node at server field path `path` in `tree` (a null node when it is not there). Never inserts.
YAML::Node node_at_path(const YAML::Node& tree, const std::string& path);

}  // namespace kv::engine
