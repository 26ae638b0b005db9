// Run isolation on a plane kvalidate owns: everything a run creates for real there (CRDs, namespaces,
// admission policies and their params, RBAC objects, upgrade scratch objects, ...) goes through a
// RunScope, which records it in the plane's state dir *before* creating it, labels it with the run's id,
// and removes it when the run ends; a run that crashed or was killed leaves its record behind, and the
// next run on the plane sweeps it (the record names the owner's pid and start time). Concurrent runs
// take turns per object (engine/object_locks.h): equal contents are shared, a different version of the
// same object waits until the other runs are done with theirs. So every run sees the plane's baseline
// plus its own input only. See docs/control-plane.md ("Run isolation").
//
// Use: Open() once per command run; for each object to create for real, baseline_has() (leave the
// plane's own objects alone), claim() (all of a phase at once, ranks never decreasing), then create();
// release() at the end (the destructor does it too).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"
#include "engine/crd_pool.h"
#include "engine/namespace_pool.h"
#include "engine/object_locks.h"
#include "kube/transport.h"

namespace kv::engine {

// Label put on everything a run creates for real: its value is the run's id.
inline constexpr const char* kRunLabel = "kvalidate.io/run";

// Claim ranks: the order in which a run takes its turns (deadlock freedom needs one global order).
inline constexpr int kRankCrd = 10, kRankNamespace = 20, kRankPolicy = 30, kRankRbac = 40, kRankScratch = 50;

// One object a run creates for real.
struct RealObject {
  int rank = 0;           // kRank*
  std::string key;        // unique per object on the plane: "crd/widgets.example.com", "namespace/shop"
  std::string digest;     // content_digest() of what the run creates: equal digests share the object
  std::string path;       // its API path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/w..."
  bool is_namespace = false;  // removed through /finalize too: no namespace controller runs here
};

// A short stable digest of an object's content (hex).
std::string content_digest(std::string_view text);

// `object` (a map) as flow YAML (resources/flow_yaml.h) with labels kvalidate.io/managed=true and
// kvalidate.io/run=`run_id` added to its metadata; the tree itself is not changed.
std::string labelled_body(const YAML::Node& object, const std::string& run_id);

class RunScope {
 public:
  // Opens the scope of one run on the owned plane whose state dir is `state_dir`: sweeps the records of
  // dead runs (removing what they created, unless a live run shares it), then records this run.
  // IOError when the state dir cannot be written.
  static Result<std::unique_ptr<RunScope>> Open(kube::Transport& client, const std::string& state_dir);
  ~RunScope();
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;

  const std::string& id() const { return id_; }

  // True when the object at `path` exists on the plane and was not created by a kvalidate run (no
  // kvalidate.io/run label): the plane's own, never to be changed. Unavailable when the server fails.
  Result<bool> baseline_has(const std::string& path);
  // baseline_has() for each of `paths`, asked all at once (at most `jobs` in flight).
  Result<std::vector<bool>> baseline_has_all(const std::vector<std::string>& paths, int jobs = 16);

  // Takes this run's turn for each object, in (rank, key) order, waiting at most `wait` for runs using
  // another version. Ranks lower than one already held are refused (Internal): that order is what
  // keeps concurrent runs from waiting on each other forever.
  Status claim(std::vector<RealObject> objects, std::chrono::milliseconds wait = std::chrono::minutes(2));

  // Records `obj` (claimed before) as about to be created: from now on release() and a sweep remove it.
  // The caller then sends the request that creates it. IOError when the record cannot be written.
  Status record(const RealObject& obj);
  // record() for each of `objs`, written once.
  Status record(const std::vector<RealObject>& objs);

  // record(obj), then sends `req`, the request that creates it for real.
  kube::Response create(const RealObject& obj, const kube::Request& req);

  // Removes, newest first, everything this run created that no other run shares any more (namespaces
  // through /finalize, waiting until each is gone), drops the turns and the record. A failure leaves
  // the record for the next run's sweep. Idempotent.
  // Objects whose key is in `keep` stay, with their turns and record, for the run's next batch (which
  // would create them again with the same content); a later release() without them removes them. A key in
  // `keep` that the run claimed but did not create (a CRD adopted from the pool) keeps its turn only.
  // Objects whose key is in `hand_over` stay on the plane, out of the record, their turns dropped: CRDs
  // put into the plane's CRD pool (engine/crd_pool.h). `pool` (when given) is asked, with the object's gate
  // held, for each object of `hand_over` this run is the last to use: false removes it after all.
  Status release(const std::set<std::string>& keep = {}, const std::set<std::string>& hand_over = {},
                 const std::function<bool(const RealObject&)>& pool = {});

  // Deletes the pooled CRDs `victims` (awaited) and forgets them, each only when no run uses it; returns
  // how many went.
  int evict_pooled(const std::vector<PooledCrd>& victims);
  // The same for pooled namespaces (finalized too), each only while the plane still holds it as the one
  // pooled (made by its run): another of that name is not touched, its entry only forgotten.
  int evict_pooled_namespaces(const std::vector<PooledNamespace>& victims);

  // True when something this run created (and has not removed) lives in namespace `ns`.
  bool created_in(const std::string& ns) const;

  // Sweeps the records in `state_dir` whose owner no longer runs; returns how many were swept.
  static int sweep_dead_runs(kube::Transport& client, const std::string& state_dir);

 private:
  RunScope(kube::Transport& client, std::string state_dir, std::string id);
  Status write_record() const;
  // Deletes pooled object `obj` (awaited) when no run uses it, then `forget`s it; true when it went.
  bool evict_if_unused(const RealObject& obj, const std::function<void()>& forget);

  kube::Transport& client_;
  std::string state_dir_, id_;
  ObjectLocks locks_;
  std::vector<RealObject> created_;   // in creation order
  std::vector<ObjectHold> holds_;
  std::vector<RealObject> claimed_;   // parallel to holds_
  int max_rank_ = 0;
  bool released_ = false;
};

}  // namespace kv::engine
