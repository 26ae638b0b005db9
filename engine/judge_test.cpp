#include "engine/judge.h"

#include <doctest/doctest.h>

#include "engine/test_support.h"
#include "kube/api_status.h"
#include "kube/requests.h"

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

TEST_CASE("judge: a field the server defaulted from the one at fault, refused in the same words, is one defect") {
  Redactor none;
  const std::string causes =
      R"({"reason":"FieldValueInvalid","message":"Invalid value: 99999: must be between 1 and 65535, inclusive","field":"spec.ports[0].port"},)"
      R"({"reason":"FieldValueInvalid","message":"Invalid value: 99999: must be between 1 and 65535, inclusive","field":"spec.ports[0].targetPort"})";
  const std::string body = status_body("Invalid", "Service \\\"s\\\" is invalid", causes);
  // targetPort not written: the server copied the port into it.
  auto defaulted = load("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 99999\n").at(0);
  auto j = judge(defaulted, answer(422, body), false, none);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].path == "spec.ports[0].port");
  // Both written: two defects.
  auto both = load("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 99999\n"
                   "    targetPort: 99999\n").at(0);
  CHECK(judge(both, answer(422, body), false, none).findings.size() == 2);
  // In other words: a LimitRange's defaultRequest, copied from its default.
  const std::string limits = status_body(
      "Invalid", "invalid",
      R"({"reason":"FieldValueInvalid","message":"Invalid value: \"2\": default request value 2 is greater than max value 1","field":"spec.limits[0].defaultRequest[cpu]"},)"
      R"({"reason":"FieldValueInvalid","message":"Invalid value: \"1\": default value 2 is greater than max value 1","field":"spec.limits[0].default[cpu]"})");
  auto lr = load("apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits:\n  - type: Container\n"
                 "    default: {cpu: 2}\n    max: {cpu: 1}\n").at(0);
  auto lj = judge(lr, answer(422, limits), false, none);
  REQUIRE(lj.findings.size() == 1);
  CHECK(lj.findings[0].path == "spec.limits[0].default[cpu]");
  // A selector refused as a whole beside the label that makes it invalid.
  const std::string selector = status_body(
      "Invalid", "invalid",
      R"({"reason":"FieldValueInvalid","message":"Invalid value: {\"matchLabels\":{\"app\":\"a b\"}}: invalid label selector","field":"spec.selector"},)"
      R"({"reason":"FieldValueInvalid","message":"Invalid value: \"a b\": a valid label must be ...","field":"spec.selector.matchLabels"})");
  auto d = load("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector:\n    matchLabels: {app: a b}\n").at(0);
  auto sj = judge(d, answer(422, selector), false, none);
  REQUIRE(sj.findings.size() == 1);
  CHECK(sj.findings[0].path == "spec.selector.matchLabels");
}

TEST_CASE("judge: validation rules left out for a custom resource are an info, and the blocking fields are set aside") {
  Redactor none;
  Resource cr = load("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
                     "spec: {color: green, size: 10Ki, name: toolong}\n")
                    .at(0);
  std::string body = status_body(
      "Invalid", "Widget.example.com \\\"w\\\" is invalid",
      R"({"reason":"FieldValueNotSupported","message":"Unsupported value: \"green\"","field":"spec.color"},)"
      R"({"reason":"FieldValueInvalid","message":"Invalid value: \"10Ki\": should match","field":"spec.size"},)"
      R"({"reason":"FieldValueTooLong","message":"Too long: may not be more than 5 bytes","field":"spec.name"},)"
      R"({"reason":"FieldValueRequired","message":"Required value","field":"spec.owner"},)"
      R"({"reason":"FieldValueInvalid","message":"Invalid value: null: some validation rules were not checked because )"
      R"(the object was invalid; correct the existing errors to complete validation","field":"<nil>"})");
  auto j = judge(cr, answer(422, body), false, none);
  CHECK(j.status == ObjectStatus::kInvalid);
  REQUIRE(j.findings.size() == 5);
  CHECK(j.findings[4].severity == Severity::kInfo);
  CHECK(j.findings[4].rule == kRulesNotCheckedRule);
  for (size_t k = 0; k < 4; ++k) CHECK(j.findings[k].severity == Severity::kError);
  // The unsupported and too long values go; the pattern error does not block the rules; a missing field
  // cannot be set aside.
  CHECK(j.set_aside == std::vector<std::string>{"spec.color", "spec.name"});
}

TEST_CASE("judge: without the note, schema errors set nothing aside") {
  Redactor none;
  Resource cr = load("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {color: green}\n").at(0);
  std::string body = status_body(
      "Invalid", "bad", R"({"reason":"FieldValueNotSupported","message":"Unsupported value","field":"spec.color"})");
  auto j = judge(cr, answer(422, body), false, none);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.set_aside.empty());
}

