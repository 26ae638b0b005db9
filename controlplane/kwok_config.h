// What KWOK is told on a full plane: the stages that turn the simulated nodes Ready and keep them so,
// move pods to Running (and run-to-completion pods to Succeeded) and remove deleted pods, plus the Node
// objects kvalidate registers for it to manage.
#pragma once

#include <string>

namespace kv::controlplane {

inline constexpr int kSimulatedNodes = 3;
// The annotation KWOK is told to look for: it manages only the nodes kvalidate registers.
inline constexpr const char* kKwokNodeAnnotation = "kwok.x-k8s.io/node";

// The KWOK configuration file (Stage documents), passed with --config.
std::string kwok_stages_yaml();

// The name of simulated node `i` (0-based): "kvalidate-node-0", ...
std::string simulated_node_name(int i);

// The Node object (JSON) for simulated node `i`: KWOK's annotation, the usual well-known labels (hostname,
// os, arch, a zone per node so topology spread and anti-affinity can be satisfied), generous capacity.
std::string simulated_node_json(int i);

}  // namespace kv::controlplane
