#include "validators/access_query.h"

#include <doctest/doctest.h>

using namespace kv;

namespace {

kube::ApiResource api(std::string group, std::string kind, std::string resource, bool namespaced,
                      std::vector<std::string> verbs, std::vector<std::string> subresources = {},
                      std::vector<std::string> short_names = {}) {
  return kube::ApiResource{std::move(group), "v1",  std::move(kind), std::move(resource), namespaced,
                           std::move(verbs), std::move(subresources), std::move(short_names)};
}

kube::Discovery served() {
  kube::Discovery d;
  d.resources_ = {api("", "Pod", "pods", true, {"get", "list"}, {"exec", "log"}, {"po"}),
                  api("", "Node", "nodes", false, {"get"}),
                  api("apps", "Deployment", "deployments", true, {"get", "create"}, {}, {"deploy"})};
  d.preferred_ = {"v1", "apps/v1"};
  return d;
}

}  // namespace

TEST_CASE("access query: what a user types resolves to the served resource, its group and scope") {
  auto d = served();
  AccessQuery q;
  q.namespace_ = "demo";
  REQUIRE(resolve_access_target("deploy/web", "", d, q).ok());
  CHECK(q.resource == "deployments");
  CHECK(q.group == "apps");
  CHECK(q.name == "web");
  CHECK(q.namespace_ == "demo");

  AccessQuery node;
  node.namespace_ = "demo";
  REQUIRE(resolve_access_target("nodes", "", d, node).ok());
  CHECK(node.namespace_.empty());  // cluster-scoped

  AccessQuery url;
  REQUIRE(resolve_access_target("/healthz", "", d, url).ok());
  CHECK(url.non_resource_url == "/healthz");

  AccessQuery users;
  users.namespace_ = "demo";
  REQUIRE(resolve_access_target("users", "", d, users).ok());  // no API serves it; RBAC names it
  CHECK(users.resource == "users");
  CHECK(users.namespace_.empty());
}

TEST_CASE("access query: malformed specs, unknown resources and subresources fail with their own codes") {
  auto d = served();
  AccessQuery q;
  CHECK(resolve_access_target("pods/", "", d, q).code() == Status::Code::kUsage);
  CHECK(resolve_access_target("/healthz", "log", d, q).code() == Status::Code::kUsage);
  Status unknown = resolve_access_target("widgets", "", d, q);
  CHECK(unknown.code() == Status::Code::kNotFound);  // a fresher discovery may know it
  CHECK(unknown.message() == "unknown resource \"widgets\": the API server does not serve it");
  CHECK(resolve_access_target("pods", "exex", d, q).code() == Status::Code::kInvalidInput);
  CHECK(resolve_access_target("pods", "exec", d, q).ok());
}

TEST_CASE("access query: the matrix has a row per resource and subresource, keyed by display name") {
  auto rows = access_rows(served());
  REQUIRE(rows.size() == 5);
  CHECK(rows.count("pods/exec"));
  CHECK(rows.count("deployments.apps"));
  CHECK(rows.at("pods/log").verbs == std::vector<std::string>{"get", "create", "update", "patch"});
  CHECK(rows.at("nodes").namespaced == false);
}
