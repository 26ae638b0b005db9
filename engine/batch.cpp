#include "engine/batch.h"

#include "engine/batch_run.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "engine/passes.h"
#include "core/json.h"
#include "core/parallel.h"
#include "engine/plane_objects.h"
#include "engine/policy_scope.h"
#include "engine/submit.h"
#include "kube/requests.h"
#include "resources/loader.h"
#include "validators/admission_mutation.h"
#include "validators/redact.h"

namespace kv::engine {

namespace {

// Which of the CRDs `which` the plane has as its own (baseline), from the list of its CRDs the run read
// (nullopt without one): kvalidate never makes or deletes an unlabelled CRD, so no run changed that since.
std::optional<std::vector<bool>> baseline_crds(const BatchRun& run, const std::vector<size_t>& which) {
  if (!run.crds) return std::nullopt;
  std::vector<bool> own;
  for (size_t i : which) {
    auto it = run.crds->find(run.resources[i].name);
    own.push_back(it != run.crds->end() && it->second.run.empty());
  }
  return own;
}

// Objects of `which` to create for real through the run's scope: each is claimed, recorded and sent
// labelled with the run's id. Those the plane already has as its own (baseline: `known` when given, else
// read) are only dry-run, with a note. `rank`/`key_of` name the claims.
// `after_claim` (optional) runs once the turns are taken and may take objects out of `real` (decided
// otherwise: not created).
using AfterClaim = std::function<Status(std::vector<size_t>& real)>;

void send_for_real(BatchRun& run, const std::vector<size_t>& which, int rank,
                   const std::function<std::string(size_t)>& key_of, std::vector<RealObject> claims = {},
                   const AfterClaim& after_claim = {}, std::optional<std::vector<bool>> known = std::nullopt) {
  RunScope& scope = *run.opts.scope;
  std::vector<size_t> real, baseline;
  std::map<size_t, std::string> bodies;
  std::map<size_t, RealObject> objects;
  std::vector<std::string> paths;
  for (size_t i : which)
    paths.push_back(kube::object_path(run.plan.targets[i]->api(), run.plan.targets[i]->namespace_, run.resources[i].name));
  auto own = known ? Result<std::vector<bool>>(std::move(*known)) : scope.baseline_has_all(paths, run.opts.jobs);
  if (!own.ok()) { run.out.fatal = own.status(); return; }
  for (size_t n = 0; n < which.size(); ++n) {
    size_t i = which[n];
    const std::string& path = paths[n];
    if ((*own)[n]) { baseline.push_back(i); continue; }
    real.push_back(i);
    objects[i] = {rank, key_of(i), content_digest(run.resources[i].body), path, rank == kRankNamespace};
    claims.push_back(objects[i]);
  }
  // Claimed all at once, so that every run takes its turns in the same order.
  if (Status s = scope.claim(claims); !s.ok()) { run.out.fatal = s; return; }
  if (after_claim)
    if (Status s = after_claim(real); !s.ok()) { run.out.fatal = s; return; }
  std::vector<RealObject> to_record;  // (the namespaces the objects use are recorded as they are created)
  for (size_t i : real) to_record.push_back(objects[i]);
  if (Status s = scope.record(to_record); !s.ok()) { run.out.fatal = s; return; }
  for (size_t i : real) bodies[i] = labelled_body(object_tree(run.resources[i]), scope.id());
  run.created.insert(real.begin(), real.end());
  run.send(real, false, 1, [&](size_t i) -> const std::string& { return bodies[i]; });
  run.send(baseline, true);
  for (size_t i : baseline) {
    Finding note;
    note.severity = Severity::kInfo;
    note.rule = "plane/baseline";
    note.message = "already on this plane (not created by kvalidate): left as it is; checked with a dry-run";
    run.raw[i].push_back(note);  // (kept with the verdict in the result cache)
    add_located(run.out.results[i], run.resources[i], run.opts.locate, note);
  }
}

// The pool entry of input CRD i (created for real by this batch), without its uid.
PooledCrd pool_entry(const BatchRun& run, size_t i) {
  const Resource& r = run.resources[i];
  return PooledCrd{r.name, "", content_digest(r.body), spec_digest_of(r.name, r.body, [&] { return object_tree(r); }), {},
                   kube::object_path(run.plan.targets[i]->api(), "", r.name), r.body.size(),
                   static_cast<long long>(std::time(nullptr))};
}

// The CRDs at `which` (indices into `real`) whose pooled version has the same spec and other metadata: a
// dry-run of each one's text over the pooled one (what the server says of its metadata; the spec it
// accepted already). Returns those not answered valid with no finding: they are created instead.
std::set<size_t> same_spec_checks(BatchRun& run, const std::vector<size_t>& real, const std::vector<size_t>& which) {
  std::set<size_t> refused;
  if (which.empty()) return refused;
  std::vector<kube::Request> reqs;
  std::vector<std::string> bodies;
  for (size_t k : which) {
    size_t i = real[k];
    bodies.push_back(labelled_body(object_tree(run.resources[i]), run.opts.scope->id()));
    reqs.push_back(request_for(*run.plan.targets[i], run.resources[i], bodies.back(), run.opts.field_manager, true));
  }
  auto answers = run.transport.send_all(reqs, run.opts.jobs);
  // Clean: accepted without a warning (a refusal or a warning is judged on the create that follows).
  for (size_t n = 0; n < which.size(); ++n)
    if (!answers[n].success() || !answers[n].warnings.empty()) refused.insert(which[n]);
  return refused;
}

// With the turns on the input's CRDs taken: adopts those of `real` that the plane's CRD pool holds with the
// same text (valid, not created: taken out of `real`), evicts the pooled ones the others would meet (same
// name, or the same API group: deleted and awaited), forgets the stale ones.
Status use_pool(BatchRun& run, std::vector<size_t>& real) {
  CrdPool pool(run.opts.state_dir);
  // The pooled CRDs this batch may meet (of its CRDs' groups), read again now that its turns are taken.
  std::set<std::string> groups;
  for (size_t i : real) groups.insert(crd_group(run.resources[i].name));
  std::vector<PooledCrd> pooled;
  std::vector<std::string> names;
  for (auto& e : pool.all())
    if (groups.count(crd_group(e.name))) {
      names.push_back(e.name);
      pooled.push_back(std::move(e));
    }
  if (pooled.empty()) return Status::Ok();
  auto on_plane = crds_named(run.transport, names, run.opts.jobs);
  if (!on_plane) return Status::Ok();  // not known: everything is created as usual
  std::vector<InputCrd> input;
  for (size_t i : real) {  // (the spec's digest only where the text is not the pooled one's: it costs a walk)
    const Resource& r = run.resources[i];
    std::string digest = content_digest(r.body);
    auto e = std::find_if(pooled.begin(), pooled.end(), [&](const PooledCrd& p) { return p.name == r.name; });
    bool needs_spec = e != pooled.end() && !e->adopts_text(digest);
    input.push_back({r.name, std::move(digest),
                     needs_spec ? spec_digest_of(r.name, r.body, [&] { return object_tree(r); }) : std::string()});
  }
  PoolChoice choice = choose_pooled(input, pooled, *on_plane);
  std::set<size_t> refused = same_spec_checks(run, real, choice.same_spec);
  if (!refused.empty()) choice = choose_pooled(input, pooled, *on_plane, refused);
  for (const auto& name : choice.stale) pool.drop(name);
  std::set<std::string> input_names;
  for (const auto& c : input) input_names.insert(c.name);
  std::vector<RealObject> group_turns;  // pooled CRDs of another name in a group the input creates in
  for (const auto& e : choice.evict)
    if (!input_names.count(e.name)) group_turns.push_back({kRankCrd, "crd/" + e.name, "evict", e.path, false});
  // Out of the global order (a turn on another name of the same rank): bounded, and skipped when busy.
  std::set<std::string> may_evict = input_names;
  for (auto& t : group_turns) {
    std::string name = t.key.substr(4);
    if (run.opts.scope->claim({std::move(t)}, std::chrono::seconds(10)).ok()) may_evict.insert(name);
  }
  std::vector<std::string> paths;
  for (const auto& e : choice.evict)
    if (may_evict.count(e.name)) paths.push_back(e.path);
  if (!paths.empty()) KV_RETURN_IF_ERROR(delete_all(run.transport, paths, run.opts.jobs));
  for (const auto& e : choice.evict)
    if (may_evict.count(e.name)) pool.drop(e.name);
  std::set<size_t> taken;
  std::vector<size_t> adopt = choice.adopt;
  adopt.insert(adopt.end(), choice.same_spec.begin(), choice.same_spec.end());
  for (size_t k : adopt) {
    size_t i = real[k];
    taken.insert(i);
    run.adopted.insert(i);
    run.apply(Verdict{i, ObjectStatus::kValid, "", {}});
    if (run.opts.run_crds) run.opts.run_crds->add(run.resources[i]);
    if (auto e = pool.get(run.resources[i].name)) {
      e->used = static_cast<long long>(std::time(nullptr));
      const std::string& digest = input[k].digest;  // a clean check is not asked again
      if (!e->adopts_text(digest)) e->clean_variants.push_back(digest);
      if (e->clean_variants.size() > 16) e->clean_variants.erase(e->clean_variants.begin());
      (void)pool.put(*e);
    }
  }
  real.erase(std::remove_if(real.begin(), real.end(), [&](size_t i) { return taken.count(i) > 0; }), real.end());
  return Status::Ok();
}

// Phase 1: CRDs. Those applied are awaited all at once and join the run's CRDs; the kinds of the invalid
// ones are remembered, and the objects waiting for those (or, on an external cluster, for any CRD) are
// skipped.
void crd_phase(BatchRun& run) {
  const Phase& phase = run.plan.crds;
  if (phase.for_real && run.opts.scope)
    send_for_real(run, phase.objects, kRankCrd, [&](size_t i) { return "crd/" + run.resources[i].name; }, {},
                  [&](std::vector<size_t>& real) { return run.opts.crd_pool ? use_pool(run, real) : Status::Ok(); },
                  baseline_crds(run, phase.objects));
  else
    run.send(phase.objects, !phase.for_real);
  if (!run.out.fatal.ok()) return;
  std::map<std::string, std::string> failed_kinds;  // "group/Kind" → where its CRD is
  std::vector<size_t> applied;
  std::vector<kube::ApiResource> kinds;
  for (size_t i : phase.objects) {
    ObjectStatus st = run.out.results[i].status;
    if (st == ObjectStatus::kValid && phase.for_real && !run.adopted.count(i)) {
      applied.push_back(i);
      for (auto& a : served_by_crd(run.resources[i])) kinds.push_back(std::move(a));
    }
    if (st == ObjectStatus::kInvalid)
      for (const auto& a : served_by_crd(run.resources[i]))
        failed_kinds[a.group + "/" + a.kind] =
            run.resources[i].source.file + ":" + std::to_string(run.resources[i].source.line);
  }
  if (!kinds.empty()) {
    auto served = wait_served(run.transport, kinds, run.opts.jobs);
    std::set<std::string> ready;
    for (const auto& a : served) ready.insert(a.group_version() + "/" + a.resource);
    for (size_t i : applied) {
      auto crd_kinds = served_by_crd(run.resources[i]);
      bool all = std::all_of(crd_kinds.begin(), crd_kinds.end(),
                             [&](const kube::ApiResource& a) { return ready.count(a.group_version() + "/" + a.resource); });
      if (all && run.opts.run_crds) run.opts.run_crds->add(run.resources[i]);
      if (all && run.opts.crd_pool && run.created.count(i) && run.out.results[i].findings.empty())
        run.out.poolable.push_back(pool_entry(run, i));
    }
  }
  PlaneKind plane = run.opts.plane;
  for (const auto& v : skips_after_crds(run.plan, run.resources, failed_kinds, plane)) run.apply(v);
}

// The namespaces the plane has as its own, and those a scoped run may use: another run's namespace is
// not there for this run (it takes its turn and makes its own).
std::set<std::string> usable_namespaces(BatchRun& run) {
  if (!run.opts.scope) return list_namespaces(run.transport);
  std::set<std::string> out;
  for (const auto& [name, ns] : namespaces_by_run(run.transport))
    if (ns.run.empty()) out.insert(name);
  return out;
}

void keep_verdicts(BatchRun& run, const std::vector<size_t>& which);

// Phase 2: Namespaces, then the namespaces the rest needs (created on an owned plane); objects whose
// namespace still does not exist are skipped.
void namespace_phase(BatchRun& run) {
  std::set<std::string> existing = usable_namespaces(run);
  const Phase& phase = run.plan.namespaces;
  std::set<std::string> missing;
  if (run.plan.create_missing_namespaces) {
    std::set<std::string> known = existing;
    for (size_t i : phase.objects) known.insert(run.resources[i].name);
    missing = missing_namespaces(run.plan, run.remaining(run.plan.rest.objects), known);
  }
  const std::vector<size_t> own = run.remaining(phase.objects);  // (not served from the result cache)
  std::set<std::string> adopted;  // made for objects before: taken from the plane's namespace pool
  if (phase.for_real && run.opts.scope) {
    std::vector<RealObject> used;  // the namespaces the objects use, claimed with the input's own
    for (const auto& ns : missing)
      used.push_back({kRankNamespace, "namespace/" + ns, kMadeNamespaceDigest, "/api/v1/namespaces/" + ns, true});
    send_for_real(run, own, kRankNamespace, [&](size_t i) { return "namespace/" + run.resources[i].name; },
                  std::move(used), [&](std::vector<size_t>& real) { return use_namespace_pool(run, real, missing, adopted); });
  } else {
    run.send(own, !phase.for_real);
  }
  if (!run.out.fatal.ok()) return;
  if (run.served_first) keep_verdicts(run, own);  // made, or the plane's own checked with a dry-run
  const bool pooling = pools_namespaces(run);
  if (phase.for_real)
    for (size_t i : own) {
      const ObjectResult& res = run.out.results[i];
      if (res.status != ObjectStatus::kValid) continue;
      existing.insert(run.resources[i].name);
      if (pooling && run.created.count(i) && res.findings.empty())
        run.out.poolable_namespaces[run.resources[i].name] = content_digest(run.resources[i].body);
    }
  existing.insert(adopted.begin(), adopted.end());
  const std::vector<std::string> to_make(missing.begin(), missing.end());
  std::vector<RealObject> records;
  for (const auto& ns : to_make)
    records.push_back({kRankNamespace, "namespace/" + ns, kMadeNamespaceDigest, "/api/v1/namespaces/" + ns, true});
  std::map<std::string, std::string> invalid;  // names the server refused: no such namespace can exist
  if (!run.opts.scope || run.opts.scope->record(records).ok()) {
    std::vector<bool> created;
    std::vector<std::string> refused;
    auto made = create_namespaces(run.transport, to_make, run.opts.scope ? run.opts.scope->id() : "", run.opts.jobs,
                                  &created, &refused);
    for (size_t k = 0; k < to_make.size(); ++k) {
      if (made[k]) existing.insert(to_make[k]);
      if (pooling && created[k]) run.out.poolable_namespaces[to_make[k]] = kMadeNamespaceDigest;
      if (!refused[k].empty()) invalid[to_make[k]] = refused[k];
    }
  }
  auto remaining = run.remaining(run.plan.after_namespaces());
  for (const auto& v : skips_after_namespaces(run.plan, run.resources, remaining, existing, run.opts.plane, invalid))
    run.apply(v);
}

// True when the server answered the object's request with a 404 that is no API Status: no such endpoint
// (judge() words it as an unknown kind).
bool answered_not_found(const ObjectResult& r) {
  return std::any_of(r.findings.begin(), r.findings.end(), [](const Finding& f) {
           return f.rule == "dry-run/HTTP404" || f.rule == "dry-run/unknown-kind";
         });
}

// What the batch's verdicts depend on besides each object (engine/result_cache.h): the run's part
// (opts.world), the batch's own CRDs, namespaces and policies, and the plane's baseline as it is now.
const std::string& world_of(BatchRun& run) {
  if (run.world) return *run.world;
  WorldParts w;
  w.server = run.opts.world;
  for (const Phase* p : {&run.plan.crds, &run.plan.namespaces, &run.plan.policy_params, &run.plan.policies,
                         &run.plan.policy_bindings})
    for (size_t i : p->objects) w.own_objects.push_back(run.resources[i].body);
  if (run.opts.run_crds)
    for (const auto& [name, hash] : run.opts.run_crds->applied) w.own_objects.push_back(name + " " + std::to_string(hash));
  w.baseline = baseline_state(run.transport, run.crds ? &*run.crds : nullptr);
  run.world = batch_world(std::move(w));
  return *run.world;
}

// The result cache's key of object i.
std::string cache_key(BatchRun& run, size_t i) {
  const Target& t = *run.plan.targets[i];
  return object_key(world_of(run), kube::object_path(t.api(), t.namespace_, run.resources[i].name), run.resources[i].body);
}

// Decides the objects of `which` whose verdict the result cache holds (placed at their lines, messages
// redacted with this batch's Secrets); returns the others, with their keys in `keys`.
std::vector<size_t> serve_cached(BatchRun& run, const std::vector<size_t>& which, std::map<size_t, std::string>& keys) {
  // Looked up side by side (a file each): the keys and reads first, then the verdicts in input order.
  (void)world_of(run);  // (worked out once, before the threads read it)
  std::vector<std::string> key(which.size());
  std::vector<std::optional<CachedVerdict>> found(which.size());
  const int workers = which.size() >= 64 ? hardware_workers() : 1;
  parallel_for(which.size(), workers, [&](size_t k) {
    key[k] = cache_key(run, which[k]);
    found[k] = run.opts.results->get(key[k]);
  });
  std::vector<size_t> ask;
  for (size_t k = 0; k < which.size(); ++k) {
    const size_t i = which[k];
    if (!found[k]) {
      keys[i] = std::move(key[k]);
      ask.push_back(i);
      continue;
    }
    CachedVerdict& v = *found[k];
    ObjectResult res = run.result_for(i, run.plan.targets[i]->namespace_);
    res.status = v.status;
    res.cached = true;
    run.raw[i] = v.findings;
    for (auto& f : v.findings) {
      f.message = run.redact.apply(f.message, run.resources[i].kind == "Secret");
      add_located(res, run.resources[i], run.opts.locate, std::move(f));
    }
    run.decide(i, std::move(res));
    ++run.out.cached;
  }
  return ask;
}

// With a result cache on kvalidate's own plane and no admission policies in the batch, before the namespaces
// are made: the objects of the rest whose verdict the cache holds, then the input's Namespaces that no
// object left needs (a Namespace's verdict is kept as the others are). A batch whose every object is cached
// makes and removes no namespace.
void serve_cached_first(BatchRun& run) {
  const Plan& plan = run.plan;
  if (!run.opts.results || !run.opts.scope || plan.rest.for_real ||
      !plan.namespaces.for_real || !plan.policy_params.objects.empty() || !plan.policies.objects.empty() ||
      !plan.policy_bindings.objects.empty())
    return;
  run.served_first = true;
  serve_cached(run, run.remaining(plan.rest.objects), run.cache_keys);
  std::set<std::string> needed;
  for (size_t i : run.remaining(plan.after_namespaces()))
    if (plan.targets[i] && !plan.targets[i]->namespace_.empty()) needed.insert(plan.targets[i]->namespace_);
  std::vector<size_t> unneeded;
  for (size_t i : run.remaining(plan.namespaces.objects)) {
    if (!needed.count(run.resources[i].name)) unneeded.push_back(i);
    else run.cache_keys[i] = cache_key(run, i);  // made (or checked) for the objects: its verdict is kept then
  }
  serve_cached(run, unneeded, run.cache_keys);
}

// Keeps the verdicts of the objects of `which` the result cache was asked for in vain and that are decided.
void keep_verdicts(BatchRun& run, const std::vector<size_t>& which) {
  for (size_t i : which)
    if (auto key = run.cache_keys.find(i); key != run.cache_keys.end() && run.decided[i])
      run.opts.results->put(key->second, CachedVerdict{run.out.results[i].status, run.raw[i]});
}

// Phase 3: everything else, dry-run; then, for objects the server could not decode entirely, further
// passes without the fields it could not read. With a result cache, the objects whose verdict it holds
// are not sent, and the verdicts of the others are kept.
void rest_phase(BatchRun& run, std::vector<std::string>* keep = nullptr) {
  auto which = run.remaining(run.plan.rest.objects);
  const bool cached = run.opts.results && !keep && run.plan.rest.for_real == false;
  if (cached && !run.served_first) which = serve_cached(run, which, run.cache_keys);
  run.send(which, !run.plan.rest.for_real, 1, {}, keep);
  for (int pass = 2; pass <= run.opts.max_passes && run.out.fatal.ok(); ++pass) {
    std::vector<size_t> again;
    std::map<size_t, std::string> bodies;
    for (size_t i : which) {
      if (run.set_aside[i].empty() || run.out.results[i].status != ObjectStatus::kInvalid) continue;
      if (auto body = body_without(run.resources[i], run.set_aside[i])) {
        bodies[i] = std::move(*body);
        again.push_back(i);
      }
    }
    if (again.empty()) break;
    run.send(again, true, pass, [&](size_t i) -> const std::string& { return bodies[i]; });
  }
  if (!run.out.fatal.ok()) return;
  if (cached) keep_verdicts(run, which);
}

// The namespaces the objects still to send go to, and the labels of those the input defines.
void namespaces_in_use(const BatchRun& run, std::vector<std::string>& used, std::map<std::string, YAML::Node>& own) {
  std::set<std::string> names;
  for (size_t i : run.plan.namespaces.objects) {
    const YAML::Node tree = object_tree(run.resources[i]);
    own[run.resources[i].name] =
        tree.IsMap() && tree["metadata"].IsMap() ? YAML::Clone(tree["metadata"]["labels"]) : YAML::Node();
    names.insert(run.resources[i].name);
  }
  for (size_t i : run.remaining(run.plan.after_namespaces()))
    if (run.plan.targets[i] && !run.plan.targets[i]->namespace_.empty()) names.insert(run.plan.targets[i]->namespace_);
  used.assign(names.begin(), names.end());
}

// -v with mutating policies, before they are applied: each remaining object's dry-run answer.
void keep_answers_before_policies(BatchRun& run) {
  auto which = run.remaining(run.plan.rest.objects);
  auto answers = run.transport.send_all(requests_for(run.plan, run.resources, which, run.opts.field_manager, true),
                                        run.opts.jobs);
  run.before.assign(run.resources.size(), "");
  for (size_t k = 0; k < which.size(); ++k)
    if (answers[k].success()) run.before[which[k]] = std::move(answers[k].body);
}

// Phase 3: admission policies. On an owned plane their params, the policies and their bindings are
// applied for real, the namespaces the run uses get their --pod-security labels, and the probes wait
// until the server enforces it all. Elsewhere the namespaces' own Pod Security levels are only read.
void policy_phase(BatchRun& run) {
  // The policies the server holds already judge too: knowing them finds the fields their refusals name.
  run.admission.validating = validating_policies(run.resources);
  for (auto& [name, p] : installed_validating_policies(run.transport)) run.admission.validating.emplace(name, std::move(p));
  std::vector<std::string> used;
  std::map<std::string, YAML::Node> own;
  namespaces_in_use(run, used, own);
  const Plan& plan = run.plan;
  if (run.opts.plane != PlaneKind::kOwned) {
    (void)run.scope.label_namespaces(std::nullopt, used, own, run.admission.enforced);  // reads only
    return;
  }
  if (run.opts.describe_mutations && plan.mutating_policies) keep_answers_before_policies(run);
  std::vector<size_t> params;
  bool any = false, mutating = false;
  // Deny bindings go on as Warn: the server then names every failing validation of every policy, not
  // only the first it meets; their warnings are judged as the refusals they stand for.
  std::map<size_t, std::string> as_warn;
  for (size_t i : plan.policy_bindings.objects)
    if (auto body = warn_in_place_of_deny(run.resources[i])) as_warn[i] = std::move(*body);
  auto body_of = [&](size_t i) -> const std::string& {
    auto it = as_warn.find(i);
    return it == as_warn.end() ? run.resources[i].body : it->second;
  };
  for (const Phase* phase : {&plan.policy_params, &plan.policies, &plan.policy_bindings}) {
    run.send(phase->objects, !phase->for_real, 1, body_of);
    if (!run.out.fatal.ok()) return;
    for (size_t i : phase->objects) {
      if (run.out.results[i].status != ObjectStatus::kValid) continue;
      run.scope.applied(kube::object_path(plan.targets[i]->api(), plan.targets[i]->namespace_, run.resources[i].name));
      if (phase == &plan.policy_params) params.push_back(i);
      else any = true;
      if (as_warn.count(i)) run.admission.denying_bindings.insert(run.resources[i].name);
      mutating = mutating || run.resources[i].kind == "MutatingAdmissionPolicy";
    }
  }
  auto labelled = run.scope.label_namespaces(run.opts.pod_security, used, own, run.admission.enforced);
  if (!labelled.ok()) {
    run.out.fatal = labelled.status();
    return;
  }
  PolicyProbe probe;
  if (any) probe = make_policy_probe(run.scope.run_id(), mutating, param_targets(plan, run.resources, params), "default");
  std::vector<ProbeCheck> checks = probe.checks;
  for (const auto& ns : *labelled) checks.push_back(pod_security_check(run.scope.run_id(), ns));
  if (!checks.empty())
    if (Status s = run.scope.await(probe, checks, run.opts.policy_wait); !s.ok()) run.out.fatal = s;
}

// -v: an info finding on each object the mutating policies would change (its answer with them compared
// with its answer before them).
void describe_mutations(BatchRun& run, const std::vector<size_t>& which, const std::vector<std::string>& after) {
  std::vector<std::string> names;
  for (size_t i : run.plan.policies.objects)
    if (run.resources[i].kind == "MutatingAdmissionPolicy") names.push_back(run.resources[i].name);
  std::string who = names.size() == 1 ? "MutatingAdmissionPolicy '" + names[0] + "'" : "the mutating admission policies";
  std::string rule = names.size() == 1 ? "admission/" + names[0] : "admission/mutation";
  for (size_t i : which) {
    if (run.before[i].empty() || after[i].empty()) continue;
    auto a = parse_json(run.before[i], "API response");
    auto b = parse_json(after[i], "API response");
    if (!a.ok() || !b.ok()) continue;
    auto changes = mutation_changes(*a, *b);
    if (changes.empty()) continue;
    add_located(run.out.results[i], run.resources[i], run.opts.locate,
                Finding{Severity::kInfo, rule, who + ": " + describe_changes(changes), changes[0].path, "", 0, 0});
  }
}

}  // namespace

BatchOutcome run_batch(kube::Transport& transport, const kube::Discovery& discovery,
                       const RefreshDiscovery& refresh, const std::vector<Resource>& resources,
                       const BatchOptions& opts, const std::function<void(const ObjectResult&)>& on_result) {
  BatchRun run(transport, resources, opts, on_result);
  run.out.results.resize(resources.size());
  run.redact.collect(resources);
  std::vector<bool> cluster(resources.size(), false);
  for (size_t i = resources.size() - std::min(opts.cluster_objects, resources.size()); i < resources.size(); ++i)
    cluster[i] = true;
  static const RunCrds kNone;
  const RunCrds& crds = opts.run_crds ? *opts.run_crds : kNone;
  // On a scoped plane the CRDs runs created (other runs', the pool's, this run's) are not seen through
  // discovery: the plan knows the kinds of the ones the batch applies, adopts or kept from their text.
  // The list is read once per run (opts.plane_crds) and again whenever discovery is: a CRD made since
  // (this run's, another's) is in no discovery read before it either.
  auto read_crds = [&](bool again) {
    if (!opts.scope) return std::set<std::string>{};
    if (opts.plane_crds && *opts.plane_crds && !again) run.crds = *opts.plane_crds;
    else run.crds = all_crds(transport);
    if (opts.plane_crds) *opts.plane_crds = run.crds;
    std::set<std::string> hidden;
    if (run.crds)
      for (const auto& [name, crd] : *run.crds)
        if (!crd.run.empty()) hidden.insert(name);
    return hidden;
  };
  std::set<std::string> hidden = read_crds(false);
  run.plan = plan_batch(resources, without_crds(discovery, hidden), opts.plane, opts.default_namespace, crds, cluster);
  const kube::Discovery* used = &discovery;
  if (run.plan.unresolved && refresh)
    if (const kube::Discovery* fresh = refresh()) {
      hidden = read_crds(true);
      run.plan = plan_batch(resources, without_crds(*fresh, hidden), opts.plane, opts.default_namespace, crds, cluster);
      used = fresh;
    }
  for (const auto& v : run.plan.verdicts) run.apply(v);
  crd_phase(run);
  if (run.out.fatal.ok()) serve_cached_first(run);
  if (run.out.fatal.ok()) namespace_phase(run);
  if (run.out.fatal.ok()) policy_phase(run);
  if (run.out.fatal.ok()) {
    auto rest = run.remaining(run.plan.rest.objects);
    std::vector<std::string> after;
    if (!run.before.empty()) after.assign(resources.size(), "");
    rest_phase(run, run.before.empty() ? nullptr : &after);
    if (!run.before.empty()) describe_mutations(run, rest, after);
  }
  // The policies leave the plane before the results do: the next run must not meet them.
  if (Status s = run.scope.undo(); !s.ok() && run.out.fatal.ok()) run.out.fatal = s;
  run.finish_unjudged();
  // A kind the (cached) discovery lists but the server no longer serves (its CRD was deleted since)
  // answers a bare 404: judge the batch again once, planned with a fresh discovery. Not when the batch
  // created objects for real through the run's scope (they exist now; the verdict "unknown kind" is
  // right anyway, as the input holds no CRD for it).
  if (refresh && !opts.scope && std::any_of(run.out.results.begin(), run.out.results.end(), answered_not_found))
    if (const kube::Discovery* fresh = refresh()) return run_batch(transport, *fresh, {}, resources, opts, on_result);
  if (run.out.fatal.ok() && opts.upgrade) {
    if (opts.plane != PlaneKind::kOwned)
      run.out.fatal = Status::Usage("an upgrade check applies the old version for real: only on kvalidate's own plane");
    else
      run.out.fatal = check_upgrade(transport, *used, resources, run.out.results, *opts.upgrade,
                                    {opts.state_dir, opts.full_plane, opts.default_namespace, opts.jobs, opts.locate});
  }
  return std::move(run.out);
}

}  // namespace kv::engine
