// What a run does for real on the plane between phases: wait for an applied CRD to be Established,
// list the namespaces, create a missing namespace (labelled as kvalidate's).
#pragma once

#include <chrono>
#include <set>
#include <string>

#include "kube/transport.h"

namespace kv::engine {

// Waits (at most `timeout`) until the CustomResourceDefinition `name` reports Established=True; returns
// early when the server does not answer.
void wait_established(kube::Transport& transport, const std::string& name,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Names of the namespaces that exist; empty when they cannot be listed.
std::set<std::string> list_namespaces(kube::Transport& transport);

// Creates namespace `name` for real, labelled kvalidate.io/managed=true. True when it exists after.
bool create_namespace(kube::Transport& transport, const std::string& name);

}  // namespace kv::engine
