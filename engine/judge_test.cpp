#include "engine/judge.h"

#include <doctest/doctest.h>

#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

Resource deployment() {
  return load("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n").at(0);
}

std::string status_body(const std::string& reason, const std::string& message, const std::string& causes = "") {
  std::string details = causes.empty() ? "" : R"(,"details":{"causes":[)" + causes + "]}";
  return R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":")" + reason + R"(","message":")" +
         message + "\"" + details + "}";
}

}  // namespace

TEST_CASE("judge: a 2xx answer is valid") {
  Redactor none;
  auto j = judge(deployment(), answer(200), false, none);
  CHECK(j.status == ObjectStatus::kValid);
  CHECK(j.findings.empty());
}

TEST_CASE("judge: Warning headers become findings with a rule and the field they name") {
  Redactor none;
  auto resp = answer(200, "{}", {"unknown field \"spec.foo\"", "apps/v1beta1 Deployment is deprecated in v1.9+",
                                 "duplicate field \"metadata.name\"", "something else"});
  auto j = judge(deployment(), resp, false, none);
  CHECK(j.status == ObjectStatus::kValid);
  REQUIRE(j.findings.size() == 4);
  CHECK(j.findings[0].rule == "dry-run/unknown-field");
  CHECK(j.findings[0].path == "spec.foo");
  CHECK(j.findings[0].severity == Severity::kWarning);
  CHECK(j.findings[1].rule == "dry-run/deprecated-api");
  CHECK(j.findings[2].rule == "dry-run/duplicate-field");
  CHECK(j.findings[2].path == "metadata.name");
  CHECK(j.findings[3].rule == "dry-run/warning");
  CHECK(j.findings[3].path.empty());
  CHECK(warning_rule("policy/v1beta1 PodSecurityPolicy unavailable in v1.25+") == "dry-run/deprecated-api");
}

TEST_CASE("judge: with warnings as errors a warned object is invalid") {
  Redactor none;
  auto j = judge(deployment(), answer(201, "{}", {"unknown field \"spec.foo\""}), true, none);
  CHECK(j.status == ObjectStatus::kInvalid);
  CHECK(j.findings.at(0).severity == Severity::kError);
}

TEST_CASE("judge: an Invalid Status gives one finding per cause, at its field") {
  Redactor none;
  std::string body = status_body(
      "Invalid", "Deployment.apps \\\"web\\\" is invalid",
      R"({"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"},)"
      R"({"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"})");
  auto j = judge(deployment(), answer(422, body), false, none);
  CHECK(j.status == ObjectStatus::kInvalid);
  REQUIRE(j.findings.size() == 2);
  CHECK(j.findings[0].rule == "dry-run/FieldValueInvalid");
  CHECK(j.findings[0].path == "spec.replicas");
  CHECK(j.findings[0].message == "spec.replicas: Invalid value: -1: must be greater than or equal to 0");
  CHECK(j.findings[1].rule == "dry-run/FieldValueRequired");
}

TEST_CASE("judge: a cause without reason takes the Status reason; one without field keeps the message alone") {
  Redactor none;
  std::string body = status_body("Invalid", "bad", R"({"message":"metadata is broken"})");
  auto j = judge(deployment(), answer(422, body), false, none);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].rule == "dry-run/Invalid");
  CHECK(j.findings[0].message == "metadata is broken");
  CHECK(j.findings[0].path.empty());
}

TEST_CASE("judge: a 4xx Status without causes is one finding named by its reason") {
  Redactor none;
  auto j = judge(deployment(), answer(400, status_body("BadRequest", "the body is not an object")), false, none);
  CHECK(j.status == ObjectStatus::kInvalid);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].rule == "dry-run/BadRequest");
  CHECK(j.findings[0].message == "the body is not an object");
  auto empty_reason = judge(deployment(), answer(404, status_body("", "gone")), false, none);
  CHECK(empty_reason.findings.at(0).rule == "dry-run/Error");
}

TEST_CASE("judge: typed-patch errors in the message are the object's own schema errors") {
  Redactor none;
  std::string body = status_body("BadRequest",
                                 "failed to create typed patch object (/web; apps/v1, Kind=Deployment): "
                                 ".spec.replicas: expected numeric (int or float), got string");
  auto j = judge(deployment(), answer(500, body), false, none);
  CHECK(j.status == ObjectStatus::kInvalid);  // whatever HTTP code carried them
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].rule == "dry-run/wrong-type");
  CHECK(j.findings[0].path == "spec.replicas");
}

TEST_CASE("judge: 5xx, 401, 403 and 429 are about the server or our access: errors, not findings") {
  Redactor none;
  for (long code : {500L, 503L, 401L, 403L, 429L}) {
    CAPTURE(code);
    auto j = judge(deployment(), answer(code, status_body("InternalError", "etcd is gone")), false, none);
    CHECK(j.status == ObjectStatus::kError);
    CHECK(j.findings.at(0).rule == "server/InternalError");
  }
}

TEST_CASE("judge: a body that is not a Status names the HTTP code") {
  Redactor none;
  auto j = judge(deployment(), answer(502, "<html>bad gateway</html>"), false, none);
  CHECK(j.status == ObjectStatus::kError);
  CHECK(j.findings.at(0).rule == "server/HTTP502");
  CHECK(j.findings.at(0).message == "HTTP 502: <html>bad gateway</html>");
}

TEST_CASE("judge: no answer at all is an error of the server, not of the object") {
  Redactor none;
  auto j = judge(deployment(), kube::Response{0, "", {}, "Connection refused"}, false, none);
  CHECK(j.status == ObjectStatus::kError);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].rule == "server/unavailable");
  CHECK(j.findings[0].message == "not validated: the API server did not answer: Connection refused");
}

TEST_CASE("judge: Secret values never reach a message") {
  auto secret = load("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2-long}\n");
  Redactor redact;
  redact.collect(secret);
  std::string body = status_body("Invalid", "x", R"({"reason":"FieldValueInvalid","message":"Invalid value: \"hunter2-long\": nope","field":"stringData"})");
  auto j = judge(secret.at(0), answer(422, body, {"value hunter2-long looks odd"}), false, redact);
  REQUIRE(j.findings.size() == 2);
  for (const auto& f : j.findings) CHECK(f.message.find("hunter2-long") == std::string::npos);
}
