#include <doctest/doctest.h>

#include "report/report_util.h"
#include "report/test_fixture.h"

using namespace kv;
using namespace kv::report;
using namespace kv::report::testing;

namespace {

std::string render_text(const std::vector<ObjectResult>& results, bool color) {
  auto ctx = std::make_shared<ReportContext>();
  ctx->color = color;
  std::string out;
  std::vector<std::unique_ptr<Reporter>> reps;
  reps.push_back(make_text_reporter([&out](const std::string& t) { out = t; return Status::Ok(); }, ctx));
  auto set = ReportSet::FromReporters(std::move(reps), ctx);
  for (const auto& r : results) set.add(r);
  RunInfo info;
  info.duration_ms = 850;
  (void)set.finish(info);
  return out;
}

}  // namespace

TEST_CASE("text lists findings and skipped objects, not valid objects one by one") {
  auto results = fixture_results();
  std::string out = render_text(results, false);
  CHECK(out.find("Deployment/demo/web") == std::string::npos);  // valid, no findings
  CHECK(out.find("manifests/app.yaml:50: skipped: Widget/demo/w1: CRD widgets") != std::string::npos);
  CHECK(out.find('\033') == std::string::npos);
  CHECK(out.find('\x01') == std::string::npos);
  // Every finding is one line: the fixture's multi-line message is joined.
  CHECK(out.find("isn't valid:  second line") != std::string::npos);
  CHECK(out.substr(out.rfind('\n', out.size() - 2) + 1) ==
        "9 resources: 5 valid, 2 invalid, 1 skipped, 1 error; 5 checks: 1 passed, 4 failed; "
        "3 warnings (850ms)\n");
}

TEST_CASE("text colors severities and the summary only when asked") {
  std::string out = render_text(fixture_results(), true);
  CHECK(out.find("\033[1;31merror\033[0m") != std::string::npos);
  CHECK(out.find("\033[33mwarning\033[0m") != std::string::npos);
  CHECK(out.find("\033[1;31m9 resources") != std::string::npos);
  std::string clean = render_text({fixture_results()[0]}, true);
  CHECK(clean == "\033[32m1 resource: 1 valid, 0 invalid, 0 skipped, 0 errors; 0 warnings (850ms)\033[0m\n");
}

TEST_CASE("report helpers: locations, durations, UTF-8") {
  ObjectResult r;
  r.source.file = "a.yaml";
  r.source.line = 7;
  r.source.column = 1;
  Finding f;
  CHECK(location_string(locate(r, f)) == "a.yaml:7");  // the object's line, no column
  f.line = 9;
  f.column = 3;
  CHECK(location_string(locate(r, f)) == "a.yaml:9:3");
  f.file = "b.yaml";
  f.line = 0;
  CHECK(location_string(locate(r, f)) == "b.yaml");  // another file: the object's line means nothing
  CHECK(format_ms(12.5) == "12.5");
  CHECK(format_ms(3) == "3");
  CHECK(format_seconds(1234.5678) == "1.235");
  CHECK(format_duration(1234) == "1.2s");
  CHECK(format_duration(999) == "999ms");
  CHECK(valid_utf8("ok\xc3\xa9\xff\xc0\xaf") == "ok\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(one_line("a\r\nb\tc\033[31m") == "a b c[31m");
}

TEST_CASE("github escapes data and properties the way the runner reads them") {
  ObjectResult r;
  r.source.file = "dir/a,b:c.yaml";
  r.kind = "ConfigMap";
  r.name = "x";
  r.status = ObjectStatus::kInvalid;
  r.findings.push_back(finding(Severity::kError, "dry-run/X", "100% bad\r\nnext", 2, 4));
  r.findings.push_back(finding(Severity::kInfo, "", "fyi"));
  std::string out = render("github", {r});
  CHECK(out.find("::error file=dir/a%2Cb%3Ac.yaml,line=2,col=4,title=ConfigMap/x [dry-run/X]::100%25 bad%0D%0Anext\n") !=
        std::string::npos);
  CHECK(out.find("::notice file=dir/a%2Cb%3Ac.yaml,title=ConfigMap/x::fyi\n") != std::string::npos);
}

TEST_CASE("text groups a chart's values-matrix runs under one header per values file") {
  std::vector<ObjectResult> results;
  for (const char* values : {"ci/b-values.yaml", "ci/a-values.yaml"}) {
    ObjectResult r;
    r.suite = std::string("charts/web (values: ") + values + ")";
    r.kind = "Deployment";
    r.name = "web";
    r.status = ObjectStatus::kInvalid;
    r.source.file = "charts/web/templates/deploy.yaml";
    r.source.line = 3;
    Finding f;
    f.message = "bad";
    f.line = 9;
    r.findings.push_back(f);
    results.push_back(r);
  }
  std::string out = render_text(results, false);
  std::string b = "== charts/web (values: ci/b-values.yaml)\ncharts/web/templates/deploy.yaml:9: error:";
  std::string a = "== charts/web (values: ci/a-values.yaml)\ncharts/web/templates/deploy.yaml:9: error:";
  REQUIRE(out.find(b) != std::string::npos);
  REQUIRE(out.find(a) != std::string::npos);
  CHECK(out.find(b) < out.find(a));  // in the order the runs reported
  CHECK(render_text(fixture_results(), false).find("== ") == std::string::npos);  // one suite each: no headers
}
