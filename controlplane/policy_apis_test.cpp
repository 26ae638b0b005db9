#include "controlplane/policy_apis.h"

#include <doctest/doctest.h>

using kv::controlplane::policy_apis;

TEST_CASE("policy APIs per Kubernetes minor version, and the flags that turn them on") {
  auto now = policy_apis(37);
  REQUIRE(now.apis.size() == 2);
  CHECK(now.apis[0].version == "v1");
  CHECK(now.apis[1].version == "v1");
  CHECK(now.flags.empty());
  CHECK(now.describe() == "ValidatingAdmissionPolicy v1, MutatingAdmissionPolicy v1 (on by default)");
  CHECK(policy_apis(36).flags.empty());
  CHECK(policy_apis(0).flags.empty());  // unknown: the newest behaviour

  auto beta = policy_apis(34);
  CHECK(beta.apis[1].version == "v1beta1");
  CHECK(beta.apis[1].enabled_by_flags);
  CHECK_FALSE(beta.apis[0].enabled_by_flags);
  CHECK(beta.flags == std::vector<std::string>{"--feature-gates=MutatingAdmissionPolicy=true",
                                               "--runtime-config=admissionregistration.k8s.io/v1beta1=true"});
  CHECK(beta.describe() ==
        "ValidatingAdmissionPolicy v1, MutatingAdmissionPolicy v1beta1 (enabled by "
        "--feature-gates=MutatingAdmissionPolicy=true --runtime-config=admissionregistration.k8s.io/v1beta1=true)");
  CHECK(policy_apis(32).apis[1].version == "v1alpha1");

  auto old = policy_apis(28);
  CHECK(old.apis[0].version == "v1beta1");
  CHECK(old.apis[1].version.empty());
  CHECK(old.flags == std::vector<std::string>{"--feature-gates=ValidatingAdmissionPolicy=true",
                                              "--runtime-config=admissionregistration.k8s.io/v1beta1=true"});
  CHECK(policy_apis(25).flags.empty());
  CHECK(policy_apis(25).describe() ==
        "ValidatingAdmissionPolicy not available, MutatingAdmissionPolicy not available");
}

TEST_CASE("kube_minor reads the minor of any version string") {
  using kv::controlplane::kube_minor;
  CHECK(kube_minor("v1.37.2") == 37);
  CHECK(kube_minor("Kubernetes v1.34.0-rc.1") == 34);
  CHECK(kube_minor("k3s version v1.31.2+k3s1 (abc)") == 31);
  CHECK(kube_minor("unknown") == 0);
}
