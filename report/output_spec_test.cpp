#include "report/reporter.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/process.h"
#include "core/temp_dir_test_support.h"
#include "report/test_fixture.h"

using namespace kv;
using namespace kv::report;

TEST_CASE("parse_output_specs: default, files, stdout and errors") {
  auto none = parse_output_specs({});
  REQUIRE(none.ok());
  REQUIRE(none->size() == 1);
  CHECK((*none)[0].format == "text");
  CHECK((*none)[0].path.empty());

  auto two = parse_output_specs({"junit=out/report.xml", "sarif=-"});
  REQUIRE(two.ok());
  CHECK((*two)[0].format == "junit");
  CHECK((*two)[0].path == "out/report.xml");
  CHECK((*two)[1].path.empty());  // "-" is stdout
  auto clash = parse_output_specs({"text", "json"});
  REQUIRE(!clash.ok());
  CHECK(clash.status().exit_code() == 2);
  CHECK(clash.status().message().find("only one format can go to stdout") != std::string::npos);

  auto unknown = parse_output_specs({"xml=a.xml"});
  REQUIRE(!unknown.ok());
  CHECK(unknown.status().message() ==
        "-o xml=a.xml: unknown format 'xml' (valid: text, json, junit, sarif, github)");
  auto empty = parse_output_specs({"json="});
  REQUIRE(!empty.ok());
  CHECK(empty.status().message().find("empty file name") != std::string::npos);
  auto same = parse_output_specs({"json=a", "junit=a"});
  REQUIRE(!same.ok());
  CHECK(same.status().exit_code() == 2);
}

TEST_CASE("check_writable names the path that cannot be written, and creates nothing") {
  kv::core::testing::TempDir tmp("writable");
  REQUIRE(!tmp.path.empty());
  const std::string& dir = tmp.path;
  CHECK(check_writable({{"json", dir + "/new.json"}, {"text", ""}}).ok());
  CHECK(access((dir + "/new.json").c_str(), F_OK) != 0);

  Status missing = check_writable({{"json", dir + "/no/such/dir/r.json"}});
  CHECK(missing.exit_code() == 2);
  CHECK(missing.message().find(dir + "/no/such/dir/r.json") != std::string::npos);

  Status folder = check_writable({{"junit", dir}});
  CHECK(!folder.ok());
  CHECK(folder.message().find("is a folder") != std::string::npos);

  if (geteuid() != 0) {  // root writes anywhere: the permission checks mean nothing then
    const std::string ro = dir + "/ro";
    REQUIRE(mkdir(ro.c_str(), 0555) == 0);
    CHECK(!check_writable({{"json", ro + "/r.json"}}).ok());
  }
}

TEST_CASE("write_file_atomically replaces a file and reports a failure naming the path") {
  kv::core::testing::TempDir tmp("atomic");
  REQUIRE(!tmp.path.empty());
  const std::string& dir = tmp.path;
  REQUIRE(write_file_atomically(dir + "/r.txt", "one\n").ok());
  REQUIRE(write_file_atomically(dir + "/r.txt", "two\n").ok());
  CHECK(testing::read_file_or_empty(dir + "/r.txt") == "two\n");
  Status bad = write_file_atomically(dir + "/missing/r.txt", "x");
  CHECK(!bad.ok());
  CHECK(bad.message().find(dir + "/missing/r.txt") != std::string::npos);
}

TEST_CASE("report formats: one table names every format, and each name makes its reporter") {
  CHECK(report_format_names() == "text, json, junit, sarif, github");
  auto ctx = std::make_shared<ReportContext>();
  for (const auto& f : report_formats()) {
    CAPTURE(f.name);
    CHECK(make_reporter(f.name, [](const std::string&) { return Status::Ok(); }, ctx) != nullptr);
  }
  CHECK(make_reporter("xml", [](const std::string&) { return Status::Ok(); }, ctx) == nullptr);
}
