#include "engine/run_scope.h"

#include <set>

#include <doctest/doctest.h>

#include "core/files.h"
#include "core/temp_dir_test_support.h"

TEST_CASE("labelled_body adds the run labels and keeps every value's type") {
  YAML::Node obj = YAML::Load(
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    tier: \"1\"\nspec:\n  mode: 0644\n");
  std::string body = kv::engine::labelled_body(obj, "r0123");
  CHECK(body ==
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"shop\",\"labels\":{\"tier\":\"1\","
        "\"kvalidate.io/managed\":\"true\",\"kvalidate.io/run\":\"r0123\"}},\"spec\":{\"mode\":0644}}");
  CHECK_FALSE(obj["metadata"]["labels"]["kvalidate.io/run"]);  // the input tree is left as it was
  YAML::Node bare = YAML::Load("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bare\n");
  CHECK(kv::engine::labelled_body(bare, "r1").find("\"labels\":{\"kvalidate.io/managed\":\"true\"") !=
        std::string::npos);
}

TEST_CASE("content_digest is stable and tells contents apart") {
  CHECK(kv::engine::content_digest("a") == kv::engine::content_digest("a"));
  CHECK(kv::engine::content_digest("a") != kv::engine::content_digest("b"));
  CHECK(kv::engine::content_digest("").size() == 16);
}

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace {

// A plane in memory: objects by API path, with the run label they carry. Namespaces stay Terminating
// after DELETE until their /finalize, as on a plane without a namespace controller.
struct FakePlane : kv::kube::Transport {
  std::map<std::string, std::string> objects;  // path → run label ("" = baseline)
  std::set<std::string> terminating;
  std::vector<std::string> log;                // "DELETE path", "PUT path/finalize", ...
  std::set<std::string> refuse;                // paths whose DELETE fails (HTTP 500)
  std::string url = "https://fake";

  static bool is_namespace(const std::string& p) {
    return p.rfind("/api/v1/namespaces/", 0) == 0 && p.find('/', 19) == std::string::npos;
  }
  kv::kube::Response answer(const kv::kube::Request& r) {
    kv::kube::Response resp;
    log.push_back(r.method + " " + r.path);
    auto it = objects.find(r.path);
    if (r.method == "GET") {
      if (it == objects.end()) { resp.status = 404; return resp; }
      resp.status = 200;
      resp.body = "{\"metadata\":{\"labels\":{" + (it->second.empty() ? "" : "\"kvalidate.io/run\":\"" + it->second + "\"") + "}}}";
    } else if (r.method == "DELETE") {
      if (refuse.count(r.path)) { resp.status = 500; return resp; }
      if (it == objects.end()) { resp.status = 404; return resp; }
      resp.status = 200;
      if (is_namespace(r.path)) terminating.insert(r.path);
      else objects.erase(it);
    } else if (r.method == "PUT" && r.path.size() > 9 && r.path.substr(r.path.size() - 9) == "/finalize") {
      std::string ns = r.path.substr(0, r.path.size() - 9);
      resp.status = objects.count(ns) ? 200 : 404;
      if (terminating.count(ns)) objects.erase(ns);
    } else {  // the create (apply) request: body is the run id in these tests
      objects[r.path] = r.body;
      resp.status = 201;
    }
    return resp;
  }
  void send_each(size_t count, const kv::kube::MakeRequest& make, int, const kv::kube::TakeResponse& take) override {
    for (size_t i = 0; i < count; ++i) take(i, answer(make(i)));
  }
  void cancel() override {}
  const std::string& server() const override { return url; }
};

using StateDir = kv::core::testing::TempDir;

kv::engine::RealObject crd(const std::string& name, const std::string& digest) {
  return {kv::engine::kRankCrd, "crd/" + name, digest, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + name, false};
}
kv::engine::RealObject ns(const std::string& name, const std::string& digest) {
  return {kv::engine::kRankNamespace, "namespace/" + name, digest, "/api/v1/namespaces/" + name, true};
}

void create(kv::engine::RunScope& s, const kv::engine::RealObject& o) {
  kv::kube::Request req;
  req.method = "PATCH";
  req.path = o.path;
  req.body = s.id();
  CHECK(s.create(o, req).success());
}

// Two runs on one plane, their scopes open.
std::pair<std::unique_ptr<kv::engine::RunScope>, std::unique_ptr<kv::engine::RunScope>> two_runs(FakePlane& plane,
                                                                                                  const std::string& dir) {
  auto a = kv::engine::RunScope::Open(plane, dir);
  auto b = kv::engine::RunScope::Open(plane, dir);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  return {std::move(*a), std::move(*b)};
}

}  // namespace

