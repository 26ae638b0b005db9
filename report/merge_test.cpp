#include "report/merge.h"

#include <doctest/doctest.h>

#include "core/json.h"
#include "report/test_fixture.h"

using namespace kv;
using namespace kv::report;
using namespace kv::report::testing;

namespace {

std::string refusal(std::vector<ReadReport> reports) {
  auto m = merge_reports(std::move(reports));
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().exit_code() == 2);
  return m.status().message();
}

}  // namespace

TEST_CASE("merged shard reports hold every result once, summed counts and every shard") {
  auto parts = shard_reports(3);
  std::swap(parts[0], parts[2]);  // the order given does not matter
  auto m = merge_reports(parts);
  REQUIRE(m.ok());
  CHECK(m->warnings.empty());
  CHECK(m->report.shards.count == 3);
  CHECK(m->report.shards.indexes == std::vector<int>{1, 2, 3});
  CHECK(m->report.results.size() == fixture_results().size());
  CHECK(m->report.summary.duration_ms == 600);
  RunSummary whole, merged;
  render("json", fixture_results(), false, {}, &whole);
  auto ctx = std::make_shared<ReportContext>();
  auto set = ReportSet::FromReporters({}, ctx);
  CHECK(write_read_report(set, m->report).ok());
  merged = set.summary();
  CHECK(merged.resources == whole.resources);
  CHECK(merged.valid == whole.valid);
  CHECK(merged.invalid == whole.invalid);
  CHECK(merged.skipped == whole.skipped);
  CHECK(merged.errors == whole.errors);
  CHECK(merged.warnings == whole.warnings);
  CHECK(merged_exit_code(m->report) == 1);
}

TEST_CASE("merge refuses other versions, shard counts, a shard twice, mixed reports; warns of a missing one") {
  auto parts = shard_reports(3);
  auto other_version = parts;
  other_version[1].tool_version = "9.9.9";
  CHECK(refusal(other_version).rfind("shard-2.json: written by kvalidate 9.9.9", 0) == 0);
  auto other_count = parts;
  other_count[2].shards = {4, {3}};
  CHECK(refusal(other_count).rfind("shard-3.json: shard 3/4, but shard-1.json is shard 1/3", 0) == 0);
  auto twice = parts;
  twice.push_back(parts[1]);
  CHECK(refusal(twice).find("shard 2/3 is in shard-2.json too") != std::string::npos);
  auto mixed = parts;
  mixed[0].shards = {};
  CHECK(refusal(mixed).find("is not a shard's report") != std::string::npos);
  auto fail_on = parts;
  fail_on[2].fail_on = "warning";
  CHECK(refusal(fail_on).rfind("shard-3.json: --fail-on warning", 0) == 0);
  auto missing = merge_reports({parts[0], parts[2]});
  REQUIRE(missing.ok());
  REQUIRE(missing->warnings.size() == 1);
  CHECK(missing->warnings[0] == "shard 2/3 is missing: its inputs are not in the merged report");
}

TEST_CASE("the merged exit code: the reports' own --fail-on level, and an aborted shard") {
  const auto results = fixture_results();
  auto clean = shard_reports(2, {results[0], results[2]});
  CHECK(merged_exit_code(merge_reports(clean)->report) == 0);
  auto warned = shard_reports(2, {results[0], results[5]});  // the Ingress has a warning
  CHECK(merged_exit_code(merge_reports(warned)->report) == 0);
  for (auto& r : warned) r.fail_on = "warning";
  CHECK(merged_exit_code(merge_reports(warned)->report) == 1);
  clean[1].summary.aborted = true;
  clean[1].summary.abort_message = "control plane lost";
  auto aborted = merge_reports(clean);
  CHECK(aborted->report.summary.abort_message == "shard 2/2: control plane lost");
  CHECK(merged_exit_code(aborted->report) == 1);
}

TEST_CASE("reports without shards (several commands of one job) merge in the order given") {
  const auto results = fixture_results();
  std::vector<ReadReport> parts;
  for (size_t i : {size_t{0}, size_t{1}}) {
    auto r = read_json_report(render("json", {results[i]}), "r" + std::to_string(i) + ".json");
    REQUIRE(r.ok());
    parts.push_back(*r);
  }
  auto m = merge_reports(parts);
  REQUIRE(m.ok());
  CHECK_FALSE(m->report.shards.enabled());
  REQUIRE(m->report.results.size() == 2);
  CHECK(m->report.results[1].name == results[1].name);
}

TEST_CASE("merged JUnit has one testsuite per file; merged SARIF one run with every shard's results") {
  auto count = [](const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
  };
  const std::string whole_junit = render("junit", fixture_results()), merged_junit = render_merged("junit", 3);
  CHECK(count(merged_junit, "<testsuite ") == count(whole_junit, "<testsuite "));
  CHECK(count(merged_junit, "<testcase ") == count(whole_junit, "<testcase "));
  auto whole = parse_json(render("sarif", fixture_results()), "sarif");
  auto merged = parse_json(render_merged("sarif", 3), "sarif");
  REQUIRE((whole.ok() && merged.ok()));
  CHECK((*merged)["runs"].size() == 1);
  CHECK((*merged)["runs"][0]["results"].size() == (*whole)["runs"][0]["results"].size());
  CHECK((*merged)["runs"][0]["tool"]["driver"]["rules"].size() == (*whole)["runs"][0]["tool"]["driver"]["rules"].size());
}
