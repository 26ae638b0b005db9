#include "controlplane/launch.h"

#include <unistd.h>

#include <doctest/doctest.h>
#include <filesystem>

#include "controlplane/files.h"
#include "core/process.h"

namespace kv::controlplane {

namespace fs = std::filesystem;

TEST_CASE("launch: a component that dies is reported with its log, the rest is stopped, state removed") {
  std::string dir = (fs::temp_directory_path() / ("kv-launch-test-" + std::to_string(getpid()))).string();
  REQUIRE(make_private_dir(dir).ok());
  auto sh = find_in_path("sh");
  auto sleep = find_in_path("sleep");
  REQUIRE(sh);
  REQUIRE(sleep);
  LaunchPlan plan;
  plan.backend = "apiserver";
  plan.server = "https://127.0.0.1:1";
  plan.kubeconfig = dir + "/kubeconfig";
  plan.components = {{"etcd", {*sleep, "30"}, "sleep"},
                     {"apiserver", {*sh, "-c", "echo 'listen tcp 127.0.0.1:1: bind: address already in use'; exit 1"}, "sh"}};
  plan.credentials = []() -> Result<kube::Cluster> { return Status::NotFound("not yet"); };
  bool port_taken = false;
  auto r = launch(dir, plan, std::chrono::steady_clock::now() + std::chrono::seconds(20), port_taken);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kUnavailable);
  CHECK(port_taken);
  CHECK(r.status().message().find("apiserver exited while starting") != std::string::npos);
  CHECK(r.status().message().find("address already in use") != std::string::npos);
  CHECK_FALSE(fs::exists(state_file(dir)));
  fs::remove_all(dir);
}

TEST_CASE("launch: not ready by the deadline fails and stops what it started") {
  std::string dir = (fs::temp_directory_path() / ("kv-launch-test2-" + std::to_string(getpid()))).string();
  REQUIRE(make_private_dir(dir).ok());
  auto sleep = find_in_path("sleep");
  REQUIRE(sleep);
  LaunchPlan plan;
  plan.backend = "k3s";
  plan.kubeconfig = dir + "/kubeconfig";
  plan.components = {{"k3s", {*sleep, "30"}, "sleep"}};
  plan.credentials = []() -> Result<kube::Cluster> { return Status::NotFound("k3s has not written it yet"); };
  bool port_taken = true;
  auto r = launch(dir, plan, std::chrono::steady_clock::now() + std::chrono::milliseconds(300), port_taken);
  REQUIRE_FALSE(r.ok());
  CHECK_FALSE(port_taken);
  CHECK(r.status().message().find("not ready in time") != std::string::npos);
  CHECK(r.status().message().find("k3s has not written it yet") != std::string::npos);
  CHECK_FALSE(fs::exists(state_file(dir)));
  fs::remove_all(dir);
}

}  // namespace kv::controlplane
