#include "kube/requests.h"

#include <doctest/doctest.h>

TEST_CASE("request paths for namespaced, cluster-scoped and core resources") {
  kv::kube::ApiResource deploy{"apps", "v1", "Deployment", "deployments", true, {}, {}, {}};
  kv::kube::ApiResource ns{"", "v1", "Namespace", "namespaces", false, {}, {}, {}};
  CHECK(kv::kube::object_path(deploy, "demo", "web") == "/apis/apps/v1/namespaces/demo/deployments/web");
  CHECK(kv::kube::object_path(ns, "ignored", "demo") == "/api/v1/namespaces/demo");
  auto r = kv::kube::apply_request(deploy, "demo", "a b", "{}", "kvalidate", true);
  CHECK(r.method == "PATCH");
  CHECK(r.path == "/apis/apps/v1/namespaces/demo/deployments/a%20b?fieldManager=kvalidate&fieldValidation=Strict&force=true&dryRun=All");
  CHECK(r.content_type == "application/apply-patch+yaml");
  auto c = kv::kube::create_request(ns, "", "{}", "kvalidate", false);
  CHECK(c.path == "/api/v1/namespaces?fieldManager=kvalidate&fieldValidation=Strict");
}

TEST_CASE("update and get requests address the object; update keeps create's query") {
  kv::kube::ApiResource cm{"", "v1", "ConfigMap", "configmaps", true, {}, {}, {}};
  auto u = kv::kube::update_request(cm, "demo", "a", "{}", "kvalidate", true);
  CHECK(u.method == "PUT");
  CHECK(u.path == "/api/v1/namespaces/demo/configmaps/a?fieldManager=kvalidate&fieldValidation=Strict&dryRun=All");
  CHECK(u.content_type == "application/yaml");
  auto g = kv::kube::get_request(cm, "demo", "a");
  CHECK(g.method == "GET");
  CHECK(g.path == "/api/v1/namespaces/demo/configmaps/a");
  CHECK(g.body.empty());
}
