#include "core/files.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "core/temp_dir_test_support.h"

namespace fs = std::filesystem;

namespace {

// Writes `name` in `dir` with a modification time `age` seconds in the past.
void aged(const kv::core::testing::TempDir& dir, const std::string& name, int age) {
  std::string path = dir.write(name, name);
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::seconds(age));
}

}  // namespace

TEST_CASE("keep_newest_files keeps the newest files and removes the older ones, a tenth below the limit") {
  kv::core::testing::TempDir dir("prune");
  for (int i = 0; i < 5; ++i) aged(dir, "f" + std::to_string(i), 100 - i * 10);  // f4 newest
  kv::keep_newest_files(dir.path, 3);
  CHECK_FALSE(fs::exists(dir.root() / "f0"));
  CHECK_FALSE(fs::exists(dir.root() / "f1"));
  CHECK(fs::exists(dir.root() / "f2"));
  CHECK(fs::exists(dir.root() / "f4"));
  for (int i = 0; i < 20; ++i) aged(dir, "g" + std::to_string(i), 50 - i);  // g19 newest
  kv::keep_newest_files(dir.path, 20);  // 23 files: 18 stay
  CHECK_FALSE(fs::exists(dir.root() / "f4"));
  CHECK_FALSE(fs::exists(dir.root() / "g1"));
  CHECK(fs::exists(dir.root() / "g2"));
  CHECK(fs::exists(dir.root() / "g19"));
}

TEST_CASE("keep_newest_files leaves a folder within the limit, hidden files and names it does not count") {
  kv::core::testing::TempDir dir("prune");
  aged(dir, "a", 50);
  aged(dir, "b", 40);
  aged(dir, ".a.tmp.123", 90);
  aged(dir, "other", 99);
  kv::keep_newest_files(dir.path, 2, [](const std::string& n) { return n.size() == 1; });
  CHECK(fs::exists(dir.root() / "a"));
  CHECK(fs::exists(dir.root() / "b"));
  CHECK(fs::exists(dir.root() / ".a.tmp.123"));
  CHECK(fs::exists(dir.root() / "other"));
  kv::keep_newest_files(dir.path, 1, [](const std::string& n) { return n.size() == 1; });
  CHECK_FALSE(fs::exists(dir.root() / "a"));
  CHECK(fs::exists(dir.root() / "b"));
  CHECK(fs::exists(dir.root() / "other"));
  kv::keep_newest_files(dir.path + "/missing", 1);  // no folder: nothing to do
}
