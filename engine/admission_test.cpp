#include "engine/admission.h"

#include <doctest/doctest.h>

using kv::engine::classify_denial;
using kv::engine::DenialKind;

TEST_CASE("classify_denial tells admission denials from RBAC refusals") {
  auto pss = classify_denial("pods \"x\" is forbidden: violates PodSecurity \"baseline:latest\": privileged "
                             "(container \"debug\" must not set securityContext.privileged=true)", 403);
  CHECK(pss.kind == DenialKind::kPodSecurity);
  CHECK(pss.rule == "admission/pod-security");
  CHECK(pss.message.rfind("violates PodSecurity", 0) == 0);
  auto vap = classify_denial("deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with "
                             "binding 'max-replicas-binding' denied request: failed expression: object.spec.replicas "
                             "<= 5", 403);
  CHECK(vap.kind == DenialKind::kPolicy);
  CHECK(vap.rule == "admission/max-replicas");
  auto hook = classify_denial("admission webhook \"validate.kyverno.svc\" denied the request: resource Pod/x was "
                              "blocked", 400);
  CHECK(hook.kind == DenialKind::kWebhook);
  CHECK(hook.rule == "admission/validate.kyverno.svc");
  auto rbac = classify_denial("deployments.apps \"web\" is forbidden: User \"ci\" cannot patch resource "
                              "\"deployments\" in API group \"apps\" in the namespace \"demo\"", 403);
  CHECK(rbac.kind == DenialKind::kRbac);
  auto quota = classify_denial("pods \"x\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=5, "
                               "limited: pods=5", 403);
  CHECK(quota.kind == DenialKind::kPlugin);
  CHECK(quota.message.rfind("exceeded quota", 0) == 0);
  CHECK(quota.field.empty());
  // The Priority and RuntimeClass plugins name no field; the refusal is about one the Pod wrote.
  CHECK(classify_denial("pods \"p\" is forbidden: no PriorityClass with name ultra was found", 403).field ==
        "spec.priorityClassName");
  CHECK(classify_denial("pods \"p\" is forbidden: the integer value of priority (1000) must not be provided in pod "
                        "spec; priority admission controller computed 0 from the given PriorityClass name", 403)
            .field == "spec.priority");
  CHECK(classify_denial("pods \"p\" is forbidden: pod rejected: RuntimeClass \"gvisor\" not found", 403).field ==
        "spec.runtimeClassName");
  CHECK(classify_denial("unable to create new content in namespace x because it is being terminated", 403).kind ==
        DenialKind::kNone);
  CHECK(classify_denial("Deployment.apps \"x\" is invalid: spec.replicas: Invalid value", 422).kind == DenialKind::kNone);
}

TEST_CASE("pod_security_checks splits the checks and names their fields") {
  auto checks = kv::engine::pod_security_checks(
      "pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": privileged (containers \"a\", \"b\" must "
      "not set securityContext.privileged=true), allowPrivilegeEscalation != false (container \"a\" must set "
      "securityContext.allowPrivilegeEscalation=false), host namespaces (hostNetwork=true, hostPID=true), hostPath "
      "volumes (volume \"root\"), runAsNonRoot != true (pod or container \"a\" must set "
      "securityContext.runAsNonRoot=true), hostPort (container \"a\" uses hostPort 9100)");
  REQUIRE(checks.size() == 6);
  CHECK(checks[0].fields == std::vector<std::string>{"containers[name=a].securityContext.privileged",
                                                      "containers[name=b].securityContext.privileged"});
  CHECK(checks[1].fields ==
        std::vector<std::string>{"containers[name=a].securityContext.allowPrivilegeEscalation"});
  CHECK(checks[2].fields == std::vector<std::string>{"hostNetwork", "hostPID"});
  CHECK(checks[3].fields == std::vector<std::string>{"volumes[name=root]"});
  CHECK(checks[4].fields == std::vector<std::string>{"containers[name=a].securityContext.runAsNonRoot"});
  CHECK(checks[5].fields == std::vector<std::string>{"containers[name=a].ports"});
  CHECK(checks[2].text == "host namespaces (hostNetwork=true, hostPID=true)");
  CHECK(kv::engine::pod_security_checks("spec.replicas: Invalid value").empty());
  auto warn = kv::engine::pod_security_checks(
      "would violate PodSecurity \"baseline:latest\": privileged (container \"x\" must not set "
      "securityContext.privileged=true)");
  REQUIRE(warn.size() == 1);
  CHECK(warn[0].fields[0] == "containers[name=x].securityContext.privileged");
  CHECK(kv::engine::pod_spec_path("CronJob") == "spec.jobTemplate.spec.template.spec");
}
