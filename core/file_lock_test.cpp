#include "core/file_lock.h"

#include <unistd.h>

#include <doctest/doctest.h>
#include <filesystem>

#include <sys/stat.h>

namespace kv {

namespace fs = std::filesystem;

TEST_CASE("FileLock: a second holder waits and times out; released on destruction") {
  std::string path = (fs::temp_directory_path() / ("kv-lock-test-" + std::to_string(getpid()))).string();
  {
    auto first = FileLock::acquire(path, std::chrono::milliseconds(100));
    REQUIRE(first.ok());
    auto second = FileLock::acquire(path, std::chrono::milliseconds(100));
    CHECK(second.status().code() == Status::Code::kUnavailable);
  }
  CHECK(FileLock::acquire(path, std::chrono::milliseconds(100)).ok());
  fs::remove(path);
}

TEST_CASE("FileLock: the lock file is private and a file that cannot be opened is an IO error") {
  std::string path = (fs::temp_directory_path() / ("kv-lock-mode-" + std::to_string(getpid()))).string();
  {
    auto lock = FileLock::acquire(path, std::chrono::milliseconds(100));
    REQUIRE(lock.ok());
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  fs::remove(path);
  auto bad = FileLock::acquire(path + "/no/such/dir/lock", std::chrono::milliseconds(100));
  CHECK(bad.status().code() == Status::Code::kIO);
}

}  // namespace kv
