#include "resources/kind_filter.h"

#include <doctest/doctest.h>

#include "resources/loader.h"

TEST_CASE("parse_kind_filter splits lists and refuses what is not a kind") {
  auto f = kv::parse_kind_filter({"Secret, v1/ConfigMap", "apps/v1/Deployment"}, {"ClusterRoleBinding"});
  REQUIRE(f.ok());
  CHECK(f->skip == std::vector<std::string>{"Secret", "v1/ConfigMap", "apps/v1/Deployment"});
  CHECK(f->reject == std::vector<std::string>{"ClusterRoleBinding"});
  for (const char* bad : {"", "secret", "Secret,", "apps/v1/", "/Pod"}) {
    CAPTURE(bad);
    auto p = kv::parse_kind_filter({bad}, {});
    CHECK_FALSE(p.ok());
    CHECK(p.status().exit_code() == 2);
  }
}

TEST_CASE("take_filtered_kinds skips and rejects by Kind or apiVersion/Kind") {
  auto loaded = kv::load_text(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\n"
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\n",
      "m.yaml");
  REQUIRE(loaded.ok());
  auto filter = kv::parse_kind_filter({"Secret,apps/v1/Deployment", "v2/ConfigMap"}, {"ClusterRoleBinding"});
  REQUIRE(filter.ok());
  auto results = kv::take_filtered_kinds(loaded.resources, *filter, "");
  REQUIRE(loaded.resources.size() == 1);
  CHECK(loaded.resources[0].kind == "ConfigMap");  // v2/ConfigMap does not name v1 ConfigMaps
  REQUIRE(results.size() == 3);
  CHECK(results[0].kind == "Secret");
  CHECK(results[0].status == kv::ObjectStatus::kSkipped);
  CHECK(results[0].findings[0].message.find("--skip-kind Secret") != std::string::npos);
  CHECK(results[1].status == kv::ObjectStatus::kSkipped);
  CHECK(results[2].status == kv::ObjectStatus::kInvalid);
  CHECK(results[2].findings[0].rule == "kind/rejected");
  CHECK(results[2].findings[0].line == 14);  // the kind line
  CHECK(results[2].suite == "m.yaml");
}
