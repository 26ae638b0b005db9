#include "validators/rbac_rules.h"

#include <algorithm>

#include <fmt/core.h>

#include "resources/loader.h"

namespace kv {

namespace {

const std::vector<RuleInfo> kCatalog = {
    {"KV-RBAC-001", Severity::kError, "Wildcard verbs",
     "A rule grants every verb (\"*\"), including ones added in later releases. List the verbs the workload "
     "needs."},
    {"KV-RBAC-002", Severity::kError, "Wildcard resources",
     "A rule grants access to every resource (\"*\") of its API groups, including Secrets and resources "
     "added later. List the resources the workload needs."},
    {"KV-RBAC-003", Severity::kWarning, "Wildcard API groups",
     "A rule applies to every API group (\"*\"), so its resources match in groups (and CRDs) the author "
     "did not think of. List the API groups."},
    {"KV-RBAC-004", Severity::kError, "escalate verb",
     "The escalate verb lets the subject create or edit Roles granting permissions it does not hold "
     "itself: a path to cluster-admin."},
    {"KV-RBAC-005", Severity::kError, "bind verb",
     "The bind verb lets the subject bind any Role or ClusterRole (e.g. cluster-admin) to itself or "
     "others without holding its permissions."},
    {"KV-RBAC-006", Severity::kError, "impersonate verb",
     "The impersonate verb lets the subject act as other users, groups or service accounts, and so gain "
     "their permissions."},
    {"KV-RBAC-007", Severity::kWarning, "Reads Secrets",
     "get, list or watch on secrets exposes credentials and service account tokens. Restrict with "
     "resourceNames (get only) or avoid."},
    {"KV-RBAC-008", Severity::kError, "pods/exec or pods/attach",
     "pods/exec and pods/attach run commands in (or attach to) containers, with their service account "
     "tokens and mounted secrets."},
    {"KV-RBAC-009", Severity::kWarning, "Creates pods or workloads cluster-wide",
     "A ClusterRole grants create on pods or on workload controllers (deployments, replicasets, "
     "statefulsets, daemonsets, jobs, cronjobs, replicationcontrollers). Bound by a ClusterRoleBinding "
     "it runs any image with any service account in every namespace. Use a Role, or bind the ClusterRole "
     "with RoleBindings only."},
    {"KV-RBAC-010", Severity::kError, "nodes/proxy",
     "nodes/proxy reaches the kubelet API, which can run commands in every pod on the node and bypasses "
     "audit logging and admission."},
    {"KV-RBAC-011", Severity::kError, "Binding to cluster-admin",
     "A binding grants the cluster-admin ClusterRole: full control over the cluster."},
    {"KV-RBAC-012", Severity::kError, "Binding to system:masters",
     "A binding names the group system:masters, whose members bypass authorization entirely."},
    {"KV-RBAC-013", Severity::kError, "Binding to anonymous users",
     "A binding grants its role to system:anonymous or system:unauthenticated: anyone who can reach the "
     "API server."},
    {"KV-RBAC-014", Severity::kWarning, "Binding to all authenticated users",
     "A binding grants its role to system:authenticated: every user and service account of the cluster."},
};

const char* const kWorkloads[][2] = {
    {"", "pods"},          {"", "replicationcontrollers"}, {"apps", "deployments"}, {"apps", "replicasets"},
    {"apps", "statefulsets"}, {"apps", "daemonsets"},     {"batch", "jobs"},        {"batch", "cronjobs"},
};

// Collects findings for one object, applying the disabled set and its line arithmetic.
struct Ctx {
  const Resource& r;
  const YAML::Node& tree;  // r's object (parsed again when the loader dropped it)
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
  void add(const char* id, std::string message, std::string path, const YAML::Node& at) {
    if (off.count(id)) return;
    const RuleInfo* info = find_rbac_rule(id);
    Finding f;
    f.severity = info->severity;
    f.rule = id;
    f.message = std::move(message);
    f.path = std::move(path);
    f.line = line_of(at);
    f.column = column_of(at);
    out.push_back(std::move(f));
  }
};

std::vector<std::string> strings(const YAML::Node& n) {
  std::vector<std::string> v;
  if (n && n.IsSequence())
    for (const auto& e : n)
      if (e.IsScalar()) v.push_back(e.Scalar());
  return v;
}
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }
std::string scalar(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : ""; }

// The element of sequence `seq` equal to `value` (for its line), or the sequence itself.
YAML::Node element(const YAML::Node& seq, const std::string& value) {
  if (seq && seq.IsSequence())
    for (const auto& e : seq)
      if (e.IsScalar() && e.Scalar() == value) return e;
  return seq;
}

// True when the policy rule grants `verb` on `resource` (maybe "pods/exec") of `group`, naming the resource
// explicitly ("*/exec" counts for a subresource); a bare "*" resource is KV-RBAC-002's business.
bool grants(const YAML::Node& rule, const std::string& group, const std::string& resource, const std::string& verb) {
  auto verbs = strings(rule["verbs"]);
  auto groups = strings(rule["apiGroups"]);
  auto resources = strings(rule["resources"]);
  if (!has(verbs, verb) && !has(verbs, "*")) return false;
  if (!has(groups, group) && !has(groups, "*")) return false;
  if (has(resources, resource)) return true;
  auto slash = resource.find('/');
  return slash != std::string::npos && has(resources, "*" + resource.substr(slash));
}

void check_rule(Ctx& c, const YAML::Node& rule, size_t i) {
  const std::string p = fmt::format("rules[{}]", i);
  auto verbs = strings(rule["verbs"]);
  auto resources = strings(rule["resources"]);
  auto groups = strings(rule["apiGroups"]);
  if (has(verbs, "*")) c.add("KV-RBAC-001", "rule grants every verb (\"*\")", p + ".verbs", element(rule["verbs"], "*"));
  if (has(resources, "*"))
    c.add("KV-RBAC-002", "rule grants every resource (\"*\")", p + ".resources", element(rule["resources"], "*"));
  if (has(groups, "*"))
    c.add("KV-RBAC-003", "rule applies to every API group (\"*\")", p + ".apiGroups", element(rule["apiGroups"], "*"));
  for (const char* v : {"escalate", "bind", "impersonate"}) {
    if (!has(verbs, v)) continue;
    const char* id = std::string(v) == "escalate" ? "KV-RBAC-004" : std::string(v) == "bind" ? "KV-RBAC-005" : "KV-RBAC-006";
    c.add(id, fmt::format("rule grants the {} verb", v), p + ".verbs", element(rule["verbs"], v));
  }
  bool names_only = rule["resourceNames"] && rule["resourceNames"].IsSequence() && rule["resourceNames"].size() > 0;
  for (const char* v : {"get", "list", "watch"}) {
    // get restricted to named secrets is the accepted way to read one known Secret.
    if (std::string(v) == "get" && names_only) continue;
    if (grants(rule, "", "secrets", v)) {
      c.add("KV-RBAC-007", fmt::format("rule grants {} on secrets", v), p + ".resources",
            element(rule["resources"], "secrets"));
      break;
    }
  }
  for (const char* sub : {"pods/exec", "pods/attach"}) {
    if (grants(rule, "", sub, "create") || grants(rule, "", sub, "get")) {
      YAML::Node at = element(rule["resources"], sub);
      if (at.IsSequence()) at = element(rule["resources"], std::string("*") + (std::string(sub).substr(4)));
      c.add("KV-RBAC-008", fmt::format("rule grants {}", sub), p + ".resources", at);
    }
  }
  if (c.r.kind == "ClusterRole") {
    for (const auto& w : kWorkloads) {
      if (grants(rule, w[0], w[1], "create")) {
        c.add("KV-RBAC-009", fmt::format("ClusterRole grants create on {}{}{}", w[1], *w[0] ? "." : "", w[0]),
              p + ".resources", element(rule["resources"], w[1]));
        break;
      }
    }
  }
  for (const char* v : {"get", "create"}) {
    if (grants(rule, "", "nodes/proxy", v)) {
      c.add("KV-RBAC-010", fmt::format("rule grants {} on nodes/proxy", v), p + ".resources",
            element(rule["resources"], "nodes/proxy"));
      break;
    }
  }
}

void check_binding(Ctx& c) {
  const auto& o = c.tree;
  auto ref = o["roleRef"];
  if (ref && ref.IsMap() && scalar(ref["kind"]) == "ClusterRole" && scalar(ref["name"]) == "cluster-admin")
    c.add("KV-RBAC-011", "binding grants the cluster-admin ClusterRole", "roleRef.name", ref["name"]);
  auto subjects = o["subjects"];
  if (!subjects || !subjects.IsSequence()) return;
  for (size_t i = 0; i < subjects.size(); ++i) {
    auto s = subjects[i];
    if (!s.IsMap()) continue;
    std::string kind = scalar(s["kind"]), name = scalar(s["name"]);
    std::string p = fmt::format("subjects[{}]", i);
    if (kind == "Group" && name == "system:masters")
      c.add("KV-RBAC-012", "binding names the group system:masters", p, s["name"]);
    if ((kind == "User" && name == "system:anonymous") || (kind == "Group" && name == "system:unauthenticated"))
      c.add("KV-RBAC-013", fmt::format("binding grants its role to {} {}", kind, name), p, s["name"]);
    if (kind == "Group" && name == "system:authenticated")
      c.add("KV-RBAC-014", "binding grants its role to every authenticated user (system:authenticated)", p, s["name"]);
  }
}

std::set<std::string> ignored_by_annotation(const YAML::Node& tree) {
  std::set<std::string> ids;
  auto meta = tree["metadata"];
  if (!meta || !meta.IsMap()) return ids;
  auto ann = meta["annotations"];
  if (!ann || !ann.IsMap()) return ids;
  std::string text = scalar(ann["kvalidate.io/ignore"]);
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

const std::vector<RuleInfo>& rbac_rule_catalog() { return kCatalog; }

const RuleInfo* find_rbac_rule(const std::string& id) {
  for (const auto& r : kCatalog)
    if (r.id == id) return &r;
  return nullptr;
}

Status check_rule_ids(const std::vector<std::string>& ids) {
  for (const auto& id : ids)
    if (!find_rbac_rule(id))
      return Status::InvalidInput(fmt::format("unknown rule id \"{}\" (known: KV-RBAC-001 … KV-RBAC-{:03})", id,
                                              kCatalog.size()));
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
  const YAML::Node tree = object_tree(r);
  if (!tree.IsMap()) return {};
  std::set<std::string> off = disabled;
  auto ignored = ignored_by_annotation(tree);
  if (ignored.count("*")) return {};
  off.insert(ignored.begin(), ignored.end());
  Ctx c{r, tree, off, {}};
  try {
    if (r.kind == "Role" || r.kind == "ClusterRole") {
      auto rules = tree["rules"];
      if (rules && rules.IsSequence())
        for (size_t i = 0; i < rules.size(); ++i)
          if (rules[i].IsMap()) check_rule(c, rules[i], i);
    } else {
      check_binding(c);
    }
  } catch (const YAML::Exception&) {
    // A malformed object is the dry-run's to report; the risk rules say nothing about it.
  }
  return std::move(c.out);
}

}  // namespace kv
