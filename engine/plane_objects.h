// What a run does for real on the plane between phases: wait for applied CRDs to be served,
// list the namespaces, create a missing namespace (labelled as kvalidate's).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "kube/discovery.h"

#include "kube/transport.h"

namespace kv::engine {

// A CustomResourceDefinition a kvalidate run created (labelled kvalidate.io/run): one of a live run's, or
// one in the plane's CRD pool (engine/crd_pool.h).
struct LabelledCrd {
  std::string uid, run;       // its uid and the id of the run that created it ("" for the plane's own)
  std::string resource_version;
  bool terminating = false;   // being deleted
};

// Waits (at most `timeout`) until the server serves every kind in `kinds` (what CRDs applied for real
// serve): each group/version's discovery document lists its resource, which it does once the CRD is
// Established. All group/versions are asked at once (at most `jobs` in flight), again every 25 ms for
// those still missing something. Returns the kinds served in time; early when the server does not answer.
std::vector<kube::ApiResource> wait_served(kube::Transport& transport, const std::vector<kube::ApiResource>& kinds,
                                           int jobs, std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Deletes the objects at `paths` side by side and waits (at most `timeout`) until each is gone, asking
// again every 25 ms for those still there; the status of each (Unavailable when the server fails or the
// object outlives the wait). A namespace whose `finalize` entry is true is finalized after its deletion
// (it would stay Terminating: no namespace controller runs on kvalidate's plane).
std::vector<Status> delete_each(kube::Transport& transport, const std::vector<std::string>& paths,
                                const std::vector<bool>& finalize, int jobs,
                                std::chrono::milliseconds timeout = std::chrono::seconds(60));
// delete_each() without namespaces to finalize; the first failure.
Status delete_all(kube::Transport& transport, const std::vector<std::string>& paths, int jobs,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The plane's baseline as it is now, one line each, for the result cache's world (engine/result_cache.h):
// the namespaces, CRDs, admission policies, bindings and webhook configurations no run created, with
// their labels (namespaces) or resourceVersions; "?PATH" for a list the server did not give.
// `crds`: the plane's CRDs read already (all_crds()), else listed here.
std::vector<std::string> baseline_state(kube::Transport& transport,
                                        const std::map<std::string, LabelledCrd>* crds = nullptr, int jobs = 8);

// Names of the namespaces that exist; empty when they cannot be listed.
std::set<std::string> list_namespaces(kube::Transport& transport);

// Creates namespace `name` for real, labelled kvalidate.io/managed=true (and kvalidate.io/run=`run_id`
// when given). True when it exists after.
bool create_namespace(kube::Transport& transport, const std::string& name, const std::string& run_id = "");
// create_namespace() for each of `names`, side by side (at most `jobs` in flight); whether each exists after.
// `created` (when given): whether each was created by this call (not there already). `invalid` (when
// given): for each name the server refused as invalid (422), its words about the name; "" for the others.
std::vector<bool> create_namespaces(kube::Transport& transport, const std::vector<std::string>& names,
                                    const std::string& run_id = "", int jobs = 16, std::vector<bool>* created = nullptr,
                                    std::vector<std::string>* invalid = nullptr);

// What the plane holds of a namespace: the run that created it (its kvalidate.io/run label; "" for the
// plane's own) and whether it is being deleted.
struct NamespaceOnPlane {
  std::string run;
  bool terminating = false;
};
// The namespaces that exist, each as NamespaceOnPlane. Empty when they cannot be listed.
std::map<std::string, NamespaceOnPlane> namespaces_by_run(kube::Transport& transport);
// The namespaces named `names`, each read alone (metadata only); those the plane does not hold are left
// out. nullopt when one cannot be read.
std::optional<std::map<std::string, NamespaceOnPlane>> namespaces_named(kube::Transport& transport,
                                                                        const std::vector<std::string>& names, int jobs);


// The CRDs runs created, by name, read as metadata only (a CRD's schema can be megabytes); nullopt when
// they cannot be listed.
std::optional<std::map<std::string, LabelledCrd>> labelled_crds(kube::Transport& transport);
// Every CRD of the plane (the plane's own with run ""), one list (as costly for the server as the
// labelled ones: it reads every CRD either way).
std::optional<std::map<std::string, LabelledCrd>> all_crds(kube::Transport& transport);
// The CRDs named `names`, each read alone (metadata only); those the plane does not hold are left out.
std::optional<std::map<std::string, LabelledCrd>> crds_named(kube::Transport& transport,
                                                             const std::vector<std::string>& names, int jobs);

// `d` without the kinds of the CRDs named in `hidden` (those runs created: a batch sees none of them but
// the ones it applies or adopts, whose kinds its plan knows from their text).
kube::Discovery without_crds(const kube::Discovery& d, const std::set<std::string>& hidden);

}  // namespace kv::engine
