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

TEST_CASE("requests: lists across namespaces, plain requests, non-strict applies and managed namespaces") {
  kv::kube::ApiResource roles{"rbac.authorization.k8s.io", "v1", "Role", "roles", true, {}, {}, {}};
  CHECK(kv::kube::all_namespaces_path(roles) == "/apis/rbac.authorization.k8s.io/v1/roles");
  auto del = kv::kube::plain_request("DELETE", "/x");
  CHECK(del.method == "DELETE");
  CHECK(del.body.empty());
  auto apply = kv::kube::apply_request(roles, "team a", "r/1", "{}", "kvalidate-rbac", false, false);
  CHECK(apply.path == "/apis/rbac.authorization.k8s.io/v1/namespaces/team%20a/roles/r%2F1?fieldManager=kvalidate-rbac&force=true");
  auto ns = kv::kube::managed_namespace_request("demo", "kvalidate");
  CHECK(ns.method == "POST");
  CHECK(ns.path == "/api/v1/namespaces?fieldManager=kvalidate");
  CHECK(ns.body == R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo","labels":{"kvalidate.io/managed":"true"}}})");
  auto run = kv::kube::managed_namespace_request("demo", "kvalidate", "r1");
  CHECK(run.body == R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo","labels":{"kvalidate.io/managed":"true","kvalidate.io/run":"r1"}}})");
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
