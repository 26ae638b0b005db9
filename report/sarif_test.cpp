#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "core/json.h"
#include "core/process.h"
#include "report/test_fixture.h"

using namespace kv;
using namespace kv::report;
using namespace kv::report::testing;

namespace {

// Runs tests/schemas/validate_sarif.py over the documents: exit 0 valid, 1 invalid, 77 no validator.
RunResult validate(const std::vector<std::string>& docs) {
  std::vector<std::string> argv = {"python3", std::string(KV_SOURCE_DIR) + "/tests/schemas/validate_sarif.py"};
  for (const auto& doc : docs) {
    char tmpl[] = "/tmp/kv-sarif-XXXXXX.sarif";
    int fd = mkstemps(tmpl, 6);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(tmpl, std::ios::binary) << doc;
    argv.push_back(tmpl);
  }
  auto r = run_command(argv);
  for (size_t i = 2; i < argv.size(); ++i) unlink(argv[i].c_str());
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("SARIF output is valid against the SARIF 2.1.0 JSON schema") {
  auto results = fixture_results();
  RunResult full = validate({render("sarif", results),
                             render("sarif", {results.begin(), results.begin() + 2}, true),
                             render("sarif", {}, true), render_merged("sarif", 3)});
  if (full.exit_code == 77) {
    MESSAGE(full.out);  // "skip: ... (tests/schemas/install-validators.sh)"
    return;
  }
  CHECK_MESSAGE(full.exit_code == 0, full.out, full.err);
  // The check can fail: a region with line 0 is not SARIF.
  std::string bad = render("sarif", results);
  auto pos = bad.find("\"startLine\": 38");
  REQUIRE(pos != std::string::npos);
  bad.replace(pos, 15, "\"startLine\": 0");
  RunResult invalid = validate({bad});
  CHECK(invalid.exit_code == 1);
  CHECK(invalid.out.find("startLine: 0 is less than the minimum of 1") != std::string::npos);
}

TEST_CASE("SARIF rules are listed once with help; fingerprints ignore line numbers") {
  auto results = fixture_results();
  auto doc = parse_json(render("sarif", results), "sarif");
  REQUIRE(doc.ok());
  const auto run = (*doc)["runs"][0];
  const auto rules = run["tool"]["driver"]["rules"];
  std::set<std::string> ids;
  for (const auto& rule : rules) {
    CHECK(ids.insert(rule["id"].as<std::string>()).second);
    CHECK(!rule["help"]["text"].as<std::string>().empty());
  }
  CHECK(ids.count("KV-RBAC-003") == 1);
  CHECK(ids.count("dry-run/FieldValueInvalid") == 1);
  const auto first = run["results"][0];
  CHECK(rules[first["ruleIndex"].as<int>()]["id"].as<std::string>() == first["ruleId"].as<std::string>());

  // Moving the object down the file keeps its fingerprint.
  auto moved = results;
  moved[1].findings[0].line += 10;
  moved[1].source.line += 10;
  auto a = parse_json(render("sarif", {results[1]}), "a");
  auto b = parse_json(render("sarif", {moved[1]}), "b");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto fp = [](const YAML::Node& d) {
    return d["runs"][0]["results"][0]["partialFingerprints"]["kvalidate/v1"].as<std::string>();
  };
  CHECK(fp(*a) == fp(*b));
  CHECK((*a)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"].as<int>() == 38);
}

TEST_CASE("SARIF: a duplicate object and the CRD rules note have help of their own, not their family's") {
  auto results = fixture_results();
  results[1].findings = {finding(Severity::kWarning, "input/duplicate-object", "ConfigMap/default/x is defined again", 9),
                         finding(Severity::kInfo, "dry-run/rules-not-checked", "checked again", 1)};
  auto doc = parse_json(render("sarif", {results[1]}), "sarif");
  REQUIRE(doc.ok());
  std::map<std::string, std::string> help;
  for (const auto& rule : (*doc)["runs"][0]["tool"]["driver"]["rules"])
    help[rule["id"].as<std::string>()] = rule["shortDescription"]["text"].as<std::string>();
  CHECK(help["input/duplicate-object"] == "The same object is defined twice");
  CHECK(help["dry-run/rules-not-checked"] == "The CRD's validation rules were checked in a further pass");
}
