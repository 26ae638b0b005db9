#include "engine/result_cache.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"

using namespace kv;
using namespace kv::engine;
using kv::core::testing::TempDir;

namespace {

CachedVerdict invalid_port() {
  CachedVerdict v;
  v.status = ObjectStatus::kInvalid;
  Finding f;
  f.severity = Severity::kError;
  f.rule = "dry-run/FieldValueInvalid";
  f.message = "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive";
  f.path = "spec.ports[0].port";
  f.pass = 2;
  v.findings.push_back(f);
  return v;
}

}  // namespace

TEST_CASE("a kept verdict is read back as judged, in a private file") {
  TempDir d("results");
  ResultCache cache(d.path + "/results");
  const std::string key = object_key("world", "/api/v1/namespaces/demo/services/web", "kind: Service\n");
  CHECK(key.size() == 64);
  CHECK_FALSE(cache.get(key));
  cache.put(key, invalid_port());
  auto back = cache.get(key);
  REQUIRE(back);
  CHECK(back->status == ObjectStatus::kInvalid);
  REQUIRE(back->findings.size() == 1);
  CHECK(back->findings[0].rule == "dry-run/FieldValueInvalid");
  CHECK(back->findings[0].path == "spec.ports[0].port");
  CHECK(back->findings[0].pass == 2);
  CHECK(back->findings[0].line == 0);  // placed again when served
  struct stat st {};
  REQUIRE(::stat((d.path + "/results/" + key).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((d.path + "/results").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("only valid and invalid verdicts are kept, and only under a key") {
  TempDir d("results-no");
  ResultCache cache(d.path);
  CachedVerdict err;
  err.status = ObjectStatus::kError;
  const std::string key(64, 'a');
  cache.put(key, err);
  CHECK_FALSE(cache.get(key));
  cache.put("../../escape", invalid_port());
  CHECK_FALSE(cache.get("../../escape"));
  CHECK(cache.written() == 0);  // (a run that wrote nothing does not prune)
  cache.put(key, CachedVerdict{});
  CHECK(cache.written() == 1);
  auto plain = cache.get(key);  // the common entry, read without a parse
  REQUIRE(plain);
  CHECK(plain->status == ObjectStatus::kValid);
  CHECK(plain->findings.empty());
  std::ofstream(d.path + "/" + std::string(64, 'b')) << "{\"v\":1,\"status\":\"error\",\"findings\":[]}";
  CHECK_FALSE(cache.get(std::string(64, 'b')));
  std::ofstream(d.path + "/" + std::string(64, 'c')) << "not json";
  CHECK_FALSE(cache.get(std::string(64, 'c')));
}

TEST_CASE("the key changes with the world, the path and the text; the world with each of its parts") {
  WorldParts base{"v1.37.2 owned", "kvalidate 0.1.0", {"crd text", "namespace text"}, {"namespace/default baseline"}};
  const std::string world = batch_world(base);
  WorldParts reordered = base;
  std::swap(reordered.own_objects[0], reordered.own_objects[1]);
  CHECK(batch_world(reordered) == world);  // a set, not a list
  for (auto change : std::vector<std::function<void(WorldParts&)>>{
           [](WorldParts& w) { w.server = "v1.36.3 owned"; },
           [](WorldParts& w) { w.settings += " warnings-as-errors"; },
           [](WorldParts& w) { w.own_objects[0] = "crd text, another schema"; },
           [](WorldParts& w) { w.baseline.push_back("crd/widgets.example.com 12"); },
           [](WorldParts& w) { w.baseline[0] = "namespace/default baseline pod-security.kubernetes.io/enforce=restricted"; }}) {
    WorldParts w = base;
    change(w);
    CHECK(batch_world(w) != world);
  }
  const std::string key = object_key(world, "/api/v1/namespaces/a/configmaps/c", "data: {k: v}");
  CHECK(object_key(world, "/api/v1/namespaces/b/configmaps/c", "data: {k: v}") != key);
  CHECK(object_key(world, "/api/v1/namespaces/a/configmaps/c", "data: {k: w}") != key);
  CHECK(object_key(batch_world(reordered), "/api/v1/namespaces/a/configmaps/c", "data: {k: v}") == key);
}

TEST_CASE("the results folder keeps its newest entries") {
  TempDir d("results-prune");
  ResultCache cache(d.path);
  for (int i = 0; i < 4; ++i) {
    std::string key(64, static_cast<char>('a' + i));
    cache.put(key, invalid_port());
    struct timespec times[2] = {{1000 + i, 0}, {1000 + i, 0}};
    ::utimensat(AT_FDCWD, (d.path + "/" + key).c_str(), times, 0);
  }
  cache.prune(2);
  CHECK_FALSE(cache.get(std::string(64, 'a')));
  CHECK_FALSE(cache.get(std::string(64, 'b')));
  CHECK(cache.get(std::string(64, 'c')));
  CHECK(cache.get(std::string(64, 'd')));
}
