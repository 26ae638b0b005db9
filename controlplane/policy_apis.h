// Which admission-policy APIs a kube-apiserver version serves (ValidatingAdmissionPolicy,
// MutatingAdmissionPolicy), and the flags an owned plane gets to turn on those that the version has
// off by default (a feature gate and the API version through --runtime-config).
#pragma once

#include <string>
#include <vector>

namespace kv::controlplane {

struct PolicyApi {
  std::string kind;        // "ValidatingAdmissionPolicy", "MutatingAdmissionPolicy"
  std::string version;     // its admissionregistration.k8s.io version: "v1", "v1beta1"; "" = not available
  bool enabled_by_flags = false;  // off by default in this version: the owned plane turns it on
};

struct PolicyApis {
  std::vector<PolicyApi> apis;          // validating, then mutating
  std::vector<std::string> flags;       // for kube-apiserver: --feature-gates=..., --runtime-config=...
  // One line: "ValidatingAdmissionPolicy v1, MutatingAdmissionPolicy v1beta1 (enabled by
  // --feature-gates=MutatingAdmissionPolicy=true --runtime-config=admissionregistration.k8s.io/v1beta1=true)".
  std::string describe() const;
};

// The policy APIs of Kubernetes 1.`minor` (0 or unknown minors newer than kvalidate knows: the newest
// known behaviour, everything GA and on by default).
PolicyApis policy_apis(int minor);

// The minor version in a version string ("v1.37.2", "Kubernetes v1.34.0-rc.1", "v1.31.2+k3s1"); 0 when
// there is none.
int kube_minor(const std::string& version);

}  // namespace kv::controlplane