TEST_CASE("judge: where admission may judge too, the fields validation refused are set aside for it") {
  Redactor none;
  Resource d = load("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: -1}\n").at(0);
  std::string body = status_body(
      "Invalid", "bad",
      R"({"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"},)"
      R"({"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"})");
  AdmissionContext none_in_play;
  CHECK(judge(d, answer(422, body), false, none, &none_in_play, "default").set_aside.empty());
  AdmissionContext policies;
  policies.validating["limits"] = AdmissionPolicy{};
  auto j = judge(d, answer(422, body), false, none, &policies, "default");
  CHECK(j.status == ObjectStatus::kInvalid);
  CHECK(j.set_aside == std::vector<std::string>{"spec.replicas"});  // spec.selector is not written: nothing to leave out
  AdmissionContext enforced;
  enforced.enforced["shop"] = "restricted:latest";
  CHECK(judge(d, answer(422, body), false, none, &enforced, "default").set_aside.empty());  // another namespace
  CHECK(judge(d, answer(422, body), false, none, &enforced, "shop").set_aside == std::vector<std::string>{"spec.replicas"});
}

TEST_CASE("judge: a number the server could not convert to its integer field is found at that field") {
  Redactor none;
  Resource d = load("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                    "spec:\n  replicas: 1.5\n  template:\n    spec:\n      containers:\n      - {name: a, resources: {limits: {cpu: 0.5}}}\n")
                   .at(0);
  std::string body = status_body("BadRequest",
                                 "failed to convert new object (default/web; apps/v1, Kind=Deployment) to proper version: "
                                 "unable to convert unstructured object to apps/v1, Kind=Deployment: cannot convert "
                                 "float64 to int32");
  auto j = judge(d, answer(500, body), false, none);
  CHECK(j.status == ObjectStatus::kInvalid);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].rule == "dry-run/wrong-type");
  CHECK(j.findings[0].path == "spec.replicas");
  CHECK(j.findings[0].message == "spec.replicas: expected an integer (int32), got 1.5");
  CHECK(j.set_aside == std::vector<std::string>{"spec.replicas"});
  // A create's decoder names the field without list indices, and the value.
  Resource p = load("apiVersion: v1\nkind: Pod\nmetadata: {generateName: p-}\nspec:\n  containers:\n"
                    "  - {name: a, ports: [{containerPort: 80}]}\n  - {name: b, ports: [{containerPort: 80}, {containerPort: 3000000000}]}\n")
                   .at(0);
  body = status_body("BadRequest", "Pod in version \\\"v1\\\" cannot be handled as a Pod: json: cannot unmarshal number "
                                   "3000000000 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32");
  j = judge(p, answer(400, body), false, none);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].path == "spec.containers[1].ports[1].containerPort");
  CHECK(j.findings[0].message == "spec.containers[1].ports[1].containerPort: 3000000000 does not fit an integer of type int32");
}

TEST_CASE("judge: a value the server could not decode and did not name is found by its key or its text") {
  Redactor none;
  Resource secret = load("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                         "data:\n  ok: aGVsbG8=\n  wrapped: \"aGVs\\nbG8=\"\n  password: hunter2!\n  short: aGVsbG8\n")
                        .at(0);
  std::string body = status_body("BadRequest", "failed to convert new object (default/s; /v1, Kind=Secret) to proper "
                                               "version: unable to convert unstructured object to /v1, Kind=Secret: "
                                               "error decoding from json: illegal base64 data at input byte 6");
  auto j = judge(secret, answer(500, body), false, none);
  CHECK(j.status == ObjectStatus::kInvalid);
  REQUIRE(j.findings.size() == 2);
  CHECK(j.findings[0].path == "data[password]");
  CHECK(j.findings[1].path == "data[short]");
  CHECK(j.findings[0].message.find("hunter2") == std::string::npos);
  CHECK(j.set_aside == std::vector<std::string>{"data[password]", "data[short]"});

  Resource cm = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, creationTimestamp: yesterday}\n"
                     "data: {note: yesterday}\n")
                    .at(0);
  body = status_body("BadRequest", "parsing time \\\"yesterday\\\" as \\\"2006-01-02T15:04:05Z07:00\\\": cannot parse "
                                   "\\\"yesterday\\\" as \\\"2006\\\"");
  j = judge(cm, answer(400, body), false, none);
  REQUIRE(j.findings.size() == 1);  // the time field, not the string that reads the same
  CHECK(j.findings[0].path == "metadata.creationTimestamp");
  CHECK(j.findings[0].message == "metadata.creationTimestamp: \"yesterday\" is not a time (RFC 3339, e.g. 2024-01-31T12:00:00Z)");
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

