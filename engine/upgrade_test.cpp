#include "engine/upgrade.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <doctest/doctest.h>

#include "core/json.h"
#include "core/temp_dir_test_support.h"
#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

namespace fs = std::filesystem;

kube::Discovery discovery() {
  auto d = small_discovery();
  d.resources_.push_back(api("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false));
  d.resources_.push_back(api("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
                             "validatingwebhookconfigurations", false));
  return d;
}

const char* kOld = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data: {k: x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: team}
data: {k: x}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {selector: {matchLabels: {app: web}}}
---
apiVersion: v1
kind: Namespace
metadata: {name: team, labels: {v: "1"}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: []
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
webhooks: []
)";

// Each changed except b (the same) and c (new); `a` is in the default namespace, spelled out this time.
const char* kNew = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: default}
data: {k: y}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: team}
data: {k: x}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {selector: {matchLabels: {app: web2}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: v1
kind: Namespace
metadata: {name: team, labels: {v: "2"}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
webhooks: [{name: x.example.com}]
)";

std::vector<std::pair<size_t, size_t>> indexes(const std::vector<UpgradePair>& pairs) {
  std::vector<std::pair<size_t, size_t>> out;
  for (const auto& p : pairs) out.emplace_back(p.old_index, p.new_index);
  return out;
}

using StateDir = kv::core::testing::TempDir;

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const char* kImmutable =
    R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Invalid","code":422,)"
    R"("message":"Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{}: field is immutable",)"
    R"("details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid",)"
    R"("message":"Invalid value: v1.LabelSelector{}: field is immutable","field":"spec.selector"}]}})";

// A plane that takes every write, refuses `refused_dry_run`'s dry-run update as immutable, and logs.
struct Plane {
  std::vector<std::string> log;
  std::string refused_dry_run = "/deployments/web";
  std::string refused_apply;       // an old object the plane does not take
  bool lose_on_dry_run = false;
  kube::Response operator()(const kube::Request& r) {
    log.push_back(r.method + " " + r.path);
    const bool apply = r.content_type == "application/apply-patch+yaml";
    const bool dry = has(r.path, "dryRun=All");
    if (apply && dry && lose_on_dry_run) return kube::Response{0, "", {}, "connection refused"};
    if (apply && dry && has(r.path, refused_dry_run + "?")) return answer(422, kImmutable);
    if (apply && !dry && !refused_apply.empty() && has(r.path, refused_apply + "?"))
      return answer(422, R"({"kind":"Status","status":"Failure","reason":"Invalid","code":422,"message":"no"})");
    return answer(r.method == "POST" ? 201 : 200);
  }
};

std::vector<ObjectResult> valid_results(size_t n) { return std::vector<ObjectResult>(n); }

UpgradeOptions options(const std::string& state_dir) {
  UpgradeOptions o;
  o.state_dir = state_dir;
  o.jobs = 2;
  o.locate = [](const Resource&, const std::string& path) {
    return Place{path == "spec.selector" ? 42 : 1, 0, "", ""};
  };
  return o;
}

}  // namespace

TEST_CASE("upgrade_pairs: changed objects of both versions, matched by group, kind, namespace and name") {
  auto d = discovery();
  auto old_res = load(kOld), new_res = load(kNew);
  auto all = [](size_t) { return true; };
  // a (default namespace either way), web, the ClusterRole; not b (unchanged), c (new), the Namespace,
  // nor the webhook configuration (a renamed copy would still act on the whole plane).
  CHECK(indexes(upgrade_pairs(old_res, new_res, d, "default", all)) ==
        std::vector<std::pair<size_t, size_t>>{{0, 0}, {2, 2}, {4, 5}});
  // A new object that failed its fresh dry-run is not checked again as an update.
  CHECK(indexes(upgrade_pairs(old_res, new_res, d, "default", [](size_t i) { return i != 2; })) ==
        std::vector<std::pair<size_t, size_t>>{{0, 0}, {4, 5}});
  // The same version twice: nothing to check.
  CHECK(upgrade_pairs(old_res, old_res, d, "default", all).empty());
}

TEST_CASE("scratch_body: namespaced objects move to the scratch namespace, cluster-scoped ones are renamed") {
  auto d = discovery();
  auto res = load(kNew);
  Target cm{*d.find_kind("", "v1", "ConfigMap"), "default"};
  auto body = parse_json(scratch_body(res[0], cm, "abc123"), "body");
  REQUIRE(body.ok());
  CHECK((*body)["metadata"]["namespace"].as<std::string>() == "kvu-abc123-default");
  CHECK((*body)["metadata"]["name"].as<std::string>() == "a");
  CHECK((*body)["data"]["k"].as<std::string>() == "y");
  Target role{*d.find_kind("rbac.authorization.k8s.io", "v1", "ClusterRole"), ""};
  body = parse_json(scratch_body(res[5], role, "abc123"), "body");
  REQUIRE(body.ok());
  CHECK((*body)["metadata"]["name"].as<std::string>() == "kvu-abc123-reader");
  CHECK(res[5].object["metadata"]["name"].as<std::string>() == "reader");  // the input is not changed
}

TEST_CASE("check_upgrade: the old version is applied in scratch, the refused update is a finding, all is removed") {
  StateDir state;
  auto d = discovery();
  UpgradeFrom from{load(kOld), "git:HEAD~1 (0123456789ab)"};
  auto new_res = load(kNew);
  auto results = valid_results(new_res.size());
  Plane plane;
  FakeTransport t([&](const kube::Request& r) { return plane(r); });
  REQUIRE(check_upgrade(t, d, new_res, results, from, options(state.path)).ok());

  CHECK(results[2].status == ObjectStatus::kInvalid);
  REQUIRE(results[2].findings.size() == 1);
  const Finding& f = results[2].findings[0];
  CHECK(f.rule == "upgrade/immutable-field");
  CHECK(f.path == "spec.selector");
  CHECK(f.line == 42);
  CHECK(f.message ==
        "spec.selector cannot change on upgrade: git:HEAD~1 (0123456789ab) has {\"matchLabels\":{\"app\":\"web\"}}, "
        "this version has {\"matchLabels\":{\"app\":\"web2\"}} (server: field is immutable)");
  for (size_t i : {0, 1, 3, 4, 5, 6}) {
    CAPTURE(i);
    CHECK(results[i].status == ObjectStatus::kValid);
    CHECK(results[i].findings.empty());
  }
  // Nothing outside the scratch set was written; every object and namespace written was removed.
  std::vector<std::string> created, deleted;
  for (const auto& line : plane.log) {
    if (line.rfind("GET ", 0) == 0) continue;
    const bool scratch = has(line, "/namespaces/kvu-") || has(line, "/clusterroles/kvu-") ||
                         line.rfind("POST /api/v1/namespaces?", 0) == 0;
    CHECK_MESSAGE(scratch, line);
    if (line.rfind("PATCH ", 0) == 0 && has(line, "fieldManager=") && !has(line, "dryRun")) created.push_back(line);
    if (line.rfind("DELETE ", 0) == 0) deleted.push_back(line);
  }
  CHECK(created.size() == 3);   // a, web, reader
  CHECK(deleted.size() == 4);   // a, web, reader, and the scratch namespace
  CHECK(has(plane.log.back(), "/finalize"));
  CHECK(fs::is_empty(state.path + "/upgrade-runs"));
}

TEST_CASE("check_upgrade: an old object the plane refuses is noted as not checked; a lost plane is Unavailable") {
  StateDir state;
  auto d = discovery();
  UpgradeFrom from{load(kOld), "v1"};
  auto new_res = load(kNew);
  {
    auto results = valid_results(new_res.size());
    Plane plane;
    plane.refused_apply = "/deployments/web";
    FakeTransport t([&](const kube::Request& r) { return plane(r); });
    REQUIRE(check_upgrade(t, d, new_res, results, from, options(state.path)).ok());
    CHECK(results[2].status == ObjectStatus::kValid);
    REQUIRE(results[2].findings.size() == 1);
    CHECK(results[2].findings[0].severity == Severity::kInfo);
    CHECK(results[2].findings[0].rule == "upgrade/not-checked");
    CHECK(has(results[2].findings[0].message, "the upgrade from v1 was not checked"));
    for (const auto& line : plane.log) CHECK_FALSE((has(line, "/deployments/web?") && has(line, "dryRun")));
  }
  {
    auto results = valid_results(new_res.size());
    Plane plane;
    plane.lose_on_dry_run = true;
    FakeTransport t([&](const kube::Request& r) { return plane(r); });
    Status s = check_upgrade(t, d, new_res, results, from, options(state.path));
    CHECK(s.exit_code() == 3);
    CHECK(has(s.message(), "connection refused"));
    CHECK(has(plane.log.back(), "/finalize"));  // the scratch set is removed all the same
  }
  // Only objects that passed the fresh dry-run are checked: nothing to do sends nothing.
  auto results = valid_results(new_res.size());
  for (auto& r : results) r.status = ObjectStatus::kInvalid;
  FakeTransport t([](const kube::Request&) { return answer(500); });
  CHECK(check_upgrade(t, d, new_res, results, from, options(state.path)).ok());
  CHECK(t.sent.empty());
}
