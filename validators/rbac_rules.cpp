#include "validators/rbac_rules.h"

#include <algorithm>

#include <fmt/core.h>

#include "core/yaml_util.h"
#include "resources/loader.h"

namespace kv {

namespace {

const char* const kWorkloads[][2] = {
    {"", "pods"},          {"", "replicationcontrollers"}, {"apps", "deployments"}, {"apps", "replicasets"},
    {"apps", "statefulsets"}, {"apps", "daemonsets"},     {"batch", "jobs"},        {"batch", "cronjobs"},
};

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The element of sequence `seq` equal to `value` (for its line), or the sequence itself.
YAML::Node element(const YAML::Node& seq, const std::string& value) {
  if (seq && seq.IsSequence())
    for (const auto& e : seq)
      if (e.IsScalar() && e.Scalar() == value) return e;
  return seq;
}

// What the rule predicates look at: one policy rule of a Role or ClusterRole ...
struct PolicyRule {
  const YAML::Node& node;
  std::string path;  // "rules[2]"
  std::vector<std::string> verbs, groups, resources;
  bool cluster_role = false;

  // True when the rule grants `verb` on `resource` (maybe "pods/exec") of `group`, naming the resource
  // explicitly ("*/exec" counts for a subresource); a bare "*" resource is KV-RBAC-002's business.
  bool grants(const std::string& group, const std::string& resource, const std::string& verb) const {
    if (!has(verbs, verb) && !has(verbs, "*")) return false;
    if (!has(groups, group) && !has(groups, "*")) return false;
    if (has(resources, resource)) return true;
    auto slash = resource.find('/');
    return slash != std::string::npos && has(resources, "*" + resource.substr(slash));
  }
  bool names_only() const {
    const YAML::Node names = node["resourceNames"];
    return names && names.IsSequence() && names.size() > 0;
  }
};

// ... one subject of a RoleBinding or ClusterRoleBinding ...
struct Subject {
  const YAML::Node& node;
  std::string path;  // "subjects[1]"
  std::string kind, name;
};

// ... or the binding's roleRef.
struct RoleRef {
  const YAML::Node& node;
  std::string kind, name;
};

// What a predicate found: the message, the field path and the node whose line the finding points at.
struct Hit {
  std::string message, path;
  YAML::Node at;
};
using Hits = std::vector<Hit>;

// One predicate per rule: a rule of a role, a binding's roleRef, or a binding's subject.
struct RiskRule {
  RuleInfo info;
  Hits (*on_rule)(const PolicyRule&) = nullptr;
  Hits (*on_role_ref)(const RoleRef&) = nullptr;
  Hits (*on_subject)(const Subject&) = nullptr;
};

Hits wildcard(const PolicyRule& p, const char* field, const char* what) {
  if (!has(strings_of(p.node[field]), "*")) return {};
  return {{fmt::format("rule {} (\"*\")", what), p.path + "." + field, element(p.node[field], "*")}};
}

Hits verb(const PolicyRule& p, const char* v) {
  if (!has(p.verbs, v)) return {};
  return {{fmt::format("rule grants the {} verb", v), p.path + ".verbs", element(p.node["verbs"], v)}};
}

Hits reads_secrets(const PolicyRule& p) {
  for (const char* v : {"get", "list", "watch"}) {
    // get restricted to named secrets is the accepted way to read one known Secret.
    if (std::string(v) == "get" && p.names_only()) continue;
    if (p.grants("", "secrets", v))
      return {{fmt::format("rule grants {} on secrets", v), p.path + ".resources", element(p.node["resources"], "secrets")}};
  }
  return {};
}

Hits exec_or_attach(const PolicyRule& p) {
  Hits hits;
  for (const char* sub : {"pods/exec", "pods/attach"}) {
    if (!p.grants("", sub, "create") && !p.grants("", sub, "get")) continue;
    YAML::Node at = element(p.node["resources"], sub);
    if (at.IsSequence()) at = element(p.node["resources"], std::string("*") + (std::string(sub).substr(4)));
    hits.push_back({fmt::format("rule grants {}", sub), p.path + ".resources", at});
  }
  return hits;
}

Hits creates_workloads(const PolicyRule& p) {
  if (!p.cluster_role) return {};
  for (const auto& w : kWorkloads)
    if (p.grants(w[0], w[1], "create"))
      return {{fmt::format("ClusterRole grants create on {}{}{}", w[1], *w[0] ? "." : "", w[0]), p.path + ".resources",
               element(p.node["resources"], w[1])}};
  return {};
}

Hits node_proxy(const PolicyRule& p) {
  for (const char* v : {"get", "create"})
    if (p.grants("", "nodes/proxy", v))
      return {{fmt::format("rule grants {} on nodes/proxy", v), p.path + ".resources",
               element(p.node["resources"], "nodes/proxy")}};
  return {};
}

Hits subject_is(const Subject& s, const char* kind, const char* name, std::string message) {
  if (s.kind != kind || s.name != name) return {};
  return {{std::move(message), s.path, s.node["name"]}};
}

const std::vector<RiskRule> kRules = {
    {{"KV-RBAC-001", Severity::kError, "Wildcard verbs",
      "A rule grants every verb (\"*\"), including ones added in later releases. List the verbs the workload "
      "needs."},
     [](const PolicyRule& p) { return wildcard(p, "verbs", "grants every verb"); }},
    {{"KV-RBAC-002", Severity::kError, "Wildcard resources",
      "A rule grants access to every resource (\"*\") of its API groups, including Secrets and resources "
      "added later. List the resources the workload needs."},
     [](const PolicyRule& p) { return wildcard(p, "resources", "grants every resource"); }},
    {{"KV-RBAC-003", Severity::kWarning, "Wildcard API groups",
      "A rule applies to every API group (\"*\"), so its resources match in groups (and CRDs) the author "
      "did not think of. List the API groups."},
     [](const PolicyRule& p) { return wildcard(p, "apiGroups", "applies to every API group"); }},
    {{"KV-RBAC-004", Severity::kError, "escalate verb",
      "The escalate verb lets the subject create or edit Roles granting permissions it does not hold "
      "itself: a path to cluster-admin."},
     [](const PolicyRule& p) { return verb(p, "escalate"); }},
    {{"KV-RBAC-005", Severity::kError, "bind verb",
      "The bind verb lets the subject bind any Role or ClusterRole (e.g. cluster-admin) to itself or "
      "others without holding its permissions."},
     [](const PolicyRule& p) { return verb(p, "bind"); }},
    {{"KV-RBAC-006", Severity::kError, "impersonate verb",
      "The impersonate verb lets the subject act as other users, groups or service accounts, and so gain "
      "their permissions."},
     [](const PolicyRule& p) { return verb(p, "impersonate"); }},
    {{"KV-RBAC-007", Severity::kWarning, "Reads Secrets",
      "get, list or watch on secrets exposes credentials and service account tokens. Restrict with "
      "resourceNames (get only) or avoid."},
     reads_secrets},
    {{"KV-RBAC-008", Severity::kError, "pods/exec or pods/attach",
      "pods/exec and pods/attach run commands in (or attach to) containers, with their service account "
      "tokens and mounted secrets."},
     exec_or_attach},
    {{"KV-RBAC-009", Severity::kWarning, "Creates pods or workloads cluster-wide",
      "A ClusterRole grants create on pods or on workload controllers (deployments, replicasets, "
      "statefulsets, daemonsets, jobs, cronjobs, replicationcontrollers). Bound by a ClusterRoleBinding "
      "it runs any image with any service account in every namespace. Use a Role, or bind the ClusterRole "
      "with RoleBindings only."},
     creates_workloads},
    {{"KV-RBAC-010", Severity::kError, "nodes/proxy",
      "nodes/proxy reaches the kubelet API, which can run commands in every pod on the node and bypasses "
      "audit logging and admission."},
     node_proxy},
    {{"KV-RBAC-011", Severity::kError, "Binding to cluster-admin",
      "A binding grants the cluster-admin ClusterRole: full control over the cluster."},
     nullptr,
     [](const RoleRef& r) -> Hits {
       if (r.kind != "ClusterRole" || r.name != "cluster-admin") return {};
       return {{"binding grants the cluster-admin ClusterRole", "roleRef.name", r.node["name"]}};
     }},
    {{"KV-RBAC-012", Severity::kError, "Binding to system:masters",
      "A binding names the group system:masters, whose members bypass authorization entirely."},
     nullptr, nullptr,
     [](const Subject& s) { return subject_is(s, "Group", "system:masters", "binding names the group system:masters"); }},
    {{"KV-RBAC-013", Severity::kError, "Binding to anonymous users",
      "A binding grants its role to system:anonymous or system:unauthenticated: anyone who can reach the "
      "API server."},
     nullptr, nullptr,
     [](const Subject& s) {
       Hits h = subject_is(s, "User", "system:anonymous", "binding grants its role to User system:anonymous");
       return h.empty() ? subject_is(s, "Group", "system:unauthenticated",
                                     "binding grants its role to Group system:unauthenticated")
                        : h;
     }},
    {{"KV-RBAC-014", Severity::kWarning, "Binding to all authenticated users",
      "A binding grants its role to system:authenticated: every user and service account of the cluster."},
     nullptr, nullptr,
     [](const Subject& s) {
       return subject_is(s, "Group", "system:authenticated",
                         "binding grants its role to every authenticated user (system:authenticated)");
     }},
};

// Collects the findings for one object, applying the disabled set and its line arithmetic.
struct Ctx {
  const Resource& r;
  const std::set<std::string>& off;
  std::vector<Finding> out;

