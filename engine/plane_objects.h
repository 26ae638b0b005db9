// What a run does for real on the plane between phases: wait for applied CRDs to be served,
// list the namespaces, create a missing namespace (labelled as kvalidate's).
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kube/discovery.h"

#include "kube/transport.h"

namespace kv::engine {

// Waits (at most `timeout`) until the server serves every kind in `kinds` (what CRDs applied for real
// serve): each group/version's discovery document lists its resource, which it does once the CRD is
// Established. All group/versions are asked at once (at most `jobs` in flight), again every 25 ms for
// those still missing something. Returns the kinds served in time; early when the server does not answer.
std::vector<kube::ApiResource> wait_served(kube::Transport& transport, const std::vector<kube::ApiResource>& kinds,
                                           int jobs, std::chrono::milliseconds timeout = std::chrono::seconds(30));

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
