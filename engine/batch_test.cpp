#include "engine/batch.h"

#include <doctest/doctest.h>

#include "engine/judge.h"
#include "engine/results.h"
#include "engine/plane_objects.h"
#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

const std::string kInput = std::string(kWidgetCrd) + R"(---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: team}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: team}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: plain}
)";

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A cluster with namespaces "default" and "kube-system" that accepts everything.
kube::Response cluster(const kube::Request& r, std::vector<std::string>& log) {
  log.push_back(r.method + " " + r.path);
  if (r.method == "GET" && r.path == "/api/v1/namespaces")
    return answer(200, R"({"items":[{"metadata":{"name":"default"}},{"metadata":{"name":"kube-system"}}]})");
  if (r.method == "GET" && r.path == "/apis/example.com/v1")
    return answer(200, R"({"kind":"APIResourceList","resources":[{"name":"widgets","kind":"Widget"}]})");
  return answer(r.method == "POST" ? 201 : 200);
}

BatchOptions options(PlaneKind plane) {
  BatchOptions o;
  o.plane = plane;
  o.jobs = 4;
  return o;
}

}  // namespace

TEST_CASE("batch: on an owned plane the CRD and the missing namespace are created for real, the rest dry-run") {
  std::vector<std::string> log;
  FakeTransport t([&](const kube::Request& r) { return cluster(r, log); });
  auto res = load(kInput);
  auto d = small_discovery();
  std::vector<std::string> seen;
  auto out = run_batch(t, d, {}, res, options(PlaneKind::kOwned), [&](const ObjectResult& r) { seen.push_back(r.name); });
  CHECK(out.fatal.ok());
  REQUIRE(out.results.size() == 4);
  for (const auto& r : out.results) CHECK(r.status == ObjectStatus::kValid);
  CHECK(seen.size() == 4);
  REQUIRE(log.size() >= 6);
  CHECK(log[0] == "PATCH /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com?fieldManager=kvalidate&fieldValidation=Strict&force=true");
  CHECK(log[1] == "GET /apis/example.com/v1");  // served: its CRD is Established
  CHECK(log[2] == "GET /api/v1/namespaces");
  CHECK(log[3] == "POST /api/v1/namespaces?fieldManager=kvalidate");
  // The policy phase only reads here (installed policies, the namespaces' Pod Security labels).
  for (size_t i = 4; i < log.size(); ++i) CHECK((log[i].rfind("GET ", 0) == 0 || has(log[i], "dryRun=All")));
  CHECK(out.results[3].namespace_ == "default");  // filled in: the object names none
  CHECK(out.results[1].suite == "in.yaml");
}

TEST_CASE("batch: on an external cluster nothing is created; objects missing a CRD or a namespace are skipped") {
  std::vector<std::string> log;
  FakeTransport t([&](const kube::Request& r) { return cluster(r, log); });
  auto res = load(kInput);
  auto d = small_discovery();
  auto out = run_batch(t, d, {}, res, options(PlaneKind::kExternal));
  CHECK(out.fatal.ok());
  CHECK(out.results[0].status == ObjectStatus::kValid);    // the CRD, dry-run
  CHECK(out.results[1].status == ObjectStatus::kSkipped);  // its Widget
  CHECK(has(out.results[1].findings.at(0).message, "the cluster does not serve example.com/v1 Widget"));
  CHECK(out.results[2].status == ObjectStatus::kSkipped);  // namespace team does not exist
  CHECK(out.results[2].namespace_ == "team");
  CHECK(out.results[3].status == ObjectStatus::kValid);
  for (const auto& line : log) CHECK((line.rfind("GET ", 0) == 0 || has(line, "dryRun=All")));
}

TEST_CASE("batch: findings point at the line of their field through the locator") {
  FakeTransport t([](const kube::Request&) {
    return answer(422, R"({"kind":"Status","reason":"Invalid","message":"x","details":{"causes":[)"
                       R"({"reason":"FieldValueInvalid","message":"Invalid value: \"Bad\": must be lower case","field":"metadata.labels"}]}})");
  });
  auto res = load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    ok: fine\n    app: Bad\n");
  auto d = small_discovery();
  BatchOptions o = options(PlaneKind::kExternal);
  o.locate = locate_in_source;
  auto out = run_batch(t, d, {}, res, o);
  REQUIRE(out.results.at(0).findings.size() == 1);
  CHECK(out.results[0].status == ObjectStatus::kInvalid);
  CHECK(out.results[0].findings[0].line == 7);  // the label whose value the message quotes
}

TEST_CASE("batch: a kind nothing serves asks for a fresher discovery once, and uses it") {
  FakeTransport t([](const kube::Request&) { return answer(200); });
  auto res = load("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n");
  auto stale = small_discovery();
  auto fresh = small_discovery();
  fresh.resources_.push_back(api("example.com", "v1", "Gadget", "gadgets", false));
  int asked = 0;
  auto out = run_batch(t, stale, [&]() -> const kube::Discovery* { ++asked; return &fresh; }, res,
                       options(PlaneKind::kExternal));
  CHECK(asked == 1);
  CHECK(out.results.at(0).status == ObjectStatus::kValid);
  REQUIRE(t.sent.size() >= 1);
  CHECK(has(t.sent.back().path, "/apis/example.com/v1/gadgets/g"));
}

