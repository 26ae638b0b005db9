#include "render/values_origin.h"

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

namespace fs = std::filesystem;

TEST_CASE("value_origin names the values line or flag that set a key") {
  fs::path dir = fs::temp_directory_path() / "kv-values-origin-test";
  fs::create_directories(dir / "ci");
  std::ofstream(dir / "values.yaml") << "replicaCount: 1\n"       // 1
                                        "podAnnotations:\n"       // 2
                                        "  prometheus.io/port: \"9102\"\n"  // 3
                                        "resources: {}\n";        // 4
  std::ofstream(dir / "ci" / "a-values.yaml") << "resources:\n  limits:\n    memory: 12XB\n";
  std::ofstream(dir / "prod.yaml") << "replicaCount: three\n";
  kv::render::Chart chart;
  chart.path = "./c";
  chart.root = dir.string();
  kv::render::ValuesFlags none;
  CHECK(kv::render::value_origin(chart, "", none, "podAnnotations.prometheus.io/port") == "./c/values.yaml:3");
  CHECK(kv::render::value_origin(chart, "ci/a-values.yaml", none, "resources.limits.memory") ==
        "./c/ci/a-values.yaml:3");
  kv::render::ValuesFlags flags;
  flags.files = {(dir / "prod.yaml").string()};
  flags.set = {"image.tag=1.2,podAnnotations.prometheus\\.io/port=x"};
  CHECK(kv::render::value_origin(chart, "", flags, "replicaCount") == (dir / "prod.yaml").string() + ":1");
  CHECK(kv::render::value_origin(chart, "", flags, "podAnnotations.prometheus.io/port") ==
        "--set podAnnotations.prometheus\\.io/port");
  CHECK(kv::render::value_origin(chart, "", flags, "nothing.here").empty());
  fs::remove_all(dir);
}
