// Mapping a Kubernetes field path, as the API server writes it in Status causes and Warnings
// ("spec.template.spec.containers[0].image", "metadata.annotations[example.com/x]"), back to the
// line:column of the field in the file a Resource was loaded from.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/resource.h"

namespace kv {

// One step of a field path: a map key ("spec", or "example.com/x" from "[example.com/x]"), a list
// index ("[0]"), or a list item selected by one or more fields ("[name=web]",
// "[port=8080,protocol=\"TCP\"]", as server-side apply names the items of a list keyed by several fields).
struct PathSegment {
  enum class Kind { kKey, kIndex, kSelector };
  Kind kind = Kind::kKey;
  std::string key;    // kKey: the key; kSelector: the first field's name; kIndex: the text inside [ ]
  std::string value;  // kSelector: the first field's wanted value (unquoted)
  long index = -1;    // kIndex
  size_t end = 0;     // offset just past this segment in the path given to parse_field_path()
  std::vector<std::pair<std::string, std::string>> fields;  // kSelector: every (field, value), in order
};

// Splits a field path into segments. A leading '.' or '$.' is ignored; "[...]" holds an index, a
// "field=value" selector, or a map key that may contain dots. nullopt when brackets are unbalanced or a
// segment is empty.
std::optional<std::vector<PathSegment>> parse_field_path(std::string_view path);

struct Position {
  int line = 0;         // 1-based line in the resource's file
  int column = 0;       // 1-based
  bool exact = false;   // false: the path does not exist; this is its deepest existing ancestor
  std::string matched;  // the part of the path that was found ("" when only the object itself)
  size_t depth = 0;     // how many of the path's steps were found
};

// Where `field_path` is in the file `r` came from: a map entry is located at its key, a list entry at
// the item. A selector with several fields matches the item whose written fields all agree (a field the
// item leaves out, such as a defaulted protocol, does not disqualify it). When the path does not exist as
// written, the field the user wrote for it is tried (see alias_paths: a Secret's stringData key that the
// server names under data, a Service's clusterIP named as clusterIPs[0], ...). When nothing exists
// entirely (e.g. a missing required field), the deepest existing ancestor is returned with exact=false
// (the object itself when nothing matches). An empty path is the object. nullopt when the resource has
// no positions (built in memory) or the path cannot be parsed.
std::optional<Position> locate(const Resource& r, std::string_view field_path);

// The node at `field_path` in `root` (a map entry's value, or a list item), following the same rules as
// locate() including alias_paths for `kind`; nullopt when the path does not exist there as written.
std::optional<YAML::Node> node_at(const YAML::Node& root, std::string_view kind, std::string_view field_path);

// The node at `field_path` in `root` as written: no alias_paths (a Service port's targetPort is not its port).
std::optional<YAML::Node> node_written_at(const YAML::Node& root, std::string_view field_path);

// The paths a user may have written for the field the server calls `field_path` in an object of kind
// `kind`: a Secret's "stringData[K]" for "data[K]", a Service's "spec.clusterIP" for
// "spec.clusterIPs[0]", a pod spec's "serviceAccount" for "serviceAccountName", a pod template's
// "spec.template.metadata.labels" for "spec.template.labels", ... Empty when none.
std::vector<std::string> alias_paths(std::string_view kind, std::string_view field_path);

// `field_path` without a leading "$." or "." (as alias_paths takes it).
std::string_view without_path_prefix(std::string_view field_path);

// The field paths quoted in an API server message: `unknown field "spec.x"` and
// `duplicate field "metadata.name"` (strict field validation warnings and errors), in order.
std::vector<std::string> field_paths_in_message(std::string_view message);

}  // namespace kv
