// The API server's messages in the user's terms: the Go internals it leaks into them (value dumps such
// as `&value.valueUnstructured{Value:1}`, Go type names, decoder prefixes, the quantity regular
// expression) are rewritten as what the user wrote and what was expected.
#pragma once

#include <string>
#include <string_view>

namespace kv::kube {

// `message` with every Go-internal fragment rewritten:
//   "expected string, got &value.valueUnstructured{Value:1}"  → "expected string, got number 1"
//   "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
//                                                             → "spec.replicas: expected integer, got string"
//   "quantities must match the regular expression '^(…)$'"   → "must be a quantity (e.g. 500m, 1.5, 128Mi, 2Gi)"
// Text without such fragments is returned unchanged. Never fails.
std::string plain_server_message(std::string_view message);

// How a Go `%#v` dump of a decoded JSON value reads to the user: "number 1", "boolean true",
// "string \"x\"", "a map", "a list", "null"; `dump` itself when it is none of these.
std::string describe_go_value(std::string_view dump);

// A Go type name in the user's terms: "int32" → "integer", "map[string]string" → "map",
// "[]v1.Container" → "list", "v1.PodSpec" → "object", "string" → "string".
std::string describe_go_type(std::string_view type);

}  // namespace kv::kube
