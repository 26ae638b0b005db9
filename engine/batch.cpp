#include "engine/batch.h"

#include <set>

#include "core/json.h"
#include "engine/plane_objects.h"
#include "engine/policy_scope.h"
#include "engine/submit.h"
#include "kube/requests.h"
#include "resources/loader.h"
#include "validators/admission_mutation.h"
#include "validators/redact.h"

namespace kv::engine {

namespace {

// The state of one batch while its phases run.
struct BatchRun {
  BatchRun(kube::Transport& t, const std::vector<Resource>& rs, const BatchOptions& o,
           const std::function<void(const ObjectResult&)>& cb)
      : transport(t), resources(rs), opts(o), on_result(cb), decided(rs.size(), false) {}
  kube::Transport& transport;
  const std::vector<Resource>& resources;
  const BatchOptions& opts;
  const std::function<void(const ObjectResult&)>& on_result;
  Plan plan;
  Redactor redact;
  BatchOutcome out;
  std::vector<bool> decided;
  PolicyScope scope{transport, new_run_id(), opts.jobs};
  AdmissionContext admission;       // the policies and Pod Security levels the answers are read with
  std::vector<std::string> before;  // -v with mutating policies: each object's answer before them

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

  // Sends the objects at `which` and judges each answer (keeping the bodies in `keep`, by input index,
  // when given); a lost plane sets out.fatal.
  void send(const std::vector<size_t>& which, bool dry_run, std::vector<std::string>* keep = nullptr) {
    auto reqs = requests_for(plan, resources, which, opts.field_manager, dry_run);
    Status lost = submit(
        transport, reqs, opts.jobs,
        [&](size_t k, const kube::Response& resp) {
          size_t i = which[k];
          if (keep && resp.success()) (*keep)[i] = resp.body;
          return judge(resources[i], resp, opts.warnings_as_errors, redact, &admission, plan.targets[i]->namespace_);
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
    for (const auto& ns : missing_namespaces(run.plan, run.remaining(run.plan.after_namespaces()), existing))
      if (create_namespace(run.transport, ns)) existing.insert(ns);
  auto remaining = run.remaining(run.plan.after_namespaces());
  for (const auto& v : skips_after_namespaces(run.plan, run.resources, remaining, existing, run.opts.plane))
    run.apply(v);
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
  for (const Phase* phase : {&plan.policy_params, &plan.policies, &plan.policy_bindings}) {
    run.send(phase->objects, !phase->for_real);
    if (!run.out.fatal.ok()) return;
    for (size_t i : phase->objects) {
      if (run.out.results[i].status != ObjectStatus::kValid) continue;
      run.scope.applied(kube::object_path(plan.targets[i]->api, plan.targets[i]->namespace_, run.resources[i].name));
      if (phase == &plan.policy_params) params.push_back(i);
      else any = true;
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
  run.plan = plan_batch(resources, discovery, opts.plane, opts.default_namespace, cluster);
  if (run.plan.unresolved && refresh)
    if (const kube::Discovery* fresh = refresh())
      run.plan = plan_batch(resources, *fresh, opts.plane, opts.default_namespace, cluster);
  for (const auto& v : run.plan.verdicts) run.apply(v);
  crd_phase(run);
  if (run.out.fatal.ok()) namespace_phase(run);
  if (run.out.fatal.ok()) policy_phase(run);
  if (run.out.fatal.ok()) {
    auto rest = run.remaining(run.plan.rest.objects);
    std::vector<std::string> after;
    if (!run.before.empty()) after.assign(resources.size(), "");
    run.send(rest, !run.plan.rest.for_real, run.before.empty() ? nullptr : &after);
    if (!run.before.empty()) describe_mutations(run, rest, after);
  }
  // The policies leave the plane before the results do: the next run must not meet them.
  if (Status s = run.scope.undo(); !s.ok() && run.out.fatal.ok()) run.out.fatal = s;
  run.finish_unjudged();
  return std::move(run.out);
}

}  // namespace kv::engine