TEST_CASE("batch: a kind the cached discovery lists but the server no longer serves is judged again, fresh") {
  FakeTransport t([](const kube::Request& r) {
    return has(r.path, "/gadgets") ? answer(404, "404 page not found") : answer(200);
  });
  auto res = load("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: default}\n");
  auto stale = small_discovery();
  stale.resources_.push_back(api("example.com", "v1", "Gadget", "gadgets", true));
  auto fresh = small_discovery();
  int asked = 0;
  auto out = run_batch(t, stale, [&]() -> const kube::Discovery* { ++asked; return &fresh; }, res,
                       options(PlaneKind::kOwned));
  CHECK(asked == 1);
  REQUIRE(out.results.at(0).findings.size() == 1);
  CHECK(out.results.at(0).status == ObjectStatus::kInvalid);
  CHECK(out.results.at(0).findings.at(0).rule == "dry-run/unknown-kind");
}

TEST_CASE("batch: when the plane is lost, what was not judged is an error naming why") {
  int n = 0;
  FakeTransport t([&](const kube::Request& r) {
    if (r.path == "/api/v1/namespaces") return answer(200, R"({"items":[{"metadata":{"name":"default"}}]})");
    if (r.method == "GET") return answer(200);  // the policy phase's reads: the plane goes with the objects
    return ++n >= 2 ? kube::Response{0, "", {}, "Connection refused"} : answer(200);
  });
  std::string yaml;
  for (int i = 0; i < 6; ++i) yaml += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c" + std::to_string(i) + "}\n";
  auto res = load(yaml);
  auto d = small_discovery();
  BatchOptions o = options(PlaneKind::kExternal);
  o.jobs = 1;
  auto out = run_batch(t, d, {}, res, o);
  CHECK(out.fatal.code() == Status::Code::kUnavailable);
  CHECK(out.results[0].status == ObjectStatus::kValid);
  CHECK(out.results[1].findings.at(0).message == "not validated: the API server did not answer: Connection refused");
  for (size_t i = 2; i < 6; ++i) {
    CHECK(out.results[i].status == ObjectStatus::kError);
    CHECK(out.results[i].findings.at(0).rule == "server/unavailable");
    CHECK(has(out.results[i].findings.at(0).message, "lost the control plane at https://fake:6443"));
  }
}

TEST_CASE("batch: RBAC refusing patch on an external cluster: kubectl's way judges the object, with a note") {
  std::vector<std::string> log;
  FakeTransport t([&](const kube::Request& r) {
    log.push_back(r.method + " " + r.path.substr(0, r.path.find('?')));
    if (r.path == "/api/v1/namespaces") return answer(200, R"({"items":[{"metadata":{"name":"demo"}}]})");
    if (r.method == "PATCH") return rbac_forbidden("patch", "configmaps", "demo", "x");
    if (r.method == "GET") return answer(r.path.find("/exists") != std::string::npos ? 200 : 404);
    if (r.method == "PUT") return rbac_forbidden("update", "configmaps", "demo", "exists");
    return answer(201);
  });
  auto res = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fresh, namespace: demo}\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: exists, namespace: demo}\n");
  auto d = small_discovery();
  auto out = run_batch(t, d, {}, res, options(PlaneKind::kExternal));
  CHECK(out.fatal.ok());
  CHECK(out.results[0].status == ObjectStatus::kValid);
  CHECK(out.results[0].findings.at(0).rule == kApplyFallbackRule);
  CHECK(exit_code_of(out.results[0]) == 0);
  CHECK(out.results[1].status == ObjectStatus::kError);
  CHECK(out.results[1].findings.at(0).rule == kMissingVerbRule);
  CHECK(out.results[1].findings[0].line == 5);  // the object's first line
  CHECK(exit_code_of(out.results[1]) == 2);     // the credentials are at fault, not the object nor the plane
  RbacRefusals refusals;
  for (const auto& r : out.results) refusals.add(r);
  CHECK(refusals.summary() ==
        "1 of 2 objects not validated: the cluster's RBAC refuses these credentials (HTTP 403 Forbidden): user "
        "\"system:serviceaccount:ci:weak\" may not \"patch\" (server-side apply, and kubectl apply for an object "
        "that exists) nor \"update\" configmaps in namespace demo: add \"patch\" or \"update\" to its role");
  // The namespaces, then the admission context (the cluster's policies, the namespace's labels), then kubectl's way.
  CHECK(log == std::vector<std::string>{"GET /api/v1/namespaces",
                                        "GET /apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies",
                                        "GET /api/v1/namespaces/demo", "PATCH /api/v1/namespaces/demo/configmaps/fresh",
                                        "PATCH /api/v1/namespaces/demo/configmaps/exists",
                                        "GET /api/v1/namespaces/demo/configmaps/fresh",
                                        "GET /api/v1/namespaces/demo/configmaps/exists",
                                        "POST /api/v1/namespaces/demo/configmaps",
                                        "PUT /api/v1/namespaces/demo/configmaps/exists"});
}

