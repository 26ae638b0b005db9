// Re-emitting an object tree so that the API server reads it exactly as it read the original text,
// with some fields left out: the dry-run engine resubmits an object without the fields the server could
// not decode, to find the object's other defects in the same run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace kv {

// One flow-style YAML document (JSON syntax) for `root`. Quoted, block and other string scalars are
// written as JSON strings; a plain scalar that the server's YAML 1.1 decoder resolves to a number,
// boolean or null (`0644`, `yes`, `~`, `1e3`, `.inf`) is written as the same token, unquoted, so it
// resolves the same way. Map entries whose value is, and list items that are, one of the nodes in
// `leave_out` (compared by identity, YAML::Node::is) are left out. Never throws.
std::string to_flow_yaml(const YAML::Node& root, const std::vector<YAML::Node>& leave_out = {});

// True when the plain scalar `s` resolves to something other than a string under YAML 1.1 as the API
// server's decoder applies it: null (~, null), booleans (true, yes, on, y, ...), integers (decimal,
// 0x, 0o, 0b, leading-0 octal, '_' separators) and floats (1.5, 1e3, .inf, .nan).
bool yaml11_non_string(const std::string& s);

// Whether the scalar `n`'s type comes from its token as YAML reads it: a plain scalar (tag "?"), or one
// with an explicit non-string tag (!!int, !!bool, ...).
bool typed_by_token(const YAML::Node& n);

// The map key the API server reads for key node `key` when it is not the key's text: a plain YAML 1.1
// boolean is "true" or "false" (`on:`, `y:` and `yes:` are one key, "true"), a plain decimal integer its
// number ("+1" is "1"). nullopt for any other key: the server reads its text. Two entries of one map that
// the server reads as one key are one key written twice. (Cheap: it runs for every key loaded.)
std::optional<std::string> retyped_key(const YAML::Node& key);

}  // namespace kv
