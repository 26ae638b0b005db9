#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <optional>

#include "core/process.h"
#include "report/test_fixture.h"

using namespace kv;
using namespace kv::report;
using namespace kv::report::testing;

namespace {

// Validates `xml` against tests/schemas/junit.xsd with xmllint. Returns nullopt when xmllint is missing.
std::optional<RunResult> xmllint(const std::string& xml) {
  if (!find_in_path("xmllint")) return std::nullopt;
  char tmpl[] = "/tmp/kv-junit-XXXXXX.xml";
  int fd = mkstemps(tmpl, 4);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(tmpl, std::ios::binary) << xml;
  auto r = run_command({"xmllint", "--noout", "--schema",
                        std::string(KV_SOURCE_DIR) + "/tests/schemas/junit.xsd", tmpl});
  unlink(tmpl);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("JUnit output is valid against the JUnit XSD (xmllint)") {
  if (!find_in_path("xmllint")) {
    MESSAGE("skipped: xmllint not installed (tests/schemas/install-validators.sh installs it)");
    return;
  }
  auto full = xmllint(render("junit", fixture_results()));
  CHECK_MESSAGE(full->exit_code == 0, full->err);
  auto results = fixture_results();
  auto aborted = xmllint(render("junit", {results.begin(), results.begin() + 2}, true));
  CHECK_MESSAGE(aborted->exit_code == 0, aborted->err);
  auto empty = xmllint(render("junit", {}, true));
  CHECK_MESSAGE(empty->exit_code == 0, empty->err);
  auto merged = xmllint(render_merged("junit", 3));  // kvalidate merge-reports of three shards
  CHECK_MESSAGE(merged->exit_code == 0, merged->err);
  // The check can fail: a test case without a name is rejected.
  auto broken = xmllint("<testsuites><testsuite tests=\"1\"><testcase classname=\"x\"/></testsuite></testsuites>");
  CHECK(broken->exit_code != 0);
}

TEST_CASE("JUnit test case names are unique within the report; time is always set") {
  std::string xml = render("junit", fixture_results());
  CHECK(xml.find("name=\"Service/demo/web\"") != std::string::npos);
  CHECK(xml.find("name=\"Service/demo/web (2)\"") != std::string::npos);
  size_t cases = 0, times = 0;
  for (size_t p = xml.find("<testcase "); p != std::string::npos; p = xml.find("<testcase ", p + 1)) {
    ++cases;
    auto end = xml.find('>', p);
    if (xml.substr(p, end - p).find(" time=\"") != std::string::npos) ++times;
  }
  CHECK(cases == fixture_results().size());
  CHECK(times == cases);
}

TEST_CASE("JUnit escapes markup and drops characters XML 1.0 cannot hold") {
  std::string xml = render("junit", {fixture_results().back()});
  CHECK(xml.find("odd&quot;&lt;&amp;&gt;") != std::string::npos);
  CHECK(xml.find('\x01') == std::string::npos);
  CHECK(xml.find("\xef\xbf\xbd") != std::string::npos);  // the invalid byte became U+FFFD
  CHECK(xml.find("na\xc3\xafve") != std::string::npos);
}