  int line_of(const YAML::Node& n) const {
    if (!n.IsDefined() || n.Mark().is_null()) return r.source.line;
    return n.Mark().line + 1 + r.line_base;
  }
  int column_of(const YAML::Node& n) const {
    if (!n.IsDefined() || n.Mark().is_null()) return 0;
    return n.Mark().column + 1;
  }
  void add(const RuleInfo& info, Hits hits) {
    if (off.count(info.id)) return;
    for (auto& h : hits)
      out.push_back(Finding{info.severity, info.id, std::move(h.message), std::move(h.path), "", line_of(h.at),
                            column_of(h.at)});
  }
};

void check_role(Ctx& c, const YAML::Node& tree) {
  const YAML::Node rules = tree["rules"];
  if (!rules || !rules.IsSequence()) return;
  for (size_t i = 0; i < rules.size(); ++i) {
    const YAML::Node rule = rules[i];
    if (!rule.IsMap()) continue;
    PolicyRule p{rule, fmt::format("rules[{}]", i), strings_of(rule["verbs"]), strings_of(rule["apiGroups"]),
                 strings_of(rule["resources"]), c.r.kind == "ClusterRole"};
    for (const auto& risk : kRules)
      if (risk.on_rule) c.add(risk.info, risk.on_rule(p));
  }
}

void check_binding(Ctx& c, const YAML::Node& tree) {
  const YAML::Node ref = tree["roleRef"];
  if (ref && ref.IsMap()) {
    RoleRef rr{ref, scalar_of(ref["kind"]), scalar_of(ref["name"])};
    for (const auto& risk : kRules)
      if (risk.on_role_ref) c.add(risk.info, risk.on_role_ref(rr));
  }
  const YAML::Node subjects = tree["subjects"];
  if (!subjects || !subjects.IsSequence()) return;
  for (size_t i = 0; i < subjects.size(); ++i) {
    const YAML::Node s = subjects[i];
    if (!s.IsMap()) continue;
    Subject subject{s, fmt::format("subjects[{}]", i), scalar_of(s["kind"]), scalar_of(s["name"])};
    for (const auto& risk : kRules)
      if (risk.on_subject) c.add(risk.info, risk.on_subject(subject));
  }
}

std::vector<RuleInfo> catalog() {
  std::vector<RuleInfo> out;
  for (const auto& r : kRules) out.push_back(r.info);
  return out;
}

std::set<std::string> ignored_by_annotation(const YAML::Node& tree) {
  std::set<std::string> ids;
  auto meta = tree["metadata"];
  if (!meta || !meta.IsMap()) return ids;
  auto ann = meta["annotations"];
  if (!ann || !ann.IsMap()) return ids;
  std::string text = scalar_of(ann["kvalidate.io/ignore"]);
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string id = text.substr(start, comma - start);
    id.erase(0, id.find_first_not_of(" \t"));
    id.erase(id.find_last_not_of(" \t") + 1);
    if (!id.empty()) ids.insert(id);
    start = comma + 1;
  }
  return ids;
}

}  // namespace

