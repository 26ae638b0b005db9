#include "validators/policy_probe.h"

#include <doctest/doctest.h>

#include "core/yaml_util.h"

namespace {

kv::kube::Response answer(long status, std::string body) {
  kv::kube::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("a policy probe: policies before bindings, one marker per question") {
  kv::ParamTarget cm{"v1", "ConfigMap", "limits", "platform", false};
  kv::ParamTarget crd{"example.com/v1", "Limits", "global", "", true};
  auto p = kv::make_policy_probe("r1", true, {cm, crd}, "default");
  REQUIRE(p.objects.size() == 8);
  for (size_t i = 0; i < 4; ++i) CHECK(p.objects[i].object["kind"].Scalar().find("Binding") == std::string::npos);
  for (size_t i = 4; i < 8; ++i) CHECK(p.objects[i].object["kind"].Scalar().find("Binding") != std::string::npos);
  CHECK(p.objects[0].path == "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/kvalidate-probe-r1-v");
  CHECK(p.objects[1].path == "/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies/kvalidate-probe-r1-m");
  CHECK(p.objects[5].path ==
        "/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicybindings/kvalidate-probe-r1-m");

  // The param probes name the param and let the marker pass while it is not found.
  const YAML::Node& cm_binding = p.objects[6].object;
  CHECK(cm_binding["spec"]["paramRef"]["name"].Scalar() == "limits");
  CHECK(cm_binding["spec"]["paramRef"]["namespace"].Scalar() == "platform");
  CHECK(cm_binding["spec"]["paramRef"]["parameterNotFoundAction"].Scalar() == "Allow");
  CHECK(p.objects[2].object["spec"]["paramKind"]["kind"].Scalar() == "ConfigMap");
  CHECK(p.objects[3].object["kind"].Scalar() == "MutatingAdmissionPolicy");  // the CRD param is a mutating one's
  CHECK_FALSE(p.objects[7].object["spec"]["paramRef"]["namespace"]);
  CHECK(cm_binding["spec"]["matchResources"]["objectSelector"]["matchLabels"]["kvalidate.io/probe"].Scalar() ==
        "p0-r1");

  REQUIRE(p.checks.size() == 4);
  CHECK(p.checks[0].request.path == "/api/v1/namespaces/default/configmaps?dryRun=All");
  CHECK(p.checks[0].request.body.find("\"kvalidate.io/probe\":\"v-r1\"") != std::string::npos);
  CHECK(p.checks[1].expect == kv::ProbeCheck::Expect::kMutated);
  CHECK(p.checks[2].what == "param ConfigMap platform/limits");
  CHECK(p.checks[3].what == "param Limits global");

  auto only = kv::make_policy_probe("r2", false, {}, "default");
  CHECK(only.objects.size() == 2);
  CHECK(only.checks.size() == 1);
}

TEST_CASE("probe_answered: the server's answer shows the probe policy in force") {
  auto p = kv::make_policy_probe("r1", true, {}, "default");
  const auto& v = p.checks[0];
  CHECK_FALSE(kv::probe_answered(v, answer(201, "{}")));
  CHECK(kv::probe_answered(v, answer(422, R"({"message":"configmaps \"kvalidate-probe-r1\" is forbidden: )"
                                           R"(ValidatingAdmissionPolicy 'kvalidate-probe-r1-v' with binding )"
                                           R"('kvalidate-probe-r1-v' denied request: kvalidate probe"})")));
  // Another run's probe, or the user's own policy refusing the marker, does not count.
  CHECK_FALSE(kv::probe_answered(v, answer(422, "ValidatingAdmissionPolicy 'other' denied request: kvalidate probe")));
  const auto& m = p.checks[1];
  CHECK(kv::probe_answered(m, answer(201, R"({"data":{"kvalidate-probe":"m-r1"}})")));
  CHECK_FALSE(kv::probe_answered(m, answer(201, R"({"data":{"kvalidate-probe":"m-r9"}})")));
  CHECK_FALSE(kv::probe_answered(m, answer(201, R"({"metadata":{}})")));
  auto ps = kv::pod_security_check("r1", "shop");
  CHECK(ps.request.path == "/api/v1/namespaces/shop/pods?dryRun=All");
  CHECK(kv::probe_answered(ps, answer(403, "pods \"kvalidate-probe-r1\" is forbidden: violates PodSecurity \"baseline:latest\"")));
  CHECK_FALSE(kv::probe_answered(ps, answer(201, "{}")));
  kv::kube::Response lost;
  lost.transport_error = "connection refused";
  CHECK_FALSE(kv::probe_answered(ps, lost));
  CHECK(kv::policy_resource("ValidatingAdmissionPolicyBinding") == "validatingadmissionpolicybindings");
  CHECK(kv::policy_resource("MutatingAdmissionPolicy") == "mutatingadmissionpolicies");
}
