#include "validators/rbac_rules.h"

#include <doctest/doctest.h>

#include <filesystem>

#include <fmt/core.h>

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

TEST_CASE("risk rules: the catalog is the rule table, in id order, each with a title and help") {
  const auto& catalog = kv::rbac_rule_catalog();
  REQUIRE(catalog.size() == 14);
  for (size_t i = 0; i < catalog.size(); ++i) {
    CAPTURE(i);
    CHECK(catalog[i].id == fmt::format("KV-RBAC-{:03}", i + 1));
    CHECK_FALSE(catalog[i].title.empty());
    CHECK_FALSE(catalog[i].help.empty());
    CHECK(kv::find_rbac_rule(catalog[i].id) == &catalog[i]);
  }
  CHECK(kv::find_rbac_rule("KV-RBAC-015") == nullptr);
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

TEST_CASE("risk rules read the text alone as they read the tree: objects without a kept tree (manifests) find the same") {
  // Without a kept tree a rule set is looked for in the text first, and an object whose text holds none of
  // the words the rules look for is not parsed: every fixture must find the same either way.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(KV_SOURCE_DIR) + "/fixtures/rbac")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    kv::LoadOptions lean;
    lean.keep_objects = false;
    auto kept = kv::load_paths({entry.path().string()});
    auto text = kv::load_paths({entry.path().string()}, lean);
    REQUIRE(kept.resources.size() == text.resources.size());
    auto a = risks_of(kept.resources), b = risks_of(text.resources);
    REQUIRE_MESSAGE(a.size() == b.size(), entry.path().string());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].rule == b[i].rule);
      CHECK(a[i].line == b[i].line);
      CHECK(a[i].column == b[i].column);
    }
  }
  // A word written with an escape is still read.
  kv::LoadOptions lean;
  lean.keep_objects = false;
  auto escaped = kv::load_text("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\n"
                               "rules:\n- apiGroups: [\"\"]\n  resources: [\"pods\"]\n  verbs: [\"\\x2a\"]\n",
                               "escaped.yaml", lean);
  REQUIRE(escaped.resources.size() == 1);
  REQUIRE(escaped.resources[0].object.IsNull());
  auto found = kv::rbac_risks(escaped.resources[0], {});
  REQUIRE(found.size() == 1);
  CHECK(found[0].rule == "KV-RBAC-001");
}

TEST_CASE("text_may_hold: a token or a backslash in the text, or a kept tree") {
  kv::LoadOptions lean;
  lean.keep_objects = false;
  auto plain = kv::load_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n", "s.yaml", lean);
  REQUIRE(plain.resources.size() == 1);
  CHECK_FALSE(kv::text_may_hold(plain.resources[0], {"nodePort", "clusterIP"}));
  CHECK(kv::text_may_hold(plain.resources[0], {"nodePort", "port"}));
  auto escaped = kv::load_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {\"node\\x50ort\": 1}\n", "e.yaml", lean);
  CHECK(kv::text_may_hold(escaped.resources[0], {"nodePort"}));
  auto kept = kv::load_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n", "k.yaml");
  CHECK(kv::text_may_hold(kept.resources[0], {"nodePort"}));
}
