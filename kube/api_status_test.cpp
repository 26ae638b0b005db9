#include "kube/api_status.h"

#include <doctest/doctest.h>

TEST_CASE("an Invalid Status keeps every cause with its field") {
  const char* body = R"({"kind":"Status","apiVersion":"v1","status":"Failure",
    "message":"Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
    "reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment","causes":[
      {"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"}]},
    "code":422})";
  auto st = kv::kube::parse_api_status(body, 422);
  CHECK(st.reason == "Invalid");
  CHECK(st.code == 422);
  REQUIRE(st.causes.size() == 1);
  CHECK(st.causes[0].field == "spec.replicas");
  CHECK(st.causes[0].reason == "FieldValueInvalid");
}

TEST_CASE("a body that is not a Status becomes a bounded one-line message") {
  auto st = kv::kube::parse_api_status("<html>\nbad gateway\n</html>", 502);
  CHECK(st.reason == "HTTP502");
  CHECK(st.message == "HTTP 502: <html> bad gateway </html>");
  CHECK(st.causes.empty());
}

TEST_CASE("a Status whose details is not a map is parsed without throwing (found by fuzz_api_status)") {
  auto st = kv::kube::parse_api_status(R"({"kind":"Status","message":"m","details":"x","code":500})", 500);
  CHECK(st.message == "m");
  CHECK(st.causes.empty());
  st = kv::kube::parse_api_status(R"({"kind":"Status","details":{"causes":[1,"a",{"field":["x"]}]}})", 422);
  CHECK(st.causes.size() == 3);
}