const std::vector<RuleInfo>& rbac_rule_catalog() {
  static const std::vector<RuleInfo> kCatalog = catalog();
  return kCatalog;
}

const RuleInfo* find_rbac_rule(const std::string& id) {
  for (const auto& r : rbac_rule_catalog())
    if (r.id == id) return &r;
  return nullptr;
}

Status check_rule_ids(const std::vector<std::string>& ids) {
  for (const auto& id : ids)
    if (!find_rbac_rule(id))
      return Status::InvalidInput(fmt::format("unknown rule id \"{}\" (known: KV-RBAC-001 … KV-RBAC-{:03})", id,
                                              kRules.size()));
  return Status::Ok();
}

Result<RiskPolicy> make_risk_policy(const std::string& mode, const std::map<std::string, std::string>& per_rule) {
  RiskPolicy p;
  if (mode == "off") p.mode = RiskMode::kOff;
  else if (mode == "error") p.mode = RiskMode::kError;
  else if (mode != "warn" && !mode.empty())
    return Status::InvalidInput(fmt::format("--risk-rules \"{}\" is not one of off, warn, error", mode));
  for (const auto& [id, word] : per_rule) {
    KV_RETURN_IF_ERROR(check_rule_ids({id}));
    if (word == "off") p.per_rule[id] = std::nullopt;
    else if (word == "info") p.per_rule[id] = Severity::kInfo;
    else if (word == "warning") p.per_rule[id] = Severity::kWarning;
    else if (word == "error") p.per_rule[id] = Severity::kError;
    else
      return Status::InvalidInput(
          fmt::format("severity \"{}\" of rule {} is not one of off, info, warning, error", word, id));
  }
  return p;
}

