#include "validators/rbac_rules.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "resources/loader.h"

namespace {

std::vector<kv::Resource> load(const std::string& rel) {
  auto loaded = kv::load_paths({std::string(KV_SOURCE_DIR) + "/fixtures/rbac/" + rel});
  REQUIRE(loaded.ok());
  return std::move(loaded.resources);
}

std::vector<kv::Finding> risks_of(const std::vector<kv::Resource>& rs, const std::set<std::string>& off = {}) {
  std::vector<kv::Finding> all;
  for (const auto& r : rs)
    for (auto& f : kv::rbac_risks(r, off)) all.push_back(std::move(f));
  return all;
}

}  // namespace

TEST_CASE("every RBAC risk rule fires on its own fixture and no other rule does") {
  const auto& catalog = kv::rbac_rule_catalog();
  REQUIRE(catalog.size() == 14);
  for (const auto& rule : catalog) {
    CAPTURE(rule.id);
    auto findings = risks_of(load("risks/" + rule.id + ".yaml"));
    REQUIRE(!findings.empty());
    for (const auto& f : findings) {
      CHECK(f.rule == rule.id);
      CHECK(f.severity == rule.severity);
      CHECK(f.line > 0);
      CHECK(!f.path.empty());
    }
  }
}

TEST_CASE("no RBAC risk rule fires on the least-privilege fixture or the demo chart's objects") {
  auto rs = load("least-privilege.yaml");
  REQUIRE(rs.size() == 5);
  CHECK(risks_of(rs).empty());
  CHECK(risks_of(load("manifests/app.yaml")).empty());
}

TEST_CASE("risk findings name the field path and the line of the offending value") {
  auto f = risks_of(load("risks/KV-RBAC-001.yaml"));
  REQUIRE(f.size() == 1);
  CHECK(f[0].path == "rules[0].verbs");
  CHECK(f[0].line == 10);
  CHECK(f[0].message == "rule grants every verb (\"*\")");
  auto b = risks_of(load("risks/KV-RBAC-013.yaml"));
  REQUIRE(b.size() == 1);
  CHECK(b[0].path == "subjects[0]");
  CHECK(b[0].line == 13);
  auto e = risks_of(load("risks/KV-RBAC-008.yaml"));
  REQUIRE(e.size() == 2);
  CHECK(e[0].path == "rules[1].resources");
  CHECK(e[1].message == "rule grants pods/attach");
}

TEST_CASE("--disable-rule and the kvalidate.io/ignore annotation suppress risk findings") {
  auto rs = load("risks/KV-RBAC-007.yaml");
  CHECK(risks_of(rs, {"KV-RBAC-007"}).empty());
  CHECK(risks_of(rs, {"KV-RBAC-001"}).size() == 1);

  auto loaded = kv::load_text(R"(apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: admin-ish
  annotations:
    kvalidate.io/ignore: "KV-RBAC-001, KV-RBAC-003"
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
)", "inline.yaml");
  REQUIRE(loaded.ok());
  auto f = risks_of(loaded.resources);
  REQUIRE(f.size() == 1);
  CHECK(f[0].rule == "KV-RBAC-002");
  CHECK(f[0].line == 9);

  auto all = kv::load_text(R"(apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: x
  annotations: {kvalidate.io/ignore: "*"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: system:masters}]
)", "inline.yaml");
  REQUIRE(all.ok());
  CHECK(risks_of(all.resources).empty());
}

TEST_CASE("risk rules: get on named secrets passes, list on them does not; wildcard subresources count") {
  auto loaded = kv::load_text(R"(apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: demo}
rules:
  - {apiGroups: [""], resources: [secrets], resourceNames: [one], verbs: [get]}
  - {apiGroups: [""], resources: [secrets], resourceNames: [one], verbs: [list]}
  - {apiGroups: [""], resources: ["*/exec"], verbs: [create]}
  - {apiGroups: [""], resources: [pods], verbs: [create]}
)", "inline.yaml");
  REQUIRE(loaded.ok());
  auto f = risks_of(loaded.resources);
  REQUIRE(f.size() == 2);
  CHECK(f[0].rule == "KV-RBAC-007");
  CHECK(f[0].path == "rules[1].resources");
  CHECK(f[1].rule == "KV-RBAC-008");  // creating pods in a Role is namespace-bound: no KV-RBAC-009
}

TEST_CASE("other kinds get no risk findings; rule ids are checked") {
  auto loaded = kv::load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {verbs: '*'}\n", "c.yaml");
  REQUIRE(loaded.ok());
  CHECK(risks_of(loaded.resources).empty());
  CHECK(kv::check_rule_ids({"KV-RBAC-001", "KV-RBAC-014"}).ok());
  auto bad = kv::check_rule_ids({"KV-RBAC-099"});
  CHECK(bad.exit_code() == 2);
  CHECK(bad.message().find("KV-RBAC-099") != std::string::npos);
}

TEST_CASE("risk policy: warnings by default, catalog severities with error, per-rule severities win") {
  auto wide = risks_of(load("risks/KV-RBAC-001.yaml"));
  REQUIRE(!wide.empty());
  REQUIRE(wide[0].severity == kv::Severity::kError);
  auto warn = kv::make_risk_policy("", {});
  REQUIRE(warn.ok());
  auto f = wide;
  kv::apply_risk_policy(f, *warn);
  REQUIRE(f.size() == wide.size());
  CHECK(f[0].severity == kv::Severity::kWarning);
  auto error = kv::make_risk_policy("error", {{"KV-RBAC-001", "info"}});
  REQUIRE(error.ok());
  auto secrets = risks_of(load("risks/KV-RBAC-007.yaml"));
  auto g = secrets;
  kv::apply_risk_policy(g, *error);
  CHECK(g[0].severity == kv::Severity::kWarning);  // KV-RBAC-007's catalog severity
  g = wide;
  kv::apply_risk_policy(g, *error);
  CHECK(g[0].severity == kv::Severity::kInfo);
  auto off = kv::make_risk_policy("off", {{"KV-RBAC-007", "error"}});
  REQUIRE(off.ok());
  g = wide;
  kv::apply_risk_policy(g, *off);
  CHECK(g.empty());
  g = secrets;
  kv::apply_risk_policy(g, *off);
  REQUIRE(g.size() == secrets.size());
  CHECK(g[0].severity == kv::Severity::kError);
  CHECK_FALSE(kv::make_risk_policy("loud", {}).ok());
  CHECK_FALSE(kv::make_risk_policy("warn", {{"KV-RBAC-999", "off"}}).ok());
  CHECK_FALSE(kv::make_risk_policy("warn", {{"KV-RBAC-001", "fatal"}}).ok());
}
