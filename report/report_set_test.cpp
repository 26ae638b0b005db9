#include "report/reporter.h"

#include <doctest/doctest.h>

#include "core/json.h"
#include "core/process.h"
#include "core/temp_dir_test_support.h"
#include "report/test_fixture.h"

using namespace kv;
using namespace kv::report;
using namespace kv::report::testing;

TEST_CASE("every format matches its golden file (KV_UPDATE_GOLDEN=1 rewrites them)") {
  const auto results = fixture_results();
  const std::pair<const char*, const char*> cases[] = {
      {"text", "report.txt"},          {"json", "report.json"},   {"junit", "report.junit.xml"},
      {"sarif", "report.sarif"},       {"github", "report.github.txt"}};
  for (const auto& [format_c, file_c] : cases) {
    const std::string format = format_c, file = file_c;
    CAPTURE(format);
    std::string out = render(format, results);
    CHECK(!out.empty());
    CHECK_MESSAGE(matches_golden(file, out), "differs from tests/golden/", file, ":\n", out);
  }
  // An aborted run keeps what was validated and says why it ended.
  std::vector<ObjectResult> first(results.begin(), results.begin() + 3);
  const std::pair<const char*, const char*> aborted[] = {
      {"text", "aborted.txt"}, {"json", "aborted.json"}, {"junit", "aborted.junit.xml"},
      {"sarif", "aborted.sarif"}, {"github", "aborted.github.txt"}};
  for (const auto& [format_c, file_c] : aborted) {
    const std::string format = format_c, file = file_c;
    CAPTURE(format);
    std::string out = render(format, first, true);
    CHECK(out.find("control plane lost") != std::string::npos);
    CHECK_MESSAGE(matches_golden(file, out), "differs from tests/golden/", file, ":\n", out);
  }
}

TEST_CASE("the summary counts objects by status and failing checks as invalid or errors") {
  auto set = ReportSet::FromReporters({}, nullptr);
  for (const auto& r : fixture_results()) set.add(r);
  RunInfo info;
  info.duration_ms = 5;
  CHECK(set.finish(info).ok());
  const RunSummary& s = set.summary();
  CHECK(s.resources == 9);
  CHECK(s.valid == 5);
  CHECK(s.skipped == 1);
  CHECK(s.errors == 1);
  // Service and the odd ConfigMap, plus render, RBAC expectation, RBAC rule and input failures.
  CHECK(s.invalid == 6);
  CHECK(s.warnings == 3);
  CHECK(s.server_version.empty());
  CHECK(s.duration_ms == 5);
}

TEST_CASE("finish finishes every reporter even when one fails, and returns the first failure") {
  auto ctx = std::make_shared<ReportContext>();
  int calls = 0;
  std::vector<std::unique_ptr<Reporter>> reps;
  reps.push_back(make_reporter("json", [&](const std::string&) { ++calls; return Status::IOError("disk full"); }, ctx));
  reps.push_back(make_reporter("junit", [&](const std::string&) { ++calls; return Status::Ok(); }, ctx));
  reps.push_back(make_reporter("text", [&](const std::string&) { ++calls; return Status::IOError("second"); }, ctx));
  auto set = ReportSet::FromReporters(std::move(reps), ctx);
  set.add(fixture_results()[0]);
  Status s = set.finish(RunInfo{});
  CHECK(calls == 3);
  CHECK(s.message() == "disk full");
}

TEST_CASE("ReportSet::Create builds one reporter per spec and writes files atomically") {
  kv::core::testing::TempDir tmp("report");
  REQUIRE(!tmp.path.empty());
  const std::string& dir = tmp.path;
  auto specs = parse_output_specs({"json=" + dir + "/r.json", "junit=" + dir + "/r.xml"});
  REQUIRE(specs.ok());
  REQUIRE(check_writable(*specs).ok());
  auto set = ReportSet::Create(*specs);
  REQUIRE(set.ok());
  for (const auto& r : fixture_results()) set->add(r);
  RunInfo info;
  info.aborted = true;
  info.abort_message = "plane lost";
  REQUIRE(set->finish(info).ok());
  std::string json = read_file_or_empty(dir + "/r.json");
  auto parsed = parse_json(json, "r.json");
  REQUIRE(parsed.ok());
  CHECK((*parsed)["summary"]["aborted"].as<bool>() == true);
  CHECK((*parsed)["results"].size() == fixture_results().size());
  CHECK(read_file_or_empty(dir + "/r.xml").find("name=\"run aborted\"") != std::string::npos);
  // No temp files are left behind.
  auto ls = run_command({"ls", "-A", dir});
  REQUIRE(ls.ok());
  CHECK(ls->out == "r.json\nr.xml\n");
}
