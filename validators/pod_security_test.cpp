#include "validators/pod_security.h"

#include <doctest/doctest.h>

namespace {

const char* kDeployment = R"(
spec:
  template:
    spec:
      initContainers: [{name: setup}]
      containers: [{name: app}, {name: side}]
      volumes: [{name: data, hostPath: {path: /data}}]
)";

}  // namespace

TEST_CASE("--pod-security LEVEL[:VERSION]") {
  auto r = kv::parse_pod_security_level("restricted");
  REQUIRE(r.ok());
  CHECK(r->policy() == "restricted:latest");
  r = kv::parse_pod_security_level("baseline:v1.30");
  REQUIRE(r.ok());
  CHECK(r->level == "baseline");
  CHECK(r->version == "v1.30");
  CHECK(kv::parse_pod_security_level("privileged:latest").ok());
  for (const char* bad : {"", "strict", "restricted:", "restricted:1.30", "Restricted", "baseline:v2.1"}) {
    CAPTURE(bad);
    auto b = kv::parse_pod_security_level(bad);
    REQUIRE_FALSE(b.ok());
    CHECK(b.status().exit_code() == 2);
  }
}

TEST_CASE("a namespace keeps its own Pod Security labels; the level fills only what it leaves unset") {
  auto level = *kv::parse_pod_security_level("restricted:v1.30");
  auto none = kv::pod_security_labels(level, YAML::Node());
  CHECK(none.size() == 4);
  CHECK(none.at(kv::kPodSecurityEnforce) == "restricted");
  CHECK(none.at(kv::kPodSecurityEnforceVersion) == "v1.30");
  CHECK(none.at(kv::kPodSecurityWarn) == "restricted");

  YAML::Node own = YAML::Load("{pod-security.kubernetes.io/enforce: baseline, team: a}");
  auto kept = kv::pod_security_labels(level, own);
  CHECK(kept.count(kv::kPodSecurityEnforce) == 0);
  CHECK(kept.count(kv::kPodSecurityEnforceVersion) == 0);  // its enforce is "baseline:latest"
  CHECK(kept.at(kv::kPodSecurityWarn) == "restricted");
  CHECK(kv::enforced_policy(own) == "baseline:latest");
  CHECK(kv::enforced_policy(YAML::Load("{pod-security.kubernetes.io/enforce: restricted, "
                                       "pod-security.kubernetes.io/enforce-version: v1.29}")) == "restricted:v1.29");
  CHECK(kv::enforced_policy(YAML::Node()) == "");
}

TEST_CASE("a Pod Security refusal becomes one violation per check, each at its field") {
  YAML::Node pod = YAML::Load("{spec: {containers: [{name: x}], securityContext: {}}}");
  auto v = kv::parse_pod_security(
      R"(pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged (container "x" must not set )"
      R"(securityContext.privileged=true), allowPrivilegeEscalation != false (container "x" must set )"
      R"(securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "x" must set )"
      R"(securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "x" must set )"
      R"(securityContext.runAsNonRoot=true), seccompProfile (pod or container "x" must set )"
      R"(securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"))",
      pod, "Pod");
  REQUIRE(v);
  CHECK(v->refused);
  CHECK(v->policy == "restricted:latest");
  REQUIRE(v->violations.size() == 5);
  CHECK(v->violations[0].text == R"(privileged (container "x" must not set securityContext.privileged=true))");
  CHECK(v->violations[0].field == "spec.containers[name=x].securityContext.privileged");
  CHECK(v->violations[1].field == "spec.containers[name=x].securityContext.allowPrivilegeEscalation");
  CHECK(v->violations[2].field == "spec.containers[name=x].securityContext.capabilities.drop");
  CHECK(v->violations[3].field == "spec.containers[name=x].securityContext.runAsNonRoot");
  CHECK(v->violations[4].field == "spec.containers[name=x].securityContext.seccompProfile.type");
}

TEST_CASE("workload warnings, container lists, volumes, host namespaces and ports") {
  YAML::Node d = YAML::Load(kDeployment);
  auto v = kv::parse_pod_security(
      R"(would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true), )"
      R"(hostPath volumes (volume "data"), hostPort (containers "side", "app" use hostPorts 80, 443), )"
      R"(privileged (containers "setup", "app" must not set securityContext.privileged=true), )"
      R"(forbidden sysctls (kernel.msgmax), non-default capabilities (container "app" must not include "NET_ADMIN" )"
      R"(in securityContext.capabilities.add), unknown forbidden reason)",
      d, "Deployment");
  REQUIRE(v);
  CHECK_FALSE(v->refused);
  CHECK(v->policy == "baseline:latest");
  REQUIRE(v->violations.size() == 7);
  CHECK(v->violations[0].field == "spec.template.spec.hostNetwork");
  CHECK(v->violations[1].field == "spec.template.spec.volumes[name=data]");
  CHECK(v->violations[2].field == "spec.template.spec.containers[name=side].ports[hostPort=80]");
  CHECK(v->violations[3].text == R"(privileged (containers "setup", "app" must not set securityContext.privileged=true))");
  CHECK(v->violations[3].field == "spec.template.spec.initContainers[name=setup].securityContext.privileged");
  CHECK(v->violations[4].field == "spec.template.spec.securityContext.sysctls");
  CHECK(v->violations[5].field == "spec.template.spec.containers[name=app].securityContext.capabilities.add");
  CHECK(v->violations[6].text == "unknown forbidden reason");
  CHECK(v->violations[6].field == "spec.template.spec");

  auto cron = kv::parse_pod_security(R"(would violate PodSecurity "restricted:v1.30": runAsNonRoot != true )"
                                     R"((pod must not set securityContext.runAsNonRoot=false))",
                                     YAML::Node(), "CronJob");
  REQUIRE(cron);
  CHECK(cron->violations[0].field == "spec.jobTemplate.spec.template.spec.securityContext.runAsNonRoot");
  CHECK_FALSE(kv::parse_pod_security("unknown field \"spec.x\"", d, "Pod"));
  CHECK(kv::pod_spec_path("PodTemplate") == "template.spec");
}