TEST_CASE("run scope: what a run creates is gone when it ends, namespaces finalized, newest first") {
  StateDir dir;
  FakePlane plane;
  plane.objects["/api/v1/namespaces/default"] = "";
  auto scope = kv::engine::RunScope::Open(plane, dir.path);
  REQUIRE(scope.ok());
  std::string record = dir.path + "/runs/" + (*scope)->id() + ".json";
  CHECK(std::filesystem::exists(record));
  REQUIRE((*scope)->claim({crd("w.example.com", "d1")}).ok());
  create(**scope, crd("w.example.com", "d1"));
  REQUIRE((*scope)->claim({ns("shop", "auto")}).ok());
  create(**scope, ns("shop", "auto"));
  // Ranks only go up: a CRD after a namespace would break the global order.
  CHECK((*scope)->claim({crd("late.example.com", "d")}).exit_code() == 3);
  CHECK(*(*scope)->baseline_has("/api/v1/namespaces/default"));
  CHECK_FALSE(*(*scope)->baseline_has("/api/v1/namespaces/shop"));
  CHECK((*scope)->release().ok());
  CHECK(plane.objects.size() == 1);  // the baseline only
  std::vector<std::string> deletes;
  for (const auto& l : plane.log)
    if (l.rfind("DELETE", 0) == 0 || l.rfind("PUT", 0) == 0) deletes.push_back(l);
  CHECK(deletes == std::vector<std::string>{"DELETE /api/v1/namespaces/shop", "PUT /api/v1/namespaces/shop/finalize",
                                            "DELETE /apis/apiextensions.k8s.io/v1/customresourcedefinitions/w.example.com"});
  CHECK_FALSE(std::filesystem::exists(record));
}

TEST_CASE("run scope: the next run sweeps what a dead run left; a live run's record is left alone") {
  StateDir dir;
  FakePlane plane;
  std::filesystem::create_directories(dir.path + "/runs");
  // A dead run: a child that has exited (and been reaped) stands for a run that was killed.
  pid_t child = fork();
  if (child == 0) _exit(0);
  REQUIRE(child > 0);
  waitpid(child, nullptr, 0);
  std::ofstream(dir.path + "/runs/rdead.json")
      << "{\"id\":\"rdead\",\"pid\":" << child << ",\"start_time\":12345,\"created\":[{\"rank\":10,\"key\":\"crd/g.example.com\","
         "\"digest\":\"d1\",\"path\":\"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/g.example.com\","
         "\"namespace\":false},{\"rank\":20,\"key\":\"namespace/left\",\"digest\":\"auto\",\"path\":"
         "\"/api/v1/namespaces/left\",\"namespace\":true}]}";
  plane.objects["/apis/apiextensions.k8s.io/v1/customresourcedefinitions/g.example.com"] = "rdead";
  plane.objects["/api/v1/namespaces/left"] = "rdead";
  auto live = kv::engine::RunScope::Open(plane, dir.path);  // this process: alive
  REQUIRE(live.ok());
  CHECK(plane.objects.empty());
  CHECK_FALSE(std::filesystem::exists(dir.path + "/runs/rdead.json"));
  REQUIRE((*live)->claim({ns("mine", "auto")}).ok());
  create(**live, ns("mine", "auto"));
  CHECK(kv::engine::RunScope::sweep_dead_runs(plane, dir.path) == 0);
  CHECK(plane.objects.count("/api/v1/namespaces/mine") == 1);
}

TEST_CASE("run scope: runs with equal versions share an object; the last one out removes it") {
  StateDir dir;
  FakePlane plane;
  auto [a, b] = two_runs(plane, dir.path);
  REQUIRE(a->claim({crd("s.example.com", "same")}).ok());
  create(*a, crd("s.example.com", "same"));
  REQUIRE(b->claim({crd("s.example.com", "same")}, std::chrono::milliseconds(200)).ok());
  create(*b, crd("s.example.com", "same"));
  CHECK(a->release().ok());
  CHECK(plane.objects.size() == 1);  // b still uses it
  CHECK(b->release().ok());
  CHECK(plane.objects.empty());
}

TEST_CASE("run scope: a release may keep some objects for the run's next batch; they go at the end") {
  StateDir dir;
  FakePlane plane;
  auto scope = kv::engine::RunScope::Open(plane, dir.path);
  REQUIRE(scope.ok());
  std::string record = dir.path + "/runs/" + (*scope)->id() + ".json";
  REQUIRE((*scope)->claim({crd("a.example.com", "d1"), crd("b.example.com", "d2")}).ok());
  create(**scope, crd("a.example.com", "d1"));
  create(**scope, crd("b.example.com", "d2"));
  REQUIRE((*scope)->claim({ns("shop", "auto")}).ok());
  create(**scope, ns("shop", "auto"));
  CHECK((*scope)->release({"crd/a.example.com"}).ok());
  CHECK(plane.objects.count("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/a.example.com") == 1);
  CHECK(plane.objects.size() == 1);  // b and the namespace went
  CHECK(std::filesystem::exists(record));  // what stays is still recorded, for a sweep after a crash
  // The next batch starts again at the lowest rank: its own CRDs, then its namespaces.
  CHECK((*scope)->claim({crd("c.example.com", "d3")}).ok());
  create(**scope, crd("c.example.com", "d3"));
  CHECK((*scope)->claim({ns("shop", "auto")}).ok());
  CHECK((*scope)->release().ok());
  CHECK(plane.objects.empty());
  CHECK_FALSE(std::filesystem::exists(record));
}

