#include "engine/submit.h"

#include <doctest/doctest.h>

#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

std::vector<kube::Request> n_requests(size_t n) {
  std::vector<kube::Request> reqs(n);
  for (size_t i = 0; i < n; ++i) reqs[i].path = "/r/" + std::to_string(i);
  return reqs;
}

Judgement judged_as(ObjectStatus st, std::string message = "m") {
  Judgement j;
  j.status = st;
  j.findings.push_back(Finding{Severity::kError, "r", std::move(message), "", "", 0, 0});
  return j;
}

}  // namespace

TEST_CASE("submit: requests are server-side applies, creates for generateName-only objects and kinds without patch") {
  auto res = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: demo}\n---\n"
                  "apiVersion: v1\nkind: Pod\nmetadata: {generateName: p-}\n");
  Plan p = plan_small(res, PlaneKind::kExternal, "default");
  auto reqs = requests_for(p, res, {0, 1}, "kvalidate", true);
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[0].method == "PATCH");
  CHECK(reqs[0].path == "/api/v1/namespaces/demo/configmaps/a?fieldManager=kvalidate&fieldValidation=Strict&force=true&dryRun=All");
  CHECK(reqs[0].body == res[0].body);
  CHECK(reqs[1].method == "POST");
  CHECK(reqs[1].path == "/api/v1/namespaces/default/pods?fieldManager=kvalidate&fieldValidation=Strict&dryRun=All");
  kube::ApiResource create_only = p.targets[0]->api();
  create_only.verbs = {"create", "get"};
  p.targets[0] = Target{create_only, p.targets[0]->namespace_};
  auto for_real = requests_for(p, res, {0}, "kvalidate", false);
  CHECK(for_real[0].method == "POST");
  CHECK(for_real[0].path.find("dryRun") == std::string::npos);
}

TEST_CASE("submit: the plane counts as lost after 3 server failures in a row, not after 2 and a success") {
  PlaneWatch w("https://x");
  auto fail = answer(503);
  CHECK(w.observe(fail, judged_as(ObjectStatus::kError)).ok());
  CHECK(w.observe(fail, judged_as(ObjectStatus::kError)).ok());
  CHECK(w.observe(answer(200), judged_as(ObjectStatus::kValid)).ok());
  CHECK(w.observe(fail, judged_as(ObjectStatus::kError)).ok());
  CHECK(w.observe(fail, judged_as(ObjectStatus::kError)).ok());
  Status lost = w.observe(fail, judged_as(ObjectStatus::kError, "etcdserver: request timed out"));
  CHECK(lost.code() == Status::Code::kUnavailable);
  CHECK(lost.message() ==
        "the API server at https://x failed 3 requests in a row (last: etcdserver: request timed out); its storage "
        "may be down (kvalidate logs --component etcd)");
}

TEST_CASE("submit: a 5xx that judges the object (a typed-patch error) is not a server failure") {
  PlaneWatch w("https://x");
  for (int i = 0; i < 5; ++i) CHECK(w.observe(answer(500), judged_as(ObjectStatus::kInvalid)).ok());
}

TEST_CASE("submit: an answer that never came loses the plane at once") {
  PlaneWatch w("https://x");
  Status lost = w.observe(kube::Response{0, "", {}, "Connection refused"}, judged_as(ObjectStatus::kError));
  CHECK(lost.code() == Status::Code::kUnavailable);
  CHECK(lost.message() == "lost the control plane at https://x: Connection refused");
}

TEST_CASE("submit: every answer is judged and recorded in order when the plane holds") {
  FakeTransport t([](const kube::Request&) { return answer(200); });
  std::vector<size_t> recorded;
  Status s = submit(
      t, n_requests(5), 2, [](size_t, const kube::Response&) { return Judgement{}; },
      [&](size_t k, Judgement, double ms) {
        recorded.push_back(k);
        CHECK(ms >= 0);
      });
  CHECK(s.ok());
  CHECK(recorded == std::vector<size_t>{0, 1, 2, 3, 4});
  CHECK(t.cancels == 0);
  CHECK(t.sent.size() == 5);
}

