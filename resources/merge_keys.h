// YAML merge keys ("<<: *defaults", "<<: [*a, *b]"), resolved the way kubectl reads YAML before it sends
// an object as JSON: the merged maps' keys are added to the map that has none of that name (its own keys
// win; of several merged maps, the earlier one wins) and the "<<" key goes. Sent as YAML instead, the API
// server's strict decoding calls a key the map sets over a merged one a duplicate ("key "name" already set
// in map") although kubectl accepts the object. See resources/loader.cpp (a document with merge keys is sent
// as the JSON of its resolved tree).
#pragma once

#include <string_view>

#include <yaml-cpp/yaml.h>

namespace kv {

// True when `text` may hold a merge key (a cheap test before walking a tree).
bool may_have_merge_keys(std::string_view text);

// Resolves the merge keys of `node` and everything under it, in place (merged values are the anchored
// nodes themselves, with their marks: a field merged from an anchor is located where the anchor wrote it).
// True when there was one. A merge key whose value is not a map or a sequence of maps stays as it is.
bool resolve_merge_keys(YAML::Node node);

}  // namespace kv
