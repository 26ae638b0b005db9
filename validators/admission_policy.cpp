#include "validators/admission_policy.h"

#include <cctype>
#include <functional>
#include <set>

#include "core/json.h"
#include "core/yaml_util.h"
#include "resources/loader.h"

namespace kv {

namespace {

bool in_admission_group(const Resource& r) { return r.group() == kAdmissionGroup; }

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The identifier starting at `pos` ("" when none).
std::string_view ident_at(std::string_view s, size_t pos) {
  size_t end = pos;
  if (end < s.size() && (std::isalpha(static_cast<unsigned char>(s[end])) || s[end] == '_'))
    while (end < s.size() && ident_char(s[end])) ++end;
  return s.substr(pos, end - pos);
}

size_t skip_spaces(std::string_view s, size_t pos) {
  while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
  return pos;
}

// The field path of the selections that follow a base identifier at `pos`: ".a.b", ".?a", "['k']",
// "[?'k']", "[0]"; a selection followed by "(" is a method or macro call and ends the chain.
std::string read_chain(std::string_view s, size_t pos) {
  std::string path;
  for (;;) {
    pos = skip_spaces(s, pos);
    if (pos < s.size() && s[pos] == '.') {
      size_t p = pos + 1;
      if (p < s.size() && s[p] == '?') ++p;
      std::string_view id = ident_at(s, p);
      if (id.empty()) break;
      size_t after = skip_spaces(s, p + id.size());
      if (after < s.size() && s[after] == '(') break;  // .all(...), .orValue(...), .size()
      path += (path.empty() ? "" : ".") + std::string(id);
      pos = p + id.size();
    } else if (pos < s.size() && s[pos] == '[' && !path.empty()) {
      size_t p = skip_spaces(s, pos + 1);
      if (p < s.size() && s[p] == '?') p = skip_spaces(s, p + 1);
      if (p >= s.size()) break;
      std::string key;
      if (s[p] == '\'' || s[p] == '"') {
        size_t close = s.find(s[p], p + 1);
        if (close == std::string_view::npos) break;
        key = std::string(s.substr(p + 1, close - p - 1));
        p = close + 1;
      } else {
        size_t q = p;
        while (q < s.size() && std::isdigit(static_cast<unsigned char>(s[q]))) ++q;
        if (q == p) break;
        key = std::string(s.substr(p, q - p));
        p = q;
      }
      p = skip_spaces(s, p);
      if (p >= s.size() || s[p] != ']') break;
      path += "[" + key + "]";
      pos = p + 1;
    } else {
      break;
    }
  }
  return path;
}

// Calls `visit(base, pos_after_base)` for each identifier outside string literals that is not itself a
// selection (not preceded by '.'), until visit returns true.
void for_each_base(std::string_view s, const std::function<bool(std::string_view, size_t)>& visit) {
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      size_t close = s.find(c, i + 1);
      while (close != std::string_view::npos && s[close - 1] == '\\') close = s.find(c, close + 1);
      if (close == std::string_view::npos) return;
      i = close + 1;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::string_view id = ident_at(s, i);
      size_t before = i;
      while (before > 0 && std::isspace(static_cast<unsigned char>(s[before - 1]))) --before;
      bool selected = before > 0 && (s[before - 1] == '.' || s[before - 1] == '?');
      if (!selected && visit(id, i + id.size())) return;
      i += id.size();
      continue;
    }
    ++i;
  }
}

std::string field_in(std::string_view expression, const std::map<std::string, std::string>& variables,
                     std::set<std::string>& seen) {
  std::string found;
  for_each_base(expression, [&](std::string_view base, size_t after) {
    if (base == "object") {
      found = read_chain(expression, after);
      return !found.empty();
    }
    if (base != "variables") return false;
    std::string chain = read_chain(expression, after);
    std::string name = chain.substr(0, chain.find_first_of(".["));
    auto it = variables.find(name);
    if (name.empty() || it == variables.end() || !seen.insert(name).second) return false;
    std::string inner = field_in(it->second, variables, seen);
    if (inner.empty()) return false;
    // A variable that is exactly a field ("object.spec") extends with what follows its name.
    std::string rest = chain.substr(name.size());
    std::string whole = it->second;
    while (!whole.empty() && std::isspace(static_cast<unsigned char>(whole.back()))) whole.pop_back();
    bool plain = whole.find_first_of(" ()&|<>=!+-*/,") == std::string::npos;
    found = plain ? inner + rest : inner;
    return true;
  });
  return found;
}

