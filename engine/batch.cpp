#include "engine/batch.h"

#include <chrono>
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

  void record(size_t i, Judgement j, double duration_ms) {
    ObjectResult res = result_for(i, plan.targets[i]->namespace_);
    res.duration_ms = duration_ms;
    res.status = j.status;
    for (auto& f : j.findings) add_located(res, resources[i], opts.locate, std::move(f));
    decide(i, std::move(res));
  }

  // Sends the objects at `which` and judges each answer; a lost plane sets out.fatal. Objects whose
  // server-side apply RBAC refused are judged kubectl's way after the others (fallback()).
  void send(const std::vector<size_t>& which, bool dry_run) {
    auto reqs = requests_for(plan, resources, which, opts.field_manager, dry_run);
    std::vector<bool> patch_refused(which.size(), false);
    std::vector<size_t> refused;
    Status lost = submit(
        transport, reqs, opts.jobs,
        [&](size_t k, const kube::Response& resp) {
          patch_refused[k] = dry_run && needs_apply_fallback(reqs[k], resp, opts.plane);
          return judge(resources[which[k]], resp, opts.warnings_as_errors, redact);
        },
        [&](size_t k, Judgement j, double duration_ms) {
          if (patch_refused[k]) refused.push_back(which[k]);
          else record(which[k], std::move(j), duration_ms);
        });
    if (out.fatal.ok()) out.fatal = lost;
    if (out.fatal.ok() && !refused.empty()) fallback(refused);
  }

  // kubectl's way (submit_fallback) for the objects at `which`; a lost plane sets out.fatal and leaves
  // them undecided.
  void fallback(const std::vector<size_t>& which) {
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    std::vector<Fallback> answers;
    out.fatal = submit_fallback(
        transport, plan, resources, which, opts.field_manager, opts.jobs,
        [&](size_t k, const kube::Response& resp) {
          return judge(resources[which[k]], resp, opts.warnings_as_errors, redact);
        },
        answers);
    if (!out.fatal.ok()) return;
    double duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    for (size_t k = 0; k < which.size(); ++k) {
      size_t i = which[k];
      record(i, judge_fallback(resources[i], *plan.targets[i], answers[k], opts.warnings_as_errors, redact),
             duration_ms);
    }
  }

  // Every object not decided yet is an error: the run ended early.
  void finish_unjudged() {
    std::string why = out.fatal.ok() ? std::string("run ended early") : out.fatal.message();
    for (size_t i = 0; i < resources.size(); ++i)
      if (!decided[i]) decide(i, not_validated(resources[i], opts.suite, why));
  }
};

// Phase 1: CRDs. Applied ones are awaited; the kinds of the invalid ones are remembered, and the
// objects waiting for those (or, on an external cluster, for any CRD) are skipped.
void crd_phase(BatchRun& run) {
  const Phase& phase = run.plan.crds;
  run.send(phase.objects, !phase.for_real);
  if (!run.out.fatal.ok()) return;
  std::set<std::string> failed_kinds;  // "group/Kind"
  for (size_t i : phase.objects) {
    ObjectStatus st = run.out.results[i].status;
    if (st == ObjectStatus::kValid && phase.for_real) wait_established(run.transport, run.resources[i].name);
    if (st == ObjectStatus::kInvalid)
      for (const auto& a : served_by_crd(run.resources[i])) failed_kinds.insert(a.group + "/" + a.kind);
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

}  // namespace

BatchOutcome run_batch(kube::Transport& transport, const kube::Discovery& discovery,
                       const RefreshDiscovery& refresh, const std::vector<Resource>& resources,
                       const BatchOptions& opts, const std::function<void(const ObjectResult&)>& on_result) {
  BatchRun run{transport, resources, opts, on_result, {}, {}, {}, std::vector<bool>(resources.size(), false)};
  run.out.results.resize(resources.size());
  run.redact.collect(resources);
  run.plan = plan_batch(resources, discovery, opts.plane, opts.default_namespace);
  if (run.plan.unresolved && refresh)
    if (const kube::Discovery* fresh = refresh())
      run.plan = plan_batch(resources, *fresh, opts.plane, opts.default_namespace);
  for (const auto& v : run.plan.verdicts) run.apply(v);
  crd_phase(run);
  if (run.out.fatal.ok()) namespace_phase(run);
  if (run.out.fatal.ok()) run.send(run.remaining(run.plan.rest.objects), !run.plan.rest.for_real);
  run.finish_unjudged();
  return std::move(run.out);
}

}  // namespace kv::engine