TEST_CASE("submit: a lost plane cancels the rest; what was in flight or unsent is never recorded") {
  int n = 0;
  FakeTransport t([&](const kube::Request&) {
    return ++n == 2 ? kube::Response{0, "", {}, "Connection reset"} : answer(200);
  });
  std::vector<size_t> recorded;
  Status s = submit(
      t, n_requests(10), 3,
      [](size_t, const kube::Response& r) {
        return r.transport_ok() ? Judgement{} : judged_as(ObjectStatus::kError);
      },
      [&](size_t k, Judgement, double) { recorded.push_back(k); });
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(recorded == std::vector<size_t>{0, 1});
  CHECK(t.cancels == 1);
  CHECK(t.sent.size() == 4);  // at most 3 in flight: 0..2, then 3 once 0 was answered
}

TEST_CASE("submit: nothing to send sends nothing") {
  FakeTransport t([](const kube::Request&) { return answer(200); });
  CHECK(submit(t, {}, 4, [](size_t, const kube::Response&) { return Judgement{}; }, [](size_t, Judgement, double) {})
            .ok());
  CHECK(t.sent.empty());
}

TEST_CASE("submit_fallback: a GET of each object, then a dry-run update of those found and a create of the others") {
  auto res = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: demo}\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new, namespace: demo}\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden, namespace: demo}\n");
  Plan p = plan_small(res, PlaneKind::kExternal, "default");
  FakeTransport t([](const kube::Request& r) {
    if (r.method == "GET") {
      if (r.path.find("/old") != std::string::npos) return answer(200, "{}");
      if (r.path.find("/new") != std::string::npos) return answer(404, "{}");
      return rbac_forbidden("get", "configmaps", "demo", "hidden");
    }
    return answer(r.method == "POST" ? 201 : 200);
  });
  std::vector<Fallback> out;
  Status lost = submit_fallback(t, p, res, {0, 1, 2}, "kvalidate", 4,
                                [](size_t, const kube::Response&) { return Judgement{}; }, out);
  CHECK(lost.ok());
  REQUIRE(out.size() == 3);
  CHECK((out[0].exists && out[0].written && out[0].write.status == 200));
  CHECK((!out[1].exists && out[1].written && out[1].write.status == 201));
  CHECK((!out[2].written && out[2].read.status == 403));
  REQUIRE(t.sent.size() == 5);
  CHECK(t.sent[0].path == "/api/v1/namespaces/demo/configmaps/old");
  CHECK(t.sent[3].method == "PUT");
  CHECK(t.sent[3].path == "/api/v1/namespaces/demo/configmaps/old?fieldManager=kvalidate&fieldValidation=Strict&dryRun=All");
  CHECK(t.sent[3].body == res[0].body);
  CHECK(t.sent[4].method == "POST");
  CHECK(t.sent[4].path == "/api/v1/namespaces/demo/configmaps?fieldManager=kvalidate&fieldValidation=Strict&dryRun=All");
}

TEST_CASE("submit_fallback: a plane lost during the GETs ends it before any write") {
  auto res = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
  Plan p = plan_small(res, PlaneKind::kExternal, "default");
  FakeTransport t([](const kube::Request&) { return kube::Response{0, "", {}, "Connection refused"}; });
  std::vector<Fallback> out;
  Status lost = submit_fallback(t, p, res, {0, 1}, "kvalidate", 1,
                                [](size_t, const kube::Response&) { return Judgement{ObjectStatus::kError, {}, {}}; }, out);
  CHECK(lost.code() == Status::Code::kUnavailable);
  CHECK(t.cancels == 1);
  for (const auto& r : t.sent) CHECK(r.method == "GET");
}
