#include "engine/cluster_crds.h"

#include <filesystem>

#include <doctest/doctest.h>

#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

const char* kList = R"({"kind":"CustomResourceDefinitionList","items":[
 {"metadata":{"name":"gadgets.tools.example.org","uid":"u1","resourceVersion":"9","managedFields":[{}],
   "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{...}"},"labels":{"team":"a"}},
  "spec":{"group":"tools.example.org","scope":"Namespaced","names":{"plural":"gadgets","kind":"Gadget"},
   "conversion":{"strategy":"Webhook","webhook":{"clientConfig":{"service":{"name":"conv","namespace":"x"}}}},
   "versions":[{"name":"v1","served":true,"storage":true}]},
  "status":{"conditions":[{"type":"Established","status":"True"}]}}]})";

}  // namespace

TEST_CASE("cluster CRDs are copied without status, server fields or webhook conversion") {
  auto crds = crds_from_list(kList, "https://c:6443 (--crds-from-cluster)");
  REQUIRE(crds.ok());
  REQUIRE(crds->size() == 1);
  const Resource& r = crds->front();
  CHECK(r.name == "gadgets.tools.example.org");
  CHECK(r.kind == "CustomResourceDefinition");
  CHECK(r.body.find("status") == std::string::npos);
  CHECK(r.body.find("resourceVersion") == std::string::npos);
  CHECK(r.body.find("last-applied") == std::string::npos);
  CHECK(r.body.find("\"team\":\"a\"") != std::string::npos);
  CHECK(r.body.find("\"conversion\":{\"strategy\":\"None\"}") != std::string::npos);
  CHECK(r.object["spec"]["names"]["kind"].as<std::string>() == "Gadget");
  CHECK_FALSE(crds_from_list("{\"kind\":\"Status\"}", "x").ok());
}

TEST_CASE("cluster CRDs are listed with GETs only and cached per cluster") {
  auto dir = std::filesystem::temp_directory_path() / "kv-cluster-crds-test";
  std::filesystem::remove_all(dir);
  int lists = 0;
  FakeTransport t([&](const kube::Request& r) {
    CHECK(r.method == "GET");
    if (r.path == "/api/v1/namespaces/kube-system") return answer(200, R"({"metadata":{"uid":"cluster-1"}})");
    ++lists;
    return answer(200, kList);
  });
  auto first = cluster_crds(t, dir.string());
  REQUIRE(first.ok());
  CHECK(first->size() == 1);
  auto again = cluster_crds(t, dir.string());
  REQUIRE(again.ok());
  CHECK(again->size() == 1);
  CHECK(lists == 1);  // the second came from the cache
  FakeTransport refuses([](const kube::Request&) { return answer(403); });
  auto denied = cluster_crds(refuses, "");
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.status().message().find("HTTP 403") != std::string::npos);
  std::filesystem::remove_all(dir);
}
