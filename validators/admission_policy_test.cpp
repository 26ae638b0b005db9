#include "validators/admission_policy.h"

#include <doctest/doctest.h>

#include "resources/loader.h"

namespace {

std::vector<kv::Resource> load(const char* yaml) {
  auto loaded = kv::load_text(yaml, "policy.yaml");
  REQUIRE(loaded.ok());
  return std::move(loaded.resources);
}

const char* kPolicyWithParams = R"Y(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
  variables:
    - {name: replicas, expression: "object.spec.replicas"}
    - {name: spec, expression: "object.spec"}
  validations:
    - expression: "object.spec.replicas <= int(params.data.max)"
      messageExpression: "'replicas must be at most ' + params.data.max"
    - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
      message: "a team label is required"
    - expression: "variables.spec.template.spec.containers.all(c, c.image.contains(':'))"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas-prod}
spec:
  policyName: max-replicas
  validationActions: [Deny, Warn]
  paramRef: {name: limits, namespace: platform, parameterNotFoundAction: Deny}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: platform}
data: {max: "5"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: other}
data: {max: "5"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated, namespace: platform}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: limits, namespace: platform}
)Y";

}  // namespace

TEST_CASE("policies and bindings are read from any admissionregistration version") {
  auto rs = load(kPolicyWithParams);
  CHECK(kv::is_admission_policy(rs[0]));
  CHECK(kv::is_admission_policy_binding(rs[1]));
  CHECK_FALSE(kv::is_admission_policy(rs[1]));
  CHECK_FALSE(kv::is_admission_policy(rs[2]));
  auto p = kv::read_policy(rs[0]);
  REQUIRE(p);
  CHECK(p->name == "max-replicas");
  CHECK(p->param_kind == "ConfigMap");
  CHECK(p->param_api_version == "v1");
  REQUIRE(p->validations.size() == 3);
  CHECK(p->validations[1].message == "a team label is required");
  CHECK(p->variables.at("replicas") == "object.spec.replicas");
  auto b = kv::read_binding(rs[1]);
  REQUIRE(b);
  CHECK(b->policy_name == "max-replicas");
  CHECK(b->actions == std::vector<std::string>{"Deny", "Warn"});
  REQUIRE(b->param_ref);
  CHECK(b->param_ref->name == "limits");
  CHECK(b->param_ref->namespace_ == "platform");

  auto beta = load(R"(apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicy
metadata: {name: add-label}
spec: {mutations: []}
---
apiVersion: example.com/v1
kind: ValidatingAdmissionPolicy
metadata: {name: not-kubernetes}
)");
  CHECK(kv::is_admission_policy(beta[0]));
  CHECK(kv::read_policy(beta[0])->validations.empty());
  CHECK_FALSE(kv::is_admission_policy(beta[1]));
}

TEST_CASE("param objects are those a binding names, of the policy's paramKind") {
  auto rs = load(kPolicyWithParams);
  CHECK(kv::param_objects(rs, "default") == std::vector<size_t>{2});

  auto by_selector = load(R"(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec: {paramKind: {apiVersion: example.com/v1, kind: Limits}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: p, paramRef: {selector: {matchLabels: {env: prod}}, parameterNotFoundAction: Allow}}
---
apiVersion: example.com/v1
kind: Limits
metadata: {name: a}
---
apiVersion: example.com/v2
kind: Limits
metadata: {name: other-version}
---
apiVersion: example.com/v1
kind: Limits
metadata: {name: b, namespace: x}
)");
  CHECK(kv::param_objects(by_selector, "default") == std::vector<size_t>{2, 4});
  // No binding with a paramRef: no params.
  auto none = load(R"(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec: {paramKind: {apiVersion: v1, kind: ConfigMap}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
)");
  CHECK(kv::param_objects(none, "default").empty());
}

TEST_CASE("the field a CEL expression reads of the object") {
  using kv::object_field_in;
  CHECK(object_field_in("object.spec.replicas <= 5") == "spec.replicas");
  CHECK(object_field_in("object.spec.replicas<=int(params.data.max)") == "spec.replicas");
  CHECK(object_field_in("has(object.metadata.labels) && 'team' in object.metadata.labels") == "metadata.labels");
  CHECK(object_field_in("object.spec.template.spec.containers.all(c, c.image.startsWith('r/'))") ==
        "spec.template.spec.containers");
  CHECK(object_field_in("object.metadata.labels['app.kubernetes.io/name'] == 'x'") ==
        "metadata.labels[app.kubernetes.io/name]");
  CHECK(object_field_in("object.?spec.?replicas.orValue(1) < 3") == "spec.replicas");
  CHECK(object_field_in("object.spec.containers[0].image != ''") == "spec.containers[0].image");
  CHECK(object_field_in("oldObject.spec.replicas == object.spec.replicas") == "spec.replicas");
  CHECK(object_field_in("params.object.spec == 1") == "");
  CHECK(object_field_in("'object.spec.x' == request.name") == "");
  CHECK(object_field_in("request.operation == 'CREATE'") == "");
  CHECK(object_field_in("object.size() > 0") == "");
  std::map<std::string, std::string> vars = {{"replicas", "object.spec.replicas"},
                                             {"spec", "object.spec"},
                                             {"loop", "variables.loop + 1"},
                                             {"big", "object.spec.replicas > 3 ? 1 : 0"}};
  CHECK(object_field_in("variables.replicas <= 5", vars) == "spec.replicas");
  CHECK(object_field_in("variables.spec.template.spec.hostNetwork == false", vars) == "spec.template.spec.hostNetwork");
  CHECK(object_field_in("variables.big.x == 0", vars) == "spec.replicas");
  CHECK(object_field_in("variables.loop > 0", vars) == "");
  CHECK(object_field_in("variables.missing > 0", vars) == "");
}

