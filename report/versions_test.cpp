// Reports of a run over several Kubernetes versions: grouping, per-version summaries, and names that
// keep versions apart, in every format.
#include <doctest/doctest.h>

#include "core/json.h"
#include "report/test_fixture.h"

using namespace kv;
using namespace kv::report;
using namespace kv::report::testing;

namespace {

const std::string kOld = "v1.36.3", kNew = "v1.37.2";

// A ConfigMap valid on both versions, a Service invalid on both, a StorageVersionMigration served by
// the newer one only, and an input problem no server judged.
std::vector<ObjectResult> two_version_results() {
  std::vector<ObjectResult> rs;
  for (const auto& v : {kOld, kNew}) {
    auto cm = object("in.yaml", 1, "ConfigMap", "default", "cfg", ObjectStatus::kValid);
    cm.server_version = v;
    rs.push_back(cm);
    auto svc = object("in.yaml", 8, "Service", "default", "web", ObjectStatus::kInvalid);
    svc.findings = {finding(Severity::kError, "dry-run/FieldValueInvalid",
                            "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive", 14, 11,
                            "spec.ports[0].port")};
    svc.server_version = v;
    rs.push_back(svc);
    auto svm = object("in.yaml", 20, "StorageVersionMigration", "", "m", v == kNew ? ObjectStatus::kValid
                                                                                      : ObjectStatus::kInvalid);
    svm.api_version = "storagemigration.k8s.io/v1";
    if (v == kOld)
      svm.findings = {finding(Severity::kError, "dry-run/unknown-kind",
                              "storagemigration.k8s.io/v1 StorageVersionMigration is not served in v1.36 (served from "
                              "v1.37)", 20, 1, "kind")};
    svm.server_version = v;
    rs.push_back(svm);
  }
  rs.push_back(check(ResultKind::kInput, "bad.yaml", "bad.yaml", ObjectStatus::kInvalid,
                     {finding(Severity::kError, "input/yaml-syntax", "mapping values are not allowed here", 3, 7)}));
  rs.back().source.file = "bad.yaml";
  return rs;
}

std::string render_versions(const std::string& format, RunSummary* summary = nullptr) {
  return render(format, two_version_results(), false, [](ReportSet& set, RunInfo& info) {
    set.set_kube_versions({kOld, kNew});
    info = RunInfo{};
    info.duration_ms = 2000;
    info.version_duration_ms = {{kOld, 900}, {kNew, 1100}};
    info.server_version = kOld + "," + kNew;
  }, summary);
}

}  // namespace

TEST_CASE("a multi-version summary has the totals and one summary per version") {
  RunSummary s;
  render_versions("json", &s);
  CHECK(s.resources == 6);
  CHECK(s.invalid == 4);  // 2 Services, the old StorageVersionMigration, the input problem
  REQUIRE(s.versions.size() == 2);
  CHECK(s.versions[0].server_version == kOld);
  CHECK(s.versions[0].resources == 3);
  CHECK(s.versions[0].valid == 1);
  CHECK(s.versions[0].invalid == 3);  // its Service and StorageVersionMigration, and the input problem
  CHECK(s.versions[0].duration_ms == 900);
  CHECK(s.versions[1].valid == 2);
  CHECK(s.versions[1].invalid == 2);
}

TEST_CASE("text groups findings under each version and ends with one summary line per version") {
  std::string out = render_versions("text");
  CHECK(out ==
        "bad.yaml:3:7: error: bad.yaml: mapping values are not allowed here [input/yaml-syntax]\n"
        "Kubernetes v1.36.3:\n"
        "  in.yaml:14:11: error: Service/default/web: spec.ports[0].port: Invalid value: 70000: must be between 1 "
        "and 65535, inclusive [dry-run/FieldValueInvalid]\n"
        "  in.yaml:20:1: error: StorageVersionMigration/m: storagemigration.k8s.io/v1 StorageVersionMigration is "
        "not served in v1.36 (served from v1.37) [dry-run/unknown-kind]\n"
        "Kubernetes v1.37.2:\n"
        "  in.yaml:14:11: error: Service/default/web: spec.ports[0].port: Invalid value: 70000: must be between 1 "
        "and 65535, inclusive [dry-run/FieldValueInvalid]\n"
        "Kubernetes v1.36.3: 3 resources: 1 valid, 2 invalid, 0 skipped, 0 errors; 1 check: 0 passed, 1 failed; "
        "0 warnings (900ms)\n"
        "Kubernetes v1.37.2: 3 resources: 2 valid, 1 invalid, 0 skipped, 0 errors; 1 check: 0 passed, 1 failed; "
        "0 warnings (1.1s)\n");
}

