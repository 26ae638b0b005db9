#include "report/json_read.h"

#include <doctest/doctest.h>

#include "report/test_fixture.h"

using namespace kv;
using namespace kv::report;
using namespace kv::report::testing;

namespace {

// `json` read back and written again as `format`.
std::string rewrite(const std::string& json, const std::string& format) {
  auto read = read_json_report(json, "r.json");
  REQUIRE_MESSAGE(read.ok(), read.status().message());
  return render_read(format, *read);
}

// The fixture's results with the invalid UTF-8 byte already replaced by U+FFFD, as every report writes
// it (the JSON report escapes that replacement as \ufffd, and reads it back as the character).
std::vector<ObjectResult> valid_utf8_results() {
  auto results = fixture_results();
  for (auto& r : results)
    for (auto& f : r.findings)
      for (size_t p; (p = f.message.find('\xff')) != std::string::npos;) f.message.replace(p, 1, "\xef\xbf\xbd");
  return results;
}

}  // namespace

TEST_CASE("a JSON report read back writes every format exactly as the run did") {
  const auto results = valid_utf8_results();
  auto shard = [](ReportSet& set, RunInfo&) {
    set.set_shards({3, {2}});
    set.set_fail_on("warning");
  };
  for (const auto& f : report_formats()) {
    CAPTURE(std::string(f.name));
    CHECK(rewrite(render("json", results), f.name) == render(f.name, results));
    CHECK(rewrite(render("json", {results.begin(), results.begin() + 2}, true), f.name) ==
          render(f.name, {results.begin(), results.begin() + 2}, true));
    CHECK(rewrite(render("json", results, false, shard), f.name) == render(f.name, results, false, shard));
  }
}

TEST_CASE("a multi-version JSON report reads back with its versions") {
  auto results = valid_utf8_results();
  results[1].server_version = "v1.36.3";
  auto versions = [](ReportSet& set, RunInfo& info) {
    set.set_kube_versions({"v1.36.3", "v1.37.2"});
    info.version_duration_ms = {{"v1.36.3", 100}, {"v1.37.2", 200}};
    info.server_version = "v1.36.3,v1.37.2";
  };
  for (const char* f : {"json", "text", "junit"}) {
    CAPTURE(f);
    CHECK(rewrite(render("json", results, false, versions), f) == render(f, results, false, versions));
  }
  // An invalid byte was written as U+FFFD and is read back as that character.
  auto odd = read_json_report(render("json", {fixture_results().back()}), "r.json");
  REQUIRE(odd.ok());
  CHECK(odd->results[0].findings[0].message.find("\x01\xef\xbf\xbd end") != std::string::npos);
}

TEST_CASE("the shard and fail_on fields of the JSON report") {
  auto shard = [](ReportSet& set, RunInfo&) { set.set_shards({4, {3}}); };
  auto read = read_json_report(render("json", fixture_results(), false, shard), "r.json");
  REQUIRE(read.ok());
  CHECK(read->shards.count == 4);
  CHECK(read->shards.indexes == std::vector<int>{3});
  CHECK(read->fail_on == "error");
  auto plain = read_json_report(render("json", fixture_results()), "r.json");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->shards.enabled());
  CHECK(render("json", fixture_results(), false, shard).find("\"shard\": {\n    \"index\": 3,\n    \"count\": 4") !=
        std::string::npos);
}

TEST_CASE("what is not a kvalidate JSON report is refused with one line naming the file") {
  const std::string good = render("json", fixture_results());
  auto bad = [](const std::string& text) {
    auto r = read_json_report(text, "shard-2.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().exit_code() == 2);
    CHECK(r.status().message().rfind("shard-2.json: ", 0) == 0);
    CHECK(r.status().message().find('\n') == std::string::npos);
    return r.status().message();
  };
  CHECK(bad("<testsuites/>").find("not a kvalidate JSON report") != std::string::npos);
  CHECK(bad("[1, 2]").find("not a kvalidate JSON report") != std::string::npos);
  CHECK(bad("{\"version\": 1}").find("tool") != std::string::npos);
  CHECK(bad("{\"$schema\": \"sarif\", \"version\": \"2.1.0\", \"runs\": []}").find("tool") != std::string::npos);
  std::string v2 = good;
  v2.replace(v2.find("\"version\": 1"), 12, "\"version\": 2");
  CHECK(bad(v2).find("format version 2 is not supported") != std::string::npos);
  std::string status = good;
  status.replace(status.find("\"status\": \"valid\""), 17, "\"status\": \"fine\"");
  CHECK(bad(status).find("results[0].status: \"fine\" is not one of valid, invalid, skipped, error") !=
        std::string::npos);
  std::string line = good;
  line.replace(line.find("\"line\": 1,"), 10, "\"line\": \"x\",");
  CHECK(bad(line).find("results[0].source.line: expected an integer") != std::string::npos);
  CHECK(bad(good.substr(0, good.size() / 2)).find("not a kvalidate JSON report") != std::string::npos);
  auto missing = read_json_report_file("/nonexistent/r.json");
  CHECK(missing.status().message().find("/nonexistent/r.json") != std::string::npos);
}
