// RBAC risk rules: checks over Roles, ClusterRoles, RoleBindings and ClusterRoleBindings that report
// dangerous grants (wildcards, escalation verbs, secret reads, exec, node proxy, bindings to powerful
// roles or to everyone). Each rule has a stable id (KV-RBAC-001…) and a catalog severity; a RiskPolicy
// decides what a finding counts for in a run (warnings by default); see docs/rbac.md.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "resources/resource.h"
#include "resources/result.h"

namespace kv {

struct RuleInfo {
  std::string id;        // "KV-RBAC-001"
  Severity severity;     // under --risk-rules error
  std::string title;     // short: "Wildcard verbs"
  std::string help;      // one paragraph: why it matters, how to fix
};

// Every RBAC risk rule, in id order (for SARIF rule tables and docs).
const std::vector<RuleInfo>& rbac_rule_catalog();
// The rule with this id, or nullptr.
const RuleInfo* find_rbac_rule(const std::string& id);

// InvalidInput naming the first id that is not a known rule (for --disable-rule), else Ok.
Status check_rule_ids(const std::vector<std::string>& ids);

// True for the kinds rbac_risks() looks at (rbac.authorization.k8s.io Role, ClusterRole, RoleBinding,
// ClusterRoleBinding).
bool is_rbac_policy_kind(const Resource& r);

// How risk findings count in a run. Risk rules are an opinion about a grant, not the server's verdict:
// by default every finding is a warning, which never makes an object invalid.
enum class RiskMode {
  kOff,    // not checked
  kWarn,   // every finding a warning (default)
  kError,  // each rule's catalog severity: error-level findings make the object invalid
};
struct RiskPolicy {
  RiskMode mode = RiskMode::kWarn;
  std::map<std::string, std::optional<Severity>> per_rule;  // rule id → severity (nullopt: off); wins over mode
};

// The policy for `mode` ("off", "warn", "error"; "" = warn) and per-rule severities ("off", "info",
// "warning", "error"). InvalidInput naming the word or rule id that is not known.
Result<RiskPolicy> make_risk_policy(const std::string& mode, const std::map<std::string, std::string>& per_rule);

// Applies `policy` to findings of rbac_risks(): drops those that are off, sets each one's severity.
void apply_risk_policy(std::vector<Finding>& findings, const RiskPolicy& policy);

// The risk findings for one object (empty for other kinds). Rules in `disabled` and those named by the
// object's annotation `kvalidate.io/ignore: ID[,ID]` ("*" = all) are left out. Each finding has the rule
// id, its catalog severity, a one-line message, the field path ("rules[0].verbs", "subjects[1]", "roleRef") and the file line
// of the offending field (0 when the object has no marks).
std::vector<Finding> rbac_risks(const Resource& r, const std::set<std::string>& disabled);

}  // namespace kv
