#include "render/chart.h"

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

namespace fs = std::filesystem;

namespace {
const std::string kCharts = std::string(KV_SOURCE_DIR) + "/fixtures/charts";

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("kv-chart-test-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
}  // namespace

TEST_CASE("a chart directory is loaded with its name and chart-testing values files") {
  auto webapp = kv::render::load_chart(kCharts + "/webapp");
  REQUIRE(webapp.ok());
  CHECK(webapp->name == "webapp");
  CHECK(webapp->version == "0.1.0");
  CHECK_FALSE(webapp->archive);
  CHECK(webapp->ci_values.empty());
  auto runs = kv::render::plan_runs(*webapp, kv::render::ValuesMatrix::kCiValues);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].suite == kCharts + "/webapp");
  CHECK(runs[0].values_file.empty());

  auto matrix = kv::render::load_chart(kCharts + "/matrix");
  REQUIRE(matrix.ok());
  CHECK(matrix->ci_values == std::vector<std::string>{"ci/a-values.yaml", "ci/b-values.yaml"});
  runs = kv::render::plan_runs(*matrix, kv::render::ValuesMatrix::kCiValues);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].suite == kCharts + "/matrix (values: ci/a-values.yaml)");
  CHECK(runs[1].values_name == "ci/b-values.yaml");
  CHECK(fs::exists(runs[1].values_file));
  runs = kv::render::plan_runs(*matrix, kv::render::ValuesMatrix::kOff);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].values_file.empty());
  CHECK(runs[0].suite == kCharts + "/matrix");
}

TEST_CASE("bad chart input is a one-line error naming the file, exit 2") {
  auto missing = kv::render::load_chart(kCharts + "/does-not-exist");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().exit_code() == 2);
  CHECK(missing.status().message() == kCharts + "/does-not-exist: no such chart directory or archive");

  auto not_chart = kv::render::load_chart(kCharts);
  REQUIRE_FALSE(not_chart.ok());
  CHECK(not_chart.status().message() == kCharts + ": not a chart (no Chart.yaml in the directory)");

  fs::path bad = scratch("bad-chart-yaml");
  std::ofstream(bad / "Chart.yaml") << "apiVersion: v2\nname: [x\n";
  auto invalid = kv::render::load_chart(bad.string());
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.status().exit_code() == 2);
  CHECK(invalid.status().message().rfind((bad / "Chart.yaml").string() + ":3:1: invalid YAML", 0) == 0);

  std::ofstream(bad / "Chart.yaml", std::ios::trunc) << "apiVersion: v2\nname: x\n";
  auto no_version = kv::render::load_chart(bad.string());
  REQUIRE_FALSE(no_version.ok());
  CHECK(no_version.status().message() == (bad / "Chart.yaml").string() + ": invalid Chart.yaml: version is required");

  fs::path corrupt = bad / "corrupt.tgz";
  std::ofstream(corrupt) << "garbage";
  auto not_gzip = kv::render::load_chart(corrupt.string());
  REQUIRE_FALSE(not_gzip.ok());
  CHECK(not_gzip.status().message() == corrupt.string() + ": not a chart archive (not gzip-compressed)");
  std::ofstream(corrupt, std::ios::trunc) << "\x1f\x8b\x08garbage";
  auto truncated = kv::render::load_chart(corrupt.string());
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.status().exit_code() == 2);
  CHECK(truncated.status().message().rfind(corrupt.string() + ": not a valid chart archive (", 0) == 0);
  fs::remove_all(bad);
}

TEST_CASE("a dependency missing from charts/ suggests helm dependency build") {
  auto chart = kv::render::load_chart(kCharts + "/with-dependency");
  REQUIRE_FALSE(chart.ok());
  CHECK(chart.status().exit_code() == 2);
  CHECK(chart.status().message() == kCharts + "/with-dependency/Chart.yaml: dependency \"redis\" is missing from "
                                    "charts/; run `helm dependency build " + kCharts + "/with-dependency`");
  // Vendored as a directory, it is found.
  fs::path dir = scratch("with-dep");
  fs::copy(kCharts + "/with-dependency", dir / "c", fs::copy_options::recursive);
  fs::create_directories(dir / "c/charts/redis");
  std::ofstream(dir / "c/charts/redis/Chart.yaml") << "apiVersion: v2\nname: redis\nversion: 1.2.3\n";
  CHECK(kv::render::load_chart((dir / "c").string()).ok());
  fs::remove_all(dir);
}

TEST_CASE("values flags are checked before helm runs") {
  using kv::render::ValuesFlags;
  fs::path dir = scratch("values");
  std::ofstream(dir / "bad.yaml") << "a: 1\nb: [\n";
  std::ofstream(dir / "good.yaml") << "a: 1\n";
  CHECK(kv::render::check_values(ValuesFlags{{(dir / "good.yaml").string()}, {"a=1"}, {"b=2"}, {}}).ok());
  auto missing = kv::render::check_values(ValuesFlags{{(dir / "nope.yaml").string()}, {}, {}, {}});
  CHECK(missing.message() == (dir / "nope.yaml").string() + ": no such values file");
  auto bad = kv::render::check_values(ValuesFlags{{(dir / "bad.yaml").string()}, {}, {}, {}});
  CHECK(bad.exit_code() == 2);
  // At the bracket never closed (line 2), not where the parser gave up (line 3), as for manifests.
  CHECK(bad.message().rfind((dir / "bad.yaml").string() + ":2:4: invalid YAML: '[' opened here is never closed", 0) == 0);
  std::ofstream(dir / "tabs.yaml") << "a:\n\tb: 1\n";
  CHECK(kv::render::check_values_file((dir / "tabs.yaml").string()).message().find(":2:1: invalid YAML: tab character") !=
        std::string::npos);
  CHECK(kv::render::check_values(ValuesFlags{{}, {"novalue"}, {}, {}}).message() == "--set novalue: expected KEY=VALUE");
  auto set_file = kv::render::check_values(ValuesFlags{{}, {}, {}, {"a=" + (dir / "good.yaml").string() + ",b=/nope"}});
  CHECK(set_file.message() == "--set-file b=/nope: /nope: no such readable file");
  fs::remove_all(dir);
}
