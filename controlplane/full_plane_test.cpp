#include "controlplane/full_plane.h"

#include <unistd.h>

#include <doctest/doctest.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "controlplane/apiserver_backend.h"
#include "controlplane/files.h"
#include "controlplane/kwok_config.h"
#include "core/json.h"
#include "core/temp_dir_test_support.h"
#include "core/tools.h"
#include "kube/kubeconfig.h"

namespace kv::controlplane {

namespace fs = std::filesystem;

namespace {
bool has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

FullConfig sample() {
  FullConfig c;
  c.dir = "/state";
  c.bins = {"/bin/kube-controller-manager", "/bin/kube-scheduler", "/bin/kwok", ""};
  c.controller_manager_port = 7001;
  c.scheduler_port = 7002;
  return c;
}

// A temporary folder holding fake executables, removed on scope exit.
struct TempDir : kv::core::testing::TempDir {
  TempDir() : kv::core::testing::TempDir("full-test") {}
  std::string exe(const std::string& dir, const std::string& name) const {
    std::string p = write(dir + "/" + name, "#!/bin/sh\n");
    fs::permissions(p, fs::perms::owner_all);
    return p;
  }
};
// Sets an environment variable for a scope.
struct EnvGuard {
  std::string name, old;
  bool had;
  EnvGuard(std::string n, const std::string& value) : name(std::move(n)) {
    const char* v = std::getenv(name.c_str());
    had = v != nullptr;
    if (had) old = v;
    setenv(name.c_str(), value.c_str(), 1);
  }
  ~EnvGuard() { had ? setenv(name.c_str(), old.c_str(), 1) : unsetenv(name.c_str()); }
};
}  // namespace

TEST_CASE("controller_manager_command: own kubeconfig, loopback, no leader election, token controller keys") {
  auto argv = controller_manager_command(sample());
  CHECK(argv[0] == "/bin/kube-controller-manager");
  CHECK(has(argv, "--kubeconfig=/state/pki/controller-manager.kubeconfig"));
  CHECK(has(argv, "--authentication-kubeconfig=/state/pki/controller-manager.kubeconfig"));
  CHECK(has(argv, "--bind-address=127.0.0.1"));
  CHECK(has(argv, "--secure-port=7001"));
  CHECK(has(argv, "--leader-elect=false"));
  CHECK(has(argv, "--use-service-account-credentials=true"));
  CHECK(has(argv, "--service-account-private-key-file=/state/pki/sa.key"));
  CHECK(has(argv, "--root-ca-file=/state/pki/ca.crt"));
  CHECK(has(argv, "--tls-cert-file=/state/pki/serving.crt"));
}

TEST_CASE("scheduler_command and kwok_components: own identities, loopback, KWOK kept off the user's ~/.kwok") {
  auto argv = scheduler_command(sample());
  CHECK(argv[0] == "/bin/kube-scheduler");
  CHECK(has(argv, "--kubeconfig=/state/pki/scheduler.kubeconfig"));
  CHECK(has(argv, "--secure-port=7002"));
  CHECK(has(argv, "--bind-address=127.0.0.1"));
  CHECK(has(argv, "--leader-elect=false"));
  auto kwok = kwok_components(sample());
  REQUIRE(kwok.size() == 1);
  CHECK(kwok[0].name == "kwok");
  CHECK(kwok[0].exe == "kwok");
  CHECK(has(kwok[0].argv, "--kubeconfig=/state/pki/kwok.kubeconfig"));
  CHECK(has(kwok[0].argv, "--config=/state/kwok/kwok.yaml"));
  CHECK(has(kwok[0].argv, "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake"));
  CHECK(kwok[0].env.at("KWOK_WORKDIR") == "/state/kwok");
  FullConfig none = sample();
  none.bins.kwok.clear();
  CHECK(kwok_components(none).empty());
}

TEST_CASE("write_full_files: a client certificate per component from the plane's CA, KWOK's stages") {
  TempDir t;
  REQUIRE(ensure_pki(t.path).ok());
  FullConfig c = sample();
  c.dir = t.path;
  REQUIRE(write_full_files(c, "https://127.0.0.1:6443").ok());
  auto ca = read_file(t.path + "/pki/ca.crt");
  REQUIRE(ca.ok());
  for (const char* component : {"controller-manager", "scheduler", "kwok"}) {
    auto cluster = kube::load_kubeconfig(component_kubeconfig(t.path, component));
    REQUIRE_MESSAGE(cluster.ok(), component);
    CHECK(cluster->server == "https://127.0.0.1:6443");
    CHECK(cluster->ca_pem == *ca);
    CHECK_FALSE(cluster->client_cert_pem.empty());
    CHECK((fs::status(component_kubeconfig(t.path, component)).permissions() & fs::perms::others_read) ==
          fs::perms::none);
  }
  auto admin = read_file(t.path + "/pki/admin.crt");
  CHECK(kube::load_kubeconfig(component_kubeconfig(t.path, "scheduler"))->client_cert_pem != *admin);
  auto stages = read_file(t.path + "/kwok/kwok.yaml");
  REQUIRE(stages.ok());
  CHECK(*stages == kwok_stages_yaml());
}

TEST_CASE("kwok_stages_yaml: Stage documents for nodes and pods, each a valid YAML map") {
  std::string yaml = kwok_stages_yaml();
  std::vector<YAML::Node> docs = YAML::LoadAll(yaml);
  std::vector<std::string> names;
  for (const auto& d : docs) {
    REQUIRE(d.IsMap());
    CHECK(d["kind"].as<std::string>() == "Stage");
    CHECK(d["apiVersion"].as<std::string>() == "kwok.x-k8s.io/v1alpha1");
    CHECK(d["spec"]["resourceRef"]["kind"]);
    CHECK((d["spec"]["next"]["statusTemplate"] || d["spec"]["next"]["delete"]));
    names.push_back(d["metadata"]["name"].as<std::string>());
  }
  CHECK(names == std::vector<std::string>{"kvalidate-node-ready", "kvalidate-node-heartbeat", "kvalidate-pod-running",
                                          "kvalidate-pod-succeeded", "kvalidate-pod-deleted"});
}

TEST_CASE("simulated_node_json: KWOK's annotation, well-known labels, a zone each, capacity") {
  auto node = parse_json(simulated_node_json(1), "node");
  REQUIRE(node.ok());
  CHECK((*node)["metadata"]["name"].as<std::string>() == "kvalidate-node-1");
  CHECK((*node)["metadata"]["annotations"][kKwokNodeAnnotation].as<std::string>() == "fake");
  CHECK((*node)["metadata"]["labels"]["kubernetes.io/hostname"].as<std::string>() == "kvalidate-node-1");
  CHECK((*node)["metadata"]["labels"]["topology.kubernetes.io/zone"].as<std::string>() == "zone-b");
  CHECK((*node)["status"]["capacity"]["pods"].as<std::string>() == "250");
}

TEST_CASE("find_full_binaries: beside the apiserver, built once when missing, kwok optional") {
  TempDir t;
  std::string apiserver = t.exe("bin", "kube-apiserver");
  std::vector<std::vector<std::string>> builds;
  EnvGuard cache("XDG_CACHE_HOME", t.path);  // an empty cache, not the real one (which may hold a kwok)

  SUBCASE("present beside the apiserver: no build; kwok missing says why") {
    t.exe("bin", "kube-controller-manager");
    t.exe("bin", "kube-scheduler");
    auto b = find_full_binaries(apiserver, [&](const std::vector<std::string>& targets) {
      builds.push_back(targets);
      return Status::Unavailable("go: no network");
    });
    REQUIRE(b.ok());
    CHECK(b->controller_manager == t.path + "/bin/kube-controller-manager");
    CHECK(b->scheduler == t.path + "/bin/kube-scheduler");
    CHECK(b->kwok.empty());
    CHECK(b->kwok_missing.find("go: no network") != std::string::npos);
    REQUIRE(builds.size() == 1);
    CHECK(builds[0] == std::vector<std::string>{"kwok"});
  }
  SUBCASE("missing beside an apiserver outside the cache: never built, an error naming the folder") {
    auto b = find_full_binaries(apiserver, [&](const std::vector<std::string>& targets) {
      builds.push_back(targets);
      return Status::Ok();
    });
    REQUIRE_FALSE(b.ok());
    CHECK(b.status().code() == Status::Code::kUnavailable);
    CHECK(b.status().message().find("kube-controller-manager not found beside " + apiserver) != std::string::npos);
    REQUIRE(builds.size() == 1);
    CHECK(builds[0] == std::vector<std::string>{"kwok"});
  }
  SUBCASE("missing beside a cached apiserver: built, then found") {
    std::string cached = t.exe("kvalidate/bin/v1.37.2", "kube-apiserver");
    auto b = find_full_binaries(cached, [&](const std::vector<std::string>& targets) {
      builds.push_back(targets);
      t.exe("kvalidate/bin/v1.37.2", "kube-controller-manager");
      t.exe("kvalidate/bin/v1.37.2", "kube-scheduler");
      return Status::Ok();
    });
    REQUIRE_MESSAGE(b.ok(), b.status().message());
    REQUIRE(builds.size() == 1);
    CHECK(builds[0] == std::vector<std::string>{"kubernetes-full", "kwok"});
    CHECK(b->scheduler == t.path + "/kvalidate/bin/v1.37.2/kube-scheduler");
  }
}

}  // namespace kv::controlplane
