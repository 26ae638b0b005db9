#include "engine/plan.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/core.h>

#include "core/yaml_util.h"
#include "kube/server_message.h"
#include "resources/loader.h"
#include "validators/admission_policy.h"

namespace kv::engine {

namespace {

std::string kind_key(const std::string& group, const std::string& version, const std::string& kind) {
  return group + "/" + version + "/" + kind;
}

Finding finding(Severity severity, std::string rule, std::string message, std::string path = "") {
  Finding f;
  f.severity = severity;
  f.rule = std::move(rule);
  f.message = std::move(message);
  f.path = std::move(path);
  return f;
}

// A plain YAML scalar the server reads as a number, boolean or null (YAML 1.1 rules, as kubectl's
// parser): not a string.
bool reads_as_non_string(const YAML::Node& v) {
  if (!v.IsScalar()) return true;
  if (v.Tag() == "!") return false;  // quoted
  std::string s = v.Scalar();
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::set<std::string> kWords = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ""};
  if (kWords.count(s)) return true;
  bool digits = !s.empty();
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+' && c != 'e') digits = false;
  return digits;
}

// Secret values that are not strings make the server fail with an internal error that it logs with
// the value in it. Such Secrets are judged here and never sent: their values stay out of every log.
std::vector<Finding> secret_type_errors(const Resource& r) {
  std::vector<Finding> out;
  if (r.kind != "Secret" || !r.group().empty()) return out;
  const YAML::Node tree = object_tree(r);
  for (const char* field : {"data", "stringData"}) {
    const YAML::Node m = tree[field];
    if (!m || m.IsNull()) continue;
    if (!m.IsMap()) {
      out.push_back(finding(Severity::kError, "dry-run/wrong-type",
                            std::string(field) + ": must be a map of strings (not sent to the server, which "
                                                 "would log the value)",
                            field));
      continue;
    }
    for (const auto& kvp : m)
      if (reads_as_non_string(kvp.second)) {
        std::string path = std::string(field) + "[" + kvp.first.Scalar() + "]";
        out.push_back(finding(Severity::kError, "dry-run/wrong-type",
                              path + ": must be a string; quote it (not sent to the server, which would log the value)",
                              path));
      }
  }
  return out;
}

// The verdict on an object whose kind nothing serves: another apiVersion of the kind (served by the
// server, or by a CRD of the input or of an earlier batch), or no such kind (skipped on an external
// cluster, whose CRDs are not kvalidate's to add).
Verdict not_served(size_t i, const Resource& r, const kube::Discovery& discovery, PlaneKind plane,
                   const std::vector<kube::ApiResource>& from_crds) {
  Verdict v{i, ObjectStatus::kInvalid, "", {}};
  std::vector<std::string> served;
  auto note = [&](const kube::ApiResource& a) {
    if (a.kind == r.kind && std::find(served.begin(), served.end(), a.group_version()) == served.end())
      served.push_back(a.group_version());
  };
  for (const auto& a : discovery.all()) note(a);
  for (const auto& a : from_crds) note(a);
  if (!served.empty()) {
    std::string list;
    for (const auto& gv : served) list += (list.empty() ? "" : ", ") + gv;
    v.findings.push_back(finding(Severity::kError, "dry-run/api-not-served",
                                 fmt::format("apiVersion {} is not served for {} by this API server ({}); use {}",
                                             r.api_version, r.kind, discovery.server_version(), list),
                                 "apiVersion"));
  } else if (plane == PlaneKind::kExternal) {
    v.status = ObjectStatus::kSkipped;
    v.findings.push_back(finding(Severity::kInfo, "skipped",
                                 fmt::format("not validated: the cluster does not serve {} {} (no CustomResourceDefinition "
                                             "for it there; kvalidate changes nothing on an existing cluster: "
                                             "validate on kvalidate's own plane with --crds or --crds-from-cluster)",
                                             r.api_version, r.kind)));
  } else {
    v.findings.push_back(finding(Severity::kError, "dry-run/unknown-kind",
                                 fmt::format("no kind \"{}\" is served for apiVersion \"{}\" by this API server ({})",
                                             r.kind, r.api_version, discovery.server_version()),
                                 "kind"));
  }
  return v;
}

Verdict skip(size_t i, const Plan& plan, std::string why) {
  Verdict v{i, ObjectStatus::kSkipped, plan.targets[i] ? plan.targets[i]->namespace_ : "", {}};
  v.findings.push_back(finding(Severity::kInfo, "skipped", std::move(why)));
  return v;
}

}  // namespace

bool is_crd(const Resource& r) {
  return r.kind == "CustomResourceDefinition" && r.group() == "apiextensions.k8s.io";
}

bool is_namespace(const Resource& r) { return r.kind == "Namespace" && r.api_version == "v1"; }

