#include "render/values_keys.h"

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"

using namespace kv::render;

TEST_CASE("values_duplicate_keys: each key written again, at its line, as helm reads keys; clean files say nothing") {
  kv::core::testing::TempDir dir("values-keys");
  const std::string dup = dir.write("values.yaml",
                                    "replicaCount: 1\n"
                                    "image:\n"
                                    "  repository: nginx\n"
                                    "  tag: \"1.0\"\n"
                                    "  repository: httpd\n"
                                    "nodeSelector:\n"
                                    "  on: a\n"
                                    "  yes: b\n"
                                    "replicaCount: 2\n");
  const std::string clean = dir.write("ci/a-values.yaml", "replicaCount: 3\nimage: {tag: \"2.0\"}\n");
  const std::string broken = dir.write("ci/b-values.yaml", "image: [unclosed\n");

  auto out = values_duplicate_keys({{dup, "chart/values.yaml"}, {clean, "chart/ci/a-values.yaml"},
                                    {broken, "chart/ci/b-values.yaml"}, {dir.path + "/nothere.yaml", "x"}},
                                   "chart");
  REQUIRE(out.size() == 1);
  const auto& r = out[0];
  CHECK(r.source.file == "chart/values.yaml");
  CHECK(r.status == kv::ObjectStatus::kInvalid);
  CHECK(r.suite == "chart");
  REQUIRE(r.findings.size() == 3);
  CHECK(r.findings[0].line == 5);
  CHECK(r.findings[0].column == 3);
  CHECK(r.findings[0].rule == "values/duplicate-key");
  CHECK(r.findings[0].message.find("\"repository\"") != std::string::npos);
  CHECK(r.findings[0].message.find("helm keeps the last value") != std::string::npos);
  CHECK(r.findings[0].message.find("API server") == std::string::npos);
  CHECK(r.findings[1].line == 8);  // `on:` and `yes:` are both true to helm's YAML
  CHECK(r.findings[2].line == 9);
  CHECK(r.findings[2].file == "chart/values.yaml");
}