void apply_risk_policy(std::vector<Finding>& findings, const RiskPolicy& policy) {
  std::vector<Finding> kept;
  for (auto& f : findings) {
    if (auto it = policy.per_rule.find(f.rule); it != policy.per_rule.end()) {
      if (!it->second) continue;
      f.severity = *it->second;
    } else if (policy.mode == RiskMode::kOff) {
      continue;
    } else if (policy.mode == RiskMode::kWarn) {
      f.severity = Severity::kWarning;
    }
    kept.push_back(std::move(f));
  }
  findings = std::move(kept);
}

bool is_rbac_policy_kind(const Resource& r) {
  if (r.group() != "rbac.authorization.k8s.io") return false;
  return r.kind == "Role" || r.kind == "ClusterRole" || r.kind == "RoleBinding" || r.kind == "ClusterRoleBinding";
}

std::vector<Finding> rbac_risks(const Resource& r, const std::set<std::string>& disabled) {
  if (!is_rbac_policy_kind(r)) return {};
  // The words every rule looks for (a wildcard, a verb, a resource, a role or subject name): an object
  // whose text holds none of them has no risk, and is not parsed.
  const bool binding = r.kind == "RoleBinding" || r.kind == "ClusterRoleBinding";
  if (binding ? !text_may_hold(r, {"cluster-admin", "system:"})
              : !text_may_hold(r, {"*", "escalate", "bind", "impersonate", "secrets", "exec", "attach", "proxy",
                                   r.kind == "ClusterRole" ? "create" : "*"}))
    return {};
  const YAML::Node tree = object_tree(r);
  if (!tree.IsMap()) return {};
  std::set<std::string> off = disabled;
  auto ignored = ignored_by_annotation(tree);
  if (ignored.count("*")) return {};
  off.insert(ignored.begin(), ignored.end());
  Ctx c{r, off, {}};
  try {
    if (r.kind == "Role" || r.kind == "ClusterRole") check_role(c, tree);
    else check_binding(c, tree);
  } catch (const YAML::Exception&) {
    // A malformed object is the dry-run's to report; the risk rules say nothing about it.
  }
  return std::move(c.out);
}

}  // namespace kv
