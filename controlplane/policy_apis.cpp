#include "controlplane/policy_apis.h"

#include <regex>

namespace kv::controlplane {

namespace {

// When each API became alpha (off, v1alpha1), beta (off by default, v1beta1) and GA (on, v1).
struct Stages {
  const char* kind;
  int alpha, beta, ga;
};
constexpr Stages kStages[] = {
    {"ValidatingAdmissionPolicy", 26, 28, 30},
    {"MutatingAdmissionPolicy", 32, 34, 36},
};

}  // namespace

PolicyApis policy_apis(int minor) {
  PolicyApis out;
  std::string gates, runtime;
  for (const auto& s : kStages) {
    PolicyApi api{s.kind, "", false};
    if (minor == 0 || minor >= s.ga) {
      api.version = "v1";
    } else if (minor >= s.alpha) {
      api.version = minor >= s.beta ? "v1beta1" : "v1alpha1";
      api.enabled_by_flags = true;
      gates += std::string(gates.empty() ? "" : ",") + s.kind + "=true";
      std::string rc = "admissionregistration.k8s.io/" + api.version + "=true";
      if (runtime.find(rc) == std::string::npos) runtime += (runtime.empty() ? "" : ",") + rc;
    }
    out.apis.push_back(api);
  }
  if (!gates.empty()) out.flags.push_back("--feature-gates=" + gates);
  if (!runtime.empty()) out.flags.push_back("--runtime-config=" + runtime);
  return out;
}

std::string PolicyApis::describe() const {
  std::string out;
  for (const auto& a : apis) out += (out.empty() ? "" : ", ") + a.kind + " " + (a.version.empty() ? "not available" : a.version);
  bool any = false;
  for (const auto& a : apis) any = any || !a.version.empty();
  if (flags.empty()) return any ? out + " (on by default)" : out;
  std::string joined;
  for (const auto& f : flags) joined += (joined.empty() ? "" : " ") + f;
  return out + " (enabled by " + joined + ")";
}

int kube_minor(const std::string& version) {
  static const std::regex kVersion(R"(v?1\.(\d+)\.\d+)");
  std::smatch m;
  if (!std::regex_search(version, m, kVersion)) return 0;
  return std::stoi(m[1].str());
}

}  // namespace kv::controlplane