TEST_CASE("batch: on an owned plane, or for an admission denial, a refused apply is judged as it is") {
  auto res = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n");
  auto d = small_discovery();
  FakeTransport owned([](const kube::Request& r) {
    if (r.path == "/api/v1/namespaces") return answer(200, R"({"items":[{"metadata":{"name":"default"}}]})");
    return rbac_forbidden("patch", "configmaps", "default", "a");
  });
  auto out = run_batch(owned, d, {}, res, options(PlaneKind::kOwned));
  CHECK(out.results[0].findings.at(0).rule == kMissingVerbRule);
  CHECK(owned.sent.size() == 4);  // namespaces, policies, the namespace and the apply: no GET of the object
  CHECK(owned.sent.back().method == "PATCH");
  FakeTransport denied([](const kube::Request& r) {
    if (r.path == "/api/v1/namespaces") return answer(200, R"({"items":[{"metadata":{"name":"default"}}]})");
    return answer(403, R"({"kind":"Status","reason":"Forbidden","message":"configmaps \"a\" is forbidden: exceeded quota"})");
  });
  out = run_batch(denied, d, {}, res, options(PlaneKind::kExternal));
  CHECK(out.results[0].findings.at(0).rule == "admission/denied");  // the object, not the credentials
  CHECK(exit_code_of(out.results[0]) == 1);
  CHECK(denied.sent.size() == 4);
  CHECK(denied.sent.back().method == "PATCH");
  RbacRefusals none;
  none.add(out.results[0]);
  CHECK(none.summary().empty());  // an admission denial is not the credentials' fault
}

TEST_CASE("batch: a plane lost during kubectl's way leaves the objects not validated, naming why") {
  int gets = 0;
  FakeTransport t([&](const kube::Request& r) {
    if (r.path == "/api/v1/namespaces") return answer(200, R"({"items":[{"metadata":{"name":"demo"}}]})");
    if (r.method == "PATCH") return rbac_forbidden("patch", "configmaps", "demo", "x");
    if (r.path.find("/configmaps/") == std::string::npos) return answer(404);  // the admission context: none
    ++gets;
    return kube::Response{0, "", {}, "Connection refused"};
  });
  auto res = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: demo}\n");
  auto d = small_discovery();
  auto out = run_batch(t, d, {}, res, options(PlaneKind::kExternal));
  CHECK(gets == 1);
  CHECK(out.fatal.code() == Status::Code::kUnavailable);
  CHECK(out.results[0].status == ObjectStatus::kError);
  CHECK(has(out.results[0].findings.at(0).message, "lost the control plane"));
}

TEST_CASE("batch: a CRD applied in an earlier batch of the run is neither applied nor awaited again") {
  std::vector<std::string> log;
  FakeTransport t([&](const kube::Request& r) { return cluster(r, log); });
  auto res = load(kInput);
  auto d = small_discovery();
  RunCrds crds;
  BatchOptions o = options(PlaneKind::kOwned);
  o.run_crds = &crds;
  auto first = run_batch(t, d, {}, res, o);
  CHECK(crds.has(res[0]));
  CHECK(crds.served.count("example.com/v1/Widget") == 1);
  log.clear();
  auto second = run_batch(t, d, {}, res, o);
  for (const auto& r : second.results) CHECK(r.status == ObjectStatus::kValid);
  for (const auto& line : log) {
    CHECK_FALSE(has(line, "customresourcedefinitions"));
    CHECK(line != "GET /apis/example.com/v1");
  }
}

TEST_CASE("wait_served: asks every group/version at once until each lists its kinds, bounded in time") {
  int asked = 0;
  FakeTransport t([&](const kube::Request& r) {
    ++asked;
    if (r.path == "/apis/example.com/v1")
      return asked > 2 ? answer(200, R"({"resources":[{"name":"widgets"}]})") : answer(404);
    return answer(200, R"({"resources":[{"name":"gadgets"}]})");
  });
  std::vector<kube::ApiResource> kinds = {api("example.com", "v1", "Widget", "widgets", true),
                                          api("other.io", "v2", "Gadget", "gadgets", true)};
  auto served = wait_served(t, kinds, 4, std::chrono::seconds(5));
  CHECK(served.size() == 2);
  CHECK(t.sent.at(0).path == "/apis/example.com/v1");
  CHECK(t.sent.at(1).path == "/apis/other.io/v2");
  CHECK(t.sent.at(2).path == "/apis/example.com/v1");  // only what is still missing is asked again
  FakeTransport never([](const kube::Request&) { return answer(404); });
  CHECK(wait_served(never, kinds, 4, std::chrono::milliseconds(60)).empty());
}
