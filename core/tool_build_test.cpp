#include "core/tool_build.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "core/tools.h"

namespace {

// Sets environment variables for one test and puts the old values back.
struct ScopedEnv {
  std::vector<std::pair<std::string, std::optional<std::string>>> saved;
  void set(const std::string& k, const std::string& v) {
    const char* old = std::getenv(k.c_str());
    saved.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
    setenv(k.c_str(), v.c_str(), 1);
  }
  ~ScopedEnv() {
    for (auto it = saved.rbegin(); it != saved.rend(); ++it)
      if (it->second) setenv(it->first.c_str(), it->second->c_str(), 1);
      else unsetenv(it->first.c_str());
  }
};

void write_script(const std::string& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/bash\n" << body;
  chmod(path.c_str(), 0755);
}

}  // namespace

TEST_CASE("build_step follows build.sh's log") {
  CHECK(kv::build_step("") == "starting tools/go/build.sh");
  CHECK(kv::build_step("tools/go/build.sh: waiting for another build to finish (lock /x)\n") ==
        "waiting for another build to finish");
  CHECK(kv::build_step("tools/go/build.sh: waiting for another build\n"
                       "tools/go/build.sh: building kube-apiserver kubectl v1.35.4 (first time only; several minutes)\n"
                       "go: downloading k8s.io/api v0.35.4\n") ==
        "building kube-apiserver kubectl v1.35.4 from the Go module proxy");
  CHECK(kv::build_step("tools/go/build.sh: built kube-apiserver kubectl v1.35.4 in 300s\n") ==
        "built kube-apiserver kubectl v1.35.4 in 300s");
}

TEST_CASE("format_build_progress names the version, the step and the time") {
  kv::BuildProgress p{"v1.35.4", "building kube-apiserver kubectl v1.35.4 from the Go module proxy", 65.2, false};
  CHECK(kv::format_build_progress(p) ==
        "Kubernetes v1.35.4 (first use, several minutes): building kube-apiserver kubectl v1.35.4 from the Go "
        "module proxy, 1m05s");
  p.done = true;
  p.elapsed_s = 7;
  CHECK(kv::format_build_progress(p) == "Kubernetes v1.35.4 (first use): binaries built in 7s");
}

TEST_CASE("ensure_kube_binaries runs the build script once and reports its steps") {
  auto dir = std::filesystem::temp_directory_path() / ("kv-tool-build-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "tools");
  ScopedEnv env;
  env.set("XDG_CACHE_HOME", (dir / "cache").string());
  env.set("KVALIDATE_TOOLS_DIR", (dir / "tools").string());
  env.set("PATH", "/usr/bin:/bin");
  env.set("KUBEBUILDER_ASSETS", "");
  env.set("KVALIDATE_ETCD", "");
  // A stand-in for build.sh with the same contract: targets on the command line, binaries in the cache.
  write_script((dir / "tools" / "build.sh").string(),
               "echo \"tools/go/build.sh: building kube-apiserver kubectl ${1#kubernetes@} (first time)\" >&2\n"
               "echo \"$@\" >> \"$XDG_CACHE_HOME/calls\"\n"
               "b=$XDG_CACHE_HOME/kvalidate/bin; mkdir -p $b/${1#kubernetes@} $b/v3.7.0\n"
               "sleep 1.5\n"
               "printf '#!/bin/sh\\n' > $b/${1#kubernetes@}/kube-apiserver; chmod +x $b/${1#kubernetes@}/kube-apiserver\n"
               "printf '#!/bin/sh\\n' > $b/v3.7.0/etcd; chmod +x $b/v3.7.0/etcd\n");
  std::vector<kv::BuildProgress> seen;
  auto record = [&](const kv::BuildProgress& p) { seen.push_back(p); };
  CHECK_FALSE(kv::kube_binaries_cached("v1.35.4"));
  kv::Status s = kv::ensure_kube_binaries("v1.35.4", record, std::chrono::seconds(60));
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK(kv::kube_binaries_cached("v1.35.4"));
  REQUIRE(seen.size() >= 2);
  CHECK(seen.back().done);
  bool saw_building = false;
  for (const auto& p : seen) saw_building |= p.step == "building kube-apiserver kubectl v1.35.4 from the Go module proxy";
  CHECK(saw_building);
  // Cached now: no second run of the script.
  CHECK(kv::ensure_kube_binaries("v1.35.4", record, std::chrono::seconds(60)).ok());
  std::ifstream calls(dir / "cache" / "calls");
  std::string all((std::istreambuf_iterator<char>(calls)), {});
  CHECK(all == "kubernetes@v1.35.4 etcd\n");

  SUBCASE("a failing build is Unavailable with the log's last lines") {
    write_script((dir / "tools" / "build.sh").string(), "echo 'go: module lookup failed' >&2; exit 1\n");
    kv::Status f = kv::ensure_kube_binaries("v1.36.3", nullptr);
    CHECK(f.exit_code() == 3);
    CHECK(f.message().find("go: module lookup failed") != std::string::npos);
    CHECK(f.message().find("v1.36.3") != std::string::npos);
  }
  SUBCASE("no build script: Unavailable saying how to build") {
    env.set("KVALIDATE_TOOLS_DIR", (dir / "nowhere").string());
    kv::Status f = kv::ensure_kube_binaries("v1.36.3", nullptr);
    CHECK(f.exit_code() == 3);
    CHECK(f.message().find("scripts/setup.sh --kube-versions v1.36.3") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
