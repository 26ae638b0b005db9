#include "engine/crd_pool.h"

#include <sys/stat.h>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"

using namespace kv;
using namespace kv::engine;
using kv::core::testing::TempDir;

namespace {

PooledCrd entry(const std::string& name, const std::string& uid, const std::string& digest, long long used = 1,
                size_t bytes = 10, const std::string& spec = "") {
  return PooledCrd{name, uid, digest, spec, {}, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + name,
                   bytes, used};
}

std::map<std::string, LabelledCrd> plane(const std::vector<PooledCrd>& crds) {
  std::map<std::string, LabelledCrd> out;
  for (const auto& c : crds) out[c.name] = LabelledCrd{c.uid, "rold", "1", false};
  return out;
}

}  // namespace

TEST_CASE("a pooled CRD with the same text is adopted, another text of it is evicted") {
  std::vector<PooledCrd> pooled = {entry("widgets.a.io", "u1", "d1"), entry("gizmos.b.io", "u2", "d2")};
  auto choice = choose_pooled({{"widgets.a.io", "d1", "s1"}, {"gizmos.b.io", "dX", "sX"}}, pooled, plane(pooled));
  CHECK(choice.adopt == std::vector<size_t>{0});
  REQUIRE(choice.evict.size() == 1);
  CHECK(choice.evict[0].name == "gizmos.b.io");
  CHECK(choice.stale.empty());
}

TEST_CASE("a new CRD evicts the pooled ones of its API group that the input does not adopt") {
  std::vector<PooledCrd> pooled = {entry("widgets.a.io", "u1", "d1"), entry("others.a.io", "u2", "d2"),
                                   entry("things.c.io", "u3", "d3")};
  auto choice = choose_pooled({{"widgets.a.io", "d1", "s1"}, {"news.a.io", "d9", "s9"}}, pooled, plane(pooled));
  CHECK(choice.adopt == std::vector<size_t>{0});
  REQUIRE(choice.evict.size() == 1);
  CHECK(choice.evict[0].name == "others.a.io");  // things.c.io is in no group the input creates in
}

TEST_CASE("an entry whose CRD the plane no longer holds (or holds as another object) is stale, never adopted") {
  std::vector<PooledCrd> pooled = {entry("widgets.a.io", "u1", "d1"), entry("gizmos.b.io", "u2", "d2")};
  auto on_plane = plane(pooled);
  on_plane.erase("widgets.a.io");
  on_plane["gizmos.b.io"].uid = "other";
  auto choice = choose_pooled({{"widgets.a.io", "d1", "s1"}, {"gizmos.b.io", "d2", "s2"}}, pooled, on_plane);
  CHECK(choice.adopt.empty());
  CHECK(choice.evict.empty());  // nothing of the pool's to delete: the input creates both
  CHECK(choice.stale == std::vector<std::string>{"widgets.a.io", "gizmos.b.io"});
}

TEST_CASE("a CRD being deleted is neither adopted nor forgotten") {
  std::vector<PooledCrd> pooled = {entry("widgets.a.io", "u1", "d1")};
  auto on_plane = plane(pooled);
  on_plane["widgets.a.io"].terminating = true;
  auto choice = choose_pooled({{"widgets.a.io", "d1", "s1"}}, pooled, on_plane);
  CHECK(choice.adopt.empty());
  CHECK(choice.stale.empty());
}

TEST_CASE("the same spec with other metadata is checked first; a refused check creates it after an eviction") {
  std::vector<PooledCrd> pooled = {entry("widgets.a.io", "u1", "d1", 1, 10, "s1")};
  auto choice = choose_pooled({{"widgets.a.io", "d2", "s1"}}, pooled, plane(pooled));
  CHECK(choice.adopt.empty());
  CHECK(choice.same_spec == std::vector<size_t>{0});
  CHECK(choice.evict.empty());
  std::vector<PooledCrd> checked = pooled;
  checked[0].clean_variants = {"d2"};  // found clean once: adopted without a check
  auto again = choose_pooled({{"widgets.a.io", "d2", "s1"}}, checked, plane(checked));
  CHECK(again.adopt == std::vector<size_t>{0});
  CHECK(again.same_spec.empty());
  auto refused = choose_pooled({{"widgets.a.io", "d2", "s1"}}, pooled, plane(pooled), {0});
  CHECK(refused.same_spec.empty());
  REQUIRE(refused.evict.size() == 1);
  CHECK(refused.evict[0].name == "widgets.a.io");
}

TEST_CASE("the pool keeps the most recently used within its bounds") {
  std::vector<PooledCrd> pooled = {entry("a.x.io", "1", "d", 30, 40), entry("b.x.io", "2", "d", 10, 40),
                                   entry("c.x.io", "3", "d", 20, 40)};
  auto out = over_limits(pooled, PoolLimits{10, 100});
  REQUIRE(out.size() == 1);
  CHECK(out[0].name == "b.x.io");
  out = over_limits(pooled, PoolLimits{1, 1000});
  REQUIRE(out.size() == 2);
  CHECK(out[0].name == "c.x.io");
  CHECK(out[1].name == "b.x.io");
  CHECK(over_limits(pooled, PoolLimits{}).empty());
}

TEST_CASE("pool entries are private files, read back as written, and never named by a path") {
  TempDir dir("pool");
  CrdPool pool(dir.path);
  PooledCrd e = entry("widgets.a.io", "u1", "d1", 5, 7, "s1");
  e.clean_variants = {"d2", "d3"};
  REQUIRE(pool.put(e).ok());
  auto back = pool.get("widgets.a.io");
  REQUIRE(back);
  CHECK(back->uid == "u1");
  CHECK(back->spec_digest == "s1");
  CHECK(back->clean_variants == std::vector<std::string>{"d2", "d3"});
  CHECK(back->bytes == 7);
  CHECK(back->used == 5);
  struct stat st {};
  REQUIRE(::stat((dir.path + "/crd-pool/widgets.a.io.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(pool.put(entry("../escape", "u", "d")).ok());
  CHECK_FALSE(pool.get("../widgets.a.io"));
  CHECK(pool.all().size() == 1);
  pool.drop("widgets.a.io");
  CHECK(pool.all().empty());
  CHECK_FALSE(parse_pooled("{\"name\":\"w.a.io\",\"uid\":\"u\",\"digest\":\"d\",\"path\":\"/etc/passwd\",\"bytes\":1,\"used\":1}"));
}

TEST_CASE("the spec digest ignores labels and annotations, not the schema or the name") {
  YAML::Node a = YAML::Load("metadata: {name: w.a.io, annotations: {x: y}}\nspec: {group: a.io, scope: Namespaced}");
  YAML::Node b = YAML::Load("metadata: {name: w.a.io, labels: {k: v}}\nspec: {group: a.io, scope: Namespaced}");
  YAML::Node c = YAML::Load("metadata: {name: w.a.io}\nspec: {group: a.io, scope: Cluster}");
  CHECK(spec_digest("w.a.io", a) == spec_digest("w.a.io", b));
  CHECK(spec_digest("w.a.io", a) != spec_digest("w.a.io", c));
  CHECK(spec_digest("w.a.io", a) != spec_digest("v.a.io", a));
  CHECK(crd_group("widgets.example.com") == "example.com");
}
