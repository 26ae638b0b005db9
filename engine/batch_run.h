// One batch while its phases run (engine/batch.cpp): the plan, the results decided so far, and how an
// answer becomes a result. Internal to the engine's batch files; nothing outside them includes it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/admission.h"
#include "engine/batch.h"
#include "engine/decode_errors.h"
#include "engine/judge.h"
#include "engine/passes.h"
#include "engine/plane_objects.h"
#include "engine/policy_scope.h"
#include "engine/submit.h"
#include "validators/redact.h"

namespace kv::engine {

// The text to send for object i (instead of its own).
using BodyOf = std::function<const std::string&(size_t i)>;

// The state of one batch while its phases run.
struct BatchRun {
  BatchRun(kube::Transport& t, const std::vector<Resource>& rs, const BatchOptions& o,
           const std::function<void(const ObjectResult&)>& cb)
      : transport(t), resources(rs), opts(o), on_result(cb), decided(rs.size(), false), set_aside(rs.size()),
        raw(rs.size()) {}
  kube::Transport& transport;
  const std::vector<Resource>& resources;
  const BatchOptions& opts;
  const std::function<void(const ObjectResult&)>& on_result;
  Plan plan;
  Redactor redact;
  BatchOutcome out;
  std::vector<bool> decided;
  std::vector<std::vector<std::string>> set_aside;  // per object: fields left out of its next pass
  std::vector<std::vector<Finding>> raw;           // per object: its findings as judged, before placing
  PolicyScope scope{transport, new_run_id(), opts.jobs};
  AdmissionContext admission;       // the policies and Pod Security levels the answers are read with
  std::vector<std::string> before;  // -v with mutating policies: each object's answer before them
  std::set<size_t> created;         // CRDs and Namespaces of the input created for real by this batch
  std::set<size_t> adopted;         // CRDs and Namespaces of the input adopted from the plane's pools
  std::optional<std::map<std::string, LabelledCrd>> crds;  // the plane's CRDs when the batch began (scoped)
  std::optional<std::string> world;  // the result cache's world of the batch, once worked out
  bool served_first = false;         // the result cache was asked before the namespaces were made
  std::map<size_t, std::string> cache_keys;  // objects the result cache was asked for in vain, with their keys

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

  // Pass 1 decides object i; a later pass adds what is new to its result (see engine/passes.h).
  void record(size_t i, Judgement j, double duration_ms, int pass) {
    if (pass == 1) {
      ObjectResult res = result_for(i, plan.targets[i]->namespace_);
      res.duration_ms = duration_ms;
      res.status = j.status;
      raw[i] = j.findings;
      for (auto& f : j.findings) add_located(res, resources[i], opts.locate, std::move(f));
      set_aside[i] = std::move(j.set_aside);
      decide(i, std::move(res));
      return;
    }
    ObjectResult& res = out.results[i];
    std::vector<std::string> before = std::move(set_aside[i]);
    set_aside[i].clear();
    if (j.status == ObjectStatus::kError) return;  // the server failed this time: keep what we have
    for (auto& f : j.findings) {
      if (!adds_to(resources[i], res.findings, f, before)) continue;
      // Which of the object's decode errors the server names in one answer varies from run to run, so the
      // submission that happened to find one is no stable label: a decode error is the object's as written
      // (pass 1), anything else was found once those fields were set aside (pass 2). Same input, same report.
      f.pass = is_decode_rule(f.rule) ? 1 : 2;
      if (f.pass > 1) f.message += " (pass 2: found once the fields above were set aside)";
      raw[i].push_back(f);
      add_located(res, resources[i], opts.locate, std::move(f));
    }
    for (auto& p : j.set_aside) set_aside[i].push_back(std::move(p));
    if (!set_aside[i].empty()) set_aside[i].insert(set_aside[i].begin(), before.begin(), before.end());
    if (res.has_severity(Severity::kError)) res.status = ObjectStatus::kInvalid;
  }

  // Sends the objects at `which` (each with `body_of(i)`, or its own text) and judges each answer
  // (keeping the bodies in `keep`, by input index, when given); a lost plane sets out.fatal. In pass 1,
  // objects whose server-side apply RBAC refused are judged kubectl's way after the others (fallback()).
  void send(const std::vector<size_t>& which, bool dry_run, int pass = 1, const BodyOf& body_of = {},
            std::vector<std::string>* keep = nullptr) {
    // Each request is made when it goes out (none is held for the whole phase); whether it was a
    // server-side apply is all that is kept of it.
    std::vector<char> applied(which.size(), 0);
    auto make = [&](size_t k) {
      size_t i = which[k];
      kube::Request req = request_for(*plan.targets[i], resources[i], body_of ? body_of(i) : resources[i].body,
                                      opts.field_manager, dry_run);
      applied[k] = is_apply(req);
      return req;
    };
    std::vector<bool> patch_refused(which.size(), false);
    std::vector<size_t> refused;
    Status lost = submit(
        transport, which.size(), make, opts.jobs,
        [&](size_t k, const kube::Response& resp) {
          size_t i = which[k];
          patch_refused[k] = dry_run && pass == 1 && applied[k] && apply_needs_fallback(resp, opts.plane);
          if (keep && resp.success()) (*keep)[i] = resp.body;
          return judge(resources[i], resp, opts.warnings_as_errors, redact, &admission, plan.targets[i]->namespace_);
        },
        [&](size_t k, Judgement j, double duration_ms) {
          if (patch_refused[k]) refused.push_back(which[k]);
          else record(which[k], std::move(j), duration_ms, pass);
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
          size_t i = which[k];
          return judge(resources[i], resp, opts.warnings_as_errors, redact, &admission, plan.targets[i]->namespace_);
        },
        answers);
    if (!out.fatal.ok()) return;
    double duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    for (size_t k = 0; k < which.size(); ++k) {
      size_t i = which[k];
      record(i, judge_fallback(resources[i], *plan.targets[i], answers[k], opts.warnings_as_errors, redact),
             duration_ms, 1);
    }
  }

  // Every object not decided yet is an error: the run ended early.
  void finish_unjudged() {
    std::string why = out.fatal.ok() ? std::string("run ended early") : out.fatal.message();
    for (size_t i = 0; i < resources.size(); ++i)
      if (!decided[i]) decide(i, not_validated(resources[i], opts.suite, why));
  }
};

// The plane's namespace pool in a batch (engine/batch_namespace_pool.cpp).
// Whether the batch may adopt pooled namespaces and pool those it makes.
bool pools_namespaces(const BatchRun& run);
// With the turns on the namespaces the batch makes taken: adopts, evicts and forgets pooled ones (see there).
Status use_namespace_pool(BatchRun& run, std::vector<size_t>& real, std::set<std::string>& missing,
                          std::set<std::string>& adopted);

}  // namespace kv::engine
