// Resource quantities ("500m", "128Mi", "2Gi") and integers in an object: the server refuses a malformed
// quantity, or a number its integer field cannot hold, while converting the object, before any field is
// validated, and names no field. This finds the fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace kv::engine {

// True when `s` is a quantity as the API server parses it: a signed decimal number, optionally followed
// by a binary suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal suffix (n, u, m, k, M, G, T, P, E) or an
// exponent (e3, E-2).
bool is_quantity(std::string_view s);

// The field paths ("spec.template.spec.containers[0].resources.requests.memory") of the values in
// `object` that sit where Kubernetes expects quantities (resources limits and requests, pod overhead,
// ResourceQuota hard, LimitRange limits, PersistentVolume capacity, emptyDir sizeLimit, ...) and are
// not quantities. Numbers count as quantities.
std::vector<std::string> invalid_quantity_paths(const YAML::Node& object);

// Numbers where the server wants an integer. Converting an object of a built-in kind, the server names no
// field when a number does not fit the Go integer type of its field ("cannot convert float64 to int32"):
// built-in kinds have no floating-point fields (API conventions), so outside the quantity positions above a
// number with a fraction is the one it could not convert; failing that, an integer outside the type's range.
struct IntegerRange {
  long double min;
  long double max;
};
// The range of a Go integer type named in a server message ("int32", "int64", "uint32"), else nullopt.
std::optional<IntegerRange> integer_range(std::string_view go_type);

struct NumberAt {
  std::string path;   // "spec.replicas", "spec.template.spec.containers[1].ports[0].containerPort"
  std::string value;  // as written: "1.5", "99999999999"
  bool out_of_range;  // an integer too large (or small) for the type, rather than a fraction
};
// The plain numbers in `object`, outside quantity positions, with a fraction (or infinite, or NaN); when
// there are none, the integers outside `range`. In document order.
std::vector<NumberAt> numbers_not_fitting(const YAML::Node& object, IntegerRange range);

// The paths of the scalars in `object` written as exactly `value` (the server quotes a value it could not
// parse, such as a time, without its field), in document order.
std::vector<std::string> paths_with_value(const YAML::Node& object, std::string_view value);

}  // namespace kv::engine
