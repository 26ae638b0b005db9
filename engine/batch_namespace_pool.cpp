// The namespace phase's use of the plane's namespace pool (engine/namespace_pool.h).
#include "engine/batch_run.h"

#include <algorithm>
#include <ctime>

#include "engine/namespace_pool.h"
#include "engine/plane_objects.h"

namespace kv::engine {

// Whether the batch may adopt namespaces from the plane's namespace pool and pool those it makes: with a
// scope, when it changes no namespace's labels (no --pod-security, no admission policies: their labels and
// selectors would meet a namespace as another batch left it), applies no old version into one, and on a
// plain plane (on a full one, controllers fill a namespace: its ServiceAccount, its root CA ConfigMap).
bool pools_namespaces(const BatchRun& run) {
  const Plan& p = run.plan;
  return run.opts.scope && run.opts.namespace_pool && !run.opts.full_plane && !run.opts.pod_security && !run.opts.upgrade &&
         p.policy_params.objects.empty() && p.policies.objects.empty() && p.policy_bindings.objects.empty();
}

// With the turns on the namespaces the batch makes taken (the input's Namespaces at `real`, those made for
// its objects in `missing`): adopts those the plane's namespace pool holds from the same text (an input
// Namespace is valid and not created: taken out of `real`; a made one moves from `missing` to `adopted`),
// evicts the pooled ones it would make from another text or may not adopt (deleted, finalized, awaited),
// forgets the stale ones it meets. Reads the plane only for names the pool holds.
Status use_namespace_pool(BatchRun& run, std::vector<size_t>& real, std::set<std::string>& missing,
                          std::set<std::string>& adopted) {
  NamespacePool pool(run.opts.state_dir);
  std::map<std::string, std::string> needed;  // name → the digest the batch would make it from
  for (size_t i : real) needed[run.resources[i].name] = content_digest(run.resources[i].body);
  for (const auto& ns : missing) needed[ns] = kMadeNamespaceDigest;
  std::vector<PooledNamespace> pooled;
  std::vector<std::string> names;
  for (auto& e : pool.all())
    if (needed.count(e.name)) {
      names.push_back(e.name);
      pooled.push_back(std::move(e));
    }
  if (pooled.empty()) return Status::Ok();
  auto on_plane = namespaces_named(run.transport, names, run.opts.jobs);
  if (!on_plane) return Status::Unavailable("the plane's pooled namespaces cannot be read");
  NamespaceChoice choice = choose_namespaces(needed, pooled, *on_plane, pools_namespaces(run));
  for (const auto& name : choice.stale) pool.drop(name);
  std::vector<std::string> paths;
  for (const auto& e : choice.evict) paths.push_back("/api/v1/namespaces/" + e.name);
  auto gone = delete_each(run.transport, paths, std::vector<bool>(paths.size(), true), run.opts.jobs);
  for (size_t k = 0; k < gone.size(); ++k) {
    if (!gone[k].ok()) return gone[k];
    pool.drop(choice.evict[k].name);
  }
  const long long now = static_cast<long long>(std::time(nullptr));
  for (const auto& e : pooled)
    if (choice.adopt.count(e.name)) {
      PooledNamespace used = e;
      used.used = now;
      (void)pool.put(used);
    }
  std::set<size_t> taken;
  for (size_t i : real)
    if (choice.adopt.count(run.resources[i].name)) {
      taken.insert(i);
      run.adopted.insert(i);
      run.apply(Verdict{i, ObjectStatus::kValid, "", {}});
    }
  real.erase(std::remove_if(real.begin(), real.end(), [&](size_t i) { return taken.count(i) > 0; }), real.end());
  for (const auto& name : choice.adopt)
    if (missing.erase(name)) adopted.insert(name);
  return Status::Ok();
}

}  // namespace kv::engine
