// What a run does for real on the plane between phases: wait for an applied CRD to be Established,
// list the namespaces, create a missing namespace (labelled as kvalidate's).
#pragma once

#include <chrono>
#include <map>
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

// Creates namespace `name` for real, labelled kvalidate.io/managed=true (and kvalidate.io/run=`run_id`
// when given). True when it exists after.
bool create_namespace(kube::Transport& transport, const std::string& name, const std::string& run_id = "");

// The namespaces that exist, each with the run that created it (its kvalidate.io/run label; "" for the
// plane's own). Empty when they cannot be listed.
std::map<std::string, std::string> namespaces_by_run(kube::Transport& transport);

// "group/Kind" of every kind served by a CustomResourceDefinition that another kvalidate run created
// (labelled kvalidate.io/run, with another id than `own_run`): a run must not see them.
std::set<std::string> foreign_crd_kinds(kube::Transport& transport, const std::string& own_run);

}  // namespace kv::engine
