#include "engine/namespace_pool.h"

#include <sys/stat.h>

#include <fstream>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"

using namespace kv;
using namespace kv::engine;
using kv::core::testing::TempDir;

namespace {

PooledNamespace entry(const std::string& name, const std::string& digest, const std::string& run = "rold",
                      long long used = 1) {
  return PooledNamespace{name, digest, run, used};
}

std::vector<std::string> names(const std::vector<PooledNamespace>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.name);
  return out;
}

}  // namespace

TEST_CASE("a pooled namespace made from the same text is adopted, from another text evicted") {
  std::vector<PooledNamespace> pooled = {entry("shop", "d1"), entry("made", kMadeNamespaceDigest), entry("other", "d3")};
  std::map<std::string, NamespaceOnPlane> plane = {{"shop", {"rold", false}}, {"made", {"rold", false}},
                                                   {"other", {"rold", false}}};
  // "shop" from the same text; "made" wanted from an input Namespace now; "other" not needed: left alone.
  auto choice = choose_namespaces({{"shop", "d1"}, {"made", "d2"}}, pooled, plane, true);
  CHECK(choice.adopt == std::set<std::string>{"shop"});
  CHECK(names(choice.evict) == std::vector<std::string>{"made"});
  CHECK(choice.stale.empty());
}

TEST_CASE("a batch that may not adopt evicts every pooled namespace it needs") {
  std::vector<PooledNamespace> pooled = {entry("shop", "d1")};
  auto choice = choose_namespaces({{"shop", "d1"}}, pooled, {{"shop", {"rold", false}}}, false);
  CHECK(choice.adopt.empty());
  CHECK(names(choice.evict) == std::vector<std::string>{"shop"});
}

TEST_CASE("an entry whose namespace the plane no longer holds as pooled is stale, never adopted or deleted") {
  std::vector<PooledNamespace> pooled = {entry("gone", "d1"), entry("remade", "d2"), entry("plane-own", "d3"),
                                         entry("deleting", "d4")};
  std::map<std::string, NamespaceOnPlane> plane = {{"remade", {"ranother", false}},  // another run's now
                                                   {"plane-own", {"", false}},       // the plane's own
                                                   {"deleting", {"rold", true}}};
  auto choice = choose_namespaces({{"gone", "d1"}, {"remade", "d2"}, {"plane-own", "d3"}, {"deleting", "d4"}}, pooled,
                                  plane, true);
  CHECK(choice.adopt.empty());
  CHECK(choice.evict.empty());
  CHECK(choice.stale == std::vector<std::string>{"gone", "remade", "plane-own", "deleting"});
}

TEST_CASE("the pool keeps the most recently used namespaces") {
  auto over = namespaces_over_limit({entry("a", "d", "r", 5), entry("b", "d", "r", 9), entry("c", "d", "r", 1)}, 2);
  CHECK(names(over) == std::vector<std::string>{"c"});
  CHECK(namespaces_over_limit({entry("a", "d")}, 2).empty());
}

TEST_CASE("pool entries: written private, read back, names that are no namespace refused") {
  TempDir dir;
  NamespacePool pool(dir.path);
  REQUIRE(pool.put(entry("shop", "d1", "r1", 42)).ok());
  REQUIRE(pool.put(entry("made", kMadeNamespaceDigest, "r2", 7)).ok());
  auto got = pool.get("shop");
  REQUIRE(got);
  CHECK(got->digest == "d1");
  CHECK(got->run == "r1");
  CHECK(got->used == 42);
  CHECK(names(pool.all()) == std::vector<std::string>{"made", "shop"});
  struct stat st{};
  REQUIRE(stat((dir.path + "/namespace-pool/shop.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(pool.put(entry("../escape", "d")).ok());
  CHECK_FALSE(pool.put(entry("Upper", "d")).ok());
  CHECK_FALSE(pool.get("../shop"));
  pool.drop("shop");
  CHECK_FALSE(pool.get("shop"));
}

TEST_CASE("a damaged or foreign pool entry is not trusted") {
  CHECK_FALSE(parse_pooled_namespace("not json"));
  CHECK_FALSE(parse_pooled_namespace(R"({"name":"shop","digest":"d","run":"r","used":"x"})"));
  CHECK_FALSE(parse_pooled_namespace(R"({"name":"shop","digest":"d","run":"","used":1})"));
  CHECK_FALSE(parse_pooled_namespace(R"({"name":"a/b","digest":"d","run":"r","used":1})"));
  auto ok = parse_pooled_namespace(pooled_namespace_json(entry("shop", "d", "r", 3)));
  REQUIRE(ok);
  CHECK(ok->used == 3);
  TempDir dir;
  NamespacePool pool(dir.path);
  REQUIRE(pool.put(entry("shop", "d")).ok());
  {  // an entry whose name is not its file's
    std::ofstream f(dir.path + "/namespace-pool/shop.json");
    f << pooled_namespace_json(entry("other", "d"));
  }
  CHECK_FALSE(pool.get("shop"));
}
