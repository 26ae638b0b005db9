#include "engine/upgrade.h"

#include <map>
#include <set>

#include <fmt/core.h>

#include "core/json.h"
#include "engine/scratch.h"
#include "engine/upgrade_judge.h"
#include "kube/api_status.h"
#include "kube/requests.h"
#include "resources/loader.h"
#include "validators/redact.h"

namespace kv::engine {

namespace {

constexpr const char* kFieldManager = "kvalidate-upgrade";

// Cluster-scoped kinds whose renamed copy changes nothing for other users of the plane. Webhook and
// policy configurations, API services, CRDs and the like would: they are not applied.
bool cluster_kind_allowed(const kube::ApiResource& a) {
  static const std::set<std::string> kAllowed = {
      "rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
      "storage.k8s.io/StorageClass",          "scheduling.k8s.io/PriorityClass",
      "networking.k8s.io/IngressClass",       "node.k8s.io/RuntimeClass",
      "/PersistentVolume"};
  return kAllowed.count(a.group + "/" + a.kind) > 0;
}

std::string json_of(const YAML::Node& n) {
  JsonWriter w(false);
  w.node(n);
  return w.str();
}

std::string identity(const Resource& r, const Target& t) {
  return r.group() + "/" + r.kind + "/" + t.namespace_ + "/" + r.name;
}

// The pairs' objects may be sent: a name, a kind the server serves, not a Namespace or CRD.
bool sendable(const Resource& r, const std::optional<Target>& t) {
  return t && !r.name.empty() && !is_namespace(r) && !is_crd(r) && (t->api().namespaced || cluster_kind_allowed(t->api()));
}

Finding note(const std::string& message) {
  Finding f;
  f.severity = Severity::kInfo;
  f.rule = "upgrade/not-checked";
  f.message = message;
  return f;
}

std::string answer_text(const kube::Response& a) {
  auto st = kube::parse_api_status(a.body, a.status);
  return fmt::format("HTTP {}: {}", a.status, st.message);
}

}  // namespace

std::vector<UpgradePair> upgrade_pairs(const std::vector<Resource>& old_res, const std::vector<Resource>& new_res,
                                       const kube::Discovery& discovery, const std::string& default_namespace,
                                       const std::function<bool(size_t)>& checkable) {
  Plan old_plan = plan_batch(old_res, discovery, PlaneKind::kOwned, default_namespace);
  Plan new_plan = plan_batch(new_res, discovery, PlaneKind::kOwned, default_namespace);
  std::map<std::string, size_t> old_by_id;
  for (size_t i = 0; i < old_res.size(); ++i)
    if (sendable(old_res[i], old_plan.targets[i])) old_by_id[identity(old_res[i], *old_plan.targets[i])] = i;
  std::vector<UpgradePair> out;
  for (size_t i = 0; i < new_res.size(); ++i) {
    if (!sendable(new_res[i], new_plan.targets[i]) || !checkable(i)) continue;
    auto it = old_by_id.find(identity(new_res[i], *new_plan.targets[i]));
    if (it == old_by_id.end()) continue;
    if (json_of(object_tree(old_res[it->second])) == json_of(object_tree(new_res[i]))) continue;  // unchanged
    out.push_back({it->second, i, *new_plan.targets[i]});
  }
  return out;
}

std::string scratch_body(const Resource& r, const Target& t, const std::string& id) {
  YAML::Node tree = YAML::Clone(object_tree(r));
  if (t.api().namespaced) tree["metadata"]["namespace"] = scratch_namespace(id, t.namespace_);
  else tree["metadata"]["name"] = scratch_name(id, r.name);
  return json_of(tree);
}

Status check_upgrade(kube::Transport& transport, const kube::Discovery& discovery, const std::vector<Resource>& new_res,
                     std::vector<ObjectResult>& results, const UpgradeFrom& from, const UpgradeOptions& opts) {
  auto pairs = upgrade_pairs(from.resources, new_res, discovery, opts.default_namespace,
                             [&](size_t i) { return results[i].status == ObjectStatus::kValid; });
  if (pairs.empty()) return Status::Ok();
  auto run = ScratchRun::begin(transport, opts.state_dir, opts.full_plane);
  if (!run.ok()) return run.status().Prefixed("upgrade check");
  const std::string id = run->id();

  std::set<std::string> namespaces;
  std::vector<std::string> paths;
  std::vector<kube::Request> old_applies, new_dry_runs;
  for (const auto& p : pairs) {
    const std::string ns = p.target.api().namespaced ? scratch_namespace(id, p.target.namespace_) : "";
    const std::string name = p.target.api().namespaced ? new_res[p.new_index].name : scratch_name(id, new_res[p.new_index].name);
    if (p.target.api().namespaced) namespaces.insert(p.target.namespace_);
    paths.push_back(kube::object_path(p.target.api(), ns, name));
    old_applies.push_back(kube::apply_request(p.target.api(), ns, name, scratch_body(from.resources[p.old_index], p.target, id),
                                              kFieldManager, false));
    new_dry_runs.push_back(kube::apply_request(p.target.api(), ns, name, scratch_body(new_res[p.new_index], p.target, id),
                                               kFieldManager, true));
  }
  Status st = run->create_namespaces(transport, namespaces);
  if (st.ok()) st = run->record_objects(paths);
  std::vector<kube::Response> applied;
  if (st.ok()) applied = transport.send_all(old_applies, opts.jobs);
  // Only the pairs whose old version applied are dry-run as an update.
  std::vector<size_t> sent;
  std::vector<kube::Request> reqs;
  for (size_t k = 0; st.ok() && k < pairs.size(); ++k) {
    const kube::Response& a = applied[k];
    ObjectResult& res = results[pairs[k].new_index];
    if (!a.transport_ok()) {
      st = Status::Unavailable(fmt::format("lost the control plane at {}: {}", transport.server(), a.transport_error));
    } else if (a.success()) {
      sent.push_back(k);
      reqs.push_back(new_dry_runs[k]);
    } else {
      add_located(res, new_res[pairs[k].new_index], opts.locate,
                  note(fmt::format("the upgrade from {} was not checked: its version of this object does not apply "
                                   "({})", from.label, answer_text(a))));
    }
  }
  Redactor redact;
  redact.collect(from.resources);
  redact.collect(new_res);
  std::vector<kube::Response> answers;
  if (st.ok() && !reqs.empty()) answers = transport.send_all(reqs, opts.jobs);
  for (size_t j = 0; st.ok() && j < answers.size(); ++j) {
    const kube::Response& a = answers[j];
    const UpgradePair& p = pairs[sent[j]];
    const Resource& r = new_res[p.new_index];
    ObjectResult& res = results[p.new_index];
    bool judged = a.transport_ok() && a.status >= 400 && a.status < 500 && a.status != 401 && a.status != 403 &&
                  a.status != 429;
    if (!a.transport_ok()) {
      st = Status::Unavailable(fmt::format("lost the control plane at {}: {}", transport.server(), a.transport_error));
    } else if (judged) {
      const bool secret = r.kind == "Secret" && r.group().empty();
      for (auto& u : judge_upgrade(kube::parse_api_status(a.body, a.status), object_tree(from.resources[p.old_index]),
                                   object_tree(r), from.label, !secret)) {
        Finding f;
        f.rule = u.rule;
        f.path = u.path;
        f.message = redact.apply(u.message, secret);
        add_located(res, r, opts.locate, std::move(f));
      }
      res.status = ObjectStatus::kInvalid;
    } else if (!a.success()) {
      add_located(res, r, opts.locate,
                  note(redact.apply(fmt::format("the upgrade from {} was not checked: {}", from.label, answer_text(a)))));
    }
  }
  Status cleaned = run->end(transport);
  if (st.ok() && !cleaned.ok()) st = cleaned.Prefixed("removing the upgrade check's scratch objects");
  return st;
}

Status upgrade_refused_on_external() {
  return Status::Usage("--upgrade-from applies the old version for real: it runs on kvalidate's own plane only, "
                       "never on an existing cluster (--kubeconfig/--context/KVALIDATE_KUBECONFIG); nothing was "
                       "applied");
}

}  // namespace kv::engine
