#include "core/shard.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/temp_dir_test_support.h"

using kv::ShardFilter;

namespace {

std::vector<std::string> repo_paths(int n) {
  std::vector<std::string> paths;
  for (int i = 0; i < n; ++i) paths.push_back("deploy/team-" + std::to_string(i % 7) + "/app-" + std::to_string(i) + ".yaml");
  return paths;
}

}  // namespace

TEST_CASE("--shard I/N: 1-based, 1 <= I <= N; anything else is a one-line usage error") {
  auto s = kv::parse_shard("2/4");
  REQUIRE(s.ok());
  CHECK(s->index == 2);
  CHECK(s->count == 4);
  CHECK(s->str() == "2/4");
  CHECK(kv::parse_shard("1/1").ok());
  CHECK_FALSE(kv::parse_shard("").value().enabled());
  for (const char* bad : {"0/2", "3/2", "x", "1/0", "-1/2", "1/", "/2", "1/2/3", " 1/2", "1/2 ", "1.0/2", "1/1001"}) {
    auto r = kv::parse_shard(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    CHECK(r.status().exit_code() == 2);
    CHECK(r.status().message().find(std::string("--shard ") + bad) == 0);
    CHECK(r.status().message().find('\n') == std::string::npos);
  }
}

TEST_CASE("shard keys: normalised, relative to the repository root, the same however the path is written") {
  const std::string base = "/repo", cwd = "/repo";
  CHECK(kv::shard_key("deploy/a.yaml", cwd, base) == "deploy/a.yaml");
  CHECK(kv::shard_key("./deploy//a.yaml", cwd, base) == "deploy/a.yaml");
  CHECK(kv::shard_key("/repo/deploy/a.yaml", cwd, base) == "deploy/a.yaml");
  CHECK(kv::shard_key("a.yaml", "/repo/deploy", base) == "deploy/a.yaml");  // run from a subfolder
  CHECK(kv::shard_key("../deploy/x/../a.yaml", "/repo/charts", base) == "deploy/a.yaml");
  CHECK(kv::shard_key("charts/web/", cwd, base) == "charts/web");
  CHECK(kv::shard_key("/elsewhere/b.yaml", cwd, base) == "/elsewhere/b.yaml");
  CHECK(kv::shard_key("-", cwd, base) == "-");
  // The same path in another checkout folder (another CI runner) keeps its key.
  CHECK(kv::shard_key("/builds/x/repo/deploy/a.yaml", "/builds/x/repo", "/builds/x/repo") == "deploy/a.yaml");
}

TEST_CASE("shard_base_dir is the folder holding .git at or above the working directory") {
  kv::core::testing::TempDir t("shard");
  t.write("repo/.git/HEAD", "ref: refs/heads/main\n");
  t.write("repo/deploy/a.yaml", "");
  const std::string repo = (t.root() / "repo").string();
  CHECK(kv::shard_base_dir(repo + "/deploy") == repo);
  CHECK(kv::shard_base_dir(repo) == repo);
  // Outside any repository: the working directory itself (no .git in the temp folder's parents).
  if (kv::shard_base_dir(t.path) == t.path) CHECK(kv::shard_base_dir(t.path + "/") == t.path);
}

TEST_CASE("every input lands in exactly one shard; the union over shards is the whole set") {
  const auto paths = repo_paths(200);
  for (int n : {1, 2, 3, 4, 7}) {
    std::map<std::string, int> owner;
    std::vector<std::string> all;
    for (int i = 1; i <= n; ++i) {
      ShardFilter f({i, n}, "/repo");
      for (const auto& p : f.select(paths)) {
        CHECK_MESSAGE(owner.emplace(p, i).second, p << " in two shards of " << n);
        all.push_back(p);
      }
    }
    std::sort(all.begin(), all.end());
    auto expected = paths;
    std::sort(expected.begin(), expected.end());
    CHECK(all == expected);
  }
}

TEST_CASE("the same path gets the same shard across calls, orders and other inputs; not round-robin") {
  auto paths = repo_paths(100);
  std::map<std::string, int> first;
  for (const auto& p : paths) first[p] = kv::shard_of(kv::shard_key(p, "/repo", "/repo"), 4);
  // Another order, and more files added elsewhere: no path moves.
  std::reverse(paths.begin(), paths.end());
  for (int i = 0; i < 50; ++i) paths.insert(paths.begin() + i, "new/file-" + std::to_string(i) + ".yaml");
  for (const auto& p : paths)
    if (first.count(p)) CHECK(kv::shard_of(kv::shard_key(p, "/repo", "/repo"), 4) == first[p]);
  // Every shard gets some of 100 paths (a hash spreads them), and stdin is always shard 1.
  std::set<int> used;
  for (const auto& [p, s] : first) used.insert(s);
  CHECK(used == std::set<int>{1, 2, 3, 4});
  CHECK(kv::shard_of("-", 4) == 1);
  // The documented formula (first 8 bytes of SHA-256 as a big-endian number, mod N, plus one), pinned with
  // values computed by Python's hashlib, so that a change of assignment is seen.
  CHECK(kv::shard_of("deploy/a.yaml", 3) == 2);
  CHECK(kv::shard_of("deploy/a.yaml", 7) == 4);
  CHECK(kv::shard_of("charts/web", 2) == 2);
  CHECK(kv::shard_of("x", 7) == 2);
  CHECK(kv::shard_of("deploy/a.yaml", 1) == 1);
  CHECK(ShardFilter({1, 4}, "/repo").holds("-"));
  CHECK_FALSE(ShardFilter({2, 4}, "/repo").holds("-"));
  CHECK(ShardFilter().holds("anything"));
}
