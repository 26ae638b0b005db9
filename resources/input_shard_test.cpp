// load_paths with --shard: files after directory expansion are the units; a chart inside a directory
// and a path's own problem go by their path; the shards together load exactly what one run loads.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/temp_dir_test_support.h"
#include "resources/loader.h"

namespace {

using kv::core::testing::TempDir;

std::string object(const std::string& name) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n";
}

// What a result set names: each resource, problem and skipped result as "file|what".
std::vector<std::string> names(const kv::LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& res : r.resources) out.push_back(res.source.file + "|" + res.name);
  for (const auto& p : r.problems) out.push_back(p.source.file + "|" + p.findings[0].rule);
  for (const auto& s : r.skipped) out.push_back(s.source.file + "|" + s.findings[0].rule);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("load_paths --shard: every file in one shard, a chart whole, the union is the unsharded load") {
  TempDir t("load-shard");
  for (int i = 0; i < 12; ++i) t.write("deploy/f" + std::to_string(i) + ".yaml", object("cm" + std::to_string(i)));
  t.write("deploy/values.yaml", "replicas: 2\n");
  t.write("deploy/chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n");
  t.write("deploy/chart/templates/a.yaml", "{{ .Values.x }}\n");
  t.write("deploy/chart/templates/b.yaml", "{{ .Values.y }}\n");
  const std::vector<std::string> paths = {t.path + "/deploy", t.path + "/missing.yaml"};
  const auto whole = kv::load_paths(paths);
  REQUIRE(whole.resources.size() == 12);
  for (int n : {2, 3, 5}) {
    std::vector<std::string> united;
    size_t charts = 0;
    for (int i = 1; i <= n; ++i) {
      kv::LoadOptions o;
      o.shard = kv::ShardFilter({i, n}, t.path);
      auto part = kv::load_paths(paths, o);
      for (const auto& s : part.skipped) charts += s.findings[0].rule == "input/helm-chart";
      // Nothing said about a folder of which this shard saw only a part.
      for (const auto& p : part.problems) CHECK(p.findings[0].rule != "input/no-objects");
      auto got = names(part);
      united.insert(united.end(), got.begin(), got.end());
      CHECK(part.other_shards > 0);
    }
    std::sort(united.begin(), united.end());
    CHECK(united == names(whole));
    CHECK(charts == 1);
  }
}

TEST_CASE("load_paths --shard: stdin is shard 1's; a shard can hold nothing") {
  TempDir t("load-shard-empty");
  const std::string one = t.write("only.yaml", object("a"));
  int owner = 0;
  for (int i = 1; i <= 4; ++i) {
    kv::LoadOptions o;
    o.shard = kv::ShardFilter({i, 4}, t.path);
    auto part = kv::load_paths({one}, o);
    if (part.resources.size() == 1) owner = i;
    else CHECK((part.problems.empty() && part.other_shards == 1));
  }
  CHECK(owner != 0);
  kv::LoadOptions second;
  second.shard = kv::ShardFilter({2, 2}, t.path);
  auto in2 = kv::load_paths({"-"}, second);
  CHECK(in2.resources.empty());
  CHECK(in2.problems.empty());
  CHECK(in2.other_shards == 1);
}
