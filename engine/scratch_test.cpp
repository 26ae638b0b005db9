#include "engine/scratch.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <doctest/doctest.h>

#include "controlplane/files.h"
#include "core/process.h"
#include "core/temp_dir_test_support.h"
#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

namespace fs = std::filesystem;

// A private state dir, removed at the end of the test.
struct StateDir : kv::core::testing::TempDir {
  StateDir() : TempDir("scratch") {}
  std::vector<std::string> records() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(path + "/upgrade-runs", ec)) out.push_back(e.path().string());
    return out;
  }
};

bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

}  // namespace

TEST_CASE("scratch_namespace: kvu-<run>-<ns>; long names are cut to a DNS label and stay distinct") {
  CHECK(scratch_namespace("a1b2c3", "team") == "kvu-a1b2c3-team");
  CHECK(scratch_name("a1b2c3", "reader") == "kvu-a1b2c3-reader");
  const std::string long1(63, 'x'), long2 = std::string(62, 'x') + "y";
  auto n1 = scratch_namespace("a1b2c3", long1), n2 = scratch_namespace("a1b2c3", long2);
  CHECK(is_dns_label(n1));
  CHECK(is_dns_label(n2));
  CHECK(n1 != n2);
  CHECK(n1.rfind("kvu-a1b2c3-", 0) == 0);
}

TEST_CASE("scratch records: JSON round trip; an incomplete or ownerless record is InvalidInput") {
  ScratchRecord r;
  r.id = "00beef";
  r.pid = 4242;
  r.start_time = 123456789012ULL;
  r.full_plane = true;
  r.namespaces = {"kvu-00beef-default"};
  r.objects = {"/apis/apps/v1/namespaces/kvu-00beef-default/deployments/web"};
  auto back = parse_scratch(scratch_json(r));
  REQUIRE(back.ok());
  CHECK(back->id == r.id);
  CHECK(back->pid == r.pid);
  CHECK(back->start_time == r.start_time);
  CHECK(back->full_plane);
  CHECK(back->namespaces == r.namespaces);
  CHECK(back->objects == r.objects);

  CHECK(parse_scratch(R"({"id":"x","pid":1})").status().exit_code() == 2);
  CHECK(parse_scratch(R"({"id":"","pid":0,"startTime":0,"namespaces":[],"objects":[]})").status().exit_code() == 2);
  CHECK_FALSE(parse_scratch("{\"id\": [").ok());
  CHECK_FALSE(parse_scratch(R"({"id":"x","pid":"many","startTime":0,"namespaces":[],"objects":[]})").ok());
}

TEST_CASE("ScratchRun: records before creating, then removes objects (finalizers first), namespaces and its record") {
  StateDir state;
  REQUIRE(!state.path.empty());
  for (bool full : {false, true}) {
    CAPTURE(full);
    std::vector<std::string> log;
    std::string record_when_created;
    FakeTransport t([&](const kube::Request& r) {
      log.push_back(r.method + " " + r.path);
      if (r.method == "POST") {
        auto files = state.records();
        if (auto text = files.size() == 1 ? read_file(files[0]) : Result<std::string>(std::string());
            text.ok())
          record_when_created = *text;
        return answer(201);
      }
      return answer(r.method == "DELETE" && r.path.find("gone") != std::string::npos ? 404 : 200);
    });
    auto run = ScratchRun::begin(t, state.path, full);
    REQUIRE(run.ok());
    CHECK(run->id().size() == 6);
    REQUIRE(state.records().size() == 1);
    REQUIRE(run->create_namespaces(t, {"default"}).ok());
    const std::string ns = scratch_namespace(run->id(), "default");
    CHECK(record_when_created.find(ns) != std::string::npos);  // written before the namespace existed
    REQUIRE(run->record_objects({"/api/v1/namespaces/" + ns + "/configmaps/cm",
                                 "/api/v1/namespaces/" + ns + "/configmaps/gone"}).ok());
    log.clear();
    REQUIRE(run->end(t).ok());  // an object already gone (404) counts as removed
    std::vector<std::string> want = {
        "PATCH /api/v1/namespaces/" + ns + "/configmaps/cm",
        "PATCH /api/v1/namespaces/" + ns + "/configmaps/gone",
        "DELETE /api/v1/namespaces/" + ns + "/configmaps/cm?propagationPolicy=Background",
        "DELETE /api/v1/namespaces/" + ns + "/configmaps/gone?propagationPolicy=Background",
        "DELETE /api/v1/namespaces/" + ns};
    // Without a namespace controller the namespace is finalized by the run itself.
    if (!full) want.push_back("PUT /api/v1/namespaces/" + ns + "/finalize");
    CHECK(log == want);
    CHECK(state.records().empty());
  }
}

TEST_CASE("ScratchRun: a failed removal keeps the record for the next run's sweep") {
  StateDir state;
  FakeTransport t([](const kube::Request& r) { return answer(r.method == "DELETE" ? 500 : 201); });
  auto run = ScratchRun::begin(t, state.path, false);
  REQUIRE(run.ok());
  REQUIRE(run->record_objects({"/api/v1/namespaces/kvu-x-default/configmaps/cm"}).ok());
  Status s = run->end(t);
  CHECK(s.exit_code() == 3);
  CHECK(s.message().find("HTTP 500") != std::string::npos);
  CHECK(state.records().size() == 1);
}

TEST_CASE("sweep_dead_scratch: removes what runs whose process is gone left; keeps live runs and their records") {
  StateDir state;
  REQUIRE(controlplane::make_private_dir(state.path + "/upgrade-runs").ok());
  ScratchRecord dead;
  dead.id = "dead00";
  dead.pid = getpid();
  dead.start_time = pid_start_time(getpid()).value_or(0) + 1;  // this pid, but another process's start
  dead.namespaces = {"kvu-dead00-default"};
  dead.objects = {"/api/v1/namespaces/kvu-dead00-default/configmaps/cm"};
  ScratchRecord live = dead;
  live.id = "11ve00";
  live.start_time = pid_start_time(getpid()).value_or(0);
  live.namespaces = {"kvu-11ve00-default"};
  live.objects = {"/api/v1/namespaces/kvu-11ve00-default/configmaps/cm"};
  REQUIRE(write_file_atomic(state.path + "/upgrade-runs/dead00.json", scratch_json(dead), 0600).ok());
  REQUIRE(write_file_atomic(state.path + "/upgrade-runs/11ve00.json", scratch_json(live), 0600).ok());
  REQUIRE(write_file_atomic(state.path + "/upgrade-runs/half.json", "{\"id\":", 0600).ok());
  std::vector<std::string> touched;
  FakeTransport t([&](const kube::Request& r) {
    touched.push_back(r.path);
    return answer(200);
  });
  CHECK(sweep_dead_scratch(t, state.path) == 1);
  for (const auto& p : touched) CHECK(p.find("dead00") != std::string::npos);
  CHECK(touched.size() == 4);  // unfinalize, delete, delete namespace, finalize namespace
  auto left = state.records();
  REQUIRE(left.size() == 1);
  CHECK(fs::path(left[0]).filename() == "11ve00.json");
}
