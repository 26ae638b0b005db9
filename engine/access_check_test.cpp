#include "engine/access_check.h"

#include <doctest/doctest.h>

#include "core/json.h"

using namespace kv;
using namespace kv::engine;

TEST_CASE("access_answer_text: yes or no, then the reason and the evaluation error there are") {
  AccessAnswer a;
  CHECK(access_answer_text(a) == "no");
  a.allowed = true;
  a.reason = "RBAC: allowed by RoleBinding \"view\"";
  CHECK(access_answer_text(a) == "yes - RBAC: allowed by RoleBinding \"view\"");
  a.evaluation_error = "role \"gone\" not found";
  CHECK(access_answer_text(a) == "yes - RBAC: allowed by RoleBinding \"view\" - role \"gone\" not found");
  auto doc = parse_json(access_answer_json(a), "answer");
  REQUIRE(doc.ok());
  CHECK((*doc)["allowed"].as<bool>());
  CHECK_FALSE((*doc)["denied"].as<bool>());
  CHECK((*doc)["evaluationError"].as<std::string>() == "role \"gone\" not found");
}

TEST_CASE("access_list_text and _json list only the resources with a verb allowed") {
  AccessList l;
  l.user = "alice";
  l.groups = {"system:authenticated"};
  l.namespace_ = "demo";
  l.rows["deployments.apps"] = AccessRow{"apps", "deployments", "", true, {"get", "list"}, {"get", "list"}};
  l.rows["pods"] = AccessRow{"", "pods", "", true, {"get"}, {"get"}};
  l.rows["secrets"] = AccessRow{"", "secrets", "", true, {"get"}, {}};
  CHECK(access_list_text(l) ==
        "Resources          Verbs\n"
        "deployments.apps   [get list]\n"
        "pods               [get]\n");
  auto doc = parse_json(access_list_json(l), "list");
  REQUIRE(doc.ok());
  CHECK((*doc)["user"].as<std::string>() == "alice");
  CHECK((*doc)["namespace"].as<std::string>() == "demo");
  REQUIRE((*doc)["resources"].size() == 2);
  CHECK((*doc)["resources"][0]["group"].as<std::string>() == "apps");
  CHECK((*doc)["resources"][1]["verbs"][0].as<std::string>() == "get");
}