TEST_CASE("judge: RBAC's refusal names the user and the verb; an admission denial is not one") {
  auto message = kube::parse_api_status(rbac_forbidden("patch", "configmaps", "demo", "a").body, 403).raw_message;
  auto why = rbac_refusal(message);
  CHECK(why.user == "system:serviceaccount:ci:weak");
  CHECK(why.verb == "patch");
  CHECK(rbac_refusal("User \"u\" cannot get path \"/metrics\"").verb == "get");
  CHECK(rbac_refusal("pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": privileged").verb.empty());
  CHECK(rbac_refusal("admission webhook \"deny.example.com\" denied the request: User \"x\" cannot do that").verb.empty());
  CHECK(rbac_refusal("User \"u\" cannot").verb.empty());
}

TEST_CASE("judge: a 403 from RBAC is an error with the missing-verb rule and the server's words") {
  Redactor none;
  auto j = judge(deployment(), rbac_forbidden("create", "deployments", "demo", "web"), false, none);
  CHECK(j.status == ObjectStatus::kError);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].rule == kMissingVerbRule);
  CHECK(j.findings[0].message.find("User \"system:serviceaccount:ci:weak\" cannot create resource \"deployments\"") !=
        std::string::npos);
  // An admission plugin's 403 is about the object: admission/denied.
  auto other = judge(deployment(), answer(403, status_body("Forbidden", "pods \\\"p\\\" is forbidden: exceeded quota")),
                     false, none);
  CHECK(other.findings.at(0).rule == "admission/denied");
}

TEST_CASE("judge: only RBAC refusing a dry-run server-side apply on an external cluster asks for kubectl's way") {
  kube::ApiResource cm = api("", "v1", "ConfigMap", "configmaps", true);
  auto apply = kube::apply_request(cm, "demo", "a", "{}", "kvalidate", true);
  auto create = kube::create_request(cm, "demo", "{}", "kvalidate", true);
  auto refused = rbac_forbidden("patch", "configmaps", "demo", "a");
  CHECK(needs_apply_fallback(apply, refused, PlaneKind::kExternal));
  CHECK_FALSE(needs_apply_fallback(apply, refused, PlaneKind::kOwned));
  CHECK_FALSE(needs_apply_fallback(create, rbac_forbidden("create", "configmaps", "demo", "a"), PlaneKind::kExternal));
  CHECK_FALSE(needs_apply_fallback(apply, answer(403, status_body("Forbidden", "violates PodSecurity")),
                                   PlaneKind::kExternal));
  CHECK_FALSE(needs_apply_fallback(apply, answer(422, "{}"), PlaneKind::kExternal));
}

TEST_CASE("judge: an object judged kubectl's way is judged by the write, with a note; a refused step names the verbs") {
  Redactor none;
  auto cm = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: demo}\n").at(0);
  Target t{api("", "v1", "ConfigMap", "configmaps", true), "demo"};

  Fallback created{answer(404), answer(201), false, true};
  auto j = judge_fallback(cm, t, created, false, none);
  CHECK(j.status == ObjectStatus::kValid);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].rule == kApplyFallbackRule);
  CHECK(j.findings[0].severity == Severity::kInfo);
  CHECK(j.findings[0].message == "validated with a dry-run create (as kubectl apply --dry-run=server): this user may "
                                 "not \"patch\" configmaps in namespace demo, which server-side apply needs");

  std::string invalid = status_body("Invalid", "x", R"({"reason":"FieldValueInvalid","message":"bad","field":"data"})");
  Fallback updated{answer(200), answer(422, invalid), true, true};
  j = judge_fallback(cm, t, updated, false, none);
  CHECK(j.status == ObjectStatus::kInvalid);
  REQUIRE(j.findings.size() == 2);
  CHECK(j.findings[0].rule == "dry-run/FieldValueInvalid");
  CHECK(j.findings[1].message.rfind("validated with a dry-run update: ", 0) == 0);

  Fallback update_refused{answer(200), rbac_forbidden("update", "configmaps", "demo", "a"), true, true};
  j = judge_fallback(cm, t, update_refused, false, none);
  CHECK(j.status == ObjectStatus::kError);
  REQUIRE(j.findings.size() == 1);
  CHECK(j.findings[0].rule == kMissingVerbRule);
  CHECK(j.findings[0].message == "not validated: user \"system:serviceaccount:ci:weak\" may not \"patch\" (server-side "
                                 "apply, and kubectl apply for an object that exists) nor \"update\" configmaps in "
                                 "namespace demo: add \"patch\" or \"update\" to its role");

  Fallback create_refused{answer(404), rbac_forbidden("create", "configmaps", "demo", "a"), false, true};
  j = judge_fallback(cm, t, create_refused, false, none);
  CHECK(j.findings.at(0).rule == kMissingVerbRule);
  CHECK(j.findings[0].message.find("nor \"create\" configmaps in namespace demo") != std::string::npos);

  Fallback get_refused{rbac_forbidden("get", "configmaps", "demo", "a"), {}, false, false};
  j = judge_fallback(cm, t, get_refused, false, none);
  CHECK(j.findings.at(0).rule == kMissingVerbRule);
  CHECK(j.findings[0].message.find("nor \"get\" configmaps in namespace demo") != std::string::npos);

  // The read failed otherwise (the server's trouble): judged by that answer.
  Fallback get_failed{answer(503, status_body("ServiceUnavailable", "etcd is gone")), {}, false, false};
  j = judge_fallback(cm, t, get_failed, false, none);
  CHECK(j.status == ObjectStatus::kError);
  CHECK(j.findings.at(0).rule == "server/ServiceUnavailable");
}
