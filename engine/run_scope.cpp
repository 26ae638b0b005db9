#include "engine/run_scope.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>

#include "controlplane/files.h"
#include "controlplane/state.h"
#include "core/files.h"
#include "core/json.h"
#include "core/process.h"
#include "core/yaml_util.h"
#include "engine/crd_pool.h"
#include "engine/namespace_pool.h"
#include "engine/plane_objects.h"
#include "resources/flow_yaml.h"

namespace kv::engine {

namespace {

constexpr int kDeleteJobs = 16;  // requests in flight while removing a run's objects

std::string runs_dir(const std::string& state_dir) { return state_dir + "/runs"; }
std::string locks_dir(const std::string& state_dir) { return state_dir + "/locks"; }
std::string record_path(const std::string& state_dir, const std::string& id) {
  return runs_dir(state_dir) + "/" + id + ".json";
}

std::string new_run_id() {
  std::random_device rd;
  unsigned long long bits = (static_cast<unsigned long long>(rd()) << 32) ^ rd() ^ static_cast<unsigned long long>(getpid());
  char buf[32];
  std::snprintf(buf, sizeof buf, "r%012llx", bits & 0xffffffffffffULL);
  return buf;
}

// Deletes `objs` side by side and waits until each is gone (engine/plane_objects.h); the status of each.
std::vector<Status> delete_objects(kube::Transport& client, const std::vector<const RealObject*>& objs) {
  std::vector<std::string> paths;
  std::vector<bool> finalize;
  for (const RealObject* o : objs) {
    paths.push_back(o->path);
    finalize.push_back(o->is_namespace);
  }
  return delete_each(client, paths, finalize, kDeleteJobs, std::chrono::seconds(30));
}

Status delete_real(kube::Transport& client, const RealObject& obj) { return delete_objects(client, {&obj}).front(); }

std::string record_json(const std::string& id, pid_t pid, unsigned long long start, const std::vector<RealObject>& objs) {
  JsonWriter w;
  w.begin_object().key("id").value(id).key("pid").value(static_cast<int64_t>(pid));
  w.key("start_time").value(static_cast<int64_t>(start));
  w.key("recorded_at").value(static_cast<int64_t>(std::time(nullptr)));
  w.key("created").begin_array();
  for (const auto& o : objs) {
    w.begin_object().key("rank").value(o.rank).key("key").value(o.key).key("digest").value(o.digest);
    w.key("path").value(o.path).key("namespace").value(o.is_namespace).end_object();
  }
  w.end_array().end_object();
  return w.str();
}

struct Record {
  pid_t pid = 0;
  unsigned long long start_time = 0;
  std::vector<RealObject> created;
};

std::optional<Record> parse_record(const std::string& text) {
  auto doc = parse_json(text, "run record");
  if (!doc.ok() || !doc->IsMap()) return std::nullopt;
  Record r;
  try {
    r.pid = static_cast<pid_t>(std::stol(scalar_at(*doc, "pid")));
    r.start_time = std::stoull(scalar_at(*doc, "start_time"));
  } catch (...) {
    return std::nullopt;
  }
  const YAML::Node created = (*doc)["created"];
  if (created && created.IsSequence())
    for (const auto& c : created) {
      RealObject o;
      o.key = scalar_at(c, "key");
      o.digest = scalar_at(c, "digest");
      o.path = scalar_at(c, "path");
      o.is_namespace = scalar_at(c, "namespace") == "true";
      if (!o.key.empty() && o.path.rfind("/api", 0) == 0) r.created.push_back(std::move(o));
    }
  return r;
}

}  // namespace

std::string content_digest(std::string_view text) {
  unsigned long long h = 1469598103934665603ULL;  // FNV-1a 64
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

std::string labelled_body(const YAML::Node& object, const std::string& run_id) {
  YAML::Node copy = YAML::Clone(object);
  // (Non-const operator[] creates missing or null maps on the way.)
  copy["metadata"]["labels"]["kvalidate.io/managed"] = "true";
  copy["metadata"]["labels"][kRunLabel] = run_id;
  return to_flow_yaml(copy);
}

RunScope::RunScope(kube::Transport& client, std::string state_dir, std::string id)
    : client_(client), state_dir_(std::move(state_dir)), id_(std::move(id)), locks_(locks_dir(state_dir_)) {}

RunScope::~RunScope() { (void)release(); }

Result<std::unique_ptr<RunScope>> RunScope::Open(kube::Transport& client, const std::string& state_dir) {
  KV_RETURN_IF_ERROR(controlplane::make_private_dir(runs_dir(state_dir)));
  KV_RETURN_IF_ERROR(controlplane::make_private_dir(locks_dir(state_dir)));
  sweep_dead_runs(client, state_dir);
  std::unique_ptr<RunScope> scope(new RunScope(client, state_dir, new_run_id()));
  KV_RETURN_IF_ERROR(scope->write_record());
  return scope;
}

Status RunScope::write_record() const {
  return write_file_atomic(record_path(state_dir_, id_),
                                         record_json(id_, getpid(), pid_start_time(getpid()).value_or(0), created_),
                                         0600);
}

Result<bool> RunScope::baseline_has(const std::string& path) {
  auto all = baseline_has_all({path});
  if (!all.ok()) return all.status();
  return static_cast<bool>((*all)[0]);
}

Result<std::vector<bool>> RunScope::baseline_has_all(const std::vector<std::string>& paths, int jobs) {
  std::vector<kube::Request> gets;
  for (const auto& p : paths) {
    kube::Request get;
    get.path = p;
    get.accept = kube::kMetadataOnly;  // its labels are all it takes (a CRD's schema can be megabytes)
    gets.push_back(std::move(get));
  }
  auto answers = client_.send_all(gets, jobs);
  std::vector<bool> out;
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto& resp = answers[i];
    if (!resp.transport_ok()) return Status::Unavailable("the API server did not answer: " + resp.transport_error);
    if (resp.status == 404) {
      out.push_back(false);
      continue;
    }
    if (!resp.success()) return Status::Unavailable("cannot read " + paths[i] + ": HTTP " + std::to_string(resp.status));
    auto doc = parse_json(resp.body, paths[i]);
    if (!doc.ok()) return doc.status();
    const YAML::Node meta = (*doc)["metadata"];
    out.push_back(scalar_at(meta.IsMap() ? meta["labels"] : YAML::Node(), kRunLabel).empty());
  }
  return out;
}

Status RunScope::claim(std::vector<RealObject> objects, std::chrono::milliseconds wait) {
  std::sort(objects.begin(), objects.end(),
            [](const RealObject& a, const RealObject& b) { return std::tie(a.rank, a.key) < std::tie(b.rank, b.key); });
  for (auto& o : objects) {
    if (std::any_of(claimed_.begin(), claimed_.end(), [&](const RealObject& c) { return c.key == o.key; })) continue;
    if (o.rank < max_rank_)
      return Status::Internal("run isolation: " + o.key + " claimed after objects of a later rank");
    auto hold = locks_.acquire(o.key, o.digest, wait);
    if (!hold.ok()) return hold.status();
    max_rank_ = o.rank;
    holds_.push_back(std::move(*hold));
    claimed_.push_back(std::move(o));
  }
  return Status::Ok();
}

Status RunScope::record(const RealObject& obj) { return record(std::vector<RealObject>{obj}); }

Status RunScope::record(const std::vector<RealObject>& objs) {
  bool added = false;
  for (const auto& obj : objs) {
    if (std::any_of(created_.begin(), created_.end(), [&](const RealObject& c) { return c.key == obj.key; })) continue;
    created_.push_back(obj);
    added = true;
  }
  if (!added) return Status::Ok();
  released_ = false;
  return write_record();
}

kube::Response RunScope::create(const RealObject& obj, const kube::Request& req) {
  if (Status s = record(obj); !s.ok()) {
    kube::Response refused;
    refused.transport_error = "not created: the run's record cannot be written: " + s.message();
    return refused;
  }
  return client_.send(req);
}

Status RunScope::release(const std::set<std::string>& keep, const std::set<std::string>& hand_over,
                         const std::function<bool(const RealObject&)>& pool) {
  if (released_) return Status::Ok();
  Status first;
  std::vector<RealObject> left, kept;
  auto failed = [&](const RealObject& obj, const Status& s) {
    if (first.ok()) first = s;
    left.push_back(obj);
  };
  // Newest first, one rank at a time; the objects of a rank side by side (none needs another of its rank
  // gone first), their gates taken in key order and held until they are deleted.
  const std::vector<RealObject> newest_first(created_.rbegin(), created_.rend());
  for (size_t from = 0, to = 0; from < newest_first.size(); from = to) {
    std::vector<const RealObject*> group;
    for (to = from; to < newest_first.size() && newest_first[to].rank == newest_first[from].rank; ++to) {
      if (keep.count(newest_first[to].key)) kept.push_back(newest_first[to]);
      else group.push_back(&newest_first[to]);
    }
    std::sort(group.begin(), group.end(), [](const RealObject* a, const RealObject* b) { return a->key < b->key; });
    std::vector<ObjectLocks::Releasing> gates;
    std::vector<const RealObject*> doomed;
    for (const RealObject* obj : group) {
      bool last = true;
      auto held = std::find_if(claimed_.begin(), claimed_.end(), [&](const RealObject& c) { return c.key == obj->key; });
      if (held != claimed_.end()) {
        size_t i = static_cast<size_t>(held - claimed_.begin());
        auto r = locks_.begin_release(std::move(holds_[i]));
        claimed_.erase(held);
        holds_.erase(holds_.begin() + static_cast<long>(i));
        if (!r.ok()) {
          failed(*obj, r.status());
          continue;
        }
        last = r->last_user;
        gates.push_back(std::move(*r));
      }
      // Another run still using it removes it; one handed over to a pool of the plane's stays.
      if (last && (!hand_over.count(obj->key) || (pool && !pool(*obj)))) doomed.push_back(obj);
    }
    auto statuses = delete_objects(client_, doomed);
    for (size_t k = 0; k < doomed.size(); ++k)
      if (!statuses[k].ok()) failed(*doomed[k], statuses[k]);
  }
  // The turns of what stays are kept, also of what the run holds without having created it (CRDs adopted
  // from the pool); the others' go (claimed but never created: nothing to delete).
  max_rank_ = 0;  // the scope may be used again (the next batch of the run)
  for (size_t i = claimed_.size(); i-- > 0;) {
    if (keep.count(claimed_[i].key)) {
      max_rank_ = std::max(max_rank_, claimed_[i].rank);
      continue;
    }
    claimed_.erase(claimed_.begin() + static_cast<long>(i));
    holds_.erase(holds_.begin() + static_cast<long>(i));
  }
  created_.assign(left.rbegin(), left.rend());
  created_.insert(created_.end(), kept.rbegin(), kept.rend());
  released_ = kept.empty() && claimed_.empty();
  if (created_.empty()) std::remove(record_path(state_dir_, id_).c_str());
  else (void)write_record();  // what could not be removed stays recorded for the next run's sweep
  return first;
}

bool RunScope::evict_if_unused(const RealObject& obj, const std::function<void()>& forget) {
  bool gone = false;
  (void)locks_.if_unused(obj.key, obj.digest, [&] {
    Status d = delete_real(client_, obj);
    if (d.ok()) {
      forget();
      gone = true;
    }
    return d;
  });
  return gone;
}

int RunScope::evict_pooled(const std::vector<PooledCrd>& victims) {
  CrdPool pool(state_dir_);
  int evicted = 0;
  for (const auto& v : victims)
    if (evict_if_unused({kRankCrd, "crd/" + v.name, v.digest, v.path, false}, [&] { pool.drop(v.name); })) ++evicted;
  return evicted;
}

int RunScope::evict_pooled_namespaces(const std::vector<PooledNamespace>& victims) {
  if (victims.empty()) return 0;
  NamespacePool pool(state_dir_);
  std::vector<std::string> names;
  for (const auto& v : victims) names.push_back(v.name);
  auto on_plane = namespaces_named(client_, names, kDeleteJobs);
  if (!on_plane) return 0;
  int evicted = 0;
  for (const auto& v : victims) {
    auto it = on_plane->find(v.name);
    if (it == on_plane->end() || it->second.run != v.run) {  // not the pooled one any more
      pool.drop(v.name);
      continue;
    }
    RealObject obj{kRankNamespace, "namespace/" + v.name, v.digest, "/api/v1/namespaces/" + v.name, true};
    if (evict_if_unused(obj, [&] { pool.drop(v.name); })) ++evicted;
  }
  return evicted;
}

bool RunScope::created_in(const std::string& ns) const {
  const std::string inside = "/namespaces/" + ns + "/";
  return std::any_of(created_.begin(), created_.end(),
                     [&](const RealObject& o) { return o.path.find(inside) != std::string::npos; });
}

int RunScope::sweep_dead_runs(kube::Transport& client, const std::string& state_dir) {
  int swept = 0;
  ObjectLocks locks(locks_dir(state_dir));
  for (const auto& id : stems_of(runs_dir(state_dir), ".json")) {
    std::string path = record_path(state_dir, id);
    auto text = read_file(path);
    if (!text.ok()) continue;
    auto rec = parse_record(*text);
    if (rec) {
      controlplane::ProcessRecord owner;
      owner.pid = rec->pid;
      owner.start_time = rec->start_time;
      if (controlplane::process_running(owner)) continue;
    }
    bool all_gone = true;
    if (rec)
      for (auto it = rec->created.rbegin(); it != rec->created.rend(); ++it)
        if (!locks.if_unused(it->key, it->digest, [&] { return delete_real(client, *it); }).ok()) all_gone = false;
    if (all_gone) {
      std::remove(path.c_str());
      ++swept;
    }
  }
  return swept;
}

}  // namespace kv::engine
