#include "controlplane/plane_logs.h"

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "controlplane/state.h"

using namespace kv;
using namespace kv::controlplane;

TEST_CASE("plane_log_files: the logs there are; none is exit 3 unless following") {
  auto dir = (std::filesystem::temp_directory_path() / "kv-plane-logs-test").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto none = plane_log_files(dir, "", false);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().exit_code() == 3);
  CHECK(none.status().message() == "no control plane logs in " + dir + " (not started?)");
  CHECK(plane_log_files(dir, "", true)->empty());

  std::filesystem::create_directories(std::filesystem::path(log_file(dir, "etcd")).parent_path());
  std::ofstream(log_file(dir, "etcd")) << "etcd started\n";
  CHECK(*plane_log_files(dir, "", false) == std::vector<std::string>{log_file(dir, "etcd")});
  CHECK(*plane_log_files(dir, "etcd", false) == std::vector<std::string>{log_file(dir, "etcd")});
  auto asked = plane_log_files(dir, "kwok", false);
  REQUIRE_FALSE(asked.ok());
  CHECK(asked.status().message() == "no log for kwok in " + dir + " (not started?)");
  CHECK(plane_log_files(dir, "kwok", true)->empty());
  std::filesystem::remove_all(dir);
}