TEST_CASE("a denial message leads to its validation and the field it reads") {
  auto rs = load(kPolicyWithParams);
  auto p = *kv::read_policy(rs[0]);
  CHECK(kv::check_of_message(p, "a team label is required") == &p.validations[1]);
  CHECK(kv::check_of_message(p, " a team label is required ") == &p.validations[1]);
  CHECK(kv::check_of_message(p, "failed expression: variables.spec.template.spec.containers.all(c, "
                                "c.image.contains(':'))") == &p.validations[2]);
  CHECK(kv::check_of_message(p, "expression 'object.spec.replicas <= int(params.data.max)' resulted in error: "
                                "no such key: max") == &p.validations[0]);
  // The only validation with a messageExpression wrote any other message.
  CHECK(kv::check_of_message(p, "replicas must be at most 5") == &p.validations[0]);

  CHECK(kv::denial_field(&p, "replicas must be at most 5") == "spec.replicas");
  CHECK(kv::denial_field(&p, "a team label is required") == "metadata.labels");
  // A message that names a field wins over the expression.
  CHECK(kv::denial_field(&p, "object.spec.template.spec.hostNetwork must be false") == "spec.template.spec.hostNetwork");
  CHECK(kv::denial_field(&p, "spec.strategy.type must be Recreate") == "spec.strategy.type");
  CHECK(kv::denial_field(nullptr, "replicas must be at most 5") == "");
  CHECK(kv::denial_field(nullptr, "object.spec.replicas is too high") == "spec.replicas");

  // Two validations with messageExpressions: a free message cannot be told apart.
  kv::AdmissionPolicy two;
  two.validations = {{"object.spec.a > 1", "", "'a'"}, {"object.spec.b > 1", "", "'b'"}};
  CHECK(kv::check_of_message(two, "something") == nullptr);
  CHECK(kv::denial_field(&two, "something") == "");
}

TEST_CASE("policy refusals and warnings name the policy, the binding and the message") {
  auto d = kv::parse_policy_denial(
      "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding "
      "'max-replicas-binding' denied request: replicas must be at most 5");
  REQUIRE(d);
  CHECK(d->kind == "ValidatingAdmissionPolicy");
  CHECK(d->policy == "max-replicas");
  CHECK(d->binding == "max-replicas-binding");
  CHECK(d->message == "replicas must be at most 5");

  d = kv::parse_policy_denial("ValidatingAdmissionPolicy 'p' denied request: failed expression: object.x > 1");
  REQUIRE(d);
  CHECK(d->binding.empty());
  CHECK(d->message == "failed expression: object.x > 1");

  d = kv::parse_policy_denial(
      "configmaps \"c\" is forbidden: policy 'limits' with binding 'limits-b' denied request: failed to configure "
      "binding: no params found for policy binding with `Deny` parameterNotFoundAction");
  REQUIRE(d);
  CHECK(d->kind.empty());
  CHECK(d->policy == "limits");
  CHECK(d->binding == "limits-b");
  CHECK(d->message.rfind("failed to configure binding", 0) == 0);

  CHECK_FALSE(kv::parse_policy_denial("pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": x"));
  CHECK_FALSE(kv::parse_policy_denial("the admission policy 'x' is fine"));
  CHECK_FALSE(kv::parse_policy_denial("ValidatingAdmissionPolicy 'unterminated"));

  auto w = kv::parse_policy_warning(
      "Validation failed for ValidatingAdmissionPolicy 'team-label' with binding 'team-label-warn': a team label "
      "is required");
  REQUIRE(w);
  CHECK(w->policy == "team-label");
  CHECK(w->binding == "team-label-warn");
  CHECK(w->message == "a team label is required");
  CHECK_FALSE(kv::parse_policy_warning("unknown field \"spec.x\""));
}

TEST_CASE("a Deny binding is applied as Warn, so that every failing validation is named") {
  auto rs = load(R"(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: deny, labels: {tier: "true"}}
spec: {policyName: p, validationActions: [Deny]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: deny-audit}
spec: {policyName: p, validationActions: [Audit, Deny]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: warn}
spec: {policyName: p, validationActions: [Warn]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: refused-by-the-server}
spec: {policyName: p, validationActions: [Deny, Warn]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: twice}
spec: {policyName: p, validationActions: [Deny, Deny]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec: {validationActions: [Deny]}
)");
  auto deny = kv::warn_in_place_of_deny(rs[0]);
  REQUIRE(deny);
  CHECK(deny->find(R"("validationActions":["Warn"])") != std::string::npos);
  CHECK(deny->find(R"("tier":"true")") != std::string::npos);  // a quoted value stays a string
  CHECK(deny->find(R"("policyName":"p")") != std::string::npos);
  auto deny_audit = kv::warn_in_place_of_deny(rs[1]);
  REQUIRE(deny_audit);
  CHECK(deny_audit->find(R"("validationActions":["Audit","Warn"])") != std::string::npos);
  CHECK(rs[1].body.find("Deny") != std::string::npos);  // the input itself is not changed
  CHECK_FALSE(kv::warn_in_place_of_deny(rs[2]));  // no Deny
  CHECK_FALSE(kv::warn_in_place_of_deny(rs[3]));  // the server refuses it: judged as written
  CHECK_FALSE(kv::warn_in_place_of_deny(rs[4]));
  CHECK_FALSE(kv::warn_in_place_of_deny(rs[5]));  // not a binding
}