TEST_CASE("json: every result carries server_version; a summary per version beside the total") {
  auto doc = parse_json(render_versions("json"), "report");
  REQUIRE(doc.ok());
  CHECK((*doc)["server_version"].as<std::string>() == kOld + "," + kNew);
  CHECK((*doc)["summary"]["invalid"].as<int>() == 4);
  REQUIRE((*doc)["versions"].size() == 2);
  CHECK((*doc)["versions"][1]["server_version"].as<std::string>() == kNew);
  CHECK((*doc)["versions"][1]["summary"]["valid"].as<int>() == 2);
  const auto& results = (*doc)["results"];
  REQUIRE(results.size() == 7);
  CHECK(results[0]["server_version"].as<std::string>() == kOld);
  CHECK(results[3]["server_version"].as<std::string>() == kNew);
  CHECK(results[6]["server_version"].as<std::string>() == "");
}

TEST_CASE("junit: each version's results in their own testsuites, names unique") {
  std::string out = render_versions("junit");
  CHECK(out.find("<testsuite name=\"in.yaml [v1.36.3]\" tests=\"3\" failures=\"2\"") != std::string::npos);
  CHECK(out.find("<testsuite name=\"in.yaml [v1.37.2]\" tests=\"3\" failures=\"1\"") != std::string::npos);
  CHECK(out.find("<testsuite name=\"bad.yaml\" tests=\"1\"") != std::string::npos);
  CHECK(out.find("name=\"Service/default/web [v1.37.2]\"") != std::string::npos);
  CHECK(out.find("(2)") == std::string::npos);
}

TEST_CASE("sarif: one run whose results name their version, with fingerprints apart per version") {
  auto doc = parse_json(render_versions("sarif"), "sarif");
  REQUIRE(doc.ok());
  REQUIRE((*doc)["runs"].size() == 1);
  const auto& results = (*doc)["runs"][0]["results"];
  REQUIRE(results.size() == 4);
  CHECK(results[0]["properties"]["server_version"].as<std::string>() == kOld);
  CHECK(results[2]["properties"]["server_version"].as<std::string>() == kNew);
  CHECK(results[2]["message"]["text"].as<std::string>().rfind("Service/default/web [v1.37.2]: ", 0) == 0);
  CHECK(results[0]["partialFingerprints"]["kvalidate/v1"].as<std::string>() !=
        results[2]["partialFingerprints"]["kvalidate/v1"].as<std::string>());
  CHECK_FALSE(results[3]["properties"]["server_version"]);
}

TEST_CASE("github: annotation titles name the version; one summary line per version") {
  std::string out = render_versions("github");
  CHECK(out.find("title=Service/default/web (v1.36.3) [dry-run/FieldValueInvalid]::") != std::string::npos);
  CHECK(out.find("kvalidate: Kubernetes v1.36.3: 3 resources: 1 valid, 2 invalid") != std::string::npos);
  CHECK(out.find("kvalidate: Kubernetes v1.37.2: 3 resources: 2 valid, 1 invalid") != std::string::npos);
}

TEST_CASE("one version declared: the report is the single-version one") {
  auto ctx = std::make_shared<ReportContext>();
  std::string out;
  std::vector<std::unique_ptr<Reporter>> reps;
  reps.push_back(make_text_reporter([&out](const std::string& t) { out = t; return Status::Ok(); }, ctx));
  auto set = ReportSet::FromReporters(std::move(reps), ctx);
  set.set_kube_versions({kNew});
  auto r = object("in.yaml", 1, "ConfigMap", "default", "cfg", ObjectStatus::kValid);
  r.server_version = kNew;
  set.add(r);
  RunInfo info;
  info.duration_ms = 10;
  (void)set.finish(info);
  CHECK(out == "1 resource: 1 valid, 0 invalid, 0 skipped, 0 errors; 0 warnings (10ms)\n");
  CHECK(set.summary().versions.empty());
}