std::vector<kube::ApiResource> served_by_crd(const Resource& crd) {
  std::vector<kube::ApiResource> out;
  const YAML::Node tree = object_tree(crd);
  const YAML::Node spec = tree["spec"];
  if (!spec || !spec.IsMap()) return out;
  for (const auto& v : spec["versions"]) {
    if (scalar_at(v, "served") == "false") continue;
    kube::ApiResource r;
    r.group = scalar_at(spec, "group");
    r.version = scalar_at(v, "name");
    r.kind = scalar_at(spec["names"], "kind");
    r.resource = scalar_at(spec["names"], "plural");
    r.namespaced = scalar_at(spec, "scope") != "Cluster";
    r.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
    out.push_back(std::move(r));
  }
  return out;
}

void RunCrds::add(const Resource& crd) {
  for (auto& a : served_by_crd(crd)) served[kind_key(a.group, a.version, a.kind)] = a;
  applied[crd.name] = std::hash<std::string>{}(crd.body);
}

bool RunCrds::has(const Resource& crd) const {
  auto it = applied.find(crd.name);
  return it != applied.end() && it->second == std::hash<std::string>{}(crd.body);
}

void RunCrds::forget(const std::string& name) {
  applied.erase(name);
  for (auto it = served.begin(); it != served.end();)
    it = it->second.resource + "." + it->second.group == name ? served.erase(it) : std::next(it);
}

RunCrds crds_kept(const RunCrds& applied, const std::vector<Resource>& next, const std::vector<Resource>& always) {
  RunCrds kept;
  for (const auto* list : {&next, &always})
    for (const auto& r : *list)
      if (is_crd(r) && applied.has(r)) kept.add(r);
  return kept;
}

Plan plan_batch(const std::vector<Resource>& resources, const kube::Discovery& discovery, PlaneKind plane,
                const std::string& default_namespace, const RunCrds& run_crds, const std::vector<bool>& cluster) {
  Plan plan;
  const bool owned = plane == PlaneKind::kOwned;
  plan.crds.for_real = owned;
  plan.namespaces.for_real = owned;
  plan.create_missing_namespaces = owned;
  plan.targets.resize(resources.size());
  std::map<std::string, kube::ApiResource> from_crds;  // kinds the input's CRDs will serve
  for (const auto& r : resources)
    if (is_crd(r))
      for (auto& a : served_by_crd(r)) from_crds[kind_key(a.group, a.version, a.kind)] = a;

  std::vector<bool> decided(resources.size(), false);
  std::map<const kube::ApiResource*, std::shared_ptr<const kube::ApiResource>> kinds;  // one copy per kind
  for (size_t i = 0; i < resources.size(); ++i) {
    const Resource& r = resources[i];
    const std::string key = kind_key(r.group(), r.version(), r.kind);
    const kube::ApiResource* api = discovery.find_kind(r.group(), r.version(), r.kind);
    if (!api)
      if (auto it = run_crds.served.find(key); it != run_crds.served.end()) api = &it->second;
    if (!api)
      if (auto it = from_crds.find(key); it != from_crds.end()) api = &it->second;
    if (!api) {
      plan.unresolved = true;
      std::vector<kube::ApiResource> crd_kinds;
      for (const auto& [k, a] : from_crds) crd_kinds.push_back(a);
      for (const auto& [k, a] : run_crds.served) crd_kinds.push_back(a);
      plan.verdicts.push_back(not_served(i, r, discovery, plane, crd_kinds));
      decided[i] = true;
      continue;
    }
    if (owned && is_crd(r) && run_crds.has(r)) {
      plan.verdicts.push_back(Verdict{i, ObjectStatus::kValid, "", {}});  // applied earlier in this run
      decided[i] = true;
      continue;
    }
    std::string ns = api->namespaced ? (r.namespace_.empty() ? default_namespace : r.namespace_) : "";
    auto& shared = kinds[api];
    if (!shared) shared = std::make_shared<const kube::ApiResource>(*api);
    plan.targets[i] = Target{shared, ns};
    if (auto errs = secret_type_errors(r); !errs.empty()) {
      plan.verdicts.push_back(Verdict{i, ObjectStatus::kInvalid, "", std::move(errs)});
      decided[i] = true;
    }
  }
  std::set<size_t> params;
  if (owned)
    for (size_t i : param_objects(resources, default_namespace)) params.insert(i);
  for (auto* phase : {&plan.policy_params, &plan.policies, &plan.policy_bindings}) phase->for_real = owned;
  for (size_t i = 0; i < resources.size(); ++i) {
    if (decided[i]) continue;
    const Resource& r = resources[i];
    bool of_cluster = i < cluster.size() && cluster[i];
    if (is_crd(r)) plan.crds.objects.push_back(i);
    else if (is_namespace(r)) plan.namespaces.objects.push_back(i);
    // Applied for real only with a name: the run must be able to delete what it created.
    else if (owned && !r.name.empty() && is_admission_policy(r)) plan.policies.objects.push_back(i);
    else if (owned && !r.name.empty() && is_admission_policy_binding(r)) plan.policy_bindings.objects.push_back(i);
    else if (owned && !r.name.empty() && (params.count(i) || of_cluster)) plan.policy_params.objects.push_back(i);
    else plan.rest.objects.push_back(i);
    if (owned && !r.name.empty() && r.kind == "MutatingAdmissionPolicy" && is_admission_policy(r))
      plan.mutating_policies = true;
    if (!discovery.find_kind(r.group(), r.version(), r.kind) &&
        !run_crds.served.count(kind_key(r.group(), r.version(), r.kind)))
      plan.awaiting_crd.push_back(i);
  }
  return plan;
}

