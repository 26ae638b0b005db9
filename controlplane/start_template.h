// Making a data template (controlplane/data_template.h) on first use: a throwaway kube-apiserver + etcd
// plane in a scratch folder under the templates, with its own PKI and ports, started on empty data,
// awaited until its bootstrap objects are all written, stopped cleanly, and its etcd data published.
#pragma once

#include <chrono>
#include <string>

#include "controlplane/apiserver_backend.h"
#include "core/status.h"

namespace kv::controlplane {

// The objects a fresh plane writes soon after /readyz answers (namespaces, the `kubernetes` Service):
// a template holds them too, so a plane started from it has the same baseline as a fresh one.
extern const char* const kBootstrapObjects[5];

// Stops and removes what makers of template `key` under `root` left when they died (a first start killed
// half way: the throwaway plane's processes run on in their own sessions, recorded in the maker's
// folder <root>/<key>.make.<pid>/state.json; only processes still ours are signalled). For callers
// holding the key's lock: then no live maker owns such a folder.
void sweep_dead_makers(const std::string& root, const std::string& key);

// The body of etcd's JSON /v3/kv/deleterange for `key`, or with `prefix` for every key starting with it.
std::string etcd_delete_body(const std::string& key, bool prefix);

// The etcd data folder of the template for planes started with `c` (its dir and ports are not used):
// found under `root`, or made now (`made` set) while holding <root>/<key>.lock, so concurrent starts
// make it once. Unavailable when the throwaway plane does not start or stop by `deadline`, IOError when
// the template cannot be written.
Result<std::string> ensure_data_template(const ApiserverConfig& c, const std::string& root,
                                         std::chrono::steady_clock::time_point deadline, bool& made);

}  // namespace kv::controlplane
