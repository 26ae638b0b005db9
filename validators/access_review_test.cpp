#include "validators/access_review.h"

#include <doctest/doctest.h>

#include "core/json.h"

using Groups = std::vector<std::string>;

TEST_CASE("impersonated users get the groups Kubernetes gives them") {
  CHECK(kv::impersonation_groups("system:serviceaccount:demo:app", {}) ==
        Groups{"system:serviceaccounts", "system:serviceaccounts:demo", "system:authenticated"});
  CHECK(kv::impersonation_groups("alice", {}) == Groups{"system:authenticated"});
  CHECK(kv::impersonation_groups("alice", {"dev"}) == Groups{"dev", "system:authenticated"});
  CHECK(kv::impersonation_groups("system:serviceaccount:demo:app", {"dev"}) == Groups{"dev", "system:authenticated"});
  CHECK(kv::impersonation_groups("bob", {"system:unauthenticated"}) == Groups{"system:unauthenticated"});
  CHECK(kv::impersonation_groups("system:anonymous", {}).empty());
  // Not a service account name: too few or too many parts.
  CHECK(kv::impersonation_groups("system:serviceaccount:demo", {}) == Groups{"system:authenticated"});
  std::string ns, name;
  CHECK(kv::split_service_account("system:serviceaccount:kube-system:default", &ns, &name));
  CHECK(ns == "kube-system");
  CHECK(name == "default");
  CHECK_FALSE(kv::split_service_account("system:serviceaccount:a:b:c", &ns, &name));
}

TEST_CASE("a SubjectAccessReview body carries every attribute") {
  kv::AccessQuery q{"u", {"g1", "g2"}, "create", "apps", "deployments", "scale", "web", "demo", ""};
  auto doc = kv::parse_json(kv::review_body(q), "body");
  REQUIRE(doc.ok());
  auto spec = (*doc)["spec"];
  CHECK((*doc)["kind"].as<std::string>() == "SubjectAccessReview");
  CHECK(spec["user"].as<std::string>() == "u");
  CHECK(spec["groups"].size() == 2);
  auto ra = spec["resourceAttributes"];
  CHECK(ra["verb"].as<std::string>() == "create");
  CHECK(ra["group"].as<std::string>() == "apps");
  CHECK(ra["resource"].as<std::string>() == "deployments");
  CHECK(ra["subresource"].as<std::string>() == "scale");
  CHECK(ra["name"].as<std::string>() == "web");
  CHECK(ra["namespace"].as<std::string>() == "demo");

  kv::AccessQuery n{"u", {}, "get", "", "", "", "", "", "/healthz"};
  auto nd = kv::parse_json(kv::review_body(n), "body");
  REQUIRE(nd.ok());
  CHECK((*nd)["spec"]["nonResourceAttributes"]["path"].as<std::string>() == "/healthz");
  CHECK(!(*nd)["spec"]["resourceAttributes"]);
  CHECK(kv::review_request(q).path == "/apis/authorization.k8s.io/v1/subjectaccessreviews");
}

TEST_CASE("review answers are parsed; failures map to exit 3") {
  kv::kube::Response ok;
  ok.status = 201;
  ok.body = R"({"status":{"allowed":true,"reason":"RBAC: allowed by RoleBinding \"x/demo\""}})";
  auto a = kv::parse_review_response(ok);
  REQUIRE(a.ok());
  CHECK(a->allowed);
  CHECK(a->reason == "RBAC: allowed by RoleBinding \"x/demo\"");

  kv::kube::Response no;
  no.status = 201;
  no.body = R"({"status":{"allowed":false,"denied":true,"evaluationError":"role not found"}})";
  auto d = kv::parse_review_response(no);
  REQUIRE(d.ok());
  CHECK_FALSE(d->allowed);
  CHECK(d->denied);
  CHECK(d->evaluation_error == "role not found");

  kv::kube::Response lost;
  lost.transport_error = "connection refused";
  CHECK(kv::parse_review_response(lost).status().exit_code() == 3);

  kv::kube::Response forbidden;
  forbidden.status = 403;
  forbidden.body = R"({"kind":"Status","message":"subjectaccessreviews is forbidden"})";
  auto f = kv::parse_review_response(forbidden);
  CHECK(f.status().exit_code() == 3);
  CHECK(f.status().message().find("HTTP 403: subjectaccessreviews is forbidden") != std::string::npos);
}

TEST_CASE("RBAC-only resources (impersonation targets, signers) are known without discovery") {
  std::string group = "x";
  CHECK(kv::rbac_only_resource("users", &group));
  CHECK(group.empty());
  CHECK(kv::rbac_only_resource("userextras.authentication.k8s.io", &group));
  CHECK(group == "authentication.k8s.io");
  CHECK(kv::rbac_only_resource("signers", &group));
  CHECK(group == "certificates.k8s.io");
  CHECK_FALSE(kv::rbac_only_resource("users.apps", &group));
  CHECK_FALSE(kv::rbac_only_resource("pods", &group));
}
