#include "validators/admission_verdicts.h"

#include <doctest/doctest.h>

#include "resources/loader.h"

namespace {

kv::Resource one(const char* yaml) {
  auto loaded = kv::load_text(yaml, "in.yaml");
  REQUIRE(loaded.ok());
  REQUIRE(loaded.resources.size() == 1);
  return loaded.resources[0];
}

const char* kPolicy = R"(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  validations:
    - {expression: "object.spec.replicas <= 5", message: "replicas must be at most 5"}
)";

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 10
  template:
    spec:
      containers: [{name: app, image: nginx}]
)";

}  // namespace

TEST_CASE("a policy's refusal: rule admission/<policy>, the binding and message, the field of its validation") {
  kv::AdmissionContext ctx;
  ctx.validating = kv::validating_policies({one(kPolicy), one(kDeployment)});
  REQUIRE(ctx.validating.size() == 1);
  auto d = one(kDeployment);
  auto f = kv::refusal_findings(
      "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-b' denied "
      "request: replicas must be at most 5",
      d, ctx);
  REQUIRE(f);
  REQUIRE(f->size() == 1);
  CHECK((*f)[0].severity == kv::Severity::kError);
  CHECK((*f)[0].rule == "admission/max-replicas");
  CHECK((*f)[0].message == "ValidatingAdmissionPolicy 'max-replicas' (binding 'max-b'): replicas must be at most 5");
  CHECK((*f)[0].path == "spec.replicas");

  // A policy of the cluster that the run does not know: named, but no field.
  auto other = kv::refusal_findings("ValidatingAdmissionPolicy 'elsewhere' with binding 'b' denied request: no", d, ctx);
  REQUIRE(other);
  CHECK((*other)[0].rule == "admission/elsewhere");
  CHECK((*other)[0].path.empty());
  CHECK_FALSE(kv::refusal_findings("deployments.apps \"web\" is invalid: spec.replicas: Invalid value", d, ctx));
}

TEST_CASE("Pod Security refusals and warnings, one finding per check") {
  kv::AdmissionContext ctx;
  ctx.enforced["shop"] = "restricted:latest";
  auto pod = one("{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: x}]}}");
  auto f = kv::refusal_findings(
      "pods \"p\" is forbidden: violates PodSecurity \"baseline:latest\": privileged (container \"x\" must not set "
      "securityContext.privileged=true), host namespaces (hostNetwork=true)",
      pod, ctx);
  REQUIRE(f);
  REQUIRE(f->size() == 2);
  CHECK((*f)[0].rule == "admission/pod-security");
  CHECK((*f)[0].message ==
        "violates PodSecurity \"baseline:latest\": privileged (container \"x\" must not set "
        "securityContext.privileged=true)");
  CHECK((*f)[0].path == "spec.containers[name=x].securityContext.privileged");
  CHECK((*f)[1].path == "spec.hostNetwork");

  auto d = one(kDeployment);
  std::string warning =
      "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must "
      "set securityContext.allowPrivilegeEscalation=false)";
  auto enforced = kv::warning_findings(warning, d, "shop", ctx, false);
  REQUIRE(enforced);
  CHECK((*enforced)[0].severity == kv::Severity::kError);
  CHECK((*enforced)[0].message.find("(namespace \"shop\" enforces it: the Deployment's pods would be refused)") !=
        std::string::npos);
  CHECK((*enforced)[0].path == "spec.template.spec.containers[name=app].securityContext.allowPrivilegeEscalation");
  auto elsewhere = kv::warning_findings(warning, d, "other", ctx, false);
  REQUIRE(elsewhere);
  CHECK((*elsewhere)[0].severity == kv::Severity::kWarning);
  CHECK(kv::warning_findings(warning, d, "other", ctx, true)->at(0).severity == kv::Severity::kError);
}

TEST_CASE("a Warn binding's warning is a warning of rule admission/<policy>") {
  kv::AdmissionContext ctx;
  ctx.validating = kv::validating_policies({one(kPolicy)});
  auto d = one(kDeployment);
  auto w = kv::warning_findings(
      "Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'warn': replicas must be at most 5",
      d, "shop", ctx, false);
  REQUIRE(w);
  CHECK((*w)[0].severity == kv::Severity::kWarning);
  CHECK((*w)[0].rule == "admission/max-replicas");
  CHECK((*w)[0].message == "ValidatingAdmissionPolicy 'max-replicas' (binding 'warn'): replicas must be at most 5");
  CHECK((*w)[0].path == "spec.replicas");
  CHECK_FALSE(kv::warning_findings("unknown field \"spec.x\"", d, "shop", ctx, false));
}

TEST_CASE("the warning of a Deny binding applied as Warn is an error, also without --warnings-as-errors") {
  kv::AdmissionContext ctx;
  ctx.validating = kv::validating_policies({one(kPolicy)});
  ctx.denying_bindings = {"deny"};
  auto d = one(kDeployment);
  auto w = kv::warning_findings(
      "Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'deny': replicas must be at most 5",
      d, "shop", ctx, false);
  REQUIRE(w);
  CHECK((*w)[0].severity == kv::Severity::kError);
  CHECK((*w)[0].message == "ValidatingAdmissionPolicy 'max-replicas' (binding 'deny'): replicas must be at most 5");
  CHECK((*w)[0].path == "spec.replicas");
  auto other = kv::warning_findings(
      "Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'warn': replicas must be at most 5",
      d, "shop", ctx, false);
  REQUIRE(other);
  CHECK((*other)[0].severity == kv::Severity::kWarning);
}
