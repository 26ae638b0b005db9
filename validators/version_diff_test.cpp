#include "validators/version_diff.h"

#include <doctest/doctest.h>

using namespace kv;

namespace {

kube::Discovery serving(std::vector<std::tuple<std::string, std::string, std::string>> gvks) {
  kube::Discovery d;
  for (auto& [g, v, k] : gvks) {
    kube::ApiResource a;
    a.group = g;
    a.version = v;
    a.kind = k;
    d.resources_.push_back(a);
  }
  return d;
}

ObjectResult not_served(const std::string& version, const std::string& api_version, const std::string& kind,
                        const std::string& rule) {
  ObjectResult r;
  r.api_version = api_version;
  r.kind = kind;
  r.name = "x";
  r.status = ObjectStatus::kInvalid;
  r.server_version = version;
  Finding f;
  f.rule = rule;
  f.message = "no kind is served by this API server";
  f.path = "kind";
  f.line = 3;
  f.column = 1;
  r.findings.push_back(f);
  return r;
}

}  // namespace

TEST_CASE("an API that only newer versions serve: not served in vOLD (served from vNEW)") {
  auto v135 = serving({{"", "v1", "ConfigMap"}});
  auto v136 = serving({{"", "v1", "ConfigMap"}, {"storagemigration.k8s.io", "v1beta1", "StorageVersionMigration"}});
  auto v137 = serving({{"", "v1", "ConfigMap"}, {"storagemigration.k8s.io", "v1", "StorageVersionMigration"}});
  std::vector<VersionDiscovery> versions = {{"v1.35.4", &v135}, {"v1.36.3", &v136}, {"v1.37.2", &v137}};
  std::vector<ObjectResult> results = {
      not_served("v1.35.4", "storagemigration.k8s.io/v1", "StorageVersionMigration", "dry-run/unknown-kind"),
      not_served("v1.36.3", "storagemigration.k8s.io/v1", "StorageVersionMigration", "dry-run/api-not-served")};
  explain_version_differences(results, versions);
  CHECK(results[0].findings[0].message ==
        "storagemigration.k8s.io/v1 StorageVersionMigration is not served in v1.35 (served from v1.37)");
  CHECK(results[1].findings[0].message ==
        "storagemigration.k8s.io/v1 StorageVersionMigration is not served in v1.36 (served from v1.37): use "
        "storagemigration.k8s.io/v1beta1");
  CHECK(results[1].findings[0].line == 3);  // only the message changes
}

TEST_CASE("an API that only older versions serve: removed in vNEW, with what to use instead") {
  auto v124 = serving({{"policy", "v1beta1", "PodDisruptionBudget"}, {"policy", "v1", "PodDisruptionBudget"}});
  auto v125 = serving({{"policy", "v1", "PodDisruptionBudget"}});
  std::vector<VersionDiscovery> versions = {{"v1.24.0", &v124}, {"v1.25.0", &v125}};
  std::vector<ObjectResult> results = {
      not_served("v1.25.0", "policy/v1beta1", "PodDisruptionBudget", "dry-run/api-not-served")};
  explain_version_differences(results, versions);
  CHECK(results[0].findings[0].message ==
        "policy/v1beta1 PodDisruptionBudget is removed in v1.25 (served in v1.24): use policy/v1");
}

TEST_CASE("served by older and newer versions but not this one") {
  CHECK(version_difference_message("x.io/v1", "Thing", "v1.36.3", {"v1.35.4", "v1.37.2"}, {}) ==
        "x.io/v1 Thing is not served in v1.36 (served in v1.35, v1.37)");
}

TEST_CASE("findings are left alone when no version of the run serves the kind, or for other rules") {
  auto v136 = serving({{"", "v1", "ConfigMap"}});
  auto v137 = serving({{"", "v1", "ConfigMap"}});
  std::vector<VersionDiscovery> versions = {{"v1.36.3", &v136}, {"v1.37.2", &v137}};
  std::vector<ObjectResult> results = {not_served("v1.36.3", "example.com/v1", "Widget", "dry-run/unknown-kind"),
                                       not_served("v1.36.3", "v1", "ConfigMap", "dry-run/FieldValueInvalid")};
  explain_version_differences(results, versions);
  CHECK(results[0].findings[0].message == "no kind is served by this API server");
  CHECK(results[1].findings[0].message == "no kind is served by this API server");
}
