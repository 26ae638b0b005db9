#include "engine/batch.h"

#include <algorithm>
#include <set>

#include "engine/plane_objects.h"
#include "engine/submit.h"
#include "validators/redact.h"

namespace kv::engine {

namespace {

// The state of one batch while its phases run.
struct BatchRun {
  kube::Transport& transport;
  const std::vector<Resource>& resources;
  const BatchOptions& opts;
  const std::function<void(const ObjectResult&)>& on_result;
  Plan plan;
  Redactor redact;
  BatchOutcome out;
  std::vector<bool> decided;

  void decide(size_t i, ObjectResult res) {
    out.results[i] = std::move(res);
    decided[i] = true;
    if (on_result) on_result(out.results[i]);
  }

  // A result for object i with its namespace filled in when it names none (`ns`, if any).
  ObjectResult result_for(size_t i, const std::string& ns) const {
    ObjectResult res = object_result(resources[i], opts.suite);
    if (res.namespace_.empty()) res.namespace_ = ns;
    return res;
  }

  void apply(const Verdict& v) {
    ObjectResult res = result_for(v.index, v.namespace_);
    res.status = v.status;
    for (const auto& f : v.findings) add_located(res, resources[v.index], opts.locate, f);
    decide(v.index, std::move(res));
  }

  std::vector<size_t> remaining(const std::vector<size_t>& which) const {
    std::vector<size_t> out;
    for (size_t i : which)
      if (!decided[i]) out.push_back(i);
    return out;
  }

  // Sends the objects at `which` and judges each answer; a lost plane sets out.fatal.
  void send(const std::vector<size_t>& which, bool dry_run) {
    auto reqs = requests_for(plan, resources, which, opts.field_manager, dry_run);
    Status lost = submit(
        transport, reqs, opts.jobs,
        [&](size_t k, const kube::Response& resp) {
          return judge(resources[which[k]], resp, opts.warnings_as_errors, redact);
        },
        [&](size_t k, Judgement j, double duration_ms) {
          size_t i = which[k];
          ObjectResult res = result_for(i, plan.targets[i]->namespace_);
          res.duration_ms = duration_ms;
          res.status = j.status;
          for (auto& f : j.findings) add_located(res, resources[i], opts.locate, std::move(f));
          decide(i, std::move(res));
        });
    if (out.fatal.ok()) out.fatal = lost;
  }

  // Every object not decided yet is an error: the run ended early.
  void finish_unjudged() {
    std::string why = out.fatal.ok() ? std::string("run ended early") : out.fatal.message();
    for (size_t i = 0; i < resources.size(); ++i)
      if (!decided[i]) decide(i, not_validated(resources[i], opts.suite, why));
  }
};

// Phase 1: CRDs. Those applied are awaited all at once and join the run's CRDs; the kinds of the invalid
// ones are remembered, and the objects waiting for those (or, on an external cluster, for any CRD) are
// skipped.
void crd_phase(BatchRun& run) {
  const Phase& phase = run.plan.crds;
  run.send(phase.objects, !phase.for_real);
  if (!run.out.fatal.ok()) return;
  std::set<std::string> failed_kinds;  // "group/Kind"
  std::vector<size_t> applied;
  std::vector<kube::ApiResource> kinds;
  for (size_t i : phase.objects) {
    ObjectStatus st = run.out.results[i].status;
    if (st == ObjectStatus::kValid && phase.for_real) {
      applied.push_back(i);
      for (auto& a : served_by_crd(run.resources[i])) kinds.push_back(std::move(a));
    }
    if (st == ObjectStatus::kInvalid)
      for (const auto& a : served_by_crd(run.resources[i])) failed_kinds.insert(a.group + "/" + a.kind);
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
    }
  }
  PlaneKind plane = run.opts.plane;
  for (const auto& v : skips_after_crds(run.plan, run.resources, failed_kinds, plane)) run.apply(v);
}

// Phase 2: Namespaces, then the namespaces the rest needs (created on an owned plane); objects whose
// namespace still does not exist are skipped.
void namespace_phase(BatchRun& run) {
  std::set<std::string> existing = list_namespaces(run.transport);
  const Phase& phase = run.plan.namespaces;
  run.send(phase.objects, !phase.for_real);
  if (!run.out.fatal.ok()) return;
  if (phase.for_real)
    for (size_t i : phase.objects)
      if (run.out.results[i].status == ObjectStatus::kValid) existing.insert(run.resources[i].name);
  if (run.plan.create_missing_namespaces)
    for (const auto& ns : missing_namespaces(run.plan, run.remaining(run.plan.rest.objects), existing))
      if (create_namespace(run.transport, ns)) existing.insert(ns);
  auto remaining = run.remaining(run.plan.rest.objects);
  for (const auto& v : skips_after_namespaces(run.plan, run.resources, remaining, existing, run.opts.plane))
    run.apply(v);
}

// True when the server answered the object's request with a 404 that is no API Status: no such endpoint.
bool answered_not_found(const ObjectResult& r) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [](const Finding& f) { return f.rule == "dry-run/HTTP404"; });
}

}  // namespace

BatchOutcome run_batch(kube::Transport& transport, const kube::Discovery& discovery,
                       const RefreshDiscovery& refresh, const std::vector<Resource>& resources,
                       const BatchOptions& opts, const std::function<void(const ObjectResult&)>& on_result) {
  BatchRun run{transport, resources, opts, on_result, {}, {}, {}, std::vector<bool>(resources.size(), false)};
  run.out.results.resize(resources.size());
  run.redact.collect(resources);
  static const RunCrds kNone;
  const RunCrds& crds = opts.run_crds ? *opts.run_crds : kNone;
  run.plan = plan_batch(resources, discovery, opts.plane, opts.default_namespace, crds);
  const kube::Discovery* used = &discovery;
  if (run.plan.unresolved && refresh)
    if (const kube::Discovery* fresh = refresh()) {
      run.plan = plan_batch(resources, *fresh, opts.plane, opts.default_namespace, crds);
      used = fresh;
    }
  for (const auto& v : run.plan.verdicts) run.apply(v);
  crd_phase(run);
  if (run.out.fatal.ok()) namespace_phase(run);
  if (run.out.fatal.ok()) run.send(run.remaining(run.plan.rest.objects), !run.plan.rest.for_real);
  run.finish_unjudged();
  // A kind the (cached) discovery lists but the server no longer serves (its CRD was deleted since)
  // answers a bare 404: judge the batch again once, planned with a fresh discovery.
  if (refresh && std::any_of(run.out.results.begin(), run.out.results.end(), answered_not_found))
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
