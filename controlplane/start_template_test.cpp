#include "controlplane/start_template.h"

#include <unistd.h>

#include <doctest/doctest.h>
#include <filesystem>

#include "controlplane/files.h"
#include "controlplane/launch.h"
#include "core/process.h"
#include "kube/kubeconfig.h"

namespace kv::controlplane {

TEST_CASE("etcd_delete_body: one key, or a prefix as the range up to its successor") {
  CHECK(etcd_delete_body("/registry/x", false) == R"({"key":")" + kube::base64_encode("/registry/x") + R"("})");
  CHECK(etcd_delete_body("/registry/leases/kube-system/apiserver-", true) ==
        R"({"key":")" + kube::base64_encode("/registry/leases/kube-system/apiserver-") + R"(","range_end":")" +
            kube::base64_encode("/registry/leases/kube-system/apiserver.") + R"("})");
}

TEST_CASE("sweep_dead_makers: a dead maker's plane is stopped and its folder removed, other keys' are kept") {
  namespace fs = std::filesystem;
  std::string root = (fs::temp_directory_path() / ("kv-sweep-" + std::to_string(getpid()))).string();
  fs::remove_all(root);
  REQUIRE(make_private_dir(root + "/k1.make.99").ok());
  REQUIRE(make_private_dir(root + "/k2.make.98").ok());
  REQUIRE(make_private_dir(root + "/k1").ok());
  auto sleep = find_in_path("sleep");
  REQUIRE(sleep);
  State s;
  s.backend = "apiserver";
  REQUIRE(spawn_components(root + "/k1.make.99", {{"etcd", {*sleep, "60"}, "sleep"}}, s).ok());
  pid_t pid = s.processes.at(0).pid;
  for (int i = 0; i < 100 && pid_exe_name(pid) != "sleep"; ++i) usleep(10000);  // until it has exec'd
  REQUIRE(pid_exe_name(pid) == "sleep");

  sweep_dead_makers(root, "k1");
  CHECK_FALSE(process_running(s.processes.at(0)));
  CHECK_FALSE(fs::exists(root + "/k1.make.99"));
  CHECK(fs::exists(root + "/k2.make.98"));  // another key's maker may be alive
  CHECK(fs::exists(root + "/k1"));          // the template itself
  fs::remove_all(root);
}

}  // namespace kv::controlplane