std::vector<size_t> Plan::after_namespaces() const {
  std::vector<size_t> out;
  for (const Phase* p : {&policy_params, &policies, &policy_bindings, &rest})
    out.insert(out.end(), p->objects.begin(), p->objects.end());
  return out;
}

std::vector<ParamTarget> param_targets(const Plan& plan, const std::vector<Resource>& resources,
                                       const std::vector<size_t>& applied) {
  std::map<std::string, bool> kinds;  // "apiVersion/Kind" → used by a mutating policy
  for (const auto& r : resources)
    if (auto p = read_policy(r); p && !p->param_kind.empty())
      kinds[p->param_api_version + "/" + p->param_kind] |= p->kind == "MutatingAdmissionPolicy";
  std::map<std::string, ParamTarget> last;
  for (size_t i : applied) {
    const Resource& r = resources[i];
    auto it = kinds.find(r.api_version + "/" + r.kind);
    if (it == kinds.end() || r.name.empty() || !plan.targets[i]) continue;
    last[it->first] = {r.api_version, r.kind, r.name, plan.targets[i]->namespace_, it->second};
  }
  std::vector<ParamTarget> out;
  for (auto& [k, t] : last) out.push_back(std::move(t));
  return out;
}

std::vector<Verdict> skips_after_crds(const Plan& plan, const std::vector<Resource>& resources,
                                      const std::map<std::string, std::string>& failed_kinds, PlaneKind plane) {
  std::vector<Verdict> out;
  for (size_t i : plan.awaiting_crd) {
    const Resource& r = resources[i];
    if (auto crd = failed_kinds.find(r.group() + "/" + r.kind); crd != failed_kinds.end())
      out.push_back(skip(i, plan, fmt::format("not validated: its CustomResourceDefinition in this input is invalid ({})",
                                              crd->second)));
    else if (plane == PlaneKind::kExternal)
      out.push_back(skip(i, plan,
                         fmt::format("not validated: the cluster does not serve {} {} (its CustomResourceDefinition "
                                     "is in the input but not installed there; kvalidate changes nothing on an "
                                     "existing cluster)",
                                     r.api_version, r.kind)));
  }
  return out;
}

std::set<std::string> missing_namespaces(const Plan& plan, const std::vector<size_t>& remaining,
                                         const std::set<std::string>& existing) {
  std::set<std::string> out;
  for (size_t i : remaining) {
    const std::string& ns = plan.targets[i] ? plan.targets[i]->namespace_ : "";
    if (!ns.empty() && !existing.count(ns)) out.insert(ns);
  }
  return out;
}

std::vector<Verdict> skips_after_namespaces(const Plan& plan, const std::vector<Resource>& resources,
                                            const std::vector<size_t>& remaining,
                                            const std::set<std::string>& existing, PlaneKind plane,
                                            const std::map<std::string, std::string>& invalid) {
  std::vector<Verdict> out;
  if (existing.empty()) return out;
  std::set<std::string> defined_here;
  for (size_t i : plan.namespaces.objects) defined_here.insert(resources[i].name);
  for (size_t i : remaining) {
    const std::string& ns = plan.targets[i] ? plan.targets[i]->namespace_ : "";
    if (ns.empty() || existing.count(ns)) continue;
    if (auto why = invalid.find(ns); why != invalid.end() && !why->second.empty()) {
      Verdict v{i, ObjectStatus::kInvalid, ns, {}};
      v.findings.push_back(finding(Severity::kError, "dry-run/FieldValueInvalid",
                                   "metadata.namespace: " + kube::plain_server_message(why->second) +
                                       " (no namespace of this name can exist)",
                                   "metadata.namespace"));
      out.push_back(std::move(v));
      continue;
    }
    out.push_back(skip(
        i, plan,
        plane == PlaneKind::kOwned
            ? fmt::format("not validated: namespace \"{}\" could not be created", ns)
            : fmt::format("not validated: namespace \"{}\" does not exist on the cluster{} (kvalidate changes "
                          "nothing on an existing cluster)",
                          ns, defined_here.count(ns) ? " (it is defined in the input)" : "")));
  }
  return out;
}

}  // namespace kv::engine
