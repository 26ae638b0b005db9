#include "validators/policy_probe.h"

#include <fmt/core.h>

#include "core/json.h"
#include "core/yaml_util.h"
#include "validators/admission_policy.h"

namespace kv {

namespace {

constexpr const char* kProbeLabel = "kvalidate.io/probe";
constexpr const char* kPolicyApi = "/apis/admissionregistration.k8s.io/v1/";

YAML::Node str(const std::string& s) {
  YAML::Node n(s);
  n.SetTag("!");  // a string even when it looks like a number
  return n;
}

// A label value (at most 63 characters, ending in a letter or digit).
std::string label_value(std::string v) {
  if (v.size() > 63) v.resize(63);
  while (!v.empty() && !std::isalnum(static_cast<unsigned char>(v.back()))) v.pop_back();
  return v;
}

YAML::Node header(const std::string& kind, const std::string& name) {
  YAML::Node o;
  o["apiVersion"] = str(std::string(kAdmissionGroup) + "/v1");
  o["kind"] = kind;
  o["metadata"]["name"] = str(name);
  return o;
}

YAML::Node configmap_rules() {
  YAML::Node rule;
  rule["apiGroups"].push_back(str(""));
  rule["apiVersions"].push_back(str("v1"));
  rule["operations"].push_back(str("CREATE"));
  rule["resources"].push_back(str("configmaps"));
  YAML::Node constraints;
  constraints["resourceRules"].push_back(rule);
  return constraints;
}

// A policy (validating: refuses; mutating: sets data["kvalidate-probe"]) and its binding, which only
// selects ConfigMaps labelled `label`.
void add_pair(std::vector<ProbeObject>& policies, std::vector<ProbeObject>& bindings, bool mutating, const std::string& name, const std::string& label,
              const ParamTarget* param) {
  std::string kind = mutating ? "MutatingAdmissionPolicy" : "ValidatingAdmissionPolicy";
  YAML::Node policy = header(kind, name);
  policy["spec"]["failurePolicy"] = "Fail";
  policy["spec"]["matchConstraints"] = configmap_rules();
  if (param) {
    policy["spec"]["paramKind"]["apiVersion"] = str(param->api_version);
    policy["spec"]["paramKind"]["kind"] = str(param->kind);
  }
  if (mutating) {
    policy["spec"]["reinvocationPolicy"] = "Never";
    YAML::Node m;
    m["patchType"] = "ApplyConfiguration";
    m["applyConfiguration"]["expression"] = str(fmt::format("Object{{data: {{\"kvalidate-probe\": \"{}\"}}}}", label));
    policy["spec"]["mutations"].push_back(m);
  } else {
    YAML::Node v;
    v["expression"] = str("false");
    v["message"] = str("kvalidate probe");
    policy["spec"]["validations"].push_back(v);
  }
  YAML::Node binding = header(kind + "Binding", name);
  binding["spec"]["policyName"] = str(name);
  if (!mutating) binding["spec"]["validationActions"].push_back(str("Deny"));
  binding["spec"]["matchResources"]["objectSelector"]["matchLabels"][kProbeLabel] = str(label);
  if (param) {
    binding["spec"]["paramRef"]["name"] = str(param->name);
    if (!param->namespace_.empty()) binding["spec"]["paramRef"]["namespace"] = str(param->namespace_);
    // Not found: the policy does not apply, so the marker passes until the param is visible.
    binding["spec"]["paramRef"]["parameterNotFoundAction"] = "Allow";
  }
  policies.push_back({kPolicyApi + policy_resource(kind) + "/" + name, policy});
  bindings.push_back({kPolicyApi + policy_resource(kind + "Binding") + "/" + name, binding});
}

ProbeCheck marker_check(const std::string& id, const std::string& label, const std::string& ns) {
  ProbeCheck c;
  c.request.method = "POST";
  c.request.path = "/api/v1/namespaces/" + ns + "/configmaps?dryRun=All";
  c.request.content_type = "application/json";
  c.request.body = fmt::format(
      R"({{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":{},"labels":{{{}:{}}}}}}})",
      json_quote("kvalidate-probe-" + id), json_quote(kProbeLabel), json_quote(label));
  return c;
}

}  // namespace

std::string policy_resource(const std::string& kind) {
  std::string lower;
  for (char c : kind) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // ...policy → ...policies, ...binding → ...bindings
  if (!lower.empty() && lower.back() == 'y') return lower.substr(0, lower.size() - 1) + "ies";
  return lower + "s";
}

PolicyProbe make_policy_probe(const std::string& id, bool mutating, const std::vector<ParamTarget>& params,
                              const std::string& marker_namespace) {
  PolicyProbe p;
  std::vector<ProbeObject> bindings;
  auto add = [&](bool mut, const std::string& tag, const ParamTarget* param, std::string what) {
    std::string name = "kvalidate-probe-" + id + "-" + tag;
    std::string label = label_value(tag + "-" + id);
    add_pair(p.objects, bindings, mut, name, label, param);
    ProbeCheck c = marker_check(id, label, marker_namespace);
    c.expect = mut ? ProbeCheck::Expect::kMutated : ProbeCheck::Expect::kRefusedByPolicy;
    c.policy = name;
    c.what = std::move(what);
    p.checks.push_back(std::move(c));
  };
  add(false, "v", nullptr, "the validating admission policies");
  if (mutating) add(true, "m", nullptr, "the mutating admission policies");
  for (size_t i = 0; i < params.size(); ++i) {
    const ParamTarget& t = params[i];
    add(t.mutating, fmt::format("p{}", i), &t,
        fmt::format("param {} {}{}", t.kind, t.namespace_.empty() ? "" : t.namespace_ + "/", t.name));
  }
  for (auto& b : bindings) p.objects.push_back(std::move(b));
  return p;
}

ProbeCheck pod_security_check(const std::string& id, const std::string& namespace_) {
  ProbeCheck c;
  c.expect = ProbeCheck::Expect::kRefusedByPodSecurity;
  c.what = "Pod Security labels of namespace " + namespace_;
  c.request.method = "POST";
  c.request.path = "/api/v1/namespaces/" + namespace_ + "/pods?dryRun=All";
  c.request.content_type = "application/json";
  c.request.body = fmt::format(
      R"({{"apiVersion":"v1","kind":"Pod","metadata":{{"name":{}}},)"
      R"("spec":{{"hostNetwork":true,"containers":[{{"name":"probe","image":"kvalidate.invalid/probe"}}]}}}})",
      json_quote("kvalidate-probe-" + id));
  return c;
}

bool probe_answered(const ProbeCheck& check, const kube::Response& resp) {
  if (!resp.transport_ok()) return false;
  switch (check.expect) {
    case ProbeCheck::Expect::kRefusedByPolicy:
      return resp.status >= 400 && resp.body.find("'" + check.policy + "'") != std::string::npos &&
             resp.body.find("kvalidate probe") != std::string::npos;
    case ProbeCheck::Expect::kRefusedByPodSecurity:
      return resp.status == 403 && resp.body.find("violates PodSecurity") != std::string::npos;
    case ProbeCheck::Expect::kMutated: {
      if (!resp.success()) return false;
      auto doc = parse_json(resp.body, "API response");
      if (!doc.ok() || !doc->IsMap()) return false;
      std::string got = scalar_at((*doc)["data"], "kvalidate-probe");
      return !got.empty() && check.request.body.find(json_quote(got)) != std::string::npos;
    }
  }
  return false;
}

}  // namespace kv
