#include "engine/run.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>

#include <set>

#include "build_info.h"
#include "core/clock.h"
#include "core/env.h"
#include "core/exit_codes.h"
#include "core/self.h"
#include "engine/batch.h"
#include "engine/crd_pool.h"
#include "engine/duplicate_objects.h"
#include "engine/namespace_pool.h"
#include "engine/plane_objects.h"
#include "resources/loader.h"
#include "validators/rbac_expectations.h"
#include "validators/rbac_rules.h"

namespace kv::engine {

namespace {

// The state of a run across its batches.
struct RunState {
  explicit RunState(report::ReportSet& r) : reports(r) {}
  report::ReportSet& reports;
  int code = exit_code::kClean;
  Status fatal;
  std::string server_version;
  int total = 0, done = 0;
  RbacRefusals refusals;

  bool fail_on_warning = false;

  void report(const ObjectResult& r) {
    reports.add(r);
    refusals.add(r);
    code = std::max(code, exit_code_of(r));
    if (fail_on_warning && r.status != ObjectStatus::kSkipped && r.has_severity(Severity::kWarning))
      code = std::max(code, exit_code::kFindings);
  }
  // A result the server gave: it carries the server's version.
  void report_judged(ObjectResult r) {
    r.server_version = server_version;
    report(r);
  }
};

RunEnd finish(RunState& run, double started_ms) {
  report::RunInfo info;
  info.duration_ms = now_ms() - started_ms;
  info.aborted = !run.fatal.ok();
  info.abort_message = run.fatal.ok() ? "" : run.fatal.message();
  info.server_version = run.server_version;
  info.tool_version = KV_VERSION;
  Status written = run.reports.finish(info);
  RunEnd end{run.code, {}};
  // Findings say it per object; when RBAC refused the credentials (maybe for every object), stderr says
  // it once, so a run that judged nothing does not end silently with exit 2.
  if (std::string refused = run.refusals.summary(); !refused.empty()) end.errors.push_back(refused);
  if (!run.fatal.ok()) {
    end.errors.push_back(run.fatal.message());
    end.exit_code = std::max(end.exit_code, run.fatal.exit_code());
  }
  if (!written.ok()) {
    end.errors.push_back(written.message());
    end.exit_code = std::max(end.exit_code, exit_code::kBadInput);
  }
  return end;
}

// What judge_objects reports: every result, only those not valid (the --crds CRDs), or none (the --crds
// CRDs applied again before a later batch on an owned plane).
enum class Report { kAll, kNotValid, kNone };

// The cluster's objects (--policies, after the batch's `own` objects) are not input: one that could not
// be applied is bad input (or the plane's failure), the others are not reported. Leaves the batch's own.
void report_cluster_failures(RunState& run, BatchOutcome& outcome, size_t own) {
  for (size_t i = own; i < outcome.results.size(); ++i) {
    ObjectResult& r = outcome.results[i];
    if (r.status == ObjectStatus::kValid) continue;
    if (r.status != ObjectStatus::kError) {
      r.kind_of_result = ResultKind::kInput;
      r.status = ObjectStatus::kError;
      r.title = "--policies " + r.display_name();
      for (auto& f : r.findings) f.severity = Severity::kError;
    }
    run.report(r);
  }
  outcome.results.resize(std::min(own, outcome.results.size()));
}

// The objects of --policies; InvalidInput naming the first problem (validating against part of the
// cluster's policies would judge wrongly).
Result<std::vector<Resource>> load_cluster_policies(const std::vector<std::string>& paths) {
  if (paths.empty()) return std::vector<Resource>{};
  LoadResult loaded = load_paths(paths);
  if (!loaded.problems.empty()) {
    const ObjectResult& p = loaded.problems.front();
    std::string where = p.source.file + (p.source.line > 0 ? ":" + std::to_string(p.source.line) : "");
    std::string more =
        loaded.problems.size() > 1 ? " (and " + std::to_string(loaded.problems.size() - 1) + " more problems)" : "";
    return Status::InvalidInput("--policies " + where + ": " + (p.findings.empty() ? "" : p.findings[0].message) +
                                more);
  }
  return std::move(loaded.resources);
}

// The run's part of the world the result cache keys verdicts by (engine/result_cache.h): this kvalidate
// (its version and its binary: a rebuilt one may judge otherwise), the server and how it is reached, and
// the flags that change a verdict.
std::string run_world(const Session& s, const RunOptions& opts) {
  std::string w = "kvalidate " + self_identity();
  w += "\nserver " + s.conn.discovery.server_version();
  if (s.conn.plane.owned) {
    w += " owned" + std::string(s.conn.plane.full ? " full" : "");
  } else {
    const kube::Cluster& c = s.conn.plane.cluster;
    w += " external " + c.server + " user=" + c.user + " as=" + c.impersonate.user;
    for (const auto& g : c.impersonate.groups) w += " group=" + g;
  }
  w += "\nnamespace " + s.conn.default_namespace + "\nwarnings-as-errors " + (opts.warnings_as_errors ? "1" : "0");
  w += "\npod-security " + (s.pod_security ? s.pod_security->policy() : std::string("-"));
  return w;
}

const ResultCache* result_cache_for(const Session& s, const RunOptions& opts) {
  static const ResultCache cache = ResultCache::Default();
  if (opts.no_cache || env_turned_off("KVALIDATE_CACHE")) return nullptr;
  if (!s.conn.plane.owned && !opts.cache_external) return nullptr;
  return &cache;
}

// Puts the CRDs the batch created that may be pooled (Session::to_pool) into the plane's CRD pool, with
// the uid the plane gave them; returns their keys ("crd/NAME"), for the scope to hand them over.
std::set<std::string> pool_crds(Session& s) {
  std::set<std::string> keys;
  auto on_plane = s.to_pool.empty() ? std::nullopt : labelled_crds(*s.conn.client);
  if (on_plane) {
    CrdPool pool(s.conn.state_dir);
    for (auto& p : s.to_pool) {
      auto it = on_plane->find(p.name);
      if (it == on_plane->end() || it->second.terminating || it->second.run != s.scope->id()) continue;
      p.uid = it->second.uid;
      if (pool.put(p).ok()) keys.insert("crd/" + p.name);
    }
  }
  s.to_pool.clear();
  return keys;
}

// The namespaces the batch made that may be pooled (Session::namespaces_to_pool), unless the run created
// something in one: their keys ("namespace/NAME") for the scope to hand over, and what puts each into the
// plane's namespace pool when the scope does (the last run to use it, its gate held): with the run that
// made the namespace as the plane holds it now (a run sharing it may have applied it since). False when
// the plane does not hold it as a run's: it is removed.
struct NamespaceHandOver {
  std::set<std::string> keys;
  std::function<bool(const RealObject&)> pool;
};
NamespaceHandOver pool_namespaces(Session& s) {
  NamespaceHandOver out;
  std::map<std::string, std::string> digests;  // key → digest
  for (const auto& [name, digest] : s.namespaces_to_pool)
    if (!s.scope->created_in(name)) {
      out.keys.insert("namespace/" + name);
      digests["namespace/" + name] = digest;
    }
  s.namespaces_to_pool.clear();
  out.pool = [digests = std::move(digests), &s](const RealObject& obj) {
    auto d = digests.find(obj.key);
    if (d == digests.end()) return true;  // (a CRD handed over: pooled already)
    const std::string name = obj.key.substr(std::string("namespace/").size());
    auto held = namespaces_named(*s.conn.client, {name}, 1);
    if (!held || !held->count(name) || held->at(name).run.empty() || held->at(name).terminating) return false;
    return NamespacePool(s.conn.state_dir)
        .put({name, d->second, held->at(name).run, static_cast<long long>(std::time(nullptr))})
        .ok();
  };
  return out;
}

// The batch's objects on the server, each with its RBAC risks and without disabled rules.
void judge_objects(Session& s, RunState& run, const Batch& b, const RunOptions& opts,
                   const std::set<std::string>& disabled, Report report = Report::kAll) {
  BatchOptions o;
  o.default_namespace = s.conn.default_namespace;
  o.plane = s.conn.plane_kind();
  o.jobs = opts.jobs;
  o.warnings_as_errors = opts.warnings_as_errors;
  o.suite = b.suite;
  o.locate = b.locate ? b.locate : LocateFn(locate_in_source);
  o.run_crds = &s.run_crds;
  o.upgrade = b.upgrade ? &*b.upgrade : nullptr;
  o.state_dir = s.conn.state_dir;
  o.full_plane = s.conn.plane.full;
  o.scope = s.scope.get();
  o.pod_security = s.pod_security;
  o.describe_mutations = opts.describe_mutations;
  o.crd_pool = s.scope != nullptr && opts.crd_pool && !env_turned_off("KVALIDATE_CRD_POOL");
  o.namespace_pool = s.scope != nullptr && opts.namespace_pool && !env_turned_off("KVALIDATE_NAMESPACE_POOL");
  o.plane_crds = &s.plane_crds;
  // (With -v, a batch with mutating policies asks the server anyway: it describes what they change.)
  o.results = result_cache_for(s, opts);
  if (o.results) o.world = run_world(s, opts);
  RefreshDiscovery refresh = [&s]() -> const kube::Discovery* {
    if (s.conn.discovery_refreshed || s.conn.discovery_cache_dir.empty()) return nullptr;
    return refresh_discovery(s.conn).ok() ? &s.conn.discovery : nullptr;
  };
  // The cluster's policies go with every batch, after its own objects.
  std::vector<Resource> with_cluster;
  if (!s.cluster_policies.empty()) {
    with_cluster = b.resources;
    with_cluster.insert(with_cluster.end(), s.cluster_policies.begin(), s.cluster_policies.end());
    o.cluster_objects = s.cluster_policies.size();
  }
  auto outcome = run_batch(*s.conn.client, s.conn.discovery, refresh, with_cluster.empty() ? b.resources : with_cluster,
                           o, [&](const ObjectResult&) {
                             if (report != Report::kNone) run.reports.progress(++run.done, run.total);
                           });
  for (auto& p : outcome.poolable) s.to_pool.push_back(std::move(p));
  s.namespaces_to_pool.insert(outcome.poolable_namespaces.begin(), outcome.poolable_namespaces.end());
  report_cluster_failures(run, outcome, b.resources.size());
  mark_duplicate_objects(outcome.results);
  // The node ports and cluster IPs the batch's Services would hold together (the node port range is known
  // on kvalidate's own plane only).
  ServiceAllocations held(s.conn.plane.owned);
  for (size_t i = 0; i < outcome.results.size(); ++i) {
    ObjectResult& r = outcome.results[i];
    add_local_findings(r, b.resources[i], b.map_line);
    if (i < b.resources.size()) add_allocation_findings(r, b.resources[i], held, o.locate, b.map_line);
    add_rbac_risks(r, b.resources[i], disabled, opts.risk, b.map_line);
    drop_disabled(r, disabled);
    if (b.partial) excuse_unserved_kind(r);
    order_findings(r);
    if (report == Report::kAll || (report == Report::kNotValid && r.status != ObjectStatus::kValid))
      run.report_judged(std::move(r));
  }
  if (!outcome.fatal.ok()) run.fatal = outcome.fatal;
}

// The RBAC expectations, checked against this batch's objects.
void check_batch_expectations(Session& s, RunState& run, const Batch& b, const RunOptions& opts) {
  EvalOptions eo;
  eo.owned_plane = s.conn.plane.owned;
  eo.state_dir = s.conn.state_dir;
  eo.default_namespace = s.conn.default_namespace;
  eo.suite = b.suite.empty() ? (b.resources.empty() ? "" : b.resources[0].source.file) : b.suite;
  eo.cluster_name = s.conn.cluster_name();
  eo.jobs = opts.jobs;
  auto eval = evaluate_expectations(*s.conn.client, b.resources, s.expectations, eo);
  for (const auto& r : eval.results) run.report_judged(r);
  if (!eval.fatal.ok()) run.fatal = eval.fatal;
}

}  // namespace

Result<Session> open_session(const RunOptions& opts) {
  KV_RETURN_IF_ERROR(check_namespace_name(opts.connect.namespace_));
  std::vector<std::string> rbac_ids;
  for (const auto& id : opts.disabled_rules)
    if (id.rfind("KV-", 0) == 0) rbac_ids.push_back(id);
  KV_RETURN_IF_ERROR(check_rule_ids(rbac_ids));
  std::vector<Expectation> expectations;
  if (!opts.rbac_file.empty()) {
    auto loaded = load_expectations(opts.rbac_file);
    if (!loaded.ok()) return loaded.status();
    expectations = std::move(*loaded);
  }
  if (opts.inline_expectations) expectations = *opts.inline_expectations;
  std::optional<PodSecurityLevel> level;
  if (!opts.pod_security.empty()) {
    auto l = parse_pod_security_level(opts.pod_security);
    if (!l.ok()) return l.status().Prefixed("--pod-security");
    level = *l;
  }
  auto cluster_policies = load_cluster_policies(opts.policies);
  if (!cluster_policies.ok()) return cluster_policies.status();
  auto conn = connect(opts.connect);
  if (!conn.ok()) return conn.status();
  if (!conn->plane.owned && (!opts.policies.empty() || level)) {
    std::string flag = !opts.policies.empty() ? "--policies" : "--pod-security";
    return Status::Usage(flag + " works only on a control plane kvalidate starts itself: \"" + conn->cluster_name() +
                         "\" is an existing cluster, where kvalidate applies nothing and the cluster's installed "
                         "admission policies and namespace labels judge the objects as they are; drop " + flag +
                         " (or --kubeconfig/--context/KVALIDATE_KUBECONFIG)");
  }
  KV_RETURN_IF_ERROR(check_expectations(expectations, conn->discovery));
  std::unique_ptr<RunScope> scope;
  if (conn->plane.owned) {  // sweeps what dead runs left, then records this one
    auto opened = RunScope::Open(*conn->client, conn->state_dir);
    if (!opened.ok()) return opened.status();
    scope = std::move(*opened);
  }
  return Session{std::move(*conn), std::move(expectations), {}, std::move(scope), std::move(*cluster_policies), level, {}, {}, {}, {}};
}

RunEnd validate(Session& session, report::ReportSet& reports, std::vector<Batch>& batches, const RunOptions& opts,
                double started_ms) {
  RunState run(reports);
  run.fail_on_warning = opts.fail_on_warning;
  run.server_version = session.conn.discovery.server_version();
  std::set<std::string> disabled(opts.disabled_rules.begin(), opts.disabled_rules.end());
  for (const auto& b : batches) run.total += static_cast<int>(b.resources.size());
  // The --crds CRDs: the run's first CRD phase; a broken one is reported, the others only applied.
  Batch crds;
  crds.suite = "--crds";
  crds.resources = opts.crds;
  if (!crds.resources.empty()) judge_objects(session, run, crds, opts, disabled, Report::kNotValid);
  bool released = false;
  for (size_t bi = 0; bi < batches.size(); ++bi) {
    Batch& b = batches[bi];
    for (auto& r : take_filtered_kinds(b.resources, opts.kinds, b.suite)) b.pre_results.push_back(std::move(r));
    for (const auto& r : b.pre_results) run.report(r);
    if (b.resources.empty()) continue;
    if (!run.fatal.ok()) {
      // The plane was lost in an earlier batch: these objects are not judged.
      for (const auto& res : b.resources) run.report_judged(not_validated(res, b.suite, run.fatal.message()));
      continue;
    }
    // A release keeps the --crds CRDs it applied; those it could not (a broken one) are tried again,
    // unreported. Nothing is sent when all stayed.
    const bool crds_gone = std::any_of(crds.resources.begin(), crds.resources.end(),
                                       [&](const Resource& r) { return !session.run_crds.has(r); });
    if (released && crds_gone) judge_objects(session, run, crds, opts, disabled, Report::kNone);
    if (run.fatal.ok()) judge_objects(session, run, b, opts, disabled);
    if (run.fatal.ok() && !session.expectations.empty()) check_batch_expectations(session, run, b, opts);
    // What the batch created for real goes; a failure leaves it recorded for the next run's sweep. The CRDs
    // it applied or adopted from the pool go with it, but for those the next batch (or --crds) would apply
    // again with the same text: they stay held, applied (or adopted) once for the whole values matrix,
    // neither asked about nor awaited again. Pooled ones this run created go into the pool when no later
    // batch holds them.
    if (session.scope) {
      static const std::vector<Resource> kNone;
      const auto& next = bi + 1 < batches.size() ? batches[bi + 1].resources : kNone;
      std::set<std::string> pooled = pool_crds(session);
      session.pool_held.insert(pooled.begin(), pooled.end());
      NamespaceHandOver namespaces = pool_namespaces(session);
      RunCrds kept = crds_kept(session.run_crds, next, crds.resources);
      std::set<std::string> keys, hand_over;
      for (const auto& [name, hash] : kept.applied) keys.insert("crd/" + name);
      for (auto it = session.pool_held.begin(); it != session.pool_held.end();)
        if (keys.count(*it)) {
          ++it;
        } else {
          hand_over.insert(*it);
          it = session.pool_held.erase(it);
        }
      hand_over.insert(namespaces.keys.begin(), namespaces.keys.end());
      (void)session.scope->release(keys, hand_over, namespaces.pool);
      session.run_crds = std::move(kept);
      released = true;
    }
  }
  if (session.scope && !session.pool_held.empty()) {  // (held for --crds to the end of the run)
    (void)session.scope->release({}, session.pool_held);
    session.pool_held.clear();
  }
  if (session.scope && run.fatal.ok()) {  // the pools stay within their bounds
    (void)session.scope->evict_pooled(over_limits(CrdPool(session.conn.state_dir).all(), PoolLimits{}));
    (void)session.scope->evict_pooled_namespaces(
        namespaces_over_limit(NamespacePool(session.conn.state_dir).all(), kMaxPooledNamespaces));
  }
  if (const ResultCache* cache = result_cache_for(session, opts); cache && cache->written() > 0) cache->prune();
  return finish(run, started_ms);
}

RunEnd fail_run(report::ReportSet& reports, const std::vector<Batch>& batches, const Status& why, double started_ms) {
  RunState run(reports);
  for (const auto& b : batches)
    for (const auto& r : b.pre_results) run.report(r);
  run.fatal = why;
  return finish(run, started_ms);
}

RunEnd run(report::ReportSet& reports, std::vector<Batch>& batches, const RunOptions& opts, double started_ms) {
  const bool external = !opts.connect.ensure.kubeconfig.empty() || !opts.connect.ensure.context.empty();
  if (external && std::any_of(batches.begin(), batches.end(), [](const Batch& b) { return b.upgrade.has_value(); }))
    return fail_run(reports, batches, upgrade_refused_on_external(), started_ms);
  auto session = open_session(opts);
  if (!session.ok()) return fail_run(reports, batches, session.status(), started_ms);
  return validate(*session, reports, batches, opts, started_ms);
}

}  // namespace kv::engine