std::string trimmed(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// A dotted field path written in a message: "object.spec.replicas" → "spec.replicas", or one that
// starts at a common top-level field ("spec.replicas", ".spec.replicas").
std::string field_named_in(std::string_view message) {
  std::string found;
  for_each_base(message, [&](std::string_view base, size_t after) {
    if (base == "object") {
      found = read_chain(message, after);
      return !found.empty();
    }
    static const std::set<std::string_view> kTop = {"spec", "metadata", "data", "stringData", "binaryData",
                                                    "rules", "subjects", "roleRef", "template"};
    if (!kTop.count(base)) return false;
    std::string chain = read_chain(message, after);
    if (chain.empty()) return false;
    found = std::string(base) + "." + chain;
    return true;
  });
  return found;
}

// Reads "'P' with binding 'B'<sep>M" or "'P'<sep>M" at `pos` into `d`.
bool read_names(std::string_view s, size_t pos, std::string_view sep, PolicyDenial& d) {
  if (pos >= s.size() || s[pos] != '\'') return false;
  size_t close = s.find('\'', pos + 1);
  if (close == std::string_view::npos) return false;
  d.policy = std::string(s.substr(pos + 1, close - pos - 1));
  size_t p = close + 1;
  static const std::string_view kBinding = " with binding '";
  if (s.substr(p, kBinding.size()) == kBinding) {
    size_t bclose = s.find('\'', p + kBinding.size());
    if (bclose == std::string_view::npos) return false;
    d.binding = std::string(s.substr(p + kBinding.size(), bclose - p - kBinding.size()));
    p = bclose + 1;
  }
  if (s.substr(p, sep.size()) != sep) return false;
  d.message = trimmed(s.substr(p + sep.size()));
  return !d.policy.empty();
}

}  // namespace

std::optional<PolicyDenial> parse_policy_denial(std::string_view status_message) {
  for (std::string_view kind : {"ValidatingAdmissionPolicy", "MutatingAdmissionPolicy", "policy"}) {
    std::string lead = std::string(kind) + " '";
    for (size_t p = status_message.find(lead); p != std::string_view::npos; p = status_message.find(lead, p + 1)) {
      // "policy" must be a word of its own, not the end of "…AdmissionPolicy".
      if (kind == "policy" && p > 0 && status_message[p - 1] != ' ') continue;
      PolicyDenial d;
      if (!read_names(status_message, p + lead.size() - 1, " denied request: ", d)) continue;
      d.kind = kind == "policy" ? "" : std::string(kind);
      return d;
    }
  }
  return std::nullopt;
}

std::optional<PolicyDenial> parse_policy_warning(std::string_view warning) {
  static const std::string_view kLead = "Validation failed for ValidatingAdmissionPolicy '";
  size_t p = warning.find(kLead);
  PolicyDenial d;
  if (p == std::string_view::npos || !read_names(warning, p + kLead.size() - 1, ": ", d)) return std::nullopt;
  d.kind = "ValidatingAdmissionPolicy";
  return d;
}

bool is_admission_policy(const Resource& r) {
  return in_admission_group(r) && (r.kind == "ValidatingAdmissionPolicy" || r.kind == "MutatingAdmissionPolicy");
}

bool is_admission_policy_binding(const Resource& r) {
  return in_admission_group(r) &&
         (r.kind == "ValidatingAdmissionPolicyBinding" || r.kind == "MutatingAdmissionPolicyBinding");
}

std::optional<AdmissionPolicy> read_policy(const Resource& r) {
  if (!is_admission_policy(r)) return std::nullopt;
  const YAML::Node tree = object_tree(r);
  const YAML::Node spec = tree.IsMap() ? tree["spec"] : YAML::Node();
  if (!spec || !spec.IsMap()) return std::nullopt;
  AdmissionPolicy p;
  p.kind = r.kind;
  p.name = r.name;
  if (const YAML::Node pk = spec["paramKind"]; pk && pk.IsMap()) {
    p.param_api_version = scalar_at(pk, "apiVersion");
    p.param_kind = scalar_at(pk, "kind");
  }
  if (const YAML::Node vs = spec["validations"]; vs && vs.IsSequence())
    for (const auto& v : vs)
      p.validations.push_back({scalar_at(v, "expression"), scalar_at(v, "message"), scalar_at(v, "messageExpression")});
  if (const YAML::Node vars = spec["variables"]; vars && vars.IsSequence())
    for (const auto& v : vars)
      if (!scalar_at(v, "name").empty()) p.variables[scalar_at(v, "name")] = scalar_at(v, "expression");
  return p;
}

