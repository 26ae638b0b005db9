// Resource quantities ("500m", "128Mi", "2Gi") in an object: the server refuses a malformed one while
// converting the object, before any field is validated, and names no field. This finds the fields.
#pragma once

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

}  // namespace kv::engine
