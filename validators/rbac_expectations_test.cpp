#include "validators/rbac_expectations.h"

#include <doctest/doctest.h>

namespace {

std::string fixture(const std::string& rel) { return std::string(KV_SOURCE_DIR) + "/fixtures/rbac/" + rel; }

kv::kube::Discovery small_discovery() {
  kv::kube::Discovery d;
  d.resources_ = {
      {"", "v1", "Pod", "pods", true, {"get", "list", "watch", "create"}, {"exec", "log", "status"}, {"po"}},
      {"", "v1", "Secret", "secrets", true, {"get", "list"}, {}, {}},
      {"", "v1", "ConfigMap", "configmaps", true, {"get", "list"}, {}, {"cm"}},
      {"", "v1", "Node", "nodes", false, {"get", "list"}, {"proxy"}, {"no"}},
      {"apps", "v1", "Deployment", "deployments", true, {"get", "list"}, {"scale"}, {"deploy"}},
  };
  d.preferred_ = {"v1", "apps/v1"};
  return d;
}

}  // namespace

TEST_CASE("the expectations fixture parses with lines, namespaces and both forms") {
  auto exps = kv::load_expectations(fixture("expectations-pass.yaml"));
  REQUIRE(exps.ok());
  REQUIRE(exps->size() == 8);
  const auto& e = *exps;
  CHECK(e[0].user == "system:serviceaccount:demo:app");
  CHECK(e[0].allow);
  CHECK(e[0].verb == "list");
  CHECK(e[0].resource == "pods");
  CHECK(e[0].namespace_ == "demo");
  CHECK(e[0].line == 5);
  CHECK(e[0].file == fixture("expectations-pass.yaml"));
  CHECK(e[1].name == "web-0");
  CHECK_FALSE(e[2].allow);
  CHECK(e[4].group == "apps");
  CHECK(e[4].group_given);
  CHECK(e[5].subresource == "exec");
  CHECK(e[5].line == 10);
  CHECK(e[6].namespace_ == "kube-system");
  // No namespace: a service account's own namespace.
  CHECK(e[7].user == "system:serviceaccount:demo:other");
  CHECK(e[7].namespace_ == "demo");
  CHECK(e[7].line == 13);
}

TEST_CASE("bad expectations are errors naming file and line") {
  auto verb = kv::load_expectations(fixture("expectations-bad-verb.yaml"));
  REQUIRE_FALSE(verb.ok());
  CHECK(verb.status().exit_code() == 2);
  CHECK(verb.status().message().find("expectations-bad-verb.yaml:5: unknown verb \"lsit\"") != std::string::npos);

  auto cases = {
      std::pair<const char*, const char*>{"expectations: [{allow: [list pods]}]\n", "x.yaml:1: expectations entry without \"as\""},
      {"expectations:\n  - as: u\n    allow: [\"list\"]\n", "x.yaml:3: \"list\": expected \"VERB RESOURCE"},
      {"expectations:\n  - as: u\n    allow:\n      - {verb: get, resource: pods, colour: red}\n", "x.yaml:4: unknown key \"colour\""},
      {"expectations:\n  - as: u\n    permit: [get pods]\n", "x.yaml:3: unknown key \"permit\""},
      {"expectations:\n  - as: u\n", "x.yaml:2: expectations entry without \"allow\" or \"deny\""},
      {"rules: []\n", "x.yaml: expected a map with an \"expectations\" list"},
      {"expectations: [\n", "x.yaml:2:1: invalid YAML"},
  };
  for (const auto& [text, want] : cases) {
    CAPTURE(text);
    auto r = kv::parse_expectations(text, "x.yaml");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find(want) != std::string::npos);
  }
  CHECK_FALSE(kv::load_expectations(fixture("no-such-file.yaml")).ok());
}

TEST_CASE("expectations are resolved against discovery") {
  auto d = small_discovery();
  auto exps = kv::parse_expectations(R"(expectations:
  - as: alice
    allow: ["list po", "get deploy/web", "get nodes", {verb: get, resource: nodes, subresource: proxy}]
    deny: [{verb: list, resource: pods, namespace: "*"}, "* *"]
)", "e.yaml");
  REQUIRE(exps.ok());
  REQUIRE(kv::check_expectations(*exps, d).ok());
  const auto& e = *exps;
  CHECK(e[0].resource == "pods");
  CHECK(e[0].namespace_ == "default");
  CHECK(kv::expectation_title(e[0]) == "alice list pods in default");
  CHECK(e[1].resource == "deployments");
  CHECK(e[1].group == "apps");
  CHECK(kv::expectation_title(e[1]) == "alice get deployments.apps/web in default");
  CHECK(e[2].cluster_scoped);
  CHECK(e[2].namespace_.empty());
  CHECK(kv::expectation_title(e[2]) == "alice get nodes");
  CHECK(kv::expectation_title(e[3]) == "alice get nodes/proxy");
  CHECK(kv::expectation_title(e[4]) == "alice list pods in all namespaces");
  CHECK(e[5].resource == "*");

  auto bad = kv::load_expectations(fixture("expectations-bad-resource.yaml"));
  REQUIRE(bad.ok());
  auto s = kv::check_expectations(*bad, d);
  CHECK(s.exit_code() == 2);
  CHECK(s.message().find("expectations-bad-resource.yaml:6: unknown resource \"podz\"") != std::string::npos);

  auto virt = kv::parse_expectations("expectations:\n  - as: u\n    deny: [impersonate users, sign signers]\n", "v.yaml");
  REQUIRE(virt.ok());
  REQUIRE(kv::check_expectations(*virt, d).ok());
  CHECK(kv::expectation_title((*virt)[0]) == "u impersonate users");
  CHECK(kv::expectation_title((*virt)[1]) == "u sign signers.certificates.k8s.io");

  auto sub = kv::parse_expectations("expectations:\n  - as: u\n    deny: [{verb: create, resource: pods, subresource: exex}]\n", "s.yaml");
  REQUIRE(sub.ok());
  auto ss = kv::check_expectations(*sub, d);
  CHECK(ss.message().find("s.yaml:3: unknown subresource \"exex\" of pods") != std::string::npos);
}