std::optional<PolicyBinding> read_binding(const Resource& r) {
  if (!is_admission_policy_binding(r)) return std::nullopt;
  const YAML::Node tree = object_tree(r);
  const YAML::Node spec = tree.IsMap() ? tree["spec"] : YAML::Node();
  if (!spec || !spec.IsMap()) return std::nullopt;
  PolicyBinding b;
  b.kind = r.kind;
  b.name = r.name;
  b.policy_name = scalar_at(spec, "policyName");
  if (const YAML::Node acts = spec["validationActions"]; acts && acts.IsSequence())
    for (const auto& a : acts)
      if (a.IsScalar()) b.actions.push_back(a.Scalar());
  if (const YAML::Node ref = spec["paramRef"]; ref && ref.IsMap()) {
    ParamRef p;
    p.name = scalar_at(ref, "name");
    p.namespace_ = scalar_at(ref, "namespace");
    p.by_selector = ref["selector"].IsDefined() && p.name.empty();
    b.param_ref = p;
  }
  return b;
}

std::optional<std::string> warn_in_place_of_deny(const Resource& r) {
  if (r.kind != "ValidatingAdmissionPolicyBinding" || !is_admission_policy_binding(r)) return std::nullopt;
  YAML::Node tree = YAML::Clone(object_tree(r));
  if (!tree.IsMap() || !tree["spec"].IsMap()) return std::nullopt;
  YAML::Node actions = tree["spec"]["validationActions"];
  if (!actions.IsSequence()) return std::nullopt;
  std::set<std::string> seen;
  for (const auto& a : actions) {
    if (!a.IsScalar() || (a.Scalar() != "Deny" && a.Scalar() != "Audit") || !seen.insert(a.Scalar()).second)
      return std::nullopt;
  }
  if (!seen.count("Deny")) return std::nullopt;
  for (size_t k = 0; k < actions.size(); ++k)
    if (actions[k].Scalar() == "Deny") actions[k] = "Warn";
  JsonWriter w(false);
  w.node(tree);
  return w.str();
}

std::vector<size_t> param_objects(const std::vector<Resource>& resources, const std::string& default_namespace) {
  std::map<std::string, AdmissionPolicy> policies;  // by name (validating and mutating names may repeat)
  std::vector<PolicyBinding> bindings;
  for (const auto& r : resources) {
    if (auto p = read_policy(r); p && !p->param_kind.empty()) policies[p->kind + "/" + p->name] = *p;
    if (auto b = read_binding(r); b && b->param_ref) bindings.push_back(*b);
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < resources.size(); ++i) {
    const Resource& r = resources[i];
    for (const auto& b : bindings) {
      std::string policy_kind = b.kind.substr(0, b.kind.size() - std::string("Binding").size());
      auto it = policies.find(policy_kind + "/" + b.policy_name);
      if (it == policies.end() || it->second.param_kind != r.kind || it->second.param_api_version != r.api_version)
        continue;
      const ParamRef& ref = *b.param_ref;
      std::string ns = r.namespace_.empty() ? default_namespace : r.namespace_;
      // A namespaced param without paramRef.namespace is looked up in the namespace of the judged
      // object: any namespace may then hold it.
      bool ns_ok = ref.namespace_.empty() || ref.namespace_ == ns;
      if (ns_ok && (ref.by_selector || ref.name == r.name)) {
        out.push_back(i);
        break;
      }
    }
  }
  return out;
}

std::string object_field_in(std::string_view expression, const std::map<std::string, std::string>& variables) {
  std::set<std::string> seen;
  return field_in(expression, variables, seen);
}

const PolicyCheck* check_of_message(const AdmissionPolicy& policy, std::string_view message) {
  std::string msg = trimmed(message);
  for (const char* prefix : {"failed expression: ", "expression '"}) {
    if (msg.rfind(prefix, 0) != 0) continue;
    std::string rest = msg.substr(std::string(prefix).size());
    for (const auto& v : policy.validations) {
      std::string e = trimmed(v.expression);
      if (!e.empty() && rest.rfind(e, 0) == 0) return &v;
    }
  }
  for (const auto& v : policy.validations)
    if (!v.message.empty() && trimmed(v.message) == msg) return &v;
  const PolicyCheck* only = nullptr;
  for (const auto& v : policy.validations) {
    if (v.message_expression.empty()) continue;
    if (only) return nullptr;
    only = &v;
  }
  return only;
}

std::string denial_field(const AdmissionPolicy* policy, std::string_view message) {
  if (std::string named = field_named_in(message); !named.empty()) return named;
  if (!policy) return "";
  const PolicyCheck* check = check_of_message(*policy, message);
  return check ? object_field_in(check->expression, policy->variables) : "";
}

}  // namespace kv