TEST_CASE("run scope: a rank's objects go side by side (all deleted, then all finalized); a failure stays recorded") {
  StateDir dir;
  FakePlane plane;
  auto scope = kv::engine::RunScope::Open(plane, dir.path);
  REQUIRE(scope.ok());
  std::string record = dir.path + "/runs/" + (*scope)->id() + ".json";
  REQUIRE((*scope)->claim({crd("w.example.com", "d1")}).ok());
  create(**scope, crd("w.example.com", "d1"));
  std::vector<kv::engine::RealObject> spaces = {ns("c", "auto"), ns("a", "auto"), ns("b", "auto")};
  REQUIRE((*scope)->claim(spaces).ok());
  REQUIRE((*scope)->record(spaces).ok());  // recorded at once, before they are made
  for (const auto& o : spaces) create(**scope, o);
  auto text = kv::read_file(record);
  REQUIRE(text.ok());
  CHECK(text->find("namespace/a") != std::string::npos);
  CHECK(text->find("namespace/c") != std::string::npos);
  plane.log.clear();
  plane.refuse.insert("/api/v1/namespaces/b");
  CHECK((*scope)->release().exit_code() == 3);
  std::vector<std::string> changes;
  for (const auto& l : plane.log)
    if (l.rfind("DELETE", 0) == 0 || l.rfind("PUT", 0) == 0) changes.push_back(l);
  CHECK(changes == std::vector<std::string>{"DELETE /api/v1/namespaces/a", "DELETE /api/v1/namespaces/b",
                                            "DELETE /api/v1/namespaces/c", "PUT /api/v1/namespaces/a/finalize",
                                            "PUT /api/v1/namespaces/c/finalize",
                                            "DELETE /apis/apiextensions.k8s.io/v1/customresourcedefinitions/w.example.com"});
  CHECK(plane.objects.size() == 1);  // b: its deletion failed
  text = kv::read_file(record);
  REQUIRE(text.ok());  // kept for the next run's sweep, naming b only
  CHECK(text->find("namespace/b") != std::string::npos);
  CHECK(text->find("namespace/a") == std::string::npos);
  CHECK(text->find("crd/w.example.com") == std::string::npos);
}

TEST_CASE("run scope: handed-over objects stay when the pool takes them, out of the record; refused ones go") {
  StateDir dir;
  FakePlane plane;
  auto [a, b] = two_runs(plane, dir.path);
  std::string record = dir.path + "/runs/" + a->id() + ".json";
  REQUIRE(a->claim({ns("kept", "auto"), ns("refused", "auto"), ns("shared", "auto")}).ok());
  for (const char* n : {"kept", "refused", "shared"}) create(*a, ns(n, "auto"));
  REQUIRE(b->claim({ns("shared", "auto")}, std::chrono::milliseconds(200)).ok());
  std::vector<std::string> asked;
  auto pool = [&](const kv::engine::RealObject& o) {
    asked.push_back(o.key);
    return o.key != "namespace/refused";
  };
  CHECK(a->release({}, {"namespace/kept", "namespace/refused", "namespace/shared"}, pool).ok());
  // Asked only as the last user (b still uses "shared"), with the gate held; "refused" went after all.
  CHECK(asked == std::vector<std::string>{"namespace/kept", "namespace/refused"});
  CHECK(plane.objects.count("/api/v1/namespaces/kept") == 1);
  CHECK(plane.objects.count("/api/v1/namespaces/shared") == 1);
  CHECK(plane.objects.count("/api/v1/namespaces/refused") == 0);
  CHECK_FALSE(std::filesystem::exists(record));  // nothing left for a sweep to remove
  CHECK(a->created_in("kept") == false);
}

TEST_CASE("run scope: created_in names the namespaces the run's objects live in") {
  StateDir dir;
  FakePlane plane;
  auto scope = kv::engine::RunScope::Open(plane, dir.path);
  REQUIRE(scope.ok());
  kv::engine::RealObject role{kv::engine::kRankRbac, "role/shop/reader", "d", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles/reader", false};
  REQUIRE((*scope)->claim({ns("shop", "auto"), role}).ok());
  create(**scope, ns("shop", "auto"));
  create(**scope, role);
  CHECK((*scope)->created_in("shop"));
  CHECK_FALSE((*scope)->created_in("sho"));
  CHECK_FALSE((*scope)->created_in("other"));
  CHECK((*scope)->release().ok());
  CHECK_FALSE((*scope)->created_in("shop"));
}
